//! The rights a role may hold. One enum for the server (which checks them in
//! every use case) and the frontend (which hides what a user may not do), so
//! a renamed permission fails to compile instead of hiding a button wrongly.
//! Which role holds which right is decided in `bc-core` (`auth::role_has`).

use serde::{Deserialize, Serialize};

macro_rules! permissions {
    ($($variant:ident = $wire:literal, $describe:literal;)*) => {
        /// Serialised as its wire name, e.g. `"runs.review"`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        pub enum Permission {
            $(#[serde(rename = $wire)] $variant,)*
        }

        impl Permission {
            pub const ALL: &'static [Permission] = &[$(Permission::$variant,)*];

            /// The wire name.
            pub fn as_str(self) -> &'static str {
                match self { $(Permission::$variant => $wire,)* }
            }

            /// For error messages: "your role may not ...".
            pub fn describe(self) -> &'static str {
                match self { $(Permission::$variant => $describe,)* }
            }
        }
    };
}

permissions! {
    ViewRunChecks = "run_checks.view", "open Run Checks";
    Review = "runs.review", "mark runs as reviewed";
    Unreview = "runs.unreview", "unmark reviewed runs";
    ViewReviews = "runs.view_reviews", "see reviewed runs";
    ViewInbox = "inbox.view", "open the Inbox";
    Approve = "inbox.approve", "approve jobs";
    DeleteMail = "inbox.delete", "delete mails";
    ViewDeletedMail = "inbox.view_deleted", "see deleted mails";
    RestoreMail = "inbox.restore", "restore deleted mails";
    Reparse = "inbox.reparse", "re-parse mails";
    IngestMail = "mails.ingest", "upload mails";
    ViewJobs = "jobs.view", "see jobs";
    ViewCustomers = "customers.view", "see customers";
    ManageCustomers = "customers.manage", "change customers";
    ManageUsers = "users.manage", "manage users";
    ManageSettings = "settings.manage", "change settings";
    ViewAudit = "audit.view", "read the audit trail";
    ManageApiTokens = "api_tokens.manage", "manage API tokens";
    ViewOperations = "operations.view", "follow bulk operations";
    ViewOverrides = "overrides.view", "see overrides";
    ManageOverrides = "overrides.manage", "create and edit overrides";
    DeleteOverrides = "overrides.delete", "delete overrides";
    ManageRemarks = "remarks.manage", "create, edit and resolve remarks";
    EditAnyRemark = "remarks.edit_any", "edit other users' remarks";
    ManageTickets = "tickets.manage", "create and resolve tickets";
    DeleteTickets = "tickets.delete", "delete tickets";
    ViewReports = "reports.view", "see and export reports";
    ManageJobs = "jobs.manage", "rename, move, archive and merge jobs";
    DeleteJobs = "jobs.delete", "delete jobs and undo approvals";
    ManageQuarantine = "quarantine.manage", "see, download and release quarantined mails";
    ViewDailyJobs = "daily_jobs.view", "see Daily Jobs";
    ManageSchedules = "schedules.manage", "set job schedules and maintenance windows";
    ManageAlerts = "alerts.manage", "configure alert channels, rules and the digest";
    MuteAlerts = "alerts.mute", "mute and unmute alerts of jobs and customers";
    ManageDeadLetters = "dead_letters.manage", "see and retry failed background tasks";
    ViewTapes = "tapes.view", "see tapes, tape jobs, locations and custody";
    ManageTapes = "tapes.manage", "register and edit tapes and tape jobs, log locations and custody";
    DeleteTapes = "tapes.delete", "delete tapes and tape jobs";
    ViewBackup = "backup.view", "see backup engines, storage targets, policies, hosts and replicas";
    ManageBackup = "backup.manage", "change backup engines, storage targets, policies, hooks, hosts and replicas";
    RestoreBackup = "backup.restore", "see restore points and run restores";
    EnrollEngines = "backup.enroll", "create and rotate engine registration secrets";
}

impl std::fmt::Display for Permission {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names_are_unique_and_round_trip() {
        let mut seen = std::collections::HashSet::new();
        for p in Permission::ALL {
            assert!(seen.insert(p.as_str()), "duplicate {}", p.as_str());
            let json = serde_json::to_string(p).unwrap();
            assert_eq!(json, format!("\"{}\"", p.as_str()));
            assert_eq!(serde_json::from_str::<Permission>(&json).unwrap(), *p);
        }
    }
}
