//! Runs and Run Checks: the morning list of jobs with unreviewed runs, worst
//! first; marking runs reviewed (one run, whole jobs, many jobs at once);
//! admins list reviewed runs and unmark them.

use std::collections::{BTreeMap, HashMap};

use bc_api_types as api;

use crate::app::App;
use crate::auth::{Actor, Permission};
use crate::dto;
use crate::error::{Error, Result};
use crate::inbox::{check_id, check_ids};
use crate::model::{Review, Run};
use crate::ports::PortError;

/// Recent runs shown in a run's detail.
const RECENT_RUNS: usize = 10;

impl App {
    /// Customer names by id, for lists.
    pub(crate) async fn customer_names(&self) -> Result<HashMap<String, String>> {
        Ok(self.store.list_customers().await?.into_iter().map(|c| (c.id, c.name)).collect())
    }

    /// Jobs with unreviewed runs (of every status), worst status first.
    pub async fn run_checks(&self, actor: &Actor) -> Result<api::RunChecks> {
        actor.require(Permission::ViewRunChecks)?;
        let runs = self.store.list_unreviewed_runs(None).await?;
        let run_count = runs.len() as u32;
        let mut by_job: BTreeMap<String, Vec<Run>> = BTreeMap::new();
        for r in runs {
            by_job.entry(r.job_id.clone()).or_default().push(r);
        }
        let ids: Vec<String> = by_job.keys().cloned().collect();
        let jobs = self.store.get_jobs(&ids).await?;
        let names = self.customer_names().await?;
        let with_review = actor.can(Permission::ViewReviews);
        let mut entries: Vec<api::RunChecksJob> = jobs
            .into_iter()
            .filter_map(|job| {
                let mut runs = by_job.remove(&job.id)?;
                runs.sort_by_key(|r| std::cmp::Reverse((r.sort_at(), r.id.clone())));
                let status = runs.iter().fold(api::Status::Success, |s, r| s.worst(r.status));
                Some(api::RunChecksJob {
                    id: job.id.clone(),
                    customer_id: job.customer_id.clone(),
                    customer_name: names.get(&job.customer_id).cloned().unwrap_or_default(),
                    software: job.software.clone(),
                    job_type: job.job_type.clone(),
                    job_name: job.job_name.clone(),
                    status,
                    runs: runs.iter().map(|r| dto::run(r, with_review)).collect(),
                })
            })
            .collect();
        entries.sort_by(|a, b| {
            b.status
                .severity()
                .cmp(&a.status.severity())
                .then_with(|| a.customer_name.to_lowercase().cmp(&b.customer_name.to_lowercase()))
                .then_with(|| a.job_name.to_lowercase().cmp(&b.job_name.to_lowercase()))
                .then_with(|| a.id.cmp(&b.id))
        });
        Ok(api::RunChecks { jobs: entries, run_count })
    }

    /// Marks runs reviewed: every unreviewed run of the given jobs, and the
    /// given runs. All ids are checked before anything changes.
    pub async fn review(&self, actor: &Actor, job_ids: &[String], run_ids: &[String]) -> Result<u32> {
        actor.require(Permission::Review)?;
        let targets = self.review_targets(job_ids, run_ids).await?;
        let review = Review { by: actor.username.clone(), at: self.clock.now() };
        let mut changed = 0;
        for run in targets {
            if self.set_review(run, Some(review.clone())).await? {
                changed += 1;
            }
        }
        Ok(changed)
    }

    /// Admins: unmark reviewed runs so they show in Run Checks again.
    pub async fn unreview(&self, actor: &Actor, job_ids: &[String], run_ids: &[String]) -> Result<u32> {
        actor.require(Permission::Unreview)?;
        if !job_ids.is_empty() {
            return Err(Error::Invalid("unmark names runs, not jobs".into()));
        }
        let targets = self.review_targets(&[], run_ids).await?;
        let mut changed = 0;
        for run in targets {
            if self.set_review(run, None).await? {
                changed += 1;
            }
        }
        Ok(changed)
    }

    async fn review_targets(&self, job_ids: &[String], run_ids: &[String]) -> Result<Vec<Run>> {
        if job_ids.is_empty() && run_ids.is_empty() {
            return Err(Error::Invalid("name job_ids or run_ids".into()));
        }
        check_ids(job_ids, "job")?;
        check_ids(run_ids, "run")?;
        let mut targets = Vec::new();
        for id in job_ids {
            self.store.get_job(id).await?.ok_or(Error::NotFound("job"))?;
        }
        for id in run_ids {
            targets.push(self.store.get_run(id).await?.ok_or(Error::NotFound("run"))?);
        }
        for id in job_ids {
            targets.extend(self.store.list_unreviewed_runs(Some(id)).await?);
        }
        Ok(targets)
    }

    /// Sets or clears a run's review, re-reading on a concurrent change.
    /// Returns whether the state changed.
    async fn set_review(&self, mut run: Run, review: Option<Review>) -> Result<bool> {
        for _ in 0..5 {
            if run.review.is_some() == review.is_some() {
                return Ok(false);
            }
            run.review = review.clone();
            match self.store.update_run(&run).await {
                Ok(()) => return Ok(true),
                Err(PortError::Conflict(_)) => {
                    run = self.store.get_run(&run.id).await?.ok_or(Error::NotFound("run"))?;
                }
                Err(e) => return Err(e.into()),
            }
        }
        Err(Error::Conflict("the run kept changing; try again".into()))
    }

    /// A job's runs, newest first. Who reviewed them is shown to admins.
    pub async fn job_runs(
        &self,
        actor: &Actor,
        job_id: &str,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<api::RunPage> {
        actor.require(Permission::ViewJobs)?;
        check_id(job_id, "job")?;
        self.store.get_job(job_id).await?.ok_or(Error::NotFound("job"))?;
        let page = self.store.list_runs(job_id, cursor, limit.clamp(1, 200)).await?;
        let with_review = actor.can(Permission::ViewReviews);
        Ok(api::RunPage {
            items: page.items.iter().map(|r| dto::run(r, with_review)).collect(),
            next_cursor: page.next_cursor,
        })
    }

    /// Everything the Run Checks modal shows for one run.
    pub async fn run_detail(&self, actor: &Actor, run_id: &str) -> Result<api::RunDetail> {
        actor.require(Permission::ViewJobs)?;
        check_id(run_id, "run")?;
        let run = self.store.get_run(run_id).await?.ok_or(Error::NotFound("run"))?;
        let job = self.store.get_job(&run.job_id).await?.ok_or(Error::NotFound("job"))?;
        let customer = self.store.get_customer(&job.customer_id).await?;
        let mail = self.store.get_mail(&run.mail_id).await?.ok_or(Error::NotFound("mail"))?;
        let report = self.load_report(run.report_key.as_deref()).await?;
        let recent = self.store.list_runs(&job.id, None, RECENT_RUNS).await?;
        let with_review = actor.can(Permission::ViewReviews);
        Ok(api::RunDetail {
            run: dto::run(&run, with_review),
            job: dto::job(&job, customer.as_ref().map(|c| c.name.as_str()).unwrap_or("")),
            report: report.clone(),
            mail: dto::mail_detail(&mail, None),
            recent_runs: recent.items.iter().map(|r| dto::run(r, with_review)).collect(),
        })
    }
}
