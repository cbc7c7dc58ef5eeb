//! Bulk operations running in the background (a large review or unreview).

use bc_api_types::Operation;
use gloo_net::http::Method;

use super::{ApiError, Body, request, seg};

pub async fn get(id: &str) -> Result<Operation, ApiError> {
    request(Method::GET, &format!("/operations/{}", seg(id)), Body::None).await
}
