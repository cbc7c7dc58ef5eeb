//! The audit repository: append-only. There is no update path, and the only
//! delete is retention (DynamoDB's TTL on AWS, the scheduler locally).

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::model::{AuditRecord, Page};
use crate::ports::PortResult;

/// Filters of the audit list; all optional, combined with AND.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AuditFilter {
    /// One entity: its type and id.
    pub entity: Option<(String, String)>,
    pub entity_type: Option<String>,
    pub actor: Option<String>,
    pub action: Option<String>,
    /// At or after.
    pub from: Option<DateTime<Utc>>,
    /// Before.
    pub until: Option<DateTime<Utc>>,
}

#[async_trait]
pub trait AuditRepo: Send + Sync {
    /// Appends entries; an id that exists already is left as it is (a
    /// redelivered task records nothing twice).
    async fn append_audit(&self, entries: &[AuditRecord]) -> PortResult<()>;
    /// Newest first.
    async fn list_audit(
        &self,
        filter: &AuditFilter,
        cursor: Option<&str>,
        limit: usize,
    ) -> PortResult<Page<AuditRecord>>;
    /// Retention: removes entries whose `expires_at` is before `now`; returns how many.
    /// (On DynamoDB the items carry a TTL instead and this returns 0.)
    async fn purge_audit_before(&self, now: DateTime<Utc>) -> PortResult<u64>;
}
