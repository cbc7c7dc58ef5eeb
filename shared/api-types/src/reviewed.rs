//! The admin's Reviewed view: every reviewed run, newest review first, and
//! the review statistics.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::Run;

/// A reviewed run with what the list shows beside it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReviewedRun {
    pub run: Run,
    pub job_name: String,
    pub software: String,
    pub customer_id: String,
    pub customer_name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReviewedPage {
    pub items: Vec<ReviewedRun>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReviewerCount {
    pub reviewer: String,
    pub runs: u32,
}

/// One day (UTC) of reviews.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReviewDay {
    /// `YYYY-MM-DD`.
    pub day: String,
    pub runs: u32,
    /// Most first.
    pub by: Vec<ReviewerCount>,
}

/// `GET /api/v1/reviewed/stats`: what the admin monitors.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReviewStats {
    /// Every day of the period, newest first (days without reviews too).
    pub days: Vec<ReviewDay>,
    pub unreviewed_runs: u32,
    /// When the oldest unreviewed run ran (its age is what to watch).
    pub oldest_unreviewed_at: Option<DateTime<Utc>>,
}

/// `POST /api/v1/reviewed/reindex`: the re-index of runs reviewed before the
/// Reviewed view's index existed was queued (it runs in the worker).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReindexQueued {
    pub queued: u32,
}
