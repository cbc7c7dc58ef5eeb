//! Identifiers. Mails, runs and jobs get ids derived from what identifies
//! them, so a redelivered mail or a second approval lands on the same record
//! (idempotency by conditional put); customers, users and sessions get random
//! ones. Ids that arrive from outside are checked here before they reach a
//! store key.

use rand::RngCore;
use sha2::{Digest, Sha256};

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// A stable id: `prefix` and 24 hex digits of the key's SHA-256.
pub fn derived(prefix: &str, key: &str) -> String {
    let h = Sha256::digest(key.as_bytes());
    format!("{prefix}{}", &hex::encode(h)[..24])
}

/// A mail's id from its dedupe key.
pub fn mail_id(dedupe_key: &str) -> String {
    derived("m", dedupe_key)
}

/// The run a mail becomes has an id derived from the mail's.
pub fn run_id(mail_id: &str) -> String {
    derived("r", mail_id)
}

/// A job's id from its identity (normalised sender + software + job name).
pub fn job_id(identity: &str) -> String {
    derived("j", identity)
}

/// A random (version 4) UUID in its usual hyphenated form.
pub fn uuid_v4() -> String {
    let mut b = [0u8; 16];
    rand::rng().fill_bytes(&mut b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex::encode(b);
    format!("{}-{}-{}-{}-{}", &h[0..8], &h[8..12], &h[12..16], &h[16..20], &h[20..32])
}

pub fn random_id(prefix: &str) -> String {
    let mut b = [0u8; 10];
    rand::rng().fill_bytes(&mut b);
    format!("{prefix}{}", hex::encode(b))
}

/// 256 bits of randomness, URL-safe; used for session tokens and one-time passwords.
pub fn random_token(bytes: usize) -> String {
    use base64::Engine;
    let mut b = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut b);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
}

/// Ids arrive from URLs and JSON bodies: accept only our own shape before
/// they reach a store key.
pub fn is_valid_id(id: &str) -> bool {
    (2..=64).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// Most ids one request may name.
pub const MAX_IDS_PER_REQUEST: usize = 1000;

/// An id from a URL or body: a malformed one is simply not found.
pub fn check_id(id: &str, what: &'static str) -> crate::error::Result<()> {
    if is_valid_id(id) { Ok(()) } else { Err(crate::error::Error::NotFound(what)) }
}

pub fn check_ids(ids: &[String], what: &'static str) -> crate::error::Result<()> {
    if ids.len() > MAX_IDS_PER_REQUEST {
        return Err(crate::error::Error::Invalid(format!("at most {MAX_IDS_PER_REQUEST} ids per request")));
    }
    ids.iter().try_for_each(|id| check_id(id, what))
}

/// Page cursors are opaque, but bounded before a store decodes them.
pub fn check_cursor(cursor: Option<&str>) -> crate::error::Result<()> {
    match cursor {
        Some(c) if c.len() > 2048 => Err(crate::error::Error::Invalid("cursor too long".into())),
        _ => Ok(()),
    }
}

/// A plain mail-address check at the edge: one `@`, a dotted domain, no
/// spaces or list separators, at most 254 characters. Returns it trimmed.
pub fn check_mail_address(addr: &str) -> crate::error::Result<String> {
    let a = addr.trim();
    let ok = a.len() <= 254
        && a.split_once('@')
            .is_some_and(|(l, d)| !l.is_empty() && d.contains('.') && !d.starts_with('.') && !d.contains('@'))
        && !a.chars().any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | ',' | ';'));
    if !ok {
        return Err(crate::error::Error::Invalid(format!("{a:?} is not a mail address")));
    }
    Ok(a.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_ids_are_stable_and_prefixed() {
        assert_eq!(mail_id("k"), mail_id("k"));
        assert_ne!(mail_id("k"), mail_id("l"));
        assert!(mail_id("k").starts_with('m'));
        assert_eq!(mail_id("k").len(), 25);
        assert!(is_valid_id(&run_id(&mail_id("k"))));
        assert!(!is_valid_id("../etc/passwd"));
        assert!(!is_valid_id("M1"));
        assert!(!is_valid_id(""));
    }

    #[test]
    fn random_ids_differ() {
        assert_ne!(random_id("c"), random_id("c"));
        assert!(is_valid_id(&random_id("c")));
        assert_eq!(random_token(32).len(), 43);
    }
}
