//! Run Checks, one run's detail, review and unreview, a job's run history.

use bc_api_types::{ReviewRequest, ReviewResponse, RunChecks, RunDetail, RunPage};
use chrono::{DateTime, Utc};
use gloo_net::http::Method;

use super::{ApiError, Body, query, request, seg};

/// The filters of Run Checks; empty fields do not filter.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunChecksFilter {
    pub customer_id: String,
    /// The job's worst unreviewed status: `Success`, `Warning` or `Failed`.
    pub status: String,
    /// Exact software name.
    pub software: String,
    /// Jobs per page; empty for the server's default (50).
    pub limit: String,
}

/// One page of Run Checks, worst first.
pub async fn run_checks(filter: &RunChecksFilter, cursor: Option<&str>) -> Result<RunChecks, ApiError> {
    let q = query(&[
        ("customer_id", Some(filter.customer_id.as_str())),
        ("status", Some(filter.status.as_str())),
        ("software", Some(filter.software.as_str())),
        ("limit", Some(filter.limit.as_str())),
        ("cursor", cursor),
    ]);
    request(Method::GET, &format!("/run-checks{q}"), Body::None).await
}

pub async fn run_detail(id: &str) -> Result<RunDetail, ApiError> {
    request(Method::GET, &format!("/runs/{}", seg(id)), Body::None).await
}

/// Marks the unreviewed runs of whole jobs that had arrived by `as_of` (the
/// `as_of` of the page the operator saw), and single runs, reviewed. Large
/// work answers with an operation to follow.
pub async fn review(
    job_ids: Vec<String>,
    run_ids: Vec<String>,
    as_of: Option<DateTime<Utc>>,
) -> Result<ReviewResponse, ApiError> {
    request(Method::POST, "/run-checks/review", Body::json(&ReviewRequest { job_ids, run_ids, as_of })?).await
}

/// Admins: unmark reviewed runs.
pub async fn unreview(run_ids: Vec<String>) -> Result<ReviewResponse, ApiError> {
    let body = Body::json(&ReviewRequest { job_ids: Vec::new(), run_ids, as_of: None })?;
    request(Method::POST, "/run-checks/unreview", body).await
}

pub async fn job_runs(job_id: &str, cursor: Option<&str>) -> Result<RunPage, ApiError> {
    let q = query(&[("cursor", cursor)]);
    request(Method::GET, &format!("/jobs/{}/runs{q}", seg(job_id)), Body::None).await
}
