-- The backup control plane (seed 001): every record of the area as a JSON
-- document by kind and id, grouped by parent (a policy's hooks, a target's
-- history), and an engine's offline deadline as a column with a partial
-- index, so the offline sweep reads only engines whose deadline passed.
CREATE TABLE backup_docs (
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    parent TEXT,
    due_at TEXT,
    version INTEGER NOT NULL,
    doc TEXT NOT NULL,
    PRIMARY KEY (kind, id)
);
CREATE INDEX backup_docs_parent ON backup_docs (kind, parent, id) WHERE parent IS NOT NULL;
CREATE INDEX backup_docs_due ON backup_docs (kind, due_at, id) WHERE due_at IS NOT NULL;
