//! Who may do what: the rights of each role and the actor a use case acts
//! for. Every use case checks its permission on the server, whatever the UI
//! shows; the [`Permission`] enum itself is shared with the frontend.

use bc_api_types::{Permission, Role};

use crate::error::{Error, Result};
use crate::model::User;

/// The rights of each role, from the review-workflow seed: viewers only look;
/// reporters look and see and export reports; operators review and approve
/// but cannot unmark; admins do everything.
pub fn role_has(role: Role, p: Permission) -> bool {
    use Permission::*;
    match role {
        Role::Admin => true,
        Role::Operator => matches!(
            p,
            ViewRunChecks
                | Review
                | ViewInbox
                | Approve
                | DeleteMail
                | Reparse
                | IngestMail
                | ViewJobs
                | ViewCustomers
                | ManageCustomers
                | ViewOperations
                | ViewOverrides
                | ManageOverrides
                | ManageRemarks
                | ManageTickets
                | ManageJobs
                | ViewDailyJobs
                | ManageSchedules
                | MuteAlerts
                | ViewTapes
                | ManageTapes
                | ViewBackup
                | ManageBackup
                | RestoreBackup
        ),
        Role::Reporter => matches!(p, ViewJobs | ViewCustomers | ViewReports | ViewDailyJobs | ViewTapes | ViewBackup),
        Role::Viewer => matches!(p, ViewJobs | ViewCustomers | ViewDailyJobs | ViewTapes | ViewBackup),
    }
}

pub fn permissions_of(role: Role) -> Vec<Permission> {
    Permission::ALL.iter().copied().filter(|p| role_has(role, *p)).collect()
}

/// The signed-in user (or API token) a use case acts for.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Actor {
    pub user_id: String,
    pub username: String,
    pub role: Role,
}

impl Actor {
    pub fn can(&self, p: Permission) -> bool {
        role_has(self.role, p)
    }

    pub fn require(&self, p: Permission) -> Result<()> {
        if self.can(p) { Ok(()) } else { Err(Error::Forbidden(p)) }
    }

    /// The actor for work the system does itself (ingest, scheduler, CLI).
    pub fn system() -> Actor {
        Actor { user_id: "system".into(), username: "system".into(), role: Role::Admin }
    }

    pub fn of(user: &User) -> Actor {
        Actor { user_id: user.id.clone(), username: user.username.clone(), role: user.role }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_roles() {
        // viewer: no Run Checks, no review, no approve
        for p in [Permission::ViewRunChecks, Permission::Review, Permission::Approve] {
            assert!(!role_has(Role::Viewer, p));
            assert!(!role_has(Role::Reporter, p));
        }
        // operator: review, approve, but cannot unmark
        assert!(role_has(Role::Operator, Permission::Review));
        assert!(role_has(Role::Operator, Permission::Approve));
        assert!(!role_has(Role::Operator, Permission::Unreview));
        assert!(!role_has(Role::Operator, Permission::ManageUsers));
        assert!(!role_has(Role::Operator, Permission::ViewAudit));
        assert!(!role_has(Role::Operator, Permission::ManageApiTokens));
        // remarks and tickets: operators and admins create and resolve;
        // viewers and reporters cannot; only admins delete tickets or edit
        // another user's remark
        for p in [Permission::ManageRemarks, Permission::ManageTickets] {
            assert!(role_has(Role::Operator, p));
            assert!(!role_has(Role::Viewer, p));
            assert!(!role_has(Role::Reporter, p));
        }
        for p in [Permission::DeleteTickets, Permission::EditAnyRemark] {
            assert!(!role_has(Role::Operator, p));
            assert!(!role_has(Role::Viewer, p));
            assert!(!role_has(Role::Reporter, p));
            assert!(role_has(Role::Admin, p));
        }
        // reports: admins and reporters; operators and viewers not
        assert!(role_has(Role::Reporter, Permission::ViewReports));
        assert!(!role_has(Role::Operator, Permission::ViewReports));
        assert!(!role_has(Role::Viewer, Permission::ViewReports));
        assert!(role_has(Role::Reporter, Permission::ViewJobs));
        // reporter: reading and reporting, nothing that changes state
        for p in [Permission::ManageCustomers, Permission::Unreview, Permission::ManageUsers, Permission::ViewInbox] {
            assert!(!role_has(Role::Reporter, p));
        }
        // Daily Jobs: every role looks; only operators and admins set
        // schedules and maintenance windows
        for r in Role::ALL {
            assert!(role_has(r, Permission::ViewDailyJobs));
        }
        assert!(role_has(Role::Operator, Permission::ManageSchedules));
        assert!(!role_has(Role::Viewer, Permission::ManageSchedules));
        assert!(!role_has(Role::Reporter, Permission::ManageSchedules));
        // tapes: every role looks; operators and admins write; only admins delete
        for r in Role::ALL {
            assert!(role_has(r, Permission::ViewTapes));
        }
        assert!(role_has(Role::Operator, Permission::ManageTapes));
        assert!(!role_has(Role::Operator, Permission::DeleteTapes));
        for p in [Permission::ManageTapes, Permission::DeleteTapes] {
            assert!(!role_has(Role::Viewer, p));
            assert!(!role_has(Role::Reporter, p));
        }
        // backup (seed 001): every role views; operators and admins manage and
        // restore; only admins create registration secrets (enrol engines)
        for r in Role::ALL {
            assert!(role_has(r, Permission::ViewBackup));
        }
        for p in [Permission::ManageBackup, Permission::RestoreBackup] {
            assert!(role_has(Role::Operator, p));
            assert!(!role_has(Role::Viewer, p));
            assert!(!role_has(Role::Reporter, p));
        }
        assert!(!role_has(Role::Operator, Permission::EnrollEngines));
        // admin: everything
        assert!(Permission::ALL.iter().all(|p| role_has(Role::Admin, *p)));
    }
}
