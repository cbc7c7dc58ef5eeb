//! The runs of a job, and one run's detail for the Run Checks modal.

use bc_api_types::{self as api, Permission};

use crate::app::App;
use crate::auth::permissions::Actor;
use crate::error::{Error, Result};
use crate::ids::check_id;
use crate::present;

/// Recent runs shown in a run's detail.
const RECENT_RUNS: usize = 10;

impl App {
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
            items: page.items.iter().map(|r| present::run(r, with_review)).collect(),
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
        // A Missed run has no mail.
        let mail = match run.mail_id.as_str() {
            "" => None,
            id => Some(self.store.get_mail(id).await?.ok_or(Error::NotFound("mail"))?),
        };
        let report = self.load_report(run.report_key.as_deref()).await?;
        let recent = self.store.list_runs(&job.id, None, RECENT_RUNS).await?;
        let with_review = actor.can(Permission::ViewReviews);
        let remarks = self.store.list_active_remarks(Some(&job.id)).await?;
        let tickets = self.store.list_open_tickets(Some(&job.id)).await?;
        let run_ticket = match tickets.iter().find(|t| t.run_id == run.id) {
            Some(t) => Some(t.clone()),
            None => self
                .store
                .list_job_tickets(&job.id, crate::review::tickets::MAX_JOB_TICKETS)
                .await?
                .into_iter()
                .find(|t| t.run_id == run.id),
        };
        Ok(api::RunDetail {
            run: present::run(&run, with_review),
            job: present::job(&job, customer.as_ref().map(|c| c.name.as_str()).unwrap_or("")),
            report: report.clone(),
            mail: mail.as_ref().map(|m| present::mail_detail(m, None)),
            recent_runs: recent.items.iter().map(|r| present::run(r, with_review)).collect(),
            remarks: remarks.iter().map(crate::review::remarks::present).collect(),
            tickets: tickets.iter().map(crate::review::tickets::present).collect(),
            run_ticket: run_ticket.as_ref().map(crate::review::tickets::present),
        })
    }
}
