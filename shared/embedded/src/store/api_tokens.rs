//! [`ApiTokenRepo`] on SQLite.

use async_trait::async_trait;
use bc_core::auth::repo::ApiTokenRepo;
use bc_core::model::ApiToken;
use bc_core::ports::{PortError, PortResult};
use chrono::{DateTime, Utc};
use rusqlite::params;

use super::{SqliteStore, conflict};
use crate::sql::{backend, is_unique_violation, to_doc, ts};

#[async_trait]
impl ApiTokenRepo for SqliteStore {
    async fn insert_api_token(&self, t: &ApiToken) -> PortResult<()> {
        Self::exec(
            &self.db(),
            "INSERT INTO api_tokens (id, created_at, version, doc) VALUES (?1, ?2, ?3, ?4)",
            params![t.id, ts(t.created_at), t.version as i64, to_doc(t)?],
        )
        .map_err(|e| {
            if is_unique_violation(&e) {
                PortError::Conflict("token exists".into())
            } else {
                backend("insert token")(e)
            }
        })?;
        Ok(())
    }

    async fn get_api_token(&self, id: &str) -> PortResult<Option<ApiToken>> {
        Self::doc(&self.db(), "SELECT doc FROM api_tokens WHERE id = ?1", id)
    }

    async fn update_api_token(&self, t: &ApiToken) -> PortResult<()> {
        let mut next = t.clone();
        next.version += 1;
        let n = Self::exec(
            &self.db(),
            "UPDATE api_tokens SET version = ?2, doc = ?3 WHERE id = ?1 AND version = ?4",
            params![next.id, next.version as i64, to_doc(&next)?, t.version as i64],
        )
        .map_err(backend("update token"))?;
        if n == 0 { Err(conflict("token")) } else { Ok(()) }
    }

    async fn list_api_tokens(&self) -> PortResult<Vec<ApiToken>> {
        Self::docs(&self.db(), "SELECT doc FROM api_tokens ORDER BY created_at DESC, id DESC", &[])
    }

    async fn touch_api_token(&self, id: &str, at: DateTime<Utc>) -> PortResult<()> {
        Self::exec(
            &self.db(),
            "UPDATE api_tokens SET doc = json_set(doc, '$.last_used_at', ?2) WHERE id = ?1",
            params![id, at.to_rfc3339()],
        )
        .map_err(backend("touch token"))?;
        Ok(())
    }
}
