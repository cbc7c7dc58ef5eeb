//! The override repository. Overrides are few (hundreds at most), so the
//! whole list is read when runs are evaluated.

use async_trait::async_trait;

use crate::model::Override;
use crate::ports::PortResult;

#[async_trait]
pub trait OverrideRepo: Send + Sync {
    /// `Conflict` if the id exists. (Numbers come from an atomic counter.)
    async fn insert_override(&self, o: &Override) -> PortResult<()>;
    async fn get_override(&self, id: &str) -> PortResult<Option<Override>>;
    /// Versioned write (`Conflict` when the version moved on).
    async fn update_override(&self, o: &Override) -> PortResult<()>;
    /// Removes it; `false` if it was not there.
    async fn delete_override(&self, id: &str) -> PortResult<bool>;
    /// All overrides, by number.
    async fn list_overrides(&self) -> PortResult<Vec<Override>>;
}
