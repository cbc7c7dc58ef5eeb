//! Remarks: a job's list, create (on a job, optionally naming the run),
//! edit (author or admin), resolve.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use bc_api_types::{CreateRemark, ErrorBody, Remark, RemarkList, UpdateRemark};

use crate::AppState;
use crate::error::ApiResult;
use crate::extract::{Auth, JsonBody};

#[utoipa::path(get, path = "/api/v1/jobs/{id}/remarks", tag = "remarks", params(("id" = String, Path)),
    responses((status = 200, body = RemarkList, description = "Newest first, resolved ones included (at most 200)"),
              (status = 404, body = ErrorBody)))]
pub(crate) async fn list(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<RemarkList>> {
    Ok(Json(s.app.job_remarks(&a, &id).await?))
}

#[utoipa::path(post, path = "/api/v1/jobs/{id}/remarks", tag = "remarks", params(("id" = String, Path)),
    request_body = CreateRemark,
    responses((status = 201, body = Remark), (status = 400, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn create(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<CreateRemark>,
) -> ApiResult<(StatusCode, Json<Remark>)> {
    Ok((StatusCode::CREATED, Json(s.app.create_remark(&a, &id, &req.text, req.run_id.as_deref()).await?)))
}

#[utoipa::path(patch, path = "/api/v1/remarks/{id}", tag = "remarks", params(("id" = String, Path)),
    request_body = UpdateRemark,
    responses((status = 200, body = Remark), (status = 400, body = ErrorBody),
              (status = 403, body = ErrorBody, description = "Neither the author nor an admin"),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub(crate) async fn update(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<UpdateRemark>,
) -> ApiResult<Json<Remark>> {
    Ok(Json(s.app.edit_remark(&a, &id, &req.text).await?))
}

#[utoipa::path(post, path = "/api/v1/remarks/{id}/resolve", tag = "remarks", params(("id" = String, Path)),
    responses((status = 200, body = Remark), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody, description = "Resolved already")))]
pub(crate) async fn resolve(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Remark>> {
    Ok(Json(s.app.resolve_remark(&a, &id).await?))
}
