//! A job's lifecycle after its approval: rename, move to another customer,
//! archive, merge, delete, undo the approval.

use serde::{Deserialize, Serialize};

use crate::{Job, Operation};

macro_rules! dto {
    ($($item:item)*) => {
        $(
            #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
            #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
            $item
        )*
    };
}

dto! {
    /// A new display name; the identity from the mails stays. The name the
    /// reports give restores it.
    pub struct RenameJob {
        pub name: String,
    }

    /// The job and every run of it move to this customer.
    pub struct MoveJob {
        pub customer_id: String,
    }

    /// The job named merges into the job of the path: its runs, remarks,
    /// tickets and job-scoped overrides move over, and its identity routes
    /// to the kept job from then on.
    pub struct MergeJob {
        pub from_job_id: String,
    }

    /// Confirms a destructive change: the job's name, typed again.
    pub struct ConfirmJob {
        pub confirm: String,
    }

    /// What a lifecycle change did: the job as it is now (none once it is
    /// deleted or unapproved), and the worker's operation moving or
    /// removing its runs, if there were any.
    pub struct JobChange {
        pub job: Option<Job>,
        pub operation: Option<Operation>,
    }
}

/// Where a job's runs come from: report mails (and ping URLs), a native
/// backup policy run by engines, or a third-party platform's API.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum JobSource {
    #[default]
    Mail,
    /// A native policy: one job per policy; its runs are the engines' agent jobs.
    Native { policy_id: String },
    /// A job of a registered platform, by the platform's own job id.
    Platform { platform_id: String, external_id: String },
}

impl JobSource {
    pub fn is_mail(&self) -> bool {
        matches!(self, JobSource::Mail)
    }

    /// `mail`, `native` or `platform`: the Jobs page's source filter.
    pub fn kind(&self) -> JobSourceKind {
        match self {
            JobSource::Mail => JobSourceKind::Mail,
            JobSource::Native { .. } => JobSourceKind::Native,
            JobSource::Platform { .. } => JobSourceKind::Platform,
        }
    }
}

wire_enum!(
    /// Where a job's runs come from, as the Jobs page filters it.
    JobSourceKind { Mail = "mail", Native = "native", Platform = "platform" }
);
