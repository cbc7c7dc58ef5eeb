//! [`ClaimRepo`]: a conditional PutItem that succeeds only when no claim
//! exists or the last one expired; DynamoDB's TTL clears old claims.

use async_trait::async_trait;
use aws_sdk_dynamodb::types::AttributeValue;
use bc_core::claims::ClaimRepo;
use bc_core::ports::PortResult;
use chrono::{DateTime, Utc};

use super::items::{CLAIM_EXPIRES, claim_key, n, s};
use super::schema::{ENTITY, ITEM_SCHEMA, PK, SCHEMA_VERSION, TTL};
use super::{DynamoStore, SERVICE};
use crate::error::backend;

#[async_trait]
impl ClaimRepo for DynamoStore {
    async fn claim(&self, key: &str, now: DateTime<Utc>, expires_at: DateTime<Utc>) -> PortResult<bool> {
        let mut item = claim_key(key);
        item.insert(ENTITY.into(), s("claim"));
        item.insert(ITEM_SCHEMA.into(), n(SCHEMA_VERSION));
        item.insert("key".into(), s(key));
        item.insert(CLAIM_EXPIRES.into(), n(expires_at.timestamp_millis()));
        item.insert(TTL.into(), n(expires_at.timestamp()));
        self.count();
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(#pk) OR #exp < :now")
            .expression_attribute_names("#pk", PK)
            .expression_attribute_names("#exp", CLAIM_EXPIRES)
            .expression_attribute_values(":now", AttributeValue::N(now.timestamp_millis().to_string()))
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(e) if e.as_service_error().is_some_and(|x| x.is_conditional_check_failed_exception()) => Ok(false),
            Err(e) => Err(backend(SERVICE, "PutItem (claim)", e)),
        }
    }

    async fn release_claim(&self, key: &str) -> PortResult<()> {
        self.delete(claim_key(key), "DeleteItem (release_claim)").await
    }
}
