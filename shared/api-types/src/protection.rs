//! Protected objects (seed 001, "Protected Objects"): anything covered by
//! backup, created when a native policy is assigned to a host, when an
//! engine reports objects, or when a platform sync discovers them; each
//! with an RPO in hours.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::JobSourceKind;

wire_enum!(
    /// What a protected object is.
    ObjectType { Vm = "vm", Physical = "physical", Fileset = "fileset", CloudResource = "cloud_resource", Nas = "nas" }
);

/// Where a protected object comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ObjectSource {
    /// A native policy assigned to a managed host.
    Native { policy_id: String, host_id: String },
    /// Discovered by a platform sync, by the platform's own object id.
    Platform { platform_id: String, external_id: String },
}

impl ObjectSource {
    pub fn kind(&self) -> JobSourceKind {
        match self {
            ObjectSource::Native { .. } => JobSourceKind::Native,
            ObjectSource::Platform { .. } => JobSourceKind::Platform,
        }
    }
}

wire_enum!(
    /// The last backup's result for an object; `never` when it has none.
    LastBackupStatus { Success = "success", Warning = "warning", Failed = "failed", Never = "never" } default Never
);

/// One protected object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProtectedObject {
    pub id: String,
    pub customer_id: String,
    pub name: String,
    pub object_type: ObjectType,
    /// The host it lives on (for a VM: its hypervisor or the VM name).
    pub hostname: Option<String>,
    pub source: ObjectSource,
    /// The job whose runs back it up (a core job id), when known.
    pub job_id: Option<String>,
    pub rpo_hours: u32,
    pub last_status: LastBackupStatus,
    pub last_backup_at: Option<DateTime<Utc>>,
    pub last_success_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    /// The start of the breach already reported to Run Checks and the
    /// alert channels (cleared by the next successful backup).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub breach_reported_for: Option<DateTime<Utc>>,
    /// The run of its last backup (an agent job, or a platform's session), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_run_id: Option<String>,
}

impl ProtectedObject {
    /// When it breaches its RPO unless a successful backup comes first.
    pub fn breach_at(&self) -> DateTime<Utc> {
        self.last_success_at.unwrap_or(self.created_at) + chrono::Duration::hours(self.rpo_hours.into())
    }

    /// Default RPO of a new object: a day.
    pub const DEFAULT_RPO_HOURS: u32 = 24;

    /// Past its RPO: no successful backup within `rpo_hours` of `now`
    /// (counted from its creation while it never had one).
    pub fn in_breach(&self, now: DateTime<Utc>) -> bool {
        now > self.breach_at()
    }
}

/// A protected object as listed: with its breach state at the time of the call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProtectedObjectView {
    #[serde(flatten)]
    pub object: ProtectedObject,
    pub customer_name: String,
    pub rpo_breach: bool,
    /// How long past its RPO, in hours (0 when within).
    pub breach_hours: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProtectedObjectPage {
    pub items: Vec<ProtectedObjectView>,
    pub total: u64,
    pub next_cursor: Option<String>,
}

/// `PATCH /api/v1/backup/objects/{id}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProtectedObjectBody {
    pub rpo_hours: Option<u32>,
}
