//! Managed hosts of a customer (created by hand, or reported by the
//! customer's engines in their heartbeats) and their assignments to policies: `active | paused | archived`.
//! Reassigning an archived host reactivates its assignment; a host of
//! another customer than the policy's engine is refused; removing an
//! assignment keeps the host's restore points.

use bc_api_types::{self as api, AssignmentState, Permission};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::repo::BackupKind;
use super::{Record, validate};
use crate::app::App;
use crate::audit::{Change, audit_entry};
use crate::auth::permissions::Actor;
use crate::error::{Error, Result};
use crate::ids::{self, check_id};

/// A host's assignment to a policy, under the policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Assignment {
    pub id: String,
    pub policy_id: String,
    pub host_id: String,
    pub state: AssignmentState,
    pub assigned_at: DateTime<Utc>,
}

impl Record for Assignment {
    const KIND: BackupKind = BackupKind::Assignment;
    fn id(&self) -> &str {
        &self.id
    }
    fn parent(&self) -> Option<String> {
        Some(self.policy_id.clone())
    }
}

fn assignment_id(policy_id: &str, host_id: &str) -> String {
    format!("{policy_id}_{host_id}")
}

impl App {
    pub async fn list_hosts(&self, actor: &Actor, customer_id: Option<&str>) -> Result<Vec<api::ManagedHost>> {
        actor.require(Permission::ViewBackup)?;
        let mut v: Vec<_> = match customer_id {
            Some(c) => {
                check_id(c, "customer")?;
                self.bk_children::<api::ManagedHost>(c).await?
            }
            None => self.bk_list::<api::ManagedHost>().await?,
        }
        .into_iter()
        .map(|h| h.value)
        .collect();
        v.sort_by(|a, b| a.hostname.cmp(&b.hostname).then(a.id.cmp(&b.id)));
        Ok(v)
    }

    pub async fn create_host(&self, actor: &Actor, body: &api::ManagedHostBody) -> Result<api::ManagedHost> {
        actor.require(Permission::ManageBackup)?;
        check_id(&body.customer_id, "customer")?;
        self.store.get_customer(&body.customer_id).await?.ok_or(Error::NotFound("customer"))?;
        let hostname = validate::hostname(&body.hostname)?;
        if self
            .bk_children::<api::ManagedHost>(&body.customer_id)
            .await?
            .iter()
            .any(|h| h.value.hostname.eq_ignore_ascii_case(&hostname))
        {
            return Err(Error::Conflict(format!("the customer has a host named {hostname} already")));
        }
        let h = api::ManagedHost {
            id: ids::random_id("host"),
            customer_id: body.customer_id.clone(),
            hostname,
            ip: body.ip.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(validate::ip).transpose()?,
            os: validate::optional_text(body.os.as_deref(), 100, "operating system")?,
            source: "manual".into(),
            created_at: self.clock.now(),
        };
        self.bk_insert(&h).await?;
        let change = Change::created(serde_json::to_value(&h).unwrap_or_default());
        self.audit(audit_entry(self, actor, "host", &h.id, "create", change)).await?;
        Ok(h)
    }

    /// Hosts an engine of `customer_id` reported: new ones are created
    /// (source: the engine), known ones (same hostname, any case) get the
    /// reported IP and OS. Returns how many were new or changed.
    pub(crate) async fn record_reported_hosts(
        &self,
        engine_id: &str,
        customer_id: &str,
        reported: Vec<(String, Option<String>, Option<String>)>,
    ) -> Result<u32> {
        let known = self.bk_children::<api::ManagedHost>(customer_id).await?;
        let actor = Actor::system();
        let mut n = 0;
        for (hostname, ip, os) in reported {
            match known.iter().find(|h| h.value.hostname.eq_ignore_ascii_case(&hostname)) {
                Some(h) if (ip.is_some() && h.value.ip != ip) || (os.is_some() && h.value.os != os) => {
                    let (before, after) = self
                        .bk_modify::<api::ManagedHost, _>(&h.value.id, "host", |x| {
                            if ip.is_some() {
                                x.ip = ip.clone();
                            }
                            if os.is_some() {
                                x.os = os.clone();
                            }
                            Ok(())
                        })
                        .await?;
                    self.audit(audit_entry(self, &actor, "host", &after.id, "report", Change::diff(&before, &after)))
                        .await?;
                    n += 1;
                }
                Some(_) => {}
                None => {
                    let h = api::ManagedHost {
                        id: ids::random_id("host"),
                        customer_id: customer_id.to_string(),
                        hostname,
                        ip,
                        os,
                        source: engine_id.to_string(),
                        created_at: self.clock.now(),
                    };
                    self.bk_insert(&h).await?;
                    let change = Change::created(serde_json::to_value(&h).unwrap_or_default());
                    self.audit(audit_entry(self, &actor, "host", &h.id, "report", change)).await?;
                    n += 1;
                }
            }
        }
        Ok(n)
    }

    pub(crate) async fn assignments_of(&self, policy_id: &str) -> Result<Vec<api::HostAssignment>> {
        let mut out = Vec::new();
        for a in self.bk_children::<Assignment>(policy_id).await? {
            let a = a.value;
            let hostname =
                self.bk_get::<api::ManagedHost>(&a.host_id).await?.map(|h| h.value.hostname).unwrap_or_default();
            out.push(api::HostAssignment {
                policy_id: a.policy_id,
                host_id: a.host_id,
                hostname,
                state: a.state,
                assigned_at: a.assigned_at,
            });
        }
        out.sort_by(|a, b| a.hostname.cmp(&b.hostname));
        Ok(out)
    }

    /// Assigns a host to a policy (or reactivates its archived assignment).
    pub async fn assign_host(
        &self,
        actor: &Actor,
        policy_id: &str,
        body: &api::AssignHostBody,
    ) -> Result<api::HostAssignment> {
        actor.require(Permission::ManageBackup)?;
        check_id(policy_id, "policy")?;
        check_id(&body.host_id, "host")?;
        let policy = self.bk_get::<api::Policy>(policy_id).await?.ok_or(Error::NotFound("policy"))?.value;
        let host = self.bk_get::<api::ManagedHost>(&body.host_id).await?.ok_or(Error::NotFound("host"))?.value;
        let engine = self.bk_get::<api::Engine>(&policy.engine_id).await?.ok_or(Error::NotFound("engine"))?.value;
        if engine.customer_id.as_ref().is_some_and(|c| c != &host.customer_id) {
            return Err(Error::Invalid(format!(
                "host {} belongs to another customer than the policy's engine",
                host.hostname
            )));
        }
        let id = assignment_id(policy_id, &host.id);
        let now = self.clock.now();
        let a = match self.bk_get::<Assignment>(&id).await? {
            Some(s) if s.value.state == AssignmentState::Archived => {
                let (before, after) = self
                    .bk_modify::<Assignment, _>(&id, "assignment", |a| {
                        a.state = AssignmentState::Active;
                        Ok(())
                    })
                    .await?;
                let change = Change::fields(
                    serde_json::json!({"state": before.state}),
                    serde_json::json!({"state": after.state}),
                );
                self.audit(audit_entry(self, actor, "host_assignment", &id, "reactivate", change)).await?;
                after
            }
            Some(_) => {
                return Err(Error::Conflict(format!("host {} is assigned to this policy already", host.hostname)));
            }
            None => {
                let a = Assignment {
                    id: id.clone(),
                    policy_id: policy_id.to_string(),
                    host_id: host.id.clone(),
                    state: AssignmentState::Active,
                    assigned_at: now,
                };
                self.bk_insert(&a).await?;
                let change = Change::created(serde_json::to_value(&a).unwrap_or_default());
                self.audit(audit_entry(self, actor, "host_assignment", &id, "create", change)).await?;
                a
            }
        };
        // The host is now a protected object of the policy (seed: "created when a
        // native backup policy is assigned to a host").
        let job = self.native_job(&policy, &host.customer_id).await?;
        self.upsert_protected_object(&crate::backup::objects::ObjectSpec {
            customer_id: host.customer_id.clone(),
            name: host.hostname.clone(),
            object_type: match policy.backup_type {
                api::BackupType::File => api::ObjectType::Fileset,
                api::BackupType::Image => api::ObjectType::Physical,
            },
            hostname: Some(host.hostname.clone()),
            source: api::ObjectSource::Native { policy_id: policy.id.clone(), host_id: host.id.clone() },
            job_id: Some(job.id),
        })
        .await?;
        Ok(api::HostAssignment {
            policy_id: a.policy_id,
            host_id: a.host_id,
            hostname: host.hostname,
            state: a.state,
            assigned_at: a.assigned_at,
        })
    }

    pub async fn set_assignment_state(
        &self,
        actor: &Actor,
        policy_id: &str,
        host_id: &str,
        state: AssignmentState,
    ) -> Result<()> {
        actor.require(Permission::ManageBackup)?;
        check_id(policy_id, "policy")?;
        check_id(host_id, "host")?;
        let id = assignment_id(policy_id, host_id);
        let (before, after) = self
            .bk_modify::<Assignment, _>(&id, "assignment", |a| {
                a.state = state;
                Ok(())
            })
            .await?;
        if before != after {
            let change =
                Change::fields(serde_json::json!({"state": before.state}), serde_json::json!({"state": after.state}));
            self.audit(audit_entry(self, actor, "host_assignment", &id, "set_state", change)).await?;
        }
        Ok(())
    }

    /// Removes an assignment; the host's restore points stay.
    pub async fn remove_assignment(&self, actor: &Actor, policy_id: &str, host_id: &str) -> Result<()> {
        actor.require(Permission::ManageBackup)?;
        check_id(policy_id, "policy")?;
        check_id(host_id, "host")?;
        let id = assignment_id(policy_id, host_id);
        let a = self.bk_get::<Assignment>(&id).await?.ok_or(Error::NotFound("assignment"))?.value;
        self.bk_delete::<Assignment>(&id).await?;
        let change = Change::deleted(serde_json::to_value(&a).unwrap_or_default());
        self.audit(audit_entry(self, actor, "host_assignment", &id, "delete", change)).await
    }

    pub(crate) async fn remove_assignments_of(&self, actor: &Actor, policy_id: &str) -> Result<()> {
        for a in self.bk_children::<Assignment>(policy_id).await? {
            if self.bk_delete::<Assignment>(&a.value.id).await? {
                let change = Change::deleted(serde_json::to_value(&a.value).unwrap_or_default());
                self.audit(audit_entry(self, actor, "host_assignment", &a.value.id, "delete", change)).await?;
            }
        }
        Ok(())
    }
}
