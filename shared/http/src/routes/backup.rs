//! The backup control plane's admin and operator API (seed 001): engines,
//! registration secrets (admins), storage targets, policies with hooks and
//! replication rules, hosts and assignments, alerts. Every role views
//! (`backup.view`); operators and admins change (`backup.manage`); only
//! admins create registration secrets (`backup.enroll`). The engines' own
//! protocol is in `bes.rs`.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use bc_api_types::{
    AppHook, AppHookBody, AssignHostBody, AssignmentStateBody, BackupAlert, Engine, EngineDeletion, EngineStatus,
    EngineUpdate, ErrorBody, HostAssignment, ManagedHost, ManagedHostBody, Policy, PolicyBody, PolicyDetail,
    RegistrationSecretBody, RegistrationSecretCreated, RegistrationSecretInfo, ReplicaRule, ReplicaRuleBody,
    StorageTarget, StorageTargetBody, StorageTargetDetail,
};
use bc_core::backup::engines::EngineFilter;

use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Auth, JsonBody, QueryParams};

/// Refused changes and bad input are logged with who tried what (for the
/// security-minded); the core already left everything as it was.
fn logged<T>(actor: &bc_core::Actor, call: &str, r: bc_core::Result<T>) -> ApiResult<T> {
    if let Err(e) = &r
        && !matches!(e, bc_core::Error::Backend(_))
    {
        tracing::warn!(user = %actor.username, call, code = e.code(), reason = %e, "backup request refused");
    }
    Ok(r?)
}

fn nonempty(v: Option<String>) -> Option<String> {
    v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

#[utoipa::path(get, path = "/api/v1/backup/registration-secrets", tag = "backup",
    responses((status = 200, body = Vec<RegistrationSecretInfo>, description = "which scopes have a secret (never the values)"),
              (status = 403, body = ErrorBody)))]
pub(crate) async fn list_secrets(
    State(s): State<AppState>,
    Auth(a): Auth,
) -> ApiResult<Json<Vec<RegistrationSecretInfo>>> {
    Ok(Json(logged(&a, "registration_secrets", s.app.registration_secrets(&a).await)?))
}

#[utoipa::path(post, path = "/api/v1/backup/registration-secrets", tag = "backup", request_body = RegistrationSecretBody,
    responses((status = 201, body = RegistrationSecretCreated, description = "the new secret, shown this once; the scope's old one stops working"),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn rotate_secret(
    State(s): State<AppState>,
    Auth(a): Auth,
    JsonBody(body): JsonBody<RegistrationSecretBody>,
) -> ApiResult<(StatusCode, Json<RegistrationSecretCreated>)> {
    Ok((
        StatusCode::CREATED,
        Json(logged(&a, "rotate_registration_secret", s.app.rotate_registration_secret(&a, &body).await)?),
    ))
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct EngineParams {
    /// A customer id.
    pub customer: Option<String>,
    /// pending, online, offline or degraded.
    pub status: Option<String>,
    /// Part of the name, hostname or IP.
    pub q: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/backup/engines", tag = "backup", params(EngineParams),
    responses((status = 200, body = Vec<Engine>, description = "by name"), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub(crate) async fn list_engines(
    State(s): State<AppState>,
    Auth(a): Auth,
    QueryParams(p): QueryParams<EngineParams>,
) -> ApiResult<Json<Vec<Engine>>> {
    let status = nonempty(p.status)
        .map(|v| {
            EngineStatus::parse(&v)
                .ok_or_else(|| ApiError::invalid(format!("status {v:?} is pending, online, offline or degraded")))
        })
        .transpose()?;
    let filter = EngineFilter { customer_id: nonempty(p.customer), status, search: nonempty(p.q) };
    Ok(Json(logged(&a, "list_engines", s.app.list_engines(&a, &filter).await)?))
}

#[utoipa::path(get, path = "/api/v1/backup/engines/{id}", tag = "backup", params(("id" = String, Path)),
    responses((status = 200, body = Engine), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn get_engine(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Engine>> {
    Ok(Json(logged(&a, "get_engine", s.app.get_engine(&a, &id).await)?))
}

#[utoipa::path(patch, path = "/api/v1/backup/engines/{id}", tag = "backup", params(("id" = String, Path)), request_body = EngineUpdate,
    responses((status = 200, body = Engine), (status = 400, body = ErrorBody, description = "bad name or CIDR"),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn update_engine(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<EngineUpdate>,
) -> ApiResult<Json<Engine>> {
    Ok(Json(logged(&a, "update_engine", s.app.update_engine(&a, &id, &body).await)?))
}

#[utoipa::path(get, path = "/api/v1/backup/engines/{id}/deletion", tag = "backup", params(("id" = String, Path)),
    responses((status = 200, body = EngineDeletion, description = "what deleting the engine takes with it"),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn engine_deletion(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<EngineDeletion>> {
    Ok(Json(logged(&a, "engine_deletion", s.app.engine_deletion(&a, &id).await)?))
}

#[utoipa::path(delete, path = "/api/v1/backup/engines/{id}", tag = "backup", params(("id" = String, Path)),
    responses((status = 200, body = EngineDeletion, description = "deregistered, with its storage targets and policies"),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn delete_engine(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<EngineDeletion>> {
    Ok(Json(logged(&a, "delete_engine", s.app.delete_engine(&a, &id).await)?))
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ByEngine {
    /// An engine id.
    pub engine: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/backup/storage-targets", tag = "backup", params(ByEngine),
    responses((status = 200, body = Vec<StorageTarget>), (status = 403, body = ErrorBody)))]
pub(crate) async fn list_targets(
    State(s): State<AppState>,
    Auth(a): Auth,
    QueryParams(p): QueryParams<ByEngine>,
) -> ApiResult<Json<Vec<StorageTarget>>> {
    Ok(Json(logged(&a, "list_storage_targets", s.app.list_storage_targets(&a, nonempty(p.engine).as_deref()).await)?))
}

#[utoipa::path(post, path = "/api/v1/backup/storage-targets", tag = "backup", request_body = StorageTargetBody,
    responses((status = 201, body = StorageTarget), (status = 400, body = ErrorBody, description = "connection fields, thresholds or credentials refused, with the reason"),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn create_target(
    State(s): State<AppState>,
    Auth(a): Auth,
    JsonBody(body): JsonBody<StorageTargetBody>,
) -> ApiResult<(StatusCode, Json<StorageTarget>)> {
    Ok((StatusCode::CREATED, Json(logged(&a, "create_storage_target", s.app.create_storage_target(&a, &body).await)?)))
}

#[utoipa::path(get, path = "/api/v1/backup/storage-targets/{id}", tag = "backup", params(("id" = String, Path)),
    responses((status = 200, body = StorageTargetDetail, description = "with its capacity history and the policies on it"),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn get_target(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<StorageTargetDetail>> {
    Ok(Json(logged(&a, "get_storage_target", s.app.get_storage_target(&a, &id).await)?))
}

#[utoipa::path(put, path = "/api/v1/backup/storage-targets/{id}", tag = "backup", params(("id" = String, Path)), request_body = StorageTargetBody,
    responses((status = 200, body = StorageTarget), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn update_target(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<StorageTargetBody>,
) -> ApiResult<Json<StorageTarget>> {
    Ok(Json(logged(&a, "update_storage_target", s.app.update_storage_target(&a, &id, &body).await)?))
}

#[utoipa::path(delete, path = "/api/v1/backup/storage-targets/{id}", tag = "backup", params(("id" = String, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody, description = "in use: the message names the policies and replication rules")))]
pub(crate) async fn delete_target(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    logged(&a, "delete_storage_target", s.app.delete_storage_target(&a, &id).await)?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/backup/policies", tag = "backup", params(ByEngine),
    responses((status = 200, body = Vec<Policy>), (status = 403, body = ErrorBody)))]
pub(crate) async fn list_policies(
    State(s): State<AppState>,
    Auth(a): Auth,
    QueryParams(p): QueryParams<ByEngine>,
) -> ApiResult<Json<Vec<Policy>>> {
    Ok(Json(logged(&a, "list_policies", s.app.list_policies(&a, nonempty(p.engine).as_deref()).await)?))
}

#[utoipa::path(post, path = "/api/v1/backup/policies", tag = "backup", request_body = PolicyBody,
    responses((status = 201, body = PolicyDetail), (status = 400, body = ErrorBody, description = "a schedule that never fires, a range, a target on another engine"),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn create_policy(
    State(s): State<AppState>,
    Auth(a): Auth,
    JsonBody(body): JsonBody<PolicyBody>,
) -> ApiResult<(StatusCode, Json<PolicyDetail>)> {
    Ok((StatusCode::CREATED, Json(logged(&a, "create_policy", s.app.create_policy(&a, &body).await)?)))
}

#[utoipa::path(get, path = "/api/v1/backup/policies/{id}", tag = "backup", params(("id" = String, Path)),
    responses((status = 200, body = PolicyDetail, description = "with hooks in execution order, replication rules, hosts and 3-2-1"),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn get_policy(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<PolicyDetail>> {
    Ok(Json(logged(&a, "get_policy", s.app.get_policy(&a, &id).await)?))
}

#[utoipa::path(patch, path = "/api/v1/backup/policies/{id}", tag = "backup", params(("id" = String, Path)), request_body = PolicyBody,
    responses((status = 200, body = PolicyDetail), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn update_policy(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<PolicyBody>,
) -> ApiResult<Json<PolicyDetail>> {
    Ok(Json(logged(&a, "update_policy", s.app.update_policy(&a, &id, &body).await)?))
}

#[utoipa::path(delete, path = "/api/v1/backup/policies/{id}", tag = "backup", params(("id" = String, Path)),
    responses((status = 204, description = "with its host assignments, replication rules and hooks"), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn delete_policy(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    logged(&a, "delete_policy", s.app.delete_policy(&a, &id).await)?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/v1/backup/policies/{id}/hooks", tag = "backup", params(("id" = String, Path)), request_body = AppHookBody,
    responses((status = 201, body = AppHook), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn create_hook(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<AppHookBody>,
) -> ApiResult<(StatusCode, Json<AppHook>)> {
    Ok((StatusCode::CREATED, Json(logged(&a, "create_hook", s.app.create_hook(&a, &id, &body).await)?)))
}

#[utoipa::path(put, path = "/api/v1/backup/hooks/{id}", tag = "backup", params(("id" = String, Path)), request_body = AppHookBody,
    responses((status = 200, body = AppHook), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn update_hook(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<AppHookBody>,
) -> ApiResult<Json<AppHook>> {
    Ok(Json(logged(&a, "update_hook", s.app.update_hook(&a, &id, &body).await)?))
}

#[utoipa::path(delete, path = "/api/v1/backup/hooks/{id}", tag = "backup", params(("id" = String, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn delete_hook(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    logged(&a, "delete_hook", s.app.delete_hook(&a, &id).await)?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ByPolicy {
    /// A policy id.
    pub policy: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/backup/replicas", tag = "backup", params(ByPolicy),
    responses((status = 200, body = Vec<ReplicaRule>), (status = 403, body = ErrorBody)))]
pub(crate) async fn list_replicas(
    State(s): State<AppState>,
    Auth(a): Auth,
    QueryParams(p): QueryParams<ByPolicy>,
) -> ApiResult<Json<Vec<ReplicaRule>>> {
    Ok(Json(logged(&a, "list_replicas", s.app.list_replicas(&a, nonempty(p.policy).as_deref()).await)?))
}

#[utoipa::path(post, path = "/api/v1/backup/replicas", tag = "backup", request_body = ReplicaRuleBody,
    responses((status = 201, body = ReplicaRule), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub(crate) async fn create_replica(
    State(s): State<AppState>,
    Auth(a): Auth,
    JsonBody(body): JsonBody<ReplicaRuleBody>,
) -> ApiResult<(StatusCode, Json<ReplicaRule>)> {
    Ok((StatusCode::CREATED, Json(logged(&a, "create_replica", s.app.create_replica(&a, &body).await)?)))
}

#[utoipa::path(delete, path = "/api/v1/backup/replicas/{id}", tag = "backup", params(("id" = String, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn delete_replica(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    logged(&a, "delete_replica", s.app.delete_replica(&a, &id).await)?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ByCustomer {
    /// A customer id.
    pub customer: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/backup/hosts", tag = "backup", params(ByCustomer),
    responses((status = 200, body = Vec<ManagedHost>), (status = 403, body = ErrorBody)))]
pub(crate) async fn list_hosts(
    State(s): State<AppState>,
    Auth(a): Auth,
    QueryParams(p): QueryParams<ByCustomer>,
) -> ApiResult<Json<Vec<ManagedHost>>> {
    Ok(Json(logged(&a, "list_hosts", s.app.list_hosts(&a, nonempty(p.customer).as_deref()).await)?))
}

#[utoipa::path(post, path = "/api/v1/backup/hosts", tag = "backup", request_body = ManagedHostBody,
    responses((status = 201, body = ManagedHost), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub(crate) async fn create_host(
    State(s): State<AppState>,
    Auth(a): Auth,
    JsonBody(body): JsonBody<ManagedHostBody>,
) -> ApiResult<(StatusCode, Json<ManagedHost>)> {
    Ok((StatusCode::CREATED, Json(logged(&a, "create_host", s.app.create_host(&a, &body).await)?)))
}

#[utoipa::path(post, path = "/api/v1/backup/policies/{id}/hosts", tag = "backup", params(("id" = String, Path)), request_body = AssignHostBody,
    responses((status = 201, body = HostAssignment, description = "assigned, or an archived assignment reactivated"),
              (status = 400, body = ErrorBody, description = "a host of another customer"), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub(crate) async fn assign_host(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<AssignHostBody>,
) -> ApiResult<(StatusCode, Json<HostAssignment>)> {
    Ok((StatusCode::CREATED, Json(logged(&a, "assign_host", s.app.assign_host(&a, &id, &body).await)?)))
}

#[utoipa::path(put, path = "/api/v1/backup/policies/{id}/hosts/{host_id}", tag = "backup",
    params(("id" = String, Path), ("host_id" = String, Path)), request_body = AssignmentStateBody,
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn set_assignment(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path((id, host_id)): Path<(String, String)>,
    JsonBody(body): JsonBody<AssignmentStateBody>,
) -> ApiResult<StatusCode> {
    logged(&a, "set_assignment_state", s.app.set_assignment_state(&a, &id, &host_id, body.state).await)?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(delete, path = "/api/v1/backup/policies/{id}/hosts/{host_id}", tag = "backup",
    params(("id" = String, Path), ("host_id" = String, Path)),
    responses((status = 204, description = "removed; restore points stay"), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn remove_assignment(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path((id, host_id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    logged(&a, "remove_assignment", s.app.remove_assignment(&a, &id, &host_id).await)?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct AlertParams {
    /// An engine or storage target id.
    pub subject: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/backup/alerts", tag = "backup", params(AlertParams),
    responses((status = 200, body = Vec<BackupAlert>, description = "newest first, the last 90 days"), (status = 403, body = ErrorBody)))]
pub(crate) async fn list_alerts(
    State(s): State<AppState>,
    Auth(a): Auth,
    QueryParams(p): QueryParams<AlertParams>,
) -> ApiResult<Json<Vec<BackupAlert>>> {
    Ok(Json(logged(&a, "backup_alerts", s.app.backup_alerts(&a, nonempty(p.subject).as_deref()).await)?))
}
