//! The ports: what the use cases need from the outside world. `bc-embedded`
//! implements them on SQLite and files, `bc-aws` on DynamoDB, S3, SQS and
//! SES v2. The conformance suite in `tests/` holds both to the same contract.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::model::{Customer, Job, Mail, Page, Run, Session, User};
use bc_api_types::Status;

/// Errors every adapter reports in the same two shapes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PortError {
    /// A condition failed: the record exists, the version moved on, a unique
    /// name is taken. The message says which.
    #[error("{0}")]
    Conflict(String),
    /// The backend failed (I/O, network, throttling, corrupt data).
    #[error("{0}")]
    Backend(String),
    /// The caller passed something the adapter cannot use (a forged or
    /// stale pagination cursor).
    #[error("{0}")]
    Invalid(String),
}

pub type PortResult<T> = Result<T, PortError>;

/// Which mails a mail list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailView {
    /// State `inbox` or `received`, newest first.
    Inbox,
    /// State `deleted`, newest first.
    Deleted,
}

/// Filters of the job list; all optional, combined with AND.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct JobFilter {
    pub customer_id: Option<String>,
    /// Exact software name.
    pub software: Option<String>,
    /// Status of the last run.
    pub last_status: Option<Status>,
    /// Case-insensitive substring of job name, customer-independent.
    pub search: Option<String>,
}

/// The atomic write that turns a mail into a run: insert the run (only if
/// absent), write the job (only if its version is unchanged) and write the
/// mail (likewise). All or nothing.
#[derive(Debug, Clone)]
pub struct RecordRun<'a> {
    pub run: &'a Run,
    pub job: &'a Job,
    pub mail: &'a Mail,
}

#[async_trait]
pub trait MailRepo: Send + Sync {
    /// Inserts a mail if no mail with its id exists. `Ok(false)` if one does.
    async fn insert_mail(&self, mail: &Mail) -> PortResult<bool>;
    async fn get_mail(&self, id: &str) -> PortResult<Option<Mail>>;
    /// Writes the mail with `version + 1` if the stored version equals
    /// `mail.version`; `Conflict` otherwise.
    async fn update_mail(&self, mail: &Mail) -> PortResult<()>;
    /// Newest first, `limit` at most.
    async fn list_mails(&self, view: MailView, cursor: Option<&str>, limit: usize) -> PortResult<Page<Mail>>;
    /// Inbox mails (state `inbox`) whose parse names the given job identity.
    async fn inbox_mails_for_identity(&self, identity: &str) -> PortResult<Vec<Mail>>;
    /// Mails in state `received` received before `before` (stuck ingests),
    /// oldest first so none starves behind the limit.
    async fn received_mails_before(&self, before: DateTime<Utc>, limit: usize) -> PortResult<Vec<Mail>>;
}

#[async_trait]
pub trait CustomerRepo: Send + Sync {
    /// `Conflict` if the id exists or the name (case-insensitive) is taken.
    async fn insert_customer(&self, customer: &Customer) -> PortResult<()>;
    async fn get_customer(&self, id: &str) -> PortResult<Option<Customer>>;
    /// Versioned write; `Conflict` also when a rename hits a taken name.
    async fn update_customer(&self, customer: &Customer) -> PortResult<()>;
    /// All customers, by name.
    async fn list_customers(&self) -> PortResult<Vec<Customer>>;
}

#[async_trait]
pub trait JobRepo: Send + Sync {
    /// Inserts a job if no job with its id exists. `Ok(false)` if one does.
    async fn insert_job(&self, job: &Job) -> PortResult<bool>;
    async fn get_job(&self, id: &str) -> PortResult<Option<Job>>;
    /// Missing ids are left out.
    async fn get_jobs(&self, ids: &[String]) -> PortResult<Vec<Job>>;
    async fn update_job(&self, job: &Job) -> PortResult<()>;
    /// By job name (case-insensitive), then id.
    async fn list_jobs(&self, filter: &JobFilter, cursor: Option<&str>, limit: usize) -> PortResult<Page<Job>>;
}

#[async_trait]
pub trait RunRepo: Send + Sync {
    /// See [`RecordRun`]. `Ok(false)` if the run already exists (nothing written);
    /// `Conflict` if the job or mail version moved on.
    async fn record_run(&self, write: RecordRun<'_>) -> PortResult<bool>;
    async fn get_run(&self, id: &str) -> PortResult<Option<Run>>;
    /// Versioned write (review and unreview).
    async fn update_run(&self, run: &Run) -> PortResult<()>;
    /// A job's runs, newest first by [`Run::sort_at`].
    async fn list_runs(&self, job_id: &str, cursor: Option<&str>, limit: usize) -> PortResult<Page<Run>>;
    /// Unreviewed runs, of one job or of all. Served from an index that holds
    /// only unreviewed runs: the cost follows their number, not history.
    async fn list_unreviewed_runs(&self, job_id: Option<&str>) -> PortResult<Vec<Run>>;
}

#[async_trait]
pub trait UserRepo: Send + Sync {
    /// `Conflict` if the username (case-insensitive) is taken.
    async fn insert_user(&self, user: &User) -> PortResult<()>;
    async fn get_user(&self, id: &str) -> PortResult<Option<User>>;
    async fn get_user_by_username(&self, username: &str) -> PortResult<Option<User>>;
    async fn update_user(&self, user: &User) -> PortResult<()>;
    async fn list_users(&self) -> PortResult<Vec<User>>;
}

#[async_trait]
pub trait SessionRepo: Send + Sync {
    async fn insert_session(&self, session: &Session) -> PortResult<()>;
    async fn get_session(&self, token_hash: &str) -> PortResult<Option<Session>>;
    async fn delete_session(&self, token_hash: &str) -> PortResult<()>;
    /// Removes sessions that expired before `now` (DynamoDB's TTL does this
    /// on AWS; the embedded store needs the scheduler). Returns how many.
    async fn purge_expired_sessions(&self, now: DateTime<Utc>) -> PortResult<u64>;
}

/// Small counters in fixed time windows (login rate limiting).
#[async_trait]
pub trait CounterRepo: Send + Sync {
    /// Adds one to the counter `key` and returns the new value. The counter
    /// may be dropped after `expires_at`.
    async fn bump_counter(&self, key: &str, expires_at: DateTime<Utc>) -> PortResult<u64>;
    async fn get_counter(&self, key: &str) -> PortResult<u64>;
    async fn reset_counter(&self, key: &str) -> PortResult<()>;
}

#[async_trait]
pub trait SettingsRepo: Send + Sync {
    async fn get_setting(&self, key: &str) -> PortResult<Option<String>>;
    async fn put_setting(&self, key: &str, value: &str) -> PortResult<()>;
}

/// Everything the use cases keep state in.
pub trait Store:
    MailRepo + CustomerRepo + JobRepo + RunRepo + UserRepo + SessionRepo + CounterRepo + SettingsRepo
{
}

impl<T> Store for T where
    T: MailRepo + CustomerRepo + JobRepo + RunRepo + UserRepo + SessionRepo + CounterRepo + SettingsRepo
{
}

/// Raw mail, bodies, attachments and parsed reports.
#[async_trait]
pub trait Blobs: Send + Sync {
    async fn put(&self, key: &str, bytes: Vec<u8>, content_type: &str) -> PortResult<()>;
    async fn get(&self, key: &str) -> PortResult<Option<Vec<u8>>>;
    async fn delete(&self, key: &str) -> PortResult<()>;
}

/// One message taken from the queue; invisible to others until acked or
/// released.
#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    pub id: String,
    /// Handle for ack/release (SQS receipt handle).
    pub receipt: String,
    pub body: String,
    /// How many times this message has been received, this time included.
    pub attempts: u32,
}

/// A durable work queue with retries and a dead-letter queue.
#[async_trait]
pub trait Queue: Send + Sync {
    async fn send(&self, body: &str) -> PortResult<()>;
    /// Up to `max` visible messages; each stays invisible for the queue's
    /// visibility timeout unless acked or released.
    async fn receive(&self, max: usize) -> PortResult<Vec<Delivery>>;
    /// Done: delete it.
    async fn ack(&self, delivery: &Delivery) -> PortResult<()>;
    /// Failed: make it visible again after `delay_secs`. After the queue's
    /// maximum number of receives it goes to the dead-letter queue instead.
    async fn release(&self, delivery: &Delivery, delay_secs: u32) -> PortResult<()>;
    /// Messages in the dead-letter queue (for the operations view).
    async fn dead_letter_count(&self) -> PortResult<u64>;
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct OutboundMail {
    pub to: Vec<String>,
    pub subject: String,
    pub text: String,
    pub html: Option<String>,
}

/// Outgoing mail (SES v2 on AWS, an outbox folder locally).
#[async_trait]
pub trait Mailer: Send + Sync {
    /// Returns the provider's message id.
    async fn send(&self, mail: &OutboundMail) -> PortResult<String>;
}

/// Credentials of integrations, kept encrypted at rest (Secrets Manager with
/// the stack's KMS key on AWS; a key file and AES-256-GCM locally) and never
/// returned by the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SecretName {
    /// Autotask PSA API user, secret and tracking identifier.
    Autotask,
    /// Credentials of storage targets.
    Storage,
}

impl SecretName {
    pub const ALL: [SecretName; 2] = [SecretName::Autotask, SecretName::Storage];

    pub fn as_str(self) -> &'static str {
        match self {
            SecretName::Autotask => "autotask",
            SecretName::Storage => "storage",
        }
    }
}

impl std::str::FromStr for SecretName {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        SecretName::ALL
            .into_iter()
            .find(|n| n.as_str() == s)
            .ok_or_else(|| format!("unknown secret {s:?} (autotask, storage)"))
    }
}

#[async_trait]
pub trait Secrets: Send + Sync {
    /// The secret's value; `None` when it was never set (or is an empty
    /// placeholder).
    async fn get(&self, name: SecretName) -> PortResult<Option<String>>;
    async fn put(&self, name: SecretName, value: &str) -> PortResult<()>;
}

/// For runtimes without a secret store: nothing is set, nothing can be.
pub struct NoSecrets;

#[async_trait]
impl Secrets for NoSecrets {
    async fn get(&self, _name: SecretName) -> PortResult<Option<String>> {
        Ok(None)
    }
    async fn put(&self, name: SecretName, _value: &str) -> PortResult<()> {
        Err(PortError::Backend(format!("no secret store is configured for {:?}", name.as_str())))
    }
}

pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock tests can move.
pub struct ManualClock(std::sync::Mutex<DateTime<Utc>>);

impl ManualClock {
    pub fn new(at: DateTime<Utc>) -> Self {
        ManualClock(std::sync::Mutex::new(at))
    }
    pub fn set(&self, at: DateTime<Utc>) {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = at;
    }
    pub fn advance(&self, by: chrono::Duration) {
        let mut g = self.0.lock().unwrap_or_else(|p| p.into_inner());
        *g += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}
