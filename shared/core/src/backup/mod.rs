//! The native backup control plane (seed 001), part 1: backup engines (BES)
//! that register and heartbeat over the signed BES protocol ([`engines`]),
//! storage targets with capacity and auto-pause ([`storage`]), policies with
//! hooks and replication rules ([`policies`]), managed hosts and their
//! assignments ([`hosts`]), and the alerts the control plane raises
//! ([`alerts`]). `docs/backup.md` and `docs/bes-protocol.md` are its prose.
//!
//! Every record is a versioned document in the [`repo::BackupRepo`]; this
//! module maps the typed records onto it.

pub mod alerts;
pub mod engines;
pub mod hosts;
pub mod objects;
pub mod policies;
pub mod repo;
pub mod runs;
pub mod storage;
pub mod validate;

use bc_api_types as api;
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::app::App;
use crate::error::{Error, Result};
use repo::{BackupDoc, BackupKind};

/// A typed record of the area.
pub trait Record: Serialize + DeserializeOwned + Clone + Send + Sync {
    const KIND: BackupKind;
    fn id(&self) -> &str;
    fn parent(&self) -> Option<String> {
        None
    }
    fn due_at(&self) -> Option<DateTime<Utc>> {
        None
    }
}

/// A record with the version it was read at.
#[derive(Debug, Clone, PartialEq)]
pub struct Stored<T> {
    pub version: u64,
    pub value: T,
}

pub(crate) fn encode<T: Record>(value: &T, version: u64) -> Result<BackupDoc> {
    Ok(BackupDoc {
        kind: T::KIND,
        id: value.id().to_string(),
        parent: value.parent(),
        due_at: value.due_at(),
        version,
        body: serde_json::to_string(value)
            .map_err(|e| Error::Backend(format!("cannot encode a {}: {e}", T::KIND.as_str())))?,
    })
}

fn decode<T: Record>(doc: BackupDoc) -> Result<Stored<T>> {
    let value = serde_json::from_str(&doc.body)
        .map_err(|e| Error::Backend(format!("a stored {} {} is unreadable: {e}", T::KIND.as_str(), doc.id)))?;
    Ok(Stored { version: doc.version, value })
}

impl App {
    pub(crate) async fn bk_get<T: Record>(&self, id: &str) -> Result<Option<Stored<T>>> {
        self.store.get_backup_doc(T::KIND, id).await?.map(decode).transpose()
    }

    pub(crate) async fn bk_list<T: Record>(&self) -> Result<Vec<Stored<T>>> {
        self.store.list_backup_docs(T::KIND).await?.into_iter().map(decode).collect()
    }

    pub(crate) async fn bk_children<T: Record>(&self, parent: &str) -> Result<Vec<Stored<T>>> {
        self.store.backup_children(T::KIND, parent).await?.into_iter().map(decode).collect()
    }

    pub(crate) async fn bk_due<T: Record>(&self, at: DateTime<Utc>, limit: usize) -> Result<Vec<Stored<T>>> {
        self.store.backup_docs_due(T::KIND, at, limit).await?.into_iter().map(decode).collect()
    }

    /// Inserts a new record; `Conflict` if its id is taken.
    pub(crate) async fn bk_insert<T: Record>(&self, value: &T) -> Result<()> {
        if self.store.insert_backup_doc(&encode(value, 0)?).await? {
            Ok(())
        } else {
            Err(Error::Conflict(format!("{} {} exists already", T::KIND.as_str(), value.id())))
        }
    }

    /// Writes a record read at `read_version`; `Conflict` if it changed since.
    pub(crate) async fn bk_update<T: Record>(&self, value: &T, read_version: u64) -> Result<()> {
        Ok(self.store.update_backup_doc(&encode(value, read_version)?).await?)
    }

    pub(crate) async fn bk_put<T: Record>(&self, value: &T) -> Result<()> {
        Ok(self.store.put_backup_doc(&encode(value, 0)?).await?)
    }

    /// Read-modify-write of one record, retried while a concurrent writer
    /// moves its version on. Returns (before, after); nothing is written
    /// when `f` leaves the record as it was.
    pub(crate) async fn bk_modify<T, F>(&self, id: &str, what: &'static str, mut f: F) -> Result<(T, T)>
    where
        T: Record + PartialEq,
        F: FnMut(&mut T) -> Result<()> + Send,
    {
        for _ in 0..crate::retry::ATTEMPTS {
            let s = self.bk_get::<T>(id).await?.ok_or(Error::NotFound(what))?;
            let before = s.value.clone();
            let mut after = s.value;
            f(&mut after)?;
            if after == before {
                return Ok((before, after));
            }
            match self.bk_update(&after, s.version).await {
                Ok(()) => return Ok((before, after)),
                Err(Error::Conflict(_)) => continue,
                Err(e) => return Err(e),
            }
        }
        Err(Error::Conflict(format!("the {what} kept changing; try again")))
    }

    pub(crate) async fn bk_delete<T: Record>(&self, id: &str) -> Result<bool> {
        Ok(self.store.delete_backup_doc(T::KIND, id).await?)
    }
}

// ---------------------------------------------------------------- the records

impl Record for api::Engine {
    const KIND: BackupKind = BackupKind::Engine;
    fn id(&self) -> &str {
        &self.id
    }
    fn due_at(&self) -> Option<DateTime<Utc>> {
        match self.status {
            api::EngineStatus::Online | api::EngineStatus::Degraded => {
                self.last_heartbeat_at.map(|t| t + chrono::Duration::seconds(engines::OFFLINE_AFTER_SECONDS.into()))
            }
            _ => None,
        }
    }
}

impl Record for api::StorageTarget {
    const KIND: BackupKind = BackupKind::StorageTarget;
    fn id(&self) -> &str {
        &self.id
    }
    fn parent(&self) -> Option<String> {
        Some(self.engine_id.clone())
    }
}

impl Record for api::Policy {
    const KIND: BackupKind = BackupKind::Policy;
    fn id(&self) -> &str {
        &self.id
    }
    fn parent(&self) -> Option<String> {
        Some(self.engine_id.clone())
    }
}

impl Record for api::AppHook {
    const KIND: BackupKind = BackupKind::Hook;
    fn id(&self) -> &str {
        &self.id
    }
    fn parent(&self) -> Option<String> {
        Some(self.policy_id.clone())
    }
}

impl Record for api::ReplicaRule {
    const KIND: BackupKind = BackupKind::Replica;
    fn id(&self) -> &str {
        &self.id
    }
    fn parent(&self) -> Option<String> {
        Some(self.policy_id.clone())
    }
}

impl Record for api::ManagedHost {
    const KIND: BackupKind = BackupKind::Host;
    fn id(&self) -> &str {
        &self.id
    }
    fn parent(&self) -> Option<String> {
        Some(self.customer_id.clone())
    }
}

impl Record for api::BackupAlert {
    const KIND: BackupKind = BackupKind::Alert;
    fn id(&self) -> &str {
        &self.id
    }
}
