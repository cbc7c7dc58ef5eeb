//! Jobs: the filtered list and one job.

use bc_api_types::{ConfirmJob, Job, JobChange, JobPage, MergeJob, MoveJob, RenameJob};
use gloo_net::http::Method;

use super::{ApiError, Body, query, request, seg};

/// The filters of the Jobs list; empty fields do not filter.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct JobFilter {
    pub customer_id: String,
    pub software: String,
    pub status: String,
    pub q: String,
    pub archived: String,
}

pub async fn page(filter: &JobFilter, cursor: Option<&str>) -> Result<JobPage, ApiError> {
    let q = query(&[
        ("customer_id", Some(filter.customer_id.as_str())),
        ("software", Some(filter.software.as_str())),
        ("status", Some(filter.status.as_str())),
        ("q", Some(filter.q.as_str())),
        ("archived", Some(filter.archived.as_str())),
        ("cursor", cursor),
    ]);
    request(Method::GET, &format!("/jobs{q}"), Body::None).await
}

pub async fn get(id: &str) -> Result<Job, ApiError> {
    request(Method::GET, &format!("/jobs/{}", seg(id)), Body::None).await
}

pub async fn rename(id: &str, name: String) -> Result<JobChange, ApiError> {
    request(Method::POST, &format!("/jobs/{}/rename", seg(id)), Body::json(&RenameJob { name })?).await
}

pub async fn move_to(id: &str, customer_id: String) -> Result<JobChange, ApiError> {
    request(Method::POST, &format!("/jobs/{}/move", seg(id)), Body::json(&MoveJob { customer_id })?).await
}

pub async fn set_archived(id: &str, archived: bool) -> Result<JobChange, ApiError> {
    let what = if archived { "archive" } else { "unarchive" };
    request(Method::POST, &format!("/jobs/{}/{what}", seg(id)), Body::None).await
}

pub async fn merge(keep_id: &str, from_job_id: String) -> Result<JobChange, ApiError> {
    request(Method::POST, &format!("/jobs/{}/merge", seg(keep_id)), Body::json(&MergeJob { from_job_id })?).await
}

/// `unapprove` or `delete`, confirmed by the job's name.
pub async fn remove(id: &str, unapprove: bool, confirm: String) -> Result<JobChange, ApiError> {
    let what = if unapprove { "unapprove" } else { "delete" };
    request(Method::POST, &format!("/jobs/{}/{what}", seg(id)), Body::json(&ConfirmJob { confirm })?).await
}
