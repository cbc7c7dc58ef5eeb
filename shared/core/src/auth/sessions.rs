//! Sessions and login: the cookie token's hash is the session's key,
//! failed logins are counted per username and per client address.

use bc_api_types as api;
use chrono::{DateTime, Duration, Utc};

use crate::app::App;
use crate::auth::passwords::{MAX_PASSWORD_LEN, hash_password, verify_password};
use crate::auth::permissions::Actor;
use crate::error::{Error, Result};
use crate::ids;
use crate::model::{Session, User};

/// How long a session lives: one working day and a bit.
pub const SESSION_HOURS: i64 = 12;
/// Login attempts allowed per username (a success starts the count anew),
/// and failed logins per client address, in one window.
pub const MAX_FAILURES_PER_USER: u64 = 5;
pub const MAX_FAILURES_PER_CLIENT: u64 = 20;
pub const FAILURE_WINDOW_MINUTES: i64 = 15;

/// A new session's cookie token (give to the client) and its record.
pub struct NewSession {
    pub token: String,
    pub session: Session,
    pub user: User,
}

/// What a right password leads to.
pub enum LoginOutcome {
    /// No second factor due: signed in.
    Session(Box<NewSession>),
    /// A second step is due (see `two_factor`); `pending_token` goes to the client (not a
    /// session: it opens nothing but the second step).
    SecondStep { pending_token: String, step: api::TwoFactorStep },
}

impl LoginOutcome {
    pub fn into_session(self) -> Option<NewSession> {
        match self {
            LoginOutcome::Session(s) => Some(*s),
            LoginOutcome::SecondStep { .. } => None,
        }
    }
}

pub fn token_hash(token: &str) -> String {
    ids::sha256_hex(token.as_bytes())
}

pub(crate) fn window_key(kind: &str, who: &str, now: DateTime<Utc>) -> String {
    let slot = now.timestamp() / (FAILURE_WINDOW_MINUTES * 60);
    format!("loginfail:{kind}:{}:{slot}", who.to_lowercase())
}

// A valid hash to verify against when the user does not exist, so a login for
// an unknown name costs the same time as one with a wrong password.
static DUMMY_HASH: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| hash_password("not-a-real-password-0").unwrap_or_default());

impl App {
    /// Checks the credentials and opens a session, or the pending state of a
    /// second step when the user has two-factor sign-in (or must enrol).
    /// `client` is the caller's address (for rate limiting); wrong name and
    /// wrong password look the same.
    pub async fn login(&self, username: &str, password: &str, client: &str) -> Result<LoginOutcome> {
        let now = self.clock.now();
        let user_key = window_key("user", username.trim(), now);
        let client_key = window_key("client", client, now);
        if self.store.get_counter(&client_key).await? >= MAX_FAILURES_PER_CLIENT {
            return Err(Error::RateLimited);
        }
        // Count the attempt before checking it: of many concurrent attempts
        // on one name, only the first MAX_FAILURES_PER_USER get a password
        // check (a check-then-count would let them all through).
        let expires = now + Duration::minutes(FAILURE_WINDOW_MINUTES * 2);
        if self.store.bump_counter(&user_key, expires).await? > MAX_FAILURES_PER_USER {
            return Err(Error::RateLimited);
        }
        let user = if username.len() <= 64 && password.len() <= MAX_PASSWORD_LEN {
            self.store.get_user_by_username(username.trim()).await?
        } else {
            None
        };
        // argon2 takes tens of milliseconds of CPU: off the async threads.
        let hash = user.as_ref().map(|u| u.password_hash.clone()).unwrap_or_else(|| DUMMY_HASH.clone());
        let pw = password.to_string();
        let verified = tokio::task::spawn_blocking(move || verify_password(&pw, &hash))
            .await
            .map_err(|e| Error::Backend(format!("password check: {e}")))?;
        let user = match (verified, user) {
            (true, Some(u)) if u.active => u,
            _ => {
                self.store.bump_counter(&client_key, expires).await?;
                return Err(Error::Unauthorized);
            }
        };
        self.store.reset_counter(&user_key).await?;
        self.after_password(user).await
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
