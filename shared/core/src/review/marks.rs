//! Marking runs reviewed and unmarking them. Small requests are done at
//! once; larger ones (more than `Config::bulk_threshold` runs) become a bulk
//! operation the worker runs in batches, with progress in the UI. A review
//! of whole jobs takes only the runs that had arrived by `as_of` (the time
//! the operator's page was read), so a run that arrives mid-review is never
//! cleared unseen.

use bc_api_types::{self as api, Permission};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::app::App;
use crate::audit::{Change, audit_entry, audit_entry_with_id};
use crate::auth::permissions::Actor;
use crate::error::{Error, Result};
use crate::ids;
use crate::model::{AuditRecord, Operation, Review, Run};
use crate::present;
use crate::retry::ATTEMPTS;
use crate::tasks::operations::StepOutcome;

/// What a bulk review operation does.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct MarkParams {
    /// Review (true) or unreview (false).
    mark: bool,
    job_ids: Vec<String>,
    run_ids: Vec<String>,
    as_of: DateTime<Utc>,
    actor: Actor,
}

/// Where the next batch starts.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct MarkPosition {
    run_offset: usize,
    job_index: usize,
    cursor: Option<String>,
}

impl App {
    /// Marks runs reviewed: the given runs, and every unreviewed run of the
    /// given jobs that had arrived by `as_of` (default: now).
    pub async fn review(
        &self,
        actor: &Actor,
        job_ids: &[String],
        run_ids: &[String],
        as_of: Option<DateTime<Utc>>,
    ) -> Result<api::ReviewResponse> {
        actor.require(Permission::Review)?;
        let now = self.clock.now();
        let as_of = as_of.map_or(now, |t| t.min(now));
        self.mark(actor, true, job_ids, run_ids, as_of).await
    }

    /// Admins: unmark reviewed runs so they show in Run Checks again.
    pub async fn unreview(&self, actor: &Actor, job_ids: &[String], run_ids: &[String]) -> Result<api::ReviewResponse> {
        actor.require(Permission::Unreview)?;
        if !job_ids.is_empty() {
            return Err(Error::Invalid("unmark names runs, not jobs".into()));
        }
        self.mark(actor, false, &[], run_ids, self.clock.now()).await
    }

    async fn mark(
        &self,
        actor: &Actor,
        mark: bool,
        job_ids: &[String],
        run_ids: &[String],
        as_of: DateTime<Utc>,
    ) -> Result<api::ReviewResponse> {
        if job_ids.is_empty() && run_ids.is_empty() {
            return Err(Error::Invalid("name job_ids or run_ids".into()));
        }
        ids::check_ids(job_ids, "job")?;
        ids::check_ids(run_ids, "run")?;
        for id in job_ids {
            self.store.get_job(id).await?.ok_or(Error::NotFound("job"))?;
        }
        let threshold = self.config.bulk_threshold;
        let mut estimate = run_ids.len();
        for id in job_ids {
            if estimate > threshold {
                break;
            }
            estimate += self.store.list_unreviewed_runs(Some(id), None, threshold + 1).await?.items.len();
        }
        if estimate > threshold {
            let params =
                MarkParams { mark, job_ids: job_ids.to_vec(), run_ids: run_ids.to_vec(), as_of, actor: actor.clone() };
            let params = serde_json::to_value(&params).map_err(|e| Error::Backend(format!("operation: {e}")))?;
            let kind = if mark { "review" } else { "unreview" };
            let op = self.start_operation(actor, kind, params, estimate as u32).await?;
            let change = Change::created(json!({"kind": kind, "jobs": job_ids.len(), "runs": run_ids.len()}));
            self.audit(audit_entry(self, actor, "operation", &op.id, "start", change)).await?;
            return Ok(api::ReviewResponse { changed: 0, operation: Some(present::operation(&op)) });
        }
        let mut targets = Vec::new();
        for id in run_ids {
            targets.push(self.store.get_run(id).await?.ok_or(Error::NotFound("run"))?);
        }
        for id in job_ids {
            let runs = self.store.list_unreviewed_runs(Some(id), None, threshold + 1).await?.items;
            targets.extend(runs.into_iter().filter(|r| r.received_at <= as_of));
        }
        let changed = self.mark_runs(actor, targets, mark, None).await?;
        Ok(api::ReviewResponse { changed, operation: None })
    }

    /// Sets or clears the review of `runs` in batched versioned writes,
    /// re-reading those a concurrent writer changed, and records each change
    /// in the audit trail. `op` makes the audit ids stable for redelivery.
    async fn mark_runs(&self, actor: &Actor, runs: Vec<Run>, mark: bool, op: Option<&str>) -> Result<u32> {
        let review = mark.then(|| Review { by: actor.username.clone(), at: self.clock.now() });
        let mut pending: Vec<Run> = runs;
        let mut changed: Vec<Run> = Vec::new();
        for _ in 0..ATTEMPTS {
            pending.retain(|r| r.review.is_some() != mark);
            pending.sort_by(|a, b| a.id.cmp(&b.id));
            pending.dedup_by(|a, b| a.id == b.id);
            if pending.is_empty() {
                break;
            }
            let next: Vec<Run> = pending.iter().map(|r| Run { review: review.clone(), ..r.clone() }).collect();
            let written = self.store.update_runs(&next).await?;
            let mut retry = Vec::new();
            for (run, ok) in next.into_iter().zip(written) {
                if ok {
                    changed.push(run);
                } else if let Some(fresh) = self.store.get_run(&run.id).await? {
                    retry.push(fresh);
                }
            }
            pending = retry;
        }
        if !pending.iter().all(|r| r.review.is_some() == mark) {
            return Err(Error::Conflict("some runs kept changing; try again".into()));
        }
        let action = if mark { "review" } else { "unreview" };
        let entries: Vec<AuditRecord> = changed
            .iter()
            .map(|r| {
                let after = match &r.review {
                    Some(v) => json!({"reviewed": true, "by": v.by, "at": v.at}),
                    None => json!({"reviewed": false}),
                };
                let change = Change::fields(json!({"reviewed": !mark}), after);
                match op {
                    Some(op) => {
                        let id = ids::derived("a", &format!("{op}|{}|{action}", r.id));
                        audit_entry_with_id(self, id, actor, "run", &r.id, action, change)
                    }
                    None => audit_entry(self, actor, "run", &r.id, action, change),
                }
            })
            .collect();
        self.audit_all(&entries).await?;
        Ok(changed.len() as u32)
    }

    /// One batch of a bulk review or unreview (the worker).
    pub(crate) async fn review_operation_step(&self, op: &Operation) -> Result<StepOutcome> {
        let p: MarkParams = serde_json::from_value(op.params.clone())
            .map_err(|e| Error::Invalid(format!("unreadable operation parameters: {e}")))?;
        let mut pos: MarkPosition = match &op.position {
            Value::Null => MarkPosition::default(),
            v => serde_json::from_value(v.clone())
                .map_err(|e| Error::Invalid(format!("unreadable operation position: {e}")))?,
        };
        let batch = self.config.bulk_batch.max(1);
        let mut targets = Vec::new();
        if pos.run_offset < p.run_ids.len() {
            let end = (pos.run_offset + batch).min(p.run_ids.len());
            for id in &p.run_ids[pos.run_offset..end] {
                if let Some(r) = self.store.get_run(id).await? {
                    targets.push(r);
                }
            }
            pos.run_offset = end;
        } else if let Some(job_id) = p.job_ids.get(pos.job_index) {
            let page = self.store.list_unreviewed_runs(Some(job_id), pos.cursor.as_deref(), batch).await?;
            targets.extend(page.items.into_iter().filter(|r| r.received_at <= p.as_of));
            match page.next_cursor {
                Some(c) => pos.cursor = Some(c),
                None => {
                    pos.job_index += 1;
                    pos.cursor = None;
                }
            }
        }
        let changed = self.mark_runs(&p.actor, targets, p.mark, Some(&op.id)).await?;
        let finished = pos.run_offset >= p.run_ids.len() && pos.job_index >= p.job_ids.len();
        let position = serde_json::to_value(&pos).map_err(|e| Error::Backend(format!("operation: {e}")))?;
        Ok(StepOutcome { changed, position, finished })
    }
}
