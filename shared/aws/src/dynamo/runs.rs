//! [`RunRepo`]: runs by id, a job's runs newest first (GSI1), Run Checks
//! from the sparse GSI3 that holds only unreviewed runs, and `record_run`,
//! the one transaction that turns a mail into a run.

use async_trait::async_trait;
use bc_core::model::{Page, Run};
use bc_core::ports::{PortError, PortResult, RecordRun, RunRepo};

use super::items::{job_runs_pk, to_item, to_item_with_version};
use super::schema::{Index, UNREVIEWED};
use super::{Cond, DynamoStore, Query, Range, Tx, decode_all, version_conflict};

#[async_trait]
impl RunRepo for DynamoStore {
    async fn record_run(&self, write: RecordRun<'_>) -> PortResult<bool> {
        let op = "TransactWriteItems (record_run)";
        let RecordRun { run, job, mail } = write;
        let actions = vec![
            self.tx_put(to_item(run)?, Some(Cond::Absent), op)?,
            self.tx_put(to_item_with_version(job, job.version + 1)?, Some(Cond::Version(job.version)), op)?,
            self.tx_put(to_item_with_version(mail, mail.version + 1)?, Some(Cond::Version(mail.version)), op)?,
        ];
        match self.transact(actions, op).await? {
            Tx::Written => Ok(true),
            // Already recorded (a redelivered mail): nothing was written.
            Tx::Cancelled(codes) if Tx::failed(&codes, 0) => Ok(false),
            Tx::Cancelled(codes) if Tx::failed(&codes, 1) => {
                Err(version_conflict(&format!("job {}", job.id), job.version))
            }
            Tx::Cancelled(codes) if Tx::failed(&codes, 2) => {
                Err(version_conflict(&format!("mail {}", mail.id), mail.version))
            }
            Tx::Cancelled(codes) => Err(Tx::other(op, &codes)),
        }
    }

    async fn get_run(&self, id: &str) -> PortResult<Option<Run>> {
        self.get_record(id, "GetItem (get_run)").await
    }

    /// Writing the run re-derives its index attributes: a review drops it
    /// from the unreviewed index, an unreview puts it back.
    async fn update_run(&self, run: &Run) -> PortResult<()> {
        let item = to_item_with_version(run, run.version + 1)?;
        self.put_versioned(item, run.version, &format!("run {}", run.id), "PutItem (update_run)").await
    }

    async fn list_runs(&self, job_id: &str, cursor: Option<&str>, limit: usize) -> PortResult<Page<Run>> {
        let q = Query::new(Index::Gsi1, job_runs_pk(job_id)).newest_first();
        let (items, next_cursor) = self.query_page(&q, cursor, limit, "Query (list_runs)").await?;
        Ok(Page { items: decode_all(items)?, next_cursor })
    }

    /// Newest first (by `sort_at`, then id). Reads only the sparse index, so
    /// the cost follows the number of unreviewed runs.
    async fn list_unreviewed_runs(&self, job_id: Option<&str>) -> PortResult<Vec<Run>> {
        let mut q = Query::new(Index::Gsi3, UNREVIEWED);
        if let Some(job_id) = job_id {
            if job_id.contains('#') {
                return Err(PortError::Invalid(format!("invalid job id {job_id:?}")));
            }
            q = q.range(Range::Prefix(format!("{job_id}#")));
        }
        let runs: Vec<Run> = decode_all(self.query_all(&q, "Query (list_unreviewed_runs)").await?)?;
        // The index lags the table a little: trust the item.
        let mut runs: Vec<Run> = runs.into_iter().filter(|r| r.review.is_none()).collect();
        runs.sort_by(|a, b| b.sort_at().cmp(&a.sort_at()).then_with(|| b.id.cmp(&a.id)));
        Ok(runs)
    }
}
