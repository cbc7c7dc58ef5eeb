//! Overrides: known noise that an operator declares once ("CBT disabled on
//! SQL02"), so matching runs show as Success with an override marker while
//! their original status stays stored and visible.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::Status;

/// Which jobs an override applies to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum OverrideScope {
    /// Every job.
    Global,
    /// Every job of one customer.
    Customer { customer_id: String },
    /// Every job of a backup software, optionally of one job type.
    Software {
        software: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        job_type: Option<String>,
    },
    /// One job.
    Job { job_id: String },
}

/// Which statuses an override turns into Success.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum StatusMatch {
    Warning,
    Failed,
    /// Warning or Failed.
    Any,
}

impl StatusMatch {
    pub fn matches(self, s: Status) -> bool {
        match self {
            StatusMatch::Warning => s == Status::Warning,
            StatusMatch::Failed => s == Status::Failed,
            StatusMatch::Any => s != Status::Success,
        }
    }
}

/// How an override matches message text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", content = "pattern", rename_all = "snake_case")]
pub enum TextMatch {
    /// The text contains the pattern, ignoring case.
    Contains(String),
    /// The pattern (a regular expression, linear-time engine) finds a match.
    Regex(String),
}

/// What an operator writes: `POST /api/v1/overrides` and `PUT
/// /api/v1/overrides/{id}` (with `version`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OverrideSpec {
    pub scope: OverrideScope,
    /// An object name, exact or a glob (`*`, `?`): the override then applies
    /// per object and the run is recomputed from its objects.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object: Option<String>,
    pub status: StatusMatch,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<TextMatch>,
    /// In effect from (inclusive); none: from now on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_from: Option<DateTime<Utc>>,
    /// In effect until (exclusive); none: open-ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<DateTime<Utc>>,
    /// Why (required).
    pub comment: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OverrideUpdate {
    #[serde(flatten)]
    pub spec: OverrideSpec,
    /// The version the edit was made on (409 when it moved on).
    pub version: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Override {
    pub id: String,
    /// Shown as `#12`.
    pub number: u64,
    #[serde(flatten)]
    pub spec: OverrideSpec,
    /// Whether it is in effect now (inside its validity window).
    pub active: bool,
    /// The scope in words: "Every job", the customer's or job's name, the
    /// software (and job type).
    #[serde(default)]
    pub scope_label: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<DateTime<Utc>>,
    pub version: u64,
}

/// An override that applied to a run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OverrideRef {
    pub id: String,
    pub number: u64,
    pub comment: String,
}

/// On a run whose shown status an override changed: what the report said.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RunOverride {
    /// The status the report gave; the run's `status` is what it shows.
    pub original_status: Status,
    pub by: Vec<OverrideRef>,
}

impl RunOverride {
    /// "Warning, overridden by #12: CBT disabled on SQL02".
    pub fn describe(&self) -> String {
        let by: Vec<String> = self.by.iter().map(|o| format!("#{}: {}", o.number, o.comment)).collect();
        format!("{}, overridden by {}", self.original_status.as_str(), by.join("; "))
    }
}
