//! Login, logout, the current user, and changing one's own password.

use axum::Json;
use axum::extract::State;
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use bc_api_types::{ChangePasswordRequest, ErrorBody, LoginRequest, Me};
use bc_core::auth::SESSION_HOURS;

use crate::AppState;
use crate::error::ApiResult;
use crate::extract::{Auth, ClientAddr, JsonBody, SESSION_COOKIE, session_token};

fn cookie(value: &str, max_age: i64, secure: bool) -> HeaderValue {
    let s = format!(
        "{SESSION_COOKIE}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}{}",
        if secure { "; Secure" } else { "" }
    );
    HeaderValue::from_str(&s).unwrap_or_else(|_| HeaderValue::from_static("bc_session=; Path=/; Max-Age=0"))
}

#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = Me, description = "Signed in; sets the `bc_session` cookie"),
              (status = 401, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub(crate) async fn login(
    State(s): State<AppState>,
    ClientAddr(client): ClientAddr,
    JsonBody(req): JsonBody<LoginRequest>,
) -> ApiResult<Response> {
    let new = s.app.login(&req.username, &req.password, &client).await?;
    let me = s.app.me(&bc_core::Actor::of(&new.user));
    let mut resp = Json(me).into_response();
    resp.headers_mut().insert(SET_COOKIE, cookie(&new.token, SESSION_HOURS * 3600, s.opts.cookie_secure));
    Ok(resp)
}

#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth",
    responses((status = 204, description = "Signed out; clears the cookie")))]
pub(crate) async fn logout(State(s): State<AppState>, headers: HeaderMap) -> ApiResult<Response> {
    if let Some(token) = session_token(&headers) {
        s.app.logout(&token).await?;
    }
    let mut resp = StatusCode::NO_CONTENT.into_response();
    resp.headers_mut().insert(SET_COOKIE, cookie("", 0, s.opts.cookie_secure));
    Ok(resp)
}

#[utoipa::path(get, path = "/api/v1/auth/me", tag = "auth",
    responses((status = 200, body = Me), (status = 401, body = ErrorBody)))]
pub(crate) async fn me(State(s): State<AppState>, Auth(actor): Auth) -> Json<Me> {
    Json(s.app.me(&actor))
}

#[utoipa::path(post, path = "/api/v1/auth/password", tag = "auth", request_body = ChangePasswordRequest,
    responses((status = 204, description = "Changed; every other session ends, this one gets a new cookie"),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub(crate) async fn change_password(
    State(s): State<AppState>,
    Auth(actor): Auth,
    JsonBody(req): JsonBody<ChangePasswordRequest>,
) -> ApiResult<Response> {
    let new = s.app.change_own_password(&actor, &req.current_password, &req.new_password).await?;
    let mut resp = StatusCode::NO_CONTENT.into_response();
    resp.headers_mut().insert(SET_COOKIE, cookie(&new.token, SESSION_HOURS * 3600, s.opts.cookie_secure));
    Ok(resp)
}
