//! The outbound-webhook port: how the core reaches a webhook receiver
//! (generic JSON, Slack, Teams). `bc-webhooks` implements it with a client
//! whose resolver refuses private, link-local and (unless allowed) loopback
//! addresses, so a webhook URL cannot reach inside the network it runs in.

use async_trait::async_trait;

use crate::ports::{PortError, PortResult};

#[async_trait]
pub trait WebhookSender: Send + Sync {
    /// Resolves the URL's host now and refuses it when any address it
    /// resolves to is private, link-local, unspecified or multicast (or
    /// loopback, unless `allow_loopback`). `Invalid` carries the reason.
    async fn check_destination(&self, url: &str, allow_loopback: bool) -> PortResult<()>;
    /// POSTs `body` as JSON with `headers`. `Ok(status)` for any HTTP answer;
    /// an error when the destination is refused or cannot be reached.
    async fn post_json(
        &self,
        url: &str,
        headers: &[(String, String)],
        body: &str,
        allow_loopback: bool,
    ) -> PortResult<u16>;
}

/// For runtimes without outbound HTTP: every webhook is refused.
pub struct NoWebhooks;

#[async_trait]
impl WebhookSender for NoWebhooks {
    async fn check_destination(&self, _url: &str, _allow_loopback: bool) -> PortResult<()> {
        Err(PortError::Invalid("this runtime sends no webhooks".into()))
    }
    async fn post_json(&self, _url: &str, _h: &[(String, String)], _b: &str, _l: bool) -> PortResult<u16> {
        Err(PortError::Backend("this runtime sends no webhooks".into()))
    }
}
