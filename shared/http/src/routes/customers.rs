//! Customers: list, create, get, rename/(de)activate, CSV export and import.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use bc_api_types::{CreateCustomer, CsvImportResult, Customer, CustomerList, ErrorBody, UpdateCustomer};

use crate::AppState;
use crate::error::ApiResult;
use crate::extract::{Auth, JsonBody};

#[utoipa::path(get, path = "/api/v1/customers", tag = "customers",
    responses((status = 200, body = CustomerList), (status = 401, body = ErrorBody)))]
pub(crate) async fn list(State(s): State<AppState>, Auth(a): Auth) -> ApiResult<Json<CustomerList>> {
    Ok(Json(s.app.customers(&a).await?))
}

#[utoipa::path(post, path = "/api/v1/customers", tag = "customers", request_body = CreateCustomer,
    responses((status = 201, body = Customer), (status = 400, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub(crate) async fn create(
    State(s): State<AppState>,
    Auth(a): Auth,
    JsonBody(req): JsonBody<CreateCustomer>,
) -> ApiResult<(StatusCode, Json<Customer>)> {
    Ok((StatusCode::CREATED, Json(s.app.create_customer(&a, &req.name).await?)))
}

#[utoipa::path(get, path = "/api/v1/customers/{id}", tag = "customers", params(("id" = String, Path)),
    responses((status = 200, body = Customer), (status = 404, body = ErrorBody)))]
pub(crate) async fn get(State(s): State<AppState>, Auth(a): Auth, Path(id): Path<String>) -> ApiResult<Json<Customer>> {
    Ok(Json(s.app.customer(&a, &id).await?))
}

#[utoipa::path(patch, path = "/api/v1/customers/{id}", tag = "customers", params(("id" = String, Path)),
    request_body = UpdateCustomer,
    responses((status = 200, body = Customer), (status = 400, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub(crate) async fn update(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<UpdateCustomer>,
) -> ApiResult<Json<Customer>> {
    Ok(Json(s.app.update_customer(&a, &id, req.name.as_deref(), req.active).await?))
}

#[utoipa::path(get, path = "/api/v1/customers/export.csv", tag = "customers",
    responses((status = 200, content_type = "text/csv", description = "id,name,active,job_count,created_at")))]
pub(crate) async fn export_csv(State(s): State<AppState>, Auth(a): Auth) -> ApiResult<Response> {
    let csv = s.app.export_customers_csv(&a).await?;
    let mut resp = csv.into_response();
    resp.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
    resp.headers_mut().insert(CONTENT_DISPOSITION, HeaderValue::from_static("attachment; filename=\"customers.csv\""));
    Ok(resp)
}

#[utoipa::path(post, path = "/api/v1/customers/import", tag = "customers",
    request_body(content = String, content_type = "text/csv", description = "A header row with `name` (and optionally `active`)"),
    responses((status = 200, body = CsvImportResult), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub(crate) async fn import_csv(
    State(s): State<AppState>,
    Auth(a): Auth,
    headers: axum::http::HeaderMap,
    body: Bytes,
) -> ApiResult<Json<CsvImportResult>> {
    let ct = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    if !ct.split(';').next().is_some_and(|m| m.trim().eq_ignore_ascii_case("text/csv")) {
        return Err(crate::ApiError::invalid("send the file as Content-Type: text/csv"));
    }
    Ok(Json(s.app.import_customers_csv(&a, &body).await?))
}
