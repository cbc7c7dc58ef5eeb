//! The quarantine (admins): list, release (re-parse); and processing a mail
//! held in the Inbox for failed authentication (operators). The raw mail of
//! a quarantined one downloads at `GET /api/v1/mails/{id}/raw`.

use axum::Json;
use axum::extract::{Path, State};
use bc_api_types::{ErrorBody, QuarantinePage, ReleaseResponse};

use super::PageQuery;
use crate::AppState;
use crate::error::ApiResult;
use crate::extract::{Auth, QueryParams};

#[utoipa::path(get, path = "/api/v1/quarantine", tag = "quarantine", params(PageQuery),
    responses((status = 200, body = QuarantinePage, description = "Quarantined mails, newest first"),
              (status = 403, body = ErrorBody)))]
pub(crate) async fn list(
    State(s): State<AppState>,
    Auth(a): Auth,
    QueryParams(q): QueryParams<PageQuery>,
) -> ApiResult<Json<QuarantinePage>> {
    Ok(Json(s.app.quarantined_mails(&a, q.cursor.as_deref(), q.limit.unwrap_or(bc_api_types::PAGE_SIZE)).await?))
}

#[utoipa::path(post, path = "/api/v1/quarantine/{id}/release", tag = "quarantine", params(("id" = String, Path)),
    responses((status = 200, body = ReleaseResponse, description = "Released and ingested again; `error` if that failed"),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody, description = "Not quarantined")))]
pub(crate) async fn release(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<ReleaseResponse>> {
    Ok(Json(s.app.release_quarantined(&a, &id).await?))
}

#[utoipa::path(post, path = "/api/v1/inbox/{id}/process", tag = "inbox", params(("id" = String, Path)),
    responses((status = 200, body = ReleaseResponse, description = "The held mail became a run of its approved job"),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody, description = "Not held, or its job is not approved")))]
pub(crate) async fn process_held(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<ReleaseResponse>> {
    Ok(Json(s.app.process_held(&a, &id).await?))
}
