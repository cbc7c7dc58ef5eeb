//! Request and response bodies of `/api/v1`. Field names are the wire names.

use chrono::{DateTime, FixedOffset, Utc};
use serde::{Deserialize, Serialize};

use crate::{MailState, MailVerdicts, OperationState, Permission, QuarantineInfo, Role, Status};

macro_rules! dto {
    ($($item:item)*) => {
        $(
            #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
            #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
            $item
        )*
    };
}

dto! {
    /// Every error: `{"error": {"code", "message"}}`.
    pub struct ErrorBody {
        pub error: ErrorDetail,
    }

    pub struct ErrorDetail {
        /// Stable machine code: `unauthorized`, `forbidden`, `not_found`,
        /// `conflict`, `invalid`, `rate_limited`, `too_large`, `internal`.
        pub code: String,
        pub message: String,
    }

    /// `POST /api/v1/auth/login`.
    pub struct LoginRequest {
        pub username: String,
        pub password: String,
    }

    /// The signed-in user, with the permissions the server grants the role.
    pub struct Me {
        pub id: String,
        pub username: String,
        pub role: Role,
        pub permissions: Vec<Permission>,
    }

    /// `202` answer of `POST /api/v1/auth/login` when the password was right
    /// and a second step is due: the `bc_pending` cookie (five minutes, not a
    /// session) carries the caller to `POST /api/v1/auth/login/code` (step
    /// `code`) or to enrolment (step `enrol`, when two-factor is required for
    /// everyone and the user has none yet).
    pub struct TwoFactorChallenge {
        pub step: TwoFactorStep,
    }

    #[serde(rename_all = "snake_case")]
    pub enum TwoFactorStep {
        Code,
        Enrol,
    }

    /// `POST /api/v1/auth/login/code` and `POST /api/v1/auth/two-factor/confirm`:
    /// a six-digit code of the authenticator app, or (at login) a recovery code.
    pub struct TwoFactorCodeRequest {
        pub code: String,
    }

    /// `GET /api/v1/auth/two-factor`: one's own two-factor state.
    pub struct TwoFactorStatus {
        pub enrolled: bool,
        /// An admin requires two-factor sign-in for every user.
        pub required: bool,
        pub recovery_codes_left: u32,
    }

    /// `POST /api/v1/auth/two-factor/enrol`: a new secret, shown once; it is
    /// active after a confirming code.
    pub struct TwoFactorEnrolment {
        /// Base32 (RFC 4648, no padding), for typing into an authenticator app.
        pub secret: String,
        /// `otpauth://totp/...` for apps that take a link or QR code.
        pub otpauth_uri: String,
    }

    /// The recovery codes, shown once after enrolment: each signs in once
    /// in place of a code.
    pub struct RecoveryCodes {
        pub codes: Vec<String>,
    }

    /// `POST /api/v1/auth/two-factor/disable`.
    pub struct DisableTwoFactorRequest {
        pub password: String,
        /// A current code or a recovery code.
        pub code: String,
    }

    /// `POST /api/v1/auth/password`: change one's own password.
    pub struct ChangePasswordRequest {
        pub current_password: String,
        pub new_password: String,
    }

    pub struct Customer {
        pub id: String,
        pub name: String,
        pub active: bool,
        pub created_at: DateTime<Utc>,
        /// Approved jobs assigned to this customer.
        pub job_count: u64,
        /// The Autotask company, when mapped.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub autotask: Option<crate::CompanyLink>,
    }

    pub struct CreateCustomer {
        pub name: String,
    }

    /// `PATCH /api/v1/customers/{id}`: rename and/or (de)activate.
    pub struct UpdateCustomer {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub name: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub active: Option<bool>,
    }

    pub struct CustomerList {
        pub items: Vec<Customer>,
    }

    /// Result of a CSV import: rows created, rows skipped (name already
    /// present), and per-line errors.
    pub struct CsvImportResult {
        pub created: u32,
        pub skipped: u32,
        pub errors: Vec<String>,
    }

    /// One object (VM, host, share, ...) inside a report.
    pub struct ReportObject {
        pub name: String,
        #[serde(rename = "type")]
        pub object_type: Option<String>,
        pub status: Status,
        pub message: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub started_at: Option<DateTime<FixedOffset>>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub ended_at: Option<DateTime<FixedOffset>>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub size_bytes: Option<u64>,
    }

    /// Sizes a report states, in bytes.
    #[derive(Default)]
    pub struct Sizes {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub total_bytes: Option<u64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub backup_bytes: Option<u64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub read_bytes: Option<u64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub transferred_bytes: Option<u64>,
    }

    /// What a parser made of a report mail.
    pub struct Report {
        pub parser: String,
        pub software: String,
        pub job_type: String,
        pub job_name: String,
        pub status: Status,
        pub started_at: Option<DateTime<FixedOffset>>,
        pub ended_at: Option<DateTime<FixedOffset>>,
        pub duration_secs: Option<u64>,
        pub sizes: Sizes,
        /// Warning and error texts of the run as a whole.
        pub messages: Vec<String>,
        pub objects: Vec<ReportObject>,
        /// Which attempt of the run the report is (1 = the scheduled run,
        /// 2 = its first retry, ...), when the report says (`(Retry 1)` -> 2).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub attempt: Option<u32>,
        /// Whether this is the run's last attempt: `Some(true)` when no retry
        /// follows (the attempt did not fail), `Some(false)` when the
        /// product says it will retry, `None` when the report does not tell.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub final_attempt: Option<bool>,
        /// For a report a person forwarded: the sender address of the
        /// original mail, from the forwarded header block (the job is the
        /// original sender's, not the forwarder's).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub original_sender: Option<String>,
        /// For a forwarded report: the original mail's subject, from the
        /// forwarded header block.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub original_subject: Option<String>,
    }

    /// The parse outcome stored with a mail.
    pub struct ParseResult {
        pub ok: bool,
        /// Why no parser understood the mail (when `ok` is false).
        pub error: Option<String>,
        pub report: Option<Report>,
    }

    pub struct Attachment {
        pub filename: String,
        pub content_type: String,
        pub size: u64,
    }

    /// A row of the Inbox list.
    pub struct InboxItem {
        pub id: String,
        pub received_at: DateTime<Utc>,
        pub sender: String,
        pub subject: String,
        pub state: MailState,
        pub parsed: bool,
        pub parse_error: Option<String>,
        pub parser: Option<String>,
        pub software: Option<String>,
        pub job_type: Option<String>,
        pub job_name: Option<String>,
        pub status: Option<Status>,
        pub object_count: u32,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub deleted_at: Option<DateTime<Utc>>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub deleted_by: Option<String>,
        /// Set when this mail reuses another mail's sender and Message-ID
    /// with other content (a forged or rewritten report): that mail's id.
    /// It is never processed by itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conflict_of: Option<String>,
        /// When the raw mail was found expired under the mail retention.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub expired_at: Option<DateTime<Utc>>,
        /// The mail failed authentication (see [`MailVerdicts::failed_authentication`]).
        #[serde(default)]
        pub auth_failed: bool,
        /// Set when the mail was held from auto-processing into a run of its
        /// approved job: why. An operator can process it by hand.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub held: Option<String>,
    }

    /// A page of a list; pass `next_cursor` back as `?cursor=` for the next one.
    pub struct InboxPage {
        pub items: Vec<InboxItem>,
        pub next_cursor: Option<String>,
    }

    /// `GET /api/v1/inbox/{id}` and `GET /api/v1/mails/{id}`.
    pub struct MailDetail {
        pub id: String,
        pub received_at: DateTime<Utc>,
        pub sender: String,
        pub sender_name: Option<String>,
        pub recipients: Vec<String>,
        pub subject: String,
        pub date: Option<DateTime<FixedOffset>>,
        pub message_id: Option<String>,
        pub size: u64,
        pub attachments: Vec<Attachment>,
        pub has_text: bool,
        pub has_html: bool,
        pub state: MailState,
        pub parse: ParseResult,
        pub job_id: Option<String>,
        pub run_id: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub deleted_at: Option<DateTime<Utc>>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub deleted_by: Option<String>,
        /// When the raw mail was found expired under the mail retention.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub expired_at: Option<DateTime<Utc>>,
        /// Spam, virus, SPF, DKIM and DMARC verdicts recorded on arrival.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub verdicts: Option<MailVerdicts>,
        #[serde(default)]
        pub auth_failed: bool,
        /// Why the mail was held from auto-processing, when it was.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub held: Option<String>,
        /// Set while the mail is quarantined.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub quarantine: Option<QuarantineInfo>,
        /// Ingest attempts so far.
        #[serde(default)]
        pub ingest_attempts: u32,
    }

    /// `POST /api/v1/inbox/{id}/approve`.
    pub struct ApproveRequest {
        pub customer_id: String,
    }

    pub struct ApproveResponse {
        pub job: Job,
        pub run: Run,
        /// Other Inbox mails of the same job that became runs with it.
        pub also_processed: u32,
    }

    /// `POST /api/v1/inbox/reparse`: the given mails, or every Inbox mail.
    pub struct ReparseRequest {
        #[serde(default)]
        pub mail_ids: Vec<String>,
        #[serde(default)]
        pub all: bool,
    }

    pub struct ReparseResponse {
        /// Mails re-parsed now (selected mails) or queued (all, in batches).
        pub reparsed: u32,
        pub queued: u32,
    }

    /// `POST /api/v1/mails`: what became of an uploaded mail.
    pub struct IngestResponse {
        pub mail_id: String,
        pub state: MailState,
        pub duplicate: bool,
        pub parsed: bool,
        pub job_id: Option<String>,
        pub run_id: Option<String>,
    }

    pub struct Job {
        pub id: String,
        pub customer_id: String,
        pub customer_name: String,
        pub sender: String,
        pub software: String,
        pub job_type: String,
        pub job_name: String,
        pub parser: String,
        pub approved_at: DateTime<Utc>,
        pub approved_by: String,
        pub last_run_at: Option<DateTime<Utc>>,
        pub last_status: Option<Status>,
        pub run_count: u64,
        /// The name the reports give, when the job was renamed.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub original_name: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub archived_at: Option<DateTime<Utc>>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub archived_by: Option<String>,
        /// Jobs merged into this one (their identities route here).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        pub merged_from: Vec<String>,
        /// The schedule the job is expected to keep (learned or explicit).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub schedule: Option<crate::JobScheduleView>,
        /// Set on a job that checks in over a ping URL.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub ping: Option<crate::PingInfo>,
        /// Report mails (the default), a native policy or a platform.
        #[serde(default, skip_serializing_if = "crate::JobSource::is_mail")]
        pub source: crate::JobSource,
    }

    pub struct JobPage {
        pub items: Vec<Job>,
        pub next_cursor: Option<String>,
    }

    pub struct Review {
        pub by: String,
        pub at: DateTime<Utc>,
    }

    pub struct Run {
        pub id: String,
        pub job_id: String,
        pub mail_id: String,
        pub status: Status,
        pub started_at: Option<DateTime<Utc>>,
        pub ended_at: Option<DateTime<Utc>>,
        pub received_at: DateTime<Utc>,
        pub duration_secs: Option<u64>,
        pub sizes: Sizes,
        pub object_count: u32,
        /// First warning or error text, for lists.
        pub message: Option<String>,
        pub reviewed: bool,
        /// Who reviewed it and when; only roles that may see reviews get it.
        pub review: Option<Review>,
        /// Set when an override changed the status shown (`status`); holds
        /// the report's own status and which overrides applied.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub overridden: Option<crate::RunOverride>,
        /// On a Missed run: its report arrived after all, as this run.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub late: Option<crate::LateArrival>,
    }

    pub struct RunPage {
        pub items: Vec<Run>,
        pub next_cursor: Option<String>,
    }

    /// `GET /api/v1/runs/{id}`: everything the Run Checks modal shows.
    pub struct RunDetail {
        pub run: Run,
        pub job: Job,
        pub report: Option<Report>,
        /// The report mail; absent on a Missed run (no mail came).
        pub mail: Option<MailDetail>,
        /// The job's most recent runs, newest first.
        pub recent_runs: Vec<Run>,
        /// The job's active remarks, newest first.
        #[serde(default)]
        pub remarks: Vec<Remark>,
        /// The job's open tickets, newest first.
        #[serde(default)]
        pub tickets: Vec<Ticket>,
        /// The ticket created for this run (the open one, else the newest).
        #[serde(default)]
        pub run_ticket: Option<Ticket>,
    }

    /// One job on the Run Checks page with its unreviewed runs, newest first.
    pub struct RunChecksJob {
        pub id: String,
        pub customer_id: String,
        pub customer_name: String,
        pub software: String,
        pub job_type: String,
        pub job_name: String,
        /// The worst status among the unreviewed runs.
        pub status: Status,
        /// How many runs are unreviewed (`runs` holds at most 100 of them).
        pub run_count: u32,
        /// Unreviewed runs, newest first.
        pub runs: Vec<Run>,
        /// How many remarks on the job are active (💬).
        #[serde(default)]
        pub active_remarks: u32,
        /// The numbers of the job's open tickets (🎫).
        #[serde(default)]
        pub open_tickets: Vec<String>,
    }

    /// One page of Run Checks: jobs with unreviewed runs, worst status
    /// first, then customer and job name, then id (a stable order, so the
    /// cursor never skips or repeats a job).
    pub struct RunChecks {
        pub jobs: Vec<RunChecksJob>,
        /// The cursor of the next page; none on the last.
        pub next_cursor: Option<String>,
        /// Totals over every page (with the filter applied).
        pub totals: RunChecksTotals,
        /// The server's time when this page was read. Send it back with a
        /// review of whole jobs so runs that arrived later stay unreviewed.
        pub as_of: DateTime<Utc>,
    }

    pub struct RunChecksTotals {
        pub jobs: u32,
        pub runs: u32,
        pub success: u32,
        pub warning: u32,
        pub failed: u32,
        /// Missed runs (expected, never reported).
        #[serde(default)]
        pub missed: u32,
    }

    /// `POST /api/v1/run-checks/review` (and `/unreview`, admins only):
    /// whole jobs, or single runs.
    pub struct ReviewRequest {
        #[serde(default)]
        pub job_ids: Vec<String>,
        #[serde(default)]
        pub run_ids: Vec<String>,
        /// With `job_ids`: review only the runs that had arrived by then
        /// (`RunChecks::as_of` of the page the operator saw). Without it,
        /// the time of the request.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub as_of: Option<DateTime<Utc>>,
    }

    pub struct ReviewResponse {
        /// Runs whose review state changed (0 when the work was queued).
        pub changed: u32,
        /// Set when the work was large and runs in the background: follow it
        /// at `GET /api/v1/operations/{id}`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub operation: Option<Operation>,
    }

    /// A bulk operation running in the worker, batch by batch.
    pub struct Operation {
        pub id: String,
        /// `review`, `unreview`.
        pub kind: String,
        pub state: OperationState,
        /// Items known so far (grows while the worker finds more).
        pub total: u32,
        pub done: u32,
        pub error: Option<String>,
        pub created_by: String,
        pub created_at: DateTime<Utc>,
        pub finished_at: Option<DateTime<Utc>>,
    }

    /// One entry of the audit trail: who changed what, when, and the
    /// fields before and after (secrets never).
    pub struct AuditEntry {
        pub id: String,
        pub at: DateTime<Utc>,
        /// Username, `system`, or `token:<name>`.
        pub actor: String,
        pub entity_type: String,
        pub entity_id: String,
        pub action: String,
        /// The changed fields as they were (null when created).
        pub before: Option<serde_json::Value>,
        /// The changed fields as they became (null when deleted).
        pub after: Option<serde_json::Value>,
    }

    pub struct AuditPage {
        pub items: Vec<AuditEntry>,
        pub next_cursor: Option<String>,
    }

    /// A named API token (the secret itself is shown once, at creation).
    pub struct ApiToken {
        pub id: String,
        pub name: String,
        pub role: Role,
        /// The first characters of the token, to recognise it.
        pub prefix: String,
        pub created_by: String,
        pub created_at: DateTime<Utc>,
        pub last_used_at: Option<DateTime<Utc>>,
        pub revoked_at: Option<DateTime<Utc>>,
    }

    pub struct ApiTokenList {
        pub items: Vec<ApiToken>,
    }

    /// `POST /api/v1/api-tokens`.
    pub struct CreateApiToken {
        pub name: String,
        pub role: Role,
    }

    /// The new token; `token` is shown only in this response.
    pub struct CreatedApiToken {
        pub token: String,
        pub api_token: ApiToken,
    }

    pub struct User {
        pub id: String,
        pub username: String,
        pub role: Role,
        pub active: bool,
        pub created_at: DateTime<Utc>,
    }

    pub struct UserList {
        pub items: Vec<User>,
    }

    pub struct CreateUser {
        pub username: String,
        pub password: String,
        pub role: Role,
    }

    /// `PATCH /api/v1/users/{id}`.
    pub struct UpdateUser {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub role: Option<Role>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub active: Option<bool>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub password: Option<String>,
    }

    /// MSP-wide settings.
    pub struct Settings {
        /// IANA time zone the UI shows times in, e.g. `Europe/Amsterdam`.
        pub time_zone: String,
        /// Every user signs in with a second factor; users without one are
        /// sent to enrol after the password step. Always present in answers;
        /// left out of a `PUT`, it stays as it is.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub require_two_factor: Option<bool>,
        /// How tickets are made (read-only; set in the Autotask settings).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub tickets: Option<crate::TicketMode>,
        /// Authserv-ids whose topmost `Authentication-Results` header is
        /// trusted for SPF/DKIM/DMARC verdicts (`amazonses.com` also for
        /// SES's spam and virus verdicts). Default: `amazonses.com` on AWS,
        /// none locally. Left out of a `PUT`, it stays as it is.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub trusted_authserv_ids: Option<Vec<String>>,
        /// Hold mails that fail authentication: they wait in the Inbox,
        /// flagged, instead of becoming runs of their approved job.
        /// Default on. Left out of a `PUT`, it stays as it is.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub hold_failed_authentication: Option<bool>,
        /// The business-day cut-over, `HH:MM`: a run before it belongs to
        /// the previous day's backups. Always present in answers; left out
        /// of a `PUT`, it stays as it is.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub day_cutover: Option<String>,
    }

    /// `POST /api/v1/settings/test-mail`.
    pub struct TestMailRequest {
        pub to: String,
    }

    /// Returned by actions that only queue work.
    pub struct Queued {
        pub queued: u32,
    }

    /// `GET /api/v1/health`.
    pub struct Health {
        pub ok: bool,
        pub version: String,
    }
}

/// Where a keyword rule looks for its keywords.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    Subject,
    Body,
    #[default]
    Both,
}

/// A rule for mails of one sender that no product parser reads: the first
/// keyword list with a hit decides the status, checked failure, then
/// warning, then success. Keywords are case-sensitive substrings.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct KeywordRule {
    /// An exact address (`backup@host.example.com`) or a whole domain
    /// (`@example.com`); compared without regard to case.
    pub sender: String,
    pub failure: Vec<String>,
    pub warning: Vec<String>,
    pub success: Vec<String>,
    pub scope: Scope,
    /// A fixed job name; without one the job is named after the subject
    /// with the rule's keywords, dates and times taken out.
    pub job_name: Option<String>,
}

/// `GET|PUT /api/v1/settings/keyword-rules`: rules for senders no product
/// parser reads.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KeywordRules {
    pub rules: Vec<KeywordRule>,
}

dto! {
    /// A remark: text about a job, written on one of its runs (or on the job
    /// itself); active until resolved.
    pub struct Remark {
        pub id: String,
        pub job_id: String,
        pub run_id: Option<String>,
        pub text: String,
        /// Username of the author.
        pub author: String,
        pub created_at: DateTime<Utc>,
        pub edited_at: Option<DateTime<Utc>>,
        pub edited_by: Option<String>,
        pub active: bool,
        pub resolved_at: Option<DateTime<Utc>>,
        pub resolved_by: Option<String>,
    }

    /// `GET /api/v1/jobs/{id}/remarks`: newest first, resolved ones included.
    pub struct RemarkList {
        pub items: Vec<Remark>,
        /// More remarks exist than the list holds (it is bounded).
        pub truncated: bool,
    }

    /// `POST /api/v1/jobs/{id}/remarks`.
    pub struct CreateRemark {
        /// 1 to 10,000 characters (trimmed).
        pub text: String,
        /// The run the remark was written on (a run of this job).
        #[serde(default)]
        pub run_id: Option<String>,
    }

    /// `PATCH /api/v1/remarks/{id}`: by its author or an admin.
    pub struct UpdateRemark {
        pub text: String,
    }

    /// A ticket: a number (and optionally a link) in an outside system,
    /// created for one run of a job; open until resolved.
    pub struct Ticket {
        pub id: String,
        pub job_id: String,
        pub run_id: String,
        pub number: String,
        pub url: Option<String>,
        pub created_by: String,
        pub created_at: DateTime<Utc>,
        pub open: bool,
        pub resolved_at: Option<DateTime<Utc>>,
        pub resolved_by: Option<String>,
        /// The Autotask side, for tickets made or linked through the integration.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub autotask: Option<crate::PsaTicketLink>,
    }

    /// `GET /api/v1/jobs/{id}/tickets`: newest first, resolved ones included.
    pub struct TicketList {
        pub items: Vec<Ticket>,
        /// More tickets exist than the list holds (it is bounded).
        pub truncated: bool,
    }

    /// `POST /api/v1/jobs/{id}/tickets`. One run has at most one open ticket.
    pub struct CreateTicket {
        /// The run the ticket is for (a run of this job).
        pub run_id: String,
        /// Up to 64 characters: letters, digits, space and `.-_/#:`.
        pub number: String,
        /// An http or https link, up to 2,000 characters.
        #[serde(default)]
        pub url: Option<String>,
    }
}
