//! Sign in, sign out, who am I, change my password.

use bc_api_types::{ChangePasswordRequest, LoginRequest, Me};
use gloo_net::http::Method;

use super::{ApiError, Body, request};

pub async fn login(username: &str, password: &str) -> Result<Me, ApiError> {
    let body = Body::json(&LoginRequest { username: username.into(), password: password.into() })?;
    request(Method::POST, "/auth/login", body).await
}

pub async fn logout() -> Result<(), ApiError> {
    request(Method::POST, "/auth/logout", Body::None).await
}

pub async fn me() -> Result<Me, ApiError> {
    request(Method::GET, "/auth/me", Body::None).await
}

pub async fn change_password(current: &str, new: &str) -> Result<(), ApiError> {
    let body = Body::json(&ChangePasswordRequest { current_password: current.into(), new_password: new.into() })?;
    request(Method::POST, "/auth/password", body).await
}
