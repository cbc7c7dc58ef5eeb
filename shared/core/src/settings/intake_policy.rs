//! The intake policy: which receiving servers' verdicts are trusted
//! (`trusted_authserv_ids`) and whether mails that fail authentication are
//! held from auto-processing (`hold_failed_authentication`, default on).
//! Cached per process like the keyword rules; a change through this process
//! takes effect at once, elsewhere within [`POLICY_TTL`].

use std::sync::Arc;
use std::time::Instant;

pub use super::policy_cache::{IntakePolicy, POLICY_TTL};
use crate::app::App;
use crate::error::{Error, Result};

pub const TRUSTED_AUTHSERV_IDS: &str = "trusted_authserv_ids";
pub const HOLD_FAILED_AUTHENTICATION: &str = "hold_failed_authentication";

/// Checks and normalises a list of authserv-ids (domain-like tokens).
pub fn check_authserv_ids(ids: &[String]) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for id in ids {
        let id = id.trim().to_ascii_lowercase();
        if id.is_empty() {
            continue;
        }
        let ok = id.len() <= 253
            && id.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
            && !id.starts_with('.');
        if !ok {
            return Err(Error::Invalid(format!(
                "{id:?} is not an authserv-id (a host name such as mx.example.com or amazonses.com)"
            )));
        }
        if !out.contains(&id) {
            out.push(id);
        }
    }
    if out.len() > 20 {
        return Err(Error::Invalid("at most 20 trusted authserv-ids".into()));
    }
    Ok(out)
}

impl App {
    /// The policy as stored (or the runtime's defaults).
    pub(crate) async fn stored_intake_policy(&self) -> Result<IntakePolicy> {
        let trusted = match self.store.get_setting(TRUSTED_AUTHSERV_IDS).await? {
            Some(v) => v.split(',').map(|s| s.trim().to_ascii_lowercase()).filter(|s| !s.is_empty()).collect(),
            None => self.config.default_trusted_authserv_ids.iter().map(|s| s.to_ascii_lowercase()).collect(),
        };
        let hold = self.store.get_setting(HOLD_FAILED_AUTHENTICATION).await?.is_none_or(|v| v != "false");
        Ok(IntakePolicy { trusted, hold_failed_authentication: hold })
    }

    pub(crate) async fn intake_policy(&self) -> Result<Arc<IntakePolicy>> {
        if let Some((at, p)) = self.intake_policy.0.read().await.as_ref()
            && at.elapsed() < POLICY_TTL
        {
            return Ok(p.clone());
        }
        let p = Arc::new(self.stored_intake_policy().await?);
        *self.intake_policy.0.write().await = Some((Instant::now(), p.clone()));
        Ok(p)
    }

    pub(crate) async fn forget_intake_policy(&self) {
        *self.intake_policy.0.write().await = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authserv_ids_are_checked() {
        assert_eq!(
            check_authserv_ids(&[" AmazonSES.com ".into(), "".into(), "amazonses.com".into()]).unwrap(),
            vec!["amazonses.com".to_string()]
        );
        assert!(check_authserv_ids(&["mx example".into()]).is_err());
        assert!(check_authserv_ids(&["a;b".into()]).is_err());
    }
}
