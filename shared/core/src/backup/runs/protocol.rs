//! The engine's side of agent jobs (docs/bes-protocol.md §6–§7): poll,
//! acknowledge, progress, result, and the one-time BMR token. Every call is
//! signed and its nonce taken before anything changes; a job that is not
//! the calling engine's answers exactly like one that does not exist.

use bc_api_types::{self as api, AgentJobStatus};
use chrono::Duration;

use super::{
    AgentJobRecord, BMR_TOKEN_HOURS, MAX_ENTRIES, POLL_LIMIT, PROGRESS_TIMEOUT_SECONDS, REOFFER_SECONDS, for_engine,
    open_parent,
};
use crate::app::App;
use crate::backup::Stored;
use crate::backup::engines::protocol::Verified;
use crate::error::{Error, Result};
use crate::ids::check_id;

/// How long an engine waits between polls.
const POLL_SECONDS: u32 = 15;
const POLL_SECONDS_URGENT: u32 = 5;
/// Longest error or message an engine may send.
const MAX_TEXT: usize = 4000;

fn rank(p: api::JobPriority) -> u8 {
    match p {
        api::JobPriority::Critical => 0,
        api::JobPriority::High => 1,
        api::JobPriority::Normal => 2,
    }
}

fn check_result(r: &api::JobResult) -> Result<()> {
    if !r.status.is_final() {
        return Err(Error::Invalid("status: a result is success, warning or failed".into()));
    }
    if r.entries.len() > MAX_ENTRIES {
        return Err(Error::Invalid(format!("entries: at most {MAX_ENTRIES}")));
    }
    if r.messages.len() > 100 || r.messages.iter().any(|m| m.len() > MAX_TEXT) {
        return Err(Error::Invalid(format!("messages: at most 100, each at most {MAX_TEXT} bytes")));
    }
    if r.error.as_ref().is_some_and(|e| e.len() > MAX_TEXT) {
        return Err(Error::Invalid(format!("error: at most {MAX_TEXT} bytes")));
    }
    if r.entries.iter().any(|e| e.path.len() > 4096) {
        return Err(Error::Invalid("entries: a path is at most 4096 bytes".into()));
    }
    if let (Some(s), Some(e)) = (r.started_at, r.ended_at)
        && e < s
    {
        return Err(Error::Invalid("ended_at is before started_at".into()));
    }
    if let Some(s) = &r.snapshot
        && (s.snapshot_id.is_empty() || s.snapshot_id.len() > 128 || s.chain_id.len() > 256)
    {
        return Err(Error::Invalid("snapshot: snapshot_id is 1 to 128 characters, chain_id at most 256".into()));
    }
    Ok(())
}

impl App {
    /// The calling engine's job, or not found (also when it is another engine's).
    async fn engine_job(&self, engine_id: &str, job_id: &str) -> Result<Stored<AgentJobRecord>> {
        check_id(job_id, "job")?;
        match self.bk_get::<AgentJobRecord>(job_id).await? {
            Some(s) if s.value.job.engine_id == engine_id => Ok(s),
            _ => Err(Error::NotFound("job")),
        }
    }

    /// `GET /bes/v1/jobs`: the engine's jobs to run, most urgent first.
    pub async fn bes_jobs(&self, call: Verified) -> Result<api::EngineJobs> {
        self.bes_claim(&call).await?;
        let engine_id = call.engine().id.clone();
        let now = self.clock.now();
        let mut open: Vec<Stored<AgentJobRecord>> = self
            .bk_children::<AgentJobRecord>(&open_parent(&engine_id))
            .await?
            .into_iter()
            .filter(|s| {
                s.value.job.status == AgentJobStatus::Pending
                    && s.value.job.dispatched_at.is_none_or(|d| now - d >= Duration::seconds(REOFFER_SECONDS))
            })
            .collect();
        open.sort_by(|a, b| {
            rank(a.value.job.priority)
                .cmp(&rank(b.value.job.priority))
                .then(a.value.job.created_at.cmp(&b.value.job.created_at))
                .then(a.value.job.id.cmp(&b.value.job.id))
        });
        let mut jobs = Vec::new();
        for s in open.into_iter().take(POLL_LIMIT) {
            let mut r = s.value.clone();
            r.job.dispatched_at = Some(now);
            match self.bk_update(&r, s.version).await {
                Ok(()) => {}
                // Acknowledged or changed meanwhile: the next poll sees it as it is.
                Err(Error::Conflict(_)) => continue,
                Err(e) => return Err(e),
            }
            let target = match &r.job.target_id {
                Some(t) => self.bk_get::<api::StorageTarget>(t).await?.map(|t| t.value),
                None => None,
            };
            let replica_target = match &r.job.payload {
                api::JobPayload::Replicate(p) => {
                    self.bk_get::<api::StorageTarget>(&p.replica_target_id).await?.map(|t| t.value)
                }
                _ => None,
            };
            jobs.push(for_engine(&r, target.as_ref(), replica_target.as_ref()));
        }
        let urgent = jobs.iter().any(|j| j.priority != api::JobPriority::Normal);
        Ok(api::EngineJobs { jobs, next_poll_seconds: if urgent { POLL_SECONDS_URGENT } else { POLL_SECONDS } })
    }

    /// `POST /bes/v1/jobs/{id}/ack`: the engine runs the job.
    pub async fn bes_ack(&self, call: Verified, job_id: &str) -> Result<AgentJobStatus> {
        self.bes_claim(&call).await?;
        let engine_id = call.engine().id.clone();
        self.engine_job(&engine_id, job_id).await?;
        let now = self.clock.now();
        let (_, after) = self
            .bk_modify::<AgentJobRecord, _>(job_id, "job", |r| {
                match r.job.status {
                    AgentJobStatus::Pending => {
                        r.job.status = AgentJobStatus::Running;
                        r.job.started_at = Some(now);
                        r.job.dispatched_at.get_or_insert(now);
                        r.job.last_progress_at = Some(now);
                        r.deadline = Some(now + Duration::seconds(PROGRESS_TIMEOUT_SECONDS.into()));
                    }
                    AgentJobStatus::Running => {}
                    _ => return Err(Error::Conflict(format!("job {job_id} already ended ({})", r.job.status))),
                }
                Ok(())
            })
            .await?;
        Ok(after.job.status)
    }

    /// `POST /bes/v1/jobs/{id}/progress`.
    pub async fn bes_progress(&self, call: Verified, job_id: &str, p: &api::JobProgress) -> Result<()> {
        if p.percent.is_some_and(|v| !v.is_finite() || !(0.0..=100.0).contains(&v)) {
            return Err(Error::Invalid("percent is 0 to 100".into()));
        }
        self.bes_claim(&call).await?;
        let engine_id = call.engine().id.clone();
        self.engine_job(&engine_id, job_id).await?;
        let now = self.clock.now();
        self.bk_modify::<AgentJobRecord, _>(job_id, "job", |r| {
            if r.job.status.is_final() {
                return Err(Error::Conflict(format!("job {job_id} already ended ({})", r.job.status)));
            }
            if r.job.status == AgentJobStatus::Pending {
                r.job.status = AgentJobStatus::Running;
                r.job.started_at = Some(now);
            }
            r.job.last_progress_at = Some(now);
            if p.percent.is_some() {
                r.job.progress_percent = p.percent;
            }
            if let Some(b) = p.bytes_done {
                r.job.bytes_transferred = b;
            }
            r.deadline = Some(now + Duration::seconds(PROGRESS_TIMEOUT_SECONDS.into()));
            Ok(())
        })
        .await?;
        Ok(())
    }

    /// `POST /bes/v1/jobs/{id}/result`. The same result again changes
    /// nothing (its effects are made again, each idempotent, so a result
    /// whose effects were cut off completes); another one for an ended job
    /// is a conflict.
    pub async fn bes_result(&self, call: Verified, job_id: &str, result: &api::JobResult) -> Result<AgentJobStatus> {
        check_result(result)?;
        self.bes_claim(&call).await?;
        let engine_id = call.engine().id.clone();
        self.engine_job(&engine_id, job_id).await?;
        let now = self.clock.now();
        let (before, after) = self
            .bk_modify::<AgentJobRecord, _>(job_id, "job", |r| {
                if r.job.status.is_final() {
                    if r.job.result.as_ref() == Some(result) {
                        return Ok(());
                    }
                    return Err(Error::Conflict(format!("job {job_id} already ended ({})", r.job.status)));
                }
                let j = &mut r.job;
                j.status = result.status;
                j.started_at = result.started_at.or(j.started_at).or(Some(now));
                j.ended_at = Some(result.ended_at.unwrap_or(now));
                j.duration_secs = match (j.started_at, j.ended_at) {
                    (Some(s), Some(e)) if e >= s => Some((e - s).num_seconds() as u64),
                    _ => None,
                };
                j.bytes_transferred = result.bytes_transferred;
                j.protected_bytes = result.protected_bytes;
                j.error = result.error.clone();
                // A retry run never starts retries of its own (seed: no cascades).
                j.retryable = result.retryable && j.retry_of.is_none();
                j.progress_percent = Some(100.0);
                j.result = Some(result.clone());
                if j.kind == api::AgentJobKind::Backup {
                    j.restore_point_id = Some(super::results::restore_point_id(&j.id));
                }
                r.deadline = None;
                Ok(())
            })
            .await?;
        if !before.job.status.is_final() {
            self.count_ended_backup(&after.job).await;
        }
        self.apply_final(&after).await?;
        Ok(after.job.status)
    }

    /// `POST /bes/v1/bmr/redeem`: a bare-metal restore's token, accepted once within 4 hours.
    pub async fn bes_redeem_bmr(&self, call: Verified, body: &api::BmrRedeem) -> Result<()> {
        self.bes_claim(&call).await?;
        let engine_id = call.engine().id.clone();
        let s = self.engine_job(&engine_id, &body.job_id).await?;
        let api::JobPayload::BareMetalRestore(p) = &s.value.job.payload else {
            return Err(Error::NotFound("job"));
        };
        let same: bool = subtle::ConstantTimeEq::ct_eq(p.token.as_bytes(), body.token.as_bytes()).into();
        if !same {
            return Err(Error::NotFound("token"));
        }
        let now = self.clock.now();
        if now > p.token_expires_at {
            return Err(Error::Gone(format!(
                "the token expired {BMR_TOKEN_HOURS} hours after the restore was asked for"
            )));
        }
        self.bk_modify::<AgentJobRecord, _>(&body.job_id, "job", |r| {
            if r.token_redeemed_at.is_some() {
                return Err(Error::Conflict("the token was already used".into()));
            }
            r.token_redeemed_at = Some(now);
            Ok(())
        })
        .await?;
        Ok(())
    }
}
