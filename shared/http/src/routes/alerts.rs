//! Alerts: channels, rules, mutes and the digest (admins; operators see and
//! set mutes), and the dead letters of the task queue (admins).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use bc_api_types::{
    AlertMutes, AlertRule, AlertsConfig, ChannelCreated, DeadLetter, DigestSettings, ErrorBody, NewChannel, RuleBody,
};

use crate::AppState;
use crate::error::ApiResult;
use crate::extract::{Auth, JsonBody};

#[utoipa::path(get, path = "/api/v1/alerts", tag = "alerts",
    responses((status = 200, body = AlertsConfig, description = "channels (no URLs or secrets), rules, mutes, digest; operators get the mutes only"),
              (status = 403, body = ErrorBody)))]
pub(crate) async fn get(State(s): State<AppState>, Auth(a): Auth) -> ApiResult<Json<AlertsConfig>> {
    Ok(Json(s.app.alerts_config(&a).await?))
}

#[utoipa::path(post, path = "/api/v1/alerts/channels", tag = "alerts", request_body = NewChannel,
    responses((status = 201, body = ChannelCreated, description = "a generic webhook's signing secret is shown this once"),
              (status = 400, body = ErrorBody, description = "a bad address, or a webhook URL that is not https or points inside the network"),
              (status = 403, body = ErrorBody)))]
pub(crate) async fn create_channel(
    State(s): State<AppState>,
    Auth(a): Auth,
    JsonBody(body): JsonBody<NewChannel>,
) -> ApiResult<(StatusCode, Json<ChannelCreated>)> {
    Ok((StatusCode::CREATED, Json(s.app.create_channel(&a, &body).await?)))
}

#[utoipa::path(delete, path = "/api/v1/alerts/channels/{id}", tag = "alerts", params(("id" = String, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn delete_channel(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    s.app.delete_channel(&a, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/v1/alerts/channels/{id}/test", tag = "alerts", params(("id" = String, Path)),
    responses((status = 202, description = "a test message is queued"), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
pub(crate) async fn test_channel(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    s.app.test_channel(&a, &id).await?;
    Ok(StatusCode::ACCEPTED)
}

#[utoipa::path(post, path = "/api/v1/alerts/rules", tag = "alerts", request_body = RuleBody,
    responses((status = 201, body = AlertRule), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub(crate) async fn create_rule(
    State(s): State<AppState>,
    Auth(a): Auth,
    JsonBody(body): JsonBody<RuleBody>,
) -> ApiResult<(StatusCode, Json<AlertRule>)> {
    Ok((StatusCode::CREATED, Json(s.app.create_rule(&a, &body).await?)))
}

#[utoipa::path(put, path = "/api/v1/alerts/rules/{id}", tag = "alerts", params(("id" = String, Path)),
    request_body = RuleBody,
    responses((status = 200, body = AlertRule), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
pub(crate) async fn update_rule(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<RuleBody>,
) -> ApiResult<Json<AlertRule>> {
    Ok(Json(s.app.update_rule(&a, &id, &body).await?))
}

#[utoipa::path(delete, path = "/api/v1/alerts/rules/{id}", tag = "alerts", params(("id" = String, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn delete_rule(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    s.app.delete_rule(&a, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(put, path = "/api/v1/alerts/mutes", tag = "alerts", request_body = AlertMutes,
    responses((status = 200, body = AlertMutes), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub(crate) async fn put_mutes(
    State(s): State<AppState>,
    Auth(a): Auth,
    JsonBody(body): JsonBody<AlertMutes>,
) -> ApiResult<Json<AlertMutes>> {
    Ok(Json(s.app.set_mutes(&a, &body).await?))
}

#[utoipa::path(put, path = "/api/v1/alerts/digest", tag = "alerts", request_body = DigestSettings,
    responses((status = 200, body = DigestSettings), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub(crate) async fn put_digest(
    State(s): State<AppState>,
    Auth(a): Auth,
    JsonBody(body): JsonBody<DigestSettings>,
) -> ApiResult<Json<DigestSettings>> {
    Ok(Json(s.app.set_digest(&a, &body).await?))
}

#[utoipa::path(get, path = "/api/v1/dead-letters", tag = "operations",
    responses((status = 200, body = [DeadLetter], description = "tasks the queue gave up on, described without secrets"),
              (status = 403, body = ErrorBody)))]
pub(crate) async fn dead_letters(State(s): State<AppState>, Auth(a): Auth) -> ApiResult<Json<Vec<DeadLetter>>> {
    Ok(Json(s.app.dead_letters(&a).await?))
}

#[utoipa::path(post, path = "/api/v1/dead-letters/{id}/retry", tag = "operations", params(("id" = String, Path)),
    responses((status = 202, description = "back on the queue"), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
pub(crate) async fn retry_dead_letter(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    s.app.retry_dead_letter(&a, &id).await?;
    Ok(StatusCode::ACCEPTED)
}
