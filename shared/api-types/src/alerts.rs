//! Alerts, digests, ping URLs and dead letters as the API shows and takes them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::Status;

/// Where an alert goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ChannelKind {
    /// Mail to recipients (SES on AWS, the outbox locally).
    Email,
    /// Generic JSON POST (docs/alerts.md), signed with `X-Backupchecks-Signature`.
    Webhook,
    /// A Slack incoming webhook.
    Slack,
    /// A Microsoft Teams incoming webhook.
    Teams,
}

impl ChannelKind {
    pub const ALL: [ChannelKind; 4] =
        [ChannelKind::Email, ChannelKind::Webhook, ChannelKind::Slack, ChannelKind::Teams];

    pub fn label(self) -> &'static str {
        match self {
            ChannelKind::Email => "E-mail",
            ChannelKind::Webhook => "Webhook (JSON)",
            ChannelKind::Slack => "Slack",
            ChannelKind::Teams => "Microsoft Teams",
        }
    }
}

/// A channel as the API shows it: never the full webhook URL (it is a
/// credential for Slack and Teams) nor the signing secret.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AlertChannel {
    pub id: String,
    pub name: String,
    pub kind: ChannelKind,
    /// E-mail channels: the recipients.
    #[serde(default)]
    pub recipients: Vec<String>,
    /// Webhook channels: scheme and host only, e.g. `https://hooks.slack.com/…`.
    #[serde(default)]
    pub url_hint: Option<String>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

/// `POST /api/v1/alerts/channels`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewChannel {
    pub name: String,
    pub kind: ChannelKind,
    #[serde(default)]
    pub recipients: Vec<String>,
    #[serde(default)]
    pub url: Option<String>,
}

/// The answer to a new channel: the signing secret of a generic webhook is
/// shown this once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChannelCreated {
    pub channel: AlertChannel,
    #[serde(default)]
    pub signing_secret: Option<String>,
}

/// Which runs alert which channels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AlertRule {
    pub id: String,
    pub name: String,
    /// Failed, Missed and/or Warning.
    pub statuses: Vec<Status>,
    /// Empty: every customer.
    #[serde(default)]
    pub customer_ids: Vec<String>,
    pub channel_ids: Vec<String>,
    /// 0: at once; otherwise one message per channel every this many minutes.
    #[serde(default)]
    pub batch_minutes: u32,
    #[serde(default = "yes")]
    pub enabled: bool,
}

fn yes() -> bool {
    true
}

/// `POST /api/v1/alerts/rules` and `PUT /api/v1/alerts/rules/{id}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RuleBody {
    pub name: String,
    pub statuses: Vec<Status>,
    #[serde(default)]
    pub customer_ids: Vec<String>,
    pub channel_ids: Vec<String>,
    #[serde(default)]
    pub batch_minutes: u32,
    #[serde(default = "yes")]
    pub enabled: bool,
}

/// Jobs and customers that alert nobody.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AlertMutes {
    #[serde(default)]
    pub job_ids: Vec<String>,
    #[serde(default)]
    pub customer_ids: Vec<String>,
}

/// The morning digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DigestSettings {
    pub enabled: bool,
    /// The hour (0..=23) in the MSP's time zone.
    pub hour: u8,
    /// One mail per recipient.
    #[serde(default)]
    pub recipients: Vec<String>,
    /// Channels (webhook, Slack, Teams) that get the digest too.
    #[serde(default)]
    pub channel_ids: Vec<String>,
}

impl Default for DigestSettings {
    fn default() -> Self {
        DigestSettings { enabled: false, hour: 7, recipients: Vec::new(), channel_ids: Vec::new() }
    }
}

/// `GET /api/v1/alerts`: the whole alert configuration.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AlertsConfig {
    pub channels: Vec<AlertChannel>,
    pub rules: Vec<AlertRule>,
    pub mutes: AlertMutes,
    pub digest: DigestSettings,
}

/// A message the task queue gave up on (after its retries).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeadLetter {
    pub id: String,
    /// The task's type, e.g. `alert`.
    pub kind: String,
    /// A one-line description of the task (no secrets).
    pub summary: String,
    pub attempts: u32,
}

/// A job's ping URL (jobs that cannot send mail check in over HTTP).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PingInfo {
    /// `{base}/ping/{token}`; only shown to who may manage jobs.
    #[serde(default)]
    pub url: Option<String>,
    pub created_at: DateTime<Utc>,
    /// The last `/start` ping not yet followed by a result.
    #[serde(default)]
    pub started_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub last_ping_at: Option<DateTime<Utc>>,
}

/// `POST /api/v1/jobs/ping`: a job that checks in over a ping URL.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewPingJob {
    pub customer_id: String,
    pub name: String,
}
