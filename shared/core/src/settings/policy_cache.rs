//! The intake policy of one process (trusted verdict sources, the hold
//! switch), kept for [`POLICY_TTL`] so a mail does not cost two settings
//! reads; see `intake_policy` for how it is read and changed.

use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long a process trusts its copy of the intake policy.
pub const POLICY_TTL: Duration = Duration::from_secs(60);

#[derive(Debug, Clone, PartialEq)]
pub struct IntakePolicy {
    /// Lowercase authserv-ids.
    pub trusted: Vec<String>,
    pub hold_failed_authentication: bool,
}

#[derive(Default)]
pub struct PolicyCache(pub(crate) tokio::sync::RwLock<Option<(Instant, Arc<IntakePolicy>)>>);
