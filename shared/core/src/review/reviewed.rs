//! The admin's view of the review (the seed's admin "monitors"): every
//! reviewed run across all jobs, newest review first, filtered by period,
//! reviewer, customer and status, with bulk unmark (`marks`); and the
//! review statistics: runs reviewed per day and by whom, and how old the
//! oldest unreviewed run is.

use std::collections::{BTreeMap, HashMap};

use bc_api_types::{self as api, Permission, Status};
use chrono::{DateTime, Duration, NaiveDate, Utc};

use crate::app::App;
use crate::auth::permissions::Actor;
use crate::error::{Error, Result};
use crate::ids;
use crate::model::Job;
use crate::present;
use crate::review::repo::ReviewedFilter;

/// Without a start, the list covers this many days back.
pub const DEFAULT_DAYS: i64 = 90;
/// The longest period one request may cover.
pub const MAX_DAYS: i64 = 366;
pub const DEFAULT_PAGE: usize = 50;
pub const MAX_PAGE: usize = 200;

/// The filter of `GET /reviewed`.
#[derive(Debug, Clone, Default)]
pub struct ReviewedQuery {
    /// Reviewed at or after.
    pub from: Option<DateTime<Utc>>,
    /// Reviewed before.
    pub until: Option<DateTime<Utc>>,
    pub reviewer: Option<String>,
    pub customer_id: Option<String>,
    pub status: Option<Status>,
    pub cursor: Option<String>,
    pub limit: Option<usize>,
}

fn day_start(d: NaiveDate) -> DateTime<Utc> {
    d.and_hms_opt(0, 0, 0).map(|t| t.and_utc()).unwrap_or_default()
}

impl App {
    /// One page of reviewed runs, newest review first.
    pub async fn reviewed_runs(&self, actor: &Actor, q: &ReviewedQuery) -> Result<api::ReviewedPage> {
        actor.require(Permission::ViewReviews)?;
        ids::check_cursor(q.cursor.as_deref())?;
        if let Some(c) = &q.customer_id {
            ids::check_id(c, "customer")?;
        }
        let reviewer = q.reviewer.as_ref().map(|r| r.trim().to_string()).filter(|r| !r.is_empty());
        if reviewer.as_ref().is_some_and(|r| r.len() > 100) {
            return Err(Error::Invalid("a reviewer name has at most 100 characters".into()));
        }
        let now = self.clock.now();
        let until = q.until.unwrap_or(now + Duration::seconds(1)).min(now + Duration::seconds(1));
        let from = q.from.unwrap_or(until - Duration::days(DEFAULT_DAYS));
        if from >= until {
            return Err(Error::Invalid("\"from\" must be before \"until\"".into()));
        }
        if until - from > Duration::days(MAX_DAYS) {
            return Err(Error::Invalid(format!("a period covers at most {MAX_DAYS} days")));
        }
        let filter = ReviewedFilter { from, until, reviewer, customer_id: q.customer_id.clone(), status: q.status };
        let limit = q.limit.unwrap_or(DEFAULT_PAGE).clamp(1, MAX_PAGE);
        let page = self.store.list_reviewed_runs(&filter, q.cursor.as_deref(), limit).await?;
        let mut job_ids: Vec<String> = page.items.iter().map(|r| r.job_id.clone()).collect();
        job_ids.sort();
        job_ids.dedup();
        let jobs: HashMap<String, Job> =
            self.store.get_jobs(&job_ids).await?.into_iter().map(|j| (j.id.clone(), j)).collect();
        let names = self.customer_names().await?;
        let items = page
            .items
            .iter()
            .map(|r| {
                let job = jobs.get(&r.job_id);
                api::ReviewedRun {
                    run: present::run(r, true),
                    job_name: job.map(|j| j.job_name.clone()).unwrap_or_else(|| format!("job {} (deleted)", r.job_id)),
                    software: job.map(|j| j.software.clone()).unwrap_or_default(),
                    customer_id: r.customer_id.clone(),
                    customer_name: names.get(&r.customer_id).cloned().unwrap_or_default(),
                }
            })
            .collect();
        Ok(api::ReviewedPage { items, next_cursor: page.next_cursor })
    }

    /// Runs reviewed per day (UTC) and by whom over the last `days` days
    /// (today included), and the oldest unreviewed run.
    pub async fn review_stats(&self, actor: &Actor, days: Option<u32>) -> Result<api::ReviewStats> {
        actor.require(Permission::ViewReviews)?;
        let days = i64::from(days.unwrap_or(30));
        if !(1..=MAX_DAYS).contains(&days) {
            return Err(Error::Invalid(format!("days is 1 to {MAX_DAYS}")));
        }
        let now = self.clock.now();
        let today = now.date_naive();
        let first = today - Duration::days(days - 1);
        let counts = self.store.review_counts(day_start(first), now).await?;
        let mut by_day: BTreeMap<String, Vec<api::ReviewerCount>> = BTreeMap::new();
        for c in counts {
            by_day.entry(c.day).or_default().push(api::ReviewerCount { reviewer: c.by, runs: c.runs });
        }
        let mut out = Vec::with_capacity(days as usize);
        let mut d = today;
        while d >= first {
            let key = d.format("%Y-%m-%d").to_string();
            let mut by = by_day.remove(&key).unwrap_or_default();
            by.sort_by(|a, b| b.runs.cmp(&a.runs).then_with(|| a.reviewer.cmp(&b.reviewer)));
            out.push(api::ReviewDay { day: key, runs: by.iter().map(|b| b.runs).sum(), by });
            d -= Duration::days(1);
        }
        let open = self.store.unreviewed_by_job().await?;
        Ok(api::ReviewStats {
            days: out,
            unreviewed_runs: open.iter().map(|u| u.runs()).sum(),
            oldest_unreviewed_at: open.iter().map(|u| u.oldest).min(),
        })
    }
}
