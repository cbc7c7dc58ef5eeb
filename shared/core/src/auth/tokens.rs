//! API tokens: admins create named tokens with a role, for RMM and BI
//! tools and scripts. A token is shown once; only its SHA-256 is kept. It
//! works as `Authorization: Bearer <token>` on every API route, with its
//! role's rights, until revoked.

use bc_api_types::{self as api, Permission, Role};
use chrono::Duration;
use subtle::ConstantTimeEq;

use crate::app::App;
use crate::audit::{Change, audit_entry};
use crate::auth::permissions::Actor;
use crate::error::{Error, Result};
use crate::ids;
use crate::model::ApiToken;
use crate::ports::PortError;
use crate::present;
use crate::retry::{self, Attempt};

const PREFIX: &str = "bct_";
/// `last_used_at` is written at most this often per token.
const TOUCH_EVERY_SECS: i64 = 60;

/// `(id, whole token)` of a token string, if it has our shape.
fn split(token: &str) -> Option<(&str, &str)> {
    let rest = token.strip_prefix(PREFIX)?;
    let (id, secret) = rest.split_once('_')?;
    (ids::is_valid_id(id) && (20..=128).contains(&secret.len())).then_some((id, token))
}

fn clean_token_name(name: &str) -> Result<String> {
    let n = name.split_whitespace().collect::<Vec<_>>().join(" ");
    if n.is_empty() || n.chars().count() > 100 || n.chars().any(char::is_control) {
        return Err(Error::Invalid("a token name has 1 to 100 characters, without control characters".into()));
    }
    Ok(n)
}

impl App {
    pub async fn api_tokens(&self, actor: &Actor) -> Result<api::ApiTokenList> {
        actor.require(Permission::ManageApiTokens)?;
        Ok(api::ApiTokenList { items: self.store.list_api_tokens().await?.iter().map(present::api_token).collect() })
    }

    /// Creates a token; the returned `token` is the only time it is shown.
    pub async fn create_api_token(&self, actor: &Actor, name: &str, role: Role) -> Result<api::CreatedApiToken> {
        actor.require(Permission::ManageApiTokens)?;
        let name = clean_token_name(name)?;
        let id = ids::random_id("t");
        let token = format!("{PREFIX}{id}_{}", ids::random_token(32));
        let record = ApiToken {
            id: id.clone(),
            name: name.clone(),
            role,
            token_hash: ids::sha256_hex(token.as_bytes()),
            prefix: token.chars().take(PREFIX.len() + 6).collect(),
            created_by: actor.username.clone(),
            created_at: self.clock.now(),
            last_used_at: None,
            revoked_at: None,
            version: 0,
        };
        self.store.insert_api_token(&record).await?;
        self.audit(audit_entry(
            self,
            actor,
            "api_token",
            &id,
            "create",
            Change::created(serde_json::json!({"name": name, "role": role})),
        ))
        .await?;
        Ok(api::CreatedApiToken { token, api_token: present::api_token(&record) })
    }

    pub async fn revoke_api_token(&self, actor: &Actor, id: &str) -> Result<api::ApiToken> {
        actor.require(Permission::ManageApiTokens)?;
        ids::check_id(id, "API token")?;
        let now = self.clock.now();
        let token = retry::on_conflict("the token", || async {
            let mut t = self.store.get_api_token(id).await?.ok_or(Error::NotFound("API token"))?;
            if t.revoked_at.is_some() {
                return Ok(Attempt::Done((t, false)));
            }
            t.revoked_at = Some(now);
            let r = self.store.update_api_token(&t).await;
            t.version += 1;
            retry::written(r, (t, true))
        })
        .await?;
        if token.1 {
            self.audit(audit_entry(
                self,
                actor,
                "api_token",
                id,
                "revoke",
                Change::fields(serde_json::json!({"revoked_at": null}), serde_json::json!({"revoked_at": now})),
            ))
            .await?;
        }
        Ok(present::api_token(&token.0))
    }

    /// The actor behind an `Authorization: Bearer` token; `Unauthorized`
    /// for an unknown, malformed or revoked one.
    pub async fn authenticate_bearer(&self, token: &str) -> Result<Actor> {
        let (id, whole) = split(token.trim()).ok_or(Error::Unauthorized)?;
        let record = self.store.get_api_token(id).await?.ok_or(Error::Unauthorized)?;
        let hash = ids::sha256_hex(whole.as_bytes());
        let same: bool = hash.as_bytes().ct_eq(record.token_hash.as_bytes()).into();
        if !same || record.revoked_at.is_some() {
            return Err(Error::Unauthorized);
        }
        let now = self.clock.now();
        if record.last_used_at.is_none_or(|t| now - t >= Duration::seconds(TOUCH_EVERY_SECS)) {
            match self.store.touch_api_token(id, now).await {
                Ok(()) | Err(PortError::Conflict(_)) => {}
                Err(e) => tracing::warn!(error = %e, token = id, "recording a token's last use failed"),
            }
        }
        Ok(Actor { user_id: record.id.clone(), username: format!("token:{}", record.name), role: record.role })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_shape() {
        assert!(split("bct_tabc123_0123456789abcdefghijk").is_some());
        assert!(split("bct_T!_0123456789abcdefghijk").is_none());
        assert!(split("bct_tabc_short").is_none());
        assert!(split("Bearer x").is_none());
        assert!(clean_token_name("  rmm   export ").is_ok());
        assert!(clean_token_name("").is_err());
    }
}
