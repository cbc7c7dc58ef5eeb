//! The job list: approved jobs with their customer and last run, filtered.

use bc_api_types as api;

use crate::app::App;
use crate::auth::{Actor, Permission};
use crate::dto;
use crate::error::{Error, Result};
use crate::inbox::check_id;
use crate::ports::JobFilter;

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
                .map(|j| dto::job(j, names.get(&j.customer_id).map(String::as_str).unwrap_or("")))
                .collect(),
            next_cursor: page.next_cursor,
        })
    }

    pub async fn job(&self, actor: &Actor, id: &str) -> Result<api::Job> {
        actor.require(Permission::ViewJobs)?;
        check_id(id, "job")?;
        let job = self.store.get_job(id).await?.ok_or(Error::NotFound("job"))?;
        let customer = self.store.get_customer(&job.customer_id).await?;
        Ok(dto::job(&job, customer.as_ref().map(|c| c.name.as_str()).unwrap_or("")))
    }
}
