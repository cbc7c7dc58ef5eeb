//! Deadlines (each tick), read from an index on the deadline, never a scan:
//! - a running job without progress for 10 minutes fails ("the engine
//!   stopped reporting on this job"; when its engine is offline, that is
//!   the reason given), retryable;
//! - a job no engine fetched within 24 hours fails;
//! - a protected object whose last successful backup is older than its RPO
//!   is in breach: once per breach, a Failed run on its job brings it to
//!   Run Checks and the alert channels.

use bc_api_types::{self as api, AgentJobStatus, ProtectedObject, Report, ReportObject, Sizes, Status};

use super::AgentJobRecord;
use crate::app::App;
use crate::error::{Error, Result};
use crate::jobs::external::ExternalRun;

const SWEEP_LIMIT: usize = 500;

impl App {
    /// Fails overdue jobs; returns how many.
    pub async fn sweep_agent_jobs(&self) -> Result<u32> {
        let now = self.clock.now();
        let mut n = 0;
        for s in self.bk_due::<AgentJobRecord>(now, SWEEP_LIMIT).await? {
            let r = s.value;
            if r.job.status.is_final() || r.deadline.is_none_or(|d| d > now) {
                continue;
            }
            let engine = self.bk_get::<api::Engine>(&r.job.engine_id).await?.map(|e| e.value);
            let offline = engine.as_ref().is_none_or(|e| e.status == api::EngineStatus::Offline);
            let reason = match (r.job.status, offline) {
                (AgentJobStatus::Running, true) => {
                    "the engine went offline during the job and did not come back in time"
                }
                (AgentJobStatus::Running, false) => "the engine stopped reporting on this job",
                (_, true) => "the engine was offline and did not fetch the job within 24 hours",
                (_, false) => "no engine fetched the job within 24 hours",
            };
            let mut failed = r.clone();
            failed.job.status = AgentJobStatus::Failed;
            failed.job.ended_at = Some(now);
            failed.job.duration_secs = failed.job.started_at.map(|st| (now - st).num_seconds().max(0) as u64);
            failed.job.error = Some(reason.to_string());
            // Running it again may well help; a retry run never counts as retryable.
            failed.job.retryable = failed.job.retry_of.is_none();
            failed.deadline = None;
            if failed.job.kind == api::AgentJobKind::Backup {
                failed.job.restore_point_id = Some(super::results::restore_point_id(&failed.job.id));
            }
            match self.bk_update(&failed, s.version).await {
                Ok(()) => {}
                // The engine reported meanwhile.
                Err(Error::Conflict(_)) => continue,
                Err(e) => return Err(e),
            }
            n += 1;
            self.count_ended_backup(&failed.job).await;
            if let Err(e) = self.apply_final(&failed).await {
                tracing::warn!(job = %failed.job.id, error = %e, "a timed-out job's effects failed");
            }
        }
        Ok(n)
    }

    /// Reports new RPO breaches; returns how many.
    pub async fn sweep_rpo_breaches(&self) -> Result<u32> {
        let now = self.clock.now();
        let mut n = 0;
        for s in self.bk_due::<ProtectedObject>(now, SWEEP_LIMIT).await? {
            let o = s.value;
            if o.breach_reported_for.is_some() || !o.in_breach(now) {
                continue;
            }
            let since = o.breach_at();
            let mut marked = o.clone();
            marked.breach_reported_for = Some(since);
            match self.bk_update(&marked, s.version).await {
                Ok(()) => {}
                Err(Error::Conflict(_)) => continue,
                Err(e) => return Err(e),
            }
            n += 1;
            let Some(job_id) = &o.job_id else { continue };
            let last = match o.last_success_at {
                Some(t) => format!("last successful backup {}", t.format("%Y-%m-%d %H:%M UTC")),
                None => "never backed up successfully".to_string(),
            };
            let message = format!("RPO breach: {} ({}h RPO): {last}", o.name, o.rpo_hours);
            let report = Report {
                parser: "rpo".into(),
                software: String::new(),
                job_type: "RPO".into(),
                job_name: o.name.clone(),
                status: Status::Failed,
                started_at: Some(since.fixed_offset()),
                ended_at: Some(since.fixed_offset()),
                duration_secs: None,
                sizes: Sizes::default(),
                messages: vec![message.clone()],
                objects: vec![ReportObject {
                    name: o.name.clone(),
                    object_type: Some(o.object_type.as_str().into()),
                    status: Status::Failed,
                    message: Some(message),
                    started_at: None,
                    ended_at: None,
                    size_bytes: None,
                }],
                attempt: None,
                final_attempt: None,
                original_sender: None,
                original_subject: None,
            };
            let ext = ExternalRun { key: format!("rpo:{}:{}", o.id, since.timestamp()), received_at: now, report };
            match self.record_external_run(job_id, &ext).await {
                Ok(_) | Err(Error::NotFound(_)) => {}
                Err(e) => tracing::warn!(object = %o.id, error = %e, "recording an RPO breach failed"),
            }
        }
        Ok(n)
    }
}
