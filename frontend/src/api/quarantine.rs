//! The quarantine (admins) and processing a mail held for failed
//! authentication (operators).

use bc_api_types::{QuarantinePage, ReleaseResponse};
use gloo_net::http::Method;

use super::{ApiError, Body, query, request, seg};

pub async fn page(cursor: Option<&str>) -> Result<QuarantinePage, ApiError> {
    request(Method::GET, &format!("/quarantine{}", query(&[("cursor", cursor)])), Body::None).await
}

/// Releases a quarantined mail: it is ingested again now.
pub async fn release(id: &str) -> Result<ReleaseResponse, ApiError> {
    request(Method::POST, &format!("/quarantine/{}/release", seg(id)), Body::None).await
}

/// Processes a held Inbox mail into a run of its approved job.
pub async fn process_held(id: &str) -> Result<ReleaseResponse, ApiError> {
    request(Method::POST, &format!("/inbox/{}/process", seg(id)), Body::None).await
}
