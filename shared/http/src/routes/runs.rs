//! Runs and Run Checks: one run's detail, the Run Checks list, review and
//! unreview.

use axum::Json;
use axum::extract::{Path, State};
use bc_api_types::{ErrorBody, ReviewRequest, ReviewResponse, RunChecks, RunDetail};

use crate::AppState;
use crate::error::ApiResult;
use crate::extract::{Auth, JsonBody};

#[utoipa::path(get, path = "/api/v1/runs/{id}", tag = "runs", params(("id" = String, Path)),
    responses((status = 200, body = RunDetail), (status = 404, body = ErrorBody)))]
pub(crate) async fn detail(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<RunDetail>> {
    Ok(Json(s.app.run_detail(&a, &id).await?))
}

#[utoipa::path(get, path = "/api/v1/run-checks", tag = "runs",
    responses((status = 200, body = RunChecks, description = "Jobs with unreviewed runs, worst first"),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub(crate) async fn run_checks(State(s): State<AppState>, Auth(a): Auth) -> ApiResult<Json<RunChecks>> {
    Ok(Json(s.app.run_checks(&a).await?))
}

#[utoipa::path(post, path = "/api/v1/run-checks/review", tag = "runs", request_body = ReviewRequest,
    responses((status = 200, body = ReviewResponse), (status = 400, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn review(
    State(s): State<AppState>,
    Auth(a): Auth,
    JsonBody(req): JsonBody<ReviewRequest>,
) -> ApiResult<Json<ReviewResponse>> {
    Ok(Json(ReviewResponse { changed: s.app.review(&a, &req.job_ids, &req.run_ids).await? }))
}

#[utoipa::path(post, path = "/api/v1/run-checks/unreview", tag = "runs", request_body = ReviewRequest,
    responses((status = 200, body = ReviewResponse, description = "Admins: unmark reviewed runs"),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn unreview(
    State(s): State<AppState>,
    Auth(a): Auth,
    JsonBody(req): JsonBody<ReviewRequest>,
) -> ApiResult<Json<ReviewResponse>> {
    Ok(Json(ReviewResponse { changed: s.app.unreview(&a, &req.job_ids, &req.run_ids).await? }))
}
