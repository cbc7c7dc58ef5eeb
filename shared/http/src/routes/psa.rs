//! The Autotask integration: settings (credentials write-only), test and
//! validate, reference data, company search and mapping, and a run's
//! Autotask ticket (create, link, check, resolve).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use bc_api_types::{
    AutotaskCheck, AutotaskCompany, AutotaskSettings, Customer, ErrorBody, LinkTicket, MapCompany, Ticket,
    UpdateAutotaskSettings,
};

use crate::AppState;
use crate::error::ApiResult;
use crate::extract::{Auth, JsonBody, QueryParams};

#[utoipa::path(get, path = "/api/v1/integrations/autotask", tag = "autotask",
    responses((status = 200, body = AutotaskSettings, description = "never the credentials, only whether they are set"),
              (status = 403, body = ErrorBody)))]
pub(crate) async fn get(State(s): State<AppState>, Auth(a): Auth) -> ApiResult<Json<AutotaskSettings>> {
    Ok(Json(s.app.autotask_settings(&a).await?))
}

#[utoipa::path(put, path = "/api/v1/integrations/autotask", tag = "autotask", request_body = UpdateAutotaskSettings,
    responses((status = 200, body = AutotaskSettings), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub(crate) async fn put(
    State(s): State<AppState>,
    Auth(a): Auth,
    JsonBody(b): JsonBody<UpdateAutotaskSettings>,
) -> ApiResult<Json<AutotaskSettings>> {
    Ok(Json(s.app.update_autotask_settings(&a, &b).await?))
}

#[utoipa::path(post, path = "/api/v1/integrations/autotask/test", tag = "autotask",
    responses((status = 200, body = AutotaskCheck, description = "Test connection"), (status = 400, body = ErrorBody),
              (status = 403, body = ErrorBody)))]
pub(crate) async fn test(State(s): State<AppState>, Auth(a): Auth) -> ApiResult<Json<AutotaskCheck>> {
    Ok(Json(s.app.test_autotask(&a).await?))
}

#[utoipa::path(post, path = "/api/v1/integrations/autotask/validate", tag = "autotask",
    responses((status = 200, body = AutotaskCheck, description = "Validate configuration"),
              (status = 403, body = ErrorBody)))]
pub(crate) async fn validate(State(s): State<AppState>, Auth(a): Auth) -> ApiResult<Json<AutotaskCheck>> {
    Ok(Json(s.app.validate_autotask(&a).await?))
}

#[utoipa::path(post, path = "/api/v1/integrations/autotask/reference", tag = "autotask",
    responses((status = 200, body = AutotaskSettings, description = "queues, sources, statuses, priorities reloaded"),
              (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub(crate) async fn reference(State(s): State<AppState>, Auth(a): Auth) -> ApiResult<Json<AutotaskSettings>> {
    Ok(Json(s.app.refresh_autotask_reference(&a).await?))
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct CompanyQuery {
    /// Part of the company name.
    pub q: String,
}

#[utoipa::path(get, path = "/api/v1/integrations/autotask/companies", tag = "autotask", params(CompanyQuery),
    responses((status = 200, body = Vec<AutotaskCompany>), (status = 400, body = ErrorBody),
              (status = 403, body = ErrorBody)))]
pub(crate) async fn companies(
    State(s): State<AppState>,
    Auth(a): Auth,
    QueryParams(q): QueryParams<CompanyQuery>,
) -> ApiResult<Json<Vec<AutotaskCompany>>> {
    Ok(Json(s.app.search_autotask_companies(&a, &q.q).await?))
}

#[utoipa::path(put, path = "/api/v1/customers/{id}/autotask", tag = "autotask", params(("id" = String, Path)),
    request_body = MapCompany,
    responses((status = 200, body = Customer), (status = 400, body = ErrorBody, description = "no such company"),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn map_company(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<MapCompany>,
) -> ApiResult<Json<Customer>> {
    Ok(Json(s.app.map_customer_company(&a, &id, Some(b.company_id)).await?))
}

#[utoipa::path(delete, path = "/api/v1/customers/{id}/autotask", tag = "autotask", params(("id" = String, Path)),
    responses((status = 200, body = Customer), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn unmap_company(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Customer>> {
    Ok(Json(s.app.map_customer_company(&a, &id, None).await?))
}

#[utoipa::path(post, path = "/api/v1/runs/{id}/autotask-ticket", tag = "autotask", params(("id" = String, Path)),
    responses((status = 202, body = Ticket, description = "recorded as pending; the worker creates it in Autotask"),
              (status = 400, body = ErrorBody, description = "integration off, customer not mapped, base URL missing"),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody, description = "the run has an open ticket (one per run)")))]
pub(crate) async fn create_ticket(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<String>,
) -> ApiResult<(StatusCode, Json<Ticket>)> {
    Ok((StatusCode::ACCEPTED, Json(s.app.create_autotask_ticket(&a, &id).await?)))
}

#[utoipa::path(post, path = "/api/v1/runs/{id}/autotask-link", tag = "autotask", params(("id" = String, Path)),
    request_body = LinkTicket,
    responses((status = 201, body = Ticket, description = "validated in Autotask and linked"),
              (status = 400, body = ErrorBody, description = "no such ticket number"),
              (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub(crate) async fn link_ticket(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<LinkTicket>,
) -> ApiResult<(StatusCode, Json<Ticket>)> {
    Ok((StatusCode::CREATED, Json(s.app.link_autotask_ticket(&a, &id, &b.number).await?)))
}

#[utoipa::path(post, path = "/api/v1/tickets/{id}/autotask-check", tag = "autotask", params(("id" = String, Path)),
    responses((status = 200, body = Ticket, description = "as Autotask has it now; a deleted one is marked so"),
              (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub(crate) async fn check_ticket(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Ticket>> {
    Ok(Json(s.app.refresh_autotask_ticket(&a, &id).await?))
}

#[utoipa::path(post, path = "/api/v1/tickets/{id}/autotask-resolve", tag = "autotask", params(("id" = String, Path)),
    responses((status = 202, body = Ticket, description = "queued; the worker resolves per seed 003 §6"),
              (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub(crate) async fn resolve_ticket(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<String>,
) -> ApiResult<(StatusCode, Json<Ticket>)> {
    Ok((StatusCode::ACCEPTED, Json(s.app.resolve_autotask_ticket(&a, &id).await?)))
}
