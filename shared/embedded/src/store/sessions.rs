//! [`SessionRepo`] and [`CounterRepo`] on SQLite.

use async_trait::async_trait;
use bc_core::auth::repo::{CounterRepo, SessionRepo};
use bc_core::model::Session;
use bc_core::ports::PortResult;
use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};

use super::SqliteStore;
use crate::sql::{backend, to_doc, ts};

#[async_trait]
impl SessionRepo for SqliteStore {
    async fn insert_session(&self, s: &Session) -> PortResult<()> {
        Self::exec(
            &self.db(),
            "INSERT INTO sessions (token_hash, user_id, expires_at, doc) VALUES (?1, ?2, ?3, ?4)",
            params![s.token_hash, s.user_id, ts(s.expires_at), to_doc(s)?],
        )
        .map_err(backend("insert session"))?;
        Ok(())
    }

    async fn get_session(&self, token_hash: &str) -> PortResult<Option<Session>> {
        Self::doc(&self.db(), "SELECT doc FROM sessions WHERE token_hash = ?1", token_hash)
    }

    async fn delete_session(&self, token_hash: &str) -> PortResult<()> {
        Self::exec(&self.db(), "DELETE FROM sessions WHERE token_hash = ?1", [token_hash])
            .map_err(backend("delete session"))?;
        Ok(())
    }

    async fn purge_expired_sessions(&self, now: DateTime<Utc>) -> PortResult<u64> {
        let db = self.db();
        let n = Self::exec(&db, "DELETE FROM sessions WHERE expires_at < ?1", [ts(now)])
            .map_err(backend("purge sessions"))?;
        Self::exec(&db, "DELETE FROM counters WHERE expires_at < ?1", [ts(now)]).map_err(backend("purge counters"))?;
        Ok(n as u64)
    }
}

#[async_trait]
impl CounterRepo for SqliteStore {
    async fn bump_counter(&self, key: &str, expires_at: DateTime<Utc>) -> PortResult<u64> {
        let v: i64 = self
            .db()
            .query_row(
                "INSERT INTO counters (key, value, expires_at) VALUES (?1, 1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = value + 1, expires_at = excluded.expires_at
                 RETURNING value",
                params![key, ts(expires_at)],
                |r| r.get(0),
            )
            .map_err(backend("bump counter"))?;
        Ok(v as u64)
    }

    async fn get_counter(&self, key: &str) -> PortResult<u64> {
        let v: Option<i64> = self
            .db()
            .query_row("SELECT value FROM counters WHERE key = ?1", [key], |r| r.get(0))
            .optional()
            .map_err(backend("get counter"))?;
        Ok(v.unwrap_or(0) as u64)
    }

    async fn reset_counter(&self, key: &str) -> PortResult<()> {
        Self::exec(&self.db(), "DELETE FROM counters WHERE key = ?1", [key]).map_err(backend("reset counter"))?;
        Ok(())
    }
}
