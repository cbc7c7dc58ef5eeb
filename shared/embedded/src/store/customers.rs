//! [`CustomerRepo`] on SQLite: the name key column is unique.

use async_trait::async_trait;
use bc_core::customers::repo::CustomerRepo;
use bc_core::model::Customer;
use bc_core::ports::{PortError, PortResult};
use rusqlite::params;

use super::{SqliteStore, conflict};
use crate::sql::{backend, is_unique_violation, to_doc};

#[async_trait]
impl CustomerRepo for SqliteStore {
    async fn insert_customer(&self, c: &Customer) -> PortResult<()> {
        Self::exec(
            &self.db(),
            "INSERT INTO customers (id, name_key, version, doc) VALUES (?1, ?2, ?3, ?4)",
            params![c.id, c.name.to_lowercase(), c.version as i64, to_doc(c)?],
        )
        .map_err(|e| {
            if is_unique_violation(&e) {
                PortError::Conflict("customer exists".into())
            } else {
                backend("insert customer")(e)
            }
        })?;
        Ok(())
    }

    async fn get_customer(&self, id: &str) -> PortResult<Option<Customer>> {
        Self::doc(&self.db(), "SELECT doc FROM customers WHERE id = ?1", id)
    }

    async fn update_customer(&self, c: &Customer) -> PortResult<()> {
        let mut next = c.clone();
        next.version += 1;
        let n = Self::exec(
            &self.db(),
            "UPDATE customers SET name_key = ?2, version = ?3, doc = ?4 WHERE id = ?1 AND version = ?5",
            params![next.id, next.name.to_lowercase(), next.version as i64, to_doc(&next)?, c.version as i64],
        )
        .map_err(|e| {
            if is_unique_violation(&e) {
                PortError::Conflict("name taken".into())
            } else {
                backend("update customer")(e)
            }
        })?;
        if n == 0 { Err(conflict("customer")) } else { Ok(()) }
    }

    async fn list_customers(&self) -> PortResult<Vec<Customer>> {
        Self::docs(&self.db(), "SELECT doc FROM customers ORDER BY name_key", &[])
    }
}
