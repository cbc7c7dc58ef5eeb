//! The backup control plane: engines, registration secrets, storage
//! targets, policies with hooks and replication rules, hosts, alerts.

use bc_api_types::{
    AppHook, AppHookBody, AssignHostBody, BackupAlert, Engine, EngineDeletion, EngineUpdate, HostAssignment,
    ManagedHost, ManagedHostBody, Policy, PolicyBody, PolicyDetail, RegistrationSecretBody, RegistrationSecretCreated,
    ReplicaRule, ReplicaRuleBody, StorageTarget, StorageTargetBody, StorageTargetDetail,
};
use gloo_net::http::Method;

use super::{ApiError, Body, query, request, seg};

pub async fn engines(customer: &str, status: &str, q: &str) -> Result<Vec<Engine>, ApiError> {
    let qs = query(&[("customer", Some(customer)), ("status", Some(status)), ("q", Some(q))]);
    request(Method::GET, &format!("/backup/engines{qs}"), Body::None).await
}

pub async fn update_engine(id: &str, body: &EngineUpdate) -> Result<Engine, ApiError> {
    request(Method::PATCH, &format!("/backup/engines/{}", seg(id)), Body::json(body)?).await
}

pub async fn engine_deletion(id: &str) -> Result<EngineDeletion, ApiError> {
    request(Method::GET, &format!("/backup/engines/{}/deletion", seg(id)), Body::None).await
}

pub async fn delete_engine(id: &str) -> Result<EngineDeletion, ApiError> {
    request(Method::DELETE, &format!("/backup/engines/{}", seg(id)), Body::None).await
}

pub async fn rotate_secret(body: &RegistrationSecretBody) -> Result<RegistrationSecretCreated, ApiError> {
    request(Method::POST, "/backup/registration-secrets", Body::json(body)?).await
}

pub async fn targets() -> Result<Vec<StorageTarget>, ApiError> {
    request(Method::GET, "/backup/storage-targets", Body::None).await
}

pub async fn target(id: &str) -> Result<StorageTargetDetail, ApiError> {
    request(Method::GET, &format!("/backup/storage-targets/{}", seg(id)), Body::None).await
}

pub async fn create_target(body: &StorageTargetBody) -> Result<StorageTarget, ApiError> {
    request(Method::POST, "/backup/storage-targets", Body::json(body)?).await
}

pub async fn update_target(id: &str, body: &StorageTargetBody) -> Result<StorageTarget, ApiError> {
    request(Method::PUT, &format!("/backup/storage-targets/{}", seg(id)), Body::json(body)?).await
}

pub async fn update_hook(id: &str, body: &AppHookBody) -> Result<AppHook, ApiError> {
    request(Method::PUT, &format!("/backup/hooks/{}", seg(id)), Body::json(body)?).await
}

pub async fn delete_target(id: &str) -> Result<(), ApiError> {
    request(Method::DELETE, &format!("/backup/storage-targets/{}", seg(id)), Body::None).await
}

pub async fn policies() -> Result<Vec<Policy>, ApiError> {
    request(Method::GET, "/backup/policies", Body::None).await
}

pub async fn policy(id: &str) -> Result<PolicyDetail, ApiError> {
    request(Method::GET, &format!("/backup/policies/{}", seg(id)), Body::None).await
}

pub async fn create_policy(body: &PolicyBody) -> Result<PolicyDetail, ApiError> {
    request(Method::POST, "/backup/policies", Body::json(body)?).await
}

pub async fn update_policy(id: &str, body: &PolicyBody) -> Result<PolicyDetail, ApiError> {
    request(Method::PATCH, &format!("/backup/policies/{}", seg(id)), Body::json(body)?).await
}

pub async fn delete_policy(id: &str) -> Result<(), ApiError> {
    request(Method::DELETE, &format!("/backup/policies/{}", seg(id)), Body::None).await
}

pub async fn create_hook(policy_id: &str, body: &AppHookBody) -> Result<AppHook, ApiError> {
    request(Method::POST, &format!("/backup/policies/{}/hooks", seg(policy_id)), Body::json(body)?).await
}

pub async fn delete_hook(id: &str) -> Result<(), ApiError> {
    request(Method::DELETE, &format!("/backup/hooks/{}", seg(id)), Body::None).await
}

pub async fn replicas() -> Result<Vec<ReplicaRule>, ApiError> {
    request(Method::GET, "/backup/replicas", Body::None).await
}

pub async fn create_replica(body: &ReplicaRuleBody) -> Result<ReplicaRule, ApiError> {
    request(Method::POST, "/backup/replicas", Body::json(body)?).await
}

pub async fn delete_replica(id: &str) -> Result<(), ApiError> {
    request(Method::DELETE, &format!("/backup/replicas/{}", seg(id)), Body::None).await
}

pub async fn hosts() -> Result<Vec<ManagedHost>, ApiError> {
    request(Method::GET, "/backup/hosts", Body::None).await
}

pub async fn create_host(body: &ManagedHostBody) -> Result<ManagedHost, ApiError> {
    request(Method::POST, "/backup/hosts", Body::json(body)?).await
}

pub async fn assign_host(policy_id: &str, host_id: &str) -> Result<HostAssignment, ApiError> {
    let body = AssignHostBody { host_id: host_id.to_string() };
    request(Method::POST, &format!("/backup/policies/{}/hosts", seg(policy_id)), Body::json(&body)?).await
}

pub async fn alerts() -> Result<Vec<BackupAlert>, ApiError> {
    request(Method::GET, "/backup/alerts", Body::None).await
}
