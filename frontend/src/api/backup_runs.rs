//! Native backups as operators see them (issue 15): runs of a native job,
//! retry and run-now, restore points with browse, search and restores,
//! storage checks, protected objects and the dashboard's queues.

use bc_api_types::{
    AgentJob, AgentJobPage, BmrBody, BrowseBody, DashboardSummary, Dispatched, FailedBackup, FileRestoreBody,
    ImageRestoreBody, ManagedHost, ProtectedObjectBody, ProtectedObjectPage, ProtectedObjectView, RestorePoint,
    RestorePointPage, SearchBody, StorageAlertRow,
};
use gloo_net::http::Method;

use super::{ApiError, Body, query, request, seg};

pub async fn summary() -> Result<DashboardSummary, ApiError> {
    request(Method::GET, "/backup/dashboard/summary", Body::None).await
}

pub async fn failed() -> Result<Vec<FailedBackup>, ApiError> {
    request(Method::GET, "/backup/dashboard/failed", Body::None).await
}

pub async fn rpo_breaches() -> Result<Vec<ProtectedObjectView>, ApiError> {
    request(Method::GET, "/backup/dashboard/rpo-breaches", Body::None).await
}

pub async fn storage_alerts() -> Result<Vec<StorageAlertRow>, ApiError> {
    request(Method::GET, "/backup/dashboard/storage", Body::None).await
}

pub async fn verification_failures() -> Result<Vec<RestorePoint>, ApiError> {
    request(Method::GET, "/backup/dashboard/verification-failures", Body::None).await
}

/// Retries a native job (the core job's id).
pub async fn retry(job_id: &str) -> Result<Dispatched, ApiError> {
    request(Method::POST, &format!("/backup/jobs/{}/retry", seg(job_id)), Body::Json("{}".into())).await
}

pub async fn run_now(policy_id: &str) -> Result<Dispatched, ApiError> {
    request(Method::POST, &format!("/backup/policies/{}/run-now", seg(policy_id)), Body::Json("{}".into())).await
}

pub async fn job_runs(job_id: &str, cursor: Option<&str>) -> Result<AgentJobPage, ApiError> {
    let q = query(&[("cursor", cursor)]);
    request(Method::GET, &format!("/backup/jobs/{}/runs{q}", seg(job_id)), Body::None).await
}

pub async fn health_check(target_id: &str) -> Result<AgentJob, ApiError> {
    request(Method::POST, &format!("/backup/storage/{}/health-check", seg(target_id)), Body::Json("{}".into())).await
}

pub async fn verify(target_id: &str) -> Result<AgentJob, ApiError> {
    request(Method::POST, &format!("/backup/storage/{}/verify", seg(target_id)), Body::Json("{}".into())).await
}

/// The restore points' filters; empty fields do not filter.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PointFilter {
    pub customer_id: String,
    pub host_id: String,
    pub policy_id: String,
    pub engine_id: String,
    pub chain_id: String,
    pub status: String,
    pub verification: String,
}

pub async fn restore_points(f: &PointFilter, cursor: Option<&str>) -> Result<RestorePointPage, ApiError> {
    let q = query(&[
        ("customer_id", Some(f.customer_id.as_str())),
        ("host_id", Some(f.host_id.as_str())),
        ("policy_id", Some(f.policy_id.as_str())),
        ("engine_id", Some(f.engine_id.as_str())),
        ("chain_id", Some(f.chain_id.as_str())),
        ("status", Some(f.status.as_str())),
        ("verification", Some(f.verification.as_str())),
        ("cursor", cursor),
    ]);
    request(Method::GET, &format!("/backup/restore-points{q}"), Body::None).await
}

pub async fn browse(point_id: &str, path: &str) -> Result<AgentJob, ApiError> {
    let body = BrowseBody { path: Some(path.to_string()) };
    request(Method::POST, &format!("/backup/restore-points/{}/browse", seg(point_id)), Body::json(&body)?).await
}

pub async fn search(point_id: &str, q: &str) -> Result<AgentJob, ApiError> {
    let body = SearchBody { query: q.to_string(), limit: None };
    request(Method::POST, &format!("/backup/restore-points/{}/search", seg(point_id)), Body::json(&body)?).await
}

pub async fn restore_files(point_id: &str, body: &FileRestoreBody) -> Result<AgentJob, ApiError> {
    request(Method::POST, &format!("/backup/restore-points/{}/restore-files", seg(point_id)), Body::json(body)?).await
}

pub async fn restore_image(point_id: &str, body: &ImageRestoreBody) -> Result<AgentJob, ApiError> {
    request(Method::POST, &format!("/backup/restore-points/{}/restore-image", seg(point_id)), Body::json(body)?).await
}

pub async fn bmr(point_id: &str, body: &BmrBody) -> Result<AgentJob, ApiError> {
    request(Method::POST, &format!("/backup/restore-points/{}/bmr", seg(point_id)), Body::json(body)?).await
}

pub async fn agent_job(id: &str) -> Result<AgentJob, ApiError> {
    request(Method::GET, &format!("/backup/agent-jobs/{}", seg(id)), Body::None).await
}

/// A customer's managed hosts (all when `customer` is empty).
pub async fn hosts(customer: &str) -> Result<Vec<ManagedHost>, ApiError> {
    let q = query(&[("customer", Some(customer))]);
    request(Method::GET, &format!("/backup/hosts{q}"), Body::None).await
}

/// The protected objects' filters; empty fields do not filter.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ObjectFilter {
    pub customer_id: String,
    pub object_type: String,
    pub rpo_breach: String,
    pub source: String,
    pub host: String,
    pub last_status: String,
    pub q: String,
}

pub async fn objects(f: &ObjectFilter, cursor: Option<&str>) -> Result<ProtectedObjectPage, ApiError> {
    let q = query(&[
        ("customer_id", Some(f.customer_id.as_str())),
        ("object_type", Some(f.object_type.as_str())),
        ("rpo_breach", Some(f.rpo_breach.as_str())),
        ("source", Some(f.source.as_str())),
        ("host", Some(f.host.as_str())),
        ("last_status", Some(f.last_status.as_str())),
        ("q", Some(f.q.as_str())),
        ("cursor", cursor),
    ]);
    request(Method::GET, &format!("/backup/objects{q}"), Body::None).await
}

pub async fn update_object(id: &str, rpo_hours: u32) -> Result<ProtectedObjectView, ApiError> {
    let body = ProtectedObjectBody { rpo_hours: Some(rpo_hours) };
    request(Method::PATCH, &format!("/backup/objects/{}", seg(id)), Body::json(&body)?).await
}

/// Asks for an agent job until it has ended (about once a second, at most
/// `max_secs`), and returns it as it ended, or as it stands then.
pub async fn wait_job(mut job: AgentJob, max_secs: u32) -> Result<AgentJob, ApiError> {
    let mut waited = 0;
    while !job.status.is_final() && waited < max_secs {
        gloo_timers::future::TimeoutFuture::new(1_000).await;
        waited += 1;
        job = agent_job(&job.id).await?;
    }
    Ok(job)
}

/// The Jobs list's filters for the Backup > Jobs page.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BackupJobFilter {
    pub source: String,
    pub status: String,
    pub job_type: String,
    pub customer_id: String,
    pub from: String,
    pub to: String,
    pub q: String,
}

pub async fn jobs(f: &BackupJobFilter, cursor: Option<&str>) -> Result<bc_api_types::JobPage, ApiError> {
    let q = query(&[
        ("source", Some(f.source.as_str())),
        ("status", Some(f.status.as_str())),
        ("job_type", Some(f.job_type.as_str())),
        ("customer_id", Some(f.customer_id.as_str())),
        ("from", Some(f.from.as_str())),
        ("to", Some(f.to.as_str())),
        ("q", Some(f.q.as_str())),
        ("cursor", cursor),
    ]);
    request(Method::GET, &format!("/jobs{q}"), Body::None).await
}
