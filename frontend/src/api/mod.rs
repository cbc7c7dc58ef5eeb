//! The one way to call `/api/v1`: [`request`] sends, maps the status to an
//! [`ApiError`] and decodes; the submodules hold one small async fn per
//! endpoint.

pub mod alerts;
pub mod api_tokens;
pub mod audit;
pub mod auth;
pub mod autotask;
pub mod backup;
pub mod backup_runs;
pub mod customers;
pub mod inbox;
pub mod jobs;
pub mod mails;
pub mod notes;
pub mod operations;
pub mod overrides;
pub mod platforms;
pub mod quarantine;
pub mod reports;
pub mod reviewed;
pub mod runs;
pub mod schedules;
pub mod settings;
pub mod tapes;
pub mod users;

use std::cell::RefCell;
use std::fmt;

use bc_api_types::ErrorBody;
use gloo_net::http::{Method, RequestBuilder};
use serde::Serialize;
use serde::de::DeserializeOwned;
use yew::Callback;

/// Why a call failed, in the terms the UI shows.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// 401: no session, or it expired.
    Unauthorized,
    /// 403: the role lacks the right; the server's message says which.
    Forbidden(String),
    /// 404: unknown id.
    NotFound(String),
    /// Other 4xx: invalid input, conflict, too large, rate limited.
    Rejected { status: u16, message: String },
    /// 5xx.
    Server { status: u16, message: String },
    /// No answer at all (offline, server down).
    Network(String),
    /// An answer we could not read.
    Decode(String),
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ApiError::Unauthorized => f.write_str("Your session has ended; please sign in again."),
            ApiError::Forbidden(m) => write!(f, "Not allowed: {m}"),
            ApiError::NotFound(m) => write!(f, "Not found: {m}"),
            ApiError::Rejected { message, .. } => f.write_str(message),
            ApiError::Server { status, message } => write!(f, "Server error ({status}): {message}"),
            ApiError::Network(m) => write!(f, "The server could not be reached: {m}"),
            ApiError::Decode(m) => write!(f, "Unexpected answer from the server: {m}"),
        }
    }
}

/// What a request carries.
pub enum Body {
    None,
    Json(String),
    Csv(String),
    /// A raw mail (`message/rfc822`), as read from a file.
    Mail(Vec<u8>),
}

impl Body {
    pub fn json<T: Serialize>(value: &T) -> Result<Body, ApiError> {
        serde_json::to_string(value).map(Body::Json).map_err(|e| ApiError::Decode(e.to_string()))
    }
}

thread_local! {
    /// Told about every 401 outside the login call, so the app can show the
    /// sign-in page instead of a dozen error boxes.
    static ON_UNAUTHORIZED: RefCell<Option<Callback<()>>> = const { RefCell::new(None) };
}

pub fn on_unauthorized(cb: Callback<()>) {
    ON_UNAUTHORIZED.with(|c| *c.borrow_mut() = Some(cb));
}

/// Base of every endpoint.
pub const BASE: &str = "/api/v1";

/// Sends one request and returns the body text of a 2xx answer.
pub async fn request_text(method: Method, path: &str, body: Body) -> Result<String, ApiError> {
    let url = format!("{BASE}{path}");
    let builder = RequestBuilder::new(&url).method(method).header("Accept", "application/json");
    let req = match body {
        Body::None => builder.build(),
        Body::Json(s) => builder.header("Content-Type", "application/json").body(s),
        Body::Csv(s) => builder.header("Content-Type", "text/csv").body(s),
        Body::Mail(bytes) => {
            builder.header("Content-Type", "message/rfc822").body(js_sys::Uint8Array::from(bytes.as_slice()))
        }
    }
    .map_err(|e| ApiError::Network(e.to_string()))?;
    let resp = req.send().await.map_err(|e| ApiError::Network(e.to_string()))?;
    let status = resp.status();
    let text = resp.text().await.map_err(|e| ApiError::Network(e.to_string()))?;
    if (200..300).contains(&status) {
        return Ok(text);
    }
    let message = serde_json::from_str::<ErrorBody>(&text)
        .map(|b| b.error.message)
        .unwrap_or_else(|_| if text.trim().is_empty() { format!("HTTP {status}") } else { text.clone() });
    let err = match status {
        401 => ApiError::Unauthorized,
        403 => ApiError::Forbidden(message),
        404 => ApiError::NotFound(message),
        400..=499 => ApiError::Rejected { status, message },
        _ => ApiError::Server { status, message },
    };
    // A wrong password or code answers 401 too; that is no lost session.
    let sign_in_step = path.starts_with("/auth/login") || path == "/auth/two-factor/confirm";
    if err == ApiError::Unauthorized && !sign_in_step && path != "/auth/me" {
        ON_UNAUTHORIZED.with(|c| {
            if let Some(cb) = c.borrow().as_ref() {
                cb.emit(());
            }
        });
    }
    Err(err)
}

/// Sends one request and decodes its JSON answer; an empty answer (204)
/// decodes as `null`, so `T = ()` fits.
pub async fn request<T: DeserializeOwned>(method: Method, path: &str, body: Body) -> Result<T, ApiError> {
    let text = request_text(method, path, body).await?;
    let text = if text.trim().is_empty() { "null" } else { text.as_str() };
    serde_json::from_str(text).map_err(|e| ApiError::Decode(e.to_string()))
}

/// `?a=1&b=2` from pairs, leaving out empty values.
pub fn query(pairs: &[(&str, Option<&str>)]) -> String {
    let parts: Vec<String> = pairs
        .iter()
        .filter_map(|(k, v)| v.filter(|v| !v.is_empty()).map(|v| format!("{k}={}", urlencoding::encode(v))))
        .collect();
    if parts.is_empty() { String::new() } else { format!("?{}", parts.join("&")) }
}

/// A path segment from an id the server handed out.
pub fn seg(id: &str) -> String {
    urlencoding::encode(id).into_owned()
}
