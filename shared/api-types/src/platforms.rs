//! Third-party backup platforms (seed 001, issue 17): a Veeam Backup &
//! Replication server (REST API, v12 and later) or an N-able Cove Data
//! Protection partner (JSON-RPC), registered for a customer; a sync imports
//! their jobs, runs and protected objects.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PlatformKind {
    VeeamVbr,
    Cove,
}

impl PlatformKind {
    pub const ALL: &'static [PlatformKind] = &[PlatformKind::VeeamVbr, PlatformKind::Cove];

    pub fn as_str(self) -> &'static str {
        match self {
            PlatformKind::VeeamVbr => "veeam_vbr",
            PlatformKind::Cove => "cove",
        }
    }

    pub fn parse(s: &str) -> Option<PlatformKind> {
        PlatformKind::ALL.iter().copied().find(|k| k.as_str() == s)
    }

    /// The software name its jobs carry (Veeam's matches the mail parser's,
    /// so a Veeam job that also mails its report can be linked).
    pub fn software(self) -> &'static str {
        match self {
            PlatformKind::VeeamVbr => "Veeam Backup & Replication",
            PlatformKind::Cove => "N-able Cove",
        }
    }
}

/// How the last sync (or connection test) ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PlatformSyncStatus {
    /// Never synced yet.
    #[default]
    Never,
    Ok,
    /// Synced, but some items were skipped (see `last_error`).
    Partial,
    Failed,
}

/// A job retry waiting for the next sync to bring its real result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PendingRetry {
    /// The core job id.
    pub job_id: String,
    /// The platform's job id.
    pub external_id: String,
    pub requested_at: DateTime<Utc>,
    pub requested_by: String,
    /// The session the platform started for it (Veeam), when it said.
    pub session_id: Option<String>,
}

/// A retry that a sync completed (kept for the page, newest first, at most 20).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CompletedRetry {
    pub job_id: String,
    pub requested_at: DateTime<Utc>,
    pub run_id: String,
    pub completed_at: DateTime<Utc>,
}

/// A registered platform. Its credentials are never returned.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Platform {
    pub id: String,
    pub name: String,
    pub kind: PlatformKind,
    /// The customer it belongs to; `None`: the MSP's own (its jobs need a customer: see `docs/platforms.md`).
    pub customer_id: Option<String>,
    /// Veeam: host name or address; Cove: the JSON-RPC URL (default `https://api.backup.management/jsonapi`).
    pub host: String,
    /// Veeam only (default 9419).
    pub port: Option<u16>,
    /// Veeam: the trusted self-signed certificate's SHA-256 fingerprint (hex), when the server's
    /// certificate is not from a public authority. Never "accept any".
    pub cert_sha256: Option<String>,
    /// Cove: the partner (company) name exactly as the console shows it.
    pub partner: Option<String>,
    /// Whether credentials are stored (never their value).
    pub has_credentials: bool,
    pub sync_interval_minutes: u32,
    pub enabled: bool,
    pub last_sync_at: Option<DateTime<Utc>>,
    pub last_sync_status: PlatformSyncStatus,
    pub last_error: Option<String>,
    /// What the last sync did: jobs, runs imported, objects, sessions skipped.
    pub last_sync_summary: Option<String>,
    /// The newest session time a sync completed up to (the next starts a little before it).
    pub cursor: Option<DateTime<Utc>>,
    /// When the scheduler queues the next sync.
    pub next_sync_at: Option<DateTime<Utc>>,
    /// Veeam: the API revision the server answered to.
    pub api_version: Option<String>,
    pub pending_retries: Vec<PendingRetry>,
    pub completed_retries: Vec<CompletedRetry>,
    /// Mail-derived jobs the sync linked a platform job to (core job id -> platform job id), and
    /// platform jobs an admin unlinked (never linked again).
    pub links: Vec<PlatformLink>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlatformLink {
    pub external_id: String,
    /// The mail-derived core job; `None` once unlinked (the platform job then gets its own job).
    pub job_id: Option<String>,
}

/// Register a platform.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlatformBody {
    pub name: String,
    pub kind: PlatformKind,
    pub customer_id: Option<String>,
    pub host: String,
    #[serde(default)]
    pub port: Option<u16>,
    #[serde(default)]
    pub cert_sha256: Option<String>,
    #[serde(default)]
    pub partner: Option<String>,
    pub username: String,
    pub password: String,
    #[serde(default)]
    pub sync_interval_minutes: Option<u32>,
    #[serde(default)]
    pub enabled: Option<bool>,
}

/// Change a platform: only the fields given. Credentials only together (username and password).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlatformUpdate {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub host: Option<String>,
    #[serde(default)]
    pub port: Option<u16>,
    /// `""` removes the pinned fingerprint.
    #[serde(default)]
    pub cert_sha256: Option<String>,
    #[serde(default)]
    pub partner: Option<String>,
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub password: Option<String>,
    #[serde(default)]
    pub sync_interval_minutes: Option<u32>,
    #[serde(default)]
    pub enabled: Option<bool>,
}

/// The answer to "Test connection".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlatformTestResult {
    pub ok: bool,
    /// What worked or what failed, for a person.
    pub message: String,
    /// Veeam: the API revision used.
    pub api_version: Option<String>,
    /// How many jobs (Veeam) or devices (Cove) it sees.
    pub jobs_seen: Option<u64>,
}

/// Delete a platform: `confirm` must be its name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlatformDeleteBody {
    pub confirm: String,
}

/// What deleting a platform took (or would take) with it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlatformDeletion {
    pub platform_id: String,
    /// Jobs it created (deleted with their runs).
    pub jobs: Vec<String>,
    /// Mail-derived jobs it was linked to (kept; their platform runs stay).
    pub linked_jobs: Vec<String>,
    pub protected_objects: u32,
}

/// Retry a platform job.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlatformRetryResult {
    pub pending: PendingRetry,
    /// What was asked of the platform: `job_start`, `job_retry`, or `none` (Cove: the next scheduled session).
    pub platform_call: String,
}

/// Unlink a platform job from the mail-derived job it was linked to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlatformUnlinkBody {
    pub external_id: String,
}
