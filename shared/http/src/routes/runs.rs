//! Runs and Run Checks: one run's detail, the Run Checks list, review and
//! unreview.

use axum::Json;
use axum::extract::{Path, State};
use bc_api_types::{ErrorBody, ReviewRequest, ReviewResponse, RunChecks, RunDetail, Status};
use bc_core::review::run_checks::RunChecksQuery;

use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Auth, JsonBody, QueryParams};

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct RunChecksParams {
    pub customer_id: Option<String>,
    /// The job's worst unreviewed status: Success, Warning or Failed.
    pub status: Option<String>,
    /// Exact software name.
    pub software: Option<String>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Jobs per page (default 50, at most 200).
    pub limit: Option<usize>,
}

#[utoipa::path(get, path = "/api/v1/runs/{id}", tag = "runs", params(("id" = String, Path)),
    responses((status = 200, body = RunDetail), (status = 404, body = ErrorBody)))]
pub(crate) async fn detail(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<RunDetail>> {
    Ok(Json(s.app.run_detail(&a, &id).await?))
}

#[utoipa::path(get, path = "/api/v1/run-checks", tag = "runs", params(RunChecksParams),
    responses((status = 200, body = RunChecks, description = "A page of jobs with unreviewed runs, worst first"),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub(crate) async fn run_checks(
    State(s): State<AppState>,
    Auth(a): Auth,
    QueryParams(p): QueryParams<RunChecksParams>,
) -> ApiResult<Json<RunChecks>> {
    let nonempty = |v: Option<String>| v.filter(|s| !s.trim().is_empty());
    let status = match nonempty(p.status) {
        Some(v) => Some(v.parse::<Status>().map_err(ApiError::invalid)?),
        None => None,
    };
    let q = RunChecksQuery {
        customer_id: nonempty(p.customer_id),
        status,
        software: nonempty(p.software),
        cursor: nonempty(p.cursor),
        limit: p.limit,
    };
    Ok(Json(s.app.run_checks(&a, &q).await?))
}

#[utoipa::path(post, path = "/api/v1/run-checks/review", tag = "runs", request_body = ReviewRequest,
    responses((status = 200, body = ReviewResponse), (status = 400, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn review(
    State(s): State<AppState>,
    Auth(a): Auth,
    JsonBody(req): JsonBody<ReviewRequest>,
) -> ApiResult<Json<ReviewResponse>> {
    Ok(Json(s.app.review(&a, &req.job_ids, &req.run_ids, req.as_of).await?))
}

#[utoipa::path(post, path = "/api/v1/run-checks/unreview", tag = "runs", request_body = ReviewRequest,
    responses((status = 200, body = ReviewResponse, description = "Admins: unmark reviewed runs"),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn unreview(
    State(s): State<AppState>,
    Auth(a): Auth,
    JsonBody(req): JsonBody<ReviewRequest>,
) -> ApiResult<Json<ReviewResponse>> {
    Ok(Json(s.app.unreview(&a, &req.job_ids, &req.run_ids).await?))
}
