//! Small enums whose spelling is part of the API contract.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The result of a run or of one object in it. Serialised exactly as
/// `Success`, `Warning`, `Failed`, `Missed`. `Missed` is never in a report:
/// the scheduler gives it to a run that was expected and did not come.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Status {
    Success,
    Warning,
    Failed,
    Missed,
}

impl Status {
    pub const ALL: [Status; 4] = [Status::Success, Status::Warning, Status::Failed, Status::Missed];

    /// Higher is worse; Run Checks sorts on it.
    pub fn severity(self) -> u8 {
        match self {
            Status::Success => 0,
            Status::Warning => 1,
            // A missed backup is worse than a warning, not as bad as a
            // backup that ran and failed.
            Status::Missed => 2,
            Status::Failed => 3,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Success => "Success",
            Status::Warning => "Warning",
            Status::Failed => "Failed",
            Status::Missed => "Missed",
        }
    }

    /// The worse of two statuses.
    pub fn worst(self, other: Status) -> Status {
        if other.severity() > self.severity() { other } else { self }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Status {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "Success" => Ok(Status::Success),
            "Warning" => Ok(Status::Warning),
            "Failed" => Ok(Status::Failed),
            "Missed" => Ok(Status::Missed),
            other => Err(format!("unknown status {other:?}")),
        }
    }
}

/// A user's role. Rights per role live in `bc-core` (`Permission`), and are
/// mirrored to the UI through `Me::permissions`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Admin,
    Operator,
    Reporter,
    Viewer,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Admin, Role::Operator, Role::Reporter, Role::Viewer];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Operator => "operator",
            Role::Reporter => "reporter",
            Role::Viewer => "viewer",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "admin" => Ok(Role::Admin),
            "operator" => Ok(Role::Operator),
            "reporter" => Ok(Role::Reporter),
            "viewer" => Ok(Role::Viewer),
            other => Err(format!("unknown role {other:?} (admin, operator, reporter, viewer)")),
        }
    }
}

/// Where a mail stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum MailState {
    /// Stored, not yet processed (a crash or redelivery picks it up again).
    Received,
    /// Waiting in the Inbox: unparsed, or parsed but its job is not approved.
    Inbox,
    /// Became a run of an approved job.
    Processed,
    /// Soft-deleted from the Inbox; admins can restore it.
    Deleted,
    /// Set aside: its ingest kept failing, or it carries a virus verdict.
    /// Never parsed into runs until an admin releases it.
    Quarantined,
}

impl MailState {
    pub fn as_str(self) -> &'static str {
        match self {
            MailState::Received => "received",
            MailState::Inbox => "inbox",
            MailState::Processed => "processed",
            MailState::Deleted => "deleted",
            MailState::Quarantined => "quarantined",
        }
    }
}

impl FromStr for MailState {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "received" => Ok(MailState::Received),
            "inbox" => Ok(MailState::Inbox),
            "processed" => Ok(MailState::Processed),
            "deleted" => Ok(MailState::Deleted),
            "quarantined" => Ok(MailState::Quarantined),
            other => Err(format!("unknown mail state {other:?}")),
        }
    }
}

/// Where a bulk operation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum OperationState {
    Queued,
    Running,
    Done,
    Failed,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_spelling_is_the_contract() {
        assert_eq!(serde_json::to_string(&Status::Warning).unwrap(), "\"Warning\"");
        assert_eq!("Failed".parse::<Status>().unwrap(), Status::Failed);
        assert!("failed".parse::<Status>().is_err());
        assert_eq!(Status::Success.worst(Status::Failed), Status::Failed);
        assert_eq!(Status::Warning.worst(Status::Success), Status::Warning);
    }

    #[test]
    fn roles_round_trip() {
        for r in Role::ALL {
            assert_eq!(r.as_str().parse::<Role>().unwrap(), r);
            assert_eq!(serde_json::to_string(&r).unwrap(), format!("\"{}\"", r.as_str()));
        }
    }
}
