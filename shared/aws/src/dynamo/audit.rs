//! [`AuditRepo`]: one item per entry, written with BatchWriteItem (a
//! redelivered entry with the same id overwrites itself, so it is kept
//! once); listed newest first from GSI1 (every entry, one partition: audit
//! writes follow people's actions, far below a partition's limit) or GSI2
//! (one entity's). Retention is DynamoDB's TTL on `expires_at`.

use async_trait::async_trait;
use bc_core::audit::repo::{AuditFilter, AuditRepo};
use bc_core::model::{AuditRecord, Page};
use bc_core::ports::PortResult;
use chrono::{DateTime, Utc};

use super::items::{entity_audit_pk, s, to_item};
use super::schema::{AUDIT, Index, key_time};
use super::{DynamoStore, Filter, Query, Range, decode_all};

#[async_trait]
impl AuditRepo for DynamoStore {
    async fn append_audit(&self, entries: &[AuditRecord]) -> PortResult<()> {
        let items = entries.iter().map(to_item).collect::<PortResult<Vec<_>>>()?;
        self.batch_put(items, "BatchWriteItem (append_audit)").await
    }

    async fn list_audit(&self, f: &AuditFilter, cursor: Option<&str>, limit: usize) -> PortResult<Page<AuditRecord>> {
        let mut q = match &f.entity {
            Some((t, id)) => Query::new(Index::Gsi2, entity_audit_pk(t, id)),
            None => Query::new(Index::Gsi1, AUDIT),
        }
        .newest_first();
        if f.from.is_some() || f.until.is_some() {
            let lo = f.from.map(key_time).unwrap_or_default();
            // `until` is exclusive: `time#id` of that very instant sorts above it.
            let hi = f.until.map(key_time).unwrap_or_else(|| "~".to_string());
            q = q.range(Range::Between(lo, hi));
        }
        let mut filter = Filter::default();
        for (i, (attr, value)) in
            [("entity_type", &f.entity_type), ("actor", &f.actor), ("action", &f.action)].into_iter().enumerate()
        {
            if let Some(v) = value {
                let (n, val) = (format!("#f{i}"), format!(":f{i}"));
                filter = filter.and(&format!("{n} = {val}"), &[(&n, attr)], &[(&val, s(v.clone()))]);
            }
        }
        let q = q.filter(filter);
        let (items, next_cursor) = self.query_page(&q, cursor, limit, "Query (list_audit)").await?;
        Ok(Page { items: decode_all(items)?, next_cursor })
    }

    /// DynamoDB's TTL removes entries past `expires_at`; nothing to do here.
    async fn purge_audit_before(&self, _now: DateTime<Utc>) -> PortResult<u64> {
        Ok(0)
    }
}
