//! The job repository: approved jobs, by id and filtered by name.

use async_trait::async_trait;
use bc_api_types::Status;

use crate::model::{Job, Page};
use crate::ports::PortResult;

/// Filters of the job list; all optional, combined with AND.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct JobFilter {
    pub customer_id: Option<String>,
    /// Exact software name.
    pub software: Option<String>,
    /// Status of the last run.
    pub last_status: Option<Status>,
    /// Case-insensitive substring of job name, customer-independent; or a
    /// source job id whole (a platform's job id, a native policy's id).
    pub search: Option<String>,
    /// `Some(false)`: only jobs not archived; `Some(true)`: only archived
    /// ones; `None`: both. Aliases left by a merge are never listed.
    pub archived: Option<bool>,
    /// Where the runs come from (mail, native, platform).
    pub source: Option<bc_api_types::JobSourceKind>,
    /// Exact job type (as the reports or the platform name it).
    pub job_type: Option<String>,
    /// The last run at or after this instant.
    pub last_run_from: Option<chrono::DateTime<chrono::Utc>>,
    /// The last run before this instant.
    pub last_run_to: Option<chrono::DateTime<chrono::Utc>>,
}

#[async_trait]
pub trait JobRepo: Send + Sync {
    /// Inserts a job if no job with its id exists. `Ok(false)` if one does.
    async fn insert_job(&self, job: &Job) -> PortResult<bool>;
    async fn get_job(&self, id: &str) -> PortResult<Option<Job>>;
    /// Missing ids are left out.
    async fn get_jobs(&self, ids: &[String]) -> PortResult<Vec<Job>>;
    async fn update_job(&self, job: &Job) -> PortResult<()>;
    /// Removes the job record; `Ok(false)` if there was none. (Its runs,
    /// remarks and tickets are the caller's: see `jobs::lifecycle`.)
    async fn delete_job(&self, id: &str) -> PortResult<bool>;
    /// By job name (case-insensitive), then id.
    async fn list_jobs(&self, filter: &JobFilter, cursor: Option<&str>, limit: usize) -> PortResult<Page<Job>>;
}
