//! API tokens (admins): list, create (the token is in this one answer),
//! revoke.

use axum::Json;
use axum::extract::{Path, State};
use bc_api_types::{ApiToken, ApiTokenList, CreateApiToken, CreatedApiToken, ErrorBody};

use crate::AppState;
use crate::error::ApiResult;
use crate::extract::{Auth, JsonBody};

#[utoipa::path(get, path = "/api/v1/api-tokens", tag = "api_tokens",
    responses((status = 200, body = ApiTokenList), (status = 403, body = ErrorBody)))]
pub(crate) async fn list(State(s): State<AppState>, Auth(a): Auth) -> ApiResult<Json<ApiTokenList>> {
    Ok(Json(s.app.api_tokens(&a).await?))
}

#[utoipa::path(post, path = "/api/v1/api-tokens", tag = "api_tokens", request_body = CreateApiToken,
    responses((status = 200, body = CreatedApiToken, description = "`token` is shown only here"),
              (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub(crate) async fn create(
    State(s): State<AppState>,
    Auth(a): Auth,
    JsonBody(req): JsonBody<CreateApiToken>,
) -> ApiResult<Json<CreatedApiToken>> {
    Ok(Json(s.app.create_api_token(&a, &req.name, req.role).await?))
}

#[utoipa::path(post, path = "/api/v1/api-tokens/{id}/revoke", tag = "api_tokens", params(("id" = String, Path)),
    responses((status = 200, body = ApiToken), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn revoke(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<ApiToken>> {
    Ok(Json(s.app.revoke_api_token(&a, &id).await?))
}
