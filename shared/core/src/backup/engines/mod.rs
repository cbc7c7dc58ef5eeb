//! Backup engines (BES): registration secrets (admins create and rotate one
//! per customer and one for the MSP; shown once, stored as a SHA-256), the
//! Engines page (list, edit, delete with its cascade), and the BES protocol
//! the engines themselves speak ([`protocol`]) with the offline sweep
//! ([`sweep`]).

pub mod protocol;
pub mod sweep;

use bc_api_types::{self as api, EngineStatus, Permission};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::repo::BackupKind;
use super::{Record, validate};
use crate::app::App;
use crate::audit::{Change, audit_entry};
use crate::auth::permissions::Actor;
use crate::error::{Error, Result};
use crate::ids::{self, check_id};

/// Engines heartbeat about this often.
pub const HEARTBEAT_INTERVAL_SECONDS: u32 = 60;
/// No heartbeat for longer than this: offline, with a critical alert.
pub const OFFLINE_AFTER_SECONDS: u32 = 180;
/// Health samples kept on an engine (an hour at one a minute).
pub const HEALTH_SAMPLES_KEPT: usize = 60;
/// The scope id of the MSP's own (account-scoped) registration secret.
pub const ACCOUNT_SCOPE: &str = "account";

/// A registration secret, found by the SHA-256 of its value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegistrationSecret {
    pub id: String,
    pub customer_id: Option<String>,
    pub created_at: DateTime<Utc>,
    pub created_by: String,
}

impl Record for RegistrationSecret {
    const KIND: BackupKind = BackupKind::RegistrationSecret;
    fn id(&self) -> &str {
        &self.id
    }
}

/// The current secret of a scope (a customer id, or [`ACCOUNT_SCOPE`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegistrationScope {
    pub id: String,
    pub secret_hash: String,
    pub customer_id: Option<String>,
    pub created_at: DateTime<Utc>,
    pub created_by: String,
}

impl Record for RegistrationScope {
    const KIND: BackupKind = BackupKind::RegistrationScope;
    fn id(&self) -> &str {
        &self.id
    }
}

/// Filters of the Engines page.
#[derive(Debug, Clone, Default)]
pub struct EngineFilter {
    pub customer_id: Option<String>,
    pub status: Option<EngineStatus>,
    /// Matches name, hostname or IP (case-insensitive substring).
    pub search: Option<String>,
}

impl App {
    /// Creates or rotates the registration secret of a customer (or of the
    /// MSP with no customer); the old one stops working. The value is in
    /// this answer only.
    pub async fn rotate_registration_secret(
        &self,
        actor: &Actor,
        body: &api::RegistrationSecretBody,
    ) -> Result<api::RegistrationSecretCreated> {
        actor.require(Permission::EnrollEngines)?;
        let scope = match &body.customer_id {
            Some(c) => {
                check_id(c, "customer")?;
                self.store.get_customer(c).await?.ok_or(Error::NotFound("customer"))?;
                c.clone()
            }
            None => ACCOUNT_SCOPE.to_string(),
        };
        let now = self.clock.now();
        let secret = format!("bcr_{}", ids::random_token(32));
        let hash = ids::sha256_hex(secret.as_bytes());
        self.bk_insert(&RegistrationSecret {
            id: hash.clone(),
            customer_id: body.customer_id.clone(),
            created_at: now,
            created_by: actor.username.clone(),
        })
        .await?;
        let old = self.bk_get::<RegistrationScope>(&scope).await?;
        self.bk_put(&RegistrationScope {
            id: scope.clone(),
            secret_hash: hash,
            customer_id: body.customer_id.clone(),
            created_at: now,
            created_by: actor.username.clone(),
        })
        .await?;
        let action = if let Some(old) = &old {
            self.bk_delete::<RegistrationSecret>(&old.value.secret_hash).await?;
            "rotate"
        } else {
            "create"
        };
        let change = Change::created(serde_json::json!({"customer_id": body.customer_id, "created_at": now}));
        self.audit(audit_entry(self, actor, "registration_secret", &scope, action, change)).await?;
        Ok(api::RegistrationSecretCreated { customer_id: body.customer_id.clone(), secret, created_at: now })
    }

    /// Which scopes have a registration secret (never the values).
    pub async fn registration_secrets(&self, actor: &Actor) -> Result<Vec<api::RegistrationSecretInfo>> {
        actor.require(Permission::EnrollEngines)?;
        let mut out: Vec<_> = self
            .bk_list::<RegistrationScope>()
            .await?
            .into_iter()
            .map(|s| api::RegistrationSecretInfo {
                customer_id: s.value.customer_id,
                created_at: s.value.created_at,
                created_by: s.value.created_by,
            })
            .collect();
        out.sort_by(|a, b| a.customer_id.cmp(&b.customer_id));
        Ok(out)
    }

    /// The Engines page, by name.
    pub async fn list_engines(&self, actor: &Actor, filter: &EngineFilter) -> Result<Vec<api::Engine>> {
        actor.require(Permission::ViewBackup)?;
        let search = filter.search.as_deref().map(|s| s.trim().to_lowercase()).filter(|s| !s.is_empty());
        let targets = self.bk_list::<api::StorageTarget>().await?;
        let customers = self.store.list_customers().await?;
        let mut out = Vec::new();
        for e in self.bk_list::<api::Engine>().await? {
            let mut e = e.value;
            if filter.customer_id.as_ref().is_some_and(|c| e.customer_id.as_ref() != Some(c))
                || filter.status.is_some_and(|s| e.status != s)
                || search.as_ref().is_some_and(|q| {
                    ![&e.name, &e.hostname, &e.ip].iter().any(|f| f.to_lowercase().contains(q.as_str()))
                })
            {
                continue;
            }
            present(&mut e, &targets, &customers);
            e.health_history.clear();
            out.push(e);
        }
        out.sort_by(|a, b| a.name.to_lowercase().cmp(&b.name.to_lowercase()).then(a.id.cmp(&b.id)));
        Ok(out)
    }

    pub async fn get_engine(&self, actor: &Actor, id: &str) -> Result<api::Engine> {
        actor.require(Permission::ViewBackup)?;
        check_id(id, "engine")?;
        let mut e = self.bk_get::<api::Engine>(id).await?.ok_or(Error::NotFound("engine"))?.value;
        let targets = self.bk_children::<api::StorageTarget>(id).await?;
        let customers = match &e.customer_id {
            Some(c) => self.store.get_customer(c).await?.into_iter().collect(),
            None => Vec::new(),
        };
        present(&mut e, &targets, &customers);
        Ok(e)
    }

    /// An admin's edit: name, PXE enabled, PXE network.
    pub async fn update_engine(&self, actor: &Actor, id: &str, body: &api::EngineUpdate) -> Result<api::Engine> {
        actor.require(Permission::ManageBackup)?;
        check_id(id, "engine")?;
        let name = body.name.as_deref().map(|n| validate::name(n, "engine")).transpose()?;
        let network = match body.pxe_network.as_deref().map(str::trim) {
            None => None,
            Some("") => Some(None),
            Some(n) => Some(Some(validate::cidr(n)?)),
        };
        let (before, after) = self
            .bk_modify::<api::Engine, _>(id, "engine", |e| {
                if let Some(n) = &name {
                    e.name = n.clone();
                }
                if let Some(p) = body.pxe_enabled {
                    e.pxe_enabled = p;
                }
                if let Some(n) = &network {
                    e.pxe_network = n.clone();
                }
                Ok(())
            })
            .await?;
        let change = Change::fields(
            serde_json::json!({"name": before.name, "pxe_enabled": before.pxe_enabled, "pxe_network": before.pxe_network}),
            serde_json::json!({"name": after.name, "pxe_enabled": after.pxe_enabled, "pxe_network": after.pxe_network}),
        );
        if before != after {
            self.audit(audit_entry(self, actor, "engine", id, "update", change)).await?;
        }
        self.get_engine(actor, id).await
    }

    /// What deleting an engine would take with it.
    pub async fn engine_deletion(&self, actor: &Actor, id: &str) -> Result<api::EngineDeletion> {
        actor.require(Permission::ViewBackup)?;
        check_id(id, "engine")?;
        self.bk_get::<api::Engine>(id).await?.ok_or(Error::NotFound("engine"))?;
        let names = |v: Vec<String>| {
            let mut v = v;
            v.sort();
            v
        };
        Ok(api::EngineDeletion {
            engine_id: id.to_string(),
            storage_targets: names(
                self.bk_children::<api::StorageTarget>(id).await?.into_iter().map(|t| t.value.name).collect(),
            ),
            policies: names(self.bk_children::<api::Policy>(id).await?.into_iter().map(|p| p.value.name).collect()),
        })
    }

    /// Deregisters an engine: its policies (with their hooks, replication
    /// rules and host assignments), its storage targets (with their history
    /// and any replication rule that copies to them) and the engine go.
    pub async fn delete_engine(&self, actor: &Actor, id: &str) -> Result<api::EngineDeletion> {
        actor.require(Permission::ManageBackup)?;
        let gone = self.engine_deletion(actor, id).await?;
        let engine = self.bk_get::<api::Engine>(id).await?.ok_or(Error::NotFound("engine"))?.value;
        for p in self.bk_children::<api::Policy>(id).await? {
            self.remove_policy(actor, &p.value).await?;
        }
        for t in self.bk_children::<api::StorageTarget>(id).await? {
            for r in self.bk_list::<api::ReplicaRule>().await? {
                if r.value.storage_target_id == t.value.id {
                    self.remove_replica(actor, &r.value).await?;
                }
            }
            self.remove_target(actor, &t.value).await?;
        }
        if self.bk_delete::<api::Engine>(id).await? {
            let mut before = serde_json::to_value(&engine).unwrap_or_default();
            if let Some(o) = before.as_object_mut() {
                o.remove("health_history");
            }
            self.audit(audit_entry(self, actor, "engine", id, "delete", Change::deleted(before))).await?;
        }
        Ok(gone)
    }
}

/// Fills the presentation fields of an engine: its customer's name, its
/// storage target count and the used bytes over them.
fn present(e: &mut api::Engine, targets: &[super::Stored<api::StorageTarget>], customers: &[crate::model::Customer]) {
    let mine: Vec<_> = targets.iter().filter(|t| t.value.engine_id == e.id).collect();
    e.storage_target_count = mine.len() as u32;
    e.managed_bytes = mine.iter().filter_map(|t| t.value.capacity.as_ref()).map(|c| c.used_bytes).sum();
    e.customer_name =
        e.customer_id.as_ref().and_then(|c| customers.iter().find(|x| &x.id == c)).map(|c| c.name.clone());
}
