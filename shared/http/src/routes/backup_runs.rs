//! Native backups as operators see them (issue 15): a native job's runs,
//! retry and run-now (`backup.manage`), restore points, browse, search and
//! restores (`backup.restore`), storage health checks and verification
//! (`backup.manage`), protected objects and the dashboard (`backup.view`).
//! The engines' side of the same jobs is in `bes.rs`.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use bc_api_types::{
    AgentJob, AgentJobPage, BmrBody, BrowseBody, DashboardSummary, Dispatched, ErrorBody, FailedBackup,
    FileRestoreBody, ImageRestoreBody, JobSourceKind, LastBackupStatus, ObjectType, ProtectedObjectBody,
    ProtectedObjectPage, ProtectedObjectView, RestorePoint, RestorePointPage, RestorePointStatus, SearchBody,
    StorageAlertRow, VerificationStatus,
};
use bc_core::backup::runs::BackupSettings;
use bc_core::backup::runs::list::{ObjectFilter, RestorePointFilter};

use super::PageQuery;
use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Auth, JsonBody, QueryParams};

fn nonempty(v: Option<String>) -> Option<String> {
    v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

fn parsed<T>(
    name: &str,
    v: Option<String>,
    parse: impl Fn(&str) -> Option<T>,
    expected: &str,
) -> Result<Option<T>, ApiError> {
    match nonempty(v) {
        None => Ok(None),
        Some(v) => {
            parse(&v).map(Some).ok_or_else(|| ApiError::invalid(format!("{name}: expected {expected}, not {v:?}")))
        }
    }
}

#[utoipa::path(get, path = "/api/v1/backup/jobs/{id}/runs", tag = "backup", params(("id" = String, Path), PageQuery),
    responses((status = 200, body = AgentJobPage, description = "a native job's runs, newest first"), (status = 400, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
pub(crate) async fn job_runs(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<String>,
    QueryParams(q): QueryParams<PageQuery>,
) -> ApiResult<Json<AgentJobPage>> {
    Ok(Json(s.app.native_job_runs(&a, &id, q.cursor.as_deref(), q.limit.unwrap_or(50)).await?))
}

#[utoipa::path(post, path = "/api/v1/backup/jobs/{id}/retry", tag = "backup", params(("id" = String, Path)),
    responses((status = 202, body = Dispatched, description = "a retry dispatched to every active host"), (status = 400, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn retry_job(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<String>,
) -> ApiResult<(StatusCode, Json<Dispatched>)> {
    Ok((StatusCode::ACCEPTED, Json(s.app.retry_native_job(&a, &id).await?)))
}

#[utoipa::path(post, path = "/api/v1/backup/policies/{id}/run-now", tag = "backup", params(("id" = String, Path)),
    responses((status = 202, body = Dispatched), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn run_now(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<String>,
) -> ApiResult<(StatusCode, Json<Dispatched>)> {
    Ok((StatusCode::ACCEPTED, Json(s.app.run_policy_now(&a, &id).await?)))
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct PointQuery {
    pub customer_id: Option<String>,
    pub host_id: Option<String>,
    pub policy_id: Option<String>,
    pub engine_id: Option<String>,
    pub chain_id: Option<String>,
    /// complete, running, failed or expired.
    pub status: Option<String>,
    /// passed, failed, partial or pending.
    pub verification: Option<String>,
    pub cursor: Option<String>,
    pub limit: Option<usize>,
}

#[utoipa::path(get, path = "/api/v1/backup/restore-points", tag = "backup", params(PointQuery),
    responses((status = 200, body = RestorePointPage, description = "newest first"), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub(crate) async fn restore_points(
    State(s): State<AppState>,
    Auth(a): Auth,
    QueryParams(q): QueryParams<PointQuery>,
) -> ApiResult<Json<RestorePointPage>> {
    let f = RestorePointFilter {
        customer_id: nonempty(q.customer_id),
        host_id: nonempty(q.host_id),
        policy_id: nonempty(q.policy_id),
        engine_id: nonempty(q.engine_id),
        chain_id: nonempty(q.chain_id).filter(|c| c.len() <= 256),
        status: parsed("status", q.status, RestorePointStatus::parse, "complete, running, failed or expired")?,
        verification: parsed(
            "verification",
            q.verification,
            VerificationStatus::parse,
            "passed, failed, partial or pending",
        )?,
    };
    Ok(Json(s.app.restore_points(&a, &f, q.cursor.as_deref(), q.limit.unwrap_or(50)).await?))
}

#[utoipa::path(get, path = "/api/v1/backup/restore-points/{id}", tag = "backup", params(("id" = String, Path)),
    responses((status = 200, body = RestorePoint), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn restore_point(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<RestorePoint>> {
    Ok(Json(s.app.restore_point(&a, &id).await?))
}

#[utoipa::path(post, path = "/api/v1/backup/restore-points/{id}/browse", tag = "backup", params(("id" = String, Path)), request_body = BrowseBody,
    responses((status = 202, body = AgentJob, description = "a browse job; poll it for the entries"), (status = 400, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn browse(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<BrowseBody>,
) -> ApiResult<(StatusCode, Json<AgentJob>)> {
    Ok((StatusCode::ACCEPTED, Json(s.app.browse_restore_point(&a, &id, &body).await?)))
}

#[utoipa::path(post, path = "/api/v1/backup/restore-points/{id}/search", tag = "backup", params(("id" = String, Path)), request_body = SearchBody,
    responses((status = 202, body = AgentJob, description = "a search job; poll it for the entries"), (status = 400, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn search(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<SearchBody>,
) -> ApiResult<(StatusCode, Json<AgentJob>)> {
    Ok((StatusCode::ACCEPTED, Json(s.app.search_restore_point(&a, &id, &body).await?)))
}

#[utoipa::path(post, path = "/api/v1/backup/restore-points/{id}/restore-files", tag = "backup", params(("id" = String, Path)), request_body = FileRestoreBody,
    responses((status = 202, body = AgentJob, description = "a file restore (high priority)"), (status = 400, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn restore_files(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<FileRestoreBody>,
) -> ApiResult<(StatusCode, Json<AgentJob>)> {
    Ok((StatusCode::ACCEPTED, Json(s.app.restore_files(&a, &id, &body).await?)))
}

#[utoipa::path(post, path = "/api/v1/backup/restore-points/{id}/restore-image", tag = "backup", params(("id" = String, Path)), request_body = ImageRestoreBody,
    responses((status = 202, body = AgentJob, description = "an image restore (critical priority)"), (status = 400, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn restore_image(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<ImageRestoreBody>,
) -> ApiResult<(StatusCode, Json<AgentJob>)> {
    Ok((StatusCode::ACCEPTED, Json(s.app.restore_image(&a, &id, &body).await?)))
}

#[utoipa::path(post, path = "/api/v1/backup/restore-points/{id}/bmr", tag = "backup", params(("id" = String, Path)), request_body = BmrBody,
    responses((status = 202, body = AgentJob, description = "a bare-metal restore (critical priority) with a one-time token for the engine"),
              (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn bmr(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<BmrBody>,
) -> ApiResult<(StatusCode, Json<AgentJob>)> {
    Ok((StatusCode::ACCEPTED, Json(s.app.restore_bare_metal(&a, &id, &body).await?)))
}

#[utoipa::path(get, path = "/api/v1/backup/agent-jobs/{id}", tag = "backup", params(("id" = String, Path)),
    responses((status = 200, body = AgentJob, description = "status and, once ended, the result"), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn agent_job(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<AgentJob>> {
    Ok(Json(s.app.agent_job(&a, &id).await?))
}

#[utoipa::path(post, path = "/api/v1/backup/storage/{id}/health-check", tag = "backup", params(("id" = String, Path)),
    responses((status = 202, body = AgentJob), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn health_check(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<String>,
) -> ApiResult<(StatusCode, Json<AgentJob>)> {
    Ok((StatusCode::ACCEPTED, Json(s.app.check_storage_target(&a, &id, false).await?)))
}

#[utoipa::path(post, path = "/api/v1/backup/storage/{id}/verify", tag = "backup", params(("id" = String, Path)),
    responses((status = 202, body = AgentJob), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn verify(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<String>,
) -> ApiResult<(StatusCode, Json<AgentJob>)> {
    Ok((StatusCode::ACCEPTED, Json(s.app.check_storage_target(&a, &id, true).await?)))
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ObjectQuery {
    pub customer_id: Option<String>,
    /// vm, physical, fileset, cloud_resource or nas.
    pub object_type: Option<String>,
    /// true or false.
    pub rpo_breach: Option<String>,
    /// native or platform.
    pub source: Option<String>,
    pub host: Option<String>,
    /// success, warning, failed or never.
    pub last_status: Option<String>,
    pub q: Option<String>,
    pub cursor: Option<String>,
    pub limit: Option<usize>,
}

#[utoipa::path(get, path = "/api/v1/backup/objects", tag = "backup", params(ObjectQuery),
    responses((status = 200, body = ProtectedObjectPage, description = "breaches first, then by name"), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub(crate) async fn objects(
    State(s): State<AppState>,
    Auth(a): Auth,
    QueryParams(q): QueryParams<ObjectQuery>,
) -> ApiResult<Json<ProtectedObjectPage>> {
    let f = ObjectFilter {
        customer_id: nonempty(q.customer_id),
        object_type: parsed(
            "object_type",
            q.object_type,
            ObjectType::parse,
            "vm, physical, fileset, cloud_resource or nas",
        )?,
        rpo_breach: parsed("rpo_breach", q.rpo_breach, |v| v.parse::<bool>().ok(), "true or false")?,
        source: parsed(
            "source",
            q.source,
            |v| JobSourceKind::parse(v).filter(|k| *k != JobSourceKind::Mail),
            "native or platform",
        )?,
        host: nonempty(q.host),
        last_status: parsed(
            "last_status",
            q.last_status,
            LastBackupStatus::parse,
            "success, warning, failed or never",
        )?,
        q: nonempty(q.q),
    };
    Ok(Json(s.app.protected_objects(&a, &f, q.cursor.as_deref(), q.limit.unwrap_or(50)).await?))
}

#[utoipa::path(patch, path = "/api/v1/backup/objects/{id}", tag = "backup", params(("id" = String, Path)), request_body = ProtectedObjectBody,
    responses((status = 200, body = ProtectedObjectView), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn update_object(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<ProtectedObjectBody>,
) -> ApiResult<Json<ProtectedObjectView>> {
    Ok(Json(s.app.update_protected_object(&a, &id, &body).await?))
}

#[utoipa::path(get, path = "/api/v1/backup/dashboard/summary", tag = "backup",
    responses((status = 200, body = DashboardSummary), (status = 403, body = ErrorBody)))]
pub(crate) async fn dashboard_summary(State(s): State<AppState>, Auth(a): Auth) -> ApiResult<Json<DashboardSummary>> {
    Ok(Json(s.app.dashboard_summary(&a).await?))
}

#[utoipa::path(get, path = "/api/v1/backup/dashboard/failed", tag = "backup",
    responses((status = 200, body = Vec<FailedBackup>, description = "hosts whose latest backup failed, newest first"), (status = 403, body = ErrorBody)))]
pub(crate) async fn dashboard_failed(State(s): State<AppState>, Auth(a): Auth) -> ApiResult<Json<Vec<FailedBackup>>> {
    Ok(Json(s.app.dashboard_failed(&a).await?))
}

#[utoipa::path(get, path = "/api/v1/backup/dashboard/rpo-breaches", tag = "backup",
    responses((status = 200, body = Vec<ProtectedObjectView>, description = "longest breach first"), (status = 403, body = ErrorBody)))]
pub(crate) async fn dashboard_rpo(
    State(s): State<AppState>,
    Auth(a): Auth,
) -> ApiResult<Json<Vec<ProtectedObjectView>>> {
    Ok(Json(s.app.dashboard_rpo_breaches(&a).await?))
}

#[utoipa::path(get, path = "/api/v1/backup/dashboard/storage", tag = "backup",
    responses((status = 200, body = Vec<StorageAlertRow>, description = "targets in warning or critical health"), (status = 403, body = ErrorBody)))]
pub(crate) async fn dashboard_storage(
    State(s): State<AppState>,
    Auth(a): Auth,
) -> ApiResult<Json<Vec<StorageAlertRow>>> {
    Ok(Json(s.app.dashboard_storage(&a).await?))
}

#[utoipa::path(get, path = "/api/v1/backup/dashboard/verification-failures", tag = "backup",
    responses((status = 200, body = Vec<RestorePoint>), (status = 403, body = ErrorBody)))]
pub(crate) async fn dashboard_verification(
    State(s): State<AppState>,
    Auth(a): Auth,
) -> ApiResult<Json<Vec<RestorePoint>>> {
    Ok(Json(s.app.dashboard_verification_failures(&a).await?))
}

#[utoipa::path(get, path = "/api/v1/backup/settings", tag = "backup",
    responses((status = 200, body = BackupSettings), (status = 403, body = ErrorBody)))]
pub(crate) async fn get_settings(State(s): State<AppState>, Auth(a): Auth) -> ApiResult<Json<BackupSettings>> {
    Ok(Json(s.app.backup_settings(&a).await?))
}

#[utoipa::path(put, path = "/api/v1/backup/settings", tag = "backup", request_body = BackupSettings,
    responses((status = 200, body = BackupSettings), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub(crate) async fn put_settings(
    State(s): State<AppState>,
    Auth(a): Auth,
    JsonBody(body): JsonBody<BackupSettings>,
) -> ApiResult<Json<BackupSettings>> {
    Ok(Json(s.app.set_backup_settings(&a, &body).await?))
}
