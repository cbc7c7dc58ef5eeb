//! Third-party backup platforms (issue 17): register, list, get, update,
//! delete (with confirmation and what it imported), test the connection,
//! trigger a sync, retry a platform job, unlink a platform job from a
//! mail-derived job. `backup.view` to see, `backup.manage` for the rest.
//! Credentials are write-only: never in an answer.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use bc_api_types::{
    ErrorBody, Platform, PlatformBody, PlatformDeleteBody, PlatformDeletion, PlatformRetryResult, PlatformTestResult,
    PlatformUnlinkBody, PlatformUpdate, ProtectedObject,
};

use crate::AppState;
use crate::error::ApiResult;
use crate::extract::{Auth, JsonBody};

fn logged<T>(actor: &bc_core::Actor, call: &str, r: bc_core::Result<T>) -> ApiResult<T> {
    if let Err(e) = &r
        && !matches!(e, bc_core::Error::Backend(_))
    {
        tracing::warn!(user = %actor.username, call, code = e.code(), reason = %e, "platform request refused");
    }
    Ok(r?)
}

#[utoipa::path(get, path = "/api/v1/backup/platforms", tag = "platforms",
    responses((status = 200, body = Vec<Platform>, description = "by name; never credentials"), (status = 403, body = ErrorBody)))]
pub(crate) async fn list(State(s): State<AppState>, Auth(a): Auth) -> ApiResult<Json<Vec<Platform>>> {
    Ok(Json(logged(&a, "list_platforms", s.app.list_platforms(&a).await)?))
}

#[utoipa::path(post, path = "/api/v1/backup/platforms", tag = "platforms", request_body = PlatformBody,
    responses((status = 201, body = Platform, description = "registered; its first sync is due now"),
              (status = 400, body = ErrorBody, description = "bad name, host, fingerprint, interval or credentials"),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody, description = "unknown customer")))]
pub(crate) async fn register(
    State(s): State<AppState>,
    Auth(a): Auth,
    JsonBody(body): JsonBody<PlatformBody>,
) -> ApiResult<(StatusCode, Json<Platform>)> {
    Ok((StatusCode::CREATED, Json(logged(&a, "register_platform", s.app.register_platform(&a, &body).await)?)))
}

#[utoipa::path(get, path = "/api/v1/backup/platforms/{id}", tag = "platforms", params(("id" = String, Path)),
    responses((status = 200, body = Platform), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn get(State(s): State<AppState>, Auth(a): Auth, Path(id): Path<String>) -> ApiResult<Json<Platform>> {
    Ok(Json(logged(&a, "get_platform", s.app.get_platform(&a, &id).await)?))
}

#[utoipa::path(patch, path = "/api/v1/backup/platforms/{id}", tag = "platforms", params(("id" = String, Path)), request_body = PlatformUpdate,
    responses((status = 200, body = Platform), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn update(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<PlatformUpdate>,
) -> ApiResult<Json<Platform>> {
    Ok(Json(logged(&a, "update_platform", s.app.update_platform(&a, &id, &body).await)?))
}

#[utoipa::path(get, path = "/api/v1/backup/platforms/{id}/deletion", tag = "platforms", params(("id" = String, Path)),
    responses((status = 200, body = PlatformDeletion, description = "what deleting it would take with it"),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn deletion(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<PlatformDeletion>> {
    Ok(Json(logged(&a, "platform_deletion", s.app.platform_deletion(&a, &id).await)?))
}

#[utoipa::path(post, path = "/api/v1/backup/platforms/{id}/delete", tag = "platforms", params(("id" = String, Path)), request_body = PlatformDeleteBody,
    responses((status = 200, body = PlatformDeletion, description = "deleted with the jobs (and runs) and protected objects it created"),
              (status = 400, body = ErrorBody, description = "confirm is not the platform's name"),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn delete(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<PlatformDeleteBody>,
) -> ApiResult<Json<PlatformDeletion>> {
    Ok(Json(logged(&a, "delete_platform", s.app.delete_platform(&a, &id, &body.confirm).await)?))
}

#[utoipa::path(post, path = "/api/v1/backup/platforms/{id}/test", tag = "platforms", params(("id" = String, Path)),
    responses((status = 200, body = PlatformTestResult, description = "signed in or why not"),
              (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn test(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<PlatformTestResult>> {
    Ok(Json(logged(&a, "test_platform", s.app.test_platform(&a, &id).await)?))
}

#[utoipa::path(post, path = "/api/v1/backup/platforms/{id}/sync", tag = "platforms", params(("id" = String, Path)),
    responses((status = 202, description = "a sync is queued"), (status = 400, body = ErrorBody, description = "disabled"),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn sync(State(s): State<AppState>, Auth(a): Auth, Path(id): Path<String>) -> ApiResult<StatusCode> {
    logged(&a, "trigger_platform_sync", s.app.trigger_platform_sync(&a, &id).await)?;
    Ok(StatusCode::ACCEPTED)
}

#[utoipa::path(post, path = "/api/v1/backup/platforms/{id}/unlink", tag = "platforms", params(("id" = String, Path)), request_body = PlatformUnlinkBody,
    responses((status = 200, body = Platform, description = "the platform job gets its own job at the next sync"),
              (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn unlink(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<PlatformUnlinkBody>,
) -> ApiResult<Json<Platform>> {
    Ok(Json(logged(&a, "unlink_platform_job", s.app.unlink_platform_job(&a, &id, &body.external_id).await)?))
}

#[utoipa::path(post, path = "/api/v1/backup/platforms/jobs/{job_id}/retry", tag = "platforms", params(("job_id" = String, Path)),
    responses((status = 202, body = PlatformRetryResult, description = "a pending retry; the next sync completes it"),
              (status = 400, body = ErrorBody, description = "not a platform job, or the platform refused"),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody, description = "a retry is already pending")))]
pub(crate) async fn retry(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(job_id): Path<String>,
) -> ApiResult<(StatusCode, Json<PlatformRetryResult>)> {
    Ok((StatusCode::ACCEPTED, Json(logged(&a, "retry_platform_job", s.app.retry_platform_job(&a, &job_id).await)?)))
}

#[utoipa::path(get, path = "/api/v1/backup/platforms/{id}/objects", tag = "platforms", params(("id" = String, Path)),
    responses((status = 200, body = Vec<ProtectedObject>, description = "the protected objects its syncs discovered, with RPO"),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn objects(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<ProtectedObject>>> {
    Ok(Json(logged(&a, "list_platform_objects", s.app.list_platform_objects(&a, &id).await)?))
}
