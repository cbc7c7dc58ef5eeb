//! [`ClaimRepo`] on SQLite: one row per key; taking an expired claim is an
//! upsert guarded by the expiry, so of concurrent callers exactly one
//! changes a row.

use async_trait::async_trait;
use bc_core::claims::ClaimRepo;
use bc_core::ports::PortResult;
use chrono::{DateTime, Utc};
use rusqlite::params;

use super::SqliteStore;
use crate::sql::{backend, ts};

#[async_trait]
impl ClaimRepo for SqliteStore {
    async fn claim(&self, key: &str, now: DateTime<Utc>, expires_at: DateTime<Utc>) -> PortResult<bool> {
        let n = Self::exec(
            &self.db(),
            "INSERT INTO claims (key, expires_at) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET expires_at = excluded.expires_at WHERE claims.expires_at < ?3",
            params![key, ts(expires_at), ts(now)],
        )
        .map_err(backend("claim"))?;
        Ok(n == 1)
    }

    async fn release_claim(&self, key: &str) -> PortResult<()> {
        Self::exec(&self.db(), "DELETE FROM claims WHERE key = ?1", [key]).map_err(backend("release claim"))?;
        Ok(())
    }
}
