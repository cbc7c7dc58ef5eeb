//! The settings repository: small string values by key.

use async_trait::async_trait;

use crate::ports::PortResult;

#[async_trait]
pub trait SettingsRepo: Send + Sync {
    async fn get_setting(&self, key: &str) -> PortResult<Option<String>>;
    async fn put_setting(&self, key: &str, value: &str) -> PortResult<()>;
}
