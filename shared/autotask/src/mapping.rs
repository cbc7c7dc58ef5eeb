//! Customer <-> Autotask company mapping checks (seed §3): the company ID is leading, the name is a display
//! cache that follows renames in Autotask, and a deleted or inaccessible company makes the mapping invalid
//! (ticket creation is then blocked).

use crate::client::AutotaskClient;
use crate::error::{AutotaskError, Result};

/// The mapping status of §3.1 that a check can establish (`missing`, no mapping configured, is the caller's).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MappingStatus {
    /// The company exists under the cached name.
    Ok,
    /// The company exists under another name: update the cached name; the mapping stays intact.
    Renamed,
    /// The company is deleted or the API user cannot see it: block ticket creation, show the broken mapping.
    Invalid,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CompanyCheck {
    pub status: MappingStatus,
    /// The name Autotask has now (cache it), when the company could be read.
    pub current_name: Option<String>,
    /// Whether the company is active in Autotask, when it could be read (inactive is shown, not blocking).
    pub is_active: Option<bool>,
}

/// Checks a mapped company by ID against the cached name. Transient errors (rate limit, timeout...) and bad
/// credentials are returned as errors, never as an invalid mapping.
pub async fn check_company(client: &AutotaskClient, company_id: i64, cached_name: &str) -> Result<CompanyCheck> {
    match client.company(company_id).await {
        Ok(c) => Ok(CompanyCheck {
            status: if c.company_name == cached_name { MappingStatus::Ok } else { MappingStatus::Renamed },
            current_name: Some(c.company_name),
            is_active: Some(c.is_active),
        }),
        Err(AutotaskError::NotFound { .. }) | Err(AutotaskError::Forbidden(_)) => {
            Ok(CompanyCheck { status: MappingStatus::Invalid, current_name: None, is_active: None })
        }
        Err(e) => Err(e),
    }
}
