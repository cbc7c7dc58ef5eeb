//! The run repository: a job's runs, the unreviewed ones (from an index
//! that holds only them, so Run Checks costs O(unreviewed), not
//! O(history)), and the one atomic write that turns a mail into a run.

use async_trait::async_trait;
use bc_api_types::Status;
use chrono::{DateTime, Utc};

use crate::model::{Job, Mail, Page, Run};
use crate::ports::PortResult;

/// The atomic write that turns a mail into a run: insert the run (only if
/// absent), write the job (only if its version is unchanged) and write the
/// mail (likewise). All or nothing.
#[derive(Debug, Clone)]
pub struct RecordRun<'a> {
    pub run: &'a Run,
    pub job: &'a Job,
    pub mail: &'a Mail,
}

/// What Run Checks needs of one job's unreviewed runs without reading them
/// all: how many of each status, and the newest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnreviewedJob {
    pub job_id: String,
    pub success: u32,
    pub warning: u32,
    pub failed: u32,
    pub missed: u32,
    pub newest: DateTime<Utc>,
    /// The oldest unreviewed run's `sort_at`.
    pub oldest: DateTime<Utc>,
}

/// Which reviewed runs the admin's Reviewed view lists: reviewed in
/// `[from, until)`, optionally by one reviewer, of one customer, with one
/// (shown) status.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewedFilter {
    pub from: DateTime<Utc>,
    pub until: DateTime<Utc>,
    pub reviewer: Option<String>,
    pub customer_id: Option<String>,
    pub status: Option<Status>,
}

/// How many runs one reviewer reviewed on one day (UTC).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ReviewCount {
    /// `YYYY-MM-DD`.
    pub day: String,
    pub by: String,
    pub runs: u32,
}

impl UnreviewedJob {
    pub fn runs(&self) -> u32 {
        self.success + self.warning + self.failed + self.missed
    }

    pub fn worst(&self) -> Status {
        if self.failed > 0 {
            Status::Failed
        } else if self.missed > 0 {
            Status::Missed
        } else if self.warning > 0 {
            Status::Warning
        } else {
            Status::Success
        }
    }
}

/// One batch of the re-index of reviewed runs ([`RunRepo::reindex_reviewed_runs`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReindexBatch {
    /// Runs looked at in this batch.
    pub examined: usize,
    /// Reviewed runs written again because their stored index keys were
    /// older than their review (no Reviewed-view key).
    pub rewritten: usize,
    /// Where the next batch goes on; `None` when every run was seen.
    pub next_cursor: Option<String>,
}

#[async_trait]
pub trait RunRepo: Send + Sync {
    /// See [`RecordRun`]. `Ok(false)` if the run already exists (nothing written);
    /// `Conflict` if the job or mail version moved on.
    async fn record_run(&self, write: RecordRun<'_>) -> PortResult<bool>;
    async fn get_run(&self, id: &str) -> PortResult<Option<Run>>;
    /// Removes a run; `Ok(false)` if there was none.
    async fn delete_run(&self, id: &str) -> PortResult<bool>;
    /// Versioned write (review and unreview).
    async fn update_run(&self, run: &Run) -> PortResult<()>;
    /// Versioned writes of many runs, batched (one SQLite transaction;
    /// parallel conditional puts on DynamoDB, the runs being independent).
    /// For each run, whether it was written: `false` when its version moved
    /// on (the caller re-reads it).
    async fn update_runs(&self, runs: &[Run]) -> PortResult<Vec<bool>>;
    /// A job's runs, newest first by [`Run::sort_at`].
    async fn list_runs(&self, job_id: &str, cursor: Option<&str>, limit: usize) -> PortResult<Page<Run>>;
    /// Unreviewed runs, of one job or of all, by job id and then oldest
    /// first by `sort_at` (then id), a page at a time. Served from an index that holds only
    /// unreviewed runs. A cursor stays valid when the runs before it are
    /// reviewed meanwhile (bulk review pages through this way).
    async fn list_unreviewed_runs(
        &self,
        job_id: Option<&str>,
        cursor: Option<&str>,
        limit: usize,
    ) -> PortResult<Page<Run>>;
    /// Per job with unreviewed runs, their counts by status.
    async fn unreviewed_by_job(&self) -> PortResult<Vec<UnreviewedJob>>;
    /// Reviewed runs, newest review first (then id), a page at a time.
    async fn list_reviewed_runs(
        &self,
        filter: &ReviewedFilter,
        cursor: Option<&str>,
        limit: usize,
    ) -> PortResult<Page<Run>>;
    /// Runs reviewed in `[from, until)`, counted per UTC day and reviewer.
    async fn review_counts(&self, from: DateTime<Utc>, until: DateTime<Utc>) -> PortResult<Vec<ReviewCount>>;
    /// Maintenance after an index was added: goes through every run, about
    /// `limit` a batch, and writes again (versioned) each reviewed run whose
    /// stored item lacks the Reviewed view's index key, so it derives it.
    /// Safe to rerun and to resume from any cursor it returned. A store
    /// whose migration already indexed every run returns an empty last batch.
    async fn reindex_reviewed_runs(&self, cursor: Option<&str>, limit: usize) -> PortResult<ReindexBatch>;
}
