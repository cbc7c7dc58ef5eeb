//! Remarks and tickets: the entities and their repositories. A job's
//! active remarks and open tickets are few, so Run Checks reads all of them
//! in one call (from an index that holds only them) instead of per job.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ports::PortResult;

/// Text about a job, written on one of its runs; active until resolved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Remark {
    pub id: String,
    pub job_id: String,
    pub run_id: Option<String>,
    pub text: String,
    pub author_id: String,
    pub author: String,
    pub created_at: DateTime<Utc>,
    pub edited_at: Option<DateTime<Utc>>,
    pub edited_by: Option<String>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub resolved_by: Option<String>,
    pub version: u64,
}

impl Remark {
    pub fn active(&self) -> bool {
        self.resolved_at.is_none()
    }
}

/// A ticket number in an outside system, created for one run; open until
/// resolved. A run has at most one open ticket.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ticket {
    pub id: String,
    pub job_id: String,
    pub run_id: String,
    pub number: String,
    pub url: Option<String>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub resolved_by: Option<String>,
    /// The Autotask side (`psa`), for tickets of the integration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub psa: Option<bc_api_types::PsaTicketLink>,
    pub version: u64,
}

impl Ticket {
    pub fn open(&self) -> bool {
        self.resolved_at.is_none()
    }
}

#[async_trait]
pub trait RemarkRepo: Send + Sync {
    /// `Conflict` if the id exists.
    async fn insert_remark(&self, remark: &Remark) -> PortResult<()>;
    async fn get_remark(&self, id: &str) -> PortResult<Option<Remark>>;
    /// Versioned write (edit, resolve, move to another job).
    async fn update_remark(&self, remark: &Remark) -> PortResult<()>;
    /// Removes a remark (with its job); `Ok(false)` if there was none.
    async fn delete_remark(&self, id: &str) -> PortResult<bool>;
    /// A job's remarks, resolved ones included, newest first, at most `limit`.
    async fn list_job_remarks(&self, job_id: &str, limit: usize) -> PortResult<Vec<Remark>>;
    /// Active remarks, of one job or of all, by job id and then newest first.
    async fn list_active_remarks(&self, job_id: Option<&str>) -> PortResult<Vec<Remark>>;
}

#[async_trait]
pub trait TicketRepo: Send + Sync {
    /// Atomically: `Conflict` if the id exists or the run has an open ticket.
    async fn insert_ticket(&self, ticket: &Ticket) -> PortResult<()>;
    async fn get_ticket(&self, id: &str) -> PortResult<Option<Ticket>>;
    /// Versioned write. Writing a ticket resolved frees its run for a new
    /// open ticket (the caller only resolves open tickets).
    async fn update_ticket(&self, ticket: &Ticket) -> PortResult<()>;
    /// Deletes the ticket if its version is unchanged (`Conflict` if not);
    /// an open one frees its run.
    async fn delete_ticket(&self, ticket: &Ticket) -> PortResult<()>;
    /// A job's tickets, resolved ones included, newest first, at most `limit`.
    async fn list_job_tickets(&self, job_id: &str, limit: usize) -> PortResult<Vec<Ticket>>;
    /// Open tickets, of one job or of all, by job id and then newest first.
    async fn list_open_tickets(&self, job_id: Option<&str>) -> PortResult<Vec<Ticket>>;
}
