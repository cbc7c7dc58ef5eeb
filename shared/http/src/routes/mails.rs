//! Mails: upload (`message/rfc822`), detail, raw .eml download, and the
//! bodies. The HTML body is served under a CSP sandbox so nothing in a
//! report mail can run script or load remote content.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use bc_api_types::{ErrorBody, IngestResponse, MailDetail};

use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::Auth;

#[utoipa::path(post, path = "/api/v1/mails", tag = "mails",
    request_body(content = Vec<u8>, content_type = "message/rfc822", description = "The raw .eml"),
    responses((status = 200, body = IngestResponse), (status = 400, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 413, body = ErrorBody)))]
pub(crate) async fn upload(
    State(s): State<AppState>,
    Auth(a): Auth,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<IngestResponse>> {
    let ct = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    if !ct.split(';').next().is_some_and(|m| m.trim().eq_ignore_ascii_case("message/rfc822")) {
        return Err(ApiError::invalid("send the mail as Content-Type: message/rfc822"));
    }
    if body.is_empty() {
        return Err(ApiError::invalid("the mail is empty"));
    }
    let out = s.app.upload_mail(&a, body.to_vec()).await?;
    Ok(Json(IngestResponse {
        mail_id: out.mail.id.clone(),
        state: out.mail.state,
        duplicate: out.duplicate,
        parsed: out.mail.parse.ok,
        job_id: out.mail.job_id.clone(),
        run_id: out.mail.run_id.clone(),
    }))
}

#[utoipa::path(get, path = "/api/v1/mails/{id}", tag = "mails", params(("id" = String, Path)),
    responses((status = 200, body = MailDetail), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn detail(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<MailDetail>> {
    Ok(Json(s.app.mail_detail(&a, &id).await?))
}

#[utoipa::path(get, path = "/api/v1/mails/{id}/raw", tag = "mails", params(("id" = String, Path)),
    responses((status = 200, content_type = "message/rfc822", description = "The raw .eml as received"),
              (status = 404, body = ErrorBody)))]
pub(crate) async fn raw(State(s): State<AppState>, Auth(a): Auth, Path(id): Path<String>) -> ApiResult<Response> {
    let (bytes, name) = s.app.mail_raw(&a, &id).await?;
    let mut resp = bytes.into_response();
    let h = resp.headers_mut();
    h.insert(CONTENT_TYPE, HeaderValue::from_static("message/rfc822"));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        h.insert(CONTENT_DISPOSITION, v);
    }
    Ok(resp)
}

/// Report HTML may hold anything; the browser gets it sandboxed: no script,
/// no forms, no remote loads, only inline styles and data: images.
const MAIL_HTML_CSP: &str =
    "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; frame-ancestors 'self'";

#[utoipa::path(get, path = "/api/v1/mails/{id}/html", tag = "mails", params(("id" = String, Path)),
    responses((status = 200, content_type = "text/html", description = "The HTML body, under a sandboxing CSP"),
              (status = 404, body = ErrorBody)))]
pub(crate) async fn html(State(s): State<AppState>, Auth(a): Auth, Path(id): Path<String>) -> ApiResult<Response> {
    let body = s.app.mail_body(&a, &id, true).await?.ok_or(ApiError(bc_core::Error::NotFound("HTML body")))?;
    let mut resp = body.into_response();
    let h = resp.headers_mut();
    h.insert(CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    h.insert("content-security-policy", HeaderValue::from_static(MAIL_HTML_CSP));
    h.insert("x-content-type-options", HeaderValue::from_static("nosniff"));
    h.insert("referrer-policy", HeaderValue::from_static("no-referrer"));
    Ok(resp)
}

#[utoipa::path(get, path = "/api/v1/mails/{id}/text", tag = "mails", params(("id" = String, Path)),
    responses((status = 200, content_type = "text/plain", description = "The text body"), (status = 404, body = ErrorBody)))]
pub(crate) async fn text(State(s): State<AppState>, Auth(a): Auth, Path(id): Path<String>) -> ApiResult<Response> {
    let body = s.app.mail_body(&a, &id, false).await?.ok_or(ApiError(bc_core::Error::NotFound("text body")))?;
    let mut resp = body.into_response();
    resp.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
    resp.headers_mut().insert("x-content-type-options", HeaderValue::from_static("nosniff"));
    Ok(resp)
}
