//! The PSA port: what the core asks of a PSA (Autotask in phase 1). The
//! adapter (`bc_autotask::AutotaskPsa`) speaks the REST API, composes the
//! ticket's subject and description by seed 003 §4.3/§5A, and keeps a run's
//! ticket unique in Autotask (it looks for the run's marker before it
//! creates, so a retry after a timeout finds the ticket it made).

use async_trait::async_trait;
use bc_api_types::{AutotaskReference, Status};
use chrono::{DateTime, Utc};

/// How to reach the tenant: from the Secrets port, never shown.
#[derive(Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PsaCredentials {
    pub username: String,
    pub secret: String,
    pub integration_code: String,
}

impl std::fmt::Debug for PsaCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PsaCredentials").field("username", &self.username).finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct PsaCompany {
    pub id: i64,
    pub name: String,
    pub active: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PsaObject {
    pub name: String,
    pub status: Status,
    pub message: Option<String>,
}

/// Everything a ticket of one run is made from.
#[derive(Debug, Clone, PartialEq)]
pub struct PsaTicketRequest {
    pub run_id: String,
    pub company_id: i64,
    pub customer_name: String,
    pub job_name: String,
    pub software: String,
    pub job_type: String,
    pub status: Status,
    pub run_at: DateTime<Utc>,
    /// The run-level summary, leading when present (§5A.2).
    pub overall_remark: Option<String>,
    pub objects: Vec<PsaObject>,
    /// The Backupchecks base URL (§7.3A); the description links the run's page under it.
    pub base_url: String,
    pub queue_id: i64,
    pub status_id: i64,
    pub priority_id: i64,
    pub source_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PsaTicket {
    pub id: i64,
    pub number: String,
    pub url: Option<String>,
    pub status: i64,
    pub status_label: Option<String>,
    pub closed: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum PsaTicketStatus {
    Exists(PsaTicket),
    /// The PSA no longer has it (deleted or out of reach).
    Deleted,
}

#[derive(Debug, Clone, PartialEq)]
pub enum PsaResolved {
    /// The closing note is on the ticket and it is Complete.
    Resolved,
    /// Time entries exist: the other note is on it, it stays open.
    LeftOpen {
        time_entries: u64,
    },
    AlreadyClosed,
    Deleted,
}

/// A PSA call's failure: whether retrying later can help, and the reason in
/// plain words.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct PsaError {
    pub transient: bool,
    pub message: String,
}

impl PsaError {
    pub fn permanent(message: impl Into<String>) -> Self {
        PsaError { transient: false, message: message.into() }
    }
}

pub type PsaResult<T> = Result<T, PsaError>;

#[async_trait]
pub trait Psa: Send + Sync {
    /// Zone discovery and one authenticated read; the findings in plain words.
    async fn test_connection(&self, creds: &PsaCredentials) -> PsaResult<Vec<String>>;
    /// Queues, sources, statuses and priorities.
    async fn reference_data(&self, creds: &PsaCredentials, now: DateTime<Utc>) -> PsaResult<AutotaskReference>;
    async fn search_companies(&self, creds: &PsaCredentials, text: &str) -> PsaResult<Vec<PsaCompany>>;
    /// `None` when the company is deleted or out of the API user's reach.
    async fn company(&self, creds: &PsaCredentials, id: i64) -> PsaResult<Option<PsaCompany>>;
    /// Creates the run's ticket, or returns the one a timed-out earlier
    /// attempt created (never two for one run).
    async fn create_ticket(&self, creds: &PsaCredentials, req: &PsaTicketRequest) -> PsaResult<PsaTicket>;
    async fn ticket(&self, creds: &PsaCredentials, id: i64) -> PsaResult<PsaTicketStatus>;
    async fn ticket_by_number(&self, creds: &PsaCredentials, number: &str) -> PsaResult<Option<PsaTicket>>;
    /// Resolve per seed §6 (the fixed notes; never closes a ticket with time entries).
    async fn resolve_ticket(&self, creds: &PsaCredentials, id: i64) -> PsaResult<PsaResolved>;
}
