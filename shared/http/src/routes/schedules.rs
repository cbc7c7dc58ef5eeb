//! Schedules: a job's explicit schedule (operators, admins), maintenance
//! windows, and Daily Jobs (every role).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use bc_api_types::{DailyJobs, ErrorBody, Job, MaintenanceWindow, MaintenanceWindowBody, ScheduleBody};
use bc_core::schedules::daily::DailyFilter;
use chrono::NaiveDate;

use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Auth, JsonBody, QueryParams};

#[utoipa::path(put, path = "/api/v1/jobs/{id}/schedule", tag = "schedules", params(("id" = String, Path)),
    request_body = ScheduleBody,
    responses((status = 200, body = Job, description = "the job with its schedule and next expected run"),
              (status = 400, body = ErrorBody, description = "invalid cron expression, time zone, interval or grace, with the reason"),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn put_schedule(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<ScheduleBody>,
) -> ApiResult<Json<Job>> {
    Ok(Json(s.app.set_job_schedule(&a, &id, &body).await?))
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct DailyParams {
    /// The backup day, `YYYY-MM-DD` (default: today's, in the MSP's time zone).
    pub date: Option<String>,
    /// A customer id.
    pub customer: Option<String>,
    /// Success, Warning, Failed, Missed or Expected.
    pub status: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/daily-jobs", tag = "schedules", params(DailyParams),
    responses((status = 200, body = DailyJobs, description = "every job expected that day, by expected time"),
              (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub(crate) async fn daily_jobs(
    State(s): State<AppState>,
    Auth(a): Auth,
    QueryParams(p): QueryParams<DailyParams>,
) -> ApiResult<Json<DailyJobs>> {
    let nonempty = |v: Option<String>| v.filter(|s| !s.trim().is_empty());
    let date = match nonempty(p.date) {
        Some(d) => Some(
            d.trim().parse::<NaiveDate>().map_err(|_| ApiError::invalid(format!("date {d:?} is not YYYY-MM-DD")))?,
        ),
        None => None,
    };
    let status = nonempty(p.status).map(|v| v.parse::<DailyFilter>()).transpose()?;
    let customer = nonempty(p.customer);
    Ok(Json(s.app.daily_jobs(&a, date, customer.as_deref(), status).await?))
}

#[utoipa::path(get, path = "/api/v1/maintenance-windows", tag = "schedules",
    responses((status = 200, body = Vec<MaintenanceWindow>), (status = 403, body = ErrorBody)))]
pub(crate) async fn list_windows(State(s): State<AppState>, Auth(a): Auth) -> ApiResult<Json<Vec<MaintenanceWindow>>> {
    Ok(Json(s.app.maintenance_windows(&a).await?))
}

#[utoipa::path(post, path = "/api/v1/maintenance-windows", tag = "schedules", request_body = MaintenanceWindowBody,
    responses((status = 201, body = MaintenanceWindow, description = "nothing of the job or customer is missed inside it"),
              (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn create_window(
    State(s): State<AppState>,
    Auth(a): Auth,
    JsonBody(body): JsonBody<MaintenanceWindowBody>,
) -> ApiResult<(StatusCode, Json<MaintenanceWindow>)> {
    Ok((StatusCode::CREATED, Json(s.app.add_maintenance_window(&a, &body).await?)))
}

#[utoipa::path(delete, path = "/api/v1/maintenance-windows/{id}", tag = "schedules", params(("id" = String, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn delete_window(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    s.app.delete_maintenance_window(&a, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
