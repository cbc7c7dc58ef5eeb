//! [`BackupRepo`] on SQLite: the `backup_docs` table; updates guarded by
//! `version`, the sweep's due list from the partial `due_at` index.

use async_trait::async_trait;
use bc_core::backup::repo::{BackupDoc, BackupKind, BackupRepo, ProtectionCounts};
use bc_core::ports::{PortError, PortResult};
use chrono::{DateTime, Utc};
use rusqlite::{Connection, params};

use super::{SqliteStore, conflict};
use crate::sql::{backend, is_unique_violation, ts};

const COLUMNS: &str = "kind, id, parent, due_at, version, doc";

/// A protected object's breach time (`ProtectedObject::breach_at`) as a Julian day.
const BREACH_AT: &str =
    "(julianday(COALESCE(json_extract(doc, '$.last_success_at'), json_extract(doc, '$.created_at')))
     + json_extract(doc, '$.rpo_hours') / 24.0)";

fn rows(conn: &Connection, sql: &str, args: &[&dyn rusqlite::ToSql]) -> PortResult<Vec<BackupDoc>> {
    let mut stmt = conn.prepare_cached(sql).map_err(backend("prepare"))?;
    let raw = stmt
        .query_map(args, |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, i64>(4)?,
                r.get::<_, String>(5)?,
            ))
        })
        .map_err(backend("query backup docs"))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(backend("read backup docs"))?;
    raw.into_iter()
        .map(|(kind, id, parent, due, version, body)| {
            let kind =
                BackupKind::parse(&kind).ok_or_else(|| PortError::Backend(format!("unknown backup kind {kind}")))?;
            let due_at = due
                .map(|d| d.parse::<DateTime<Utc>>().map_err(|e| PortError::Backend(format!("bad due_at {d}: {e}"))))
                .transpose()?;
            Ok(BackupDoc { kind, id, parent, due_at, version: version as u64, body })
        })
        .collect()
}

#[async_trait]
impl BackupRepo for SqliteStore {
    async fn insert_backup_doc(&self, d: &BackupDoc) -> PortResult<bool> {
        let r = Self::exec(
            &self.db(),
            "INSERT INTO backup_docs (kind, id, parent, due_at, version, doc) VALUES (?1, ?2, ?3, ?4, 0, ?5)",
            params![d.kind.as_str(), d.id, d.parent, d.due_at.map(ts), d.body],
        );
        match r {
            Ok(_) => Ok(true),
            Err(e) if is_unique_violation(&e) => Ok(false),
            Err(e) => Err(backend("insert backup doc")(e)),
        }
    }

    async fn update_backup_doc(&self, d: &BackupDoc) -> PortResult<()> {
        let n = Self::exec(
            &self.db(),
            "UPDATE backup_docs SET parent = ?3, due_at = ?4, version = ?5, doc = ?6
                 WHERE kind = ?1 AND id = ?2 AND version = ?7",
            params![
                d.kind.as_str(),
                d.id,
                d.parent,
                d.due_at.map(ts),
                (d.version + 1) as i64,
                d.body,
                d.version as i64
            ],
        )
        .map_err(backend("update backup doc"))?;
        if n == 0 { Err(conflict(d.kind.as_str())) } else { Ok(()) }
    }

    async fn update_backup_doc_claiming(
        &self,
        d: &BackupDoc,
        claim_key: &str,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> PortResult<bool> {
        let mut db = self.db();
        let tx = db.transaction().map_err(backend("begin"))?;
        let claimed = Self::exec(
            &tx,
            "INSERT INTO claims (key, expires_at) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET expires_at = excluded.expires_at WHERE claims.expires_at < ?3",
            params![claim_key, ts(expires_at), ts(now)],
        )
        .map_err(backend("claim"))?;
        if claimed == 0 {
            return Ok(false);
        }
        let n = Self::exec(
            &tx,
            "UPDATE backup_docs SET parent = ?3, due_at = ?4, version = ?5, doc = ?6
                 WHERE kind = ?1 AND id = ?2 AND version = ?7",
            params![
                d.kind.as_str(),
                d.id,
                d.parent,
                d.due_at.map(ts),
                (d.version + 1) as i64,
                d.body,
                d.version as i64
            ],
        )
        .map_err(backend("update backup doc"))?;
        if n == 0 {
            // Dropping the transaction rolls the claim back.
            return Err(conflict(d.kind.as_str()));
        }
        tx.commit().map_err(backend("commit"))?;
        Ok(true)
    }

    async fn put_backup_doc(&self, d: &BackupDoc) -> PortResult<()> {
        Self::exec(
            &self.db(),
            "INSERT INTO backup_docs (kind, id, parent, due_at, version, doc) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (kind, id) DO UPDATE SET parent = excluded.parent, due_at = excluded.due_at,
                 version = excluded.version, doc = excluded.doc",
            params![d.kind.as_str(), d.id, d.parent, d.due_at.map(ts), d.version as i64, d.body],
        )
        .map_err(backend("put backup doc"))?;
        Ok(())
    }

    async fn get_backup_doc(&self, kind: BackupKind, id: &str) -> PortResult<Option<BackupDoc>> {
        let sql = format!("SELECT {COLUMNS} FROM backup_docs WHERE kind = ?1 AND id = ?2");
        Ok(rows(&self.db(), &sql, &[&kind.as_str(), &id])?.pop())
    }

    async fn delete_backup_doc(&self, kind: BackupKind, id: &str) -> PortResult<bool> {
        let n =
            Self::exec(&self.db(), "DELETE FROM backup_docs WHERE kind = ?1 AND id = ?2", params![kind.as_str(), id])
                .map_err(backend("delete backup doc"))?;
        Ok(n > 0)
    }

    /// Counted in SQL over the documents (no decoding in Rust).
    async fn protection_counts(&self, now: DateTime<Utc>) -> PortResult<ProtectionCounts> {
        let sql = format!(
            "SELECT COUNT(*),
                    COALESCE(SUM(json_extract(doc, '$.last_status') = 'failed'), 0),
                    COALESCE(SUM({BREACH_AT} < julianday(?1)), 0)
             FROM backup_docs WHERE kind = 'object'"
        );
        let db = self.db();
        let mut stmt = db.prepare_cached(&sql).map_err(backend("prepare"))?;
        let (total, failed, breaching) = stmt
            .query_row([ts(now)], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?, r.get::<_, i64>(2)?)))
            .map_err(backend("count protected objects"))?;
        Ok(ProtectionCounts { total: total as u64, failed: failed as u64, breaching: breaching as u64 })
    }

    async fn uncovered_host_count(&self) -> PortResult<u64> {
        let db = self.db();
        let mut stmt = db
            .prepare_cached(
                // NOT IN: SQLite builds the covered set once (an ephemeral index), not per host.
                "SELECT COUNT(*) FROM backup_docs WHERE kind = 'host' AND id NOT IN (
                     SELECT json_extract(doc, '$.host_id') FROM backup_docs
                      WHERE kind = 'assignment' AND json_extract(doc, '$.state') = 'active'
                        AND json_extract(doc, '$.host_id') IS NOT NULL)",
            )
            .map_err(backend("prepare"))?;
        let n: i64 = stmt.query_row([], |r| r.get(0)).map_err(backend("count uncovered hosts"))?;
        Ok(n as u64)
    }

    async fn breaching_objects(&self, now: DateTime<Utc>, limit: usize) -> PortResult<Vec<BackupDoc>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM backup_docs WHERE kind = 'object' AND {BREACH_AT} < julianday(?1)
             ORDER BY {BREACH_AT}, id LIMIT ?2"
        );
        rows(&self.db(), &sql, &[&ts(now), &(limit as i64)])
    }

    async fn failed_native_objects(&self, limit: usize) -> PortResult<Vec<BackupDoc>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM backup_docs WHERE kind = 'object'
               AND json_extract(doc, '$.last_status') = 'failed' AND json_extract(doc, '$.source.kind') = 'native'
             ORDER BY json_extract(doc, '$.last_backup_at') DESC, id LIMIT ?1"
        );
        rows(&self.db(), &sql, &[&(limit as i64)])
    }

    async fn list_backup_docs(&self, kind: BackupKind) -> PortResult<Vec<BackupDoc>> {
        let sql = format!("SELECT {COLUMNS} FROM backup_docs WHERE kind = ?1 ORDER BY id");
        rows(&self.db(), &sql, &[&kind.as_str()])
    }

    async fn backup_children(&self, kind: BackupKind, parent: &str) -> PortResult<Vec<BackupDoc>> {
        let sql = format!("SELECT {COLUMNS} FROM backup_docs WHERE kind = ?1 AND parent = ?2 ORDER BY id");
        rows(&self.db(), &sql, &[&kind.as_str(), &parent])
    }

    async fn backup_docs_due(&self, kind: BackupKind, at: DateTime<Utc>, limit: usize) -> PortResult<Vec<BackupDoc>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM backup_docs WHERE kind = ?1 AND due_at IS NOT NULL AND due_at <= ?2
             ORDER BY due_at, id LIMIT ?3"
        );
        rows(&self.db(), &sql, &[&kind.as_str(), &ts(at), &(limit as i64)])
    }
}
