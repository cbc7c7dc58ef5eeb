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
