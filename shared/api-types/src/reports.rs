//! Bodies of the Reports page (per-job counts over a period, also as CSV and
//! PDF) and of a job's history (the 90-day status strip and the size and
//! duration charts with their anomaly markers).

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::Status;

/// The period a report covers. Days are UTC calendar days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum ReportPeriod {
    /// The ISO week (Monday to Sunday) holding `date`.
    Week,
    /// The calendar month holding `date`.
    Month,
    /// `from` to `to`, both days included, at most 366 days.
    Custom,
}

impl ReportPeriod {
    pub fn as_str(self) -> &'static str {
        match self {
            ReportPeriod::Week => "week",
            ReportPeriod::Month => "month",
            ReportPeriod::Custom => "custom",
        }
    }
}

impl std::str::FromStr for ReportPeriod {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "week" => Ok(ReportPeriod::Week),
            "month" => Ok(ReportPeriod::Month),
            "custom" => Ok(ReportPeriod::Custom),
            other => Err(format!("period must be week, month or custom, not {other:?}")),
        }
    }
}

/// One job's runs in the period, counted by when each run started (or its
/// mail came), and the job's tickets open when the report was made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportRow {
    pub job_id: String,
    pub customer_id: String,
    pub customer_name: String,
    pub job_name: String,
    pub software: String,
    pub success: u32,
    pub warning: u32,
    pub failed: u32,
    /// Expected runs that never came (a Missed run whose report arrived
    /// late is not counted: its real run is).
    #[serde(default)]
    pub missed: u32,
    /// Success / all runs, in percent; absent when the job had no runs.
    pub success_rate: Option<f64>,
    /// The job's tickets open when the report was made.
    #[serde(default)]
    pub open_tickets: u32,
}

/// A report: per job of one customer (or of all), the counts of a period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct JobReport {
    /// Absent for a report of all customers.
    pub customer_id: Option<String>,
    pub customer_name: Option<String>,
    pub period: ReportPeriod,
    /// First day of the period (UTC).
    pub from: NaiveDate,
    /// Last day of the period, included (UTC).
    pub to: NaiveDate,
    pub generated_at: DateTime<Utc>,
    /// By customer name, then job name.
    pub rows: Vec<ReportRow>,
}

/// One UTC day of a job's status strip.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HistoryDay {
    pub date: NaiveDate,
    /// The worst status of the day's runs; absent on a day without runs.
    pub worst: Option<Status>,
    pub success: u32,
    pub warning: u32,
    pub failed: u32,
    #[serde(default)]
    pub missed: u32,
}

/// One run on the size and duration charts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HistoryPoint {
    pub run_id: String,
    pub at: DateTime<Utc>,
    pub status: Status,
    pub total_bytes: Option<u64>,
    pub duration_secs: Option<u64>,
    /// The size is far outside the job's usual range (see docs/anomalies.md).
    pub size_anomaly: bool,
    /// The duration is far outside the job's usual range.
    pub duration_anomaly: bool,
}

/// A job's history: every day of the window (empty days included, oldest
/// first) and every run in it (oldest first).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct JobHistory {
    pub job_id: String,
    pub days: Vec<HistoryDay>,
    pub points: Vec<HistoryPoint>,
}
