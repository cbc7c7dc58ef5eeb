//! Jobs whose runs do not come from mails: native backup policies (run by
//! engines) and third-party platforms (synced over their APIs). Both become
//! ordinary approved [`Job`]s with a [`JobSource`], and their runs ordinary
//! [`Run`]s, so Run Checks, overrides, schedules, Missed detection and the
//! alert channels treat them exactly like the runs of report mails.
//!
//! Both calls are idempotent: the job's id comes from its identity, the
//! run's id from the caller's stable key (an agent job id, a platform's
//! session id), so a redelivered result or a second sync adds nothing.

use bc_api_types::{JobSource, Report};
use chrono::{DateTime, Utc};
use serde_json::json;

use crate::app::App;
use crate::audit::{Change, audit_entry};
use crate::auth::permissions::Actor;
use crate::error::{Error, Result};
use crate::ids;
use crate::ingest::{job_identity, report_run};
use crate::model::{Job, LastRun, Review, Run};
use crate::ports::PortError;
use crate::retry::{self, Attempt};

/// What a job from outside the mail path is.
#[derive(Debug, Clone)]
pub struct ExternalJob {
    /// Stands in for the mail sender in the job's identity: e.g.
    /// `native@<policy id>` or `veeam_vbr@<platform id>`. Together with the
    /// software and the `key` it must name the job for good (a renamed
    /// platform job keeps its key, so its identity, and only its name changes).
    pub origin: String,
    pub key: String,
    pub customer_id: String,
    pub software: String,
    pub job_type: String,
    pub job_name: String,
    pub source: JobSource,
}

impl ExternalJob {
    pub fn identity(&self) -> String {
        job_identity(&self.origin, &self.software, &self.key)
    }

    pub fn job_id(&self) -> String {
        ids::job_id(&self.identity())
    }
}

/// One run from outside the mail path.
#[derive(Debug, Clone)]
pub struct ExternalRun {
    /// Stable per backup: `native:<agent job id>`, `veeam:<session id>`, ...
    pub key: String,
    /// When Backupchecks learned of it.
    pub received_at: DateTime<Utc>,
    /// The run as a report: status, times, sizes, messages, objects.
    pub report: Report,
}

impl ExternalRun {
    pub fn run_id(&self) -> String {
        ids::derived("rx", &self.key)
    }
}

impl App {
    /// One more job on a customer (its job count, shown on the Customers page).
    pub(crate) async fn count_job_on_customer(&self, customer_id: &str) -> Result<()> {
        retry::on_conflict("the customer", || async {
            let mut c = self.store.get_customer(customer_id).await?.ok_or(Error::NotFound("customer"))?;
            c.job_count += 1;
            retry::written(self.store.update_customer(&c).await, ())
        })
        .await
    }

    /// The approved job for `spec`, created (approved by `actor`, counted on
    /// its customer, audited) the first time; afterwards its name and type
    /// follow the source's. A job an operator moved, renamed or archived
    /// keeps those changes.
    pub async fn ensure_external_job(&self, actor: &Actor, spec: &ExternalJob) -> Result<Job> {
        let id = spec.job_id();
        if let Some(job) = self.resolve_job(&id).await? {
            if job.lifecycle.original_name.is_none()
                && (job.job_name != spec.job_name || job.job_type != spec.job_type)
                && job.id == id
            {
                return retry::on_conflict("the job", || async {
                    let mut j = self.store.get_job(&id).await?.ok_or(Error::NotFound("job"))?;
                    j.job_name = spec.job_name.clone();
                    j.job_type = spec.job_type.clone();
                    let r = self.store.update_job(&j).await;
                    j.version += 1;
                    retry::written(r, j)
                })
                .await;
            }
            return Ok(job);
        }
        let customer = self.store.get_customer(&spec.customer_id).await?.ok_or(Error::NotFound("customer"))?;
        let job = Job {
            id: id.clone(),
            identity: spec.identity(),
            customer_id: customer.id.clone(),
            sender: spec.origin.clone(),
            software: spec.software.clone(),
            job_type: spec.job_type.clone(),
            job_name: spec.job_name.clone(),
            parser: spec.source.kind().as_str().to_string(),
            approved_at: self.clock.now(),
            approved_by: actor.username.clone(),
            last_run: None,
            run_count: 0,
            lifecycle: Default::default(),
            schedule: Default::default(),
            ping: None,
            source: spec.source.clone(),
            version: 0,
        };
        if !self.store.insert_job(&job).await? {
            // Created by a concurrent call.
            return self.store.get_job(&id).await?.ok_or(Error::NotFound("job"));
        }
        self.count_job_on_customer(&customer.id).await?;
        let change = Change::created(json!({
            "identity": job.identity, "customer_id": job.customer_id, "software": job.software,
            "job_name": job.job_name, "source": job.source.kind().as_str(),
        }));
        self.audit(audit_entry(self, actor, "job", &job.id, "create_external", change)).await?;
        Ok(job)
    }

    /// Records one run of an external job: the report is stored as the
    /// run's report (objects included), overrides apply, the job's last run
    /// and schedule learn from it, a Missed run of its slot takes it as late,
    /// and the alert channels hear of it. `Ok((run, false))` when the run
    /// was recorded before (nothing changes).
    pub async fn record_external_run(&self, job_id: &str, ext: &ExternalRun) -> Result<(Run, bool)> {
        let run_id = ext.run_id();
        if let Some(run) = self.store.get_run(&run_id).await? {
            return Ok((run, false));
        }
        let key = format!("reports/external/{run_id}.json");
        let body = serde_json::to_vec(&ext.report).map_err(|e| Error::Backend(format!("report serialisation: {e}")))?;
        self.blobs.put(&key, body, "application/json").await?;
        let ctx = self.schedule_context().await?;
        let (run, inserted, mark) = retry::on_conflict("the job", || async {
            let mut job = self.resolve_job(job_id).await?.ok_or(Error::NotFound("job"))?;
            let mut run = external_run(&run_id, &job, ext, &key);
            self.apply_overrides(&mut run, &job, &ext.report).await?;
            job.run_count += 1;
            if job.last_run.as_ref().is_none_or(|l| l.at <= run.sort_at()) {
                job.last_run = Some(LastRun { run_id: run.id.clone(), at: run.sort_at(), status: run.status });
            }
            let mark = crate::schedules::on_run(&mut job, &run, &ctx);
            match self.store.record_missed(&run, &job).await {
                Ok(inserted) => Ok(Attempt::Done((run, inserted, mark))),
                Err(PortError::Conflict(_)) => Ok(Attempt::Conflict),
                Err(e) => Err(e.into()),
            }
        })
        .await?;
        if !inserted {
            let run = self.store.get_run(&run_id).await?.unwrap_or(run);
            return Ok((run, false));
        }
        if let Some(mark) = mark {
            self.attach_late(&mark, &run).await?;
        }
        self.alert_for_run(&run).await;
        Ok((run, true))
    }
}

fn external_run(id: &str, job: &Job, ext: &ExternalRun, report_key: &str) -> Run {
    Run {
        message: ext.report.messages.first().map(|m| m.chars().take(500).collect()),
        report_key: Some(report_key.to_string()),
        // A run of an archived job stays in its history, never in Run Checks.
        review: job.is_archived().then(|| Review { by: Actor::system().username, at: ext.received_at }),
        while_archived: job.is_archived(),
        ..report_run(id.to_string(), job, &ext.report, ext.received_at)
    }
}
