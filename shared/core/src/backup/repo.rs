//! The backup control plane's repository: every record of the area (engines,
//! registration secrets, storage targets and their capacity history,
//! policies, hooks, replication rules, hosts, assignments, alerts) is a
//! versioned JSON document of one [`BackupKind`], optionally grouped under
//! a parent (a target's history under the target), and an engine carries
//! its offline deadline as an indexed time so the sweep reads only engines
//! whose deadline passed.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::ports::PortResult;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BackupKind {
    Engine,
    /// A registration secret, by the SHA-256 of its value.
    RegistrationSecret,
    /// The current registration secret of a scope (a customer, or `account`).
    RegistrationScope,
    StorageTarget,
    /// One day of a target's capacity history (parent: the target).
    CapacityPoint,
    /// Parent: the policy's engine.
    Policy,
    /// Parent: the policy.
    Hook,
    /// Parent: the policy.
    Replica,
    /// Parent: the customer.
    Host,
    /// Parent: the policy.
    Assignment,
    Alert,
    /// A protected object (parent: its customer).
    ProtectedObject,
    /// An agent job (parent: `open:<engine>` until it ends, then `done:<policy or target>`;
    /// due: its next deadline while open).
    AgentJob,
    /// A restore point (parent: its host).
    RestorePoint,
    /// A policy's next schedule slots (due: the earliest).
    PolicyClock,
    /// A third-party backup platform (`platforms`), due at its next sync.
    Platform,
}

impl BackupKind {
    pub const ALL: [BackupKind; 16] = [
        BackupKind::Engine,
        BackupKind::RegistrationSecret,
        BackupKind::RegistrationScope,
        BackupKind::StorageTarget,
        BackupKind::CapacityPoint,
        BackupKind::Policy,
        BackupKind::Hook,
        BackupKind::Replica,
        BackupKind::Host,
        BackupKind::Assignment,
        BackupKind::Alert,
        BackupKind::ProtectedObject,
        BackupKind::AgentJob,
        BackupKind::RestorePoint,
        BackupKind::PolicyClock,
        BackupKind::Platform,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            BackupKind::Engine => "engine",
            BackupKind::RegistrationSecret => "regsecret",
            BackupKind::RegistrationScope => "regscope",
            BackupKind::StorageTarget => "target",
            BackupKind::CapacityPoint => "capacity",
            BackupKind::Policy => "policy",
            BackupKind::Hook => "hook",
            BackupKind::Replica => "replica",
            BackupKind::Host => "host",
            BackupKind::Assignment => "assignment",
            BackupKind::Alert => "alert",
            BackupKind::ProtectedObject => "object",
            BackupKind::AgentJob => "agentjob",
            BackupKind::RestorePoint => "restorepoint",
            BackupKind::PolicyClock => "policyclock",
            BackupKind::Platform => "platform",
        }
    }

    pub fn parse(s: &str) -> Option<BackupKind> {
        BackupKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// One stored record.
#[derive(Debug, Clone, PartialEq)]
pub struct BackupDoc {
    pub kind: BackupKind,
    pub id: String,
    pub parent: Option<String>,
    /// Engines: when the engine goes offline unless it heartbeats first.
    pub due_at: Option<DateTime<Utc>>,
    /// The version read (writes store `version + 1`).
    pub version: u64,
    /// The record as JSON.
    pub body: String,
}

#[async_trait]
pub trait BackupRepo: Send + Sync {
    /// Inserts a new record (version 0). `Ok(false)` if one with its kind and id exists (nothing written).
    async fn insert_backup_doc(&self, doc: &BackupDoc) -> PortResult<bool>;
    /// Writes `doc` if the stored version is still `doc.version`, storing
    /// `doc.version + 1`; `Conflict` otherwise (or if it is gone).
    async fn update_backup_doc(&self, doc: &BackupDoc) -> PortResult<()>;
    /// Writes `doc` whatever is stored (version as given).
    async fn put_backup_doc(&self, doc: &BackupDoc) -> PortResult<()>;
    /// Claims `claim_key` (as [`crate::claims::ClaimRepo::claim`]: free, or
    /// its last claim expired before `now`) and writes `doc` as
    /// [`Self::update_backup_doc`] does, both or neither: `Ok(false)` when
    /// the claim is held (nothing written), `Conflict` when the version
    /// moved on (nothing written, nothing claimed). An engine's heartbeat
    /// takes its nonce and records itself in one request this way.
    async fn update_backup_doc_claiming(
        &self,
        doc: &BackupDoc,
        claim_key: &str,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> PortResult<bool>;
    async fn get_backup_doc(&self, kind: BackupKind, id: &str) -> PortResult<Option<BackupDoc>>;
    /// `true` if it existed.
    async fn delete_backup_doc(&self, kind: BackupKind, id: &str) -> PortResult<bool>;
    /// Every record of a kind, by id.
    async fn list_backup_docs(&self, kind: BackupKind) -> PortResult<Vec<BackupDoc>>;
    /// The records of a kind under one parent, by id.
    async fn backup_children(&self, kind: BackupKind, parent: &str) -> PortResult<Vec<BackupDoc>>;
    /// Records of a kind whose `due_at` is at or before `at`, earliest first, at most `limit`.
    async fn backup_docs_due(&self, kind: BackupKind, at: DateTime<Utc>, limit: usize) -> PortResult<Vec<BackupDoc>>;

    /// Protected objects: how many, how many whose last backup failed, and
    /// how many are past their RPO at `now`. The default reads them all; an
    /// adapter that can count in its query language does better.
    async fn protection_counts(&self, now: DateTime<Utc>) -> PortResult<ProtectionCounts> {
        let mut c = ProtectionCounts::default();
        for d in self.list_backup_docs(BackupKind::ProtectedObject).await? {
            let o = object_of(&d)?;
            c.total += 1;
            if o.last_status == bc_api_types::LastBackupStatus::Failed {
                c.failed += 1;
            }
            if o.in_breach(now) {
                c.breaching += 1;
            }
        }
        Ok(c)
    }

    /// Protected objects past their RPO at `now`, longest breach first, at most `limit`.
    async fn breaching_objects(&self, now: DateTime<Utc>, limit: usize) -> PortResult<Vec<BackupDoc>> {
        let mut v = Vec::new();
        for d in self.list_backup_docs(BackupKind::ProtectedObject).await? {
            let o = object_of(&d)?;
            if o.in_breach(now) {
                v.push((o.breach_at(), d));
            }
        }
        v.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.id.cmp(&b.1.id)));
        Ok(v.into_iter().take(limit).map(|(_, d)| d).collect())
    }

    /// Managed hosts without an active assignment to any policy.
    async fn uncovered_host_count(&self) -> PortResult<u64> {
        let mut covered = std::collections::HashSet::new();
        for d in self.list_backup_docs(BackupKind::Assignment).await? {
            let v: serde_json::Value = serde_json::from_str(&d.body).unwrap_or_default();
            if v["state"] == "active"
                && let Some(h) = v["host_id"].as_str()
            {
                covered.insert(h.to_string());
            }
        }
        Ok(self.list_backup_docs(BackupKind::Host).await?.iter().filter(|h| !covered.contains(&h.id)).count() as u64)
    }

    /// Native protected objects whose last backup failed, newest failure first, at most `limit`.
    async fn failed_native_objects(&self, limit: usize) -> PortResult<Vec<BackupDoc>> {
        let mut v = Vec::new();
        for d in self.list_backup_docs(BackupKind::ProtectedObject).await? {
            let o = object_of(&d)?;
            if o.last_status == bc_api_types::LastBackupStatus::Failed
                && matches!(o.source, bc_api_types::ObjectSource::Native { .. })
            {
                v.push((o.last_backup_at, d));
            }
        }
        v.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.id.cmp(&b.1.id)));
        Ok(v.into_iter().take(limit).map(|(_, d)| d).collect())
    }
}

/// What [`BackupRepo::protection_counts`] counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ProtectionCounts {
    pub total: u64,
    pub failed: u64,
    pub breaching: u64,
}

fn object_of(d: &BackupDoc) -> PortResult<bc_api_types::ProtectedObject> {
    serde_json::from_str(&d.body)
        .map_err(|e| crate::ports::PortError::Backend(format!("a stored protected object {} is unreadable: {e}", d.id)))
}
