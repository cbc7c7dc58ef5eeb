//! [`AuditRepo`] on SQLite: insert-only (a trigger refuses updates), newest
//! first, per entity or filtered.

use async_trait::async_trait;
use bc_core::audit::repo::{AuditFilter, AuditRepo};
use bc_core::model::{AuditRecord, Page};
use bc_core::ports::PortResult;
use chrono::{DateTime, Utc};
use rusqlite::params;

use super::SqliteStore;
use crate::sql::{backend, decode_cursor, keyset_page, to_doc, ts};

#[async_trait]
impl AuditRepo for SqliteStore {
    async fn append_audit(&self, entries: &[AuditRecord]) -> PortResult<()> {
        let mut db = self.db();
        let tx = db.transaction().map_err(backend("begin"))?;
        for e in entries {
            Self::exec(
                &tx,
                "INSERT OR IGNORE INTO audit (id, at, actor, entity_type, entity_id, action, expires_at, doc)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![e.id, ts(e.at), e.actor, e.entity_type, e.entity_id, e.action, ts(e.expires_at), to_doc(e)?],
            )
            .map_err(backend("append audit"))?;
        }
        tx.commit().map_err(backend("commit"))
    }

    async fn list_audit(&self, f: &AuditFilter, cursor: Option<&str>, limit: usize) -> PortResult<Page<AuditRecord>> {
        let after = decode_cursor(cursor, 2)?;
        let (at, id) = match &after {
            Some(p) => (p[0].clone(), p[1].clone()),
            None => ("9999".to_string(), String::new()),
        };
        let (etype, eid) = f.entity.clone().unwrap_or_default();
        let limit = limit.max(1);
        let items: Vec<AuditRecord> = Self::docs(
            &self.db(),
            "SELECT doc FROM audit
              WHERE (?1 = '' OR (entity_type = ?1 AND entity_id = ?2))
                AND (?3 = '' OR entity_type = ?3)
                AND (?4 = '' OR actor = ?4)
                AND (?5 = '' OR action = ?5)
                AND (?6 = '' OR at >= ?6)
                AND (?7 = '' OR at < ?7)
                AND (at < ?8 OR (at = ?8 AND (?9 = '' OR id < ?9)))
              ORDER BY at DESC, id DESC LIMIT ?10",
            &[
                &etype,
                &eid,
                &f.entity_type.clone().unwrap_or_default(),
                &f.actor.clone().unwrap_or_default(),
                &f.action.clone().unwrap_or_default(),
                &f.from.map(ts).unwrap_or_default(),
                &f.until.map(ts).unwrap_or_default(),
                &at,
                &id,
                &((limit + 1) as i64),
            ],
        )?;
        Ok(keyset_page(items, limit, |e| vec![ts(e.at), e.id.clone()]))
    }

    async fn purge_audit_before(&self, now: DateTime<Utc>) -> PortResult<u64> {
        let n = Self::exec(&self.db(), "DELETE FROM audit WHERE expires_at < ?1", [ts(now)])
            .map_err(backend("purge audit"))?;
        Ok(n as u64)
    }
}
