//! Login (with its second step), logout, the current user, changing one's
//! own password, and one's own two-factor sign-in.

use axum::Json;
use axum::extract::State;
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use bc_api_types::{
    ChangePasswordRequest, DisableTwoFactorRequest, ErrorBody, LoginRequest, Me, RecoveryCodes, TwoFactorChallenge,
    TwoFactorCodeRequest, TwoFactorEnrolment, TwoFactorStatus,
};
use bc_core::auth::two_factor::PENDING_MINUTES;
use bc_core::auth::{LoginOutcome, NewSession, SESSION_HOURS, Subject};

use crate::AppState;
use crate::error::ApiResult;
use crate::extract::{Auth, ClientAddr, JsonBody, PENDING_COOKIE, SESSION_COOKIE, pending_token, session_token};

fn cookie(value: &str, max_age: i64, secure: bool) -> HeaderValue {
    named_cookie(SESSION_COOKIE, value, max_age, secure)
}

fn named_cookie(name: &str, value: &str, max_age: i64, secure: bool) -> HeaderValue {
    let s = format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}{}",
        if secure { "; Secure" } else { "" }
    );
    HeaderValue::from_str(&s).unwrap_or_else(|_| HeaderValue::from_static("bc_session=; Path=/; Max-Age=0"))
}

/// `Me` with the session cookie set and the pending cookie cleared.
fn signed_in(s: &AppState, new: &NewSession) -> Response {
    let me = s.app.me(&bc_core::Actor::of(&new.user));
    let mut resp = Json(me).into_response();
    resp.headers_mut().append(SET_COOKIE, cookie(&new.token, SESSION_HOURS * 3600, s.opts.cookie_secure));
    resp.headers_mut().append(SET_COOKIE, named_cookie(PENDING_COOKIE, "", 0, s.opts.cookie_secure));
    resp
}

#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = Me, description = "Signed in; sets the `bc_session` cookie"),
              (status = 202, body = TwoFactorChallenge,
               description = "Password right, a second step is due; sets the short-lived `bc_pending` cookie"),
              (status = 401, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub(crate) async fn login(
    State(s): State<AppState>,
    ClientAddr(client): ClientAddr,
    JsonBody(req): JsonBody<LoginRequest>,
) -> ApiResult<Response> {
    Ok(match s.app.login(&req.username, &req.password, &client).await? {
        LoginOutcome::Session(new) => signed_in(&s, &new),
        LoginOutcome::SecondStep { pending_token, step } => {
            let mut resp = (StatusCode::ACCEPTED, Json(TwoFactorChallenge { step })).into_response();
            let c = named_cookie(PENDING_COOKIE, &pending_token, PENDING_MINUTES * 60, s.opts.cookie_secure);
            resp.headers_mut().insert(SET_COOKIE, c);
            resp
        }
    })
}

#[utoipa::path(post, path = "/api/v1/auth/login/code", tag = "auth", request_body = TwoFactorCodeRequest,
    responses((status = 200, body = Me, description = "Signed in; sets the `bc_session` cookie"),
              (status = 401, body = ErrorBody, description = "Wrong or used code, or no pending sign-in"),
              (status = 429, body = ErrorBody)))]
pub(crate) async fn login_code(
    State(s): State<AppState>,
    headers: HeaderMap,
    ClientAddr(client): ClientAddr,
    JsonBody(req): JsonBody<TwoFactorCodeRequest>,
) -> ApiResult<Response> {
    let pending = pending_token(&headers).ok_or(bc_core::Error::Unauthorized)?;
    let new = s.app.login_with_code(&pending, &req.code, &client).await?;
    Ok(signed_in(&s, &new))
}

/// The session's actor, else the pending sign-in (enrolment during login).
async fn subject_tokens(s: &AppState, headers: &HeaderMap) -> ApiResult<(Option<bc_core::Actor>, Option<String>)> {
    if let Some(t) = session_token(headers)
        && let Ok(actor) = s.app.authenticate(&t).await
    {
        return Ok((Some(actor), None));
    }
    Ok((None, Some(pending_token(headers).ok_or(bc_core::Error::Unauthorized)?)))
}

fn subject<'a>(actor: &'a Option<bc_core::Actor>, pending: &'a Option<String>) -> Subject<'a> {
    match (actor, pending) {
        (Some(a), _) => Subject::Session(a),
        (None, Some(p)) => Subject::Pending(p),
        (None, None) => Subject::Pending(""),
    }
}

#[utoipa::path(get, path = "/api/v1/auth/two-factor", tag = "auth",
    responses((status = 200, body = TwoFactorStatus), (status = 401, body = ErrorBody)))]
pub(crate) async fn two_factor_status(
    State(s): State<AppState>,
    Auth(actor): Auth,
) -> ApiResult<Json<TwoFactorStatus>> {
    Ok(Json(s.app.two_factor_status(&actor).await?))
}

#[utoipa::path(post, path = "/api/v1/auth/two-factor/enrol", tag = "auth",
    responses((status = 200, body = TwoFactorEnrolment, description = "A new secret, shown this once"),
              (status = 401, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub(crate) async fn two_factor_enrol(
    State(s): State<AppState>,
    headers: HeaderMap,
) -> ApiResult<Json<TwoFactorEnrolment>> {
    let (actor, pending) = subject_tokens(&s, &headers).await?;
    Ok(Json(s.app.begin_two_factor(subject(&actor, &pending)).await?))
}

#[utoipa::path(post, path = "/api/v1/auth/two-factor/confirm", tag = "auth", request_body = TwoFactorCodeRequest,
    responses((status = 200, body = RecoveryCodes,
               description = "On, with recovery codes shown once; during sign-in also sets the `bc_session` cookie"),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub(crate) async fn two_factor_confirm(
    State(s): State<AppState>,
    headers: HeaderMap,
    ClientAddr(client): ClientAddr,
    JsonBody(req): JsonBody<TwoFactorCodeRequest>,
) -> ApiResult<Response> {
    let (actor, pending) = subject_tokens(&s, &headers).await?;
    let (codes, session) = s.app.confirm_two_factor(subject(&actor, &pending), &req.code, &client).await?;
    let mut resp = Json(codes).into_response();
    if let Some(new) = session {
        resp.headers_mut().append(SET_COOKIE, cookie(&new.token, SESSION_HOURS * 3600, s.opts.cookie_secure));
        resp.headers_mut().append(SET_COOKIE, named_cookie(PENDING_COOKIE, "", 0, s.opts.cookie_secure));
    }
    Ok(resp)
}

#[utoipa::path(post, path = "/api/v1/auth/two-factor/disable", tag = "auth", request_body = DisableTwoFactorRequest,
    responses((status = 204, description = "Off"), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub(crate) async fn two_factor_disable(
    State(s): State<AppState>,
    Auth(actor): Auth,
    ClientAddr(client): ClientAddr,
    JsonBody(req): JsonBody<DisableTwoFactorRequest>,
) -> ApiResult<StatusCode> {
    s.app.disable_two_factor(&actor, &req.password, &req.code, &client).await?;
    Ok(StatusCode::NO_CONTENT)
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
