//! Native backup policies: every field of seed 001's policy form, checked
//! (cron schedules that fire, in a time zone; GFS retention ranges; the
//! storage target on the policy's engine, which never changes). Hooks are
//! in [`hooks`], replication rules and 3-2-1 in [`replicas`]; deleting a
//! policy takes its host assignments, rules and hooks with it.

pub mod hooks;
pub mod replicas;

use bc_api_types::{self as api, Permission, StorageHealth};

use super::storage::capacity::STORAGE_CRITICAL;
use super::validate;
use crate::app::App;
use crate::audit::{Change, audit_entry};
use crate::auth::permissions::Actor;
use crate::error::{Error, Result};
use crate::ids::{self, check_id};

/// The body applied onto a policy (a new one starts from the seed's defaults).
fn apply(p: &mut api::Policy, b: &api::PolicyBody) -> Result<()> {
    if let Some(n) = &b.name {
        p.name = validate::name(n, "policy")?;
    }
    if let Some(t) = b.backup_type {
        p.backup_type = t;
    }
    if let Some(tz) = &b.time_zone {
        let tz = tz.trim();
        tz.parse::<chrono_tz::Tz>().map_err(|_| {
            Error::Invalid(format!("unknown time zone {tz:?} (use an IANA name like Europe/Amsterdam)"))
        })?;
        p.time_zone = tz.to_string();
    }
    if let Some(s) = &b.full_schedule {
        p.full_schedule = s.trim().to_string();
    }
    let optional_cron = |v: &Option<String>, current: &Option<String>| -> Option<Option<String>> {
        match v.as_deref().map(str::trim) {
            None => Some(current.clone()),
            Some("") => Some(None),
            Some(s) => Some(Some(s.to_string())),
        }
    };
    p.incremental_schedule = optional_cron(&b.incremental_schedule, &p.incremental_schedule).flatten();
    p.synthetic_full_schedule = optional_cron(&b.synthetic_full_schedule, &p.synthetic_full_schedule).flatten();
    p.throttle_schedule = optional_cron(&b.throttle_schedule, &p.throttle_schedule).flatten();
    // Every schedule fires, read in the policy's time zone.
    if p.full_schedule.is_empty() {
        return Err(Error::Invalid("the full schedule is required (a cron expression like 0 2 * * 0)".into()));
    }
    validate::cron(&p.full_schedule, &p.time_zone, "the full schedule")?;
    for (s, what) in [
        (&p.incremental_schedule, "the incremental schedule"),
        (&p.synthetic_full_schedule, "the synthetic full schedule"),
        (&p.throttle_schedule, "the throttle schedule"),
    ] {
        if let Some(s) = s {
            validate::cron(s, &p.time_zone, what)?;
        }
    }
    if let Some(v) = &b.include_paths {
        p.include_paths = validate::list(v, "include paths")?;
    }
    if let Some(v) = &b.exclude_paths {
        p.exclude_paths = validate::list(v, "exclude paths")?;
    }
    if let Some(v) = &b.exclude_patterns {
        p.exclude_patterns = validate::list(v, "exclude patterns")?;
    }
    if let Some(v) = &b.exclusion_template {
        p.exclusion_template = validate::optional_text(Some(v), 200, "exclusion template")?;
    }
    if let Some(v) = b.retention_daily {
        p.retention_daily = validate::range(v, 1, 365, "daily retention")?;
    }
    if let Some(v) = b.retention_weekly {
        p.retention_weekly = validate::range(v, 0, 52, "weekly retention")?;
    }
    if let Some(v) = b.retention_monthly {
        p.retention_monthly = validate::range(v, 0, 120, "monthly retention")?;
    }
    if let Some(v) = b.compression {
        p.compression = v;
    }
    if let Some(v) = b.encryption {
        p.encryption = v;
    }
    if let Some(v) = b.dedup {
        p.dedup = v;
    }
    if let Some(v) = b.max_transfer_mbps {
        p.max_transfer_mbps = if v == 0 { None } else { Some(validate::range(v, 1, 100_000, "max transfer MBps")?) };
    }
    if let Some(v) = b.io_priority {
        p.io_priority = v;
    }
    for (field, v) in [
        (&mut p.vss_enabled, b.vss_enabled),
        (&mut p.catch_up_on_reconnect, b.catch_up_on_reconnect),
        (&mut p.verify_after_backup, b.verify_after_backup),
        (&mut p.pre_patch_backup, b.pre_patch_backup),
        (&mut p.archive_on_host_deactivation, b.archive_on_host_deactivation),
        (&mut p.enabled, b.enabled),
    ] {
        if let Some(v) = v {
            *field = v;
        }
    }
    if let Some(v) = b.verify_sample_count {
        p.verify_sample_count = validate::range(v, 1, 10_000, "the verify sample count")?;
    }
    Ok(())
}

impl App {
    pub async fn list_policies(&self, actor: &Actor, engine_id: Option<&str>) -> Result<Vec<api::Policy>> {
        actor.require(Permission::ViewBackup)?;
        let mut out: Vec<_> = match engine_id {
            Some(e) => {
                check_id(e, "engine")?;
                self.bk_children::<api::Policy>(e).await?
            }
            None => self.bk_list::<api::Policy>().await?,
        }
        .into_iter()
        .map(|p| p.value)
        .collect();
        out.sort_by(|a, b| a.name.to_lowercase().cmp(&b.name.to_lowercase()).then(a.id.cmp(&b.id)));
        Ok(out)
    }

    pub async fn get_policy(&self, actor: &Actor, id: &str) -> Result<api::PolicyDetail> {
        actor.require(Permission::ViewBackup)?;
        check_id(id, "policy")?;
        let p = self.bk_get::<api::Policy>(id).await?.ok_or(Error::NotFound("policy"))?.value;
        self.policy_detail_of(p).await
    }

    pub(crate) async fn policy_detail_of(&self, policy: api::Policy) -> Result<api::PolicyDetail> {
        let hooks = self.hooks_of(&policy.id).await?;
        let mut replicas: Vec<_> =
            self.bk_children::<api::ReplicaRule>(&policy.id).await?.into_iter().map(|r| r.value).collect();
        replicas.sort_by(|a, b| a.created_at.cmp(&b.created_at).then(a.id.cmp(&b.id)));
        let hosts = self.assignments_of(&policy.id).await?;
        let three_two_one = self.three_two_one(&policy, &replicas).await?;
        Ok(api::PolicyDetail { policy, hooks, replicas, hosts, three_two_one })
    }

    /// The storage target, checked to be on `engine_id`.
    async fn target_on(&self, target_id: &str, engine_id: &str) -> Result<api::StorageTarget> {
        check_id(target_id, "storage target")?;
        let t = self.bk_get::<api::StorageTarget>(target_id).await?.ok_or(Error::NotFound("storage target"))?.value;
        if t.engine_id != engine_id {
            return Err(Error::Invalid(format!(
                "storage target {} is on another engine; a policy stores on a target of its own engine",
                t.name
            )));
        }
        Ok(t)
    }

    pub async fn create_policy(&self, actor: &Actor, body: &api::PolicyBody) -> Result<api::PolicyDetail> {
        actor.require(Permission::ManageBackup)?;
        let engine_id = body.engine_id.as_deref().ok_or_else(|| Error::Invalid("engine_id is required".into()))?;
        check_id(engine_id, "engine")?;
        self.bk_get::<api::Engine>(engine_id).await?.ok_or(Error::NotFound("engine"))?;
        let target_id =
            body.storage_target_id.as_deref().ok_or_else(|| Error::Invalid("storage_target_id is required".into()))?;
        let target = self.target_on(target_id, engine_id).await?;
        if body.name.is_none() {
            return Err(Error::Invalid("the policy name is required".into()));
        }
        let mut p = api::Policy {
            id: ids::random_id("pol"),
            name: String::new(),
            engine_id: engine_id.to_string(),
            storage_target_id: target.id.clone(),
            backup_type: api::BackupType::File,
            full_schedule: String::new(),
            incremental_schedule: None,
            synthetic_full_schedule: None,
            time_zone: "UTC".into(),
            include_paths: Vec::new(),
            exclude_paths: Vec::new(),
            exclude_patterns: Vec::new(),
            exclusion_template: None,
            retention_daily: 7,
            retention_weekly: 4,
            retention_monthly: 12,
            compression: api::Compression::Zstd,
            encryption: api::Encryption::Aes256Gcm,
            dedup: true,
            max_transfer_mbps: None,
            io_priority: api::IoPriority::Normal,
            throttle_schedule: None,
            vss_enabled: true,
            catch_up_on_reconnect: true,
            verify_after_backup: true,
            verify_sample_count: 50,
            pre_patch_backup: false,
            archive_on_host_deactivation: true,
            enabled: true,
            paused_reason: None,
            created_at: self.clock.now(),
        };
        apply(&mut p, body)?;
        // A policy made on a target already critical starts auto-paused.
        if p.enabled && target.health == StorageHealth::Critical {
            p.paused_reason = Some(STORAGE_CRITICAL.into());
        }
        self.bk_insert(&p).await?;
        self.reset_policy_clock(&p).await?;
        let change = Change::created(serde_json::to_value(&p).unwrap_or_default());
        self.audit(audit_entry(self, actor, "policy", &p.id, "create", change)).await?;
        self.policy_detail_of(p).await
    }

    pub async fn update_policy(&self, actor: &Actor, id: &str, body: &api::PolicyBody) -> Result<api::PolicyDetail> {
        actor.require(Permission::ManageBackup)?;
        check_id(id, "policy")?;
        let current = self.bk_get::<api::Policy>(id).await?.ok_or(Error::NotFound("policy"))?.value;
        if body.engine_id.as_ref().is_some_and(|e| e != &current.engine_id) {
            return Err(Error::Invalid("a policy's engine cannot change after creation".into()));
        }
        let new_target = match &body.storage_target_id {
            Some(t) if t != &current.storage_target_id => Some(self.target_on(t, &current.engine_id).await?),
            _ => None,
        };
        let (before, after) = self
            .bk_modify::<api::Policy, _>(id, "policy", |p| {
                apply(p, body)?;
                if let Some(t) = &new_target {
                    p.storage_target_id = t.id.clone();
                    // Auto-pause follows the target the policy stores on.
                    let critical = t.health == StorageHealth::Critical;
                    if p.paused_reason.as_deref() == Some(STORAGE_CRITICAL) && !critical {
                        p.paused_reason = None;
                    } else if critical && p.enabled && p.paused_reason.is_none() {
                        p.paused_reason = Some(STORAGE_CRITICAL.into());
                    }
                }
                Ok(())
            })
            .await?;
        if before != after {
            if (&before.full_schedule, &before.incremental_schedule, &before.synthetic_full_schedule, &before.time_zone)
                != (&after.full_schedule, &after.incremental_schedule, &after.synthetic_full_schedule, &after.time_zone)
            {
                self.reset_policy_clock(&after).await?;
            }
            self.audit(audit_entry(self, actor, "policy", id, "update", Change::diff(&before, &after))).await?;
        }
        self.policy_detail_of(after).await
    }

    pub async fn delete_policy(&self, actor: &Actor, id: &str) -> Result<()> {
        actor.require(Permission::ManageBackup)?;
        check_id(id, "policy")?;
        let p = self.bk_get::<api::Policy>(id).await?.ok_or(Error::NotFound("policy"))?.value;
        self.remove_policy(actor, &p).await
    }

    /// Removes a policy with its assignments, replication rules and hooks.
    pub(crate) async fn remove_policy(&self, actor: &Actor, p: &api::Policy) -> Result<()> {
        for h in self.bk_children::<api::AppHook>(&p.id).await? {
            self.remove_hook(actor, &h.value).await?;
        }
        for r in self.bk_children::<api::ReplicaRule>(&p.id).await? {
            self.remove_replica(actor, &r.value).await?;
        }
        self.remove_assignments_of(actor, &p.id).await?;
        self.bk_delete::<crate::backup::runs::dispatch::PolicyClock>(&p.id).await?;
        if self.bk_delete::<api::Policy>(&p.id).await? {
            let change = Change::deleted(serde_json::to_value(p).unwrap_or_default());
            self.audit(audit_entry(self, actor, "policy", &p.id, "delete", change)).await?;
        }
        Ok(())
    }
}
