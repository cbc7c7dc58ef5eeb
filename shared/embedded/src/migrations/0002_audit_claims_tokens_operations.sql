ALTER TABLE runs ADD COLUMN status TEXT;
ALTER TABLE runs ADD COLUMN received_at TEXT;
UPDATE runs SET status = json_extract(doc, '$.status'), received_at = json_extract(doc, '$.received_at');
CREATE INDEX runs_unreviewed_status ON runs (job_id, status) WHERE unreviewed = 1;

CREATE TABLE audit (
    id          TEXT PRIMARY KEY,
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    entity_type TEXT NOT NULL,
    entity_id   TEXT NOT NULL,
    action      TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    doc         TEXT NOT NULL
);
CREATE INDEX audit_by_time ON audit (at DESC, id DESC);
CREATE INDEX audit_by_entity ON audit (entity_type, entity_id, at DESC, id DESC);
CREATE INDEX audit_by_expiry ON audit (expires_at);
-- Append-only: the application has no path to change an entry.
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;

CREATE TABLE claims (
    key        TEXT PRIMARY KEY,
    expires_at TEXT NOT NULL
);

CREATE TABLE api_tokens (
    id         TEXT PRIMARY KEY,
    created_at TEXT NOT NULL,
    version    INTEGER NOT NULL,
    doc        TEXT NOT NULL
);

CREATE TABLE operations (
    id      TEXT PRIMARY KEY,
    version INTEGER NOT NULL,
    doc     TEXT NOT NULL
);
