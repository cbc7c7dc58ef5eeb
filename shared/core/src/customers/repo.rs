//! The customer repository: names unique without regard to case.

use async_trait::async_trait;

use crate::model::Customer;
use crate::ports::PortResult;

#[async_trait]
pub trait CustomerRepo: Send + Sync {
    /// `Conflict` if the id exists or the name (case-insensitive) is taken.
    async fn insert_customer(&self, customer: &Customer) -> PortResult<()>;
    async fn get_customer(&self, id: &str) -> PortResult<Option<Customer>>;
    /// Versioned write; `Conflict` also when a rename hits a taken name.
    async fn update_customer(&self, customer: &Customer) -> PortResult<()>;
    /// All customers, by name.
    async fn list_customers(&self) -> PortResult<Vec<Customer>>;
}
