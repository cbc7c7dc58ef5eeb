//! Native backups (issue 15): agent jobs the control plane dispatches to
//! engines ([`dispatch`]), the engine's side of them ([`protocol`]), what a
//! result changes ([`results`]: runs, restore points, protected objects,
//! retention, automatic retries), the deadlines ([`sweep`]), restores and
//! storage checks asked for in the UI ([`restore`]), the lists
//! ([`list`]) and the dashboard ([`dashboard`]).
//!
//! An agent job lives under `open:<engine>` while it is pending or running
//! (so a poll reads only the engine's open jobs) and under
//! `done:<policy or target>` once it ended (a policy's history).

pub mod dashboard;
pub mod dispatch;
pub mod list;
pub mod protocol;
pub mod restore;
pub mod results;
pub mod retention;
pub mod sweep;

use bc_api_types::{self as api, AgentJobStatus};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::Record;
use super::repo::BackupKind;
use crate::app::App;
use crate::error::Result;

/// A job offered and not acknowledged is offered again after this long.
pub const REOFFER_SECONDS: i64 = 120;
/// A running job without progress for this long fails.
pub const PROGRESS_TIMEOUT_SECONDS: u32 = 600;
/// A job no engine fetched within this long fails.
pub const PENDING_TIMEOUT_HOURS: i64 = 24;
/// Jobs one poll hands out.
pub const POLL_LIMIT: usize = 20;
/// Automatic retries of a failed, retryable run (the default of the setting).
pub const AUTO_RETRY_DEFAULT: u32 = 3;
/// Paths one file restore may name.
pub const MAX_RESTORE_PATHS: usize = 10_000;
/// Entries a browse or search result may carry.
pub const MAX_ENTRIES: usize = 10_000;
/// A BMR token's life.
pub const BMR_TOKEN_HOURS: i64 = 4;

/// An agent job as stored: the job, its deadline while open, and for a
/// bare-metal restore when its token was redeemed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgentJobRecord {
    pub job: api::AgentJob,
    pub deadline: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_redeemed_at: Option<DateTime<Utc>>,
}

impl Record for AgentJobRecord {
    const KIND: BackupKind = BackupKind::AgentJob;
    fn id(&self) -> &str {
        &self.job.id
    }
    fn parent(&self) -> Option<String> {
        Some(if self.job.status.is_final() { done_parent(&self.job) } else { open_parent(&self.job.engine_id) })
    }
    fn due_at(&self) -> Option<DateTime<Utc>> {
        if self.job.status.is_final() { None } else { self.deadline }
    }
}

pub(crate) fn open_parent(engine_id: &str) -> String {
    format!("open:{engine_id}")
}

/// A backup's history is its policy's; a storage check's its target's; a
/// restore's, browse's or search's its restore point's.
pub(crate) fn done_parent(j: &api::AgentJob) -> String {
    let owner = match &j.payload {
        api::JobPayload::Backup(p) => p.policy_id.clone(),
        api::JobPayload::Forget(p) => p.policy_id.clone(),
        api::JobPayload::Browse(p) => p.restore_point_id.clone(),
        api::JobPayload::Search(p) => p.restore_point_id.clone(),
        api::JobPayload::FileRestore(p) => p.restore_point_id.clone(),
        api::JobPayload::ImageRestore(p) => p.restore_point_id.clone(),
        api::JobPayload::BareMetalRestore(p) => p.restore_point_id.clone(),
        api::JobPayload::HealthCheck | api::JobPayload::Verify(_) => j.target_id.clone().unwrap_or_default(),
        api::JobPayload::Replicate(p) => p.restore_point_id.clone(),
    };
    format!("done:{owner}")
}

impl Record for api::RestorePoint {
    const KIND: BackupKind = BackupKind::RestorePoint;
    fn id(&self) -> &str {
        &self.id
    }
    fn parent(&self) -> Option<String> {
        Some(self.host_id.clone())
    }
}

/// The engine-facing view of a job: no token once redeemed, and never the
/// UI's bookkeeping.
pub(crate) fn for_engine(
    r: &AgentJobRecord,
    target: Option<&api::StorageTarget>,
    replica_target: Option<&api::StorageTarget>,
) -> api::EngineJob {
    let job_target = |t: &api::StorageTarget| api::JobTarget {
        id: t.id.clone(),
        target_type: t.target_type,
        connection: t.connection.clone(),
    };
    api::EngineJob {
        id: r.job.id.clone(),
        priority: r.job.priority,
        created_at: r.job.created_at,
        target: target.map(job_target),
        replica_target: replica_target.map(job_target),
        payload: r.job.payload.clone(),
        progress_timeout_seconds: PROGRESS_TIMEOUT_SECONDS,
    }
}

/// What the UI may see of a job: a bare-metal restore's token is the
/// engine's alone.
pub(crate) fn for_ui(mut j: api::AgentJob) -> api::AgentJob {
    if let api::JobPayload::BareMetalRestore(p) = &mut j.payload {
        p.token = String::new();
    }
    j
}

/// A new agent job, pending.
#[allow(clippy::too_many_arguments)]
pub(crate) fn new_job(
    id: String,
    engine_id: &str,
    payload: api::JobPayload,
    reason: api::DispatchReason,
    created_by: &str,
    now: DateTime<Utc>,
) -> AgentJobRecord {
    let kind = payload.kind();
    AgentJobRecord {
        job: api::AgentJob {
            id,
            kind,
            engine_id: engine_id.to_string(),
            customer_id: None,
            policy_id: None,
            host_id: None,
            hostname: None,
            target_id: None,
            job_id: None,
            status: AgentJobStatus::Pending,
            priority: kind.priority(),
            reason,
            level: None,
            slot: None,
            created_at: now,
            created_by: created_by.to_string(),
            dispatched_at: None,
            started_at: None,
            ended_at: None,
            last_progress_at: None,
            progress_percent: None,
            duration_secs: None,
            bytes_transferred: 0,
            protected_bytes: 0,
            restore_point_id: None,
            error: None,
            retryable: false,
            attempt: 1,
            retry_of: None,
            payload,
            result: None,
        },
        deadline: Some(now + Duration::hours(PENDING_TIMEOUT_HOURS)),
        token_redeemed_at: None,
    }
}

pub use bc_api_types::BackupSettings;

const SETTINGS_KEY: &str = "backup_settings";

impl App {
    pub(crate) async fn backup_settings_doc(&self) -> Result<BackupSettings> {
        Ok(match self.store.get_setting(SETTINGS_KEY).await? {
            Some(v) => serde_json::from_str(&v).unwrap_or_default(),
            None => BackupSettings::default(),
        })
    }

    /// `GET /api/v1/backup/settings`.
    pub async fn backup_settings(&self, actor: &crate::auth::permissions::Actor) -> Result<BackupSettings> {
        actor.require(bc_api_types::Permission::ViewBackup)?;
        self.backup_settings_doc().await
    }

    /// `PUT /api/v1/backup/settings`.
    pub async fn set_backup_settings(
        &self,
        actor: &crate::auth::permissions::Actor,
        body: &BackupSettings,
    ) -> Result<BackupSettings> {
        actor.require(bc_api_types::Permission::ManageBackup)?;
        if body.auto_retry_max > 10 {
            return Err(crate::error::Error::Invalid("automatic retries: 0 to 10".into()));
        }
        let before = self.backup_settings_doc().await?;
        let text = serde_json::to_string(body).map_err(|e| crate::error::Error::Backend(e.to_string()))?;
        self.store.put_setting(SETTINGS_KEY, &text).await?;
        let change = crate::audit::Change::diff(&before, body);
        self.audit(crate::audit::audit_entry(self, actor, "backup_settings", "backup", "update", change)).await?;
        Ok(body.clone())
    }
}
