//! The Inbox: list, deleted list, detail, approve, delete, restore, re-parse.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use bc_api_types::{
    ApproveRequest, ApproveResponse, ErrorBody, InboxPage, MailDetail, ReparseRequest, ReparseResponse,
};

use super::PageQuery;
use crate::AppState;
use crate::error::ApiResult;
use crate::extract::{Auth, JsonBody, QueryParams};

#[utoipa::path(get, path = "/api/v1/inbox", tag = "inbox", params(PageQuery),
    responses((status = 200, body = InboxPage), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub(crate) async fn list(
    State(s): State<AppState>,
    Auth(a): Auth,
    QueryParams(q): QueryParams<PageQuery>,
) -> ApiResult<Json<InboxPage>> {
    Ok(Json(s.app.inbox(&a, q.cursor.as_deref(), q.limit.unwrap_or(bc_api_types::PAGE_SIZE)).await?))
}

#[utoipa::path(get, path = "/api/v1/inbox/deleted", tag = "inbox", params(PageQuery),
    responses((status = 200, body = InboxPage, description = "Deleted mails (admins)"), (status = 403, body = ErrorBody)))]
pub(crate) async fn list_deleted(
    State(s): State<AppState>,
    Auth(a): Auth,
    QueryParams(q): QueryParams<PageQuery>,
) -> ApiResult<Json<InboxPage>> {
    Ok(Json(s.app.deleted_mails(&a, q.cursor.as_deref(), q.limit.unwrap_or(bc_api_types::PAGE_SIZE)).await?))
}

#[utoipa::path(get, path = "/api/v1/inbox/{id}", tag = "inbox", params(("id" = String, Path)),
    responses((status = 200, body = MailDetail), (status = 404, body = ErrorBody)))]
pub(crate) async fn detail(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<MailDetail>> {
    Ok(Json(s.app.mail_detail(&a, &id).await?))
}

#[utoipa::path(post, path = "/api/v1/inbox/{id}/approve", tag = "inbox", params(("id" = String, Path)),
    request_body = ApproveRequest,
    responses((status = 200, body = ApproveResponse), (status = 400, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub(crate) async fn approve(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<ApproveRequest>,
) -> ApiResult<Json<ApproveResponse>> {
    Ok(Json(s.app.approve(&a, &id, &req.customer_id).await?))
}

#[utoipa::path(delete, path = "/api/v1/inbox/{id}", tag = "inbox", params(("id" = String, Path)),
    responses((status = 204, description = "Soft-deleted"), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub(crate) async fn delete(State(s): State<AppState>, Auth(a): Auth, Path(id): Path<String>) -> ApiResult<StatusCode> {
    s.app.delete_mail(&a, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/v1/inbox/{id}/restore", tag = "inbox", params(("id" = String, Path)),
    responses((status = 204, description = "Back in the Inbox"), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn restore(State(s): State<AppState>, Auth(a): Auth, Path(id): Path<String>) -> ApiResult<StatusCode> {
    s.app.restore_mail(&a, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/v1/inbox/reparse", tag = "inbox", request_body = ReparseRequest,
    responses((status = 200, body = ReparseResponse), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn reparse(
    State(s): State<AppState>,
    Auth(a): Auth,
    JsonBody(req): JsonBody<ReparseRequest>,
) -> ApiResult<Json<ReparseResponse>> {
    Ok(Json(s.app.reparse(&a, &req.mail_ids, req.all).await?))
}
