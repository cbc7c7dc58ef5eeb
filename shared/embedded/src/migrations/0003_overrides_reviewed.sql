-- Overrides: few, read whole; the number is shown as #12 and unique.
CREATE TABLE overrides (
    id      TEXT PRIMARY KEY,
    number  INTEGER NOT NULL UNIQUE,
    version INTEGER NOT NULL,
    doc     TEXT NOT NULL
);

-- The admin's Reviewed view: reviewed runs by review time, with the columns
-- its filters use.
ALTER TABLE runs ADD COLUMN reviewed_at TEXT;
ALTER TABLE runs ADD COLUMN reviewed_by TEXT;
ALTER TABLE runs ADD COLUMN customer_id TEXT;
-- Times as the store writes them (microseconds, `Z`), so they compare as strings.
UPDATE runs SET reviewed_at = CASE
        WHEN json_extract(doc, '$.review.at') IS NULL THEN NULL
        WHEN instr(json_extract(doc, '$.review.at'), '.') > 0 THEN substr(json_extract(doc, '$.review.at'), 1, instr(json_extract(doc, '$.review.at'), '.'))
             || substr(substr(json_extract(doc, '$.review.at'), instr(json_extract(doc, '$.review.at'), '.') + 1, length(json_extract(doc, '$.review.at')) - instr(json_extract(doc, '$.review.at'), '.') - 1) || '000000', 1, 6) || 'Z'
        ELSE substr(json_extract(doc, '$.review.at'), 1, length(json_extract(doc, '$.review.at')) - 1) || '.000000Z'
    END,
    reviewed_by = json_extract(doc, '$.review.by'),
    customer_id = json_extract(doc, '$.customer_id');
CREATE INDEX runs_reviewed ON runs (reviewed_at DESC, id DESC) WHERE reviewed_at IS NOT NULL;
-- A filter by reviewer or customer reads its own slice, not the whole list.
CREATE INDEX runs_reviewed_by ON runs (reviewed_by, reviewed_at DESC, id DESC) WHERE reviewed_at IS NOT NULL;
CREATE INDEX runs_reviewed_customer ON runs (customer_id, reviewed_at DESC, id DESC) WHERE reviewed_at IS NOT NULL;
