//! Jobs: the filtered list and one job.

use bc_api_types::{Job, JobPage};
use gloo_net::http::Method;

use super::{ApiError, Body, query, request, seg};

/// The filters of the Jobs list; empty fields do not filter.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct JobFilter {
    pub customer_id: String,
    pub software: String,
    pub status: String,
    pub q: String,
}

pub async fn page(filter: &JobFilter, cursor: Option<&str>) -> Result<JobPage, ApiError> {
    let q = query(&[
        ("customer_id", Some(filter.customer_id.as_str())),
        ("software", Some(filter.software.as_str())),
        ("status", Some(filter.status.as_str())),
        ("q", Some(filter.q.as_str())),
        ("cursor", cursor),
    ]);
    request(Method::GET, &format!("/jobs{q}"), Body::None).await
}

pub async fn get(id: &str) -> Result<Job, ApiError> {
    request(Method::GET, &format!("/jobs/{}", seg(id)), Body::None).await
}
