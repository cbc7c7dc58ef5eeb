//! The operation repository: bulk work that runs in the worker batch by
//! batch, with its progress.

use async_trait::async_trait;

use crate::model::Operation;
use crate::ports::PortResult;

#[async_trait]
pub trait OperationRepo: Send + Sync {
    /// `Conflict` if the id exists.
    async fn insert_operation(&self, op: &Operation) -> PortResult<()>;
    async fn get_operation(&self, id: &str) -> PortResult<Option<Operation>>;
    /// Versioned write.
    async fn update_operation(&self, op: &Operation) -> PortResult<()>;
}
