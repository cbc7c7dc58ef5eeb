//! The audit trail (admins): who changed what, when.

use bc_api_types::AuditPage;
use gloo_net::http::Method;

use super::{ApiError, Body, query, request};

/// The filters of the audit list; empty fields do not filter. The entity
/// type alone filters by type; with an entity id it names one entity.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AuditFilter {
    pub entity_type: String,
    pub entity_id: String,
    pub actor: String,
    pub action: String,
    /// RFC 3339 instants: at or after `from`, before `until`.
    pub from: String,
    pub until: String,
}

/// One page, newest first.
pub async fn page(filter: &AuditFilter, cursor: Option<&str>) -> Result<AuditPage, ApiError> {
    let q = query(&[
        ("entity_type", Some(filter.entity_type.as_str())),
        ("entity_id", Some(filter.entity_id.as_str())),
        ("actor", Some(filter.actor.as_str())),
        ("action", Some(filter.action.as_str())),
        ("from", Some(filter.from.as_str())),
        ("until", Some(filter.until.as_str())),
        ("cursor", cursor),
    ]);
    request(Method::GET, &format!("/audit{q}"), Body::None).await
}
