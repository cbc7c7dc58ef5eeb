//! Health and the OpenAPI document.

use axum::Json;
use bc_api_types::Health;

#[utoipa::path(get, path = "/api/v1/health", tag = "meta", responses((status = 200, body = Health)))]
pub(crate) async fn health() -> Json<Health> {
    Json(Health { ok: true, version: env!("CARGO_PKG_VERSION").to_string() })
}

#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "meta", responses((status = 200, description = "This document")))]
pub(crate) async fn openapi_json() -> Json<utoipa::openapi::OpenApi> {
    Json(super::openapi())
}
