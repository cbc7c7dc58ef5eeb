//! Overrides (the seed's "Option 2"): known noise declared once. A matching
//! run shows as Success with an override marker; its original status stays
//! stored and visible. Applied when a run is recorded, and re-applied to
//! every unreviewed run when an override is created, edited, deleted, or
//! enters or leaves its validity window; reviewed runs keep what they
//! showed. The matching rule is in [`matching`].
//!
//! Operators and admins create and edit; only admins delete.

pub mod matching;
pub mod repo;

use std::collections::HashMap;

use bc_api_types::{self as api, Permission, Status};
use chrono::Duration;

use crate::app::App;
use crate::audit::{Change, audit_entry};
use crate::auth::permissions::Actor;
use crate::error::{Error, Result};
use crate::ids::{self, check_id};
use crate::model::{Job, Override, Run};
use crate::ports::PortError;
use crate::tasks::task::Task;
use matching::{Compiled, Subject, applicable, compile_all, evaluate};

/// Unreviewed runs re-evaluated per batch (one in the request, the rest in
/// the worker).
pub const REAPPLY_BATCH: usize = 250;
/// At most this many overrides may exist (each run is checked against all).
pub const MAX_OVERRIDES: usize = 2_000;
/// Window boundaries older than this are not looked at by the scheduler.
const BOUNDARY_LOOKBACK_DAYS: i64 = 2;

fn present(o: &Override, now: chrono::DateTime<chrono::Utc>, scope_label: String) -> api::Override {
    api::Override {
        scope_label,
        id: o.id.clone(),
        number: o.number,
        spec: o.spec.clone(),
        active: o.spec.valid_from.is_none_or(|f| f <= now) && o.spec.valid_until.is_none_or(|u| now < u),
        created_by: o.created_by.clone(),
        created_at: o.created_at,
        updated_by: o.updated_by.clone(),
        updated_at: o.updated_at,
        version: o.version,
    }
}

/// A run's own texts for matching: its summary message.
fn run_texts(run: &Run, report: Option<&api::Report>) -> Vec<String> {
    match report {
        Some(r) if !r.messages.is_empty() => r.messages.clone(),
        _ => run.message.clone().into_iter().collect(),
    }
}

impl App {
    pub async fn overrides(&self, actor: &Actor) -> Result<Vec<api::Override>> {
        actor.require(Permission::ViewOverrides)?;
        let now = self.clock.now();
        let all = self.store.list_overrides().await?;
        let labels = self.scope_labels(&all).await?;
        Ok(all.iter().zip(labels).map(|(o, l)| present(o, now, l)).collect())
    }

    pub async fn override_detail(&self, actor: &Actor, id: &str) -> Result<api::Override> {
        actor.require(Permission::ViewOverrides)?;
        check_id(id, "override")?;
        let o = self.store.get_override(id).await?.ok_or(Error::NotFound("override"))?;
        self.present_override(&o).await
    }

    async fn present_override(&self, o: &Override) -> Result<api::Override> {
        let label = self.scope_labels(std::slice::from_ref(o)).await?.pop().unwrap_or_default();
        Ok(present(o, self.clock.now(), label))
    }

    /// Each override's scope in words (names looked up in one pass).
    async fn scope_labels(&self, all: &[Override]) -> Result<Vec<String>> {
        let mut job_ids: Vec<String> = all
            .iter()
            .filter_map(|o| match &o.spec.scope {
                api::OverrideScope::Job { job_id } => Some(job_id.clone()),
                _ => None,
            })
            .collect();
        job_ids.sort();
        job_ids.dedup();
        let jobs: HashMap<String, Job> = if job_ids.is_empty() {
            HashMap::new()
        } else {
            self.store.get_jobs(&job_ids).await?.into_iter().map(|j| (j.id.clone(), j)).collect()
        };
        let customers = if all.iter().any(|o| !matches!(o.spec.scope, api::OverrideScope::Global)) {
            self.customer_names().await?
        } else {
            HashMap::new()
        };
        let gone = |what: &str, id: &str| format!("{what} {id} (deleted)");
        Ok(all
            .iter()
            .map(|o| match &o.spec.scope {
                api::OverrideScope::Global => "Every job".to_string(),
                api::OverrideScope::Customer { customer_id } => customers
                    .get(customer_id)
                    .map(|n| format!("Customer {n}"))
                    .unwrap_or_else(|| gone("customer", customer_id)),
                api::OverrideScope::Software { software, job_type: Some(t) } => format!("{software} · {t}"),
                api::OverrideScope::Software { software, job_type: None } => software.clone(),
                api::OverrideScope::Job { job_id } => match jobs.get(job_id) {
                    Some(j) => format!("{} — {}", customers.get(&j.customer_id).map_or("", |n| n.as_str()), j.job_name),
                    None => gone("job", job_id),
                },
            })
            .collect())
    }

    /// The customer or job a scope names must exist.
    async fn check_scope(&self, spec: &api::OverrideSpec) -> Result<()> {
        match &spec.scope {
            api::OverrideScope::Customer { customer_id } => {
                self.store.get_customer(customer_id).await?.ok_or(Error::Invalid("no such customer".into()))?;
            }
            api::OverrideScope::Job { job_id } => {
                self.store.get_job(job_id).await?.ok_or(Error::Invalid("no such job".into()))?;
            }
            _ => {}
        }
        Ok(())
    }

    pub async fn create_override(&self, actor: &Actor, spec: &api::OverrideSpec) -> Result<api::Override> {
        actor.require(Permission::ManageOverrides)?;
        let spec = matching::validate(spec)?;
        self.check_scope(&spec).await?;
        if self.store.list_overrides().await?.len() >= MAX_OVERRIDES {
            return Err(Error::Invalid(format!("at most {MAX_OVERRIDES} overrides; delete old ones first")));
        }
        let now = self.clock.now();
        let number = self.store.bump_counter("override-number", now + Duration::days(365 * 100)).await?;
        let o = Override {
            id: ids::random_id("ov"),
            number,
            spec,
            created_by: actor.username.clone(),
            created_at: now,
            updated_by: None,
            updated_at: None,
            version: 0,
        };
        self.store.insert_override(&o).await?;
        let after = serde_json::to_value(&o.spec).unwrap_or_default();
        self.audit(audit_entry(self, actor, "override", &o.id, "create", Change::created(after))).await?;
        self.reapply_overrides_now().await?;
        self.present_override(&o).await
    }

    pub async fn update_override(&self, actor: &Actor, id: &str, edit: &api::OverrideUpdate) -> Result<api::Override> {
        actor.require(Permission::ManageOverrides)?;
        check_id(id, "override")?;
        let spec = matching::validate(&edit.spec)?;
        self.check_scope(&spec).await?;
        let mut o = self.store.get_override(id).await?.ok_or(Error::NotFound("override"))?;
        if o.version != edit.version {
            return Err(Error::Conflict("the override was changed meanwhile; reload it".into()));
        }
        let before = o.spec.clone();
        let now = self.clock.now();
        o.spec = spec;
        o.updated_by = Some(actor.username.clone());
        o.updated_at = Some(now);
        self.store.update_override(&o).await.map_err(|e| match e {
            PortError::Conflict(_) => Error::Conflict("the override was changed meanwhile; reload it".into()),
            e => e.into(),
        })?;
        o.version += 1;
        let change = Change::diff(&before, &o.spec);
        if !change.is_empty() {
            self.audit(audit_entry(self, actor, "override", &o.id, "update", change)).await?;
        }
        self.reapply_overrides_now().await?;
        self.present_override(&o).await
    }

    pub async fn delete_override(&self, actor: &Actor, id: &str) -> Result<()> {
        actor.require(Permission::DeleteOverrides)?;
        check_id(id, "override")?;
        let o = self.store.get_override(id).await?.ok_or(Error::NotFound("override"))?;
        if !self.store.delete_override(id).await? {
            return Err(Error::NotFound("override"));
        }
        let before = serde_json::to_value(&o.spec).unwrap_or_default();
        self.audit(audit_entry(self, actor, "override", id, "delete", Change::deleted(before))).await?;
        self.reapply_overrides_now().await?;
        Ok(())
    }

    /// The overrides, compiled.
    pub(crate) async fn compiled_overrides(&self) -> Result<Vec<Compiled>> {
        Ok(compile_all(self.store.list_overrides().await?))
    }

    /// Sets a new run's shown status from the overrides in effect (at
    /// ingest, before the run is recorded).
    pub(crate) async fn apply_overrides(&self, run: &mut Run, job: &Job, report: &api::Report) -> Result<()> {
        let all = self.compiled_overrides().await?;
        let now = self.clock.now();
        let app = applicable(&all, job, now);
        let original = run.original_status();
        let messages = run_texts(run, Some(report));
        let out =
            evaluate(&app, &Subject { job, original, messages: &messages, objects: Some(report.objects.as_slice()) });
        run.status = out.status;
        run.overridden = out.overridden;
        Ok(())
    }

    /// Re-evaluates the first batch of unreviewed runs now and queues the rest.
    async fn reapply_overrides_now(&self) -> Result<()> {
        self.reapply_overrides_batch(None).await
    }

    /// One batch of the re-evaluation of unreviewed runs (task
    /// `ReapplyOverrides`); queues the next. Idempotent: evaluating a run
    /// twice gives the same result, and a run reviewed meanwhile is left as
    /// it was shown.
    pub(crate) async fn reapply_overrides_batch(&self, cursor: Option<&str>) -> Result<()> {
        let all = self.compiled_overrides().await?;
        let now = self.clock.now();
        let page = self.store.list_unreviewed_runs(None, cursor, REAPPLY_BATCH).await?;
        let mut job_ids: Vec<String> = page.items.iter().map(|r| r.job_id.clone()).collect();
        job_ids.sort();
        job_ids.dedup();
        let jobs: HashMap<String, Job> =
            self.store.get_jobs(&job_ids).await?.into_iter().map(|j| (j.id.clone(), j)).collect();
        let mut changed = Vec::new();
        for run in &page.items {
            let Some(job) = jobs.get(&run.job_id) else { continue };
            if let Some(next) = self.reevaluate(&all, now, run, job).await? {
                changed.push(next);
            }
        }
        if !changed.is_empty() {
            let written = self.store.update_runs(&changed).await?;
            // A run written meanwhile (reviewed, or re-evaluated by a
            // concurrent batch): evaluate what is stored now, once.
            for (run, ok) in changed.iter().zip(written) {
                if ok {
                    continue;
                }
                let Some(fresh) = self.store.get_run(&run.id).await? else { continue };
                if fresh.review.is_some() {
                    continue;
                }
                let Some(job) = jobs.get(&fresh.job_id) else { continue };
                if let Some(next) = self.reevaluate(&all, now, &fresh, job).await? {
                    match self.store.update_run(&next).await {
                        Ok(()) | Err(PortError::Conflict(_)) => {}
                        Err(e) => return Err(e.into()),
                    }
                }
            }
        }
        if let Some(next) = page.next_cursor {
            self.enqueue(&Task::ReapplyOverrides { cursor: Some(next) }).await?;
        }
        Ok(())
    }

    /// The run as it should show now, if that differs from how it is stored.
    async fn reevaluate(
        &self,
        all: &[Compiled],
        now: chrono::DateTime<chrono::Utc>,
        run: &Run,
        job: &Job,
    ) -> Result<Option<Run>> {
        let app = applicable(all, job, now);
        let original = run.original_status();
        // The report (objects and all messages) is read only when an
        // override that could apply looks at objects or text.
        let needs_report = app.iter().any(|c| c.per_object() || c.ov.spec.message.is_some());
        let report = if original != Status::Success && needs_report {
            self.load_report(run.report_key.as_deref()).await?
        } else {
            None
        };
        let messages = run_texts(run, report.as_ref());
        let out = evaluate(
            &app,
            &Subject { job, original, messages: &messages, objects: report.as_ref().map(|r| r.objects.as_slice()) },
        );
        if out.status == run.status && out.overridden == run.overridden {
            return Ok(None);
        }
        let mut next = run.clone();
        next.status = out.status;
        next.overridden = out.overridden;
        Ok(Some(next))
    }

    /// Scheduler duty: when an override entered or left its validity window
    /// since the last look, re-evaluate the unreviewed runs (once per
    /// boundary, by claim).
    pub(crate) async fn override_boundaries(&self) -> Result<u32> {
        let now = self.clock.now();
        let since = now - Duration::days(BOUNDARY_LOOKBACK_DAYS);
        let mut crossed = Vec::new();
        for o in self.store.list_overrides().await? {
            for (edge, at) in [("from", o.spec.valid_from), ("until", o.spec.valid_until)] {
                let Some(at) = at else { continue };
                if at <= since || at > now {
                    continue;
                }
                let key = format!("override-window:{}:{edge}:{}", o.id, at.timestamp());
                if self.store.claim(&key, now, now + Duration::days(BOUNDARY_LOOKBACK_DAYS * 2)).await? {
                    crossed.push(key);
                }
            }
        }
        if !crossed.is_empty()
            && let Err(e) = self.enqueue(&Task::ReapplyOverrides { cursor: None }).await
        {
            // Not queued: give the edges back so the next tick tries again.
            for key in &crossed {
                self.store.release_claim(key).await?;
            }
            return Err(e);
        }
        Ok(crossed.len() as u32)
    }
}
