//! The backup dashboard (seed: "Monitoring and Dashboard"): the summary and
//! four exception queues, each its own call so the UI loads, fails and
//! empties each on its own.

use std::collections::{HashMap, HashSet};

use bc_api_types::{self as api, AgentJobStatus, LastBackupStatus, Permission, ProtectedObject};
use chrono::Duration;

use super::AgentJobRecord;
use crate::app::App;
use crate::auth::permissions::Actor;
use crate::backup::hosts::Assignment;
use crate::error::Result;

/// Rows one queue shows at most.
const QUEUE_LIMIT: usize = 100;

impl App {
    /// `GET /api/v1/backup/dashboard/summary`.
    pub async fn dashboard_summary(&self, actor: &Actor) -> Result<api::DashboardSummary> {
        actor.require(Permission::ViewBackup)?;
        let now = self.clock.now();
        let mut s = api::DashboardSummary::default();
        for o in self.bk_list::<ProtectedObject>().await? {
            s.protected_count += 1;
            if o.value.last_status == LastBackupStatus::Failed {
                s.at_risk_count += 1;
            }
            if o.value.in_breach(now) {
                s.rpo_breach_count += 1;
            }
        }
        let covered: HashSet<String> = self
            .bk_list::<Assignment>()
            .await?
            .into_iter()
            .filter(|a| a.value.state == api::AssignmentState::Active)
            .map(|a| a.value.host_id)
            .collect();
        s.unprotected_host_count =
            self.bk_list::<api::ManagedHost>().await?.iter().filter(|h| !covered.contains(&h.value.id)).count() as u64;
        for e in self.bk_list::<api::Engine>().await? {
            match e.value.status {
                api::EngineStatus::Online | api::EngineStatus::Degraded => s.engines_online += 1,
                api::EngineStatus::Offline => s.engines_offline += 1,
                api::EngineStatus::Pending => {}
            }
        }
        let since = now - Duration::hours(24);
        for j in self.bk_list::<AgentJobRecord>().await? {
            let j = j.value.job;
            if j.kind != api::AgentJobKind::Backup || j.ended_at.is_none_or(|t| t < since) {
                continue;
            }
            match j.status {
                AgentJobStatus::Success => s.success_24h += 1,
                AgentJobStatus::Failed => s.failed_24h += 1,
                AgentJobStatus::Warning => s.warning_24h += 1,
                _ => {}
            }
        }
        Ok(s)
    }

    /// `GET /api/v1/backup/dashboard/failed`: hosts whose latest backup of a policy failed.
    pub async fn dashboard_failed(&self, actor: &Actor) -> Result<Vec<api::FailedBackup>> {
        actor.require(Permission::ViewBackup)?;
        let mut latest: HashMap<(String, String), api::AgentJob> = HashMap::new();
        for r in self.bk_list::<AgentJobRecord>().await? {
            let j = r.value.job;
            if j.kind != api::AgentJobKind::Backup {
                continue;
            }
            let key = (j.policy_id.clone().unwrap_or_default(), j.host_id.clone().unwrap_or_default());
            let newer = latest.get(&key).is_none_or(|k| (j.created_at, &j.id) > (k.created_at, &k.id));
            if newer {
                latest.insert(key, j);
            }
        }
        let mut out: Vec<api::FailedBackup> = latest
            .into_values()
            .filter(|j| j.status == AgentJobStatus::Failed)
            .map(|j| {
                let policy_name = match &j.payload {
                    api::JobPayload::Backup(p) => p.policy_name.clone(),
                    _ => String::new(),
                };
                api::FailedBackup {
                    agent_job_id: j.id.clone(),
                    job_id: j.job_id.clone(),
                    policy_id: j.policy_id.clone().unwrap_or_default(),
                    policy_name,
                    hostname: j.hostname.clone(),
                    status: j.status,
                    failed_at: j.ended_at.unwrap_or(j.created_at),
                    error: j.error.clone(),
                    retryable: j.retryable,
                }
            })
            .collect();
        out.sort_by(|a, b| b.failed_at.cmp(&a.failed_at));
        out.truncate(QUEUE_LIMIT);
        Ok(out)
    }

    /// `GET /api/v1/backup/dashboard/rpo-breaches`: longest breach first.
    pub async fn dashboard_rpo_breaches(&self, actor: &Actor) -> Result<Vec<api::ProtectedObjectView>> {
        actor.require(Permission::ViewBackup)?;
        let now = self.clock.now();
        let names = self.customer_names().await?;
        let mut out: Vec<api::ProtectedObjectView> = self
            .bk_list::<ProtectedObject>()
            .await?
            .into_iter()
            .filter(|o| o.value.in_breach(now))
            .map(|o| super::list::view(o.value, &names, now))
            .collect();
        out.sort_by(|a, b| b.breach_hours.cmp(&a.breach_hours).then(a.object.name.cmp(&b.object.name)));
        out.truncate(QUEUE_LIMIT);
        Ok(out)
    }

    /// `GET /api/v1/backup/dashboard/storage`: targets in warning or critical health.
    pub async fn dashboard_storage(&self, actor: &Actor) -> Result<Vec<api::StorageAlertRow>> {
        actor.require(Permission::ViewBackup)?;
        let mut out: Vec<api::StorageAlertRow> = self
            .bk_list::<api::StorageTarget>()
            .await?
            .into_iter()
            .map(|t| t.value)
            .filter(|t| matches!(t.health, api::StorageHealth::Warning | api::StorageHealth::Critical))
            .map(|t| api::StorageAlertRow {
                usage_percent: t.capacity.as_ref().map(|c| c.usage_percent),
                last_check_at: t.last_health_check.as_ref().map(|c| c.at).or(t.capacity.as_ref().map(|c| c.reported_at)),
                target_id: t.id,
                name: t.name,
                target_type: t.target_type,
                health: t.health,
            })
            .collect();
        out.sort_by(|a, b| {
            (b.health == api::StorageHealth::Critical)
                .cmp(&(a.health == api::StorageHealth::Critical))
                .then(a.name.cmp(&b.name))
        });
        out.truncate(QUEUE_LIMIT);
        Ok(out)
    }

    /// `GET /api/v1/backup/dashboard/verification-failures`.
    pub async fn dashboard_verification_failures(&self, actor: &Actor) -> Result<Vec<api::RestorePoint>> {
        actor.require(Permission::ViewBackup)?;
        let mut out: Vec<api::RestorePoint> = self
            .bk_list::<api::RestorePoint>()
            .await?
            .into_iter()
            .map(|p| p.value)
            .filter(|p| {
                p.status == api::RestorePointStatus::Complete
                    && matches!(p.verification, api::VerificationStatus::Failed | api::VerificationStatus::Partial)
            })
            .collect();
        out.sort_by(|a, b| b.completed_at.cmp(&a.completed_at));
        out.truncate(QUEUE_LIMIT);
        Ok(out)
    }
}
