//! Shared SQLite plumbing: opening a connection (which brings the schema up
//! to date, see [`crate::migrations`]), time and cursor encodings, keyset
//! pages, error mapping.

use base64::Engine;
use bc_core::model::Page;
use bc_core::ports::PortError;
use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::Connection;
use std::path::Path;

pub(crate) fn open(path: &Path) -> rusqlite::Result<Connection> {
    let mut conn = Connection::open(path)?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    crate::migrations::migrate(&mut conn)?;
    Ok(conn)
}

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

/// The one keyset-paging step of every list: `rows` were read with
/// `LIMIT limit + 1` past the cursor; keep `limit` and, when there were
/// more, the cursor made of the last kept row's sort keys.
pub(crate) fn keyset_page<T>(mut rows: Vec<T>, limit: usize, keys: impl Fn(&T) -> Vec<String>) -> Page<T> {
    if rows.len() > limit {
        rows.truncate(limit);
        let next = rows.last().map(|r| {
            let k = keys(r);
            encode_cursor(&k.iter().map(String::as_str).collect::<Vec<_>>())
        });
        Page { items: rows, next_cursor: next }
    } else {
        Page { items: rows, next_cursor: None }
    }
}
