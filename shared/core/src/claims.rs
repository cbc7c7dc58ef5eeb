//! Claim-once: every outbound side effect (a mail, an alert, a PSA call, an
//! engine nonce) first claims its key, and only the caller that took the
//! claim acts. Check-then-act-then-mark can act twice under redelivery;
//! claim-first cannot. A claim lasts until it expires (a conditional put
//! with an expiry on DynamoDB, a unique row locally).

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::ports::PortResult;

#[async_trait]
pub trait ClaimRepo: Send + Sync {
    /// Takes `key` until `expires_at` if nobody holds it (or the last
    /// claim expired before `now`). Exactly one of many concurrent callers
    /// gets `true`.
    async fn claim(&self, key: &str, now: DateTime<Utc>, expires_at: DateTime<Utc>) -> PortResult<bool>;
    /// Gives a claim back after the side effect surely did not happen, so
    /// a retry may take it again.
    async fn release_claim(&self, key: &str) -> PortResult<()>;
}
