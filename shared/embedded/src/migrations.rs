//! Versioned schema migrations, applied in order when the database opens
//! (`PRAGMA user_version` holds the last one applied). A data folder made by
//! an older release opens in a newer one with nothing lost; a database from
//! a newer release than this one is refused rather than misread.
//!
//! Rules: never edit a migration that has shipped; add one. Each runs in
//! one transaction with its version bump.

use rusqlite::Connection;

/// Migration `i` brings the schema from version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[
    // 1: the first release's schema. Each entity is a JSON document plus the
    // columns its access patterns need; partial indexes are the embedded
    // twin of DynamoDB's sparse GSIs. (`IF NOT EXISTS`: databases of that
    // release carry user_version 0 but have these tables already.)
    r#"
CREATE TABLE IF NOT EXISTS mails (
    id          TEXT PRIMARY KEY,
    state       TEXT NOT NULL,
    received_at TEXT NOT NULL,
    identity    TEXT,
    version     INTEGER NOT NULL,
    doc         TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS mails_by_state ON mails (state, received_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS mails_inbox_identity ON mails (identity) WHERE state = 'inbox' AND identity IS NOT NULL;

CREATE TABLE IF NOT EXISTS customers (
    id       TEXT PRIMARY KEY,
    name_key TEXT NOT NULL UNIQUE,
    version  INTEGER NOT NULL,
    doc      TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS jobs (
    id          TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL,
    name_key    TEXT NOT NULL,
    software    TEXT NOT NULL,
    last_status TEXT,
    version     INTEGER NOT NULL,
    doc         TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS jobs_by_name ON jobs (name_key, id);
CREATE INDEX IF NOT EXISTS jobs_by_customer ON jobs (customer_id, name_key, id);

CREATE TABLE IF NOT EXISTS runs (
    id         TEXT PRIMARY KEY,
    job_id     TEXT NOT NULL,
    sort_at    TEXT NOT NULL,
    unreviewed INTEGER,
    version    INTEGER NOT NULL,
    doc        TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS runs_by_job ON runs (job_id, sort_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS runs_unreviewed ON runs (job_id, sort_at) WHERE unreviewed = 1;

CREATE TABLE IF NOT EXISTS users (
    id           TEXT PRIMARY KEY,
    username_key TEXT NOT NULL UNIQUE,
    version      INTEGER NOT NULL,
    doc          TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    doc        TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_by_expiry ON sessions (expires_at);

CREATE TABLE IF NOT EXISTS counters (
    key        TEXT PRIMARY KEY,
    value      INTEGER NOT NULL,
    expires_at TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS queue (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    body       TEXT NOT NULL,
    visible_at INTEGER NOT NULL,
    attempts   INTEGER NOT NULL DEFAULT 0,
    dead       INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS queue_ready ON queue (dead, visible_at, id);
"#,
    // 2: the audit trail, claim-once, API tokens, bulk operations; runs get
    // their status and arrival time as columns for Run Checks' counts.
    r#"
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
"#,
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

#[derive(Debug, thiserror::Error)]
pub enum MigrateError {
    #[error(
        "the database is at schema version {0}, newer than this release knows ({SCHEMA_VERSION}); upgrade Backupchecks"
    )]
    TooNew(u32),
}

/// Applies every migration the database has not had yet.
pub fn migrate(conn: &mut Connection) -> rusqlite::Result<()> {
    loop {
        // IMMEDIATE: the store and the queue open the same file; one of
        // them migrates, the other then sees the new version.
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let current: u32 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if current >= SCHEMA_VERSION {
            if current > SCHEMA_VERSION {
                let msg = MigrateError::TooNew(current).to_string();
                return Err(rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(1), Some(msg)));
            }
            return tx.commit();
        }
        tx.execute_batch(MIGRATIONS[current as usize])?;
        tx.pragma_update(None, "user_version", current + 1)?;
        tx.commit()?;
        tracing::info!(version = current + 1, "database schema migrated");
    }
}
