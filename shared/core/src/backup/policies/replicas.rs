//! Replication rules: a policy's backups copied to a secondary storage
//! target (same account, any engine), with the KEK source and when to copy;
//! and whether a policy meets 3-2-1 (three copies, two media types, one
//! offsite), with the reasons when it does not.

use bc_api_types::{self as api, Permission, TargetType};

use crate::app::App;
use crate::audit::{Change, audit_entry};
use crate::auth::permissions::Actor;
use crate::error::{Error, Result};
use crate::ids::{self, check_id};

/// Media type of a target type, for the "two media" of 3-2-1.
pub fn media(t: TargetType) -> &'static str {
    match t {
        TargetType::S3 | TargetType::S3Compatible => "object storage",
        TargetType::Smb | TargetType::Nfs => "network share",
        TargetType::Iscsi => "block storage",
        TargetType::Local => "local disk",
    }
}

impl App {
    pub async fn list_replicas(&self, actor: &Actor, policy_id: Option<&str>) -> Result<Vec<api::ReplicaRule>> {
        actor.require(Permission::ViewBackup)?;
        let mut v: Vec<_> = match policy_id {
            Some(p) => {
                check_id(p, "policy")?;
                self.bk_children::<api::ReplicaRule>(p).await?
            }
            None => self.bk_list::<api::ReplicaRule>().await?,
        }
        .into_iter()
        .map(|r| r.value)
        .collect();
        v.sort_by(|a, b| a.created_at.cmp(&b.created_at).then(a.id.cmp(&b.id)));
        Ok(v)
    }

    pub async fn create_replica(&self, actor: &Actor, body: &api::ReplicaRuleBody) -> Result<api::ReplicaRule> {
        actor.require(Permission::ManageBackup)?;
        check_id(&body.policy_id, "policy")?;
        check_id(&body.storage_target_id, "storage target")?;
        let policy = self.bk_get::<api::Policy>(&body.policy_id).await?.ok_or(Error::NotFound("policy"))?.value;
        let target = self
            .bk_get::<api::StorageTarget>(&body.storage_target_id)
            .await?
            .ok_or(Error::NotFound("storage target"))?
            .value;
        if target.id == policy.storage_target_id {
            return Err(Error::Invalid(
                "the replica target is the policy's own storage target; pick a second one".into(),
            ));
        }
        if self
            .bk_children::<api::ReplicaRule>(&policy.id)
            .await?
            .iter()
            .any(|r| r.value.storage_target_id == target.id)
        {
            return Err(Error::Conflict(format!("policy {} already replicates to {}", policy.name, target.name)));
        }
        let r = api::ReplicaRule {
            id: ids::random_id("rr"),
            policy_id: policy.id,
            storage_target_id: target.id,
            kek_source: body.kek_source.unwrap_or_default(),
            replicate_after_full: body.replicate_after_full.unwrap_or(true),
            replicate_after_incremental: body.replicate_after_incremental.unwrap_or(true),
            is_offsite: body.is_offsite.unwrap_or(false),
            created_at: self.clock.now(),
        };
        self.bk_insert(&r).await?;
        let change = Change::created(serde_json::to_value(&r).unwrap_or_default());
        self.audit(audit_entry(self, actor, "replica_rule", &r.id, "create", change)).await?;
        Ok(r)
    }

    pub async fn delete_replica(&self, actor: &Actor, id: &str) -> Result<()> {
        actor.require(Permission::ManageBackup)?;
        check_id(id, "replication rule")?;
        let r = self.bk_get::<api::ReplicaRule>(id).await?.ok_or(Error::NotFound("replication rule"))?.value;
        self.remove_replica(actor, &r).await
    }

    pub(crate) async fn remove_replica(&self, actor: &Actor, r: &api::ReplicaRule) -> Result<()> {
        if self.bk_delete::<api::ReplicaRule>(&r.id).await? {
            let change = Change::deleted(serde_json::to_value(r).unwrap_or_default());
            self.audit(audit_entry(self, actor, "replica_rule", &r.id, "delete", change)).await?;
        }
        Ok(())
    }

    /// 3-2-1 of a policy: the primary copy plus one per replica target.
    pub(crate) async fn three_two_one(&self, p: &api::Policy, rules: &[api::ReplicaRule]) -> Result<api::ThreeTwoOne> {
        let mut medias = std::collections::BTreeSet::new();
        if let Some(t) = self.bk_get::<api::StorageTarget>(&p.storage_target_id).await? {
            medias.insert(media(t.value.target_type));
        }
        for r in rules {
            if let Some(t) = self.bk_get::<api::StorageTarget>(&r.storage_target_id).await? {
                medias.insert(media(t.value.target_type));
            }
        }
        let copies = 1 + rules.len() as u32;
        let offsite = rules.iter().any(|r| r.is_offsite);
        let mut reasons = Vec::new();
        if copies < 3 {
            reasons.push(format!("{copies} of 3 copies: add {} replication rule(s)", 3 - copies));
        }
        if medias.len() < 2 {
            reasons.push("one media type: replicate to a target of another kind (object storage, network share, block, local disk)".into());
        }
        if !offsite {
            reasons.push("no offsite copy: mark a replication rule as offsite".into());
        }
        Ok(api::ThreeTwoOne { copies, media_types: medias.len() as u32, offsite, meets: reasons.is_empty(), reasons })
    }
}
