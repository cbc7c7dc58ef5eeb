//! Shared SQLite plumbing: opening a connection, the schema, time and cursor
//! encodings, error mapping.

use base64::Engine;
use bc_core::ports::PortError;
use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::Connection;
use std::path::Path;

pub(crate) fn open(path: &Path) -> rusqlite::Result<Connection> {
    let conn = Connection::open(path)?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.execute_batch(SCHEMA)?;
    Ok(conn)
}

/// Each entity is a JSON document plus the columns its access patterns
/// need. Partial indexes are the embedded twin of DynamoDB's sparse GSIs.
const SCHEMA: &str = r#"
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
"#;

/// Fixed-width UTC timestamps sort as text.
pub(crate) fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

pub(crate) fn backend(op: &str) -> impl Fn(rusqlite::Error) -> PortError + '_ {
    move |e| PortError::Backend(format!("sqlite {op}: {e}"))
}

pub(crate) fn is_unique_violation(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::ConstraintViolation)
}

pub(crate) fn to_doc<T: serde::Serialize>(v: &T) -> Result<String, PortError> {
    serde_json::to_string(v).map_err(|e| PortError::Backend(format!("encode: {e}")))
}

pub(crate) fn from_doc<T: serde::de::DeserializeOwned>(s: &str) -> Result<T, PortError> {
    serde_json::from_str(s).map_err(|e| PortError::Backend(format!("stored document unreadable: {e}")))
}

/// Cursors are opaque to callers: base64url of a JSON array of the sort keys.
pub(crate) fn encode_cursor(parts: &[&str]) -> String {
    let json = serde_json::to_vec(parts).unwrap_or_default();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json)
}

pub(crate) fn decode_cursor(cursor: Option<&str>, n: usize) -> Result<Option<Vec<String>>, PortError> {
    let Some(c) = cursor else { return Ok(None) };
    let bad = || PortError::Invalid("invalid cursor".to_string());
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(c).map_err(|_| bad())?;
    let parts: Vec<String> = serde_json::from_slice(&bytes).map_err(|_| bad())?;
    if parts.len() != n {
        return Err(bad());
    }
    Ok(Some(parts))
}
