//! Storage target credentials: write-only, encrypted at rest through the
//! Secrets port (Secrets Manager under the stack's KMS key on AWS, the key
//! file and AES-256-GCM locally) as one secret, `storage`, holding a JSON
//! map of target id to credential. Never returned by the API; a target
//! says only whether it has one and its type. A credentialed target needs
//! an organization-scoped (customer) engine and fails closed otherwise.
//!
//! The secret is read, changed and written whole; two admins saving
//! credentials in the same instant could lose one write (Secrets Manager
//! has no conditional put). Rare in practice; the audit trail shows both.

use std::collections::BTreeMap;

use bc_api_types as api;

use crate::app::App;
use crate::error::{Error, Result};
use crate::ports::SecretName;

type Vault = BTreeMap<String, api::StorageCredential>;

/// Checks a credential's fields and that the engine may hold one.
pub fn check(engine: &api::Engine, c: &api::StorageCredential) -> Result<()> {
    if engine.customer_id.is_none() {
        return Err(Error::Invalid(
            "credentialed storage targets need an organization-scoped engine (this engine is account-scoped)".into(),
        ));
    }
    let len = |s: &str, max: usize| !s.trim().is_empty() && s.chars().count() <= max;
    if !len(&c.username, 200) || !len(&c.secret, 4096) || !len(&c.credential_type, 50) {
        return Err(Error::Invalid(
            "a credential has a username (at most 200), a secret (at most 4096) and a type (at most 50 characters)"
                .into(),
        ));
    }
    Ok(())
}

impl App {
    async fn read_vault(&self) -> Result<Vault> {
        match self.secrets.get(SecretName::Storage).await? {
            None => Ok(Vault::new()),
            Some(s) if s.trim().is_empty() => Ok(Vault::new()),
            Some(s) => serde_json::from_str(&s).map_err(|_| {
                Error::Backend("the storage credentials secret is not the JSON this release writes".into())
            }),
        }
    }

    async fn write_vault(&self, v: &Vault) -> Result<()> {
        let json = serde_json::to_string(v).map_err(|e| Error::Backend(e.to_string()))?;
        Ok(self.secrets.put(SecretName::Storage, &json).await?)
    }

    /// Sets (or replaces) a target's credential.
    pub(crate) async fn put_credential(&self, target_id: &str, c: &api::StorageCredential) -> Result<()> {
        let mut v = self.read_vault().await?;
        v.insert(
            target_id.to_string(),
            api::StorageCredential {
                username: c.username.trim().to_string(),
                secret: c.secret.clone(),
                credential_type: c.credential_type.trim().to_string(),
            },
        );
        self.write_vault(&v).await
    }

    /// Removes a target's credential (nothing if it has none).
    pub(crate) async fn remove_credential(&self, target_id: &str) -> Result<()> {
        let mut v = self.read_vault().await?;
        if v.remove(target_id).is_some() {
            self.write_vault(&v).await?;
        }
        Ok(())
    }

    /// Whether a target's credential is stored (for tests and support, never its value).
    pub async fn has_stored_credential(&self, target_id: &str) -> Result<bool> {
        Ok(self.read_vault().await?.contains_key(target_id))
    }
}
