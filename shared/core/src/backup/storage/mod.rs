//! Storage targets: where an engine writes backups. Connection fields are
//! checked per type; thresholds (alert default 85 %, critical default 95 %,
//! critical above alert); a target a policy or replication rule uses cannot
//! be deleted (the answer names them). Capacity is in [`capacity`],
//! credentials (write-only, encrypted) in [`credentials`].

pub mod capacity;
pub mod credentials;

use bc_api_types::{self as api, Permission, StorageHealth, TargetType};

use super::validate;
use crate::app::App;
use crate::audit::{Change, audit_entry};
use crate::auth::permissions::Actor;
use crate::error::{Error, Result};
use crate::ids::{self, check_id};

pub const DEFAULT_ALERT_THRESHOLD: u8 = 85;
pub const DEFAULT_CRITICAL_THRESHOLD: u8 = 95;

fn required(v: &Option<String>, what: &str, kind: TargetType) -> Result<String> {
    match v.as_deref().map(str::trim) {
        Some(s) if !s.is_empty() && s.len() <= 1024 => Ok(s.to_string()),
        _ => Err(Error::Invalid(format!("a {kind} target needs its {what}"))),
    }
}

fn url(v: &str, what: &str) -> Result<String> {
    let v = v.trim();
    let rest = v.strip_prefix("https://").or_else(|| v.strip_prefix("http://"));
    match rest {
        Some(r) if !r.is_empty() && !r.contains(char::is_whitespace) => Ok(v.to_string()),
        _ => Err(Error::Invalid(format!("the {what} {v:?} is not an http(s) URL"))),
    }
}

fn server(v: &str) -> Result<String> {
    validate::ip(v).or_else(|_| validate::hostname(v))
}

/// The connection fields that apply to `kind`, checked; the others dropped.
pub fn check_connection(kind: TargetType, c: &api::ConnectionConfig) -> Result<api::ConnectionConfig> {
    let opt = |v: &Option<String>, what| validate::optional_text(v.as_deref(), 1024, what);
    let mut out = api::ConnectionConfig::default();
    match kind {
        TargetType::S3 | TargetType::S3Compatible => {
            let bucket = required(&c.bucket, "bucket", kind)?;
            if !(3..=63).contains(&bucket.len())
                || !bucket.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-')
            {
                return Err(Error::Invalid(format!(
                    "the bucket {bucket:?} is 3 to 63 lowercase letters, digits, dots and hyphens"
                )));
            }
            out.bucket = Some(bucket);
            out.endpoint_url = match (kind, opt(&c.endpoint_url, "endpoint URL")?) {
                (_, Some(u)) => Some(url(&u, "endpoint URL")?),
                (TargetType::S3Compatible, None) => {
                    return Err(Error::Invalid("an S3 compatible target needs its endpoint URL".into()));
                }
                _ => None,
            };
            let region = opt(&c.region, "region")?;
            if kind == TargetType::S3 && region.is_none() {
                return Err(Error::Invalid("an S3 target needs its region (like eu-west-1)".into()));
            }
            if let Some(r) = &region
                && !r.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            {
                return Err(Error::Invalid(format!("the region {r:?} is not a region name like eu-west-1")));
            }
            out.region = region;
            out.prefix = opt(&c.prefix, "prefix")?;
        }
        TargetType::Smb => {
            out.server = Some(server(&required(&c.server, "server", kind)?)?);
            let share = required(&c.share, "share name", kind)?;
            if share.contains(['/', '\\']) {
                return Err(Error::Invalid(format!("the share name {share:?} is one name, without slashes")));
            }
            out.share = Some(share);
            out.path = opt(&c.path, "path")?;
        }
        TargetType::Nfs => {
            out.server = Some(server(&required(&c.server, "server", kind)?)?);
            let export = required(&c.export_path, "export path", kind)?;
            if !export.starts_with('/') {
                return Err(Error::Invalid(format!("the export path {export:?} starts with /")));
            }
            out.export_path = Some(export);
            out.mount_options = opt(&c.mount_options, "mount options")?;
            if out.mount_options.as_ref().is_some_and(|m| m.contains(char::is_whitespace)) {
                return Err(Error::Invalid(
                    "mount options are comma-separated, without spaces (like vers=4.1,hard)".into(),
                ));
            }
        }
        TargetType::Iscsi => {
            let portal = required(&c.portal, "target portal", kind)?;
            let host =
                portal.rsplit_once(':').filter(|(_, p)| p.parse::<u16>().is_ok()).map_or(portal.as_str(), |(h, _)| h);
            server(host).map_err(|_| Error::Invalid(format!("the target portal {portal:?} is host or host:port")))?;
            out.portal = Some(portal.clone());
            let iqn = required(&c.iqn, "IQN", kind)?;
            if !(iqn.starts_with("iqn.") || iqn.starts_with("eui.") || iqn.starts_with("naa.")) {
                return Err(Error::Invalid(format!("the IQN {iqn:?} starts with iqn., eui. or naa.")));
            }
            out.iqn = Some(iqn);
            out.lun = Some(validate::range(c.lun.unwrap_or(0), 0, 16383, "the LUN")?);
        }
        TargetType::Local => {
            let path = required(&c.path, "path", kind)?;
            let windows = path.len() >= 3
                && path.as_bytes()[1] == b':'
                && (path.as_bytes()[2] == b'\\' || path.as_bytes()[2] == b'/');
            if !path.starts_with('/') && !windows {
                return Err(Error::Invalid(format!("the path {path:?} is absolute (/srv/backup or D:\\backup)")));
            }
            out.path = Some(path);
        }
    }
    Ok(out)
}

fn thresholds(alert: Option<u8>, critical: Option<u8>, was: Option<(u8, u8)>) -> Result<(u8, u8)> {
    let (da, dc) = was.unwrap_or((DEFAULT_ALERT_THRESHOLD, DEFAULT_CRITICAL_THRESHOLD));
    let a = validate::range(alert.unwrap_or(da), 1, 100, "the alert threshold")?;
    let c = validate::range(critical.unwrap_or(dc), 1, 100, "the critical threshold")?;
    if c <= a {
        return Err(Error::Invalid(format!("the critical threshold ({c} %) is above the alert threshold ({a} %)")));
    }
    Ok((a, c))
}

impl App {
    pub async fn list_storage_targets(
        &self,
        actor: &Actor,
        engine_id: Option<&str>,
    ) -> Result<Vec<api::StorageTarget>> {
        actor.require(Permission::ViewBackup)?;
        let mut out: Vec<_> = match engine_id {
            Some(e) => {
                check_id(e, "engine")?;
                self.bk_children::<api::StorageTarget>(e).await?
            }
            None => self.bk_list::<api::StorageTarget>().await?,
        }
        .into_iter()
        .map(|t| t.value)
        .collect();
        out.sort_by(|a, b| a.name.to_lowercase().cmp(&b.name.to_lowercase()).then(a.id.cmp(&b.id)));
        Ok(out)
    }

    pub async fn get_storage_target(&self, actor: &Actor, id: &str) -> Result<api::StorageTargetDetail> {
        actor.require(Permission::ViewBackup)?;
        check_id(id, "storage target")?;
        let target = self.bk_get::<api::StorageTarget>(id).await?.ok_or(Error::NotFound("storage target"))?.value;
        let history = self.capacity_history(id).await?;
        let mut policies: Vec<_> = self
            .bk_children::<api::Policy>(&target.engine_id)
            .await?
            .into_iter()
            .filter(|p| p.value.storage_target_id == id)
            .map(|p| p.value.name)
            .collect();
        policies.sort();
        Ok(api::StorageTargetDetail { target, history, policies })
    }

    pub async fn create_storage_target(
        &self,
        actor: &Actor,
        body: &api::StorageTargetBody,
    ) -> Result<api::StorageTarget> {
        actor.require(Permission::ManageBackup)?;
        let name = validate::name(&body.name, "storage target")?;
        check_id(&body.engine_id, "engine")?;
        let engine = self.bk_get::<api::Engine>(&body.engine_id).await?.ok_or(Error::NotFound("engine"))?.value;
        let connection = check_connection(body.target_type, &body.connection)?;
        let (alert_threshold, critical_threshold) = thresholds(body.alert_threshold, body.critical_threshold, None)?;
        if let Some(c) = &body.credential {
            credentials::check(&engine, c)?;
        }
        let target = api::StorageTarget {
            id: ids::random_id("st"),
            name,
            target_type: body.target_type,
            engine_id: engine.id,
            connection,
            alert_threshold,
            critical_threshold,
            has_credential: body.credential.is_some(),
            credential_type: body.credential.as_ref().map(|c| c.credential_type.trim().to_string()),
            health: StorageHealth::Unknown,
            capacity: None,
            created_at: self.clock.now(),
            last_health_check: None,
            last_verify: None,
        };
        // The credential first: a target never claims one it does not have.
        if let Some(c) = &body.credential {
            self.put_credential(&target.id, c).await?;
        }
        if let Err(e) = self.bk_insert(&target).await {
            if body.credential.is_some() {
                self.remove_credential(&target.id).await?;
            }
            return Err(e);
        }
        let change = Change::created(serde_json::to_value(&target).unwrap_or_default());
        self.audit(audit_entry(self, actor, "storage_target", &target.id, "create", change)).await?;
        Ok(target)
    }

    pub async fn update_storage_target(
        &self,
        actor: &Actor,
        id: &str,
        body: &api::StorageTargetBody,
    ) -> Result<api::StorageTarget> {
        actor.require(Permission::ManageBackup)?;
        check_id(id, "storage target")?;
        let name = validate::name(&body.name, "storage target")?;
        let current = self.bk_get::<api::StorageTarget>(id).await?.ok_or(Error::NotFound("storage target"))?.value;
        if body.engine_id != current.engine_id {
            return Err(Error::Invalid("a storage target stays on its engine".into()));
        }
        let engine = self.bk_get::<api::Engine>(&current.engine_id).await?.ok_or(Error::NotFound("engine"))?.value;
        if let Some(c) = &body.credential {
            credentials::check(&engine, c)?;
            // Rotation: the new credential replaces the old one.
            self.put_credential(id, c).await?;
        }
        let connection = check_connection(body.target_type, &body.connection)?;
        let (a, c) = thresholds(
            body.alert_threshold,
            body.critical_threshold,
            Some((current.alert_threshold, current.critical_threshold)),
        )?;
        let (before, after) = self
            .bk_modify::<api::StorageTarget, _>(id, "storage target", |t| {
                t.name = name.clone();
                t.target_type = body.target_type;
                t.connection = connection.clone();
                t.alert_threshold = a;
                t.critical_threshold = c;
                if let Some(cap) = &t.capacity {
                    t.health = capacity::classify(cap.usage_percent, a, c);
                }
                if let Some(cred) = &body.credential {
                    t.has_credential = true;
                    t.credential_type = Some(cred.credential_type.trim().to_string());
                }
                Ok(())
            })
            .await?;
        if body.credential.is_some() {
            // The values never go into the trail; that it changed does.
            let change = Change::fields(
                serde_json::json!({"credential": "(replaced)"}),
                serde_json::json!({"credential_type": after.credential_type}),
            );
            self.audit(audit_entry(self, actor, "storage_target", id, "rotate_credential", change)).await?;
        }
        if before != after {
            let change = Change::diff(&before, &after);
            self.audit(audit_entry(self, actor, "storage_target", id, "update", change)).await?;
            self.storage_health_changed(&after, before.health).await?;
        }
        Ok(after)
    }

    /// Deletes a target no policy or replication rule uses.
    pub async fn delete_storage_target(&self, actor: &Actor, id: &str) -> Result<()> {
        actor.require(Permission::ManageBackup)?;
        check_id(id, "storage target")?;
        let target = self.bk_get::<api::StorageTarget>(id).await?.ok_or(Error::NotFound("storage target"))?.value;
        let mut users: Vec<String> = self
            .bk_list::<api::Policy>()
            .await?
            .into_iter()
            .filter(|p| p.value.storage_target_id == id)
            .map(|p| format!("policy {}", p.value.name))
            .collect();
        for r in self.bk_list::<api::ReplicaRule>().await? {
            if r.value.storage_target_id == id {
                let name =
                    self.bk_get::<api::Policy>(&r.value.policy_id).await?.map(|p| p.value.name).unwrap_or_default();
                users.push(format!("the replication rule of policy {name}"));
            }
        }
        if !users.is_empty() {
            users.sort();
            return Err(Error::Conflict(format!(
                "storage target {} is in use by {}; remove or reassign them first",
                target.name,
                users.join(", ")
            )));
        }
        self.remove_target(actor, &target).await
    }

    /// Removes a target and its history (no checks: the callers made them).
    pub(crate) async fn remove_target(&self, actor: &Actor, target: &api::StorageTarget) -> Result<()> {
        for p in self.store.backup_children(super::repo::BackupKind::CapacityPoint, &target.id).await? {
            self.store.delete_backup_doc(super::repo::BackupKind::CapacityPoint, &p.id).await?;
        }
        // Deleting a target removes its credential.
        if target.has_credential {
            self.remove_credential(&target.id).await?;
        }
        if self.bk_delete::<api::StorageTarget>(&target.id).await? {
            let change = Change::deleted(serde_json::to_value(target).unwrap_or_default());
            self.audit(audit_entry(self, actor, "storage_target", &target.id, "delete", change)).await?;
        }
        Ok(())
    }
}
