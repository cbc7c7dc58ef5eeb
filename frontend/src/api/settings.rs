//! MSP-wide settings.

use bc_api_types::Settings;
use gloo_net::http::Method;

use super::{request, ApiError, Body};

pub async fn get() -> Result<Settings, ApiError> {
    request(Method::GET, "/settings", Body::None).await
}

pub async fn put(settings: &Settings) -> Result<Settings, ApiError> {
    request(Method::PUT, "/settings", Body::json(settings)?).await
}
