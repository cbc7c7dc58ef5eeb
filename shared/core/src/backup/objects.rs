//! Protected objects and their RPO (seed 001, "Protected Objects"): created
//! when a native policy is assigned to a host, when an engine reports
//! objects, or when a platform sync discovers them. Each backup result
//! moves the object's last status; one whose last successful backup is
//! older than its RPO is in breach.

use bc_api_types::{LastBackupStatus, ObjectSource, ObjectType, ProtectedObject};
use chrono::{DateTime, Utc};

use super::Record;
use super::repo::BackupKind;
use crate::app::App;
use crate::error::{Error, Result};
use crate::ids;

impl Record for ProtectedObject {
    const KIND: BackupKind = BackupKind::ProtectedObject;
    fn id(&self) -> &str {
        &self.id
    }
    fn parent(&self) -> Option<String> {
        Some(self.customer_id.clone())
    }
    /// The RPO sweep reads objects whose breach is due and not reported yet.
    fn due_at(&self) -> Option<DateTime<Utc>> {
        let at = self.breach_at();
        match self.breach_reported_for {
            Some(_) => None,
            None => Some(at),
        }
    }
}

/// What a source knows of an object.
#[derive(Debug, Clone)]
pub struct ObjectSpec {
    pub customer_id: String,
    pub name: String,
    pub object_type: ObjectType,
    pub hostname: Option<String>,
    pub source: ObjectSource,
    pub job_id: Option<String>,
}

/// An object's id: stable for its source.
pub fn object_id(source: &ObjectSource) -> String {
    match source {
        ObjectSource::Native { policy_id, host_id } => ids::derived("po", &format!("native|{policy_id}|{host_id}")),
        ObjectSource::Platform { platform_id, external_id } => {
            ids::derived("po", &format!("platform|{platform_id}|{external_id}"))
        }
    }
}

impl App {
    /// Creates the object (RPO 24 hours, never backed up) or brings its
    /// name, type, host and job up to date. Idempotent.
    pub async fn upsert_protected_object(&self, spec: &ObjectSpec) -> Result<ProtectedObject> {
        let id = object_id(&spec.source);
        for _ in 0..crate::retry::ATTEMPTS {
            if self.bk_get::<ProtectedObject>(&id).await?.is_some() {
                let (_, after) = self
                    .bk_modify::<ProtectedObject, _>(&id, "protected object", |o| {
                        o.name = spec.name.clone();
                        o.object_type = spec.object_type;
                        o.hostname = spec.hostname.clone();
                        o.customer_id = spec.customer_id.clone();
                        if spec.job_id.is_some() {
                            o.job_id = spec.job_id.clone();
                        }
                        Ok(())
                    })
                    .await?;
                return Ok(after);
            }
            let o = ProtectedObject {
                id: id.clone(),
                customer_id: spec.customer_id.clone(),
                name: spec.name.clone(),
                object_type: spec.object_type,
                hostname: spec.hostname.clone(),
                source: spec.source.clone(),
                job_id: spec.job_id.clone(),
                rpo_hours: ProtectedObject::DEFAULT_RPO_HOURS,
                last_status: LastBackupStatus::Never,
                last_backup_at: None,
                last_success_at: None,
                created_at: self.clock.now(),
                breach_reported_for: None,
                last_run_id: None,
            };
            match self.bk_insert(&o).await {
                Ok(()) => return Ok(o),
                // Created by a concurrent call: update that one.
                Err(Error::Conflict(_)) => continue,
                Err(e) => return Err(e),
            }
        }
        Err(Error::Conflict("the protected object kept changing; try again".into()))
    }

    /// A backup of the object ended at `at` with `status`. An older result
    /// than the one recorded changes nothing (results may arrive out of order).
    pub async fn record_object_backup(
        &self,
        object_id: &str,
        status: LastBackupStatus,
        at: DateTime<Utc>,
    ) -> Result<ProtectedObject> {
        self.record_object_run(object_id, status, at, None).await
    }

    /// As [`Self::record_object_backup`], naming the run (agent job or session).
    pub async fn record_object_run(
        &self,
        object_id: &str,
        status: LastBackupStatus,
        at: DateTime<Utc>,
        run_id: Option<&str>,
    ) -> Result<ProtectedObject> {
        let (_, after) = self
            .bk_modify::<ProtectedObject, _>(object_id, "protected object", |o| {
                if o.last_backup_at.is_none_or(|t| t <= at) {
                    o.last_backup_at = Some(at);
                    o.last_status = status;
                    if run_id.is_some() {
                        o.last_run_id = run_id.map(str::to_string);
                    }
                }
                if matches!(status, LastBackupStatus::Success | LastBackupStatus::Warning)
                    && o.last_success_at.is_none_or(|t| t < at)
                {
                    o.last_success_at = Some(at);
                    o.breach_reported_for = None;
                }
                Ok(())
            })
            .await?;
        Ok(after)
    }
}
