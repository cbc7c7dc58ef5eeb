//! [`ScheduleRepo`]: due jobs from GSI3's sparse `JOBS#DUE` list (sort key:
//! next due time, then job id), and a Missed run recorded with its job in
//! one transaction.

use async_trait::async_trait;
use bc_core::model::{Job, Run};
use bc_core::ports::PortResult;
use bc_core::schedules::repo::ScheduleRepo;
use chrono::{DateTime, Utc};

use super::items::{to_item, to_item_with_version};
use super::schema::{Index, JOBS_DUE, key_time};
use super::{Cond, DynamoStore, Query, Range, Tx, decode_all, version_conflict};

#[async_trait]
impl ScheduleRepo for DynamoStore {
    async fn due_jobs(&self, now: DateTime<Utc>, limit: usize) -> PortResult<Vec<Job>> {
        // `~` sorts after `#`: every job due at `now` itself is included.
        let q = Query::new(Index::Gsi3, JOBS_DUE).range(Range::Below(format!("{}~", key_time(now))));
        let (items, _) = self.query_page(&q, None, limit.max(1), "Query (due_jobs)").await?;
        decode_all(items)
    }

    async fn record_missed(&self, run: &Run, job: &Job) -> PortResult<bool> {
        let op = "TransactWriteItems (record_missed)";
        let actions = vec![
            self.tx_put(to_item(run)?, Some(Cond::Absent), op)?,
            self.tx_put(to_item_with_version(job, job.version + 1)?, Some(Cond::Version(job.version)), op)?,
        ];
        match self.transact(actions, op).await? {
            Tx::Written => Ok(true),
            Tx::Cancelled(codes) if Tx::failed(&codes, 0) => Ok(false),
            Tx::Cancelled(codes) if Tx::failed(&codes, 1) => {
                Err(version_conflict(&format!("job {}", job.id), job.version))
            }
            Tx::Cancelled(codes) => Err(Tx::other(op, &codes)),
        }
    }
}
