//! What an ended agent job changes. A backup becomes a run of its policy's
//! job (so Run Checks, overrides, schedules and the alert channels see it),
//! a restore point, its protected object's last backup, then retention
//! runs and, for a failed retryable run, an automatic retry. A health check
//! or verification lands on its storage target and restore points.
//!
//! Each effect is idempotent (ids derived from the agent job's), so a
//! result delivered twice, or one whose effects were cut off and is sent
//! again, ends in the same state.

use bc_api_types::{self as api, AgentJobStatus, LastBackupStatus, ObjectSource, Report, ReportObject, Sizes, Status};
use serde_json::json;

use super::dispatch::NATIVE_SOFTWARE;
use super::{AgentJobRecord, new_job};
use crate::app::App;
use crate::audit::{Change, audit_entry};
use crate::auth::permissions::Actor;
use crate::backup::objects::object_id;
use crate::error::{Error, Result};
use crate::ids;
use crate::jobs::external::ExternalRun;

/// A restore point's id from the agent job that made it.
pub fn restore_point_id(agent_job_id: &str) -> String {
    ids::derived("rp", agent_job_id)
}

fn run_status(s: AgentJobStatus) -> Status {
    match s {
        AgentJobStatus::Success => Status::Success,
        AgentJobStatus::Warning => Status::Warning,
        _ => Status::Failed,
    }
}

fn object_status(s: AgentJobStatus) -> LastBackupStatus {
    match s {
        AgentJobStatus::Success => LastBackupStatus::Success,
        AgentJobStatus::Warning => LastBackupStatus::Warning,
        _ => LastBackupStatus::Failed,
    }
}

/// The run's report: the host as its one object, the error and the
/// engine's messages as the run's messages.
pub(crate) fn report_of(j: &api::AgentJob, policy_name: &str) -> Report {
    let status = run_status(j.status);
    let mut messages: Vec<String> = j.error.iter().cloned().collect();
    if let Some(r) = &j.result {
        messages.extend(r.messages.iter().cloned());
        for h in &r.hooks {
            if h.timed_out || h.exit_code.is_some_and(|c| c != 0) {
                messages.push(format!(
                    "hook {} {}",
                    h.hook_id,
                    if h.timed_out {
                        "timed out".to_string()
                    } else {
                        format!("exited with {}", h.exit_code.unwrap_or(-1))
                    }
                ));
            }
        }
    }
    let level = j.level.map(super::dispatch::level_name);
    Report {
        parser: "bes".into(),
        software: NATIVE_SOFTWARE.into(),
        job_type: level.unwrap_or("Backup").into(),
        job_name: policy_name.to_string(),
        status,
        started_at: j.started_at.map(|t| t.fixed_offset()),
        ended_at: j.ended_at.map(|t| t.fixed_offset()),
        duration_secs: j.duration_secs,
        sizes: Sizes {
            total_bytes: Some(j.protected_bytes),
            backup_bytes: j.result.as_ref().and_then(|r| r.snapshot.as_ref()).map(|s| s.size_bytes),
            read_bytes: None,
            transferred_bytes: Some(j.bytes_transferred),
        },
        messages: messages.clone(),
        objects: vec![ReportObject {
            name: j.hostname.clone().unwrap_or_default(),
            object_type: Some("host".into()),
            status,
            message: messages.first().cloned(),
            started_at: j.started_at.map(|t| t.fixed_offset()),
            ended_at: j.ended_at.map(|t| t.fixed_offset()),
            size_bytes: Some(j.protected_bytes),
        }],
        attempt: Some(j.attempt),
        final_attempt: Some(j.status != AgentJobStatus::Failed || !j.retryable),
        original_sender: None,
        original_subject: None,
    }
}

impl App {
    /// The effects of an ended job (see the module's text).
    pub(crate) async fn apply_final(&self, r: &AgentJobRecord) -> Result<()> {
        let j = &r.job;
        if !j.status.is_final() {
            return Ok(());
        }
        match &j.payload {
            api::JobPayload::Backup(p) => self.backup_ended(j, p).await?,
            api::JobPayload::Verify(_) => self.verification_ended(j).await?,
            api::JobPayload::HealthCheck => self.health_check_ended(j).await?,
            api::JobPayload::Replicate(p) => self.replication_ended(j, p).await?,
            api::JobPayload::Forget(p) => {
                let forgotten = j.result.as_ref().map(|r| r.forgotten.clone()).unwrap_or_default();
                for rp in self.bk_list::<api::RestorePoint>().await? {
                    let rp = rp.value;
                    if rp.policy_id == p.policy_id && forgotten.contains(&rp.snapshot_id) {
                        let now = self.clock.now();
                        self.bk_modify::<api::RestorePoint, _>(&rp.id, "restore point", |x| {
                            x.status = api::RestorePointStatus::Expired;
                            x.expired_at.get_or_insert(now);
                            Ok(())
                        })
                        .await?;
                    }
                }
            }
            _ => {}
        }
        if matches!(
            j.kind,
            api::AgentJobKind::FileRestore | api::AgentJobKind::ImageRestore | api::AgentJobKind::BareMetalRestore
        ) {
            let change = Change::fields(
                json!({"status": "running"}),
                json!({"status": j.status, "error": j.error, "restored_files": j.result.as_ref().and_then(|r| r.restored_files)}),
            );
            self.audit(audit_entry(self, &Actor::system(), "agent_job", &j.id, "ended", change)).await?;
        }
        Ok(())
    }

    async fn backup_ended(&self, j: &api::AgentJob, p: &api::BackupPayload) -> Result<()> {
        let now = self.clock.now();
        let ended = j.ended_at.unwrap_or(now);
        // The restore point: complete with the snapshot, failed without one.
        let snapshot =
            j.result.as_ref().and_then(|r| r.snapshot.as_ref()).filter(|_| j.status != AgentJobStatus::Failed);
        if snapshot.is_some() || j.status == AgentJobStatus::Failed {
            let rp = api::RestorePoint {
                id: restore_point_id(&j.id),
                customer_id: j.customer_id.clone(),
                engine_id: j.engine_id.clone(),
                policy_id: p.policy_id.clone(),
                policy_name: p.policy_name.clone(),
                host_id: p.host_id.clone(),
                hostname: p.hostname.clone(),
                target_id: j.target_id.clone().unwrap_or_default(),
                snapshot_id: snapshot.map(|s| s.snapshot_id.clone()).unwrap_or_default(),
                chain_id: snapshot.map(|s| s.chain_id.clone()).unwrap_or_default(),
                level: p.level,
                status: if snapshot.is_some() {
                    api::RestorePointStatus::Complete
                } else {
                    api::RestorePointStatus::Failed
                },
                verification: snapshot.map_or(api::VerificationStatus::Pending, |s| s.verification),
                size_bytes: snapshot.map_or(0, |s| s.size_bytes),
                file_count: snapshot.map_or(0, |s| s.file_count),
                completed_at: snapshot.map_or(ended, |s| s.completed_at),
                agent_job_id: j.id.clone(),
                archived: false,
                expired_at: None,
                replicas: Vec::new(),
            };
            match self.bk_insert(&rp).await {
                Ok(()) | Err(Error::Conflict(_)) => {}
                Err(e) => return Err(e),
            }
            if let Some(s) = snapshot {
                self.dispatch_replicas(j, p, &rp.id, &s.snapshot_id).await?;
            }
        }
        // The run, on the policy's job.
        if let Some(job_id) = &j.job_id {
            let ext = ExternalRun {
                key: format!("native:{}", j.id),
                received_at: ended,
                report: report_of(j, &p.policy_name),
            };
            match self.record_external_run(job_id, &ext).await {
                Ok(_) => {}
                // The policy's job was deleted on the Jobs page: the run has nowhere to go.
                Err(Error::NotFound(_)) => tracing::warn!(job = %job_id, "a native run's job is gone"),
                Err(e) => return Err(e),
            }
        }
        // The protected object.
        let oid = object_id(&ObjectSource::Native { policy_id: p.policy_id.clone(), host_id: p.host_id.clone() });
        match self.record_object_run(&oid, object_status(j.status), ended, Some(&j.id)).await {
            Ok(_) | Err(Error::NotFound(_)) => {}
            Err(e) => return Err(e),
        }
        match j.status {
            AgentJobStatus::Success | AgentJobStatus::Warning => {
                self.apply_retention(&p.policy_id, &p.host_id).await?;
            }
            AgentJobStatus::Failed => self.auto_retry(j, p).await?,
            _ => {}
        }
        Ok(())
    }

    /// After a backup that made a snapshot (docs/backup.md, replication):
    /// one replication job per rule of the policy that applies to the
    /// backup's level (after full: full and synthetic full backups; after
    /// incremental: incremental ones), for the engine that made it, and the
    /// copy noted on the restore point as pending. The job's id derives from
    /// the backup's and the rule's, so a result delivered twice dispatches
    /// each copy once.
    async fn dispatch_replicas(
        &self,
        j: &api::AgentJob,
        p: &api::BackupPayload,
        restore_point_id: &str,
        snapshot_id: &str,
    ) -> Result<()> {
        let now = self.clock.now();
        for rule in self.bk_children::<api::ReplicaRule>(&p.policy_id).await?.into_iter().map(|r| r.value) {
            let applies = match p.level {
                api::BackupLevel::Incremental => rule.replicate_after_incremental,
                api::BackupLevel::Full | api::BackupLevel::SyntheticFull => rule.replicate_after_full,
            };
            if !applies {
                continue;
            }
            let id = ids::derived("aj", &format!("{}:replicate:{}", j.id, rule.id));
            let payload = api::JobPayload::Replicate(api::ReplicatePayload {
                policy_id: p.policy_id.clone(),
                rule_id: rule.id.clone(),
                restore_point_id: restore_point_id.to_string(),
                snapshot_id: snapshot_id.to_string(),
                replica_target_id: rule.storage_target_id.clone(),
                kek_source: rule.kek_source,
                is_offsite: rule.is_offsite,
            });
            let system = Actor::system().username;
            let mut r = new_job(id.clone(), &j.engine_id, payload, api::DispatchReason::Replication, &system, now);
            r.job.customer_id = j.customer_id.clone();
            r.job.policy_id = Some(p.policy_id.clone());
            r.job.host_id = Some(p.host_id.clone());
            r.job.hostname = Some(p.hostname.clone());
            r.job.target_id = j.target_id.clone();
            r.job.restore_point_id = Some(restore_point_id.to_string());
            match self.bk_insert(&r).await {
                Ok(()) | Err(Error::Conflict(_)) => {}
                Err(e) => return Err(e),
            }
            let copy = api::ReplicaCopy {
                rule_id: rule.id.clone(),
                target_id: rule.storage_target_id.clone(),
                is_offsite: rule.is_offsite,
                agent_job_id: id.clone(),
                status: AgentJobStatus::Pending,
                snapshot_id: None,
                ended_at: None,
                error: None,
            };
            self.bk_modify::<api::RestorePoint, _>(restore_point_id, "restore point", |x| {
                if !x.replicas.iter().any(|c| c.agent_job_id == copy.agent_job_id) {
                    x.replicas.push(copy.clone());
                }
                Ok(())
            })
            .await?;
        }
        Ok(())
    }

    /// A replication job ended: its copy on the restore point takes the outcome.
    async fn replication_ended(&self, j: &api::AgentJob, p: &api::ReplicatePayload) -> Result<()> {
        let copy = api::ReplicaCopy {
            rule_id: p.rule_id.clone(),
            target_id: p.replica_target_id.clone(),
            is_offsite: p.is_offsite,
            agent_job_id: j.id.clone(),
            status: j.status,
            snapshot_id: j.result.as_ref().and_then(|r| r.replica_snapshot_id.clone()),
            ended_at: j.ended_at,
            error: j.error.clone(),
        };
        let set = self
            .bk_modify::<api::RestorePoint, _>(&p.restore_point_id, "restore point", |x| {
                match x.replicas.iter_mut().find(|c| c.agent_job_id == copy.agent_job_id) {
                    Some(c) => *c = copy.clone(),
                    None => x.replicas.push(copy.clone()),
                }
                Ok(())
            })
            .await;
        match set {
            // The restore point was deleted meanwhile: nothing to note.
            Ok(_) | Err(Error::NotFound(_)) => Ok(()),
            Err(e) => Err(e),
        }
    }

    async fn verification_ended(&self, j: &api::AgentJob) -> Result<()> {
        let Some(r) = &j.result else { return Ok(()) };
        if r.verified.is_empty() {
            return Ok(());
        }
        let target = j.target_id.clone().unwrap_or_default();
        for rp in self.bk_list::<api::RestorePoint>().await? {
            let rp = rp.value;
            if rp.target_id != target {
                continue;
            }
            if let Some(v) = r.verified.iter().find(|v| v.snapshot_id == rp.snapshot_id) {
                self.bk_modify::<api::RestorePoint, _>(&rp.id, "restore point", |x| {
                    x.verification = v.status;
                    Ok(())
                })
                .await?;
            }
        }
        self.target_checked(&target, j, "verify").await
    }

    async fn health_check_ended(&self, j: &api::AgentJob) -> Result<()> {
        let target = j.target_id.clone().unwrap_or_default();
        if let Some(cap) = j.result.as_ref().and_then(|r| r.capacity.as_ref())
            && cap.target_id == target
        {
            self.record_capacity(&j.engine_id, cap).await?;
        }
        self.target_checked(&target, j, "health_check").await
    }

    /// The target's last check of this kind.
    async fn target_checked(&self, target_id: &str, j: &api::AgentJob, what: &str) -> Result<()> {
        let check = api::TargetCheck {
            agent_job_id: j.id.clone(),
            at: j.ended_at.unwrap_or(self.clock.now()),
            status: j.status,
            message: j.error.clone().or_else(|| {
                j.result.as_ref().and_then(|r| match what {
                    "verify" => Some(
                        r.verified
                            .iter()
                            .map(|v| format!("{}: {}", v.snapshot_id, v.status))
                            .collect::<Vec<_>>()
                            .join(", "),
                    ),
                    _ => r.reachable.map(|ok| if ok { "reachable".to_string() } else { "unreachable".to_string() }),
                })
            }),
        };
        match self
            .bk_modify::<api::StorageTarget, _>(target_id, "storage target", |t| {
                if what == "verify" {
                    t.last_verify = Some(check.clone());
                } else {
                    t.last_health_check = Some(check.clone());
                }
                Ok(())
            })
            .await
        {
            Ok(_) | Err(Error::NotFound(_)) => Ok(()),
            Err(e) => Err(e),
        }
    }
}
