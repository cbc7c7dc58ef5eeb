//! Run Checks: every job with unreviewed runs — successes included — worst
//! status first, then customer and job name, then id; filtered by customer,
//! status and software; a page at a time with a stable cursor, and totals
//! over all pages. Each page carries `as_of`, the instant it was read, so a
//! review of whole jobs reviews only what the operator was shown.

use std::cmp::Reverse;
use std::collections::HashMap;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use bc_api_types::{self as api, Permission, Status};

use crate::app::App;
use crate::auth::permissions::Actor;
use crate::error::{Error, Result};
use crate::ids;
use crate::model::Job;
use crate::present;
use crate::review::repo::UnreviewedJob;

/// Jobs per page, by default and at most.
pub const DEFAULT_PAGE: usize = 50;
pub const MAX_PAGE: usize = 200;
/// Runs shown per job on a page; the job's `run_count` has them all.
pub const RUNS_PER_JOB: usize = 100;

/// The filter and page of `GET /run-checks`.
#[derive(Debug, Clone, Default)]
pub struct RunChecksQuery {
    pub customer_id: Option<String>,
    /// The job's worst unreviewed status.
    pub status: Option<Status>,
    /// Exact software name.
    pub software: Option<String>,
    pub cursor: Option<String>,
    pub limit: Option<usize>,
}

/// The order of Run Checks as a comparable key.
type SortKey = (Reverse<u8>, String, String, String);

fn sort_key(job: &Job, customer_name: &str, status: Status) -> SortKey {
    (Reverse(status.severity()), customer_name.to_lowercase(), job.job_name.to_lowercase(), job.id.clone())
}

fn encode_cursor(k: &SortKey) -> String {
    let json = serde_json::to_vec(&(k.0.0, &k.1, &k.2, &k.3)).unwrap_or_default();
    URL_SAFE_NO_PAD.encode(json)
}

fn decode_cursor(c: &str) -> Result<SortKey> {
    let bad = || Error::Invalid("invalid page cursor".into());
    let bytes = URL_SAFE_NO_PAD.decode(c.trim()).map_err(|_| bad())?;
    let (sev, customer, job, id): (u8, String, String, String) = serde_json::from_slice(&bytes).map_err(|_| bad())?;
    Ok((Reverse(sev), customer, job, id))
}

impl App {
    /// One page of Run Checks.
    pub async fn run_checks(&self, actor: &Actor, q: &RunChecksQuery) -> Result<api::RunChecks> {
        actor.require(Permission::ViewRunChecks)?;
        ids::check_cursor(q.cursor.as_deref())?;
        if let Some(c) = &q.customer_id {
            ids::check_id(c, "customer")?;
        }
        if q.software.as_ref().is_some_and(|s| s.len() > 200) {
            return Err(Error::Invalid("filter text too long".into()));
        }
        let after = q.cursor.as_deref().map(decode_cursor).transpose()?;
        let limit = q.limit.unwrap_or(DEFAULT_PAGE).clamp(1, MAX_PAGE);
        let as_of = self.clock.now();

        let summary: HashMap<String, UnreviewedJob> =
            self.store.unreviewed_by_job().await?.into_iter().map(|u| (u.job_id.clone(), u)).collect();
        let ids: Vec<String> = summary.keys().cloned().collect();
        let jobs = self.store.get_jobs(&ids).await?;
        let names = self.customer_names().await?;

        let mut totals = api::RunChecksTotals { jobs: 0, runs: 0, success: 0, warning: 0, failed: 0, missed: 0 };
        let mut entries: Vec<(SortKey, Job, &UnreviewedJob, String)> = Vec::new();
        for job in jobs {
            let Some(u) = summary.get(&job.id) else { continue };
            // An archived job's runs wait out of sight (and an alias's runs
            // are on their way to the job it was merged into).
            if job.is_archived() || job.is_alias() {
                continue;
            }
            let status = u.worst();
            let matches = q.customer_id.as_ref().is_none_or(|c| *c == job.customer_id)
                && q.status.is_none_or(|s| s == status)
                && q.software.as_ref().is_none_or(|s| *s == job.software);
            if !matches {
                continue;
            }
            totals.jobs += 1;
            totals.runs += u.runs();
            totals.success += u.success;
            totals.warning += u.warning;
            totals.failed += u.failed;
            totals.missed += u.missed;
            let customer = names.get(&job.customer_id).cloned().unwrap_or_default();
            entries.push((sort_key(&job, &customer, status), job, u, customer));
        }
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        let start = match &after {
            Some(k) => entries.partition_point(|e| e.0 <= *k),
            None => 0,
        };
        let page: Vec<_> = entries.into_iter().skip(start).take(limit + 1).collect();
        let has_more = page.len() > limit;
        let with_review = actor.can(Permission::ViewReviews);
        // Active remarks and open tickets are few: one read each for the
        // whole page, not one per job.
        let mut remarks: HashMap<String, u32> = HashMap::new();
        for r in self.store.list_active_remarks(None).await? {
            *remarks.entry(r.job_id).or_default() += 1;
        }
        let mut tickets: HashMap<String, Vec<String>> = HashMap::new();
        for t in self.store.list_open_tickets(None).await? {
            tickets.entry(t.job_id).or_default().push(t.number);
        }
        let mut jobs_out = Vec::with_capacity(limit);
        let mut last_key = None;
        for (key, job, u, customer) in page.into_iter().take(limit) {
            let mut runs = self.store.list_unreviewed_runs(Some(&job.id), None, RUNS_PER_JOB).await?.items;
            runs.sort_by_key(|r| Reverse((r.sort_at(), r.id.clone())));
            jobs_out.push(api::RunChecksJob {
                id: job.id.clone(),
                customer_id: job.customer_id.clone(),
                customer_name: customer,
                software: job.software.clone(),
                job_type: job.job_type.clone(),
                job_name: job.job_name.clone(),
                status: u.worst(),
                run_count: u.runs(),
                runs: runs.iter().map(|r| present::run(r, with_review)).collect(),
                active_remarks: remarks.get(&job.id).copied().unwrap_or(0),
                open_tickets: tickets.remove(&job.id).unwrap_or_default(),
            });
            last_key = Some(key);
        }
        let next_cursor = if has_more { last_key.as_ref().map(encode_cursor) } else { None };
        Ok(api::RunChecks { jobs: jobs_out, next_cursor, totals, as_of })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_order_worst_first() {
        let k = (Reverse(2u8), "acme".to_string(), "daily".to_string(), "j1".to_string());
        assert_eq!(decode_cursor(&encode_cursor(&k)).unwrap(), k);
        assert!(decode_cursor("!!").is_err());
        let failed = (Reverse(2u8), "z".to_string(), "z".to_string(), "z".to_string());
        let success = (Reverse(0u8), "a".to_string(), "a".to_string(), "a".to_string());
        assert!(failed < success);
    }
}
