//! [`JobRepo`] on SQLite: jobs by name, filtered.

use async_trait::async_trait;
use bc_core::jobs::repo::{JobFilter, JobRepo};
use bc_core::model::{Job, Page};
use bc_core::ports::PortResult;
use rusqlite::params;

use super::SqliteStore;
use crate::sql::{backend, decode_cursor, keyset_page, to_doc, ts};

#[async_trait]
impl JobRepo for SqliteStore {
    async fn insert_job(&self, job: &Job) -> PortResult<bool> {
        let n = Self::exec(
            &self.db(),
            "INSERT OR IGNORE INTO jobs (id, customer_id, name_key, software, last_status, version, doc, next_due_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                job.id,
                job.customer_id,
                job.job_name.to_lowercase(),
                job.software,
                job.last_run.as_ref().map(|l| l.status.as_str()),
                job.version as i64,
                to_doc(job)?,
                job.schedule.next_due_at().map(ts)
            ],
        )
        .map_err(backend("insert job"))?;
        Ok(n == 1)
    }

    async fn get_job(&self, id: &str) -> PortResult<Option<Job>> {
        Self::doc(&self.db(), "SELECT doc FROM jobs WHERE id = ?1", id)
    }

    async fn get_jobs(&self, ids: &[String]) -> PortResult<Vec<Job>> {
        let db = self.db();
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(j) = Self::doc(&db, "SELECT doc FROM jobs WHERE id = ?1", id)? {
                out.push(j);
            }
        }
        Ok(out)
    }

    async fn update_job(&self, job: &Job) -> PortResult<()> {
        let mut db = self.db();
        let tx = db.transaction().map_err(backend("begin"))?;
        Self::write_job(&tx, job)?;
        tx.commit().map_err(backend("commit"))
    }

    async fn delete_job(&self, id: &str) -> PortResult<bool> {
        let n = Self::exec(&self.db(), "DELETE FROM jobs WHERE id = ?1", params![id]).map_err(backend("delete job"))?;
        Ok(n > 0)
    }

    async fn list_jobs(&self, f: &JobFilter, cursor: Option<&str>, limit: usize) -> PortResult<Page<Job>> {
        let after = decode_cursor(cursor, 2)?;
        let (name, id) = match &after {
            Some(p) => (p[0].clone(), p[1].clone()),
            None => (String::new(), String::new()),
        };
        let search = f.search.as_ref().map(|s| s.to_lowercase()).unwrap_or_default();
        let limit = limit.max(1);
        let items: Vec<Job> = Self::docs(
            &self.db(),
            "SELECT doc FROM jobs
             WHERE (?1 = '' OR customer_id = ?1)
               AND (?2 = '' OR software = ?2)
               AND (?3 = '' OR last_status = ?3)
               AND (?4 = '' OR instr(name_key, ?4) > 0
                    OR lower(json_extract(doc, '$.source.external_id')) = ?4
                    OR lower(json_extract(doc, '$.source.policy_id')) = ?4)
               AND json_extract(doc, '$.lifecycle.merged_into') IS NULL
               AND (?8 = '' OR (json_extract(doc, '$.lifecycle.archived') IS NOT NULL) = (?8 = 'archived'))
               AND (?9 = '' OR COALESCE(json_extract(doc, '$.source.kind'), 'mail') = ?9)
               AND (?10 = '' OR json_extract(doc, '$.job_type') = ?10)
               AND (?11 = '' OR json_extract(doc, '$.last_run.at') >= ?11)
               AND (?12 = '' OR json_extract(doc, '$.last_run.at') < ?12)
               AND (name_key > ?5 OR (name_key = ?5 AND id > ?6))
             ORDER BY name_key, id LIMIT ?7",
            &[
                &f.customer_id.clone().unwrap_or_default(),
                &f.software.clone().unwrap_or_default(),
                &f.last_status.map(|s| s.as_str()).unwrap_or(""),
                &search,
                &name,
                &id,
                &((limit + 1) as i64),
                &match f.archived {
                    None => "",
                    Some(true) => "archived",
                    Some(false) => "active",
                },
                &f.source.map(|k| k.as_str()).unwrap_or(""),
                &f.job_type.clone().unwrap_or_default(),
                &f.last_run_from.map(rfc3339).unwrap_or_default(),
                &f.last_run_to.map(rfc3339).unwrap_or_default(),
            ],
        )?;
        Ok(keyset_page(items, limit, |j| vec![j.job_name.to_lowercase(), j.id.clone()]))
    }
}

/// The form serde writes a `DateTime<Utc>` in (so JSON text compares in time order).
fn rfc3339(t: chrono::DateTime<chrono::Utc>) -> String {
    serde_json::to_value(t).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
}
