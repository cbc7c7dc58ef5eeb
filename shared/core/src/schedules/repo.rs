//! The schedule repository: the jobs that are due (from an index ordered by
//! next-due time, never a scan of all jobs) and the one atomic write that
//! records a Missed run.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::model::{Job, Run};
use crate::ports::PortResult;

#[async_trait]
pub trait ScheduleRepo: Send + Sync {
    /// Jobs whose next expected run is due at or before `now`
    /// (`Job::schedule.next.due_at`), earliest due first, at most `limit`.
    async fn due_jobs(&self, now: DateTime<Utc>, limit: usize) -> PortResult<Vec<Job>>;
    /// Inserts a Missed run (only if absent) and writes its job (only if the
    /// job's version is unchanged), all or nothing. `Ok(false)` if the run
    /// exists (nothing written); `Conflict` if the job moved on.
    async fn record_missed(&self, run: &Run, job: &Job) -> PortResult<bool>;
}
