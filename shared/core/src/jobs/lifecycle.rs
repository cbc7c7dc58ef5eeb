//! A job's lifecycle after its approval: rename, move to another customer,
//! archive and unarchive, merge two jobs, delete a job with its runs, undo
//! an approval. Every change is in the audit trail.
//!
//! What changes the job record happens in the request. What touches every
//! run of a job (a move, a merge, a delete) runs in the worker as a bulk
//! operation, a batch of runs per step (see `tasks::operations`), so a job
//! with 100,000 runs costs no long request. Each step is idempotent: a run
//! already moved or removed is not listed again.
//!
//! Cascades (docs/data-model.md, "Job lifecycle"):
//! - merge: the merged job stays as an **alias** (`lifecycle.merged_into`),
//!   reached by id only, never listed; its identity's mails route to the
//!   kept job. Its runs, remarks, tickets and job-scoped overrides move to
//!   the kept job.
//! - delete: the job, its aliases, remarks, tickets and job-scoped
//!   overrides are removed; its runs are removed by the worker and their
//!   mails become deleted mails (an admin can still see and restore them).
//! - undo approval: like delete, but the mails go back to the Inbox, where
//!   they can be approved again (for another customer, say).

use bc_api_types::{self as api, MailState, OverrideScope, Permission};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::app::App;
use crate::audit::{Change, audit_entry};
use crate::auth::permissions::Actor;
use crate::error::{Error, Result};
use crate::ids::check_id;
use crate::model::{Deletion, Job, LastRun, Operation, Run};
use crate::ports::PortError;
use crate::present;
use crate::retry::{self, Attempt};
use crate::tasks::operations::StepOutcome;
use crate::tasks::task::Task;

/// Runs per worker step of a move or removal.
pub const RUN_BATCH: usize = 100;
/// Longest display name.
pub const MAX_NAME: usize = 200;
/// Remarks and tickets of one job carried along by a merge or a delete.
const MAX_NOTES: usize = 10_000;

/// What a job-runs operation does (the operation's `params`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "do", rename_all = "snake_case")]
pub(crate) enum JobRunsParams {
    /// Every run of `from` goes to job `to` and customer `customer_id`
    /// (`from == to` for a move to another customer).
    Move { from: String, to: String, customer_id: String },
    /// Every run of `job` is removed; its mail goes back to the Inbox or
    /// becomes a deleted mail.
    Remove { job: String, mails_to: MailsTo },
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum MailsTo {
    Inbox,
    Deleted,
}

/// The operation kind of job-runs work.
pub(crate) const OPERATION_KIND: &str = "job_runs";

fn newer(a: Option<LastRun>, b: Option<LastRun>) -> Option<LastRun> {
    match (a, b) {
        (Some(a), Some(b)) => Some(if b.at > a.at { b } else { a }),
        (a, b) => a.or(b),
    }
}

fn check_name(name: &str) -> Result<String> {
    let name = name.trim();
    if name.is_empty() {
        return Err(Error::Invalid("a job name cannot be empty".into()));
    }
    if name.chars().count() > MAX_NAME {
        return Err(Error::Invalid(format!("a job name has at most {MAX_NAME} characters")));
    }
    if name.chars().any(char::is_control) {
        return Err(Error::Invalid("a job name cannot hold control characters".into()));
    }
    Ok(name.to_string())
}

impl App {
    /// The job `id` names, following merge aliases to the job kept.
    pub(crate) async fn resolve_job(&self, id: &str) -> Result<Option<Job>> {
        let mut id = id.to_string();
        // A merge re-points older aliases, so one hop is the rule; a few
        // more are tolerated, a cycle is not followed.
        for _ in 0..4 {
            match self.store.get_job(&id).await? {
                Some(j) => match &j.lifecycle.merged_into {
                    Some(next) => id = next.clone(),
                    None => return Ok(Some(j)),
                },
                None => return Ok(None),
            }
        }
        Err(Error::Backend(format!("job {id}: merge aliases form a chain too long to follow")))
    }

    /// A job a change may apply to: it exists and is not an alias.
    async fn changeable_job(&self, id: &str) -> Result<Job> {
        check_id(id, "job")?;
        let job = self.store.get_job(id).await?.ok_or(Error::NotFound("job"))?;
        if let Some(into) = &job.lifecycle.merged_into {
            return Err(Error::Conflict(format!("this job was merged into job {into}; change that one")));
        }
        Ok(job)
    }

    /// Reads, changes and writes a job, again on a version conflict.
    async fn update_job_with<F>(&self, id: &str, change: F) -> Result<Job>
    where
        F: Fn(&mut Job) -> Result<()>,
    {
        let change = &change;
        retry::on_conflict("the job", || async move {
            let mut j = self.store.get_job(id).await?.ok_or(Error::NotFound("job"))?;
            change(&mut j)?;
            let r = self.store.update_job(&j).await;
            j.version += 1;
            retry::written(r, j)
        })
        .await
    }

    /// Adds `delta` to a customer's job count (a gone customer is skipped).
    async fn adjust_job_count(&self, customer_id: &str, delta: i64) -> Result<()> {
        retry::on_conflict("the customer", || async move {
            let Some(mut c) = self.store.get_customer(customer_id).await? else {
                return Ok(Attempt::Done(()));
            };
            c.job_count = c.job_count.saturating_add_signed(delta);
            retry::written(self.store.update_customer(&c).await, ())
        })
        .await
    }

    async fn job_change(&self, job: Option<&Job>, op: Option<&Operation>) -> Result<api::JobChange> {
        let job = match job {
            Some(j) => {
                let customer = self.store.get_customer(&j.customer_id).await?;
                Some(present::job(j, customer.as_ref().map(|c| c.name.as_str()).unwrap_or("")))
            }
            None => None,
        };
        Ok(api::JobChange { job, operation: op.map(present::operation) })
    }

    /// Queues the worker's part of a change, if the job has runs.
    async fn start_job_runs(&self, actor: &Actor, params: JobRunsParams, runs: u64) -> Result<Option<Operation>> {
        if runs == 0 && self.store.list_runs(job_of(&params), None, 1).await?.items.is_empty() {
            return Ok(None);
        }
        let params = serde_json::to_value(&params).map_err(|e| Error::Backend(format!("operation params: {e}")))?;
        Ok(Some(self.start_operation(actor, OPERATION_KIND, params, runs.min(u32::MAX as u64) as u32).await?))
    }

    /// Renames a job for people; the identity its mails are matched by
    /// stays. The name the reports give (or an empty one) restores it.
    pub async fn rename_job(&self, actor: &Actor, id: &str, name: &str) -> Result<api::JobChange> {
        actor.require(Permission::ManageJobs)?;
        let before = self.changeable_job(id).await?;
        let original = before.lifecycle.original_name.clone().unwrap_or_else(|| before.job_name.clone());
        let name = if name.trim().is_empty() { original.clone() } else { check_name(name)? };
        if name == before.job_name {
            return self.job_change(Some(&before), None).await;
        }
        let job = self
            .update_job_with(id, |j| {
                j.lifecycle.original_name = (name != original).then(|| original.clone());
                j.job_name = name.clone();
                Ok(())
            })
            .await?;
        let change = Change::fields(json!({"job_name": before.job_name}), json!({"job_name": job.job_name}));
        self.audit(audit_entry(self, actor, "job", id, "rename", change)).await?;
        self.job_change(Some(&job), None).await
    }

    /// Moves a job, and every run of it, to another customer.
    pub async fn move_job(&self, actor: &Actor, id: &str, customer_id: &str) -> Result<api::JobChange> {
        actor.require(Permission::ManageJobs)?;
        let before = self.changeable_job(id).await?;
        check_id(customer_id, "customer")?;
        let customer = self.store.get_customer(customer_id).await?.ok_or(Error::NotFound("customer"))?;
        if !customer.active {
            return Err(Error::Invalid(format!("customer {:?} is deactivated", customer.name)));
        }
        if before.customer_id == customer_id {
            return self.job_change(Some(&before), None).await;
        }
        let job = self
            .update_job_with(id, |j| {
                j.customer_id = customer_id.to_string();
                Ok(())
            })
            .await?;
        self.adjust_job_count(&before.customer_id, -1).await?;
        self.adjust_job_count(customer_id, 1).await?;
        let change = Change::fields(json!({"customer_id": before.customer_id}), json!({"customer_id": customer_id}));
        self.audit(audit_entry(self, actor, "job", id, "move", change)).await?;
        let params = JobRunsParams::Move { from: id.into(), to: id.into(), customer_id: customer_id.into() };
        let op = self.start_job_runs(actor, params, job.run_count).await?;
        self.job_change(Some(&job), op.as_ref()).await
    }

    /// Archives a job (it leaves Run Checks; later mails become runs that
    /// raise nothing) or brings it back.
    pub async fn set_job_archived(&self, actor: &Actor, id: &str, archived: bool) -> Result<api::JobChange> {
        actor.require(Permission::ManageJobs)?;
        let before = self.changeable_job(id).await?;
        if before.is_archived() == archived {
            return self.job_change(Some(&before), None).await;
        }
        let mark = Deletion { by: actor.username.clone(), at: self.clock.now() };
        let job = self
            .update_job_with(id, |j| {
                j.lifecycle.archived = archived.then(|| mark.clone());
                Ok(())
            })
            .await?;
        let action = if archived { "archive" } else { "unarchive" };
        let change = Change::fields(json!({"archived": !archived}), json!({"archived": archived}));
        self.audit(audit_entry(self, actor, "job", id, action, change)).await?;
        self.job_change(Some(&job), None).await
    }

    /// Merges job `from_id` into job `keep_id` (after a rename in the
    /// backup software, say): its runs, remarks, tickets and job-scoped
    /// overrides move over, and its identity routes to the kept job.
    pub async fn merge_jobs(&self, actor: &Actor, keep_id: &str, from_id: &str) -> Result<api::JobChange> {
        actor.require(Permission::ManageJobs)?;
        let keep = self.changeable_job(keep_id).await?;
        let from = self.changeable_job(from_id).await?;
        if keep.id == from.id {
            return Err(Error::Invalid("a job cannot be merged into itself".into()));
        }
        // The merged job becomes an alias first: from then on its mails go
        // to the kept job.
        let from = self
            .update_job_with(from_id, |j| {
                if j.lifecycle.merged_into.is_some() {
                    return Err(Error::Conflict("this job was merged meanwhile".into()));
                }
                j.lifecycle.merged_into = Some(keep.id.clone());
                Ok(())
            })
            .await?;
        let aliases: Vec<String> = std::iter::once(from.id.clone()).chain(from.lifecycle.merged_from.clone()).collect();
        for older in &from.lifecycle.merged_from {
            self.update_job_with(older, |j| {
                j.lifecycle.merged_into = Some(keep.id.clone());
                Ok(())
            })
            .await
            .or_else(|e| if matches!(e, Error::NotFound(_)) { Ok(keep.clone()) } else { Err(e) })?;
        }
        let (runs, last) = (from.run_count, from.last_run.clone());
        let keep = self
            .update_job_with(keep_id, |j| {
                for a in &aliases {
                    if !j.lifecycle.merged_from.contains(a) {
                        j.lifecycle.merged_from.push(a.clone());
                    }
                }
                j.run_count += runs;
                j.last_run = newer(j.last_run.clone(), last.clone());
                Ok(())
            })
            .await?;
        self.update_job_with(from_id, |j| {
            j.lifecycle.merged_from.clear();
            j.run_count = 0;
            Ok(())
        })
        .await?;
        self.adjust_job_count(&from.customer_id, -1).await?;
        self.move_notes(actor, &from.id, Some(&keep.id)).await?;

        let change = Change::fields(json!({"merged_from": []}), json!({"merged_from": [from.id], "runs": runs}));
        self.audit(audit_entry(self, actor, "job", &keep.id, "merge", change)).await?;
        let change = Change::fields(json!({"merged_into": null}), json!({"merged_into": keep.id}));
        self.audit(audit_entry(self, actor, "job", &from.id, "merged_into", change)).await?;
        let params =
            JobRunsParams::Move { from: from.id.clone(), to: keep.id.clone(), customer_id: keep.customer_id.clone() };
        let op = self.start_job_runs(actor, params, runs).await?;
        self.job_change(Some(&keep), op.as_ref()).await
    }

    /// Deletes a job with its runs (their mails become deleted mails),
    /// remarks, tickets, job-scoped overrides and merge aliases. `confirm`
    /// must repeat the job's name.
    pub async fn delete_job(&self, actor: &Actor, id: &str, confirm: &str) -> Result<api::JobChange> {
        actor.require(Permission::DeleteJobs)?;
        self.remove_job(actor, id, confirm, MailsTo::Deleted, "delete").await
    }

    /// Undoes a job's approval: the job goes, its runs too, and their mails
    /// go back to the Inbox. `confirm` must repeat the job's name.
    pub async fn unapprove_job(&self, actor: &Actor, id: &str, confirm: &str) -> Result<api::JobChange> {
        actor.require(Permission::DeleteJobs)?;
        self.remove_job(actor, id, confirm, MailsTo::Inbox, "unapprove").await
    }

    async fn remove_job(
        &self,
        actor: &Actor,
        id: &str,
        confirm: &str,
        mails_to: MailsTo,
        action: &str,
    ) -> Result<api::JobChange> {
        let job = self.changeable_job(id).await?;
        if confirm.trim() != job.job_name {
            return Err(Error::Invalid(format!("to confirm, type the job's name: {:?}", job.job_name)));
        }
        self.move_notes(actor, &job.id, None).await?;
        for alias in &job.lifecycle.merged_from {
            self.store.delete_job(alias).await?;
        }
        if !self.store.delete_job(&job.id).await? {
            return Err(Error::NotFound("job"));
        }
        self.adjust_job_count(&job.customer_id, -1).await?;
        let before = json!({
            "identity": job.identity, "customer_id": job.customer_id, "job_name": job.job_name,
            "run_count": job.run_count, "merged_from": job.lifecycle.merged_from,
        });
        self.audit(audit_entry(self, actor, "job", &job.id, action, Change::deleted(before))).await?;
        let op =
            self.start_job_runs(actor, JobRunsParams::Remove { job: job.id.clone(), mails_to }, job.run_count).await?;
        self.job_change(None, op.as_ref()).await
    }

    /// Moves a job's remarks, tickets and job-scoped overrides to another
    /// job, or (`to: None`) removes them; each change audited.
    async fn move_notes(&self, actor: &Actor, from: &str, to: Option<&str>) -> Result<()> {
        for mut r in self.store.list_job_remarks(from, MAX_NOTES).await? {
            match to {
                Some(to) => {
                    r.job_id = to.to_string();
                    self.store.update_remark(&r).await?;
                    let change = Change::fields(json!({"job_id": from}), json!({"job_id": to}));
                    self.audit(audit_entry(self, actor, "remark", &r.id, "move", change)).await?;
                }
                None => {
                    self.store.delete_remark(&r.id).await?;
                    let change = Change::deleted(json!({"job_id": from, "text": r.text}));
                    self.audit(audit_entry(self, actor, "remark", &r.id, "delete", change)).await?;
                }
            }
        }
        for mut t in self.store.list_job_tickets(from, MAX_NOTES).await? {
            match to {
                Some(to) => {
                    t.job_id = to.to_string();
                    self.store.update_ticket(&t).await?;
                    let change = Change::fields(json!({"job_id": from}), json!({"job_id": to}));
                    self.audit(audit_entry(self, actor, "ticket", &t.id, "move", change)).await?;
                }
                None => {
                    match self.store.delete_ticket(&t).await {
                        Ok(()) | Err(PortError::Conflict(_)) => {}
                        Err(e) => return Err(e.into()),
                    }
                    let change = Change::deleted(json!({"job_id": from, "number": t.number}));
                    self.audit(audit_entry(self, actor, "ticket", &t.id, "delete", change)).await?;
                }
            }
        }
        let mut overrides_changed = false;
        for mut o in self.store.list_overrides().await? {
            if !matches!(&o.spec.scope, OverrideScope::Job { job_id } if job_id == from) {
                continue;
            }
            overrides_changed = true;
            match to {
                Some(to) => {
                    o.spec.scope = OverrideScope::Job { job_id: to.to_string() };
                    self.store.update_override(&o).await?;
                    let change = Change::fields(json!({"job_id": from}), json!({"job_id": to}));
                    self.audit(audit_entry(self, actor, "override", &o.id, "move", change)).await?;
                }
                None => {
                    self.store.delete_override(&o.id).await?;
                    let before = serde_json::to_value(&o.spec).unwrap_or_default();
                    self.audit(audit_entry(self, actor, "override", &o.id, "delete", Change::deleted(before))).await?;
                }
            }
        }
        if overrides_changed {
            self.enqueue(&Task::ReapplyOverrides { cursor: None }).await?;
        }
        Ok(())
    }

    /// One batch of a job-runs operation (the worker).
    pub(crate) async fn job_runs_step(&self, op: &Operation) -> Result<StepOutcome> {
        let params: JobRunsParams = serde_json::from_value(op.params.clone())
            .map_err(|e| Error::Invalid(format!("operation {}: unreadable params: {e}", op.id)))?;
        match params {
            JobRunsParams::Move { from, to, customer_id } => {
                // Runs that leave the job leave its list: read the first page
                // each time. Runs that stay (a move to another customer) are
                // paged through.
                let cursor = if from == to { op.position.as_str().map(str::to_string) } else { None };
                let page = self.store.list_runs(&from, cursor.as_deref(), RUN_BATCH).await?;
                let mut changed = 0;
                for run in &page.items {
                    if self.move_run(run, &to, &customer_id).await? {
                        changed += 1;
                    }
                }
                let finished = if from == to { page.next_cursor.is_none() } else { page.items.is_empty() };
                if finished {
                    // A customer- or job-scoped override may now match other runs.
                    self.enqueue(&Task::ReapplyOverrides { cursor: None }).await?;
                }
                let position = page.next_cursor.map(serde_json::Value::String).unwrap_or(serde_json::Value::Null);
                Ok(StepOutcome { changed, position, finished })
            }
            JobRunsParams::Remove { job, mails_to } => {
                let page = self.store.list_runs(&job, None, RUN_BATCH).await?;
                let mut changed = 0;
                for run in &page.items {
                    self.release_mail(run, mails_to, &op.created_by).await?;
                    if self.store.delete_run(&run.id).await? {
                        changed += 1;
                    }
                }
                Ok(StepOutcome { changed, position: serde_json::Value::Null, finished: page.items.is_empty() })
            }
        }
    }

    /// Points one run (and its mail) at another job and customer; whether
    /// it changed anything.
    async fn move_run(&self, run: &Run, to: &str, customer_id: &str) -> Result<bool> {
        let moved = retry::on_conflict("the run", || async move {
            let Some(mut r) = self.store.get_run(&run.id).await? else { return Ok(Attempt::Done(false)) };
            if r.job_id == to && r.customer_id == customer_id {
                return Ok(Attempt::Done(false));
            }
            r.job_id = to.to_string();
            r.customer_id = customer_id.to_string();
            retry::written(self.store.update_run(&r).await, true)
        })
        .await?;
        retry::on_conflict("the mail", || async move {
            let Some(mut m) = self.store.get_mail(&run.mail_id).await? else { return Ok(Attempt::Done(())) };
            if m.job_id.as_deref() == Some(to) || m.run_id.as_deref() != Some(run.id.as_str()) {
                return Ok(Attempt::Done(()));
            }
            m.job_id = Some(to.to_string());
            retry::written(self.store.update_mail(&m).await, ())
        })
        .await?;
        Ok(moved)
    }

    /// The mail of a run being removed goes back to the Inbox or becomes a
    /// deleted mail (idempotent).
    async fn release_mail(&self, run: &Run, to: MailsTo, by: &str) -> Result<()> {
        let now = self.clock.now();
        retry::on_conflict("the mail", || async move {
            let Some(mut m) = self.store.get_mail(&run.mail_id).await? else { return Ok(Attempt::Done(())) };
            if m.run_id.as_deref() != Some(run.id.as_str()) {
                return Ok(Attempt::Done(()));
            }
            m.run_id = None;
            m.job_id = None;
            match to {
                MailsTo::Inbox => {
                    m.state = MailState::Inbox;
                    m.deleted = None;
                }
                MailsTo::Deleted => {
                    m.state = MailState::Deleted;
                    m.deleted = Some(Deletion { by: by.to_string(), at: now });
                }
            }
            retry::written(self.store.update_mail(&m).await, ())
        })
        .await
    }
}

fn job_of(p: &JobRunsParams) -> &str {
    match p {
        JobRunsParams::Move { from, .. } => from,
        JobRunsParams::Remove { job, .. } => job,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_checked() {
        assert_eq!(check_name("  Nightly SQL ").unwrap(), "Nightly SQL");
        assert!(check_name("   ").is_err());
        assert!(check_name(&"x".repeat(MAX_NAME + 1)).is_err());
        assert!(check_name("a\u{0}b").is_err());
    }

    #[test]
    fn params_have_a_stable_wire_form() {
        let p = JobRunsParams::Remove { job: "j1".into(), mails_to: MailsTo::Inbox };
        assert_eq!(serde_json::to_string(&p).unwrap(), r#"{"do":"remove","job":"j1","mails_to":"inbox"}"#);
    }

    #[test]
    fn the_newer_last_run_wins() {
        let at = |h: i64| chrono::DateTime::from_timestamp(h * 3600, 0).unwrap();
        let l = |id: &str, h| Some(LastRun { run_id: id.into(), at: at(h), status: api::Status::Success });
        assert_eq!(newer(l("a", 1), l("b", 2)).unwrap().run_id, "b");
        assert_eq!(newer(l("a", 3), l("b", 2)).unwrap().run_id, "a");
        assert_eq!(newer(None, l("b", 2)).unwrap().run_id, "b");
    }
}
