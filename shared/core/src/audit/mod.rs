//! The audit trail: every state change by a person or by the system records
//! who, when, which entity, what action, and the changed fields before and
//! after (secrets never). Append-only for the application; kept for
//! `Config::audit_retention_days`.

pub mod repo;

use bc_api_types::{self as api, Permission};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::app::App;
use crate::auth::permissions::Actor;
use crate::error::{Error, Result};
use crate::ids;
use crate::model::AuditRecord;
use crate::present;
use repo::AuditFilter;

/// Fields that never go into the trail.
const NEVER: [&str; 4] = ["password_hash", "token_hash", "version", "secret"];

/// The before and after of one change.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Change {
    pub before: Option<Value>,
    pub after: Option<Value>,
}

fn scrub(v: Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(m.into_iter().filter(|(k, _)| !NEVER.contains(&k.as_str())).collect()),
        other => other,
    }
}

impl Change {
    pub fn created(after: Value) -> Change {
        Change { before: None, after: Some(scrub(after)) }
    }

    pub fn deleted(before: Value) -> Change {
        Change { before: Some(scrub(before)), after: None }
    }

    pub fn fields(before: Value, after: Value) -> Change {
        Change { before: Some(scrub(before)), after: Some(scrub(after)) }
    }

    /// Only the top-level fields that differ between two states of an
    /// entity (never its secrets or version).
    pub fn diff<T: Serialize>(before: &T, after: &T) -> Change {
        let (Ok(Value::Object(b)), Ok(Value::Object(a))) = (serde_json::to_value(before), serde_json::to_value(after))
        else {
            return Change::default();
        };
        let mut bo = Map::new();
        let mut ao = Map::new();
        for (k, av) in &a {
            if NEVER.contains(&k.as_str()) {
                continue;
            }
            let bv = b.get(k).cloned().unwrap_or(Value::Null);
            if &bv != av {
                bo.insert(k.clone(), bv);
                ao.insert(k.clone(), av.clone());
            }
        }
        Change { before: Some(Value::Object(bo)), after: Some(Value::Object(ao)) }
    }

    pub fn is_empty(&self) -> bool {
        let empty = |v: &Option<Value>| v.as_ref().is_none_or(|v| v.as_object().is_some_and(Map::is_empty));
        empty(&self.before) && empty(&self.after)
    }
}

/// A new entry with a random id, stamped now.
pub fn audit_entry(
    app: &App,
    actor: &Actor,
    entity_type: &str,
    entity_id: &str,
    action: &str,
    change: Change,
) -> AuditRecord {
    audit_entry_with_id(app, ids::random_id("a"), actor, entity_type, entity_id, action, change)
}

/// A new entry with an id the caller derives (so a redelivered task writes
/// the same entry, which the store keeps once).
pub fn audit_entry_with_id(
    app: &App,
    id: String,
    actor: &Actor,
    entity_type: &str,
    entity_id: &str,
    action: &str,
    change: Change,
) -> AuditRecord {
    let at = app.clock.now();
    AuditRecord {
        id,
        at,
        actor: actor.username.clone(),
        entity_type: entity_type.to_string(),
        entity_id: entity_id.to_string(),
        action: action.to_string(),
        before: change.before,
        after: change.after,
        expires_at: at + chrono::Duration::days(i64::from(app.config.audit_retention_days)),
    }
}

/// Most entries a page of the audit list holds.
pub const MAX_AUDIT_PAGE: usize = 200;

impl App {
    /// Records one change.
    pub async fn audit(&self, entry: AuditRecord) -> Result<()> {
        self.store.append_audit(std::slice::from_ref(&entry)).await?;
        Ok(())
    }

    /// Records many changes in batches.
    pub async fn audit_all(&self, entries: &[AuditRecord]) -> Result<()> {
        for chunk in entries.chunks(100) {
            self.store.append_audit(chunk).await?;
        }
        Ok(())
    }

    /// Admins: the trail, newest first, filtered and paged.
    pub async fn audit_log(
        &self,
        actor: &Actor,
        filter: &AuditFilter,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<api::AuditPage> {
        actor.require(Permission::ViewAudit)?;
        ids::check_cursor(cursor)?;
        let text_ok = |v: &Option<String>| v.as_ref().is_none_or(|s| !s.is_empty() && s.len() <= 100);
        if !(text_ok(&filter.entity_type) && text_ok(&filter.actor) && text_ok(&filter.action)) {
            return Err(Error::Invalid("filter values have 1 to 100 characters".into()));
        }
        if let Some((t, id)) = &filter.entity
            && (t.is_empty() || t.len() > 100 || id.is_empty() || id.len() > 200)
        {
            return Err(Error::Invalid("name the entity by type and id".into()));
        }
        if let (Some(f), Some(u)) = (filter.from, filter.until)
            && f > u
        {
            return Err(Error::Invalid("\"from\" is after \"until\"".into()));
        }
        let page = self.store.list_audit(filter, cursor, limit.clamp(1, MAX_AUDIT_PAGE)).await?;
        Ok(api::AuditPage {
            items: page.items.iter().map(present::audit_entry).collect(),
            next_cursor: page.next_cursor,
        })
    }

    /// Retention (the scheduler): entries past their time go.
    pub async fn purge_audit(&self) -> Result<u64> {
        Ok(self.store.purge_audit_before(self.clock.now()).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct U {
        name: String,
        role: String,
        password_hash: String,
        version: u64,
    }

    #[test]
    fn diff_keeps_changed_fields_and_never_secrets() {
        let a = U { name: "a".into(), role: "viewer".into(), password_hash: "x".into(), version: 1 };
        let b = U { name: "a".into(), role: "admin".into(), password_hash: "y".into(), version: 2 };
        let c = Change::diff(&a, &b);
        assert_eq!(c.before, Some(serde_json::json!({"role": "viewer"})));
        assert_eq!(c.after, Some(serde_json::json!({"role": "admin"})));
        assert!(Change::diff(&a, &a).is_empty());
        let created = Change::created(serde_json::to_value(&a).unwrap());
        assert!(created.after.unwrap().get("password_hash").is_none());
    }
}
