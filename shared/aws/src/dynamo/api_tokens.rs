//! [`ApiTokenRepo`]: tokens by id (the id is part of the token, so a
//! request needs one GetItem), listed newest first from GSI1.

use async_trait::async_trait;
use bc_core::auth::repo::ApiTokenRepo;
use bc_core::model::ApiToken;
use bc_core::ports::{PortError, PortResult};
use chrono::{DateTime, Utc};

use super::items::{Record, s, to_item, to_item_with_version};
use super::schema::{API_TOKENS, Index, PK};
use super::{Cond, DynamoStore, Query, SERVICE, decode_all};
use crate::error::backend;

#[async_trait]
impl ApiTokenRepo for DynamoStore {
    async fn insert_api_token(&self, t: &ApiToken) -> PortResult<()> {
        if self.put(to_item(t)?, Some(Cond::Absent), "PutItem (insert_api_token)").await? {
            Ok(())
        } else {
            Err(PortError::Conflict(format!("token {} already exists", t.id)))
        }
    }

    async fn get_api_token(&self, id: &str) -> PortResult<Option<ApiToken>> {
        self.get_record(id, "GetItem (get_api_token)").await
    }

    async fn update_api_token(&self, t: &ApiToken) -> PortResult<()> {
        let item = to_item_with_version(t, t.version + 1)?;
        self.put_versioned(item, t.version, &format!("token {}", t.id), "PutItem (update_api_token)").await
    }

    async fn list_api_tokens(&self) -> PortResult<Vec<ApiToken>> {
        let q = Query::new(Index::Gsi1, API_TOKENS).newest_first();
        decode_all(self.query_all(&q, "Query (list_api_tokens)").await?)
    }

    async fn touch_api_token(&self, id: &str, at: DateTime<Utc>) -> PortResult<()> {
        self.count();
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(ApiToken::key_of(id)))
            .update_expression("SET #used = :at")
            .condition_expression("attribute_exists(#pk)")
            .expression_attribute_names("#used", "last_used_at")
            .expression_attribute_names("#pk", PK)
            .expression_attribute_values(":at", s(at.to_rfc3339()))
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(e) if e.as_service_error().is_some_and(|x| x.is_conditional_check_failed_exception()) => Ok(()),
            Err(e) => Err(backend(SERVICE, "UpdateItem (touch_api_token)", e)),
        }
    }
}
