//! Third-party backup platforms (seed 001, issue 17): a Veeam Backup &
//! Replication server or an N-able Cove partner, registered for a customer.
//! The scheduler queues a sync when one is due; the worker runs it
//! ([`sync`]) through the [`port::PlatformConnector`]. `docs/platforms.md`
//! is the prose.
//!
//! A platform is a document of kind [`BackupKind::Platform`] in the backup
//! repository, due (indexed) at its next sync; its credentials live in the
//! `platforms` secret (a JSON map of platform id to credential) and are
//! never returned.

pub mod port;
pub mod sync;

use std::collections::BTreeMap;

use bc_api_types as api;
use bc_api_types::{Permission, PlatformKind};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::app::App;
use crate::audit::{Change, audit_entry};
use crate::auth::permissions::Actor;
use crate::backup::Record;
use crate::backup::repo::BackupKind;
use crate::error::{Error, Result};
use crate::ids::{self, check_id};
use crate::ports::SecretName;
use port::{Connection, PlatformError, StartOutcome};

/// Default Veeam REST port.
pub const VEEAM_PORT: u16 = 9419;
/// Cove's JSON-RPC endpoint.
pub const COVE_URL: &str = "https://api.backup.management/jsonapi";
pub const MIN_INTERVAL_MINUTES: u32 = 5;
pub const MAX_INTERVAL_MINUTES: u32 = 24 * 60;
pub const DEFAULT_INTERVAL_MINUTES: u32 = 60;

impl Record for api::Platform {
    const KIND: BackupKind = BackupKind::Platform;
    fn id(&self) -> &str {
        &self.id
    }
    fn due_at(&self) -> Option<DateTime<Utc>> {
        if self.enabled { self.next_sync_at } else { None }
    }
}

/// A platform's credential, as stored in the `platforms` secret.
#[derive(Clone, Serialize, Deserialize)]
pub(crate) struct Credential {
    pub username: String,
    pub password: String,
}

type Vault = BTreeMap<String, Credential>;

fn clean(v: &Option<String>) -> Option<String> {
    v.as_ref().map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

fn name(value: &str) -> Result<String> {
    let v = value.trim();
    if v.is_empty() || v.chars().count() > 200 {
        return Err(Error::Invalid("the platform name is 1 to 200 characters".into()));
    }
    Ok(v.to_string())
}

/// A fingerprint as 64 lowercase hex digits (colons and spaces allowed in input).
pub fn fingerprint(value: &str) -> Result<String> {
    let hex: String = value.chars().filter(|c| !matches!(c, ':' | ' ')).collect::<String>().to_lowercase();
    if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(Error::Invalid(
            "the certificate fingerprint is a SHA-256: 64 hex digits (colons allowed), as Veeam's console or \
             `openssl x509 -fingerprint -sha256` shows it"
                .into(),
        ));
    }
    Ok(hex)
}

/// A host name or address, or (for trials and tests) a full `http(s)://` base URL.
fn host(kind: PlatformKind, value: &str) -> Result<String> {
    let v = value.trim().trim_end_matches('/');
    if v.contains("://") {
        if !(v.starts_with("https://") || v.starts_with("http://")) || v.len() > 300 || v.contains(char::is_whitespace)
        {
            return Err(Error::Invalid(format!("{value:?} is not an http(s) URL")));
        }
        return Ok(v.to_string());
    }
    if kind == PlatformKind::Cove && v.is_empty() {
        return Ok(COVE_URL.to_string());
    }
    crate::backup::validate::hostname(v)
        .map_err(|_| Error::Invalid(format!("{value:?} is not a host name or address (or an https:// URL)")))
}

fn interval(v: Option<u32>) -> Result<u32> {
    let m = v.unwrap_or(DEFAULT_INTERVAL_MINUTES);
    if !(MIN_INTERVAL_MINUTES..=MAX_INTERVAL_MINUTES).contains(&m) {
        return Err(Error::Invalid(format!(
            "the sync interval is {MIN_INTERVAL_MINUTES} to {MAX_INTERVAL_MINUTES} minutes"
        )));
    }
    Ok(m)
}

fn credential(username: &str, password: &str) -> Result<Credential> {
    let u = username.trim();
    if u.is_empty() || u.chars().count() > 200 || password.is_empty() || password.chars().count() > 4096 {
        return Err(Error::Invalid(
            "credentials are a username (at most 200) and a password (at most 4096 characters)".into(),
        ));
    }
    Ok(Credential { username: u.to_string(), password: password.to_string() })
}

/// The base URL a platform is reached at.
pub fn base_url(p: &api::Platform) -> String {
    if p.host.contains("://") {
        return p.host.clone();
    }
    match p.kind {
        PlatformKind::VeeamVbr => {
            let h = if p.host.contains(':') { format!("[{}]", p.host) } else { p.host.clone() };
            format!("https://{h}:{}", p.port.unwrap_or(VEEAM_PORT))
        }
        PlatformKind::Cove => format!("https://{}/jsonapi", p.host),
    }
}

/// What a person reads of a platform error.
pub(crate) fn describe(e: &PlatformError) -> String {
    e.to_string()
}

impl App {
    /// Deletes a job a platform created (with its runs), as part of deleting
    /// the platform: the platform's `backup.manage` covers it.
    async fn remove_imported_job(&self, actor: &Actor, id: &str, name: &str) -> Result<()> {
        let elevated =
            Actor { user_id: actor.user_id.clone(), username: actor.username.clone(), role: api::Role::Admin };
        self.delete_job(&elevated, id, name).await?;
        Ok(())
    }

    async fn read_platform_vault(&self) -> Result<Vault> {
        match self.secrets.get(SecretName::Platforms).await? {
            None => Ok(Vault::new()),
            Some(s) if s.trim().is_empty() => Ok(Vault::new()),
            Some(s) => serde_json::from_str(&s).map_err(|_| {
                Error::Backend("the platform credentials secret is not the JSON this release writes".into())
            }),
        }
    }

    async fn write_platform_vault(&self, v: &Vault) -> Result<()> {
        let json = serde_json::to_string(v).map_err(|e| Error::Backend(e.to_string()))?;
        Ok(self.secrets.put(SecretName::Platforms, &json).await?)
    }

    async fn put_platform_credential(&self, id: &str, c: Credential) -> Result<()> {
        let mut v = self.read_platform_vault().await?;
        v.insert(id.to_string(), c);
        self.write_platform_vault(&v).await
    }

    async fn remove_platform_credential(&self, id: &str) -> Result<()> {
        let mut v = self.read_platform_vault().await?;
        if v.remove(id).is_some() {
            self.write_platform_vault(&v).await?;
        }
        Ok(())
    }

    /// How to reach a platform, credentials included (for the adapter only).
    pub(crate) async fn platform_connection(&self, p: &api::Platform) -> Result<Connection> {
        let c = self.read_platform_vault().await?.remove(&p.id).ok_or_else(|| {
            Error::Invalid("the platform has no stored credentials: enter them again under Backup > Platforms".into())
        })?;
        Ok(Connection {
            kind: p.kind,
            base_url: base_url(p),
            cert_sha256: p.cert_sha256.clone(),
            partner: p.partner.clone(),
            username: c.username,
            password: c.password,
            allow_plain_loopback: self.config.allow_loopback_webhooks,
        })
    }

    pub(crate) async fn platform(&self, id: &str) -> Result<crate::backup::Stored<api::Platform>> {
        check_id(id, "platform")?;
        self.bk_get::<api::Platform>(id).await?.ok_or(Error::NotFound("platform"))
    }

    pub async fn list_platforms(&self, actor: &Actor) -> Result<Vec<api::Platform>> {
        actor.require(Permission::ViewBackup)?;
        let mut out: Vec<_> = self.bk_list::<api::Platform>().await?.into_iter().map(|s| s.value).collect();
        out.sort_by(|a, b| a.name.to_lowercase().cmp(&b.name.to_lowercase()).then(a.id.cmp(&b.id)));
        Ok(out)
    }

    pub async fn get_platform(&self, actor: &Actor, id: &str) -> Result<api::Platform> {
        actor.require(Permission::ViewBackup)?;
        Ok(self.platform(id).await?.value)
    }

    pub async fn register_platform(&self, actor: &Actor, body: &api::PlatformBody) -> Result<api::Platform> {
        actor.require(Permission::ManageBackup)?;
        let name = name(&body.name)?;
        if let Some(c) = &body.customer_id {
            check_id(c, "customer")?;
            self.store.get_customer(c).await?.ok_or(Error::NotFound("customer"))?;
        }
        let host = host(body.kind, &body.host)?;
        let cert_sha256 = clean(&body.cert_sha256).map(|f| fingerprint(&f)).transpose()?;
        let partner = clean(&body.partner);
        if body.kind == PlatformKind::Cove && partner.is_none() {
            return Err(Error::Invalid(
                "a Cove platform needs its partner name exactly as the Cove console shows it (e.g. \"Acme Ltd (admin@acme.com)\")"
                    .into(),
            ));
        }
        if body.kind == PlatformKind::Cove && cert_sha256.is_some() {
            return Err(Error::Invalid("Cove's API has a public certificate: no fingerprint to pin".into()));
        }
        let cred = credential(&body.username, &body.password)?;
        let now = self.clock.now();
        let p = api::Platform {
            id: ids::random_id("pf"),
            name,
            kind: body.kind,
            customer_id: clean(&body.customer_id),
            host,
            port: if body.kind == PlatformKind::VeeamVbr { Some(body.port.unwrap_or(VEEAM_PORT)) } else { None },
            cert_sha256,
            partner,
            has_credentials: true,
            sync_interval_minutes: interval(body.sync_interval_minutes)?,
            enabled: body.enabled.unwrap_or(true),
            last_sync_at: None,
            last_sync_status: api::PlatformSyncStatus::Never,
            last_error: None,
            last_sync_summary: None,
            cursor: None,
            next_sync_at: Some(now),
            api_version: None,
            pending_retries: Vec::new(),
            completed_retries: Vec::new(),
            links: Vec::new(),
            created_at: now,
        };
        // The credential first: a platform never claims one it does not have.
        self.put_platform_credential(&p.id, cred).await?;
        if let Err(e) = self.bk_insert(&p).await {
            self.remove_platform_credential(&p.id).await?;
            return Err(e);
        }
        let change = Change::created(serde_json::to_value(&p).unwrap_or_default());
        self.audit(audit_entry(self, actor, "platform", &p.id, "create", change)).await?;
        Ok(p)
    }

    pub async fn update_platform(&self, actor: &Actor, id: &str, body: &api::PlatformUpdate) -> Result<api::Platform> {
        actor.require(Permission::ManageBackup)?;
        let current = self.platform(id).await?.value;
        let kind = current.kind;
        let new_name = body.name.as_deref().map(name).transpose()?;
        let new_host = body.host.as_deref().map(|h| host(kind, h)).transpose()?;
        let new_cert = match body.cert_sha256.as_deref().map(str::trim) {
            None => None,
            Some("") => Some(None),
            Some(f) if kind == PlatformKind::VeeamVbr => Some(Some(fingerprint(f)?)),
            Some(_) => return Err(Error::Invalid("Cove's API has a public certificate: no fingerprint to pin".into())),
        };
        let new_interval = body.sync_interval_minutes.map(|m| interval(Some(m))).transpose()?;
        let cred = match (&body.username, &body.password) {
            (None, None) => None,
            (Some(u), Some(p)) => Some(credential(u, p)?),
            _ => return Err(Error::Invalid("change the username and password together".into())),
        };
        if let Some(c) = cred {
            self.put_platform_credential(id, c).await?;
            let change = Change::fields(serde_json::json!({}), serde_json::json!({"credentials": "replaced"}));
            self.audit(audit_entry(self, actor, "platform", id, "rotate_credentials", change)).await?;
        }
        let now = self.clock.now();
        let (before, after) = self
            .bk_modify::<api::Platform, _>(id, "platform", |p| {
                if let Some(n) = &new_name {
                    p.name = n.clone();
                }
                if let Some(h) = &new_host {
                    p.host = h.clone();
                }
                if let Some(port) = body.port
                    && kind == PlatformKind::VeeamVbr
                {
                    p.port = Some(port);
                }
                if let Some(c) = &new_cert {
                    p.cert_sha256 = c.clone();
                }
                if let Some(partner) = clean(&body.partner) {
                    p.partner = Some(partner);
                }
                if let Some(m) = new_interval {
                    p.sync_interval_minutes = m;
                }
                if let Some(e) = body.enabled {
                    if e && !p.enabled {
                        p.next_sync_at = Some(now);
                    }
                    p.enabled = e;
                }
                Ok(())
            })
            .await?;
        let change = Change::diff(&before, &after);
        if !change.is_empty() {
            self.audit(audit_entry(self, actor, "platform", id, "update", change)).await?;
        }
        Ok(after)
    }

    /// Signs in to the platform and counts what it sees; records the answer on the platform.
    pub async fn test_platform(&self, actor: &Actor, id: &str) -> Result<api::PlatformTestResult> {
        actor.require(Permission::ManageBackup)?;
        let p = self.platform(id).await?.value;
        let conn = self.platform_connection(&p).await?;
        let connector =
            self.platforms.clone().ok_or_else(|| Error::Invalid("this runtime has no platform adapters".into()))?;
        let result = match connector.connect(&conn).await {
            Err(e) => api::PlatformTestResult { ok: false, message: describe(&e), api_version: None, jobs_seen: None },
            Ok(mut s) => match s.list_jobs().await {
                Ok(jobs) => api::PlatformTestResult {
                    ok: true,
                    message: format!(
                        "signed in; {} {} visible",
                        jobs.len(),
                        if p.kind == PlatformKind::Cove { "devices" } else { "jobs" }
                    ),
                    api_version: s.api_version(),
                    jobs_seen: Some(jobs.len() as u64),
                },
                Err(e) => api::PlatformTestResult {
                    ok: false,
                    message: format!("signed in, but listing jobs failed: {}", describe(&e)),
                    api_version: s.api_version(),
                    jobs_seen: None,
                },
            },
        };
        let change =
            Change::fields(serde_json::json!({}), serde_json::json!({"ok": result.ok, "message": result.message}));
        self.audit(audit_entry(self, actor, "platform", id, "test_connection", change)).await?;
        if result.api_version.is_some() {
            let v = result.api_version.clone();
            self.bk_modify::<api::Platform, _>(id, "platform", |p| {
                p.api_version = v.clone();
                Ok(())
            })
            .await?;
        }
        Ok(result)
    }

    /// Queues a sync now (the worker runs it).
    pub async fn trigger_platform_sync(&self, actor: &Actor, id: &str) -> Result<()> {
        actor.require(Permission::ManageBackup)?;
        let p = self.platform(id).await?.value;
        if !p.enabled {
            return Err(Error::Invalid("the platform is disabled: enable it to sync".into()));
        }
        self.enqueue(&crate::tasks::task::Task::PlatformSync { platform_id: p.id.clone() }).await?;
        self.audit(audit_entry(self, actor, "platform", id, "trigger_sync", Change::default())).await?;
        Ok(())
    }

    /// Queues the syncs that are due (the scheduler tick). Each platform's
    /// next sync moves one interval on before queueing, so a doubled tick
    /// queues nothing twice.
    pub async fn queue_due_platform_syncs(&self) -> Result<u32> {
        let now = self.clock.now();
        let mut queued = 0;
        for s in self.bk_due::<api::Platform>(now, 100).await? {
            let p = s.value;
            let mut next = p.clone();
            next.next_sync_at = Some(now + Duration::minutes(p.sync_interval_minutes.into()));
            match self.bk_update(&next, s.version).await {
                Ok(()) => {}
                Err(Error::Conflict(_)) => continue,
                Err(e) => return Err(e),
            }
            self.enqueue(&crate::tasks::task::Task::PlatformSync { platform_id: p.id.clone() }).await?;
            queued += 1;
        }
        Ok(queued)
    }

    /// What deleting a platform would take with it.
    pub async fn platform_deletion(&self, actor: &Actor, id: &str) -> Result<api::PlatformDeletion> {
        actor.require(Permission::ViewBackup)?;
        let p = self.platform(id).await?.value;
        self.deletion_of(&p).await
    }

    async fn deletion_of(&self, p: &api::Platform) -> Result<api::PlatformDeletion> {
        let mut jobs = Vec::new();
        let mut cursor: Option<String> = None;
        let filter = crate::jobs::repo::JobFilter {
            source: Some(api::JobSourceKind::Platform),
            customer_id: p.customer_id.clone(),
            ..Default::default()
        };
        loop {
            let page = self.store.list_jobs(&filter, cursor.as_deref(), 500).await?;
            for j in page.items {
                if matches!(&j.source, api::JobSource::Platform { platform_id, .. } if *platform_id == p.id) {
                    jobs.push(j.id);
                }
            }
            match page.next_cursor {
                Some(c) => cursor = Some(c),
                None => break,
            }
        }
        let linked_jobs = p.links.iter().filter_map(|l| l.job_id.clone()).collect();
        let objects = self.platform_objects(p).await?;
        Ok(api::PlatformDeletion {
            platform_id: p.id.clone(),
            jobs,
            linked_jobs,
            protected_objects: objects.len() as u32,
        })
    }

    async fn platform_objects(&self, p: &api::Platform) -> Result<Vec<String>> {
        let all = match &p.customer_id {
            Some(c) => self.bk_children::<api::ProtectedObject>(c).await?,
            None => self.bk_list::<api::ProtectedObject>().await?,
        };
        Ok(all
            .into_iter()
            .filter(
                |o| matches!(&o.value.source, api::ObjectSource::Platform { platform_id, .. } if *platform_id == p.id),
            )
            .map(|o| o.value.id)
            .collect())
    }

    /// The protected objects a platform's syncs discovered, by name.
    pub async fn list_platform_objects(&self, actor: &Actor, id: &str) -> Result<Vec<api::ProtectedObject>> {
        actor.require(Permission::ViewBackup)?;
        let p = self.platform(id).await?.value;
        let all = match &p.customer_id {
            Some(c) => self.bk_children::<api::ProtectedObject>(c).await?,
            None => self.bk_list::<api::ProtectedObject>().await?,
        };
        let mut out: Vec<api::ProtectedObject> = all
            .into_iter()
            .map(|o| o.value)
            .filter(|o| matches!(&o.source, api::ObjectSource::Platform { platform_id, .. } if *platform_id == p.id))
            .collect();
        out.sort_by(|a, b| a.name.to_lowercase().cmp(&b.name.to_lowercase()).then(a.id.cmp(&b.id)));
        Ok(out)
    }

    /// Deletes a platform with the jobs (and their runs) and protected
    /// objects it created; `confirm` must be its name. Mail-derived jobs it
    /// was linked to stay (with the runs it recorded on them).
    pub async fn delete_platform(&self, actor: &Actor, id: &str, confirm: &str) -> Result<api::PlatformDeletion> {
        actor.require(Permission::ManageBackup)?;
        let p = self.platform(id).await?.value;
        if confirm.trim() != p.name {
            return Err(Error::Invalid(format!("to confirm, type the platform's name: {:?}", p.name)));
        }
        let d = self.deletion_of(&p).await?;
        let system = Actor::system();
        for job_id in &d.jobs {
            if let Some(job) = self.store.get_job(job_id).await? {
                self.remove_imported_job(&system, &job.id, &job.job_name).await?;
            }
        }
        for o in self.platform_objects(&p).await? {
            self.bk_delete::<api::ProtectedObject>(&o).await?;
        }
        self.bk_delete::<api::Platform>(id).await?;
        self.remove_platform_credential(id).await?;
        let change = Change::deleted(serde_json::json!({
            "platform": p, "jobs_deleted": d.jobs, "linked_jobs_kept": d.linked_jobs, "protected_objects": d.protected_objects,
        }));
        self.audit(audit_entry(self, actor, "platform", id, "delete", change)).await?;
        Ok(d)
    }

    /// Retries a platform job: a pending marker that the next sync completes
    /// with the real result; Veeam is asked to start the job (or to retry
    /// it from API revision 1.3 on); Cove has no such call.
    pub async fn retry_platform_job(&self, actor: &Actor, job_id: &str) -> Result<api::PlatformRetryResult> {
        actor.require(Permission::ManageBackup)?;
        check_id(job_id, "job")?;
        let job = self.resolve_job(job_id).await?.ok_or(Error::NotFound("job"))?;
        let (platform_id, external_id) = match &job.source {
            api::JobSource::Platform { platform_id, external_id } => (platform_id.clone(), external_id.clone()),
            _ => {
                // A mail job a platform job is linked to.
                let mut found = None;
                for s in self.bk_list::<api::Platform>().await? {
                    if let Some(l) = s.value.links.iter().find(|l| l.job_id.as_deref() == Some(&job.id)) {
                        found = Some((s.value.id.clone(), l.external_id.clone()));
                        break;
                    }
                }
                found.ok_or_else(|| Error::Invalid("this job does not come from a platform".into()))?
            }
        };
        let p = self.platform(&platform_id).await?.value;
        if p.pending_retries.iter().any(|r| r.external_id == external_id) {
            return Err(Error::Conflict("a retry of this job is already pending; the next sync completes it".into()));
        }
        let outcome = match p.kind {
            PlatformKind::Cove => StartOutcome::NotOffered,
            PlatformKind::VeeamVbr => {
                let conn = self.platform_connection(&p).await?;
                let connector = self
                    .platforms
                    .clone()
                    .ok_or_else(|| Error::Invalid("this runtime has no platform adapters".into()))?;
                let mut s = connector
                    .connect(&conn)
                    .await
                    .map_err(|e| Error::Invalid(format!("the retry was not sent: {}", describe(&e))))?;
                s.start_job(&external_id)
                    .await
                    .map_err(|e| Error::Invalid(format!("the platform refused the retry: {}", describe(&e))))?
            }
        };
        let (call, session_id) = match outcome {
            StartOutcome::Started { session_id } => ("job_start", session_id),
            StartOutcome::Retried { session_id } => ("job_retry", session_id),
            StartOutcome::NotOffered => ("none", None),
        };
        let pending = api::PendingRetry {
            job_id: job.id.clone(),
            external_id: external_id.clone(),
            requested_at: self.clock.now(),
            requested_by: actor.username.clone(),
            session_id,
        };
        let pr = pending.clone();
        self.bk_modify::<api::Platform, _>(&platform_id, "platform", |p| {
            p.pending_retries.retain(|r| r.external_id != pr.external_id);
            p.pending_retries.push(pr.clone());
            Ok(())
        })
        .await?;
        let change = Change::created(serde_json::json!({"pending": pending, "platform_call": call}));
        self.audit(audit_entry(self, actor, "job", &job.id, "platform_retry", change)).await?;
        Ok(api::PlatformRetryResult { pending, platform_call: call.to_string() })
    }

    /// Undoes the link of a platform job to a mail-derived job: the next
    /// sync gives the platform job its own job (runs already recorded on the
    /// mail job stay there), and never links it again.
    pub async fn unlink_platform_job(&self, actor: &Actor, id: &str, external_id: &str) -> Result<api::Platform> {
        actor.require(Permission::ManageBackup)?;
        self.platform(id).await?;
        let ext = external_id.trim().to_string();
        let (before, after) = self
            .bk_modify::<api::Platform, _>(id, "platform", |p| {
                let l = p
                    .links
                    .iter_mut()
                    .find(|l| l.external_id == ext)
                    .ok_or_else(|| Error::Invalid(format!("the platform job {ext:?} is not linked")))?;
                l.job_id = None;
                Ok(())
            })
            .await?;
        self.audit(audit_entry(self, actor, "platform", id, "unlink_job", Change::diff(&before.links, &after.links)))
            .await?;
        Ok(after)
    }
}
