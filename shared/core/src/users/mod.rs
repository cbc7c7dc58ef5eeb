//! Users: admins create them, set roles, reset passwords, deactivate. The
//! first start of an empty store creates an admin with a one-time password.

pub mod repo;

use bc_api_types::{self as api, Permission, Role};
use serde_json::json;

use crate::app::App;
use crate::audit::{Change, audit_entry};
use crate::auth::passwords as auth;
use crate::auth::permissions::{Actor, permissions_of};
use crate::auth::sessions::NewSession;
use crate::error::{Error, Result};
use crate::ids::{self, check_id};
use crate::model::User;
use crate::ports::PortError;
use crate::present;

/// A password change shows in the trail as a fact, never as a value.
fn mark_password_changed(change: &mut Change) {
    for (side, v) in [(&mut change.before, "old"), (&mut change.after, "changed")] {
        if let Some(serde_json::Value::Object(m)) = side {
            m.insert("password".into(), json!(v));
        }
    }
}

impl App {
    pub async fn users(&self, actor: &Actor) -> Result<api::UserList> {
        actor.require(Permission::ManageUsers)?;
        Ok(api::UserList { items: self.store.list_users().await?.iter().map(present::user).collect() })
    }

    pub async fn create_user(&self, actor: &Actor, username: &str, password: &str, role: Role) -> Result<api::User> {
        actor.require(Permission::ManageUsers)?;
        let username = auth::validate_username(username)?;
        auth::validate_password(password)?;
        let user = User {
            id: ids::random_id("u"),
            username: username.clone(),
            password_hash: auth::hash_off_thread(password).await?,
            role,
            active: true,
            created_at: self.clock.now(),
            sessions_valid_after: None,
            two_factor: None,
            version: 0,
        };
        self.store.insert_user(&user).await.map_err(|e| match e {
            PortError::Conflict(_) => Error::Conflict(format!("the username {username:?} is taken")),
            other => other.into(),
        })?;
        let change = Change::created(json!({"username": user.username, "role": user.role, "active": user.active}));
        self.audit(audit_entry(self, actor, "user", &user.id, "create", change)).await?;
        Ok(present::user(&user))
    }

    pub async fn update_user(&self, actor: &Actor, id: &str, change: &api::UpdateUser) -> Result<api::User> {
        actor.require(Permission::ManageUsers)?;
        check_id(id, "user")?;
        if let Some(p) = &change.password {
            auth::validate_password(p)?;
        }
        let mut user = self.store.get_user(id).await?.ok_or(Error::NotFound("user"))?;
        let before = user.clone();
        let loses_admin = user.role == Role::Admin
            && user.active
            && (change.role.is_some_and(|r| r != Role::Admin) || change.active == Some(false));
        if loses_admin {
            let admins =
                self.store.list_users().await?.into_iter().filter(|u| u.role == Role::Admin && u.active).count();
            if admins <= 1 {
                return Err(Error::Conflict("this is the last active admin; make another admin first".into()));
            }
        }
        if let Some(r) = change.role {
            user.role = r;
        }
        if let Some(a) = change.active {
            user.active = a;
        }
        if let Some(p) = &change.password {
            user.password_hash = auth::hash_off_thread(p).await?;
            // A reset ends every session opened with the old password.
            user.sessions_valid_after = Some(self.clock.now());
        }
        self.store.update_user(&user).await?;
        user.version += 1;
        let password_changed = change.password.is_some();
        let mut change = Change::diff(&before, &user);
        if password_changed {
            mark_password_changed(&mut change);
        }
        if !change.is_empty() {
            self.audit(audit_entry(self, actor, "user", &user.id, "update", change)).await?;
        }
        Ok(present::user(&user))
    }

    /// Changes one's own password after checking the current one. Every
    /// session ends, this one included; the caller gets a fresh one.
    pub async fn change_own_password(&self, actor: &Actor, current: &str, new: &str) -> Result<NewSession> {
        auth::validate_password(new)?;
        let mut user = self.store.get_user(&actor.user_id).await?.ok_or(Error::Unauthorized)?;
        // Limited like a login: a session left open must not become a way
        // to guess the password (counted before the check).
        self.limit_password_recheck(&user.id).await?;
        if current.len() > crate::auth::passwords::MAX_PASSWORD_LEN
            || !auth::verify_off_thread(current, &user.password_hash).await?
        {
            return Err(Error::Invalid("the current password is wrong".into()));
        }
        user.password_hash = auth::hash_off_thread(new).await?;
        user.sessions_valid_after = Some(self.clock.now());
        self.store.update_user(&user).await?;
        user.version += 1;
        let change = Change::fields(json!({"password": "old"}), json!({"password": "changed"}));
        self.audit(audit_entry(self, actor, "user", &user.id, "change_password", change)).await?;
        // Opened at or after the cut-off, so it stays valid.
        self.open_session(user).await
    }

    /// For the CLI (`backupchecks admin create-user`): no session needed.
    pub async fn create_user_unchecked(&self, username: &str, password: &str, role: Role) -> Result<api::User> {
        self.create_user(&Actor::system(), username, password, role).await
    }

    /// If the store has no users, creates `admin` with a random one-time
    /// password and returns it (to print once).
    pub async fn bootstrap_admin(&self) -> Result<Option<(String, String)>> {
        if !self.store.list_users().await?.is_empty() {
            return Ok(None);
        }
        let password = ids::random_token(15);
        match self.create_user_unchecked("admin", &password, Role::Admin).await {
            Ok(_) => Ok(Some(("admin".into(), password))),
            // Another process won the race.
            Err(Error::Conflict(_)) => Ok(None),
            Err(e) => Err(e),
        }
    }

    pub fn me(&self, actor: &Actor) -> api::Me {
        api::Me {
            id: actor.user_id.clone(),
            username: actor.username.clone(),
            role: actor.role,
            permissions: permissions_of(actor.role),
        }
    }
}
