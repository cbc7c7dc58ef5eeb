//! Schedules: Daily Jobs.

use bc_api_types::DailyJobs;
use gloo_net::http::Method;

use super::{ApiError, Body, query, request};

/// Empty fields do not filter; an empty date is today's backup day.
pub async fn daily_jobs(date: &str, customer: &str, status: &str) -> Result<DailyJobs, ApiError> {
    let q = query(&[("date", Some(date)), ("customer", Some(customer)), ("status", Some(status))]);
    request(Method::GET, &format!("/daily-jobs{q}"), Body::None).await
}

/// `PUT /jobs/{id}/schedule`: `spec` None goes back to the learned schedule.
pub async fn put_schedule(job_id: &str, body: &bc_api_types::ScheduleBody) -> Result<bc_api_types::Job, ApiError> {
    request(Method::PUT, &format!("/jobs/{}/schedule", super::seg(job_id)), Body::json(body)?).await
}

pub async fn windows() -> Result<Vec<bc_api_types::MaintenanceWindow>, ApiError> {
    request(Method::GET, "/maintenance-windows", Body::None).await
}

pub async fn add_window(
    body: &bc_api_types::MaintenanceWindowBody,
) -> Result<bc_api_types::MaintenanceWindow, ApiError> {
    request(Method::POST, "/maintenance-windows", Body::json(body)?).await
}

pub async fn delete_window(id: &str) -> Result<(), ApiError> {
    request(Method::DELETE, &format!("/maintenance-windows/{}", super::seg(id)), Body::None).await
}
