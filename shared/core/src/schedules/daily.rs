//! Daily Jobs (seed, Stage 4): for one backup day, every job expected that
//! day with its expected time and what came: its run(s), Missed, or
//! Expected (not yet due). Informational; Run Checks is where review happens.

use bc_api_types::{self as api, DailyJob, DailyRun, DailyState, Permission, Status};
use chrono::NaiveDate;

use super::expect::{DEFAULT_GRACE_MINUTES, effective, expectations_on};
use super::format_cutover;
use crate::app::App;
use crate::auth::permissions::Actor;
use crate::error::{Error, Result};
use crate::ids::check_id;
use crate::jobs::repo::JobFilter;
use crate::model::{Job, Run};

/// Jobs read per page while building the day.
const JOB_PAGE: usize = 200;
/// At most this many runs of one job are read for one day.
const RUNS_PER_DAY: usize = 100;

/// What Daily Jobs filters on: a status, or `Expected`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DailyFilter {
    Status(Status),
    Expected,
}

impl std::str::FromStr for DailyFilter {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        if s.eq_ignore_ascii_case("expected") {
            return Ok(DailyFilter::Expected);
        }
        s.parse::<Status>()
            .map(DailyFilter::Status)
            .map_err(|_| Error::Invalid(format!("unknown status {s:?} (Success, Warning, Failed, Missed or Expected)")))
    }
}

impl App {
    pub async fn daily_jobs(
        &self,
        actor: &Actor,
        date: Option<NaiveDate>,
        customer_id: Option<&str>,
        want: Option<DailyFilter>,
    ) -> Result<api::DailyJobs> {
        actor.require(Permission::ViewDailyJobs)?;
        if let Some(c) = customer_id {
            check_id(c, "customer")?;
        }
        let ctx = self.load_schedule_context().await?;
        let now = self.clock.now();
        let date = date.unwrap_or_else(|| ctx.backup_day(now));
        let (day_start, _) = ctx.day_span(date).ok_or_else(|| Error::Invalid(format!("no such day {date}")))?;
        let names = self.customer_names().await?;
        let filter = JobFilter { customer_id: customer_id.map(str::to_string), ..JobFilter::default() };
        let mut items = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let page = self.store.list_jobs(&filter, cursor.as_deref(), JOB_PAGE).await?;
            for job in &page.items {
                let Some(eff) = effective(&job.schedule) else { continue };
                let grace = job.schedule.grace_minutes.unwrap_or(DEFAULT_GRACE_MINUTES);
                let expected = expectations_on(&eff, date, grace, &ctx);
                let (Some(first), Some(last)) = (expected.first(), expected.last()) else { continue };
                // Runs are read only for a job that had one since the day
                // began or has a Missed run on the day.
                let ran_since = job.last_run.as_ref().is_some_and(|l| l.at >= day_start);
                let missed_on_day = job.schedule.missed.iter().any(|m| m.day == date);
                let runs = if ran_since || missed_on_day { self.runs_on(job, date, &ctx).await? } else { Vec::new() };
                let real: Vec<&DailyRun> = runs.iter().filter(|r| r.status != Status::Missed).collect();
                let (state, status) = if let Some(worst) = real.iter().map(|r| r.status).reduce(Status::worst) {
                    (DailyState::Ran, Some(worst))
                } else if runs.iter().any(|r| r.status == Status::Missed) {
                    (DailyState::Missed, Some(Status::Missed))
                } else if ctx.in_maintenance(&job.id, &job.customer_id, first.at) {
                    (DailyState::Maintenance, None)
                } else if now < last.due_at {
                    (DailyState::Expected, None)
                } else {
                    // Past due; the scheduler's next tick makes the Missed run.
                    (DailyState::Missed, Some(Status::Missed))
                };
                let wanted = match want {
                    None => true,
                    Some(DailyFilter::Expected) => state == DailyState::Expected,
                    Some(DailyFilter::Status(s)) => status == Some(s),
                };
                if !wanted {
                    continue;
                }
                items.push(DailyJob {
                    job_id: job.id.clone(),
                    job_name: job.job_name.clone(),
                    customer_id: job.customer_id.clone(),
                    customer_name: names.get(&job.customer_id).cloned().unwrap_or_default(),
                    software: job.software.clone(),
                    expected_at: first.at,
                    due_at: last.due_at,
                    state,
                    status,
                    runs,
                    schedule_source: if job.schedule.explicit.is_some() { "explicit" } else { "learned" }.into(),
                });
            }
            cursor = page.next_cursor;
            if cursor.is_none() {
                break;
            }
        }
        items.sort_by(|a, b| {
            (a.expected_at, &a.customer_name, &a.job_name).cmp(&(b.expected_at, &b.customer_name, &b.job_name))
        });
        Ok(api::DailyJobs {
            date,
            time_zone: ctx.tz.name().to_string(),
            day_cutover: format_cutover(ctx.cutover),
            items,
        })
    }

    /// A job's runs on a backup day, oldest first.
    async fn runs_on(&self, job: &Job, date: NaiveDate, ctx: &super::expect::Context) -> Result<Vec<DailyRun>> {
        let Some((from, until)) = ctx.day_span(date) else { return Ok(Vec::new()) };
        let mut out = Vec::new();
        let mut cursor: Option<String> = None;
        'pages: loop {
            let page = self.store.list_runs(&job.id, cursor.as_deref(), 50).await?;
            for r in &page.items {
                let at = r.sort_at();
                if at < from {
                    break 'pages;
                }
                if at < until {
                    out.push(daily_run(r));
                }
                if out.len() >= RUNS_PER_DAY {
                    break 'pages;
                }
            }
            cursor = page.next_cursor;
            if cursor.is_none() {
                break;
            }
        }
        out.reverse();
        Ok(out)
    }
}

fn daily_run(r: &Run) -> DailyRun {
    DailyRun {
        id: r.id.clone(),
        status: r.status,
        at: r.sort_at(),
        late_run_id: r.late.as_ref().map(|l| l.run_id.clone()),
    }
}
