-- Remarks and tickets (issue 10). Each is a JSON document plus the columns
-- its lists need; the partial indexes hold only active remarks and open
-- tickets (the embedded twin of the sparse DynamoDB work list), and the
-- unique one is what makes "one open ticket per run" atomic.
CREATE TABLE remarks (
    id         TEXT PRIMARY KEY,
    job_id     TEXT NOT NULL,
    active     INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    version    INTEGER NOT NULL,
    doc        TEXT NOT NULL
);
CREATE INDEX remarks_by_job ON remarks (job_id, created_at DESC, id DESC);
CREATE INDEX remarks_active ON remarks (job_id, created_at DESC, id DESC) WHERE active = 1;

CREATE TABLE tickets (
    id         TEXT PRIMARY KEY,
    job_id     TEXT NOT NULL,
    run_id     TEXT NOT NULL,
    open       INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    version    INTEGER NOT NULL,
    doc        TEXT NOT NULL
);
CREATE INDEX tickets_by_job ON tickets (job_id, created_at DESC, id DESC);
CREATE INDEX tickets_open ON tickets (job_id, created_at DESC, id DESC) WHERE open = 1;
CREATE UNIQUE INDEX tickets_one_open_per_run ON tickets (run_id) WHERE open = 1;
