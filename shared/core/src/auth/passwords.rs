//! Passwords: argon2id hashes, made and checked off the async threads
//! (tens of milliseconds of CPU each: [`hash_off_thread`],
//! [`verify_off_thread`]), and the rules a new password and username must meet.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};

use crate::error::{Error, Result};

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

/// [`hash_password`] on the blocking pool, so a burst of sign-ins or
/// password changes never stalls the async threads serving other requests.
pub async fn hash_off_thread(password: &str) -> Result<String> {
    let pw = password.to_string();
    tokio::task::spawn_blocking(move || hash_password(&pw))
        .await
        .map_err(|e| Error::Backend(format!("password hashing: {e}")))?
}

/// [`verify_password`] on the blocking pool.
pub async fn verify_off_thread(password: &str, phc: &str) -> Result<bool> {
    let (pw, phc) = (password.to_string(), phc.to_string());
    tokio::task::spawn_blocking(move || verify_password(&pw, &phc))
        .await
        .map_err(|e| Error::Backend(format!("password check: {e}")))
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

#[cfg(test)]
mod tests {
    use super::*;

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
