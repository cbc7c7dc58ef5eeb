//! API tokens (admins): list, create (the secret is in that answer only), revoke.

use bc_api_types::{ApiToken, ApiTokenList, CreateApiToken, CreatedApiToken, Role};
use gloo_net::http::Method;

use super::{ApiError, Body, request, seg};

pub async fn list() -> Result<ApiTokenList, ApiError> {
    request(Method::GET, "/api-tokens", Body::None).await
}

pub async fn create(name: &str, role: Role) -> Result<CreatedApiToken, ApiError> {
    request(Method::POST, "/api-tokens", Body::json(&CreateApiToken { name: name.into(), role })?).await
}

pub async fn revoke(id: &str) -> Result<ApiToken, ApiError> {
    request(Method::POST, &format!("/api-tokens/{}/revoke", seg(id)), Body::None).await
}
