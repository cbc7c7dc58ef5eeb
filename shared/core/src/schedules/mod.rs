//! Schedules: what each job is expected to do and when. Learned from a
//! job's runs at ingest ([`learn`]), or set by an operator (cron, interval,
//! or none); the expected windows, grace and backup day ([`expect`]); the
//! scheduler's Missed runs and late reports ([`missed`]); Daily Jobs
//! ([`daily`]); maintenance windows and the business-day cut-over (here).
//! `docs/schedules.md` is the prose of this folder.

pub mod context;
pub mod daily;
pub mod expect;
pub mod learn;
pub mod missed;
pub mod ping;
pub mod repo;

use std::sync::Arc;

use bc_api_types::{self as api, Permission, ScheduleSpec};
use chrono::DateTime;

use crate::app::App;
use crate::audit::{Change, audit_entry};
use crate::auth::permissions::Actor;
use crate::error::{Error, Result};
use crate::ids::{self, check_id};
use crate::model::{Job, MissedMark, Run};
use crate::present;
use crate::retry;
use expect::{Context, DEFAULT_GRACE_MINUTES, MAX_GRACE_MINUTES, effective, parse_cron};

/// Run starts kept on a job to learn from.
pub const HISTORY: usize = 120;
/// Missed runs remembered on a job for late reports to find.
pub const MISSED_KEPT: usize = 30;
/// Settings keys.
pub const DAY_CUTOVER: &str = "day_cutover";
pub const MAINTENANCE_WINDOWS: &str = "maintenance_windows";
/// At most this many maintenance windows (each tick reads them all).
pub const MAX_WINDOWS: usize = 500;
/// The shortest interval an explicit schedule may have.
const MIN_INTERVAL_MINUTES: u32 = 5;

/// `HH:MM` to minutes after midnight.
pub fn parse_cutover(s: &str) -> std::result::Result<u32, String> {
    let bad = || format!("the business-day cut-over {s:?} is not a time HH:MM");
    let (h, m) = s.trim().split_once(':').ok_or_else(bad)?;
    let (h, m): (u32, u32) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    if h > 23 || m > 59 {
        return Err(bad());
    }
    Ok(h * 60 + m)
}

pub fn format_cutover(minutes: u32) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

/// What a run changes on its job's schedule, at ingest (pure, no I/O): its
/// start joins the history, the schedule is relearned, the next
/// expectation moves past it. A run on a backup day that has an unattached
/// Missed run attaches to it: that mark is returned.
pub fn on_run(job: &mut Job, run: &Run, ctx: &Context) -> Option<MissedMark> {
    let t = run.sort_at();
    let s = &mut job.schedule;
    let ts = t.timestamp();
    if let Err(i) = s.starts.binary_search(&ts) {
        s.starts.insert(i, ts);
    }
    if s.starts.len() > HISTORY {
        let cut = s.starts.len() - HISTORY;
        s.starts.drain(..cut);
    }
    s.learned = learn::learn(&s.starts, ctx.tz);
    let day = ctx.backup_day(t);
    let attached =
        s.missed.iter_mut().filter(|m| !m.late && m.day == day).min_by_key(|m| (m.at - t).num_seconds().abs()).map(
            |m| {
                m.late = true;
                m.clone()
            },
        );
    let latest = s.starts.last().and_then(|x| DateTime::from_timestamp(*x, 0)).unwrap_or(t);
    let grace = s.grace_minutes.unwrap_or(DEFAULT_GRACE_MINUTES);
    s.next = effective(s).and_then(|e| e.next_after(latest, grace, ctx));
    attached
}

impl App {
    /// The schedule context as this process last read it (refreshed after
    /// a minute), so ingest reads no settings per mail.
    pub(crate) async fn schedule_context(&self) -> Result<Arc<Context>> {
        if let Some(ctx) = self.schedule_context.fresh().await {
            return Ok(ctx);
        }
        self.load_schedule_context().await
    }

    /// Reads the schedule context from the store (and caches it).
    pub(crate) async fn load_schedule_context(&self) -> Result<Arc<Context>> {
        let tz = self.store.get_setting(crate::settings::repo::TIME_ZONE).await?;
        let tz: chrono_tz::Tz = tz.as_deref().and_then(|t| t.parse().ok()).unwrap_or(chrono_tz::UTC);
        let cutover =
            self.store.get_setting(DAY_CUTOVER).await?.and_then(|c| parse_cutover(&c).ok()).unwrap_or_default();
        let windows = self.stored_windows().await?;
        let ctx = Arc::new(Context { tz, cutover, windows });
        self.schedule_context.set(ctx.clone()).await;
        Ok(ctx)
    }

    async fn stored_windows(&self) -> Result<Vec<api::MaintenanceWindow>> {
        match self.store.get_setting(MAINTENANCE_WINDOWS).await? {
            None => Ok(Vec::new()),
            Some(json) => serde_json::from_str(&json)
                .map_err(|e| Error::Backend(format!("stored maintenance windows are unreadable: {e}"))),
        }
    }

    /// Sets (or clears, with no `spec`) a job's explicit schedule and grace.
    pub async fn set_job_schedule(&self, actor: &Actor, job_id: &str, body: &api::ScheduleBody) -> Result<api::Job> {
        actor.require(Permission::ManageSchedules)?;
        check_id(job_id, "job")?;
        match &body.spec {
            Some(ScheduleSpec::Cron { expression, time_zone }) => {
                parse_cron(expression, time_zone).map_err(Error::Invalid)?;
            }
            Some(ScheduleSpec::Interval { minutes }) if *minutes < MIN_INTERVAL_MINUTES || *minutes > 31 * 1440 => {
                return Err(Error::Invalid(format!(
                    "an interval is {MIN_INTERVAL_MINUTES} minutes to 31 days, not {minutes} minutes"
                )));
            }
            _ => {}
        }
        if body.grace_minutes.is_some_and(|g| g > MAX_GRACE_MINUTES) {
            return Err(Error::Invalid(format!("the grace period is at most {MAX_GRACE_MINUTES} minutes (a week)")));
        }
        let ctx = self.load_schedule_context().await?;
        let now = self.clock.now();
        let (before, job) = retry::on_conflict("the job", || async {
            let mut job = self.store.get_job(job_id).await?.ok_or(Error::NotFound("job"))?;
            let before = job.schedule.clone();
            job.schedule.explicit = body.spec.clone();
            job.schedule.grace_minutes = body.grace_minutes;
            let grace = job.schedule.grace_minutes.unwrap_or(DEFAULT_GRACE_MINUTES);
            // From now on: setting a schedule does not make past runs missed.
            let last = job.last_run.as_ref().map(|l| l.at);
            job.schedule.next = effective(&job.schedule).and_then(|e| e.first_after(now, last, grace, &ctx));
            let write = self.store.update_job(&job).await;
            retry::written(write, (before, job))
        })
        .await?;
        let change = Change::fields(
            serde_json::json!({"schedule": before.explicit, "grace_minutes": before.grace_minutes}),
            serde_json::json!({"schedule": job.schedule.explicit, "grace_minutes": job.schedule.grace_minutes}),
        );
        self.audit(audit_entry(self, actor, "job", job_id, "set_schedule", change)).await?;
        let customer = self.store.get_customer(&job.customer_id).await?;
        Ok(present::job(&job, customer.as_ref().map(|c| c.name.as_str()).unwrap_or("")))
    }

    pub async fn maintenance_windows(&self, actor: &Actor) -> Result<Vec<api::MaintenanceWindow>> {
        actor.require(Permission::ViewDailyJobs)?;
        self.stored_windows().await
    }

    pub async fn add_maintenance_window(
        &self,
        actor: &Actor,
        body: &api::MaintenanceWindowBody,
    ) -> Result<api::MaintenanceWindow> {
        actor.require(Permission::ManageSchedules)?;
        match (&body.job_id, &body.customer_id) {
            (Some(j), None) => {
                check_id(j, "job")?;
                self.store.get_job(j).await?.ok_or(Error::NotFound("job"))?;
            }
            (None, Some(c)) => {
                check_id(c, "customer")?;
                self.store.get_customer(c).await?.ok_or(Error::NotFound("customer"))?;
            }
            _ => {
                return Err(Error::Invalid(
                    "a maintenance window is for one job or one customer: give exactly one of job_id and customer_id"
                        .into(),
                ));
            }
        }
        if body.until <= body.from {
            return Err(Error::Invalid("a maintenance window ends after it starts".into()));
        }
        if body.reason.len() > 500 {
            return Err(Error::Invalid("the reason is at most 500 characters".into()));
        }
        let now = self.clock.now();
        let mut windows = self.stored_windows().await?;
        // Windows long over are dropped as new ones come.
        windows.retain(|w| w.until > now - chrono::Duration::days(90));
        if windows.len() >= MAX_WINDOWS {
            return Err(Error::Invalid(format!("at most {MAX_WINDOWS} maintenance windows; delete old ones first")));
        }
        let w = api::MaintenanceWindow {
            id: ids::random_id("w"),
            job_id: body.job_id.clone(),
            customer_id: body.customer_id.clone(),
            from: body.from,
            until: body.until,
            reason: body.reason.trim().to_string(),
            created_by: actor.username.clone(),
            created_at: now,
        };
        windows.push(w.clone());
        self.put_windows(&windows).await?;
        let change = Change::created(serde_json::to_value(&w).unwrap_or_default());
        self.audit(audit_entry(self, actor, "maintenance_window", &w.id, "create", change)).await?;
        Ok(w)
    }

    pub async fn delete_maintenance_window(&self, actor: &Actor, id: &str) -> Result<()> {
        actor.require(Permission::ManageSchedules)?;
        check_id(id, "maintenance window")?;
        let mut windows = self.stored_windows().await?;
        let Some(i) = windows.iter().position(|w| w.id == id) else {
            return Err(Error::NotFound("maintenance window"));
        };
        let gone = windows.remove(i);
        self.put_windows(&windows).await?;
        let change = Change::deleted(serde_json::to_value(&gone).unwrap_or_default());
        self.audit(audit_entry(self, actor, "maintenance_window", id, "delete", change)).await
    }

    async fn put_windows(&self, windows: &[api::MaintenanceWindow]) -> Result<()> {
        let json = serde_json::to_string(windows).map_err(|e| Error::Backend(e.to_string()))?;
        self.store.put_setting(MAINTENANCE_WINDOWS, &json).await?;
        self.load_schedule_context().await?;
        Ok(())
    }

    /// The business-day cut-over as set (`00:00` by default).
    pub(crate) async fn day_cutover(&self) -> Result<String> {
        let c = self.store.get_setting(DAY_CUTOVER).await?.and_then(|c| parse_cutover(&c).ok()).unwrap_or_default();
        Ok(format_cutover(c))
    }

    /// Sets the cut-over (already checked to be `HH:MM`), audited.
    pub(crate) async fn set_day_cutover(&self, actor: &Actor, value: &str) -> Result<()> {
        actor.require(Permission::ManageSettings)?;
        let minutes = parse_cutover(value).map_err(Error::Invalid)?;
        let before = self.day_cutover().await?;
        let after = format_cutover(minutes);
        if before != after {
            self.store.put_setting(DAY_CUTOVER, &after).await?;
            let change =
                Change::fields(serde_json::json!({DAY_CUTOVER: before}), serde_json::json!({DAY_CUTOVER: after}));
            self.audit(audit_entry(self, actor, "settings", DAY_CUTOVER, "update", change)).await?;
            self.load_schedule_context().await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cutover_parses_hh_mm() {
        assert_eq!(parse_cutover("06:00"), Ok(360));
        assert_eq!(parse_cutover("0:30"), Ok(30));
        assert!(parse_cutover("24:00").is_err());
        assert!(parse_cutover("six").is_err());
        assert_eq!(format_cutover(360), "06:00");
    }
}
