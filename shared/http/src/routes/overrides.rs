//! Overrides: list and read (operators, admins), create and edit
//! (operators, admins), delete (admins).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use bc_api_types::{ErrorBody, Override, OverrideSpec, OverrideUpdate};

use crate::AppState;
use crate::error::ApiResult;
use crate::extract::{Auth, JsonBody};

#[utoipa::path(get, path = "/api/v1/overrides", tag = "overrides",
    responses((status = 200, body = Vec<Override>, description = "by number"), (status = 403, body = ErrorBody)))]
pub(crate) async fn list(State(s): State<AppState>, Auth(a): Auth) -> ApiResult<Json<Vec<Override>>> {
    Ok(Json(s.app.overrides(&a).await?))
}

#[utoipa::path(post, path = "/api/v1/overrides", tag = "overrides", request_body = OverrideSpec,
    responses((status = 201, body = Override, description = "created; unreviewed runs are re-evaluated"),
              (status = 400, body = ErrorBody, description = "invalid pattern, window or scope, with the reason"),
              (status = 403, body = ErrorBody)))]
pub(crate) async fn create(
    State(s): State<AppState>,
    Auth(a): Auth,
    JsonBody(spec): JsonBody<OverrideSpec>,
) -> ApiResult<(StatusCode, Json<Override>)> {
    Ok((StatusCode::CREATED, Json(s.app.create_override(&a, &spec).await?)))
}

#[utoipa::path(get, path = "/api/v1/overrides/{id}", tag = "overrides", params(("id" = String, Path)),
    responses((status = 200, body = Override), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn get(State(s): State<AppState>, Auth(a): Auth, Path(id): Path<String>) -> ApiResult<Json<Override>> {
    Ok(Json(s.app.override_detail(&a, &id).await?))
}

#[utoipa::path(put, path = "/api/v1/overrides/{id}", tag = "overrides", params(("id" = String, Path)),
    request_body = OverrideUpdate,
    responses((status = 200, body = Override), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody, description = "edited meanwhile")))]
pub(crate) async fn update(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<String>,
    JsonBody(edit): JsonBody<OverrideUpdate>,
) -> ApiResult<Json<Override>> {
    Ok(Json(s.app.update_override(&a, &id, &edit).await?))
}

#[utoipa::path(delete, path = "/api/v1/overrides/{id}", tag = "overrides", params(("id" = String, Path)),
    responses((status = 204, description = "deleted; unreviewed runs are re-evaluated, reviewed runs keep what they showed"),
              (status = 403, body = ErrorBody, description = "admins only"), (status = 404, body = ErrorBody)))]
pub(crate) async fn delete(State(s): State<AppState>, Auth(a): Auth, Path(id): Path<String>) -> ApiResult<StatusCode> {
    s.app.delete_override(&a, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
