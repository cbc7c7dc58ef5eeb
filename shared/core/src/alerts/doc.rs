//! The stored alert configuration and this process's copy of it. A leaf:
//! the [`crate::app::App`] holds the cache.

use bc_api_types::{self as api, ChannelKind};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::url;

/// How long a process trusts its copy of the alert configuration: a run
/// recorded costs no settings read for its alerts. A change made on another
/// instance (another Lambda) reaches this one within this time.
pub const ALERTS_TTL: std::time::Duration = std::time::Duration::from_secs(60);

/// The alert configuration as last read by this process.
#[derive(Default)]
pub struct AlertsCache(pub(crate) tokio::sync::RwLock<Option<(std::time::Instant, std::sync::Arc<AlertsDoc>)>>);

/// A channel as stored: with its URL and signing secret.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredChannel {
    pub id: String,
    pub name: String,
    pub kind: ChannelKind,
    #[serde(default)]
    pub recipients: Vec<String>,
    #[serde(default)]
    pub url: Option<String>,
    /// Generic webhooks: the HMAC-SHA256 key of `X-Backupchecks-Signature`.
    #[serde(default)]
    pub signing_secret: Option<String>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

impl StoredChannel {
    pub fn view(&self) -> api::AlertChannel {
        api::AlertChannel {
            id: self.id.clone(),
            name: self.name.clone(),
            kind: self.kind,
            recipients: self.recipients.clone(),
            url_hint: self.url.as_deref().map(url::hint),
            created_by: self.created_by.clone(),
            created_at: self.created_at,
        }
    }
}

/// The stored alert configuration.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct AlertsDoc {
    #[serde(default)]
    pub channels: Vec<StoredChannel>,
    #[serde(default)]
    pub rules: Vec<api::AlertRule>,
    #[serde(default)]
    pub mutes: api::AlertMutes,
    #[serde(default)]
    pub digest: api::DigestSettings,
}

impl AlertsDoc {
    pub fn view(&self) -> api::AlertsConfig {
        api::AlertsConfig {
            channels: self.channels.iter().map(StoredChannel::view).collect(),
            rules: self.rules.clone(),
            mutes: self.mutes.clone(),
            digest: self.digest.clone(),
        }
    }

    pub fn channel(&self, id: &str) -> Option<&StoredChannel> {
        self.channels.iter().find(|c| c.id == id)
    }

    pub fn muted(&self, job_id: &str, customer_id: &str) -> bool {
        self.mutes.job_ids.iter().any(|j| j == job_id) || self.mutes.customer_ids.iter().any(|c| c == customer_id)
    }
}
