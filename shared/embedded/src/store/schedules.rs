//! [`ScheduleRepo`] on SQLite: due jobs from the partial index on
//! `next_due_at`, and a Missed run recorded with its job in one transaction.

use async_trait::async_trait;
use bc_core::model::{Job, Run};
use bc_core::ports::PortResult;
use bc_core::schedules::repo::ScheduleRepo;
use chrono::{DateTime, Utc};
use rusqlite::params;

use super::SqliteStore;
use crate::sql::{backend, to_doc, ts};

#[async_trait]
impl ScheduleRepo for SqliteStore {
    async fn due_jobs(&self, now: DateTime<Utc>, limit: usize) -> PortResult<Vec<Job>> {
        Self::docs(
            &self.db(),
            "SELECT doc FROM jobs WHERE next_due_at IS NOT NULL AND next_due_at <= ?1
             ORDER BY next_due_at, id LIMIT ?2",
            &[&ts(now), &(limit.max(1) as i64)],
        )
    }

    async fn record_missed(&self, run: &Run, job: &Job) -> PortResult<bool> {
        let mut db = self.db();
        let tx = db.transaction().map_err(backend("begin"))?;
        let inserted = Self::exec(
            &tx,
            "INSERT OR IGNORE INTO runs (id, job_id, sort_at, unreviewed, status, received_at, version, doc,
                                         reviewed_at, reviewed_by, customer_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, NULL, NULL, ?9)",
            params![
                run.id,
                run.job_id,
                ts(run.sort_at()),
                run.review.is_none().then_some(1),
                run.status.as_str(),
                ts(run.received_at),
                run.version as i64,
                to_doc(run)?,
                run.customer_id
            ],
        )
        .map_err(backend("insert missed run"))?;
        if inserted == 0 {
            return Ok(false);
        }
        Self::write_job(&tx, job)?;
        tx.commit().map_err(backend("commit"))?;
        Ok(true)
    }
}
