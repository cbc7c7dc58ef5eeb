//! Overrides: list, create, edit, delete (admins).

use bc_api_types::{Override, OverrideSpec, OverrideUpdate};
use gloo_net::http::Method;

use super::{ApiError, Body, request, seg};

pub async fn list() -> Result<Vec<Override>, ApiError> {
    request(Method::GET, "/overrides", Body::None).await
}

pub async fn create(spec: &OverrideSpec) -> Result<Override, ApiError> {
    request(Method::POST, "/overrides", Body::json(spec)?).await
}

pub async fn update(id: &str, spec: OverrideSpec, version: u64) -> Result<Override, ApiError> {
    request(Method::PUT, &format!("/overrides/{}", seg(id)), Body::json(&OverrideUpdate { spec, version })?).await
}

pub async fn delete(id: &str) -> Result<(), ApiError> {
    request(Method::DELETE, &format!("/overrides/{}", seg(id)), Body::None).await
}
