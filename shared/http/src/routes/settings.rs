//! Settings: the MSP's time zone, and a test mail.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use bc_api_types::{ErrorBody, Settings, TestMailRequest};

use crate::AppState;
use crate::error::ApiResult;
use crate::extract::{Auth, JsonBody};

#[utoipa::path(get, path = "/api/v1/settings", tag = "settings",
    responses((status = 200, body = Settings), (status = 401, body = ErrorBody)))]
pub(crate) async fn get(State(s): State<AppState>, Auth(a): Auth) -> ApiResult<Json<Settings>> {
    Ok(Json(s.app.settings(&a).await?))
}

#[utoipa::path(put, path = "/api/v1/settings", tag = "settings", request_body = Settings,
    responses((status = 200, body = Settings), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub(crate) async fn put(
    State(s): State<AppState>,
    Auth(a): Auth,
    JsonBody(req): JsonBody<Settings>,
) -> ApiResult<Json<Settings>> {
    Ok(Json(s.app.update_settings(&a, &req).await?))
}

#[utoipa::path(post, path = "/api/v1/settings/test-mail", tag = "settings", request_body = TestMailRequest,
    responses((status = 202, description = "Queued"), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub(crate) async fn test_mail(
    State(s): State<AppState>,
    Auth(a): Auth,
    JsonBody(req): JsonBody<TestMailRequest>,
) -> ApiResult<StatusCode> {
    s.app.send_test_mail(&a, &req.to).await?;
    Ok(StatusCode::ACCEPTED)
}

#[utoipa::path(get, path = "/api/v1/settings/keyword-rules", tag = "settings",
    responses((status = 200, body = bc_api_types::KeywordRules), (status = 403, body = ErrorBody)))]
pub(crate) async fn get_keyword_rules(
    State(s): State<AppState>,
    Auth(a): Auth,
) -> ApiResult<Json<bc_api_types::KeywordRules>> {
    Ok(Json(s.app.keyword_rules(&a).await?))
}

#[utoipa::path(put, path = "/api/v1/settings/keyword-rules", tag = "settings", request_body = bc_api_types::KeywordRules,
    responses((status = 200, body = bc_api_types::KeywordRules, description = "Stored; re-parse the Inbox to apply them there"),
              (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub(crate) async fn put_keyword_rules(
    State(s): State<AppState>,
    Auth(a): Auth,
    JsonBody(req): JsonBody<bc_api_types::KeywordRules>,
) -> ApiResult<Json<bc_api_types::KeywordRules>> {
    Ok(Json(s.app.put_keyword_rules(&a, &req).await?))
}
