//! Missed runs: the scheduler's duty that turns an expectation whose window
//! and grace passed without a run into a Missed run, and the ingest step
//! that marks a Missed run "arrived late" when its report comes after all.
//!
//! Idempotent: a Missed run's id derives from its job and expected start,
//! and it is inserted only if absent together with the job's advanced
//! expectation (one atomic write), so retried or concurrent ticks create it
//! once.

use std::sync::Mutex;

use bc_api_types::{Expectation, LateArrival, Status};
use chrono::{DateTime, Utc};

use super::MISSED_KEPT;
use super::expect::{Context, DEFAULT_GRACE_MINUTES, effective};
use crate::app::App;
use crate::audit::{Change, audit_entry};
use crate::auth::permissions::Actor;
use crate::error::{Error, Result};
use crate::ids;
use crate::model::{Job, MissedMark, Review, Run};
use crate::ports::PortError;
use crate::retry::{self, Attempt};

/// Due jobs read per tick (the rest wait for the next tick).
pub const DUE_PER_TICK: usize = 1000;
/// Missed occurrences one job gets per tick (a job every hour after a long
/// outage catches up over several ticks).
const MISSES_PER_JOB: usize = 48;

/// The id of the Missed run standing for `job`'s expected start `at`.
pub fn missed_run_id(job_id: &str, at: DateTime<Utc>) -> String {
    ids::derived("r", &format!("missed:{job_id}:{}", at.timestamp()))
}

/// The Missed run of an expectation; every field derives from the job and
/// the expectation, so a retry builds the same run.
pub fn missed_run(job: &Job, e: &Expectation, ctx: &Context) -> Run {
    let local = e.at.with_timezone(&ctx.tz);
    Run {
        started_at: Some(e.at),
        message: Some(format!(
            "No report arrived for the run expected at {} on {} (backup day {}).",
            local.format("%H:%M"),
            local.format("%Y-%m-%d"),
            e.day
        )),
        ..Run::new(missed_run_id(&job.id, e.at), &job.id, &job.customer_id, Status::Missed, e.due_at)
    }
}

impl App {
    /// The scheduler's duty: every due job's passed expectations become
    /// Missed runs (unless a run covered them or a maintenance window held
    /// them). Reads only due jobs. Returns how many Missed runs it created.
    pub(crate) async fn missed_runs(&self) -> Result<u32> {
        let now = self.clock.now();
        let due = self.store.due_jobs(now, DUE_PER_TICK).await?;
        if due.is_empty() {
            return Ok(0);
        }
        let ctx = self.load_schedule_context().await?;
        let mut created = Vec::new();
        for job in due {
            match self.miss_job(job, now, &ctx).await {
                Ok(runs) => created.extend(runs),
                Err(e) => tracing::warn!(error = %e, "a due job could not be checked"),
            }
        }
        let entries: Vec<_> = created
            .iter()
            .map(|r| {
                let change = Change::created(serde_json::json!({"job_id": r.job_id, "expected_at": r.started_at}));
                audit_entry(self, &Actor::system(), "run", &r.id, "missed", change)
            })
            .collect();
        self.audit_all(&entries).await?;
        for r in &created {
            self.alert_for_run(r).await;
        }
        Ok(created.len() as u32)
    }

    /// One due job: Missed runs for its passed expectations, the
    /// expectation moved on. Re-reads the job on a version conflict.
    async fn miss_job(&self, job: Job, now: DateTime<Utc>, ctx: &Context) -> Result<Vec<Run>> {
        let id = job.id.clone();
        let first = Mutex::new(Some(job));
        // Runs created by an attempt that then met a conflict still count.
        let created = Mutex::new(Vec::new());
        retry::on_conflict("the job", || async {
            let cached = first.lock().unwrap_or_else(|p| p.into_inner()).take();
            let mut job = match cached {
                Some(j) => j,
                None => self.store.get_job(&id).await?.ok_or(Error::NotFound("job"))?,
            };
            let mut runs = Vec::new();
            let outcome = self.miss_once(&mut job, now, ctx, &mut runs).await;
            created.lock().unwrap_or_else(|p| p.into_inner()).extend(runs);
            outcome
        })
        .await?;
        Ok(created.into_inner().unwrap_or_else(|p| p.into_inner()))
    }

    async fn miss_once(
        &self,
        job: &mut Job,
        now: DateTime<Utc>,
        ctx: &Context,
        created: &mut Vec<Run>,
    ) -> Result<Attempt<()>> {
        let mut dirty = false;
        // An archived job (or a merge alias) expects nothing: out of the due
        // index until its next run sets an expectation again.
        if job.is_archived() || job.is_alias() {
            job.schedule.next = None;
            return retry::written(self.store.update_job(job).await, ());
        }
        let Some(eff) = effective(&job.schedule) else {
            // No schedule in effect any more: out of the due index.
            job.schedule.next = None;
            return retry::written(self.store.update_job(job).await, ());
        };
        let grace = job.schedule.grace_minutes.unwrap_or(DEFAULT_GRACE_MINUTES);
        for _ in 0..MISSES_PER_JOB {
            let Some(e) = job.schedule.next.clone() else { break };
            if e.due_at > now {
                break;
            }
            job.schedule.next = eff.next_after(e.at, grace, ctx);
            dirty = true;
            let covered = job
                .schedule
                .starts
                .iter()
                .filter_map(|s| DateTime::<Utc>::from_timestamp(*s, 0))
                .any(|t| eff.covers(&e, t));
            if covered || ctx.in_maintenance(&job.id, &job.customer_id, e.at) {
                continue;
            }
            let run = missed_run(job, &e, ctx);
            if !job.schedule.missed.iter().any(|m| m.run_id == run.id) {
                job.schedule.missed.push(MissedMark { run_id: run.id.clone(), at: e.at, day: e.day, late: false });
            }
            if job.schedule.missed.len() > MISSED_KEPT {
                let cut = job.schedule.missed.len() - MISSED_KEPT;
                job.schedule.missed.drain(..cut);
            }
            match self.store.record_missed(&run, job).await {
                Ok(true) => {
                    job.version += 1;
                    dirty = false;
                    created.push(run);
                }
                // Created before (a retried tick whose job write was
                // undone since): the job is written below without it.
                Ok(false) => {}
                Err(PortError::Conflict(_)) => return Ok(Attempt::Conflict),
                Err(e) => return Err(e.into()),
            }
        }
        if dirty {
            match self.store.update_job(job).await {
                Ok(()) => job.version += 1,
                Err(PortError::Conflict(_)) => return Ok(Attempt::Conflict),
                Err(e) => return Err(e.into()),
            }
        }
        Ok(Attempt::Done(()))
    }

    /// A late report: its Missed run is marked "arrived late" (and, if
    /// nobody reviewed it yet, reviewed by the system, so the day is not in
    /// Run Checks twice). The real run is recorded as usual.
    pub(crate) async fn attach_late(&self, mark: &MissedMark, run: &Run) -> Result<()> {
        let now = self.clock.now();
        let done = retry::on_conflict("the Missed run", || async {
            let Some(mut missed) = self.store.get_run(&mark.run_id).await? else { return Ok(Attempt::Done(false)) };
            if missed.late.is_some() {
                return Ok(Attempt::Done(false));
            }
            missed.late = Some(LateArrival { run_id: run.id.clone(), at: run.received_at });
            if missed.review.is_none() {
                missed.review = Some(Review { by: Actor::system().username, at: now });
            }
            retry::written(self.store.update_run(&missed).await, true)
        })
        .await?;
        if done {
            let change = Change::fields(
                serde_json::json!({"late": null}),
                serde_json::json!({"late": {"run_id": run.id, "at": run.received_at}}),
            );
            self.audit(audit_entry(self, &Actor::system(), "run", &mark.run_id, "arrived_late", change)).await?;
        }
        Ok(())
    }
}
