//! The lists: restore points (seed filters: host, policy, BES, chain,
//! status, verification), a native job's runs, protected objects (seed
//! filters: organisation, type, RPO breach, source, host, last status with
//! "never", search by object or host name).

use bc_api_types::{self as api, JobSource, JobSourceKind, LastBackupStatus, ObjectType, Permission, ProtectedObject};

use super::AgentJobRecord;
use crate::app::App;
use crate::auth::permissions::Actor;
use crate::error::{Error, Result};
use crate::ids::check_id;

#[derive(Debug, Clone, Default)]
pub struct RestorePointFilter {
    pub customer_id: Option<String>,
    pub host_id: Option<String>,
    pub policy_id: Option<String>,
    pub engine_id: Option<String>,
    pub chain_id: Option<String>,
    pub status: Option<api::RestorePointStatus>,
    pub verification: Option<api::VerificationStatus>,
}

#[derive(Debug, Clone, Default)]
pub struct ObjectFilter {
    pub customer_id: Option<String>,
    pub object_type: Option<ObjectType>,
    pub rpo_breach: Option<bool>,
    pub source: Option<JobSourceKind>,
    /// Exact host name (any case).
    pub host: Option<String>,
    pub last_status: Option<LastBackupStatus>,
    /// Part of the object's or the host's name (any case).
    pub q: Option<String>,
}

/// An offset cursor: the number of items already given.
fn offset(cursor: Option<&str>) -> Result<usize> {
    match cursor {
        None | Some("") => Ok(0),
        Some(c) => c.parse().map_err(|_| Error::Invalid("cursor: not one this list gave".into())),
    }
}

fn page<T>(items: Vec<T>, start: usize, limit: usize) -> (Vec<T>, Option<String>) {
    let total = items.len();
    let end = (start + limit).min(total);
    let next = (end < total).then(|| end.to_string());
    (items.into_iter().skip(start).take(limit).collect(), next)
}

impl App {
    /// `GET /api/v1/backup/restore-points`, newest first.
    pub async fn restore_points(
        &self,
        actor: &Actor,
        f: &RestorePointFilter,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<api::RestorePointPage> {
        actor.require(Permission::RestoreBackup)?;
        for id in [&f.customer_id, &f.host_id, &f.policy_id, &f.engine_id].into_iter().flatten() {
            check_id(id, "filter")?;
        }
        let start = offset(cursor)?;
        let all = match &f.host_id {
            Some(h) => self.bk_children::<api::RestorePoint>(h).await?,
            None => self.bk_list::<api::RestorePoint>().await?,
        };
        let mut items: Vec<api::RestorePoint> = all
            .into_iter()
            .map(|s| s.value)
            .filter(|p| {
                f.customer_id.as_ref().is_none_or(|c| p.customer_id.as_ref() == Some(c))
                    && f.policy_id.as_ref().is_none_or(|x| &p.policy_id == x)
                    && f.engine_id.as_ref().is_none_or(|x| &p.engine_id == x)
                    && f.chain_id.as_ref().is_none_or(|x| &p.chain_id == x)
                    && f.status.is_none_or(|x| p.status == x)
                    && f.verification.is_none_or(|x| p.verification == x)
            })
            .collect();
        items.sort_by(|a, b| b.completed_at.cmp(&a.completed_at).then(b.id.cmp(&a.id)));
        let (items, next_cursor) = page(items, start, limit.clamp(1, 500));
        Ok(api::RestorePointPage { items, next_cursor })
    }

    /// `GET /api/v1/backup/restore-points/{id}`.
    pub async fn restore_point(&self, actor: &Actor, id: &str) -> Result<api::RestorePoint> {
        actor.require(Permission::RestoreBackup)?;
        check_id(id, "restore point")?;
        Ok(self.bk_get::<api::RestorePoint>(id).await?.ok_or(Error::NotFound("restore point"))?.value)
    }

    /// `GET /api/v1/backup/jobs/{job_id}/runs`: a native job's agent runs, newest first.
    pub async fn native_job_runs(
        &self,
        actor: &Actor,
        job_id: &str,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<api::AgentJobPage> {
        actor.require(Permission::ViewBackup)?;
        check_id(job_id, "job")?;
        let job = self.resolve_job(job_id).await?.ok_or(Error::NotFound("job"))?;
        let JobSource::Native { policy_id } = &job.source else {
            return Err(Error::Invalid(
                "this job is not a native backup policy's; its runs are on the job's page".into(),
            ));
        };
        let start = offset(cursor)?;
        let mut runs: Vec<api::AgentJob> = self
            .bk_children::<AgentJobRecord>(&format!("done:{policy_id}"))
            .await?
            .into_iter()
            .map(|s| s.value.job)
            .collect();
        if let Some(p) = self.bk_get::<api::Policy>(policy_id).await? {
            runs.extend(
                self.bk_children::<AgentJobRecord>(&super::open_parent(&p.value.engine_id))
                    .await?
                    .into_iter()
                    .map(|s| s.value.job)
                    .filter(|j| j.policy_id.as_deref() == Some(policy_id.as_str())),
            );
        }
        let mut runs: Vec<api::AgentJob> = runs
            .into_iter()
            .filter(|j| j.kind == api::AgentJobKind::Backup && j.job_id.as_deref() == Some(job.id.as_str()))
            .map(super::for_ui)
            .collect();
        runs.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.id.cmp(&a.id)));
        let (items, next_cursor) = page(runs, start, limit.clamp(1, 200));
        Ok(api::AgentJobPage { items, next_cursor })
    }

    /// `GET /api/v1/backup/objects`.
    pub async fn protected_objects(
        &self,
        actor: &Actor,
        f: &ObjectFilter,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<api::ProtectedObjectPage> {
        actor.require(Permission::ViewBackup)?;
        if let Some(c) = &f.customer_id {
            check_id(c, "customer")?;
        }
        if f.q.as_ref().is_some_and(|q| q.len() > 200) || f.host.as_ref().is_some_and(|h| h.len() > 253) {
            return Err(Error::Invalid("filter text too long".into()));
        }
        let start = offset(cursor)?;
        let now = self.clock.now();
        let names = self.customer_names().await?;
        let q = f.q.as_ref().map(|q| q.to_lowercase());
        let all = match &f.customer_id {
            Some(c) => self.bk_children::<ProtectedObject>(c).await?,
            None => self.bk_list::<ProtectedObject>().await?,
        };
        let mut items: Vec<api::ProtectedObjectView> = all
            .into_iter()
            .map(|s| s.value)
            .filter(|o| {
                let host = o.hostname.as_deref().unwrap_or("").to_lowercase();
                f.object_type.is_none_or(|t| o.object_type == t)
                    && f.rpo_breach.is_none_or(|b| o.in_breach(now) == b)
                    && f.source.is_none_or(|k| o.source.kind() == k)
                    && f.host.as_ref().is_none_or(|h| host == h.to_lowercase())
                    && f.last_status.is_none_or(|s| o.last_status == s)
                    && q.as_ref().is_none_or(|q| o.name.to_lowercase().contains(q) || host.contains(q))
            })
            .map(|o| view(o, &names, now))
            .collect();
        items.sort_by(|a, b| {
            b.rpo_breach
                .cmp(&a.rpo_breach)
                .then(a.object.name.to_lowercase().cmp(&b.object.name.to_lowercase()))
                .then(a.object.id.cmp(&b.object.id))
        });
        let total = items.len() as u64;
        let (items, next_cursor) = page(items, start, limit.clamp(1, 500));
        Ok(api::ProtectedObjectPage { items, total, next_cursor })
    }

    /// `PATCH /api/v1/backup/objects/{id}`: the object's RPO (1 hour to a year).
    pub async fn update_protected_object(
        &self,
        actor: &Actor,
        id: &str,
        body: &api::ProtectedObjectBody,
    ) -> Result<api::ProtectedObjectView> {
        actor.require(Permission::ManageBackup)?;
        check_id(id, "protected object")?;
        let (before, after) = self
            .bk_modify::<ProtectedObject, _>(id, "protected object", |o| {
                if let Some(h) = body.rpo_hours {
                    if !(1..=8760).contains(&h) {
                        return Err(Error::Invalid("rpo_hours: 1 to 8760".into()));
                    }
                    if h != o.rpo_hours {
                        o.rpo_hours = h;
                        // A new RPO is a new question: report its breach afresh.
                        o.breach_reported_for = None;
                    }
                }
                Ok(())
            })
            .await?;
        if before != after {
            let change = crate::audit::Change::fields(
                serde_json::json!({"rpo_hours": before.rpo_hours}),
                serde_json::json!({"rpo_hours": after.rpo_hours}),
            );
            self.audit(crate::audit::audit_entry(self, actor, "protected_object", id, "update", change)).await?;
        }
        let names = self.customer_names().await?;
        Ok(view(after, &names, self.clock.now()))
    }
}

pub(crate) fn view(
    o: ProtectedObject,
    names: &std::collections::HashMap<String, String>,
    now: chrono::DateTime<chrono::Utc>,
) -> api::ProtectedObjectView {
    let breach = o.in_breach(now);
    let breach_hours = if breach { (now - o.breach_at()).num_hours().max(0) as u32 } else { 0 };
    api::ProtectedObjectView {
        customer_name: names.get(&o.customer_id).cloned().unwrap_or_default(),
        rpo_breach: breach,
        breach_hours,
        object: o,
    }
}
