//! [`OverrideRepo`] on SQLite.

use async_trait::async_trait;
use bc_core::model::Override;
use bc_core::ports::{PortError, PortResult};
use bc_core::review::overrides::repo::OverrideRepo;
use rusqlite::params;

use super::{SqliteStore, conflict};
use crate::sql::{backend, is_unique_violation, to_doc};

#[async_trait]
impl OverrideRepo for SqliteStore {
    async fn insert_override(&self, o: &Override) -> PortResult<()> {
        Self::exec(
            &self.db(),
            "INSERT INTO overrides (id, number, version, doc) VALUES (?1, ?2, ?3, ?4)",
            params![o.id, o.number as i64, o.version as i64, to_doc(o)?],
        )
        .map_err(|e| {
            if is_unique_violation(&e) {
                PortError::Conflict(format!("override {} or number {} exists", o.id, o.number))
            } else {
                backend("insert override")(e)
            }
        })?;
        Ok(())
    }

    async fn get_override(&self, id: &str) -> PortResult<Option<Override>> {
        Self::doc(&self.db(), "SELECT doc FROM overrides WHERE id = ?1", id)
    }

    async fn update_override(&self, o: &Override) -> PortResult<()> {
        let mut next = o.clone();
        next.version += 1;
        let n = Self::exec(
            &self.db(),
            "UPDATE overrides SET version = ?2, doc = ?3 WHERE id = ?1 AND version = ?4",
            params![next.id, next.version as i64, to_doc(&next)?, o.version as i64],
        )
        .map_err(backend("update override"))?;
        if n == 0 { Err(conflict("override")) } else { Ok(()) }
    }

    async fn delete_override(&self, id: &str) -> PortResult<bool> {
        let n = Self::exec(&self.db(), "DELETE FROM overrides WHERE id = ?1", params![id])
            .map_err(backend("delete override"))?;
        Ok(n > 0)
    }

    async fn list_overrides(&self) -> PortResult<Vec<Override>> {
        Self::docs(&self.db(), "SELECT doc FROM overrides ORDER BY number", &[])
    }
}
