//! The entities the stores keep. Every mutable entity carries a `version`
//! for optimistic concurrency: a store writes `version + 1` only if the
//! stored version still equals the one the caller read.

use bc_api_types::{MailState, Role, Sizes, Status};
use chrono::{DateTime, FixedOffset, Utc};
use serde::{Deserialize, Serialize};

/// A page of a list; `next_cursor` is opaque to everyone but the store.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    pub fn empty() -> Self {
        Page { items: Vec::new(), next_cursor: None }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredAttachment {
    pub filename: String,
    pub content_type: String,
    pub size: u64,
    /// Blob key of the attachment's bytes.
    pub key: String,
}

/// The parse outcome kept on a mail: enough for lists; the whole report
/// (objects included) is a blob at `Mail::report_key`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct ParseSummary {
    pub ok: bool,
    pub error: Option<String>,
    pub parser: Option<String>,
    pub software: Option<String>,
    pub job_type: Option<String>,
    pub job_name: Option<String>,
    pub status: Option<Status>,
    pub object_count: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Deletion {
    pub by: String,
    pub at: DateTime<Utc>,
}

/// One received report mail. The raw bytes stay in the blob store at
/// `raw_key`; everything else here can be rebuilt by re-parsing them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mail {
    pub id: String,
    /// `mid:{sender}:{message-id}` or `sha256:{hash of the raw bytes}`.
    pub dedupe_key: String,
    pub raw_key: String,
    pub received_at: DateTime<Utc>,
    pub sender: String,
    pub sender_name: Option<String>,
    pub recipients: Vec<String>,
    pub subject: String,
    pub date: Option<DateTime<FixedOffset>>,
    pub message_id: Option<String>,
    pub size: u64,
    pub text_key: Option<String>,
    pub html_key: Option<String>,
    pub attachments: Vec<StoredAttachment>,
    pub state: MailState,
    pub parse: ParseSummary,
    /// Blob key of the full parsed report (JSON of `api::Report`).
    pub report_key: Option<String>,
    /// The job identity the parse result names (normalised sender +
    /// software + job name), when parsed.
    pub identity: Option<String>,
    pub job_id: Option<String>,
    pub run_id: Option<String>,
    pub deleted: Option<Deletion>,
    /// SHA-256 of the raw bytes (absent on mails stored before it was kept).
    #[serde(default)]
    pub raw_sha256: Option<String>,
    /// Set when this mail reuses another mail's sender and Message-ID with
    /// other content: that mail's id. Such a mail is never processed by
    /// itself; it waits in the Inbox, flagged.
    #[serde(default)]
    pub conflict_of: Option<String>,
    /// When the raw mail's object was found gone: the mail retention (S3
    /// lifecycle on AWS) removed it. The record stays, but it is skipped by
    /// re-parse and cannot be approved.
    #[serde(default)]
    pub expired_at: Option<DateTime<Utc>>,
    /// Verification, hold and quarantine state of the mail's intake.
    #[serde(default)]
    pub intake: MailIntake,
    pub version: u64,
}

impl Mail {
    /// A mail as intake first stores it: received, not yet parsed, not
    /// linked to a job or run, no verdicts. Callers set what they know
    /// (sender name, recipients, subject, size, …) with struct update syntax.
    pub fn received(
        id: impl Into<String>,
        dedupe_key: impl Into<String>,
        raw_key: impl Into<String>,
        sender: impl Into<String>,
        received_at: DateTime<Utc>,
    ) -> Mail {
        Mail {
            id: id.into(),
            dedupe_key: dedupe_key.into(),
            raw_key: raw_key.into(),
            received_at,
            sender: sender.into(),
            sender_name: None,
            recipients: Vec::new(),
            subject: String::new(),
            date: None,
            message_id: None,
            size: 0,
            text_key: None,
            html_key: None,
            attachments: Vec::new(),
            state: MailState::Received,
            parse: ParseSummary::default(),
            report_key: None,
            identity: None,
            job_id: None,
            run_id: None,
            deleted: None,
            raw_sha256: None,
            conflict_of: None,
            expired_at: None,
            intake: MailIntake::default(),
            version: 0,
        }
    }
}

/// What intake learned about a mail beyond its content: the verdicts read
/// from the receiving server's headers, whether it was held from
/// auto-processing, its ingest attempts and its quarantine.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MailIntake {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verdicts: Option<bc_api_types::MailVerdicts>,
    /// Why the mail was held from becoming a run of its approved job.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub held: Option<String>,
    /// Ingest attempts (the first delivery, redeliveries, resumes).
    #[serde(default)]
    pub attempts: u32,
    /// The error of the last failed attempt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quarantine: Option<bc_api_types::QuarantineInfo>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Customer {
    pub id: String,
    pub name: String,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub job_count: u64,
    /// The Autotask company this customer maps to (seed 003 §3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub psa: Option<bc_api_types::CompanyLink>,
    pub version: u64,
}

/// A short view of a run kept on its job, for lists and filters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LastRun {
    pub run_id: String,
    pub at: DateTime<Utc>,
    pub status: Status,
}

/// An approved backup job: identified by normalised sender + software + job
/// name, assigned to one customer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Job {
    pub id: String,
    pub identity: String,
    pub customer_id: String,
    pub sender: String,
    pub software: String,
    pub job_type: String,
    pub job_name: String,
    pub parser: String,
    pub approved_at: DateTime<Utc>,
    pub approved_by: String,
    pub last_run: Option<LastRun>,
    pub run_count: u64,
    /// Renames, archiving and merges (see `jobs::lifecycle`).
    #[serde(default, skip_serializing_if = "JobLifecycle::is_default")]
    pub lifecycle: JobLifecycle,
    /// What the job is expected to do and when (see `schedules`).
    #[serde(default, skip_serializing_if = "JobSchedule::is_empty")]
    pub schedule: JobSchedule,
    /// Set on a job that checks in over a ping URL (`schedules::ping`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ping: Option<PingEndpoint>,
    /// Mail (default), a native policy or a platform (`jobs::external`).
    #[serde(default, skip_serializing_if = "bc_api_types::JobSource::is_mail")]
    pub source: bc_api_types::JobSource,
    pub version: u64,
}

/// A job's ping URL: the token in it, and what the pings told so far.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PingEndpoint {
    /// 32 random bytes, base64url; the URL is `{base}/ping/{token}`.
    pub token: String,
    pub created_at: DateTime<Utc>,
    /// A `/start` ping not yet followed by a result: the next run's start.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_ping_at: Option<DateTime<Utc>>,
}

/// What happened to a job after its approval. A merged job stays as an
/// alias: its identity keeps routing mails, to the job it was merged into.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct JobLifecycle {
    /// The name the reports give, once the job was renamed (`job_name`
    /// is then the name people chose).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original_name: Option<String>,
    /// Archived: out of Run Checks; later runs are kept but raise nothing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub archived: Option<Deletion>,
    /// Set on an alias: the job this one was merged into.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merged_into: Option<String>,
    /// On a kept job: the aliases merged into it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub merged_from: Vec<String>,
}

impl JobLifecycle {
    pub fn is_default(&self) -> bool {
        *self == JobLifecycle::default()
    }
}

impl Job {
    /// A job people see in lists: not an alias left by a merge.
    pub fn is_alias(&self) -> bool {
        self.lifecycle.merged_into.is_some()
    }
    pub fn is_archived(&self) -> bool {
        self.lifecycle.archived.is_some()
    }
}

/// A job's schedule state, kept on the job so ingest relearns and the
/// scheduler decides without reading the run history.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct JobSchedule {
    /// Start instants (epoch seconds) of the latest runs, ascending, at
    /// most `schedules::HISTORY`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub starts: Vec<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub learned: Option<bc_api_types::LearnedSchedule>,
    /// Set by an operator; overrides `learned`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explicit: Option<bc_api_types::ScheduleSpec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grace_minutes: Option<u32>,
    /// The next expected run; its `due_at` is the job's key in the due index.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<bc_api_types::Expectation>,
    /// The latest Missed runs, so a late report finds its day without a read.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub missed: Vec<MissedMark>,
}

impl JobSchedule {
    pub fn is_empty(&self) -> bool {
        *self == JobSchedule::default()
    }

    /// The instant the scheduler must look at the job (the due index key).
    pub fn next_due_at(&self) -> Option<DateTime<Utc>> {
        self.next.as_ref().map(|n| n.due_at)
    }
}

/// A Missed run the scheduler created, remembered on its job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MissedMark {
    pub run_id: String,
    /// The expected start it stands for.
    pub at: DateTime<Utc>,
    pub day: chrono::NaiveDate,
    /// The report came after all (and was attached).
    #[serde(default)]
    pub late: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Review {
    pub by: String,
    pub at: DateTime<Utc>,
}

/// One execution of a job, made from one mail.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Run {
    pub id: String,
    pub job_id: String,
    pub customer_id: String,
    pub mail_id: String,
    pub status: Status,
    pub started_at: Option<DateTime<Utc>>,
    pub ended_at: Option<DateTime<Utc>>,
    pub received_at: DateTime<Utc>,
    pub duration_secs: Option<u64>,
    pub sizes: Sizes,
    pub object_count: u32,
    pub message: Option<String>,
    /// Blob key of the full parsed report.
    pub report_key: Option<String>,
    pub review: Option<Review>,
    /// Set when overrides changed `status` (which is what the run shows):
    /// the report's own status and which overrides applied.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overridden: Option<bc_api_types::RunOverride>,
    /// Made while its job was archived: kept in the job's history, never
    /// in Run Checks (not even after the job is unarchived).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub while_archived: bool,
    /// On a Missed run: its report arrived after all, as this run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub late: Option<bc_api_types::LateArrival>,
    pub version: u64,
}

impl Run {
    /// A run of a job with its identity, status and arrival set and nothing
    /// else: no times, sizes, objects, message, mail, report, review or
    /// override. Callers set the rest with struct update syntax.
    pub fn new(
        id: impl Into<String>,
        job_id: impl Into<String>,
        customer_id: impl Into<String>,
        status: Status,
        received_at: DateTime<Utc>,
    ) -> Run {
        Run {
            id: id.into(),
            job_id: job_id.into(),
            customer_id: customer_id.into(),
            mail_id: String::new(),
            status,
            started_at: None,
            ended_at: None,
            received_at,
            duration_secs: None,
            sizes: Sizes::default(),
            object_count: 0,
            message: None,
            report_key: None,
            review: None,
            overridden: None,
            while_archived: false,
            late: None,
            version: 0,
        }
    }

    /// The status the report gave, before any override.
    pub fn original_status(&self) -> Status {
        self.overridden.as_ref().map_or(self.status, |o| o.original_status)
    }

    /// The instant a run is ordered by: when it started, else when its mail came.
    pub fn sort_at(&self) -> DateTime<Utc> {
        self.started_at.unwrap_or(self.received_at)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct User {
    pub id: String,
    pub username: String,
    /// argon2id PHC string.
    pub password_hash: String,
    pub role: Role,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    /// Sessions opened before this instant are void (set on a password
    /// change or reset, so a leaked password's sessions end with it).
    #[serde(default)]
    pub sessions_valid_after: Option<DateTime<Utc>>,
    /// Two-factor sign-in (TOTP), once the user started enrolment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub two_factor: Option<TwoFactor>,
    pub version: u64,
}

/// A user's TOTP (RFC 6238) second factor. The secret stays on the server:
/// the API shows it once, at enrolment.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct TwoFactor {
    /// The shared secret, base32 (RFC 4648, no padding).
    pub secret: String,
    /// False until a code proved the app has the secret; an unconfirmed
    /// enrolment does not change how the user signs in.
    pub confirmed: bool,
    /// The newest 30-second step a code was accepted for: a code of this
    /// step or an older one is refused (no replay).
    #[serde(default)]
    pub last_step: i64,
    /// SHA-256 (hex) of each unused recovery code.
    #[serde(default)]
    pub recovery_hashes: Vec<String>,
    pub enrolled_at: DateTime<Utc>,
}

impl std::fmt::Debug for TwoFactor {
    // The secret never reaches a log line.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TwoFactor")
            .field("confirmed", &self.confirmed)
            .field("last_step", &self.last_step)
            .field("recovery_codes_left", &self.recovery_hashes.len())
            .finish()
    }
}

/// A server-side session; only the SHA-256 of the cookie token is stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Session {
    pub token_hash: String,
    pub user_id: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// One entry of the audit trail. `before` and `after` hold only the fields
/// that changed (secrets never), as JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditRecord {
    pub id: String,
    pub at: DateTime<Utc>,
    /// Username, `system`, or `token:<name>`.
    pub actor: String,
    pub entity_type: String,
    pub entity_id: String,
    pub action: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    /// Retention: the entry may be removed after this.
    pub expires_at: DateTime<Utc>,
}

/// A named API token. The token is `bct_<id>_<secret>`; only the SHA-256 of
/// the whole token is kept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiToken {
    pub id: String,
    pub name: String,
    pub role: Role,
    pub token_hash: String,
    /// The token's first characters, to recognise it in a list.
    pub prefix: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub version: u64,
}

/// A bulk operation the worker runs batch by batch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Operation {
    pub id: String,
    pub kind: String,
    pub state: bc_api_types::OperationState,
    pub total: u32,
    pub done: u32,
    pub error: Option<String>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    /// Batches done; the task for the next batch names this step, so a
    /// redelivered task of an earlier step does nothing.
    pub step: u32,
    /// What to do (the area's own shape).
    pub params: serde_json::Value,
    /// Where the next batch starts (the area's own shape).
    pub position: serde_json::Value,
    pub version: u64,
}

/// Known noise, declared once: matching runs (or objects) show as Success.
/// See `review::overrides`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Override {
    pub id: String,
    /// Human number, `#12`, unique.
    pub number: u64,
    pub spec: bc_api_types::OverrideSpec,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<DateTime<Utc>>,
    pub version: u64,
}
