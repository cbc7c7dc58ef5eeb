//! [`OverrideRepo`]: one item per override, listed by number from GSI1.

use async_trait::async_trait;
use aws_sdk_dynamodb::types::ReturnValue;
use bc_core::model::Override;
use bc_core::ports::{PortError, PortResult};
use bc_core::review::overrides::repo::OverrideRepo;

use super::items::{Record, to_item, to_item_with_version};
use super::schema::{Index, OVERRIDES};
use super::{Cond, DynamoStore, Query, SERVICE, decode_all};
use crate::error::backend;

#[async_trait]
impl OverrideRepo for DynamoStore {
    async fn insert_override(&self, o: &Override) -> PortResult<()> {
        if self.put(to_item(o)?, Some(Cond::Absent), "PutItem (insert_override)").await? {
            Ok(())
        } else {
            Err(PortError::Conflict(format!("override {} already exists", o.id)))
        }
    }

    async fn get_override(&self, id: &str) -> PortResult<Option<Override>> {
        self.get_record(id, "GetItem (get_override)").await
    }

    async fn update_override(&self, o: &Override) -> PortResult<()> {
        let item = to_item_with_version(o, o.version + 1)?;
        self.put_versioned(item, o.version, &format!("override {}", o.id), "PutItem (update_override)").await
    }

    async fn delete_override(&self, id: &str) -> PortResult<bool> {
        self.count();
        let out = self
            .client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(Override::key_of(id)))
            .return_values(ReturnValue::AllOld)
            .send()
            .await
            .map_err(|e| backend(SERVICE, "DeleteItem (delete_override)", e))?;
        Ok(out.attributes().is_some_and(|a| !a.is_empty()))
    }

    async fn list_overrides(&self) -> PortResult<Vec<Override>> {
        let q = Query::new(Index::Gsi1, OVERRIDES);
        decode_all(self.query_all(&q, "Query (list_overrides)").await?)
    }
}
