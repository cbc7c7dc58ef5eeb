//! LTO tapes: the overview, Cartridges, their Locations and Custody chain,
//! tape jobs, the audit JSON of one of them, CSV export and import.

use bc_api_types::{
    AuditEntry, CustodyEvent, LogLocation, RecordCustody, RegisterTapes, RegisteredTapes, Tape, TapeCascade,
    TapeDetail, TapeJob, TapeJobCascade, TapeJobDetail, TapeJobInput, TapeLocation, TapeUpdate, TapesOverview,
};
use gloo_net::http::Method;

use super::{ApiError, BASE, Body, request, seg};

pub async fn overview() -> Result<TapesOverview, ApiError> {
    request(Method::GET, "/tapes", Body::None).await
}

pub async fn register(req: &RegisterTapes) -> Result<RegisteredTapes, ApiError> {
    request(Method::POST, "/tapes", Body::json(req)?).await
}

pub async fn detail(id: &str) -> Result<TapeDetail, ApiError> {
    request(Method::GET, &format!("/tapes/{}", seg(id)), Body::None).await
}

pub async fn update(id: &str, edit: &TapeUpdate) -> Result<Tape, ApiError> {
    request(Method::PUT, &format!("/tapes/{}", seg(id)), Body::json(edit)?).await
}

pub async fn delete_preview(id: &str) -> Result<TapeCascade, ApiError> {
    request(Method::GET, &format!("/tapes/{}/delete-preview", seg(id)), Body::None).await
}

pub async fn delete(id: &str) -> Result<TapeCascade, ApiError> {
    request(Method::DELETE, &format!("/tapes/{}", seg(id)), Body::None).await
}

pub async fn log_location(id: &str, req: &LogLocation) -> Result<TapeLocation, ApiError> {
    request(Method::POST, &format!("/tapes/{}/locations", seg(id)), Body::json(req)?).await
}

pub async fn record_custody(id: &str, req: &RecordCustody) -> Result<CustodyEvent, ApiError> {
    request(Method::POST, &format!("/tapes/{}/custody", seg(id)), Body::json(req)?).await
}

pub async fn create_job(input: &TapeJobInput) -> Result<TapeJob, ApiError> {
    request(Method::POST, "/tape-jobs", Body::json(input)?).await
}

pub async fn job(id: &str) -> Result<TapeJobDetail, ApiError> {
    request(Method::GET, &format!("/tape-jobs/{}", seg(id)), Body::None).await
}

pub async fn update_job(id: &str, input: &TapeJobInput) -> Result<TapeJob, ApiError> {
    request(Method::PUT, &format!("/tape-jobs/{}", seg(id)), Body::json(input)?).await
}

pub async fn delete_job(id: &str) -> Result<TapeJobCascade, ApiError> {
    request(Method::DELETE, &format!("/tape-jobs/{}", seg(id)), Body::None).await
}

/// `entity_type` is `tape` or `tape_job`.
pub async fn audit(entity_type: &str, id: &str) -> Result<Vec<AuditEntry>, ApiError> {
    request(Method::GET, &format!("/tapes/audit/{}/{}", seg(entity_type), seg(id)), Body::None).await
}

pub async fn import_csv(text: String) -> Result<RegisteredTapes, ApiError> {
    request(Method::POST, "/tapes/import", Body::Csv(text)).await
}

pub fn export_url() -> String {
    format!("{BASE}/tapes/export.csv")
}

/// The audit JSON as a link (it is served as JSON on purpose).
pub fn audit_url(entity_type: &str, id: &str) -> String {
    format!("{BASE}/tapes/audit/{}/{}", seg(entity_type), seg(id))
}

/// Admins: which roles besides admin write tapes.
pub async fn access() -> Result<bc_api_types::TapesAccess, ApiError> {
    request(Method::GET, "/settings/tapes-access", Body::None).await
}

pub async fn set_access(access: &bc_api_types::TapesAccess) -> Result<bc_api_types::TapesAccess, ApiError> {
    request(Method::PUT, "/settings/tapes-access", Body::json(access)?).await
}
