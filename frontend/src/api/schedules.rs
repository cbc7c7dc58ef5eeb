//! Schedules: Daily Jobs.

use bc_api_types::DailyJobs;
use gloo_net::http::Method;

use super::{ApiError, Body, query, request};

/// Empty fields do not filter; an empty date is today's backup day.
pub async fn daily_jobs(date: &str, customer: &str, status: &str) -> Result<DailyJobs, ApiError> {
    let q = query(&[("date", Some(date)), ("customer", Some(customer)), ("status", Some(status))]);
    request(Method::GET, &format!("/daily-jobs{q}"), Body::None).await
}
