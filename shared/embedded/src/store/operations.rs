//! [`OperationRepo`] on SQLite.

use async_trait::async_trait;
use bc_core::model::Operation;
use bc_core::ports::{PortError, PortResult};
use bc_core::tasks::repo::OperationRepo;
use rusqlite::params;

use super::{SqliteStore, conflict};
use crate::sql::{backend, is_unique_violation, to_doc};

#[async_trait]
impl OperationRepo for SqliteStore {
    async fn insert_operation(&self, op: &Operation) -> PortResult<()> {
        Self::exec(
            &self.db(),
            "INSERT INTO operations (id, version, doc) VALUES (?1, ?2, ?3)",
            params![op.id, op.version as i64, to_doc(op)?],
        )
        .map_err(|e| {
            if is_unique_violation(&e) {
                PortError::Conflict("operation exists".into())
            } else {
                backend("insert operation")(e)
            }
        })?;
        Ok(())
    }

    async fn get_operation(&self, id: &str) -> PortResult<Option<Operation>> {
        Self::doc(&self.db(), "SELECT doc FROM operations WHERE id = ?1", id)
    }

    async fn update_operation(&self, op: &Operation) -> PortResult<()> {
        let mut next = op.clone();
        next.version += 1;
        let n = Self::exec(
            &self.db(),
            "UPDATE operations SET version = ?2, doc = ?3 WHERE id = ?1 AND version = ?4",
            params![next.id, next.version as i64, to_doc(&next)?, op.version as i64],
        )
        .map_err(backend("update operation"))?;
        if n == 0 { Err(conflict("operation")) } else { Ok(()) }
    }
}
