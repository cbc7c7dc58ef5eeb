//! Who may write tapes, per role, as admins set it in Settings (seed 002:
//! read or read/write per role for the module; admins always write). Until
//! an admin sets it, every role writes, as the seed says ("other roles
//! default to write until overridden"). Deleting stays with admins
//! (`DeleteTapes`).

use bc_api_types::{self as api, Permission, Role};

use crate::app::App;
use crate::audit::{Change, audit_entry};
use crate::auth::permissions::Actor;
use crate::error::{Error, Result};

/// The settings key: the roles besides admin that write, comma separated.
pub const TAPES_WRITE_ROLES: &str = "tapes_write_roles";

fn writes(a: &api::TapesAccess, role: Role) -> bool {
    match role {
        Role::Admin => true,
        Role::Operator => a.operator_writes,
        Role::Reporter => a.reporter_writes,
        Role::Viewer => a.viewer_writes,
    }
}

impl App {
    async fn tapes_access_now(&self) -> Result<api::TapesAccess> {
        Ok(match self.store.get_setting(TAPES_WRITE_ROLES).await? {
            Some(v) => {
                let roles: Vec<&str> = v.split(',').map(str::trim).collect();
                api::TapesAccess {
                    operator_writes: roles.contains(&"operator"),
                    reporter_writes: roles.contains(&"reporter"),
                    viewer_writes: roles.contains(&"viewer"),
                }
            }
            // The seed's default: every role writes until an admin overrides it.
            None => api::TapesAccess { operator_writes: true, reporter_writes: true, viewer_writes: true },
        })
    }

    /// May the actor write tapes now?
    pub async fn can_write_tapes(&self, actor: &Actor) -> Result<bool> {
        if !actor.can(Permission::ViewTapes) {
            return Ok(false);
        }
        if actor.role == Role::Admin {
            return Ok(true);
        }
        Ok(writes(&self.tapes_access_now().await?, actor.role))
    }

    pub(crate) async fn require_tapes_write(&self, actor: &Actor) -> Result<()> {
        if self.can_write_tapes(actor).await? { Ok(()) } else { Err(Error::Forbidden(Permission::ManageTapes)) }
    }

    pub async fn tapes_access(&self, actor: &Actor) -> Result<api::TapesAccess> {
        actor.require(Permission::ManageSettings)?;
        self.tapes_access_now().await
    }

    pub async fn set_tapes_access(&self, actor: &Actor, access: &api::TapesAccess) -> Result<api::TapesAccess> {
        actor.require(Permission::ManageSettings)?;
        let before = self.tapes_access_now().await?;
        let roles: Vec<&str> = [
            (access.operator_writes, "operator"),
            (access.reporter_writes, "reporter"),
            (access.viewer_writes, "viewer"),
        ]
        .iter()
        .filter(|(w, _)| *w)
        .map(|(_, r)| *r)
        .collect();
        self.store.put_setting(TAPES_WRITE_ROLES, &roles.join(",")).await?;
        let change = Change::diff(&before, access);
        if !change.is_empty() {
            self.audit(audit_entry(self, actor, "settings", "tapes_access", "update", change)).await?;
        }
        Ok(*access)
    }
}
