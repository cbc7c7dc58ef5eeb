//! [`OperationRepo`]: one item per bulk operation, written by version.

use async_trait::async_trait;
use bc_core::model::Operation;
use bc_core::ports::{PortError, PortResult};
use bc_core::tasks::repo::OperationRepo;

use super::items::{to_item, to_item_with_version};
use super::{Cond, DynamoStore};

#[async_trait]
impl OperationRepo for DynamoStore {
    async fn insert_operation(&self, op: &Operation) -> PortResult<()> {
        if self.put(to_item(op)?, Some(Cond::Absent), "PutItem (insert_operation)").await? {
            Ok(())
        } else {
            Err(PortError::Conflict(format!("operation {} already exists", op.id)))
        }
    }

    async fn get_operation(&self, id: &str) -> PortResult<Option<Operation>> {
        self.get_record(id, "GetItem (get_operation)").await
    }

    async fn update_operation(&self, op: &Operation) -> PortResult<()> {
        let item = to_item_with_version(op, op.version + 1)?;
        self.put_versioned(item, op.version, &format!("operation {}", op.id), "PutItem (update_operation)").await
    }
}
