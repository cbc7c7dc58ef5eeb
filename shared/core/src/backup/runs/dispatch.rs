//! Dispatch: each tick reads the policies whose next schedule slot is due
//! (an index on the slot time, never every policy), and creates one backup
//! agent job per active host for the slot. A job's id comes from policy,
//! host, level and slot, so a doubled tick creates nothing twice.
//!
//! When full, synthetic-full and incremental slots fall at the same time,
//! the full one runs (then the synthetic full). An engine that is offline
//! at the slot gets the job only when the policy catches up on reconnect
//! (at most one waiting backup per host); otherwise the slot's run is
//! failed at once with that reason.

use bc_api_types::{self as api, AgentJobStatus, BackupLevel, DispatchReason, JobSource};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{AgentJobRecord, new_job};
use crate::app::App;
use crate::auth::permissions::Actor;
use crate::backup::Record;
use crate::backup::hosts::Assignment;
use crate::backup::repo::BackupKind;
use crate::error::{Error, Result};
use crate::ids;
use crate::jobs::external::ExternalJob;
use crate::model::Job;

/// The software native jobs show on the Jobs page and in Run Checks.
pub const NATIVE_SOFTWARE: &str = "Backupchecks BES";
/// Policies one tick dispatches at most (the rest wait a minute).
const DUE_LIMIT: usize = 1000;

/// Shared by the jobs of one policy's dispatch.
struct DispatchContext {
    engine: api::Engine,
    hooks: Vec<api::JobHook>,
    /// The policy's Jobs-page job per customer.
    jobs: std::collections::HashMap<String, Job>,
}

/// Which job to make.
struct Plan {
    level: BackupLevel,
    slot: Option<DateTime<Utc>>,
    reason: DispatchReason,
    id: String,
    attempt: u32,
    retry_of: Option<String>,
}

/// A policy's next slots, one per schedule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PolicyClock {
    /// The policy's id.
    pub id: String,
    pub next: Vec<(BackupLevel, DateTime<Utc>)>,
}

impl Record for PolicyClock {
    const KIND: BackupKind = BackupKind::PolicyClock;
    fn id(&self) -> &str {
        &self.id
    }
    fn due_at(&self) -> Option<DateTime<Utc>> {
        self.next.iter().map(|(_, t)| *t).min()
    }
}

fn schedules(p: &api::Policy) -> Vec<(BackupLevel, &str)> {
    let mut v = vec![(BackupLevel::Full, p.full_schedule.as_str())];
    if let Some(s) = &p.synthetic_full_schedule {
        v.push((BackupLevel::SyntheticFull, s.as_str()));
    }
    if let Some(s) = &p.incremental_schedule {
        v.push((BackupLevel::Incremental, s.as_str()));
    }
    v
}

/// The first slot of `expression` strictly after `after`, in the policy's time zone.
pub fn next_slot(expression: &str, time_zone: &str, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let (cron, tz) = crate::schedules::expect::parse_cron(expression, time_zone).ok()?;
    cron.find_next_occurrence(&after.with_timezone(&tz), false).ok().map(|t| t.with_timezone(&Utc))
}

fn clock_for(p: &api::Policy, after: DateTime<Utc>) -> PolicyClock {
    let next = schedules(p)
        .into_iter()
        .filter_map(|(level, expr)| next_slot(expr, &p.time_zone, after).map(|t| (level, t)))
        .collect();
    PolicyClock { id: p.id.clone(), next }
}

pub(crate) fn level_name(level: BackupLevel) -> &'static str {
    match level {
        BackupLevel::Full => "Full",
        BackupLevel::Incremental => "Incremental",
        BackupLevel::SyntheticFull => "Synthetic full",
    }
}

impl App {
    /// Sets a policy's next slots from now (on create and on every edit).
    pub(crate) async fn reset_policy_clock(&self, p: &api::Policy) -> Result<()> {
        self.bk_put(&clock_for(p, self.clock.now())).await
    }

    /// The tick's dispatch: jobs created for the slots that fell due.
    pub async fn dispatch_due(&self) -> Result<u32> {
        let now = self.clock.now();
        let mut created = 0;
        for stored in self.bk_due::<PolicyClock>(now, DUE_LIMIT).await? {
            let clock = stored.value;
            let Some(policy) = self.bk_get::<api::Policy>(&clock.id).await?.map(|p| p.value) else {
                self.bk_delete::<PolicyClock>(&clock.id).await?;
                continue;
            };
            let due: Vec<(BackupLevel, DateTime<Utc>)> =
                clock.next.iter().copied().filter(|(_, t)| *t <= now).collect();
            // One job per slot time: full before synthetic full before incremental.
            let mut fired: Vec<DateTime<Utc>> = Vec::new();
            for (level, slot) in &due {
                if fired.contains(slot) {
                    continue;
                }
                fired.push(*slot);
                match self
                    .dispatch_policy(&policy, *level, Some(*slot), DispatchReason::Schedule, &Actor::system())
                    .await
                {
                    Ok(ids) => created += ids.len() as u32,
                    Err(e) => tracing::warn!(policy = %policy.id, error = %e, "dispatching a policy's slot failed"),
                }
            }
            let mut next = clock.next.clone();
            for (level, t) in next.iter_mut() {
                if *t <= now {
                    let expr = schedules(&policy).into_iter().find(|(l, _)| l == level).map(|(_, e)| e.to_string());
                    match expr.and_then(|e| next_slot(&e, &policy.time_zone, now)) {
                        Some(n) => *t = n,
                        // The schedule was removed or never fires again: parked far away.
                        None => *t = now + chrono::Duration::days(3650),
                    }
                }
            }
            let fresh = clock_for(&policy, now);
            // Schedules added since the clock was set join it.
            for (level, t) in fresh.next {
                if !next.iter().any(|(l, _)| *l == level) {
                    next.push((level, t));
                }
            }
            next.retain(|(l, _)| schedules(&policy).iter().any(|(x, _)| x == l));
            let updated = PolicyClock { id: clock.id.clone(), next };
            match self.bk_update(&updated, stored.version).await {
                // A concurrent tick moved it on; its jobs are the same ones.
                Ok(()) | Err(Error::Conflict(_)) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(created)
    }

    /// The Jobs-page job of a native policy for one customer (created on first use).
    pub(crate) async fn native_job(&self, policy: &api::Policy, customer_id: &str) -> Result<Job> {
        let spec = ExternalJob {
            origin: format!("native@{}", policy.id),
            key: customer_id.to_string(),
            customer_id: customer_id.to_string(),
            software: NATIVE_SOFTWARE.into(),
            job_type: if policy.incremental_schedule.is_some() { "Incremental" } else { "Full" }.into(),
            job_name: policy.name.clone(),
            source: JobSource::Native { policy_id: policy.id.clone() },
        };
        self.ensure_external_job(&Actor::system(), &spec).await
    }

    /// Creates one backup job per active host of the policy. `slot`: the
    /// schedule slot (None for run-now and retries, which get fresh ids).
    pub(crate) async fn dispatch_policy(
        &self,
        policy: &api::Policy,
        level: BackupLevel,
        slot: Option<DateTime<Utc>>,
        reason: DispatchReason,
        actor: &Actor,
    ) -> Result<Vec<String>> {
        if !policy.enabled || policy.paused_reason.is_some() {
            return Ok(Vec::new());
        }
        let mut ctx = None;
        let mut out = Vec::new();
        for a in self.bk_children::<Assignment>(&policy.id).await? {
            if a.value.state != api::AssignmentState::Active {
                continue;
            }
            let id = match slot {
                Some(s) => {
                    ids::derived("aj", &format!("{}|{}|{}|{}", policy.id, a.value.host_id, level, s.timestamp()))
                }
                None => ids::random_id("aj"),
            };
            if self.bk_get::<AgentJobRecord>(&id).await?.is_some() {
                continue;
            }
            if ctx.is_none() {
                ctx = Some(self.dispatch_context(policy).await?);
            }
            let c = ctx.as_mut().expect("set above");
            let host = a.value.host_id.clone();
            let plan = Plan { level, slot, reason, id, attempt: 1, retry_of: None };
            if let Some(j) = self.dispatch_with(policy, c, &host, actor, plan).await? {
                out.push(j);
            }
        }
        Ok(out)
    }

    /// What every host's job of one policy shares: read once per dispatch.
    async fn dispatch_context(&self, policy: &api::Policy) -> Result<DispatchContext> {
        let engine = self.bk_get::<api::Engine>(&policy.engine_id).await?.ok_or(Error::NotFound("engine"))?.value;
        let hooks = self
            .hooks_of(&policy.id)
            .await?
            .into_iter()
            .map(|h| api::JobHook {
                id: h.id,
                hook_type: h.hook_type,
                script: h.script,
                timeout_seconds: h.timeout_seconds,
                fail_on_error: h.fail_on_error,
            })
            .collect();
        Ok(DispatchContext { engine, hooks, jobs: std::collections::HashMap::new() })
    }

    /// One backup job for one host; `None` when it exists already or was
    /// coalesced into a waiting catch-up.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn dispatch_backup(
        &self,
        policy: &api::Policy,
        host_id: &str,
        level: BackupLevel,
        slot: Option<DateTime<Utc>>,
        reason: DispatchReason,
        actor: &Actor,
        id: String,
        attempt: u32,
        retry_of: Option<String>,
    ) -> Result<Option<String>> {
        if self.bk_get::<AgentJobRecord>(&id).await?.is_some() {
            return Ok(None);
        }
        let mut ctx = self.dispatch_context(policy).await?;
        let plan = Plan { level, slot, reason, id, attempt, retry_of };
        self.dispatch_with(policy, &mut ctx, host_id, actor, plan).await
    }

    async fn dispatch_with(
        &self,
        policy: &api::Policy,
        ctx: &mut DispatchContext,
        host_id: &str,
        actor: &Actor,
        plan: Plan,
    ) -> Result<Option<String>> {
        let Plan { level, slot, reason, id, attempt, retry_of } = plan;
        let host = self.bk_get::<api::ManagedHost>(host_id).await?.ok_or(Error::NotFound("host"))?.value;
        let engine = ctx.engine.clone();
        let job = match ctx.jobs.get(&host.customer_id) {
            Some(j) => j.clone(),
            None => {
                let j = self.native_job(policy, &host.customer_id).await?;
                ctx.jobs.insert(host.customer_id.clone(), j.clone());
                j
            }
        };
        let hooks = ctx.hooks.clone();
        let payload = api::JobPayload::Backup(api::BackupPayload {
            policy_id: policy.id.clone(),
            policy_name: policy.name.clone(),
            host_id: host.id.clone(),
            hostname: host.hostname.clone(),
            level,
            include_paths: if policy.include_paths.is_empty() {
                vec!["/".into()]
            } else {
                policy.include_paths.clone()
            },
            exclude_paths: policy.exclude_paths.clone(),
            exclude_patterns: policy.exclude_patterns.clone(),
            retention_daily: policy.retention_daily,
            retention_weekly: policy.retention_weekly,
            retention_monthly: policy.retention_monthly,
            compression: policy.compression,
            encryption: policy.encryption,
            dedup: policy.dedup,
            max_transfer_mbps: policy.max_transfer_mbps,
            io_priority: policy.io_priority,
            throttle_schedule: policy.throttle_schedule.clone(),
            vss_enabled: policy.vss_enabled,
            verify_after_backup: policy.verify_after_backup,
            verify_sample_count: policy.verify_sample_count,
            hooks,
        });
        let now = self.clock.now();
        let mut r = new_job(id.clone(), &engine.id, payload, reason, &actor.username, now);
        r.job.customer_id = Some(host.customer_id.clone());
        r.job.policy_id = Some(policy.id.clone());
        r.job.host_id = Some(host.id.clone());
        r.job.hostname = Some(host.hostname.clone());
        r.job.target_id = Some(policy.storage_target_id.clone());
        r.job.job_id = Some(job.id.clone());
        r.job.level = Some(level);
        r.job.slot = slot;
        r.job.attempt = attempt;
        r.job.retry_of = retry_of;
        let offline = engine.status == api::EngineStatus::Offline;
        if offline && reason == DispatchReason::Schedule {
            if !policy.catch_up_on_reconnect {
                // The slot's run fails now: nothing will run it.
                r.job.status = AgentJobStatus::Failed;
                r.job.ended_at = Some(now);
                r.job.error = Some(format!(
                    "engine {} was offline at the scheduled time and the policy does not catch up on reconnect",
                    engine.name
                ));
                r.job.retryable = false;
                r.deadline = None;
                match self.bk_insert(&r).await {
                    Ok(()) => {}
                    Err(Error::Conflict(_)) => return Ok(None),
                    Err(e) => return Err(e),
                }
                self.count_ended_backup(&r.job).await;
                // Boxed: its effects may dispatch (retries) in turn.
                Box::pin(self.apply_final(&r)).await?;
                return Ok(Some(id));
            }
            // One waiting catch-up per host is enough.
            let waiting = self.bk_children::<AgentJobRecord>(&super::open_parent(&engine.id)).await?;
            if waiting.iter().any(|w| {
                w.value.job.kind == api::AgentJobKind::Backup
                    && w.value.job.status == AgentJobStatus::Pending
                    && w.value.job.policy_id.as_deref() == Some(&policy.id)
                    && w.value.job.host_id.as_deref() == Some(&host.id)
            }) {
                return Ok(None);
            }
            r.job.reason = DispatchReason::CatchUp;
        }
        match self.bk_insert(&r).await {
            Ok(()) => Ok(Some(id)),
            Err(Error::Conflict(_)) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::next_slot;
    use chrono::{TimeZone, Utc};

    #[test]
    fn slots_follow_the_time_zone() {
        let after = Utc.with_ymd_and_hms(2026, 7, 1, 12, 0, 0).unwrap();
        // 22:00 in Amsterdam (summer, UTC+2) is 20:00 UTC.
        assert_eq!(
            next_slot("0 22 * * *", "Europe/Amsterdam", after),
            Some(Utc.with_ymd_and_hms(2026, 7, 1, 20, 0, 0).unwrap())
        );
        assert_eq!(next_slot("not cron", "UTC", after), None);
    }
}
