//! Application-consistent hooks of a policy (pre and post): a template
//! (MySQL / MariaDB, MongoDB, Elasticsearch, with their snippets) or a
//! custom script, a timeout, a sequence and fail-on-error. Executed by type
//! in ascending sequence, ties by id.

use bc_api_types::{self as api, Permission};

use crate::app::App;
use crate::audit::{Change, audit_entry};
use crate::auth::permissions::Actor;
use crate::backup::validate;
use crate::error::{Error, Result};
use crate::ids::{self, check_id};

pub const DEFAULT_TIMEOUT_SECONDS: u32 = 300;
pub const MAX_TIMEOUT_SECONDS: u32 = 86_400;
const MAX_SCRIPT: usize = 10_000;

fn apply(h: &mut api::AppHook, b: &api::AppHookBody) -> Result<()> {
    h.hook_type = b.hook_type;
    h.template = b.template;
    h.script = match (b.script.as_deref().map(str::trim).filter(|s| !s.is_empty()), b.template) {
        (Some(s), _) if s.chars().count() > MAX_SCRIPT => {
            return Err(Error::Invalid(format!("a hook script is at most {MAX_SCRIPT} characters")));
        }
        (Some(s), _) => s.to_string(),
        (None, Some(t)) => t.describe().1.to_string(),
        (None, None) => return Err(Error::Invalid("a custom-script hook needs its script".into())),
    };
    if let Some(t) = b.timeout_seconds {
        h.timeout_seconds = validate::range(t, 1, MAX_TIMEOUT_SECONDS, "the hook timeout (seconds)")?;
    }
    if let Some(s) = b.sequence {
        h.sequence = validate::range(s, -10_000, 10_000, "the hook sequence")?;
    }
    if let Some(f) = b.fail_on_error {
        h.fail_on_error = f;
    }
    Ok(())
}

impl App {
    /// A policy's hooks in execution order.
    pub(crate) async fn hooks_of(&self, policy_id: &str) -> Result<Vec<api::AppHook>> {
        let mut v: Vec<_> = self.bk_children::<api::AppHook>(policy_id).await?.into_iter().map(|h| h.value).collect();
        v.sort_by(|a, b| {
            (a.hook_type != api::HookType::Pre)
                .cmp(&(b.hook_type != api::HookType::Pre))
                .then(a.sequence.cmp(&b.sequence))
                .then(a.id.cmp(&b.id))
        });
        Ok(v)
    }

    pub async fn create_hook(&self, actor: &Actor, policy_id: &str, body: &api::AppHookBody) -> Result<api::AppHook> {
        actor.require(Permission::ManageBackup)?;
        check_id(policy_id, "policy")?;
        self.bk_get::<api::Policy>(policy_id).await?.ok_or(Error::NotFound("policy"))?;
        let mut h = api::AppHook {
            id: ids::random_id("hk"),
            policy_id: policy_id.to_string(),
            hook_type: body.hook_type,
            template: None,
            script: String::new(),
            timeout_seconds: DEFAULT_TIMEOUT_SECONDS,
            sequence: 0,
            fail_on_error: false,
        };
        apply(&mut h, body)?;
        self.bk_insert(&h).await?;
        let change = Change::created(serde_json::to_value(&h).unwrap_or_default());
        self.audit(audit_entry(self, actor, "app_hook", &h.id, "create", change)).await?;
        Ok(h)
    }

    pub async fn update_hook(&self, actor: &Actor, id: &str, body: &api::AppHookBody) -> Result<api::AppHook> {
        actor.require(Permission::ManageBackup)?;
        check_id(id, "hook")?;
        let (before, after) = self.bk_modify::<api::AppHook, _>(id, "hook", |h| apply(h, body)).await?;
        if before != after {
            self.audit(audit_entry(self, actor, "app_hook", id, "update", Change::diff(&before, &after))).await?;
        }
        Ok(after)
    }

    pub async fn delete_hook(&self, actor: &Actor, id: &str) -> Result<()> {
        actor.require(Permission::ManageBackup)?;
        check_id(id, "hook")?;
        let h = self.bk_get::<api::AppHook>(id).await?.ok_or(Error::NotFound("hook"))?.value;
        self.remove_hook(actor, &h).await
    }

    pub(crate) async fn remove_hook(&self, actor: &Actor, h: &api::AppHook) -> Result<()> {
        if self.bk_delete::<api::AppHook>(&h.id).await? {
            let change = Change::deleted(serde_json::to_value(h).unwrap_or_default());
            self.audit(audit_entry(self, actor, "app_hook", &h.id, "delete", change)).await?;
        }
        Ok(())
    }
}
