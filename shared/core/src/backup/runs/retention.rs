//! Retention (the policy's GFS rule) and retries.
//!
//! Retention keeps, of a host's complete restore points under a policy, the
//! newest of each of the last `retention_daily` days, `retention_weekly`
//! ISO weeks and `retention_monthly` months (UTC; a point kept by any rule
//! stays, and the newest point always stays). The others expire, and one
//! `forget` job asks the engine to remove their snapshots and prune. It
//! runs after each successful backup and once a day for every policy, so
//! points of hosts that no longer back up (archived under "archive on host
//! deactivation") age out by the same rule instead of vanishing at once.
//!
//! Retries (seed: "Retrying a Failed Job", "Automatic Retries"): a manual
//! retry needs the latest run failed or warning and retryable and
//! dispatches to every active host; an automatic one follows a failed,
//! retryable run up to the configured number of times, skips a host with a
//! backup still pending or running, and its runs are never retryable
//! themselves (so retries do not cascade).

use std::collections::{BTreeMap, HashSet};

use bc_api_types::{self as api, AgentJobStatus, BackupLevel, DispatchReason, JobSource, Permission};
use chrono::{Datelike, Duration, NaiveDate, Utc};
use serde_json::json;

use super::{AgentJobRecord, new_job, open_parent};
use crate::app::App;
use crate::audit::{Change, audit_entry};
use crate::auth::permissions::Actor;
use crate::backup::hosts::Assignment;
use crate::error::{Error, Result};
use crate::ids::{self, check_id};

/// Which of `points` (newest first, as (id, completion time)) the GFS rule keeps.
pub fn gfs_keep(
    points: &[(String, chrono::DateTime<Utc>)],
    daily: u16,
    weekly: u16,
    monthly: u16,
    now: chrono::DateTime<Utc>,
) -> HashSet<String> {
    let mut keep = HashSet::new();
    if let Some((id, _)) = points.first() {
        keep.insert(id.clone());
    }
    let today = now.date_naive();
    let mut newest_per: BTreeMap<(u8, i64), &str> = BTreeMap::new();
    for (id, at) in points {
        let d = at.date_naive();
        let day_age = (today - d).num_days();
        if day_age >= 0 && day_age < i64::from(daily) {
            newest_per.entry((0, day_age)).or_insert(id);
        }
        let week_age = (monday(today) - monday(d)).num_days() / 7;
        if week_age >= 0 && week_age < i64::from(weekly) {
            newest_per.entry((1, week_age)).or_insert(id);
        }
        let month_age =
            i64::from(today.year() * 12 + today.month() as i32) - i64::from(d.year() * 12 + d.month() as i32);
        if month_age >= 0 && month_age < i64::from(monthly) {
            newest_per.entry((2, month_age)).or_insert(id);
        }
    }
    keep.extend(newest_per.values().map(|s| s.to_string()));
    keep
}

fn monday(d: NaiveDate) -> NaiveDate {
    d - Duration::days(i64::from(d.weekday().num_days_from_monday()))
}

impl App {
    /// Expires the host's points beyond the policy's rule and asks the engine to forget them.
    pub(crate) async fn apply_retention(&self, policy_id: &str, host_id: &str) -> Result<u32> {
        let Some(policy) = self.bk_get::<api::Policy>(policy_id).await?.map(|p| p.value) else { return Ok(0) };
        let now = self.clock.now();
        let mut points: Vec<api::RestorePoint> = self
            .bk_children::<api::RestorePoint>(host_id)
            .await?
            .into_iter()
            .map(|s| s.value)
            .filter(|p| p.policy_id == policy_id && p.status == api::RestorePointStatus::Complete)
            .collect();
        points.sort_by(|a, b| b.completed_at.cmp(&a.completed_at).then(b.id.cmp(&a.id)));
        let list: Vec<_> = points.iter().map(|p| (p.id.clone(), p.completed_at)).collect();
        let keep = gfs_keep(&list, policy.retention_daily, policy.retention_weekly, policy.retention_monthly, now);
        let expire: Vec<&api::RestorePoint> = points.iter().filter(|p| !keep.contains(&p.id)).collect();
        if expire.is_empty() {
            return Ok(0);
        }
        let mut snapshots: Vec<String> = expire.iter().map(|p| p.snapshot_id.clone()).collect();
        snapshots.sort();
        for p in &expire {
            self.bk_modify::<api::RestorePoint, _>(&p.id, "restore point", |x| {
                x.status = api::RestorePointStatus::Expired;
                x.expired_at.get_or_insert(now);
                Ok(())
            })
            .await?;
        }
        let id = ids::derived("aj", &format!("forget|{policy_id}|{host_id}|{}", snapshots.join(",")));
        let payload = api::JobPayload::Forget(api::ForgetPayload {
            policy_id: policy_id.to_string(),
            snapshot_ids: snapshots,
            prune: true,
        });
        let mut r = new_job(id, &policy.engine_id, payload, DispatchReason::Retention, "system", now);
        r.job.policy_id = Some(policy_id.to_string());
        r.job.host_id = Some(host_id.to_string());
        r.job.target_id = Some(policy.storage_target_id.clone());
        r.job.customer_id = expire[0].customer_id.clone();
        r.job.hostname = Some(expire[0].hostname.clone());
        match self.bk_insert(&r).await {
            Ok(()) | Err(Error::Conflict(_)) => {}
            Err(e) => return Err(e),
        }
        let change =
            Change::fields(json!({}), json!({"expired": expire.len(), "policy_id": policy_id, "host_id": host_id}));
        self.audit(audit_entry(self, &Actor::system(), "restore_point", host_id, "expire", change)).await?;
        Ok(expire.len() as u32)
    }

    /// The daily pass over every policy's hosts (claimed once a day).
    pub async fn retention_pass(&self) -> Result<u32> {
        let now = self.clock.now();
        let day = now.format("%Y-%m-%d").to_string();
        if !self.store.claim(&format!("backup-retention:{day}"), now, now + Duration::hours(36)).await? {
            return Ok(0);
        }
        let mut pairs: HashSet<(String, String)> = HashSet::new();
        for p in self.bk_list::<api::RestorePoint>().await? {
            if p.value.status == api::RestorePointStatus::Complete {
                pairs.insert((p.value.policy_id, p.value.host_id));
            }
        }
        let mut n = 0;
        for (policy, host) in pairs {
            match self.apply_retention(&policy, &host).await {
                Ok(k) => n += k,
                Err(e) => tracing::warn!(policy = %policy, host = %host, error = %e, "retention failed"),
            }
        }
        Ok(n)
    }

    /// Whether the host has a backup of the policy pending or running.
    async fn backup_open(&self, engine_id: &str, policy_id: &str, host_id: &str) -> Result<bool> {
        Ok(self.bk_children::<AgentJobRecord>(&open_parent(engine_id)).await?.iter().any(|s| {
            s.value.job.kind == api::AgentJobKind::Backup
                && s.value.job.policy_id.as_deref() == Some(policy_id)
                && s.value.job.host_id.as_deref() == Some(host_id)
        }))
    }

    /// After a failed backup: the next automatic attempt, if the rules allow.
    pub(crate) async fn auto_retry(&self, j: &api::AgentJob, p: &api::BackupPayload) -> Result<()> {
        let max = self.backup_settings_doc().await?.auto_retry_max;
        // Attempt 1 is the run itself; retries are attempts 2 ..= max + 1.
        if j.attempt > max {
            return Ok(());
        }
        // A manual retry's failure is the operator's to act on.
        if j.reason == DispatchReason::Retry {
            return Ok(());
        }
        let anchor_id = j.retry_of.clone().unwrap_or_else(|| j.id.clone());
        let anchor_retryable = if j.retry_of.is_none() {
            j.retryable
        } else {
            match self.bk_get::<AgentJobRecord>(&anchor_id).await? {
                Some(a) => a.value.job.retryable,
                None => false,
            }
        };
        if !anchor_retryable {
            return Ok(());
        }
        if self.backup_open(&j.engine_id, &p.policy_id, &p.host_id).await? {
            return Ok(());
        }
        let Some(policy) = self.bk_get::<api::Policy>(&p.policy_id).await?.map(|x| x.value) else { return Ok(()) };
        let id = ids::derived("aj", &format!("retry|{anchor_id}|{}", j.attempt + 1));
        let level = j.level.unwrap_or(BackupLevel::Incremental);
        self.dispatch_backup(
            &policy,
            &p.host_id,
            level,
            None,
            DispatchReason::AutoRetry,
            &Actor::system(),
            id,
            j.attempt + 1,
            Some(anchor_id),
        )
        .await?;
        Ok(())
    }

    /// The newest ended backup of a policy.
    async fn latest_backup(&self, policy_id: &str) -> Result<Option<api::AgentJob>> {
        Ok(self
            .bk_children::<AgentJobRecord>(&format!("done:{policy_id}"))
            .await?
            .into_iter()
            .map(|s| s.value.job)
            .filter(|j| j.kind == api::AgentJobKind::Backup)
            .max_by(|a, b| {
                a.ended_at.cmp(&b.ended_at).then(a.created_at.cmp(&b.created_at)).then(a.attempt.cmp(&b.attempt))
            }))
    }

    /// The native policy behind a Jobs-page job.
    async fn policy_of_job(&self, job_id: &str) -> Result<api::Policy> {
        check_id(job_id, "job")?;
        let job = self.resolve_job(job_id).await?.ok_or(Error::NotFound("job"))?;
        let JobSource::Native { policy_id } = &job.source else {
            return Err(Error::Invalid(
                "this job is not a native backup policy's (a platform job is retried on its platform)".into(),
            ));
        };
        Ok(self.bk_get::<api::Policy>(policy_id).await?.ok_or(Error::NotFound("policy"))?.value)
    }

    /// `POST /api/v1/backup/jobs/{job_id}/retry`: a native job's retry on every active host.
    pub async fn retry_native_job(&self, actor: &Actor, job_id: &str) -> Result<api::Dispatched> {
        actor.require(Permission::ManageBackup)?;
        let policy = self.policy_of_job(job_id).await?;
        let latest = self
            .latest_backup(&policy.id)
            .await?
            .ok_or_else(|| Error::Invalid("the job has no run to retry".into()))?;
        if !matches!(latest.status, AgentJobStatus::Failed | AgentJobStatus::Warning) {
            return Err(Error::Invalid(format!(
                "the latest run is {}; only a failed or warning run is retried",
                latest.status
            )));
        }
        if !latest.retryable {
            return Err(Error::Invalid("the latest run is not retryable".into()));
        }
        if !policy.enabled || policy.paused_reason.is_some() {
            return Err(Error::Invalid(format!("policy {} is disabled or paused", policy.name)));
        }
        let mut ids_out = Vec::new();
        for a in self.bk_children::<Assignment>(&policy.id).await? {
            if a.value.state != api::AssignmentState::Active {
                continue;
            }
            let id = ids::random_id("aj");
            let level = latest.level.unwrap_or(BackupLevel::Incremental);
            if let Some(x) = self
                .dispatch_backup(
                    &policy,
                    &a.value.host_id,
                    level,
                    None,
                    DispatchReason::Retry,
                    actor,
                    id,
                    1,
                    Some(latest.id.clone()),
                )
                .await?
            {
                ids_out.push(x);
            }
        }
        let change =
            Change::fields(json!({}), json!({"policy_id": policy.id, "agent_jobs": ids_out, "retry_of": latest.id}));
        self.audit(audit_entry(self, actor, "job", job_id, "retry", change)).await?;
        Ok(api::Dispatched { agent_job_ids: ids_out })
    }

    /// `POST /api/v1/backup/policies/{id}/run-now`.
    pub async fn run_policy_now(&self, actor: &Actor, policy_id: &str) -> Result<api::Dispatched> {
        actor.require(Permission::ManageBackup)?;
        check_id(policy_id, "policy")?;
        let policy = self.bk_get::<api::Policy>(policy_id).await?.ok_or(Error::NotFound("policy"))?.value;
        if !policy.enabled || policy.paused_reason.is_some() {
            return Err(Error::Invalid(format!("policy {} is disabled or paused", policy.name)));
        }
        let level = if policy.incremental_schedule.is_some() { BackupLevel::Incremental } else { BackupLevel::Full };
        let out = self.dispatch_policy(&policy, level, None, DispatchReason::RunNow, actor).await?;
        if out.is_empty() {
            return Err(Error::Invalid(format!("policy {} has no active host", policy.name)));
        }
        let change = Change::fields(json!({}), json!({"agent_jobs": out}));
        self.audit(audit_entry(self, actor, "policy", policy_id, "run_now", change)).await?;
        Ok(api::Dispatched { agent_job_ids: out })
    }
}

#[cfg(test)]
mod tests {
    use super::gfs_keep;
    use chrono::{Duration, TimeZone, Utc};

    #[test]
    fn gfs_keeps_one_per_day_week_and_month() {
        let now = Utc.with_ymd_and_hms(2026, 6, 30, 12, 0, 0).unwrap();
        // Two points a day for 60 days, newest first.
        let points: Vec<_> = (0..120).map(|i| (format!("p{i}"), now - Duration::hours(12 * i))).collect();
        let keep = gfs_keep(&points, 7, 4, 2, now);
        assert!(keep.contains("p0"), "the newest stays");
        // Days: the newest of each of the last 7 days.
        for d in 0..7 {
            assert!(keep.contains(&format!("p{}", 2 * d)), "day {d}");
        }
        assert!(!keep.contains("p1"), "the older point of today goes");
        // June and May keep one each; the rest of the points beyond 4 weeks go.
        assert!(keep.len() <= 7 + 4 + 2 + 1);
        let none = gfs_keep(&points, 0, 0, 0, now);
        assert_eq!(none.len(), 1, "the newest point always stays");
    }
}
