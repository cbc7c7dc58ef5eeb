//! The job list: approved jobs with their customer and last run, filtered.

pub mod external;
pub mod lifecycle;
pub mod repo;

use bc_api_types::{self as api, Permission};

use crate::app::App;
use crate::auth::permissions::Actor;
use crate::error::{Error, Result};
use crate::ids::check_id;
use crate::present;
use repo::JobFilter;

impl App {
    pub async fn jobs(
        &self,
        actor: &Actor,
        filter: &JobFilter,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<api::JobPage> {
        actor.require(Permission::ViewJobs)?;
        if let Some(c) = &filter.customer_id {
            check_id(c, "customer")?;
        }
        if filter.search.as_ref().is_some_and(|s| s.len() > 200)
            || filter.software.as_ref().is_some_and(|s| s.len() > 200)
        {
            return Err(Error::Invalid("filter text too long".into()));
        }
        let page = self.store.list_jobs(filter, cursor, limit.clamp(1, 200)).await?;
        let names = self.customer_names().await?;
        Ok(api::JobPage {
            items: page
                .items
                .iter()
                .map(|j| present::job(j, names.get(&j.customer_id).map(String::as_str).unwrap_or("")))
                .collect(),
            next_cursor: page.next_cursor,
        })
    }

    pub async fn job(&self, actor: &Actor, id: &str) -> Result<api::Job> {
        actor.require(Permission::ViewJobs)?;
        check_id(id, "job")?;
        // An alias left by a merge shows the job it was merged into.
        let job = self.resolve_job(id).await?.ok_or(Error::NotFound("job"))?;
        let customer = self.store.get_customer(&job.customer_id).await?;
        Ok(self.present_job_for(actor, &job, customer.as_ref().map(|c| c.name.as_str()).unwrap_or("")))
    }
}
