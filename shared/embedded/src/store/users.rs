//! [`UserRepo`] on SQLite: the username key column is unique.

use async_trait::async_trait;
use bc_core::model::User;
use bc_core::ports::{PortError, PortResult};
use bc_core::users::repo::UserRepo;
use rusqlite::params;

use super::{SqliteStore, conflict};
use crate::sql::{backend, is_unique_violation, to_doc};

#[async_trait]
impl UserRepo for SqliteStore {
    async fn insert_user(&self, u: &User) -> PortResult<()> {
        Self::exec(
            &self.db(),
            "INSERT INTO users (id, username_key, version, doc) VALUES (?1, ?2, ?3, ?4)",
            params![u.id, u.username.to_lowercase(), u.version as i64, to_doc(u)?],
        )
        .map_err(|e| {
            if is_unique_violation(&e) { PortError::Conflict("user exists".into()) } else { backend("insert user")(e) }
        })?;
        Ok(())
    }

    async fn get_user(&self, id: &str) -> PortResult<Option<User>> {
        Self::doc(&self.db(), "SELECT doc FROM users WHERE id = ?1", id)
    }

    async fn get_user_by_username(&self, username: &str) -> PortResult<Option<User>> {
        Self::doc(&self.db(), "SELECT doc FROM users WHERE username_key = ?1", &username.to_lowercase())
    }

    async fn update_user(&self, u: &User) -> PortResult<()> {
        let mut next = u.clone();
        next.version += 1;
        let n = Self::exec(
            &self.db(),
            "UPDATE users SET username_key = ?2, version = ?3, doc = ?4 WHERE id = ?1 AND version = ?5",
            params![next.id, next.username.to_lowercase(), next.version as i64, to_doc(&next)?, u.version as i64],
        )
        .map_err(|e| {
            if is_unique_violation(&e) {
                PortError::Conflict("username taken".into())
            } else {
                backend("update user")(e)
            }
        })?;
        if n == 0 { Err(conflict("user")) } else { Ok(()) }
    }

    async fn list_users(&self) -> PortResult<Vec<User>> {
        Self::docs(&self.db(), "SELECT doc FROM users ORDER BY username_key", &[])
    }
}
