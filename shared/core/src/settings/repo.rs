//! The settings repository: small string values by key.

use async_trait::async_trait;

use crate::ports::PortResult;

/// The settings key of the MSP's time zone (read by settings and schedules).
pub const TIME_ZONE: &str = "time_zone";

#[async_trait]
pub trait SettingsRepo: Send + Sync {
    async fn get_setting(&self, key: &str) -> PortResult<Option<String>>;
    async fn put_setting(&self, key: &str, value: &str) -> PortResult<()>;
}
