//! The backup platform adapters (issue 17) behind
//! [`bc_core::platforms::port::PlatformConnector`]: [`veeam`] (Veeam Backup &
//! Replication REST, v12 and later) and [`cove`] (N-able Cove JSON-RPC), on
//! reqwest with rustls. `../shared/docs/platform-apis.md` (beside the
//! project) is the contract both follow.
//!
//! Transport rules: HTTPS with the public roots; a Veeam server with a
//! self-signed certificate is trusted only by its pinned SHA-256
//! fingerprint (never "accept any"); plain `http://` only to a loopback
//! address and only when the runtime allows loopback integrations (tests,
//! local trials against `fake-platforms`).

pub mod cove;
mod http;
mod pin;
pub mod veeam;

use async_trait::async_trait;
use bc_api_types::PlatformKind;
use bc_core::platforms::port::{Connection, PlatformConnector, PlatformResult, PlatformSessionApi};

/// The connector a runtime plugs into the core.
#[derive(Debug, Default, Clone)]
pub struct HttpPlatforms;

impl HttpPlatforms {
    pub fn new() -> Self {
        HttpPlatforms
    }
}

#[async_trait]
impl PlatformConnector for HttpPlatforms {
    async fn connect(&self, c: &Connection) -> PlatformResult<Box<dyn PlatformSessionApi>> {
        match c.kind {
            PlatformKind::VeeamVbr => Ok(Box::new(veeam::VeeamSession::connect(c).await?)),
            PlatformKind::Cove => Ok(Box::new(cove::CoveSession::connect(c).await?)),
        }
    }
}
