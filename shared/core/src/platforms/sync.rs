//! One sync of a platform, in the worker: jobs, then sessions page by page
//! since the cursor (never all in memory), each finished session recorded
//! as a run (idempotent by the platform's session id), then the protected
//! objects. Running sessions are skipped until they end: the cursor stays
//! at the oldest of them so the next sync reads them again.
//!
//! Linking (a Veeam job that also mails its report): a platform job whose
//! customer, software and name (case-insensitive) match an approved
//! mail-derived job is linked to it, and its sessions are recorded on that
//! job, except one whose mail run exists (same job, start within
//! [`MATCH_MINUTES`]). To give each backup one run whichever arrives first,
//! a linked job's session is recorded only [`MAIL_GRACE_MINUTES`] after it
//! ended (the mail normally arrives within a minute or two); until then it
//! is held like a running one. `unlink_platform_job` undoes a link.

use std::collections::HashMap;

use bc_api_types as api;
use bc_api_types::{JobSource, LastBackupStatus, ObjectSource, ObjectType, PlatformKind, Report, Status};
use chrono::{DateTime, Duration, Utc};

use super::describe;
use super::port::{PlatformError, PlatformJob, PlatformSession};
use crate::app::App;
use crate::auth::permissions::Actor;
use crate::backup::objects::ObjectSpec;
use crate::error::{Error, Result};
use crate::jobs::external::{ExternalJob, ExternalRun};
use crate::jobs::repo::JobFilter;

/// A platform session and a mail run of the same job are one backup when they start this close.
pub const MATCH_MINUTES: i64 = 3;
/// A linked job's session waits this long after its end for the mail report.
pub const MAIL_GRACE_MINUTES: i64 = 30;
/// Each sync reads sessions from a little before the cursor (clock skew, late inserts).
const CURSOR_OVERLAP_MINUTES: i64 = 5;
/// At most one sync of a platform at a time.
const SYNC_CLAIM_MINUTES: i64 = 30;

/// What one sync did.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct SyncReport {
    pub jobs: u32,
    pub jobs_created_or_linked: u32,
    pub sessions_seen: u64,
    pub runs_imported: u64,
    pub runs_known: u64,
    pub running_skipped: u64,
    pub held_for_mail: u64,
    pub matched_mail: u64,
    pub objects: u32,
    pub retries_completed: u32,
    pub problems: Vec<String>,
}

impl SyncReport {
    fn summary(&self) -> String {
        format!(
            "{} jobs; {} sessions read: {} runs imported, {} already known, {} still running, {} waiting for their \
             mail, {} matched a mail run; {} protected objects; {} retries completed",
            self.jobs,
            self.sessions_seen,
            self.runs_imported,
            self.runs_known,
            self.running_skipped,
            self.held_for_mail,
            self.matched_mail,
            self.objects,
            self.retries_completed
        )
    }
}

struct JobEntry {
    job_id: String,
    customer_id: String,
    linked: bool,
    job_type: String,
}

fn last_status(s: Status) -> LastBackupStatus {
    match s {
        Status::Success => LastBackupStatus::Success,
        Status::Warning => LastBackupStatus::Warning,
        _ => LastBackupStatus::Failed,
    }
}

/// The object type a task session's type suggests.
fn object_type(kind: PlatformKind, t: Option<&str>) -> ObjectType {
    let t = t.unwrap_or("").to_lowercase();
    if kind == PlatformKind::Cove {
        return if t.contains("365") { ObjectType::CloudResource } else { ObjectType::Physical };
    }
    if t.contains("agent") || t.contains("computer") || t.contains("windows") || t.contains("linux") {
        ObjectType::Physical
    } else if t.contains("share") || t.contains("nas") || t.contains("file") {
        ObjectType::Nas
    } else {
        ObjectType::Vm
    }
}

/// A platform's object id for a named object (task sessions and backup objects name them alike).
pub fn object_key(name: &str) -> String {
    format!("name:{}", name.trim().to_lowercase())
}

impl App {
    /// The worker's entry: an error means "retry later" (a transient
    /// platform error); anything else ends on the platform's status.
    pub async fn run_platform_sync(&self, id: &str) -> Result<()> {
        let Some(s) = self.bk_get::<api::Platform>(id).await? else {
            tracing::info!(platform = id, "platform gone; sync dropped");
            return Ok(());
        };
        if !s.value.enabled {
            return Ok(());
        }
        let key = format!("platform-sync:{id}");
        let now = self.clock.now();
        if !self.store.claim(&key, now, now + Duration::minutes(SYNC_CLAIM_MINUTES)).await? {
            tracing::info!(platform = id, "a sync of this platform is running; this one is dropped");
            return Ok(());
        }
        let outcome = self.sync_platform(&s.value).await;
        self.store.release_claim(&key).await?;
        match outcome {
            Ok(report) => {
                tracing::info!(platform = id, summary = %report.summary(), "platform synced");
                Ok(())
            }
            Err(SyncError::Platform(e)) => {
                self.platform_failed(id, &describe(&e)).await?;
                if e.is_transient() { Err(Error::Backend(format!("platform sync: {e}"))) } else { Ok(()) }
            }
            Err(SyncError::Setup(m)) => self.platform_failed(id, &m).await,
            Err(SyncError::Core(e)) => {
                let _ = self.platform_failed(id, &format!("the sync stopped: {e}")).await;
                Err(e)
            }
        }
    }

    async fn platform_failed(&self, id: &str, message: &str) -> Result<()> {
        let now = self.clock.now();
        match self
            .bk_modify::<api::Platform, _>(id, "platform", |p| {
                p.last_sync_at = Some(now);
                p.last_sync_status = api::PlatformSyncStatus::Failed;
                p.last_error = Some(message.chars().take(500).collect());
                Ok(())
            })
            .await
        {
            Ok(_) | Err(Error::NotFound(_)) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// One sync (no claim; [`Self::run_platform_sync`] takes it).
    pub async fn sync_platform(&self, p: &api::Platform) -> std::result::Result<SyncReport, SyncError> {
        // The platform's customer; an MSP-level Cove platform puts each device under the customer of its
        // Cove customer name (I8), matched case-insensitively.
        let by_name: HashMap<String, String> = match (&p.customer_id, p.kind) {
            (Some(_), _) => HashMap::new(),
            (None, PlatformKind::Cove) => self
                .store
                .list_customers()
                .await
                .map_err(Error::from)?
                .into_iter()
                .map(|c| (c.name.trim().to_lowercase(), c.id))
                .collect(),
            (None, PlatformKind::VeeamVbr) => {
                return Err(SyncError::Setup(
                    "the platform belongs to no customer: its jobs need one; set the customer under Backup > Platforms"
                        .into(),
                ));
            }
        };
        let customer_of = |j: &PlatformJob| -> Option<String> {
            match &p.customer_id {
                Some(c) => Some(c.clone()),
                None => j.customer_hint.as_ref().and_then(|h| by_name.get(&h.trim().to_lowercase()).cloned()),
            }
        };
        let mut skipped_jobs: std::collections::HashSet<String> = std::collections::HashSet::new();
        let conn = self.platform_connection(p).await.map_err(|e| SyncError::Setup(e.to_string()))?;
        let connector =
            self.platforms.clone().ok_or_else(|| SyncError::Setup("this runtime has no platform adapters".into()))?;
        let mut api = connector.connect(&conn).await?;
        let mut r = SyncReport::default();
        let mut links: Vec<api::PlatformLink> = p.links.clone();

        // Jobs.
        let mut jobs: HashMap<String, JobEntry> = HashMap::new();
        for j in api.list_jobs().await? {
            if let Some(t) = &j.unknown_type {
                r.problems.push(format!(
                    "job {:?} has a type this release does not know ({t}); imported as {:?}",
                    j.name, j.job_type
                ));
            }
            let Some(customer_id) = customer_of(&j) else {
                r.problems.push(format!(
                    "device {:?}: its Cove customer {:?} is no Backupchecks customer (create one of that name); skipped",
                    j.name,
                    j.customer_hint.clone().unwrap_or_default()
                ));
                skipped_jobs.insert(j.external_id.clone());
                continue;
            };
            let e = self.platform_job(p, &customer_id, &j, &mut links).await?;
            jobs.insert(j.external_id.clone(), e);
            r.jobs += 1;
        }

        // Sessions, page by page.
        let since = p.cursor.map(|c| c - Duration::minutes(CURSOR_OVERLAP_MINUTES));
        let mut held: Option<DateTime<Utc>> = None;
        let mut newest: Option<DateTime<Utc>> = None;
        let mut pending = p.pending_retries.clone();
        let mut completed: Vec<api::CompletedRetry> = Vec::new();
        let now = self.clock.now();
        let mut skip = 0u64;
        let mut touched: std::collections::HashSet<String> = std::collections::HashSet::new();
        loop {
            let page = api.sessions_page(since, skip).await?;
            for m in &page.malformed {
                r.problems.push(format!("an unreadable session was skipped: {m}"));
            }
            for sess in page.items {
                r.sessions_seen += 1;
                let started = sess.started_at.with_timezone(&Utc);
                newest = newest.max(Some(started));
                if skipped_jobs.contains(&sess.job_external_id) {
                    continue;
                }
                if !jobs.contains_key(&sess.job_external_id) {
                    // A job the listing did not show (deleted, or a type the listing leaves out).
                    let j = PlatformJob {
                        external_id: sess.job_external_id.clone(),
                        name: sess.job_name.clone(),
                        job_type: "Backup".into(),
                        unknown_type: None,
                        customer_hint: None,
                    };
                    let Some(customer_id) = customer_of(&j) else {
                        r.problems.push(format!("a session of the unlisted job {:?} was skipped", j.name));
                        skipped_jobs.insert(j.external_id.clone());
                        continue;
                    };
                    let e = self.platform_job(p, &customer_id, &j, &mut links).await?;
                    jobs.insert(j.external_id.clone(), e);
                }
                let entry = &jobs[&sess.job_external_id];
                let (Some(ended), Some(status)) = (sess.ended_at, sess.status) else {
                    r.running_skipped += 1;
                    held = held.min(Some(started)).or(Some(started));
                    continue;
                };
                let ended_utc = ended.with_timezone(&Utc);
                if entry.linked {
                    if self.mail_run_matches(&entry.job_id, started).await? {
                        r.matched_mail += 1;
                        self.complete_pending(&mut pending, &mut completed, &sess, None, now);
                        continue;
                    }
                    if now - ended_utc < Duration::minutes(MAIL_GRACE_MINUTES) {
                        r.held_for_mail += 1;
                        held = held.min(Some(started)).or(Some(started));
                        continue;
                    }
                }
                let objects = match &sess.objects {
                    Some(o) => o.clone(),
                    None => api.task_sessions(&sess).await?,
                };
                // Session-level sizes when the platform gives none: what its objects processed.
                let mut sizes = sess.sizes.clone();
                if sizes == api::Sizes::default() && objects.iter().any(|o| o.size_bytes.is_some()) {
                    sizes.read_bytes = Some(objects.iter().filter_map(|o| o.size_bytes).sum());
                }
                let report = Report {
                    parser: format!("platform:{}", p.kind.as_str()),
                    software: p.kind.software().to_string(),
                    job_type: entry.job_type.clone(),
                    job_name: sess.job_name.clone(),
                    status,
                    started_at: Some(sess.started_at),
                    ended_at: Some(ended),
                    duration_secs: None,
                    sizes,
                    messages: sess.messages.clone(),
                    objects,
                    attempt: None,
                    final_attempt: None,
                    original_sender: None,
                    original_subject: None,
                };
                let ext =
                    ExternalRun { key: format!("{}:{}:{}", p.kind.as_str(), p.id, sess.id), received_at: now, report };
                let (run, new) = self.record_external_run(&entry.job_id, &ext).await?;
                if new {
                    r.runs_imported += 1;
                    // Veeam's per-object results are its protected objects; Cove's objects are its devices
                    // (from `backup_objects`), not their data sources.
                    let objects = if p.kind == PlatformKind::VeeamVbr { &ext.report.objects[..] } else { &[] };
                    for o in objects {
                        let spec = ObjectSpec {
                            customer_id: entry.customer_id.clone(),
                            name: o.name.clone(),
                            object_type: object_type(p.kind, o.object_type.as_deref()),
                            hostname: None,
                            source: ObjectSource::Platform {
                                platform_id: p.id.clone(),
                                external_id: object_key(&o.name),
                            },
                            job_id: Some(entry.job_id.clone()),
                        };
                        let obj = self.upsert_protected_object(&spec).await?;
                        touched.insert(obj.id.clone());
                        let at = o.ended_at.map(|t| t.with_timezone(&Utc)).unwrap_or(ended_utc);
                        self.record_object_backup(&obj.id, last_status(o.status), at).await?;
                    }
                } else {
                    r.runs_known += 1;
                }
                self.complete_pending(&mut pending, &mut completed, &sess, Some(&run.id), now);
            }
            match page.next {
                Some(n) if n > skip => skip = n,
                _ => break,
            }
        }

        // Protected objects the platform lists (with their last backups).
        for o in api.backup_objects().await? {
            let entry = o.job_external_id.as_ref().and_then(|j| jobs.get(j));
            let job_id = entry.map(|e| e.job_id.clone());
            let Some(customer_id) = entry.map(|e| e.customer_id.clone()).or_else(|| p.customer_id.clone()) else {
                continue;
            };
            let spec = ObjectSpec {
                customer_id,
                name: o.name.clone(),
                object_type: o.object_type,
                hostname: o.hostname.clone(),
                source: ObjectSource::Platform { platform_id: p.id.clone(), external_id: o.external_id.clone() },
                job_id,
            };
            let obj = self.upsert_protected_object(&spec).await?;
            touched.insert(obj.id.clone());
            if let Some(at) = o.last_success_at {
                self.record_object_backup(&obj.id, LastBackupStatus::Success, at).await?;
            }
            if let (Some(st), Some(at)) = (o.last_status, o.last_backup_at) {
                self.record_object_backup(&obj.id, st, at).await?;
            }
        }
        r.objects = touched.len() as u32;

        // The record: status, cursor, links, retries.
        r.retries_completed = completed.len() as u32;
        let cursor = held.or(newest.max(p.cursor));
        let status = if r.problems.is_empty() { api::PlatformSyncStatus::Ok } else { api::PlatformSyncStatus::Partial };
        let problems = (!r.problems.is_empty()).then(|| {
            let mut m = r.problems.iter().take(5).cloned().collect::<Vec<_>>().join("; ");
            if r.problems.len() > 5 {
                m.push_str(&format!("; and {} more", r.problems.len() - 5));
            }
            m
        });
        let summary = r.summary();
        let version = api.api_version();
        let done: Vec<String> = completed.iter().map(|c| c.job_id.clone()).collect();
        self.bk_modify::<api::Platform, _>(&p.id, "platform", |rec| {
            rec.last_sync_at = Some(now);
            rec.last_sync_status = status;
            rec.last_error = problems.clone();
            rec.last_sync_summary = Some(summary.clone());
            rec.cursor = cursor;
            if version.is_some() {
                rec.api_version = version.clone();
            }
            for l in &links {
                if !rec.links.iter().any(|x| x.external_id == l.external_id) {
                    rec.links.push(l.clone());
                }
            }
            rec.pending_retries.retain(|x| !done.contains(&x.job_id));
            for c in &completed {
                rec.completed_retries.insert(0, c.clone());
            }
            rec.completed_retries.truncate(20);
            Ok(())
        })
        .await?;
        Ok(r)
    }

    fn complete_pending(
        &self,
        pending: &mut Vec<api::PendingRetry>,
        completed: &mut Vec<api::CompletedRetry>,
        sess: &PlatformSession,
        run_id: Option<&str>,
        now: DateTime<Utc>,
    ) {
        let started = sess.started_at.with_timezone(&Utc);
        pending.retain(|pr| {
            let hit = pr.external_id == sess.job_external_id
                && (pr.session_id.as_deref() == Some(sess.id.as_str())
                    || (pr.session_id.is_none() && started >= pr.requested_at - Duration::minutes(1)));
            if hit {
                completed.push(api::CompletedRetry {
                    job_id: pr.job_id.clone(),
                    requested_at: pr.requested_at,
                    run_id: run_id.unwrap_or_default().to_string(),
                    completed_at: now,
                });
            }
            !hit
        });
    }

    /// The core job of a platform job: a linked mail-derived job, or its own.
    async fn platform_job(
        &self,
        p: &api::Platform,
        customer_id: &str,
        j: &PlatformJob,
        links: &mut Vec<api::PlatformLink>,
    ) -> Result<JobEntry> {
        let link = links.iter().find(|l| l.external_id == j.external_id).cloned();
        if let Some(l) = &link
            && let Some(jid) = &l.job_id
            && self.resolve_job(jid).await?.is_some()
        {
            return Ok(JobEntry {
                job_id: jid.clone(),
                customer_id: customer_id.to_string(),
                linked: true,
                job_type: j.job_type.clone(),
            });
        }
        if link.is_none()
            && p.kind == PlatformKind::VeeamVbr
            && let Some(mail_job) = self.mail_job_named(customer_id, p.kind.software(), &j.name).await?
        {
            links.push(api::PlatformLink { external_id: j.external_id.clone(), job_id: Some(mail_job.clone()) });
            return Ok(JobEntry {
                job_id: mail_job,
                customer_id: customer_id.to_string(),
                linked: true,
                job_type: j.job_type.clone(),
            });
        }
        let spec = ExternalJob {
            origin: format!("{}@{}", p.kind.as_str(), p.id),
            key: j.external_id.clone(),
            customer_id: customer_id.to_string(),
            software: p.kind.software().to_string(),
            job_type: j.job_type.clone(),
            job_name: j.name.clone(),
            source: JobSource::Platform { platform_id: p.id.clone(), external_id: j.external_id.clone() },
        };
        let job = self.ensure_external_job(&Actor::system(), &spec).await?;
        Ok(JobEntry { job_id: job.id, customer_id: job.customer_id, linked: false, job_type: j.job_type.clone() })
    }

    /// An approved, not archived mail-derived job of the customer with this software and name (case-insensitive).
    async fn mail_job_named(&self, customer_id: &str, software: &str, name: &str) -> Result<Option<String>> {
        let filter = JobFilter {
            customer_id: Some(customer_id.to_string()),
            software: Some(software.to_string()),
            search: Some(name.trim().to_string()),
            archived: Some(false),
            source: Some(api::JobSourceKind::Mail),
            ..Default::default()
        };
        let want = name.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
        let page = self.store.list_jobs(&filter, None, 50).await?;
        Ok(page
            .items
            .into_iter()
            .find(|j| j.job_name.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase() == want)
            .map(|j| j.id))
    }

    /// Whether the job has a mail run that started within [`MATCH_MINUTES`] of `started`.
    async fn mail_run_matches(&self, job_id: &str, started: DateTime<Utc>) -> Result<bool> {
        let window = Duration::minutes(MATCH_MINUTES);
        let mut cursor: Option<String> = None;
        for _ in 0..10 {
            let page = self.store.list_runs(job_id, cursor.as_deref(), 100).await?;
            for run in &page.items {
                if run.sort_at() < started - Duration::days(2) {
                    return Ok(false);
                }
                if !run.mail_id.is_empty()
                    && let Some(s) = run.started_at
                    && (s - started).abs() <= window
                {
                    return Ok(true);
                }
            }
            match page.next_cursor {
                Some(c) => cursor = Some(c),
                None => return Ok(false),
            }
        }
        Ok(false)
    }
}

/// Why a sync stopped.
#[derive(Debug)]
pub enum SyncError {
    /// The platform failed (retried later when transient).
    Platform(PlatformError),
    /// Our side is not set up (no customer, no credentials): shown, not retried.
    Setup(String),
    Core(Error),
}

impl From<PlatformError> for SyncError {
    fn from(e: PlatformError) -> Self {
        SyncError::Platform(e)
    }
}

impl From<Error> for SyncError {
    fn from(e: Error) -> Self {
        SyncError::Core(e)
    }
}
