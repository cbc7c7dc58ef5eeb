//! The backup dashboard (seed: "Monitoring and Dashboard"): the summary and
//! four exception queues, each its own call so the UI loads, fails and
//! empties each on its own.

use bc_api_types::{self as api, AgentJobStatus, Permission, ProtectedObject};
use chrono::Duration;

use super::AgentJobRecord;
use crate::app::App;
use crate::auth::permissions::Actor;
use crate::error::Result;

/// Rows one queue shows at most.
const QUEUE_LIMIT: usize = 100;

fn ended_counter(status: AgentJobStatus, at: chrono::DateTime<chrono::Utc>) -> String {
    format!("backups_ended:{}:{}", status.as_str(), at.format("%Y-%m-%dT%H"))
}

impl App {
    /// `GET /api/v1/backup/dashboard/summary`. Counts come from the store
    /// (no object is read into memory on the embedded store) and from hourly
    /// counters of ended backups.
    pub async fn dashboard_summary(&self, actor: &Actor) -> Result<api::DashboardSummary> {
        actor.require(Permission::ViewBackup)?;
        let now = self.clock.now();
        let mut s = api::DashboardSummary::default();
        let c = self.store.protection_counts(now).await?;
        s.protected_count = c.total;
        s.at_risk_count = c.failed;
        s.rpo_breach_count = c.breaching;
        s.unprotected_host_count = self.store.uncovered_host_count().await?;
        for e in self.bk_list::<api::Engine>().await? {
            match e.value.status {
                api::EngineStatus::Online | api::EngineStatus::Degraded => s.engines_online += 1,
                api::EngineStatus::Offline => s.engines_offline += 1,
                api::EngineStatus::Pending => {}
            }
        }
        // The last 24 hours: this hour and the 23 before it.
        for h in 0..24 {
            let hour = now - Duration::hours(h);
            for (status, slot) in [
                (AgentJobStatus::Success, &mut s.success_24h),
                (AgentJobStatus::Failed, &mut s.failed_24h),
                (AgentJobStatus::Warning, &mut s.warning_24h),
            ] {
                *slot += self.store.get_counter(&ended_counter(status, hour)).await?;
            }
        }
        Ok(s)
    }

    /// Counts a backup that just ended (once: callers call it on the change to ended).
    pub(crate) async fn count_ended_backup(&self, j: &api::AgentJob) {
        if j.kind != api::AgentJobKind::Backup || !j.status.is_final() {
            return;
        }
        let at = j.ended_at.unwrap_or(self.clock.now());
        if let Err(e) = self.store.bump_counter(&ended_counter(j.status, at), at + Duration::hours(26)).await {
            tracing::warn!(job = %j.id, error = %e, "counting an ended backup failed");
        }
    }

    /// `GET /api/v1/backup/dashboard/failed`: hosts whose latest backup of a policy failed.
    pub async fn dashboard_failed(&self, actor: &Actor) -> Result<Vec<api::FailedBackup>> {
        actor.require(Permission::ViewBackup)?;
        let mut out = Vec::new();
        for d in self.store.failed_native_objects(QUEUE_LIMIT).await? {
            let o: ProtectedObject = serde_json::from_str(&d.body)
                .map_err(|e| crate::error::Error::Backend(format!("a stored protected object is unreadable: {e}")))?;
            let Some(run) = &o.last_run_id else { continue };
            let Some(j) = self.bk_get::<AgentJobRecord>(run).await?.map(|r| r.value.job) else { continue };
            if j.status != AgentJobStatus::Failed {
                continue;
            }
            let policy_name = match &j.payload {
                api::JobPayload::Backup(p) => p.policy_name.clone(),
                _ => String::new(),
            };
            out.push(api::FailedBackup {
                agent_job_id: j.id.clone(),
                job_id: j.job_id.clone(),
                policy_id: j.policy_id.clone().unwrap_or_default(),
                policy_name,
                hostname: j.hostname.clone(),
                status: j.status,
                failed_at: j.ended_at.unwrap_or(j.created_at),
                error: j.error.clone(),
                retryable: j.retryable,
            });
        }
        Ok(out)
    }

    /// `GET /api/v1/backup/dashboard/rpo-breaches`: longest breach first.
    pub async fn dashboard_rpo_breaches(&self, actor: &Actor) -> Result<Vec<api::ProtectedObjectView>> {
        actor.require(Permission::ViewBackup)?;
        let now = self.clock.now();
        let names = self.customer_names().await?;
        let mut out = Vec::new();
        for d in self.store.breaching_objects(now, QUEUE_LIMIT).await? {
            let o: ProtectedObject = serde_json::from_str(&d.body)
                .map_err(|e| crate::error::Error::Backend(format!("a stored protected object is unreadable: {e}")))?;
            out.push(super::list::view(o, &names, now));
        }
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
                last_check_at: t
                    .last_health_check
                    .as_ref()
                    .map(|c| c.at)
                    .or(t.capacity.as_ref().map(|c| c.reported_at)),
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
        out.sort_by_key(|p| std::cmp::Reverse(p.completed_at));
        out.truncate(QUEUE_LIMIT);
        Ok(out)
    }
}
