//! The native backup control plane as the API shows and takes it: backup
//! engines (BES) and their protocol bodies, storage targets with capacity,
//! policies with hooks and replication rules, hosts and their assignments,
//! and the alerts the control plane raises. Words from seed 001.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

wire_enum!(
    /// Where an engine runs.
    DeploymentModel { OnPremise = "on_premise", CloudVm = "cloud_vm", BackupchecksHosted = "backupchecks_hosted" } default OnPremise
);
wire_enum!(
    /// pending until its first valid heartbeat; offline after 3 minutes without one.
    EngineStatus { Pending = "pending", Online = "online", Offline = "offline", Degraded = "degraded" } default Pending
);
wire_enum!(
    TargetType { S3 = "s3", S3Compatible = "s3_compatible", Smb = "smb", Nfs = "nfs", Iscsi = "iscsi", Local = "local" } default Local
);
wire_enum!(
    /// Capacity health against the target's thresholds.
    StorageHealth { Unknown = "unknown", Healthy = "healthy", Warning = "warning", Critical = "critical" } default Unknown
);
wire_enum!(BackupType { File = "file", Image = "image" } default File);
wire_enum!(Compression { Lz4 = "lz4", Zstd = "zstd", None = "none" } default Zstd);
wire_enum!(Encryption { Aes256Gcm = "aes-256-gcm", Aes256Cbc = "aes-256-cbc", None = "none" } default Aes256Gcm);
wire_enum!(IoPriority { Normal = "normal", Low = "low", High = "high" } default Normal);
wire_enum!(HookType { Pre = "pre", Post = "post" } default Pre);
wire_enum!(
    /// Pre-built hook templates; none means a custom script.
    HookTemplate { Mysql = "mysql", Mongodb = "mongodb", Elasticsearch = "elasticsearch" } default Mysql
);
wire_enum!(KekSource { Account = "account", PamVault = "pam_vault" } default Account);
wire_enum!(AssignmentState { Active = "active", Paused = "paused", Archived = "archived" } default Active);
wire_enum!(AlertSeverity { Info = "info", Warning = "warning", Critical = "critical" } default Info);

impl HookTemplate {
    /// The template's display name and script snippet.
    pub fn describe(self) -> (&'static str, &'static str) {
        match self {
            HookTemplate::Mysql => {
                ("MySQL / MariaDB", "mysqldump --single-transaction --all-databases > \"$BES_HOOK_DIR/mysql.sql\"")
            }
            HookTemplate::Mongodb => ("MongoDB", "mongodump --oplog --out \"$BES_HOOK_DIR/mongodb\""),
            HookTemplate::Elasticsearch => (
                "Elasticsearch",
                "curl -sf -XPUT \"localhost:9200/_snapshot/$BES_ES_REPOSITORY/bes-$(date +%s)?wait_for_completion=true\"",
            ),
        }
    }
}

// ---------------------------------------------------------------- engines

/// The engine's own health, as its last heartbeat reported it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EngineHealth {
    #[serde(default)]
    pub cpu_percent: f64,
    #[serde(default)]
    pub memory_percent: f64,
    #[serde(default)]
    pub disk_percent: f64,
    #[serde(default)]
    pub active_jobs: u32,
    #[serde(default)]
    pub uptime_seconds: u64,
}

/// One heartbeat's health sample (the engine keeps the recent ones).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HealthSample {
    pub at: DateTime<Utc>,
    pub health: EngineHealth,
}

/// A backup engine (BES) as the Engines page shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Engine {
    pub id: String,
    pub name: String,
    /// The customer it belongs to; none: the MSP's own (account-scoped).
    pub customer_id: Option<String>,
    pub customer_name: Option<String>,
    pub deployment_model: DeploymentModel,
    pub hostname: String,
    pub ip: String,
    pub port: u16,
    /// Base64 of the 32-byte Ed25519 public key the engine signs with.
    pub public_key: String,
    pub status: EngineStatus,
    pub version: Option<String>,
    pub last_heartbeat_at: Option<DateTime<Utc>>,
    pub health: Option<EngineHealth>,
    /// Recent health samples, oldest first.
    #[serde(default)]
    pub health_history: Vec<HealthSample>,
    pub pxe_enabled: bool,
    pub pxe_network: Option<String>,
    pub storage_target_count: u32,
    /// Used bytes over its storage targets.
    pub managed_bytes: u64,
    pub registered_at: DateTime<Utc>,
}

/// What an admin may change on an engine.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EngineUpdate {
    pub name: Option<String>,
    pub pxe_enabled: Option<bool>,
    /// A network in CIDR form (`10.0.0.0/24`); empty clears it.
    pub pxe_network: Option<String>,
}

/// What deleting an engine takes with it (shown before the confirmation).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EngineDeletion {
    pub engine_id: String,
    pub storage_targets: Vec<String>,
    pub policies: Vec<String>,
}

/// A registration secret's scope and when it was made (never its value).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RegistrationSecretInfo {
    /// The customer; none: the MSP's account-scoped secret.
    pub customer_id: Option<String>,
    pub created_at: DateTime<Utc>,
    pub created_by: String,
}

/// Creating or rotating a registration secret.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RegistrationSecretBody {
    pub customer_id: Option<String>,
}

/// The new secret, shown this once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RegistrationSecretCreated {
    pub customer_id: Option<String>,
    pub secret: String,
    pub created_at: DateTime<Utc>,
}

// ---------------------------------------------------------------- BES protocol bodies

/// `POST /bes/v1/register` (unsigned; the registration secret authenticates it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BesRegister {
    pub registration_secret: String,
    pub name: String,
    pub deployment_model: DeploymentModel,
    /// Base64 (standard, padded) of the 32-byte Ed25519 public key.
    pub public_key: String,
    pub hostname: String,
    pub ip: String,
    pub port: u16,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BesRegistered {
    pub engine_id: String,
    pub status: EngineStatus,
    pub heartbeat_interval_seconds: u32,
    pub offline_after_seconds: u32,
    /// Signed calls must carry a timestamp within this many seconds of the server's clock.
    pub clock_skew_seconds: u32,
}

/// Capacity of one storage target as the engine sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BesCapacity {
    pub target_id: String,
    pub total_bytes: u64,
    pub used_bytes: u64,
    pub free_bytes: u64,
}

/// `POST /bes/v1/heartbeat` (signed).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BesHeartbeat {
    /// True when the engine itself reports it is degraded.
    #[serde(default)]
    pub degraded: bool,
    pub version: Option<String>,
    #[serde(default)]
    pub health: EngineHealth,
    #[serde(default)]
    pub storage: Vec<BesCapacity>,
    /// Managed hosts the engine sees (send when they change, not every
    /// minute); recorded for an engine of a customer, ignored for the MSP's own.
    #[serde(default)]
    pub hosts: Vec<BesHost>,
}

/// A managed host as an engine reports it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BesHost {
    pub hostname: String,
    pub ip: Option<String>,
    pub os: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BesHeartbeatAck {
    pub engine_id: String,
    pub status: EngineStatus,
    pub server_time: DateTime<Utc>,
    pub next_heartbeat_seconds: u32,
    /// Capacity reports for targets that are not this engine's, ignored.
    pub ignored_targets: Vec<String>,
    /// Reported hosts that were new or changed.
    #[serde(default)]
    pub hosts_recorded: u32,
}

/// `POST /bes/v1/key` (signed with the current key): the new public key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BesRotateKey {
    pub public_key: String,
}

/// `GET /bes/v1/config` (signed): what the engine should do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BesConfig {
    pub engine_id: String,
    pub storage_targets: Vec<StorageTarget>,
    pub policies: Vec<PolicyDetail>,
}

// ---------------------------------------------------------------- storage

/// Connection fields of a storage target; which ones apply depends on its type.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConnectionConfig {
    /// S3 / S3 compatible.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bucket: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
    /// SMB and NFS.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server: Option<String>,
    /// SMB.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub share: Option<String>,
    /// SMB path within the share, or Local filesystem path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// NFS.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub export_path: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mount_options: Option<String>,
    /// iSCSI.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub portal: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iqn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lun: Option<u32>,
}

/// Capacity as last reported, with the derived growth and projection.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Capacity {
    pub total_bytes: u64,
    pub used_bytes: u64,
    pub free_bytes: u64,
    pub usage_percent: f64,
    /// Growth of used bytes per day, EWMA-smoothed (alpha 0.3 per report, time-weighted).
    pub growth_bytes_per_day: f64,
    /// When the target fills at that growth; none while it does not grow.
    pub estimated_full_at: Option<DateTime<Utc>>,
    pub reported_at: DateTime<Utc>,
}

/// One day of capacity history (the last report of that UTC day).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CapacityPoint {
    pub day: chrono::NaiveDate,
    pub at: DateTime<Utc>,
    pub total_bytes: u64,
    pub used_bytes: u64,
    pub free_bytes: u64,
    pub usage_percent: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StorageTarget {
    pub id: String,
    pub name: String,
    pub target_type: TargetType,
    pub engine_id: String,
    pub connection: ConnectionConfig,
    pub alert_threshold: u8,
    pub critical_threshold: u8,
    /// Whether credentials are set (they are never shown).
    pub has_credential: bool,
    pub credential_type: Option<String>,
    pub health: StorageHealth,
    pub capacity: Option<Capacity>,
    pub created_at: DateTime<Utc>,
    /// The last health check (reachability and capacity) run on the engine.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_health_check: Option<crate::TargetCheck>,
    /// The last integrity verification.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_verify: Option<crate::TargetCheck>,
}

/// Credentials of a storage target: write-only.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StorageCredential {
    pub username: String,
    pub secret: String,
    pub credential_type: String,
}

/// Creating (every field but `engine_id` may change later) or editing a storage target.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StorageTargetBody {
    pub name: String,
    pub target_type: TargetType,
    pub engine_id: String,
    #[serde(default)]
    pub connection: ConnectionConfig,
    pub alert_threshold: Option<u8>,
    pub critical_threshold: Option<u8>,
    /// New credentials (replace any set); absent keeps them.
    pub credential: Option<StorageCredential>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StorageTargetDetail {
    pub target: StorageTarget,
    pub history: Vec<CapacityPoint>,
    /// Policies that store on it (primary).
    pub policies: Vec<String>,
}

// ---------------------------------------------------------------- policies

/// A backup policy: every field of seed 001's policy form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Policy {
    pub id: String,
    pub name: String,
    pub engine_id: String,
    pub storage_target_id: String,
    pub backup_type: BackupType,
    pub full_schedule: String,
    pub incremental_schedule: Option<String>,
    pub synthetic_full_schedule: Option<String>,
    /// IANA time zone the schedules are read in.
    pub time_zone: String,
    /// What to back up on each host (absolute paths); `/` when none are given.
    #[serde(default)]
    pub include_paths: Vec<String>,
    pub exclude_paths: Vec<String>,
    pub exclude_patterns: Vec<String>,
    pub exclusion_template: Option<String>,
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
    pub catch_up_on_reconnect: bool,
    pub verify_after_backup: bool,
    pub verify_sample_count: u32,
    pub pre_patch_backup: bool,
    pub archive_on_host_deactivation: bool,
    pub enabled: bool,
    /// `storage_critical` while auto-paused for its storage target.
    pub paused_reason: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// Creating or editing a policy; absent fields take the seed's defaults on
/// create and stay as they are on edit.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PolicyBody {
    pub name: Option<String>,
    /// Required on create; cannot change.
    pub engine_id: Option<String>,
    pub storage_target_id: Option<String>,
    pub backup_type: Option<BackupType>,
    pub full_schedule: Option<String>,
    /// Empty string clears.
    pub incremental_schedule: Option<String>,
    pub synthetic_full_schedule: Option<String>,
    pub time_zone: Option<String>,
    pub include_paths: Option<Vec<String>>,
    pub exclude_paths: Option<Vec<String>>,
    pub exclude_patterns: Option<Vec<String>>,
    pub exclusion_template: Option<String>,
    pub retention_daily: Option<u16>,
    pub retention_weekly: Option<u16>,
    pub retention_monthly: Option<u16>,
    pub compression: Option<Compression>,
    pub encryption: Option<Encryption>,
    pub dedup: Option<bool>,
    /// 0 clears the cap.
    pub max_transfer_mbps: Option<u32>,
    pub io_priority: Option<IoPriority>,
    pub throttle_schedule: Option<String>,
    pub vss_enabled: Option<bool>,
    pub catch_up_on_reconnect: Option<bool>,
    pub verify_after_backup: Option<bool>,
    pub verify_sample_count: Option<u32>,
    pub pre_patch_backup: Option<bool>,
    pub archive_on_host_deactivation: Option<bool>,
    pub enabled: Option<bool>,
}

/// Whether a policy meets 3-2-1, and why not.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ThreeTwoOne {
    pub copies: u32,
    pub media_types: u32,
    pub offsite: bool,
    pub meets: bool,
    pub reasons: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PolicyDetail {
    pub policy: Policy,
    /// In execution order: type, then sequence, then id.
    pub hooks: Vec<AppHook>,
    pub replicas: Vec<ReplicaRule>,
    pub hosts: Vec<HostAssignment>,
    pub three_two_one: ThreeTwoOne,
}

// ---------------------------------------------------------------- hooks, replicas

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AppHook {
    pub id: String,
    pub policy_id: String,
    pub hook_type: HookType,
    /// None: a custom script.
    pub template: Option<HookTemplate>,
    pub script: String,
    pub timeout_seconds: u32,
    pub sequence: i32,
    pub fail_on_error: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AppHookBody {
    pub hook_type: HookType,
    pub template: Option<HookTemplate>,
    /// Required for a custom script; defaults to the template's snippet.
    pub script: Option<String>,
    pub timeout_seconds: Option<u32>,
    pub sequence: Option<i32>,
    pub fail_on_error: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReplicaRule {
    pub id: String,
    pub policy_id: String,
    pub storage_target_id: String,
    pub kek_source: KekSource,
    pub replicate_after_full: bool,
    pub replicate_after_incremental: bool,
    pub is_offsite: bool,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReplicaRuleBody {
    pub policy_id: String,
    pub storage_target_id: String,
    pub kek_source: Option<KekSource>,
    pub replicate_after_full: Option<bool>,
    pub replicate_after_incremental: Option<bool>,
    pub is_offsite: Option<bool>,
}

// ---------------------------------------------------------------- hosts

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ManagedHost {
    pub id: String,
    pub customer_id: String,
    pub hostname: String,
    pub ip: Option<String>,
    pub os: Option<String>,
    /// `manual`, or the id of the engine that reported it.
    pub source: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ManagedHostBody {
    pub customer_id: String,
    pub hostname: String,
    pub ip: Option<String>,
    pub os: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HostAssignment {
    pub policy_id: String,
    pub host_id: String,
    pub hostname: String,
    pub state: AssignmentState,
    pub assigned_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AssignHostBody {
    pub host_id: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AssignmentStateBody {
    pub state: AssignmentState,
}

// ---------------------------------------------------------------- alerts

/// An alert the control plane raised (engine offline or recovered, storage
/// warning or critical). Recorded and shown until the alert channels deliver them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BackupAlert {
    pub id: String,
    pub at: DateTime<Utc>,
    pub severity: AlertSeverity,
    /// `engine_offline`, `engine_recovered`, `engine_degraded`, `storage_warning`, `storage_critical`, `storage_healthy`.
    pub kind: String,
    /// `engine` or `storage_target`.
    pub subject_type: String,
    pub subject_id: String,
    pub message: String,
}
