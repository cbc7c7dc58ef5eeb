//! Sessions and login: the cookie token's hash is the session's key.
//!
//! Password guessing is limited without giving anyone a way to lock an
//! account out (the "familiar client" design of smart-lockout schemes):
//! - per (account, client address): every attempt is counted before its
//!   check, at most [`MAX_ATTEMPTS_PER_ACCOUNT_AND_CLIENT`] per window (a
//!   success starts it anew) — concurrent attempts cannot outrun it;
//! - per client address: at most [`MAX_FAILURES_PER_CLIENT`] failures per
//!   window, whatever the names tried;
//! - per account, only for clients it does not know: attempts from client
//!   addresses that have not completed a sign-in to this account in the
//!   last [`FAMILIAR_DAYS`] days are counted before their check, at most
//!   [`MAX_UNFAMILIAR_ATTEMPTS_PER_ACCOUNT`] per window. A spray of the
//!   admin's name from many addresses uses up that budget, but the admin,
//!   from an address they signed in from before, is not counted in it and
//!   keeps signing in; only their own per-(account, client) limit applies.

use bc_api_types as api;
use chrono::{DateTime, Duration, Utc};

use crate::app::App;
use crate::auth::passwords::{MAX_PASSWORD_LEN, hash_password, verify_off_thread, verify_password};
use crate::auth::permissions::Actor;
use crate::error::{Error, Result};
use crate::ids;
use crate::model::{Session, User};

/// How long a session lives: one working day and a bit.
pub const SESSION_HOURS: i64 = 12;
/// Two-factor code checks per user in one window.
pub const MAX_FAILURES_PER_USER: u64 = 5;
/// Password checks per (account, client address) in one window (a success
/// starts the count anew); also the current-password checks of a password
/// change per user.
pub const MAX_ATTEMPTS_PER_ACCOUNT_AND_CLIENT: u64 = 5;
/// Failed logins per client address in one window, whatever the names.
pub const MAX_FAILURES_PER_CLIENT: u64 = 20;
/// Password checks per account in one window from client addresses that
/// have not signed in to it lately (see the module doc).
pub const MAX_UNFAMILIAR_ATTEMPTS_PER_ACCOUNT: u64 = 10;
/// How long a client address stays familiar after a completed sign-in.
pub const FAMILIAR_DAYS: i64 = 30;
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

/// The familiar-client mark of one [`FAMILIAR_DAYS`] slot (`back` slots ago):
/// the slot is in the key, as with the failure windows, so its age does not
/// depend on when a store drops expired counters.
fn familiar_key(username: &str, client: &str, now: DateTime<Utc>, back: i64) -> String {
    let slot = now.timestamp() / (FAMILIAR_DAYS * 86_400) - back;
    format!("loginok:{}|{client}:{slot}", username.trim().to_lowercase())
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
        let name = username.trim();
        let client_key = window_key("client", client, now);
        if self.store.get_counter(&client_key).await? >= MAX_FAILURES_PER_CLIENT {
            return Err(Error::RateLimited);
        }
        // Count the attempt before checking it: of many concurrent attempts
        // from one client on one name, only the first few get a password
        // check (a check-then-count would let them all through).
        let expires = now + Duration::minutes(FAILURE_WINDOW_MINUTES * 2);
        let pair_key = window_key("pair", &format!("{name}|{client}"), now);
        if self.store.bump_counter(&pair_key, expires).await? > MAX_ATTEMPTS_PER_ACCOUNT_AND_CLIENT {
            return Err(Error::RateLimited);
        }
        // The account's own budget binds only clients it does not know, so
        // spending it (from anywhere) never locks its owner out.
        if !self.familiar(name, client).await? {
            let account_key = window_key("unfamiliar", name, now);
            if self.store.bump_counter(&account_key, expires).await? > MAX_UNFAMILIAR_ATTEMPTS_PER_ACCOUNT {
                return Err(Error::RateLimited);
            }
        }
        let user = if name.len() <= 64 && password.len() <= MAX_PASSWORD_LEN {
            self.store.get_user_by_username(name).await?
        } else {
            None
        };
        let verified = match &user {
            Some(u) => verify_off_thread(password, &u.password_hash).await?,
            // (The dummy hash is made on first use: on the blocking pool too.)
            None => {
                let pw = password.to_string();
                tokio::task::spawn_blocking(move || verify_password(&pw, &DUMMY_HASH))
                    .await
                    .map_err(|e| Error::Backend(format!("password check: {e}")))?
            }
        };
        let user = match (verified, user) {
            (true, Some(u)) if u.active => u,
            _ => {
                self.store.bump_counter(&client_key, expires).await?;
                return Err(Error::Unauthorized);
            }
        };
        self.store.reset_counter(&pair_key).await?;
        let outcome = self.after_password(user).await?;
        if let LoginOutcome::Session(s) = &outcome {
            self.remember_client(&s.user.username, client).await?;
        }
        Ok(outcome)
    }

    /// After a completed sign-in (password, and the code when due): this
    /// client address is familiar to the account for [`FAMILIAR_DAYS`].
    pub(crate) async fn remember_client(&self, username: &str, client: &str) -> Result<()> {
        let now = self.clock.now();
        let key = familiar_key(username, client, now, 0);
        self.store.bump_counter(&key, now + Duration::days(FAMILIAR_DAYS * 2)).await?;
        Ok(())
    }

    /// Whether `client` completed a sign-in to `username` in this or the
    /// previous [`FAMILIAR_DAYS`] slot (so for 30 to 60 days).
    async fn familiar(&self, username: &str, client: &str) -> Result<bool> {
        let now = self.clock.now();
        for back in 0..2 {
            if self.store.get_counter(&familiar_key(username, client, now, back)).await? > 0 {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Counts a current-password check of `user_id` before it is made (at
    /// most [`MAX_ATTEMPTS_PER_ACCOUNT_AND_CLIENT`] per window): a stolen
    /// session cannot be used to guess the password.
    pub(crate) async fn limit_password_recheck(&self, user_id: &str) -> Result<()> {
        let now = self.clock.now();
        let key = window_key("recheck", user_id, now);
        let expires = now + Duration::minutes(FAILURE_WINDOW_MINUTES * 2);
        if self.store.bump_counter(&key, expires).await? > MAX_ATTEMPTS_PER_ACCOUNT_AND_CLIENT {
            return Err(Error::RateLimited);
        }
        Ok(())
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
