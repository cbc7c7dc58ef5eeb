//! The platform port: what the core asks of a backup platform's API. One
//! adapter per platform (`shared/platforms`: Veeam B&R REST, N-able Cove
//! JSON-RPC) behind [`PlatformConnector`]. A session keeps its own token
//! (Veeam) or visa (Cove) and renews it when it expires mid-sync.

use async_trait::async_trait;
use bc_api_types::{LastBackupStatus, ObjectType, PlatformKind, ReportObject, Sizes, Status};
use chrono::{DateTime, FixedOffset, Utc};

/// Where and how to reach a platform (credentials included: never logged).
#[derive(Clone)]
pub struct Connection {
    pub kind: PlatformKind,
    /// Veeam: `https://host:port`; Cove: the JSON-RPC URL.
    pub base_url: String,
    /// A pinned SHA-256 certificate fingerprint (lowercase hex, no colons).
    pub cert_sha256: Option<String>,
    pub partner: Option<String>,
    pub username: String,
    pub password: String,
    /// Plain `http://` to a loopback address is allowed (tests and local trials only).
    pub allow_plain_loopback: bool,
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field("kind", &self.kind)
            .field("base_url", &self.base_url)
            .field("cert_sha256", &self.cert_sha256)
            .field("partner", &self.partner)
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

/// Why a call to a platform failed, for a person.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PlatformError {
    #[error("the platform refused the credentials: {0}")]
    Auth(String),
    #[error("the platform cannot be reached: {0}")]
    Unreachable(String),
    #[error("the platform's certificate is not the trusted one: {0}")]
    Certificate(String),
    #[error("the platform is busy or unavailable ({0}); the sync will retry")]
    Unavailable(String),
    #[error("the platform has no such item: {0}")]
    NotFound(String),
    #[error("the platform's API does not offer this: {0}")]
    Unsupported(String),
    #[error("the platform answered something unexpected: {0}")]
    Protocol(String),
}

impl PlatformError {
    /// Worth retrying later (the task queue backs off).
    pub fn is_transient(&self) -> bool {
        matches!(self, PlatformError::Unreachable(_) | PlatformError::Unavailable(_))
    }
}

pub type PlatformResult<T> = std::result::Result<T, PlatformError>;

/// A job as the platform lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct PlatformJob {
    pub external_id: String,
    pub name: String,
    /// The type as we name it (`Backup`, `Backup Copy`, `Replica`, `Agent Backup`, ...).
    pub job_type: String,
    /// The type as the platform sent it, when we do not know it (imported as-is).
    pub unknown_type: Option<String>,
    /// Cove: the device's customer name.
    pub customer_hint: Option<String>,
}

/// One session (run) of a job.
#[derive(Debug, Clone, PartialEq)]
pub struct PlatformSession {
    pub id: String,
    pub job_external_id: String,
    pub job_name: String,
    pub started_at: DateTime<FixedOffset>,
    /// `None` while it runs.
    pub ended_at: Option<DateTime<FixedOffset>>,
    /// `None` while it runs.
    pub status: Option<Status>,
    pub messages: Vec<String>,
    pub sizes: Sizes,
    /// Per-object results when the listing carries them (Cove); Veeam's come from [`PlatformSession::task_sessions`].
    pub objects: Option<Vec<ReportObject>>,
}

/// A page of sessions; `next` is the skip of the next page.
#[derive(Debug, Clone, Default)]
pub struct SessionPage {
    pub items: Vec<PlatformSession>,
    /// Items the platform sent that we could not read (id or position, and why).
    pub malformed: Vec<String>,
    pub next: Option<u64>,
}

/// A protected object (VM, agent, device) with its last backup.
#[derive(Debug, Clone, PartialEq)]
pub struct PlatformObject {
    pub external_id: String,
    pub name: String,
    pub object_type: ObjectType,
    pub hostname: Option<String>,
    pub job_external_id: Option<String>,
    pub last_status: Option<LastBackupStatus>,
    pub last_backup_at: Option<DateTime<Utc>>,
    pub last_success_at: Option<DateTime<Utc>>,
}

/// What asking the platform to run a job again did.
#[derive(Debug, Clone, PartialEq)]
pub enum StartOutcome {
    /// Veeam `POST /jobs/{id}/start`: the session it created.
    Started { session_id: Option<String> },
    /// Veeam `POST /jobs/{id}/retry` (API 1.3 and later).
    Retried { session_id: Option<String> },
    /// The platform has no such call (Cove): the next session brings the result.
    NotOffered,
}

/// A signed-in conversation with one platform.
#[async_trait]
pub trait PlatformSessionApi: Send {
    /// Veeam: the API revision in use.
    fn api_version(&self) -> Option<String>;
    async fn list_jobs(&mut self) -> PlatformResult<Vec<PlatformJob>>;
    /// Sessions created after `since` (all when `None`), oldest first, one page from `skip`.
    async fn sessions_page(&mut self, since: Option<DateTime<Utc>>, skip: u64) -> PlatformResult<SessionPage>;
    /// Per-object results of a session (empty when the API revision has none).
    async fn task_sessions(&mut self, session: &PlatformSession) -> PlatformResult<Vec<ReportObject>>;
    async fn backup_objects(&mut self) -> PlatformResult<Vec<PlatformObject>>;
    async fn start_job(&mut self, external_id: &str) -> PlatformResult<StartOutcome>;
}

#[async_trait]
pub trait PlatformConnector: Send + Sync {
    /// Signs in (this is also "Test connection").
    async fn connect(&self, c: &Connection) -> PlatformResult<Box<dyn PlatformSessionApi>>;
}
