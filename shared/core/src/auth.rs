//! Who may do what, passwords, sessions and login rate limiting. Every use
//! case checks its permission here on the server, whatever the UI shows.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use bc_api_types::Role;
use chrono::{DateTime, Duration, Utc};

use crate::app::App;
use crate::error::{Error, Result};
use crate::ids;
use crate::model::{Session, User};

/// A right a role may hold. The names are part of `Me::permissions`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Permission {
    ViewRunChecks,
    Review,
    Unreview,
    ViewReviews,
    ViewInbox,
    Approve,
    DeleteMail,
    ViewDeletedMail,
    RestoreMail,
    Reparse,
    IngestMail,
    ViewJobs,
    ViewCustomers,
    ManageCustomers,
    ManageUsers,
    ManageSettings,
}

impl Permission {
    pub const ALL: [Permission; 16] = [
        Permission::ViewRunChecks,
        Permission::Review,
        Permission::Unreview,
        Permission::ViewReviews,
        Permission::ViewInbox,
        Permission::Approve,
        Permission::DeleteMail,
        Permission::ViewDeletedMail,
        Permission::RestoreMail,
        Permission::Reparse,
        Permission::IngestMail,
        Permission::ViewJobs,
        Permission::ViewCustomers,
        Permission::ManageCustomers,
        Permission::ManageUsers,
        Permission::ManageSettings,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Permission::ViewRunChecks => "run_checks.view",
            Permission::Review => "runs.review",
            Permission::Unreview => "runs.unreview",
            Permission::ViewReviews => "runs.view_reviews",
            Permission::ViewInbox => "inbox.view",
            Permission::Approve => "inbox.approve",
            Permission::DeleteMail => "inbox.delete",
            Permission::ViewDeletedMail => "inbox.view_deleted",
            Permission::RestoreMail => "inbox.restore",
            Permission::Reparse => "inbox.reparse",
            Permission::IngestMail => "mails.ingest",
            Permission::ViewJobs => "jobs.view",
            Permission::ViewCustomers => "customers.view",
            Permission::ManageCustomers => "customers.manage",
            Permission::ManageUsers => "users.manage",
            Permission::ManageSettings => "settings.manage",
        }
    }

    /// For error messages: "your role may not ...".
    pub fn describe(self) -> &'static str {
        match self {
            Permission::ViewRunChecks => "open Run Checks",
            Permission::Review => "mark runs as reviewed",
            Permission::Unreview => "unmark reviewed runs",
            Permission::ViewReviews => "see reviewed runs",
            Permission::ViewInbox => "open the Inbox",
            Permission::Approve => "approve jobs",
            Permission::DeleteMail => "delete mails",
            Permission::ViewDeletedMail => "see deleted mails",
            Permission::RestoreMail => "restore deleted mails",
            Permission::Reparse => "re-parse mails",
            Permission::IngestMail => "upload mails",
            Permission::ViewJobs => "see jobs",
            Permission::ViewCustomers => "see customers",
            Permission::ManageCustomers => "change customers",
            Permission::ManageUsers => "manage users",
            Permission::ManageSettings => "change settings",
        }
    }
}

/// The rights of each role, from the review-workflow seed: viewers only look;
/// reporters look (and later export reports); operators review and approve
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
        ),
        Role::Reporter | Role::Viewer => matches!(p, ViewJobs | ViewCustomers),
    }
}

pub fn permissions_of(role: Role) -> Vec<Permission> {
    Permission::ALL.into_iter().filter(|p| role_has(role, *p)).collect()
}

/// The signed-in user a use case acts for.
#[derive(Debug, Clone, PartialEq)]
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

pub const MIN_PASSWORD_LEN: usize = 10;
pub const MAX_PASSWORD_LEN: usize = 256;

pub fn hash_password(password: &str) -> Result<String> {
    let mut bytes = [0u8; 16];
    rand::RngCore::fill_bytes(&mut rand::rng(), &mut bytes);
    let salt = SaltString::encode_b64(&bytes).map_err(|e| Error::Backend(format!("salt: {e}")))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| Error::Backend(format!("password hashing failed: {e}")))
}

pub fn verify_password(password: &str, phc: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(h) => Argon2::default().verify_password(password.as_bytes(), &h).is_ok(),
        Err(_) => false,
    }
}

pub fn validate_password(password: &str) -> Result<()> {
    let n = password.chars().count();
    if n < MIN_PASSWORD_LEN {
        return Err(Error::Invalid(format!("the password needs at least {MIN_PASSWORD_LEN} characters")));
    }
    if password.len() > MAX_PASSWORD_LEN {
        return Err(Error::Invalid(format!("the password may have at most {MAX_PASSWORD_LEN} bytes")));
    }
    Ok(())
}

pub fn validate_username(username: &str) -> Result<String> {
    let u = username.trim();
    let ok = (2..=64).contains(&u.len())
        && u.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'));
    if !ok {
        return Err(Error::Invalid("a username has 2 to 64 characters: letters, digits, '.', '_', '-', '@'".into()));
    }
    Ok(u.to_string())
}

/// How long a session lives: one working day and a bit.
pub const SESSION_HOURS: i64 = 12;
/// Failed logins allowed per username, and per client address, in one window.
pub const MAX_FAILURES_PER_USER: u64 = 5;
pub const MAX_FAILURES_PER_CLIENT: u64 = 20;
pub const FAILURE_WINDOW_MINUTES: i64 = 15;

/// A new session's cookie token (give to the client) and its record.
pub struct NewSession {
    pub token: String,
    pub session: Session,
    pub user: User,
}

pub fn token_hash(token: &str) -> String {
    ids::sha256_hex(token.as_bytes())
}

fn window_key(kind: &str, who: &str, now: DateTime<Utc>) -> String {
    let slot = now.timestamp() / (FAILURE_WINDOW_MINUTES * 60);
    format!("loginfail:{kind}:{}:{slot}", who.to_lowercase())
}

// A valid hash to verify against when the user does not exist, so a login for
// an unknown name costs the same time as one with a wrong password.
static DUMMY_HASH: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| hash_password("not-a-real-password-0").unwrap_or_default());

impl App {
    /// Checks the credentials and opens a session. `client` is the caller's
    /// address (for rate limiting); wrong name and wrong password look the same.
    pub async fn login(&self, username: &str, password: &str, client: &str) -> Result<NewSession> {
        let now = self.clock.now();
        let user_key = window_key("user", username.trim(), now);
        let client_key = window_key("client", client, now);
        if self.store.get_counter(&user_key).await? >= MAX_FAILURES_PER_USER
            || self.store.get_counter(&client_key).await? >= MAX_FAILURES_PER_CLIENT
        {
            return Err(Error::RateLimited);
        }
        let user = if username.len() <= 64 && password.len() <= MAX_PASSWORD_LEN {
            self.store.get_user_by_username(username.trim()).await?
        } else {
            None
        };
        let ok = match &user {
            Some(u) => verify_password(password, &u.password_hash) && u.active,
            None => {
                verify_password(password, &DUMMY_HASH);
                false
            }
        };
        let user = match (ok, user) {
            (true, Some(u)) => u,
            _ => {
                let expires = now + Duration::minutes(FAILURE_WINDOW_MINUTES * 2);
                self.store.bump_counter(&user_key, expires).await?;
                self.store.bump_counter(&client_key, expires).await?;
                return Err(Error::Unauthorized);
            }
        };
        self.store.reset_counter(&user_key).await?;
        self.open_session(user).await
    }

    /// The actor behind a session cookie token; `Unauthorized` if the session
    /// is unknown, expired, or its user is deactivated.
    pub async fn authenticate(&self, token: &str) -> Result<Actor> {
        if token.is_empty() || token.len() > 128 {
            return Err(Error::Unauthorized);
        }
        let hash = token_hash(token);
        let session = self.store.get_session(&hash).await?.ok_or(Error::Unauthorized)?;
        if session.expires_at <= self.clock.now() {
            self.store.delete_session(&hash).await?;
            return Err(Error::Unauthorized);
        }
        let user = self.store.get_user(&session.user_id).await?.ok_or(Error::Unauthorized)?;
        let voided = user.sessions_valid_after.is_some_and(|after| session.created_at < after);
        if !user.active || voided {
            return Err(Error::Unauthorized);
        }
        Ok(Actor::of(&user))
    }

    /// A new session for a user who just proved who they are.
    pub(crate) async fn open_session(&self, user: User) -> Result<NewSession> {
        let now = self.clock.now();
        let token = ids::random_token(32);
        let session = Session {
            token_hash: token_hash(&token),
            user_id: user.id.clone(),
            created_at: now,
            expires_at: now + Duration::hours(SESSION_HOURS),
        };
        self.store.insert_session(&session).await?;
        Ok(NewSession { token, session, user })
    }

    pub async fn logout(&self, token: &str) -> Result<()> {
        if !token.is_empty() && token.len() <= 128 {
            self.store.delete_session(&token_hash(token)).await?;
        }
        Ok(())
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
        // admin: everything
        assert!(Permission::ALL.iter().all(|p| role_has(Role::Admin, *p)));
    }

    #[test]
    fn passwords_hash_and_verify() {
        let h = hash_password("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &h));
        assert!(!verify_password("wrong", &h));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn usernames_and_passwords_are_validated() {
        assert!(validate_username("a").is_err());
        assert!(validate_username("jan.de-vries@msp").is_ok());
        assert!(validate_username("bad name").is_err());
        assert!(validate_password("short").is_err());
        assert!(validate_password("long enough pw").is_ok());
    }
}
