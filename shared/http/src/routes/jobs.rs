//! Jobs: filtered list, one job, a job's run history.

use axum::Json;
use axum::extract::{Path, State};
use bc_api_types::{ErrorBody, Job, JobPage, RunPage, Status};
use bc_core::jobs::repo::JobFilter;

use super::PageQuery;
use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Auth, QueryParams};

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct JobQuery {
    pub customer_id: Option<String>,
    pub software: Option<String>,
    /// Status of the last run: Success, Warning or Failed.
    pub status: Option<String>,
    /// Substring of the job name.
    pub q: Option<String>,
    pub cursor: Option<String>,
    pub limit: Option<usize>,
}

#[utoipa::path(get, path = "/api/v1/jobs", tag = "jobs", params(JobQuery),
    responses((status = 200, body = JobPage), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub(crate) async fn list(
    State(s): State<AppState>,
    Auth(a): Auth,
    QueryParams(q): QueryParams<JobQuery>,
) -> ApiResult<Json<JobPage>> {
    let last_status = match q.status.as_deref().filter(|v| !v.is_empty()) {
        Some(v) => Some(v.parse::<Status>().map_err(ApiError::invalid)?),
        None => None,
    };
    let nonempty = |v: Option<String>| v.filter(|s| !s.trim().is_empty());
    let filter = JobFilter {
        customer_id: nonempty(q.customer_id),
        software: nonempty(q.software),
        last_status,
        search: nonempty(q.q),
    };
    Ok(Json(s.app.jobs(&a, &filter, q.cursor.as_deref(), q.limit.unwrap_or(50)).await?))
}

#[utoipa::path(get, path = "/api/v1/jobs/{id}", tag = "jobs", params(("id" = String, Path)),
    responses((status = 200, body = Job), (status = 404, body = ErrorBody)))]
pub(crate) async fn get(State(s): State<AppState>, Auth(a): Auth, Path(id): Path<String>) -> ApiResult<Json<Job>> {
    Ok(Json(s.app.job(&a, &id).await?))
}

#[utoipa::path(get, path = "/api/v1/jobs/{id}/runs", tag = "jobs", params(("id" = String, Path), PageQuery),
    responses((status = 200, body = RunPage, description = "Newest first; reviewer and time for admins"),
              (status = 404, body = ErrorBody)))]
pub(crate) async fn runs(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<String>,
    QueryParams(q): QueryParams<PageQuery>,
) -> ApiResult<Json<RunPage>> {
    Ok(Json(s.app.job_runs(&a, &id, q.cursor.as_deref(), q.limit.unwrap_or(50)).await?))
}
