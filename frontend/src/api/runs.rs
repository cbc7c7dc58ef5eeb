//! Run Checks, one run's detail, review and unreview, a job's run history.

use bc_api_types::{ReviewRequest, ReviewResponse, RunChecks, RunDetail, RunPage};
use gloo_net::http::Method;

use super::{query, request, seg, ApiError, Body};

pub async fn run_checks() -> Result<RunChecks, ApiError> {
    request(Method::GET, "/run-checks", Body::None).await
}

pub async fn run_detail(id: &str) -> Result<RunDetail, ApiError> {
    request(Method::GET, &format!("/runs/{}", seg(id)), Body::None).await
}

/// Marks every unreviewed run of the jobs, and the single runs, reviewed.
pub async fn review(job_ids: Vec<String>, run_ids: Vec<String>) -> Result<ReviewResponse, ApiError> {
    request(Method::POST, "/run-checks/review", Body::json(&ReviewRequest { job_ids, run_ids })?).await
}

/// Admins: unmark reviewed runs.
pub async fn unreview(run_ids: Vec<String>) -> Result<ReviewResponse, ApiError> {
    let body = Body::json(&ReviewRequest { job_ids: Vec::new(), run_ids })?;
    request(Method::POST, "/run-checks/unreview", body).await
}

pub async fn job_runs(job_id: &str, cursor: Option<&str>) -> Result<RunPage, ApiError> {
    let q = query(&[("cursor", cursor)]);
    request(Method::GET, &format!("/jobs/{}/runs{q}", seg(job_id)), Body::None).await
}
