//! Tickets: a job's list, create (for one run of the job; one open ticket
//! per run), resolve, delete (admins).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use bc_api_types::{CreateTicket, ErrorBody, Ticket, TicketList};

use crate::AppState;
use crate::error::ApiResult;
use crate::extract::{Auth, JsonBody};

#[utoipa::path(get, path = "/api/v1/jobs/{id}/tickets", tag = "tickets", params(("id" = String, Path)),
    responses((status = 200, body = TicketList, description = "Newest first, resolved ones included (at most 200)"),
              (status = 404, body = ErrorBody)))]
pub(crate) async fn list(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<TicketList>> {
    Ok(Json(s.app.job_tickets(&a, &id).await?))
}

#[utoipa::path(post, path = "/api/v1/jobs/{id}/tickets", tag = "tickets", params(("id" = String, Path)),
    request_body = CreateTicket,
    responses((status = 201, body = Ticket), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody, description = "The run has an open ticket")))]
pub(crate) async fn create(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<CreateTicket>,
) -> ApiResult<(StatusCode, Json<Ticket>)> {
    Ok((StatusCode::CREATED, Json(s.app.create_ticket(&a, &id, &req).await?)))
}

#[utoipa::path(post, path = "/api/v1/tickets/{id}/resolve", tag = "tickets", params(("id" = String, Path)),
    responses((status = 200, body = Ticket), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody, description = "Resolved already")))]
pub(crate) async fn resolve(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Ticket>> {
    Ok(Json(s.app.resolve_ticket(&a, &id).await?))
}

#[utoipa::path(delete, path = "/api/v1/tickets/{id}", tag = "tickets", params(("id" = String, Path)),
    responses((status = 204, description = "Deleted (admins); the audit trail keeps it"),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub(crate) async fn delete(State(s): State<AppState>, Auth(a): Auth, Path(id): Path<String>) -> ApiResult<StatusCode> {
    s.app.delete_ticket(&a, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
