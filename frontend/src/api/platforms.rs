//! Backup platforms (Veeam B&R, Cove): register, test, sync, delete, and
//! the jobs their syncs imported.

use bc_api_types::{
    JobPage, Platform, PlatformBody, PlatformDeleteBody, PlatformDeletion, PlatformTestResult, PlatformUpdate,
};
use gloo_net::http::Method;

use super::{ApiError, Body, request, seg};

pub async fn list() -> Result<Vec<Platform>, ApiError> {
    request(Method::GET, "/backup/platforms", Body::None).await
}

pub async fn register(body: &PlatformBody) -> Result<Platform, ApiError> {
    request(Method::POST, "/backup/platforms", Body::json(body)?).await
}

pub async fn update(id: &str, body: &PlatformUpdate) -> Result<Platform, ApiError> {
    request(Method::PATCH, &format!("/backup/platforms/{}", seg(id)), Body::json(body)?).await
}

pub async fn test(id: &str) -> Result<PlatformTestResult, ApiError> {
    request(Method::POST, &format!("/backup/platforms/{}/test", seg(id)), Body::None).await
}

pub async fn sync(id: &str) -> Result<(), ApiError> {
    super::request_text(Method::POST, &format!("/backup/platforms/{}/sync", seg(id)), Body::None).await.map(|_| ())
}

pub async fn deletion(id: &str) -> Result<PlatformDeletion, ApiError> {
    request(Method::GET, &format!("/backup/platforms/{}/deletion", seg(id)), Body::None).await
}

pub async fn delete(id: &str, confirm: &str) -> Result<PlatformDeletion, ApiError> {
    let body = PlatformDeleteBody { confirm: confirm.to_string() };
    request(Method::POST, &format!("/backup/platforms/{}/delete", seg(id)), Body::json(&body)?).await
}

/// The jobs of every platform (the page groups them by platform).
pub async fn jobs() -> Result<JobPage, ApiError> {
    request(Method::GET, "/jobs?source=platform&limit=200", Body::None).await
}
