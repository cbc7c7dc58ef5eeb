//! Two-factor sign-in: TOTP codes (RFC 6238: HMAC-SHA1, 30-second steps,
//! six digits) with one-time recovery codes, the pending state between the
//! password step and the code step, and the MSP-wide "required" setting.

use bc_api_types::{self as api, Permission};
use chrono::{DateTime, Duration, Utc};
use hmac::{KeyInit, Mac};
use serde_json::json;

use crate::app::App;
use crate::audit::{Change, audit_entry};
use crate::auth::passwords::{MAX_PASSWORD_LEN, verify_off_thread};
use crate::auth::permissions::Actor;
use crate::auth::sessions::{FAILURE_WINDOW_MINUTES, LoginOutcome, MAX_FAILURES_PER_USER, NewSession, window_key};
use crate::error::{Error, Result};
use crate::ids;
use crate::model::{Session, TwoFactor, User};

/// Seconds per TOTP step, digits per code, and the steps either side of
/// "now" a code may come from (clock drift between phone and server).
pub const STEP_SECONDS: i64 = 30;
pub const DIGITS: u32 = 6;
pub const WINDOW_STEPS: i64 = 1;
/// How long the state between a right password and a right code lasts.
pub const PENDING_MINUTES: i64 = 5;
pub const RECOVERY_CODES: usize = 10;
/// Settings key of "require two-factor for everyone".
pub(crate) const REQUIRE_SETTING: &str = "require_two_factor";
const ISSUER: &str = "Backupchecks";

/// Who acts on their own two-factor state: a signed-in user, or one who is
/// between the password and the second step (enrolment when it is required).
pub enum Subject<'a> {
    Session(&'a Actor),
    Pending(&'a str),
}

// The pending token's key in the sessions table. The prefix separates it
// from session keys (the SHA-256 of the bare token), so a pending token used
// as a session cookie finds nothing.
fn pending_hash(token: &str) -> String {
    ids::sha256_hex(format!("two-factor-pending:{token}").as_bytes())
}

const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// RFC 4648 base32 without padding (what authenticator apps take). Hand
/// written: a dozen lines, where a crate would be one more dependency.
pub fn base32_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    let (mut buf, mut bits) = (0u32, 0u32);
    for &b in bytes {
        buf = (buf << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(BASE32[((buf >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(BASE32[((buf << (5 - bits)) & 31) as usize] as char);
    }
    out
}

/// Decodes base32, ignoring case, spaces and padding; `None` on any other
/// character.
pub fn base32_decode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() * 5 / 8);
    let (mut buf, mut bits) = (0u32, 0u32);
    for c in s.chars().filter(|c| !c.is_whitespace() && *c != '=') {
        let v = BASE32.iter().position(|&a| a as char == c.to_ascii_uppercase())? as u32;
        buf = ((buf << 5) | v) & 0xFFFF;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((buf >> bits) as u8);
        }
    }
    Some(out)
}

/// The code of one time step (RFC 6238 / RFC 4226 dynamic truncation).
pub fn totp_code(secret: &[u8], step: i64) -> String {
    // HMAC takes keys of any length, so this cannot fail.
    let Ok(mut mac) = hmac::Hmac::<sha1::Sha1>::new_from_slice(secret) else {
        return String::new();
    };
    mac.update(&step.to_be_bytes());
    let h = mac.finalize().into_bytes();
    let off = (h[h.len() - 1] & 0x0f) as usize;
    let bin = u32::from_be_bytes([h[off] & 0x7f, h[off + 1], h[off + 2], h[off + 3]]);
    format!("{:0width$}", bin % 10u32.pow(DIGITS), width = DIGITS as usize)
}

/// The time step of an instant.
pub fn step_of(at: DateTime<Utc>) -> i64 {
    at.timestamp().div_euclid(STEP_SECONDS)
}

fn recovery_hash(code: &str) -> String {
    let norm: String = code.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_lowercase()).collect();
    ids::sha256_hex(format!("recovery:{norm}").as_bytes())
}

fn new_recovery_code() -> String {
    let bytes: [u8; 7] = rand::random();
    let s = base32_encode(&bytes).to_lowercase();
    format!("{}-{}", &s[..5], &s[5..10])
}

fn is_totp_shape(code: &str) -> bool {
    code.len() == DIGITS as usize && code.bytes().all(|b| b.is_ascii_digit())
}

fn enrolled(user: &User) -> bool {
    user.two_factor.as_ref().is_some_and(|t| t.confirmed)
}

impl App {
    pub(crate) async fn two_factor_required(&self) -> Result<bool> {
        Ok(self.store.get_setting(REQUIRE_SETTING).await?.as_deref() == Some("true"))
    }

    /// After a right password: a session, or the pending state of a second
    /// step (code, or enrolment when required and not enrolled).
    pub(crate) async fn after_password(&self, user: User) -> Result<LoginOutcome> {
        let step = if enrolled(&user) {
            api::TwoFactorStep::Code
        } else if self.two_factor_required().await? {
            api::TwoFactorStep::Enrol
        } else {
            return Ok(LoginOutcome::Session(Box::new(self.open_session(user).await?)));
        };
        let now = self.clock.now();
        let token = ids::random_token(32);
        let pending = Session {
            token_hash: pending_hash(&token),
            user_id: user.id.clone(),
            created_at: now,
            expires_at: now + Duration::minutes(PENDING_MINUTES),
        };
        self.store.insert_session(&pending).await?;
        Ok(LoginOutcome::SecondStep { pending_token: token, step })
    }

    /// The user behind a pending token; `Unauthorized` if unknown or expired.
    async fn pending_user(&self, token: &str) -> Result<User> {
        if token.is_empty() || token.len() > 128 {
            return Err(Error::Unauthorized);
        }
        let hash = pending_hash(token);
        let pending = self.store.get_session(&hash).await?.ok_or(Error::Unauthorized)?;
        if pending.expires_at <= self.clock.now() {
            self.store.delete_session(&hash).await?;
            return Err(Error::Unauthorized);
        }
        let user = self.store.get_user(&pending.user_id).await?.ok_or(Error::Unauthorized)?;
        if !user.active {
            return Err(Error::Unauthorized);
        }
        Ok(user)
    }

    async fn subject_user(&self, subject: &Subject<'_>) -> Result<User> {
        match subject {
            Subject::Session(actor) => self.store.get_user(&actor.user_id).await?.ok_or(Error::Unauthorized),
            Subject::Pending(token) => self.pending_user(token).await,
        }
    }

    /// The second login step: a code or a recovery code for the user of the
    /// pending token. Attempts count like passwords do.
    pub async fn login_with_code(&self, pending_token: &str, code: &str, client: &str) -> Result<NewSession> {
        let user = self.pending_user(pending_token).await?;
        if !enrolled(&user) {
            return Err(Error::Invalid("enrol a second factor first".into()));
        }
        let user = self.check_code(user, code, client).await?;
        self.remember_client(&user.username, client).await?;
        self.store.delete_session(&pending_hash(pending_token)).await?;
        self.open_session(user).await
    }

    /// Checks a code or recovery code against an enrolled user and records
    /// its use (the step, or the spent recovery code). Returns the user as
    /// stored after that.
    async fn check_code(&self, mut user: User, code: &str, client: &str) -> Result<User> {
        let now = self.clock.now();
        let user_key = window_key("2fa", &user.id, now);
        let client_key = window_key("client", client, now);
        let expires = now + Duration::minutes(FAILURE_WINDOW_MINUTES * 2);
        // Counted before the check, as with passwords: concurrent guesses
        // get at most MAX_FAILURES_PER_USER checks per window.
        if self.store.bump_counter(&user_key, expires).await? > MAX_FAILURES_PER_USER {
            return Err(Error::RateLimited);
        }
        let code = code.trim();
        let tf = user.two_factor.as_mut().ok_or(Error::Unauthorized)?;
        let accepted = if is_totp_shape(code) {
            let secret =
                base32_decode(&tf.secret).ok_or_else(|| Error::Backend("stored TOTP secret is not base32".into()))?;
            let now_step = step_of(now);
            let hit = (now_step - WINDOW_STEPS..=now_step + WINDOW_STEPS)
                .filter(|s| *s > tf.last_step)
                .find(|s| subtle::ConstantTimeEq::ct_eq(totp_code(&secret, *s).as_bytes(), code.as_bytes()).into());
            hit.map(|s| tf.last_step = s).is_some()
        } else if code.len() <= 64 {
            let h = recovery_hash(code);
            let before = tf.recovery_hashes.len();
            tf.recovery_hashes.retain(|x| *x != h);
            tf.recovery_hashes.len() < before
        } else {
            false
        };
        if !accepted {
            self.store.bump_counter(&client_key, expires).await?;
            return Err(Error::Unauthorized);
        }
        // The versioned write makes the step (or recovery code) single-use
        // even for two requests racing with the same code: one of them loses.
        self.store.update_user(&user).await.map_err(|e| match e {
            crate::ports::PortError::Conflict(_) => Error::Unauthorized,
            e => e.into(),
        })?;
        user.version += 1;
        self.store.reset_counter(&user_key).await?;
        Ok(user)
    }

    pub async fn two_factor_status(&self, actor: &Actor) -> Result<api::TwoFactorStatus> {
        let user = self.store.get_user(&actor.user_id).await?.ok_or(Error::Unauthorized)?;
        let left = user.two_factor.as_ref().filter(|t| t.confirmed).map_or(0, |t| t.recovery_hashes.len());
        Ok(api::TwoFactorStatus {
            enrolled: enrolled(&user),
            required: self.two_factor_required().await?,
            recovery_codes_left: left as u32,
        })
    }

    /// Starts enrolment: a new secret, shown this once. Starting again before
    /// confirming replaces it; an enrolled user must disable first.
    pub async fn begin_two_factor(&self, subject: Subject<'_>) -> Result<api::TwoFactorEnrolment> {
        let mut user = self.subject_user(&subject).await?;
        if enrolled(&user) {
            return Err(Error::Conflict("two-factor sign-in is already on; disable it first to enrol again".into()));
        }
        let bytes: [u8; 20] = rand::random();
        let secret = base32_encode(&bytes);
        user.two_factor = Some(TwoFactor {
            secret: secret.clone(),
            confirmed: false,
            last_step: 0,
            recovery_hashes: Vec::new(),
            enrolled_at: self.clock.now(),
        });
        self.store.update_user(&user).await?;
        let label = user.username.replace('@', "%40");
        let otpauth_uri = format!(
            "otpauth://totp/{ISSUER}:{label}?secret={secret}&issuer={ISSUER}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECONDS}"
        );
        Ok(api::TwoFactorEnrolment { secret, otpauth_uri })
    }

    /// Confirms enrolment with a code from the app; returns the recovery
    /// codes (shown once) and, for a pending subject, the session that the
    /// finished enrolment opens.
    pub async fn confirm_two_factor(
        &self,
        subject: Subject<'_>,
        code: &str,
        client: &str,
    ) -> Result<(api::RecoveryCodes, Option<NewSession>)> {
        let mut user = self.subject_user(&subject).await?;
        match &user.two_factor {
            Some(t) if t.confirmed => return Err(Error::Conflict("two-factor sign-in is already on".into())),
            None => return Err(Error::Invalid("start enrolment first".into())),
            Some(_) => {}
        }
        if !is_totp_shape(code.trim()) {
            return Err(Error::Invalid(format!("enter the {DIGITS}-digit code the app shows")));
        }
        let codes: Vec<String> = (0..RECOVERY_CODES).map(|_| new_recovery_code()).collect();
        if let Some(t) = user.two_factor.as_mut() {
            t.recovery_hashes = codes.iter().map(|c| recovery_hash(c)).collect();
        }
        let mut user = self.check_code(user, code, client).await?;
        if let Some(t) = user.two_factor.as_mut() {
            t.confirmed = true;
            t.enrolled_at = self.clock.now();
        }
        self.store.update_user(&user).await?;
        user.version += 1;
        let actor = Actor::of(&user);
        let change = Change::fields(json!({"two_factor": "off"}), json!({"two_factor": "on"}));
        self.audit(audit_entry(self, &actor, "user", &user.id, "enrol_two_factor", change)).await?;
        let session = match subject {
            Subject::Session(_) => None,
            Subject::Pending(token) => {
                self.store.delete_session(&pending_hash(token)).await?;
                // A finished sign-in: this client is familiar to the account now.
                self.remember_client(&user.username, client).await?;
                Some(self.open_session(user).await?)
            }
        };
        Ok((api::RecoveryCodes { codes }, session))
    }

    /// Turns two-factor off for oneself: the password and a code (or a
    /// recovery code). Refused while it is required for everyone.
    pub async fn disable_two_factor(&self, actor: &Actor, password: &str, code: &str, client: &str) -> Result<()> {
        let user = self.store.get_user(&actor.user_id).await?.ok_or(Error::Unauthorized)?;
        if !enrolled(&user) {
            return Err(Error::Invalid("two-factor sign-in is not on".into()));
        }
        if self.two_factor_required().await? {
            return Err(Error::Invalid("an admin requires two-factor sign-in for everyone".into()));
        }
        self.limit_password_recheck(&user.id).await?;
        let right = password.len() <= MAX_PASSWORD_LEN && verify_off_thread(password, &user.password_hash).await?;
        if !right {
            return Err(Error::Invalid("the password is wrong".into()));
        }
        let mut user = self.check_code(user, code, client).await.map_err(|e| match e {
            Error::Unauthorized => Error::Invalid("the code is wrong or was used already".into()),
            e => e,
        })?;
        user.two_factor = None;
        self.store.update_user(&user).await?;
        let change = Change::fields(json!({"two_factor": "on"}), json!({"two_factor": "off"}));
        self.audit(audit_entry(self, actor, "user", &user.id, "disable_two_factor", change)).await?;
        Ok(())
    }

    /// Sets "require two-factor for everyone". Turning it on needs the admin
    /// to be enrolled (or they would lock themselves out) and ends the
    /// sessions of users without it, who enrol at their next sign-in.
    pub(crate) async fn set_two_factor_required(&self, actor: &Actor, required: bool) -> Result<()> {
        actor.require(Permission::ManageSettings)?;
        let before = self.two_factor_required().await?;
        if before == required {
            return Ok(());
        }
        if required {
            let me = self.store.get_user(&actor.user_id).await?;
            if !me.as_ref().is_some_and(enrolled) {
                return Err(Error::Invalid("turn on two-factor sign-in for yourself before requiring it".into()));
            }
        }
        self.store.put_setting(REQUIRE_SETTING, if required { "true" } else { "false" }).await?;
        if required {
            let now = self.clock.now();
            for mut u in self.store.list_users().await? {
                if !enrolled(&u) {
                    u.sessions_valid_after = Some(now);
                    self.store.update_user(&u).await?;
                }
            }
        }
        let change = Change::fields(json!({"require_two_factor": before}), json!({"require_two_factor": required}));
        self.audit(audit_entry(self, actor, "settings", REQUIRE_SETTING, "update", change)).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc6238_sha1_vectors() {
        // RFC 6238 appendix B, SHA-1, last six of the eight digits.
        let secret = b"12345678901234567890";
        for (t, code) in [(59, "287082"), (1111111109, "081804"), (1234567890, "005924"), (2000000000, "279037")] {
            assert_eq!(totp_code(secret, t / STEP_SECONDS), code, "t={t}");
        }
    }

    #[test]
    fn base32_round_trips_rfc4648_vectors() {
        for (plain, enc) in [("", ""), ("f", "MY"), ("fo", "MZXQ"), ("foo", "MZXW6"), ("foobar", "MZXW6YTBOI")] {
            assert_eq!(base32_encode(plain.as_bytes()), enc);
            assert_eq!(base32_decode(enc).unwrap(), plain.as_bytes());
        }
        assert_eq!(base32_decode("mzxw 6ytb oi==").unwrap(), b"foobar");
        assert!(base32_decode("MZ1").is_none());
    }

    #[test]
    fn recovery_codes_normalise() {
        let c = new_recovery_code();
        assert_eq!(c.len(), 11);
        assert_eq!(recovery_hash(&c), recovery_hash(&c.to_uppercase().replace('-', " ")));
    }
}
