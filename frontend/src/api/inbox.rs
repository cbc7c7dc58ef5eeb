//! The Inbox and mails: pages, detail, approve, delete, restore, re-parse,
//! and the mail bodies.

use bc_api_types::{ApproveRequest, ApproveResponse, InboxPage, MailDetail, ReparseRequest, ReparseResponse};
use gloo_net::http::Method;

use super::{ApiError, BASE, Body, query, request, request_text, seg};

pub async fn page(cursor: Option<&str>) -> Result<InboxPage, ApiError> {
    request(Method::GET, &format!("/inbox{}", query(&[("cursor", cursor)])), Body::None).await
}

/// Admins: soft-deleted mails.
pub async fn deleted_page(cursor: Option<&str>) -> Result<InboxPage, ApiError> {
    request(Method::GET, &format!("/inbox/deleted{}", query(&[("cursor", cursor)])), Body::None).await
}

pub async fn detail(id: &str) -> Result<MailDetail, ApiError> {
    request(Method::GET, &format!("/inbox/{}", seg(id)), Body::None).await
}

pub async fn approve(id: &str, customer_id: &str) -> Result<ApproveResponse, ApiError> {
    let body = Body::json(&ApproveRequest { customer_id: customer_id.into() })?;
    request(Method::POST, &format!("/inbox/{}/approve", seg(id)), body).await
}

pub async fn delete(id: &str) -> Result<(), ApiError> {
    request(Method::DELETE, &format!("/inbox/{}", seg(id)), Body::None).await
}

pub async fn restore(id: &str) -> Result<(), ApiError> {
    request(Method::POST, &format!("/inbox/{}/restore", seg(id)), Body::None).await
}

/// Re-parses the given mails, or every Inbox mail when `all`.
pub async fn reparse(mail_ids: Vec<String>, all: bool) -> Result<ReparseResponse, ApiError> {
    request(Method::POST, "/inbox/reparse", Body::json(&ReparseRequest { mail_ids, all })?).await
}

/// The text body of any mail the user may see.
pub async fn mail_text(id: &str) -> Result<String, ApiError> {
    request_text(Method::GET, &format!("/mails/{}/text", seg(id)), Body::None).await
}

/// Where the sandboxed HTML body is served (for an iframe).
pub fn mail_html_url(id: &str) -> String {
    format!("{BASE}/mails/{}/html", seg(id))
}

/// Where the raw .eml downloads from.
pub fn mail_raw_url(id: &str) -> String {
    format!("{BASE}/mails/{}/raw", seg(id))
}
