//! Native backup runs (seed 001, "Backup Job Management", "Restore
//! Operations", "Storage Health and Capacity"): the agent jobs the control
//! plane dispatches to engines, what engines report back, restore points,
//! restores, and the dashboard. The engine side of these bodies is
//! `docs/bes-protocol.md` §6–§8; the reference engine (`engine/`) uses these
//! very types.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::{Compression, Encryption, HookType, IoPriority, StorageHealth, TargetType};

wire_enum!(
    /// An agent job's (and a native run's) state.
    AgentJobStatus { Pending = "pending", Running = "running", Success = "success", Warning = "warning", Failed = "failed" }
);
wire_enum!(
    /// What an agent job does.
    AgentJobKind {
        Backup = "backup",
        Forget = "forget",
        Browse = "browse",
        Search = "search",
        FileRestore = "file_restore",
        ImageRestore = "image_restore",
        BareMetalRestore = "bare_metal_restore",
        HealthCheck = "health_check",
        Verify = "verify",
        Replicate = "replicate",
    }
);
wire_enum!(
    /// Which of the policy's schedules a backup came from.
    BackupLevel { Full = "full", Incremental = "incremental", SyntheticFull = "synthetic_full" }
);
wire_enum!(JobPriority { Normal = "normal", High = "high", Critical = "critical" });
wire_enum!(RestorePointStatus { Complete = "complete", Running = "running", Failed = "failed", Expired = "expired" });
wire_enum!(VerificationStatus { Passed = "passed", Failed = "failed", Partial = "partial", Pending = "pending" });
wire_enum!(BmrMethod { Pxe = "pxe", Iso = "iso" });
wire_enum!(
    /// Why a job was dispatched.
    DispatchReason { Schedule = "schedule", RunNow = "run_now", Retry = "retry", AutoRetry = "auto_retry", CatchUp = "catch_up", User = "user", Retention = "retention", Replication = "replication" }
);

impl AgentJobStatus {
    pub fn is_final(self) -> bool {
        matches!(self, AgentJobStatus::Success | AgentJobStatus::Warning | AgentJobStatus::Failed)
    }
}

impl AgentJobKind {
    pub fn priority(self) -> JobPriority {
        match self {
            AgentJobKind::ImageRestore | AgentJobKind::BareMetalRestore => JobPriority::Critical,
            AgentJobKind::FileRestore | AgentJobKind::Browse | AgentJobKind::Search => JobPriority::High,
            _ => JobPriority::Normal,
        }
    }
}

/// Where an engine writes and reads backups (credentials never included).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct JobTarget {
    pub id: String,
    pub target_type: TargetType,
    pub connection: crate::ConnectionConfig,
}

/// A hook as the engine runs it: pre hooks before the backup, post hooks after, in this order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct JobHook {
    pub id: String,
    pub hook_type: HookType,
    pub script: String,
    pub timeout_seconds: u32,
    pub fail_on_error: bool,
}

/// A backup job's payload: everything the engine needs, built from the policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BackupPayload {
    pub policy_id: String,
    pub policy_name: String,
    pub host_id: String,
    pub hostname: String,
    pub level: BackupLevel,
    /// What to back up (absolute paths on the host).
    pub include_paths: Vec<String>,
    pub exclude_paths: Vec<String>,
    /// Glob patterns.
    pub exclude_patterns: Vec<String>,
    pub retention_daily: u16,
    pub retention_weekly: u16,
    pub retention_monthly: u16,
    pub compression: Compression,
    pub encryption: Encryption,
    pub dedup: bool,
    pub max_transfer_mbps: Option<u32>,
    pub io_priority: IoPriority,
    pub throttle_schedule: Option<String>,
    pub vss_enabled: bool,
    pub verify_after_backup: bool,
    pub verify_sample_count: u32,
    /// Pre hooks then post hooks, each in sequence order.
    pub hooks: Vec<JobHook>,
}

/// Restore points to forget (retention): the engine removes their snapshots and prunes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ForgetPayload {
    pub policy_id: String,
    /// The engine's snapshot ids.
    pub snapshot_ids: Vec<String>,
    pub prune: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BrowsePayload {
    pub restore_point_id: String,
    pub snapshot_id: String,
    /// Absolute path inside the snapshot; `/` is its root.
    pub path: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SearchPayload {
    pub restore_point_id: String,
    pub snapshot_id: String,
    /// A file name, part of one, or a glob (`*.docx`); case-insensitive.
    pub query: String,
    pub limit: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FileRestorePayload {
    pub restore_point_id: String,
    pub snapshot_id: String,
    /// Files or directories inside the snapshot (at most 10,000).
    pub paths: Vec<String>,
    pub target_path: String,
    pub overwrite: bool,
    pub target_hostname: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImageRestorePayload {
    pub restore_point_id: String,
    pub snapshot_id: String,
    pub target_hostname: String,
    pub target_path: String,
    pub overwrite: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BmrPayload {
    pub restore_point_id: String,
    pub snapshot_id: String,
    pub method: BmrMethod,
    /// The one-time token: redeem it (`POST /bes/v1/bmr/redeem`) before acting.
    pub token: String,
    pub token_expires_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VerifyPayload {
    /// Snapshots to check (all of the target's when empty).
    pub snapshot_ids: Vec<String>,
    /// Files to read back per snapshot (a restore rehearsal); 0: structure only.
    pub sample_count: u32,
}

/// What an agent job asks of the engine.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum JobPayload {
    Backup(BackupPayload),
    Forget(ForgetPayload),
    Browse(BrowsePayload),
    Search(SearchPayload),
    FileRestore(FileRestorePayload),
    ImageRestore(ImageRestorePayload),
    BareMetalRestore(BmrPayload),
    HealthCheck,
    Verify(VerifyPayload),
    Replicate(ReplicatePayload),
}

/// Copies one restore point's snapshot from the policy's primary target
/// (the job's `target`) to a replication rule's target (`replica_target`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReplicatePayload {
    pub policy_id: String,
    pub rule_id: String,
    pub restore_point_id: String,
    pub snapshot_id: String,
    pub replica_target_id: String,
    pub kek_source: crate::KekSource,
    pub is_offsite: bool,
}

impl JobPayload {
    pub fn kind(&self) -> AgentJobKind {
        match self {
            JobPayload::Backup(_) => AgentJobKind::Backup,
            JobPayload::Forget(_) => AgentJobKind::Forget,
            JobPayload::Browse(_) => AgentJobKind::Browse,
            JobPayload::Search(_) => AgentJobKind::Search,
            JobPayload::FileRestore(_) => AgentJobKind::FileRestore,
            JobPayload::ImageRestore(_) => AgentJobKind::ImageRestore,
            JobPayload::BareMetalRestore(_) => AgentJobKind::BareMetalRestore,
            JobPayload::HealthCheck => AgentJobKind::HealthCheck,
            JobPayload::Verify(_) => AgentJobKind::Verify,
            JobPayload::Replicate(_) => AgentJobKind::Replicate,
        }
    }
}

/// One agent job as an engine receives it (`GET /bes/v1/jobs`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EngineJob {
    pub id: String,
    pub priority: JobPriority,
    pub created_at: DateTime<Utc>,
    /// The storage target the job works on.
    pub target: Option<JobTarget>,
    /// replicate: the replica target the snapshot is copied to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replica_target: Option<JobTarget>,
    pub payload: JobPayload,
    /// Report progress at least this often while running, or the job fails.
    pub progress_timeout_seconds: u32,
}

/// `GET /bes/v1/jobs`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EngineJobs {
    pub jobs: Vec<EngineJob>,
    pub next_poll_seconds: u32,
}

/// `POST /bes/v1/jobs/{id}/progress`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct JobProgress {
    pub percent: Option<f64>,
    pub bytes_done: Option<u64>,
    pub message: Option<String>,
}

/// A snapshot an engine made (or still has).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SnapshotInfo {
    pub snapshot_id: String,
    /// The chain it belongs to (a repository plus the backed-up host and paths).
    pub chain_id: String,
    pub completed_at: DateTime<Utc>,
    pub size_bytes: u64,
    pub file_count: u64,
    pub verification: VerificationStatus,
}

/// A file or directory in a snapshot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SnapshotEntry {
    pub path: String,
    pub is_dir: bool,
    pub size: u64,
    pub modified_at: Option<DateTime<Utc>>,
}

/// A verification's findings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VerifyOutcome {
    pub snapshot_id: String,
    pub status: VerificationStatus,
    pub checked_files: u64,
    pub errors: Vec<String>,
}

/// A hook's outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HookOutcome {
    pub hook_id: String,
    pub exit_code: Option<i32>,
    pub timed_out: bool,
    /// The end of its output (at most 4 KiB).
    pub output: String,
}

/// `POST /bes/v1/jobs/{id}/result`: how a job ended. Fields that do not
/// apply to the job's kind are left out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct JobResult {
    pub status: AgentJobStatus,
    pub started_at: Option<DateTime<Utc>>,
    pub ended_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub bytes_transferred: u64,
    #[serde(default)]
    pub protected_bytes: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Whether running it again may help (a full disk or a lock: yes; an unsupported request: no).
    #[serde(default)]
    pub retryable: bool,
    /// Warnings worth showing (files skipped, a hook's complaint).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub messages: Vec<String>,
    /// backup: the snapshot made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot: Option<SnapshotInfo>,
    /// browse, search: what was found (at most 10,000).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub entries: Vec<SnapshotEntry>,
    /// forget: the snapshots removed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub forgotten: Vec<String>,
    /// verify (and a backup with verify_after_backup).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub verified: Vec<VerifyOutcome>,
    /// file_restore: files and bytes written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restored_files: Option<u64>,
    /// health_check: whether the target answered, and its capacity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reachable: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity: Option<crate::BesCapacity>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hooks: Vec<HookOutcome>,
    /// replicate: the copy's snapshot id on the replica target.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replica_snapshot_id: Option<String>,
}

/// `POST /bes/v1/bmr/redeem`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BmrRedeem {
    pub job_id: String,
    pub token: String,
}

// ---------------------------------------------------------------- the UI's side

/// One agent job as the UI shows it (a native run, or a restore, browse, ...).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AgentJob {
    pub id: String,
    pub kind: AgentJobKind,
    pub engine_id: String,
    pub customer_id: Option<String>,
    pub policy_id: Option<String>,
    pub host_id: Option<String>,
    pub hostname: Option<String>,
    pub target_id: Option<String>,
    /// The core job (Jobs page) a backup belongs to.
    pub job_id: Option<String>,
    pub status: AgentJobStatus,
    pub priority: JobPriority,
    pub reason: DispatchReason,
    pub level: Option<BackupLevel>,
    /// The schedule slot a scheduled backup is for.
    pub slot: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub created_by: String,
    pub dispatched_at: Option<DateTime<Utc>>,
    pub started_at: Option<DateTime<Utc>>,
    pub ended_at: Option<DateTime<Utc>>,
    pub last_progress_at: Option<DateTime<Utc>>,
    pub progress_percent: Option<f64>,
    pub duration_secs: Option<u64>,
    pub bytes_transferred: u64,
    pub protected_bytes: u64,
    pub restore_point_id: Option<String>,
    pub error: Option<String>,
    pub retryable: bool,
    /// 1 for the first run; a retry counts on.
    pub attempt: u32,
    /// The run this retries.
    pub retry_of: Option<String>,
    pub payload: JobPayload,
    /// browse/search/restore/verify/health results.
    pub result: Option<JobResult>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AgentJobPage {
    pub items: Vec<AgentJob>,
    pub next_cursor: Option<String>,
}

/// A restore point: one snapshot of a host under a policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RestorePoint {
    pub id: String,
    pub customer_id: Option<String>,
    pub engine_id: String,
    pub policy_id: String,
    pub policy_name: String,
    pub host_id: String,
    pub hostname: String,
    pub target_id: String,
    pub snapshot_id: String,
    pub chain_id: String,
    pub level: BackupLevel,
    pub status: RestorePointStatus,
    pub verification: VerificationStatus,
    pub size_bytes: u64,
    pub file_count: u64,
    pub completed_at: DateTime<Utc>,
    /// The agent job that made it.
    pub agent_job_id: String,
    /// Kept past the policy's retention (its host was archived).
    #[serde(default)]
    pub archived: bool,
    pub expired_at: Option<DateTime<Utc>>,
    /// Its copies on the policy's replica targets (one per replication rule
    /// that applies to its level), as their replication jobs left them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub replicas: Vec<ReplicaCopy>,
}

/// A restore point's copy on a replica target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReplicaCopy {
    pub rule_id: String,
    pub target_id: String,
    pub is_offsite: bool,
    /// The replication job.
    pub agent_job_id: String,
    /// `pending` until the job ends, then its outcome.
    pub status: AgentJobStatus,
    /// The copy's snapshot id on the replica target.
    pub snapshot_id: Option<String>,
    pub ended_at: Option<DateTime<Utc>>,
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RestorePointPage {
    pub items: Vec<RestorePoint>,
    pub next_cursor: Option<String>,
}

/// `POST /api/v1/backup/restore-points/{id}/browse`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BrowseBody {
    pub path: Option<String>,
}

/// `POST /api/v1/backup/restore-points/{id}/search`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SearchBody {
    pub query: String,
    pub limit: Option<u32>,
}

/// `POST /api/v1/backup/restore-points/{id}/restore-files`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FileRestoreBody {
    pub paths: Vec<String>,
    pub target_path: String,
    #[serde(default)]
    pub overwrite: bool,
    /// Another managed host of the customer; the original host when absent.
    pub target_host_id: Option<String>,
}

/// `POST /api/v1/backup/restore-points/{id}/restore-image`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImageRestoreBody {
    pub target_host_id: String,
    pub target_path: String,
    #[serde(default)]
    pub overwrite: bool,
}

/// `POST /api/v1/backup/restore-points/{id}/bmr`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BmrBody {
    pub method: BmrMethod,
}

/// The dashboard's summary (seed: "Summary metrics", "Engine status", "Recent activity").
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DashboardSummary {
    pub protected_count: u64,
    pub at_risk_count: u64,
    pub rpo_breach_count: u64,
    pub unprotected_host_count: u64,
    pub engines_online: u64,
    pub engines_offline: u64,
    pub success_24h: u64,
    pub failed_24h: u64,
    pub warning_24h: u64,
}

/// Dashboard queue "Failed Backups": the newest failed run of each native job.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FailedBackup {
    pub agent_job_id: String,
    pub job_id: Option<String>,
    pub policy_id: String,
    pub policy_name: String,
    pub hostname: Option<String>,
    pub status: AgentJobStatus,
    pub failed_at: DateTime<Utc>,
    pub error: Option<String>,
    pub retryable: bool,
}

/// Dashboard queue "Storage Health Alerts".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StorageAlertRow {
    pub target_id: String,
    pub name: String,
    pub target_type: TargetType,
    pub usage_percent: Option<f64>,
    pub health: StorageHealth,
    pub last_check_at: Option<DateTime<Utc>>,
}

/// `POST /api/v1/backup/jobs/{job_id}/retry` and run-now: what was dispatched.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Dispatched {
    pub agent_job_ids: Vec<String>,
}

/// A storage target's last health check or verification.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TargetCheck {
    pub agent_job_id: String,
    pub at: DateTime<Utc>,
    pub status: AgentJobStatus,
    pub message: Option<String>,
}

/// The backup area's settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BackupSettings {
    /// Automatic retries of a failed, retryable run (0 turns them off; at most 10).
    pub auto_retry_max: u32,
}

impl Default for BackupSettings {
    fn default() -> Self {
        BackupSettings { auto_retry_max: 3 }
    }
}
