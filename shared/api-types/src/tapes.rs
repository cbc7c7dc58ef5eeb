//! LTO tape media: Cartridges, tape jobs written across them in spanning
//! order, where each Cartridge is (Locations) and who had it (the Custody
//! chain, with signatures). The stored documents have these shapes too.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A Cartridge's state in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TapeStatus {
    Empty,
    InUse,
    Full,
    PendingDestruction,
}

impl TapeStatus {
    pub const ALL: [TapeStatus; 4] =
        [TapeStatus::Empty, TapeStatus::InUse, TapeStatus::Full, TapeStatus::PendingDestruction];

    pub fn as_str(self) -> &'static str {
        match self {
            TapeStatus::Empty => "empty",
            TapeStatus::InUse => "in_use",
            TapeStatus::Full => "full",
            TapeStatus::PendingDestruction => "pending_destruction",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            TapeStatus::Empty => "Empty",
            TapeStatus::InUse => "In use",
            TapeStatus::Full => "Full",
            TapeStatus::PendingDestruction => "Pending destruction",
        }
    }

    pub fn parse(s: &str) -> Option<TapeStatus> {
        TapeStatus::ALL.into_iter().find(|t| t.as_str() == s.trim().to_ascii_lowercase().replace(' ', "_"))
    }
}

/// Where a Cartridge is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum LocationKind {
    OnSite,
    InTransit,
    OffSite,
}

impl LocationKind {
    pub const ALL: [LocationKind; 3] = [LocationKind::OnSite, LocationKind::InTransit, LocationKind::OffSite];

    pub fn as_str(self) -> &'static str {
        match self {
            LocationKind::OnSite => "on_site",
            LocationKind::InTransit => "in_transit",
            LocationKind::OffSite => "off_site",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            LocationKind::OnSite => "On-site",
            LocationKind::InTransit => "In transit",
            LocationKind::OffSite => "Off-site",
        }
    }
}

/// The outcome of verifying a tape job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Verification {
    #[default]
    NotVerified,
    Passed,
    Failed,
}

impl Verification {
    pub const ALL: [Verification; 3] = [Verification::NotVerified, Verification::Passed, Verification::Failed];

    pub fn as_str(self) -> &'static str {
        match self {
            Verification::NotVerified => "not_verified",
            Verification::Passed => "passed",
            Verification::Failed => "failed",
        }
    }
}

/// The Location a Cartridge is at now, kept on the Cartridge (the one
/// current entry of its Location log).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CurrentLocation {
    pub location_id: String,
    pub kind: LocationKind,
    /// Shelf, locker or vault slot.
    pub place: String,
    pub custodian: String,
    pub since: DateTime<Utc>,
    /// Off-site: when it should come back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub return_due: Option<DateTime<Utc>>,
}

/// A Cartridge.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Tape {
    pub id: String,
    /// Unique; upper case.
    pub barcode: String,
    /// LTO generation, 1..=10.
    pub generation: u8,
    /// Native capacity in GB.
    pub capacity_gb: u64,
    #[serde(default)]
    pub tags: Vec<String>,
    pub status: TapeStatus,
    #[serde(default)]
    pub notes: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<CurrentLocation>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub version: u64,
}

/// `POST /api/v1/tapes`: one Cartridge, or `count` of them with barcodes
/// counting up from `barcode` (a box of 20: `ABC100L8` .. `ABC119L8`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RegisterTapes {
    pub barcode: String,
    /// 1..=50; default 1.
    #[serde(default)]
    pub count: Option<u32>,
    pub generation: u8,
    /// Default: the generation's native capacity.
    #[serde(default)]
    pub capacity_gb: Option<u64>,
    #[serde(default)]
    pub status: Option<TapeStatus>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub notes: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RegisteredTapes {
    pub tapes: Vec<Tape>,
    /// E.g. "XYZ-0001 is not an LTO label".
    pub warnings: Vec<String>,
}

/// `PUT /api/v1/tapes/{id}` (the barcode stays).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TapeUpdate {
    pub generation: u8,
    pub capacity_gb: u64,
    #[serde(default)]
    pub tags: Vec<String>,
    pub status: TapeStatus,
    #[serde(default)]
    pub notes: String,
    pub version: u64,
}

/// One entry of a Cartridge's Location log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TapeLocation {
    pub id: String,
    pub tape_id: String,
    pub kind: LocationKind,
    #[serde(default)]
    pub place: String,
    #[serde(default)]
    pub custodian: String,
    /// Courier or vault company.
    #[serde(default)]
    pub provider: String,
    pub at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub return_due: Option<DateTime<Utc>>,
    #[serde(default)]
    pub notes: String,
    pub logged_by: String,
    pub logged_at: DateTime<Utc>,
    /// Is this the Cartridge's current Location? (Derived, not stored.)
    #[serde(default)]
    pub current: bool,
}

/// `POST /api/v1/tapes/{id}/locations`: the new Location becomes the only
/// current one. `version` is the Cartridge's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LogLocation {
    pub kind: LocationKind,
    #[serde(default)]
    pub place: String,
    #[serde(default)]
    pub custodian: String,
    #[serde(default)]
    pub provider: String,
    /// Default: now. Never in the future.
    #[serde(default)]
    pub at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub return_due: Option<DateTime<Utc>>,
    #[serde(default)]
    pub notes: String,
    pub version: u64,
}

/// How the receiving person signed a hand-off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Signature {
    /// Drawn on the pad: a PNG as a `data:image/png;base64,` URL (at most
    /// 100 KB, at most 2000 x 1000 pixels) and the signer's name.
    Drawn { image: String, signer: String },
    /// The signer typed their name.
    Typed { name: String },
}

impl Signature {
    pub fn signer(&self) -> &str {
        match self {
            Signature::Drawn { signer, .. } => signer,
            Signature::Typed { name } => name,
        }
    }
}

/// A hand-off in a Cartridge's Custody chain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CustodyEvent {
    pub id: String,
    pub tape_id: String,
    pub from: String,
    pub to: String,
    pub at: DateTime<Utc>,
    #[serde(default)]
    pub reason: String,
    /// Once signed, the event is never edited; a correcting event follows it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<Signature>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signed_at: Option<DateTime<Utc>>,
    /// The earlier event of the same Cartridge this one corrects.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub corrects: Option<String>,
    pub recorded_by: String,
    pub recorded_at: DateTime<Utc>,
    #[serde(default)]
    pub version: u64,
}

/// `POST /api/v1/tapes/{id}/custody`; `PUT .../custody/{event}` takes it
/// with the event's `version` (unsigned events only).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecordCustody {
    pub from: String,
    pub to: String,
    /// Default: now. Never in the future.
    #[serde(default)]
    pub at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub signature: Option<Signature>,
    #[serde(default)]
    pub corrects: Option<String>,
    /// Edits only: the event's version.
    #[serde(default)]
    pub version: Option<u64>,
}

/// A tape job: a backup written to one or more Cartridges in spanning order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TapeJob {
    pub id: String,
    pub name: String,
    pub job_date: DateTime<Utc>,
    pub retention_days: u32,
    /// `job_date` + `retention_days`.
    pub expires_at: DateTime<Utc>,
    #[serde(default)]
    pub total_files: u64,
    #[serde(default)]
    pub total_bytes: u64,
    #[serde(default)]
    pub verification: Verification,
    #[serde(default)]
    pub source_system: String,
    #[serde(default)]
    pub technician: String,
    /// The Cartridges in spanning order (first written first).
    pub tape_ids: Vec<String>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub version: u64,
}

/// `POST /api/v1/tape-jobs`, and `PUT /api/v1/tape-jobs/{id}` with `version`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TapeJobInput {
    pub name: String,
    pub job_date: DateTime<Utc>,
    pub retention_days: u32,
    #[serde(default)]
    pub total_files: u64,
    #[serde(default)]
    pub total_bytes: u64,
    #[serde(default)]
    pub verification: Verification,
    #[serde(default)]
    pub source_system: String,
    #[serde(default)]
    pub technician: String,
    /// Cartridge ids in spanning order; each at most once.
    pub tape_ids: Vec<String>,
    #[serde(default)]
    pub version: Option<u64>,
}

/// A Cartridge as the lists show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TapeSummary {
    pub tape: Tape,
    /// Tape jobs written to it.
    pub jobs: u32,
    /// It holds jobs and every one of them has expired.
    pub reusable: bool,
    /// Off-site past its return date.
    pub overdue: bool,
}

/// A tape job as the lists show it: with the barcodes in spanning order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TapeJobSummary {
    pub job: TapeJob,
    pub barcodes: Vec<String>,
    pub expired: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CountBy {
    pub key: String,
    pub count: u64,
}

/// `GET /api/v1/tapes`: the overview.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TapesOverview {
    pub total_tapes: u64,
    pub total_jobs: u64,
    /// By status (`empty`, ...).
    pub by_status: Vec<CountBy>,
    /// By current Location kind, `unknown` for none logged.
    pub by_location: Vec<CountBy>,
    /// By barcode.
    pub tapes: Vec<TapeSummary>,
    /// Newest job date first.
    pub recent_jobs: Vec<TapeJobSummary>,
    pub can_write: bool,
    pub can_delete: bool,
}

/// `GET /api/v1/tapes/{id}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TapeDetail {
    pub summary: TapeSummary,
    /// Newest first.
    pub locations: Vec<TapeLocation>,
    /// The chain, oldest first.
    pub custody: Vec<CustodyEvent>,
    /// The tape jobs written to it, newest job date first.
    pub jobs: Vec<TapeJobSummary>,
    pub can_write: bool,
    pub can_delete: bool,
}

/// `GET /api/v1/tape-jobs/{id}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TapeJobDetail {
    pub summary: TapeJobSummary,
    /// The Cartridges in spanning order.
    pub tapes: Vec<Tape>,
    pub can_write: bool,
    pub can_delete: bool,
}

/// What deleting a Cartridge removes (`GET .../delete-preview` says it
/// before, `DELETE` says what it did).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TapeCascade {
    pub barcode: String,
    pub locations: u64,
    pub custody_events: u64,
    /// Tape jobs the Cartridge is taken out of (the jobs stay).
    pub job_bindings: u64,
    pub jobs: Vec<String>,
}

/// What deleting a tape job removes: itself and its bindings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TapeJobCascade {
    pub name: String,
    pub job_bindings: u64,
}

/// `GET`/`PUT /api/v1/settings/tapes-access` (admins): which roles may write
/// tapes (register, edit, log jobs, locations and custody). Admins always
/// may; deleting stays with admins. The others only read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TapesAccess {
    pub operator_writes: bool,
    pub reporter_writes: bool,
    pub viewer_writes: bool,
}
