//! Schedules, maintenance windows and Daily Jobs: what a job is expected to
//! do and when, as the API shows and takes it.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::Status;

/// How often a job runs, as learned from its history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Cadence {
    /// Every day.
    Daily,
    /// Monday to Friday.
    Weekdays,
    /// On these weekdays (0 = Monday .. 6 = Sunday), ascending.
    DaysOfWeek { days: Vec<u8> },
    /// Once a week on this weekday (0 = Monday).
    Weekly { day: u8 },
    /// Once a month on this day of the month (1..=28; later days are
    /// capped at the month's last day).
    Monthly { day: u8 },
    /// Every `hours` hours (1..=12), the first of a day at `window`'s start.
    EveryHours { hours: u8 },
}

/// A schedule learned from a job's runs. Times are minutes after midnight
/// in the MSP's time zone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LearnedSchedule {
    pub cadence: Cadence,
    /// The typical start (median), minutes after midnight.
    pub expected_minute: u16,
    /// Runs start within this many minutes either side of `expected_minute`.
    pub tolerance_minutes: u16,
    /// 0..=1: the share of recent runs the schedule explains.
    pub confidence: f32,
    /// How many runs it was learned from.
    pub runs: u32,
}

/// An explicit schedule an operator sets on a job; it overrides the learned one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ScheduleSpec {
    /// A cron expression (5 or 6 fields, croner syntax) in an IANA time zone.
    Cron { expression: String, time_zone: String },
    /// A run every `minutes` after the previous one.
    Interval { minutes: u32 },
    /// Ad-hoc: never expected, never missed.
    None,
}

/// `PUT /api/v1/jobs/{id}/schedule`. `spec` absent: back to the learned
/// schedule. `grace_minutes` absent: the default (60).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScheduleBody {
    #[serde(default)]
    pub spec: Option<ScheduleSpec>,
    #[serde(default)]
    pub grace_minutes: Option<u32>,
}

/// One expected run: its window and when it counts as missed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Expectation {
    /// The expected start.
    pub at: DateTime<Utc>,
    /// The window the run should start in.
    pub window_start: DateTime<Utc>,
    pub window_end: DateTime<Utc>,
    /// `window_end` plus the grace: no run by then is a Missed run.
    pub due_at: DateTime<Utc>,
    /// The backup day (business-day cut-over applied) it belongs to.
    pub day: NaiveDate,
}

/// A job's schedule as the job page shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct JobScheduleView {
    /// `explicit`, `learned` or `none`.
    pub source: String,
    pub learned: Option<LearnedSchedule>,
    pub explicit: Option<ScheduleSpec>,
    pub grace_minutes: u32,
    /// The next expected run, if any.
    pub next: Option<Expectation>,
    /// A short human description, e.g. "daily around 22:05 (±20 min)".
    pub summary: String,
}

/// A pause of expectations: nothing is missed inside it. For one job or one customer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MaintenanceWindow {
    pub id: String,
    pub job_id: Option<String>,
    pub customer_id: Option<String>,
    pub from: DateTime<Utc>,
    pub until: DateTime<Utc>,
    pub reason: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

/// `POST /api/v1/maintenance-windows`: exactly one of `job_id` and `customer_id`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MaintenanceWindowBody {
    #[serde(default)]
    pub job_id: Option<String>,
    #[serde(default)]
    pub customer_id: Option<String>,
    pub from: DateTime<Utc>,
    pub until: DateTime<Utc>,
    #[serde(default)]
    pub reason: String,
}

/// What Daily Jobs shows for one job on one day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DailyState {
    /// A run came (its worst status is in `status`).
    Ran,
    /// Nothing came and the grace has passed.
    Missed,
    /// Not yet due.
    Expected,
    /// In a maintenance window: nothing is expected.
    Maintenance,
}

/// A run of a job on the day, short.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DailyRun {
    pub id: String,
    pub status: Status,
    pub at: DateTime<Utc>,
    /// A Missed run whose report came later (`late_run_id`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub late_run_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DailyJob {
    pub job_id: String,
    pub job_name: String,
    pub customer_id: String,
    pub customer_name: String,
    pub software: String,
    pub expected_at: DateTime<Utc>,
    pub due_at: DateTime<Utc>,
    pub state: DailyState,
    /// The worst status of the day's runs (Missed when missed).
    pub status: Option<Status>,
    pub runs: Vec<DailyRun>,
    /// `explicit` or `learned`.
    pub schedule_source: String,
}

/// `GET /api/v1/daily-jobs?date=&customer=&status=`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DailyJobs {
    pub date: NaiveDate,
    pub time_zone: String,
    /// The business-day cut-over, `HH:MM`.
    pub day_cutover: String,
    pub items: Vec<DailyJob>,
}

/// A Missed run whose report arrived after all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LateArrival {
    pub run_id: String,
    pub at: DateTime<Utc>,
}
