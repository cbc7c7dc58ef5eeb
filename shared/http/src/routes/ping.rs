//! Ping URLs: `GET|POST /ping/{token}` (success), `/ping/{token}/fail`,
//! `/ping/{token}/start`. No session; the token is the credential; an
//! unknown token is a plain 404. Each token may ping [`PER_MINUTE`] times a
//! minute per server process (a flood gets 429 with `Retry-After`; what was
//! accepted is kept). Also: creating a ping job and renewing its token.

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};
use std::time::{Duration, Instant};

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bc_api_types::{ErrorBody, Job, NewPingJob};
use bc_core::schedules::ping::{PingKind, PingOutcome};

use crate::AppState;
use crate::error::{ApiResult, error_response};
use crate::extract::{Auth, JsonBody};

/// Pings per token per minute (per process).
pub const PER_MINUTE: u32 = 30;
const WINDOW: Duration = Duration::from_secs(60);
/// Tokens tracked at most; beyond, finished windows are dropped first.
const TRACKED: usize = 10_000;

static WINDOWS: LazyLock<Mutex<HashMap<String, (Instant, u32)>>> = LazyLock::new(|| Mutex::new(HashMap::new()));

/// `Some(seconds to wait)` when the token used up its minute.
fn limited(token: &str) -> Option<u64> {
    let now = Instant::now();
    let mut w = WINDOWS.lock().unwrap_or_else(|p| p.into_inner());
    if w.len() >= TRACKED && !w.contains_key(token) {
        w.retain(|_, (start, _)| now.duration_since(*start) < WINDOW);
        if w.len() >= TRACKED {
            w.clear();
        }
    }
    let e = w.entry(token.to_string()).or_insert((now, 0));
    if now.duration_since(e.0) >= WINDOW {
        *e = (now, 0);
    }
    if e.1 >= PER_MINUTE {
        return Some((WINDOW - now.duration_since(e.0)).as_secs().max(1));
    }
    e.1 += 1;
    None
}

async fn ping(s: AppState, token: String, kind: PingKind, body: Bytes) -> Response {
    if let Some(wait) = limited(&token) {
        let mut r = error_response(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            format!("at most {PER_MINUTE} pings a minute per URL"),
        );
        if let Ok(v) = HeaderValue::from_str(&wait.to_string()) {
            r.headers_mut().insert(header::RETRY_AFTER, v);
        }
        return r;
    }
    match s.app.ping(&token, kind, &body).await {
        Ok(PingOutcome::Run { run_id }) => (StatusCode::OK, format!("OK {run_id}\n")).into_response(),
        Ok(PingOutcome::Started) => (StatusCode::OK, "OK started\n").into_response(),
        Err(bc_core::Error::NotFound(_)) => error_response(StatusCode::NOT_FOUND, "not_found", "not found".into()),
        Err(e) => crate::error::ApiError::from(e).into_response(),
    }
}

#[utoipa::path(post, path = "/ping/{token}", tag = "ping", params(("token" = String, Path)),
    request_body(content = String, description = "up to 10 KB kept as the run's message", content_type = "text/plain"),
    responses((status = 200, description = "a successful run was recorded"), (status = 404, body = ErrorBody),
              (status = 429, body = ErrorBody)))]
pub(crate) async fn success(State(s): State<AppState>, Path(token): Path<String>, body: Bytes) -> Response {
    ping(s, token, PingKind::Success, body).await
}

#[utoipa::path(get, path = "/ping/{token}", tag = "ping", params(("token" = String, Path)),
    responses((status = 200, description = "a successful run was recorded"), (status = 404, body = ErrorBody),
              (status = 429, body = ErrorBody)))]
pub(crate) async fn success_get(State(s): State<AppState>, Path(token): Path<String>) -> Response {
    ping(s, token, PingKind::Success, Bytes::new()).await
}

#[utoipa::path(post, path = "/ping/{token}/fail", tag = "ping", params(("token" = String, Path)),
    request_body(content = String, description = "up to 10 KB kept as the run's message", content_type = "text/plain"),
    responses((status = 200, description = "a failed run was recorded"), (status = 404, body = ErrorBody),
              (status = 429, body = ErrorBody)))]
pub(crate) async fn fail(State(s): State<AppState>, Path(token): Path<String>, body: Bytes) -> Response {
    ping(s, token, PingKind::Fail, body).await
}

#[utoipa::path(get, path = "/ping/{token}/fail", tag = "ping", params(("token" = String, Path)),
    responses((status = 200, description = "a failed run was recorded"), (status = 404, body = ErrorBody),
              (status = 429, body = ErrorBody)))]
pub(crate) async fn fail_get(State(s): State<AppState>, Path(token): Path<String>) -> Response {
    ping(s, token, PingKind::Fail, Bytes::new()).await
}

#[utoipa::path(post, path = "/ping/{token}/start", tag = "ping", params(("token" = String, Path)),
    responses((status = 200, description = "the start is noted: the next result has a duration"),
              (status = 404, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub(crate) async fn start(State(s): State<AppState>, Path(token): Path<String>) -> Response {
    ping(s, token, PingKind::Start, Bytes::new()).await
}

#[utoipa::path(get, path = "/ping/{token}/start", tag = "ping", params(("token" = String, Path)),
    responses((status = 200, description = "the start is noted"), (status = 404, body = ErrorBody),
              (status = 429, body = ErrorBody)))]
pub(crate) async fn start_get(State(s): State<AppState>, Path(token): Path<String>) -> Response {
    ping(s, token, PingKind::Start, Bytes::new()).await
}

#[utoipa::path(post, path = "/api/v1/jobs/ping", tag = "jobs", request_body = NewPingJob,
    responses((status = 201, body = Job, description = "the job with its ping URL"), (status = 400, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub(crate) async fn create_job(
    State(s): State<AppState>,
    Auth(a): Auth,
    JsonBody(body): JsonBody<NewPingJob>,
) -> ApiResult<(StatusCode, Json<Job>)> {
    Ok((StatusCode::CREATED, Json(s.app.create_ping_job(&a, &body).await?)))
}

#[utoipa::path(post, path = "/api/v1/jobs/{id}/ping-token", tag = "jobs", params(("id" = String, Path)),
    responses((status = 200, body = Job, description = "a new ping URL; the old one stops working"),
              (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn regenerate(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Job>> {
    Ok(Json(s.app.regenerate_ping_token(&a, &id).await?))
}
