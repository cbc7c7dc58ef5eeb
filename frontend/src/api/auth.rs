//! Sign in (with its second step), sign out, who am I, change my password,
//! my two-factor sign-in.

use bc_api_types::{
    ChangePasswordRequest, DisableTwoFactorRequest, LoginRequest, Me, RecoveryCodes, TwoFactorChallenge,
    TwoFactorCodeRequest, TwoFactorEnrolment, TwoFactorStatus,
};
use gloo_net::http::Method;
use serde::Deserialize;

use super::{ApiError, Body, request};

/// What the password step answers: signed in (200), or a second step due (202).
#[derive(Deserialize)]
#[serde(untagged)]
pub enum LoginReply {
    // The page reloads the whole session (settings too) after signing in.
    SignedIn(#[allow(dead_code)] Me),
    SecondStep(TwoFactorChallenge),
}

pub async fn login(username: &str, password: &str) -> Result<LoginReply, ApiError> {
    let body = Body::json(&LoginRequest { username: username.into(), password: password.into() })?;
    request(Method::POST, "/auth/login", body).await
}

pub async fn login_code(code: &str) -> Result<Me, ApiError> {
    let body = Body::json(&TwoFactorCodeRequest { code: code.trim().into() })?;
    request(Method::POST, "/auth/login/code", body).await
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

pub async fn two_factor() -> Result<TwoFactorStatus, ApiError> {
    request(Method::GET, "/auth/two-factor", Body::None).await
}

pub async fn enrol_two_factor() -> Result<TwoFactorEnrolment, ApiError> {
    request(Method::POST, "/auth/two-factor/enrol", Body::None).await
}

pub async fn confirm_two_factor(code: &str) -> Result<RecoveryCodes, ApiError> {
    let body = Body::json(&TwoFactorCodeRequest { code: code.trim().into() })?;
    request(Method::POST, "/auth/two-factor/confirm", body).await
}

pub async fn disable_two_factor(password: &str, code: &str) -> Result<(), ApiError> {
    let body = Body::json(&DisableTwoFactorRequest { password: password.into(), code: code.trim().into() })?;
    request(Method::POST, "/auth/two-factor/disable", body).await
}
