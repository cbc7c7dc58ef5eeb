//! The admin's Reviewed view and review statistics.

use bc_api_types::{ReviewStats, ReviewedPage};
use gloo_net::http::Method;

use super::{ApiError, Body, query, request};

/// The filters; empty fields do not filter.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReviewedFilter {
    /// RFC 3339 instants: reviewed at or after `from`, before `until`.
    pub from: String,
    pub until: String,
    pub reviewer: String,
    pub customer_id: String,
    pub status: String,
}

pub async fn page(f: &ReviewedFilter, cursor: Option<&str>) -> Result<ReviewedPage, ApiError> {
    let q = query(&[
        ("from", Some(f.from.as_str())),
        ("until", Some(f.until.as_str())),
        ("reviewer", Some(f.reviewer.as_str())),
        ("customer_id", Some(f.customer_id.as_str())),
        ("status", Some(f.status.as_str())),
        ("cursor", cursor),
    ]);
    request(Method::GET, &format!("/reviewed{q}"), Body::None).await
}

pub async fn stats(days: u32) -> Result<ReviewStats, ApiError> {
    request(Method::GET, &format!("/reviewed/stats?days={days}"), Body::None).await
}
