//! The infrastructure ports: blobs, the task queue, outgoing mail, secrets
//! and the clock, and the error every adapter reports. The repositories are
//! ports too; each lives with its area (`inbox::repo`, `review::repo`, ...)
//! and [`crate::store::Store`] gathers them. `bc-embedded` implements them on
//! SQLite and files, `bc-aws` on DynamoDB, S3, SQS and SES v2; the
//! conformance suite in `tests/` holds both to the same contract.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

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
    /// Up to `max` dead letters, oldest first where the queue knows the
    /// order. Listing does not take them out.
    async fn dead_letters(&self, max: usize) -> PortResult<Vec<Delivery>>;
    /// Puts the dead letter `id` back on the queue as a fresh message
    /// (receive count reset). `false` if there is no such dead letter.
    async fn redrive(&self, id: &str) -> PortResult<bool>;
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
    /// Credentials of backup platforms (Veeam B&R, Cove).
    Platforms,
}

impl SecretName {
    pub const ALL: [SecretName; 3] = [SecretName::Autotask, SecretName::Storage, SecretName::Platforms];

    pub fn as_str(self) -> &'static str {
        match self {
            SecretName::Autotask => "autotask",
            SecretName::Storage => "storage",
            SecretName::Platforms => "platforms",
        }
    }
}

impl std::str::FromStr for SecretName {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        SecretName::ALL
            .into_iter()
            .find(|n| n.as_str() == s)
            .ok_or_else(|| format!("unknown secret {s:?} (autotask, storage, platforms)"))
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
