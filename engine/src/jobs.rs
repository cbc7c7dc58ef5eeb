//! Running one agent job (docs/bes-protocol.md §6): what each kind does and the `JobResult` it
//! answers. Repository work is blocking and runs in `spawn_blocking`; hooks run as child processes.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use bc_api_types::{
    AgentJobStatus, BackupPayload, BesCapacity, EngineJob, HookType, JobPayload, JobResult, SnapshotInfo, TargetType,
    VerificationStatus,
};
use chrono::Utc;

use crate::hooks;
use crate::repo::{BackupSpec, Counters, Repo, capacity, chain_id};

pub const NOT_SUPPORTED: &str = "not supported by the reference engine";
pub const STORAGE_NOT_SUPPORTED: &str = "storage type not supported by the reference engine";
/// Entries a browse or search answers at most.
pub const MAX_ENTRIES: usize = 10_000;

/// Runs jobs on this machine.
pub struct Executor {
    password: String,
    hostname: String,
    aliases: Vec<String>,
    /// One lock per repository: prune takes it alone, everything else shares it.
    locks: Mutex<HashMap<PathBuf, Arc<tokio::sync::RwLock<()>>>>,
}

fn result(status: AgentJobStatus, started: chrono::DateTime<Utc>) -> JobResult {
    JobResult {
        status,
        started_at: Some(started),
        ended_at: Some(Utc::now()),
        bytes_transferred: 0,
        protected_bytes: 0,
        error: None,
        retryable: false,
        messages: Vec::new(),
        snapshot: None,
        entries: Vec::new(),
        forgotten: Vec::new(),
        verified: Vec::new(),
        restored_files: None,
        reachable: None,
        capacity: None,
        hooks: Vec::new(),
        replica_snapshot_id: None,
    }
}

/// Longest `error` or message the server accepts (bytes).
pub const MAX_TEXT: usize = 4000;
/// Most messages the server accepts.
pub const MAX_MESSAGES: usize = 100;

/// Cuts a text to at most `MAX_TEXT` bytes at a character boundary.
pub fn clip(s: &str) -> String {
    if s.len() <= MAX_TEXT {
        return s.to_string();
    }
    let mut end = MAX_TEXT - 3;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...", &s[..end])
}

/// Makes a result fit the server's limits (§6: error and messages; entries are limited where made).
pub fn fit(mut r: JobResult) -> JobResult {
    r.error = r.error.as_deref().map(clip);
    if r.messages.len() > MAX_MESSAGES {
        let more = r.messages.len() - (MAX_MESSAGES - 1);
        r.messages.truncate(MAX_MESSAGES - 1);
        r.messages.push(format!("... and {more} more"));
    }
    r.messages = r.messages.iter().map(|m| clip(m)).collect();
    for v in &mut r.verified {
        v.errors.truncate(MAX_MESSAGES);
        v.errors = v.errors.iter().map(|m| clip(m)).collect();
    }
    if let (Some(s), Some(e)) = (r.started_at, r.ended_at)
        && e < s
    {
        r.ended_at = Some(s);
    }
    r
}

/// A failed result.
pub fn failed(started: chrono::DateTime<Utc>, error: impl Into<String>, retryable: bool) -> JobResult {
    let mut r = result(AgentJobStatus::Failed, started);
    r.error = Some(error.into());
    r.retryable = retryable;
    r
}

/// Runs blocking repository work off the async threads.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> anyhow::Result<T> + Send + 'static) -> anyhow::Result<T> {
    match tokio::task::spawn_blocking(f).await {
        Ok(r) => r,
        Err(e) if e.is_panic() => {
            Err(anyhow::anyhow!("the engine failed on this job: {}", panic_message(e.into_panic())))
        }
        Err(e) => Err(anyhow::anyhow!("the job was cancelled: {e}")),
    }
}

pub fn panic_message(p: Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = p.downcast_ref::<&str>() {
        format!("panic: {s}")
    } else if let Some(s) = p.downcast_ref::<String>() {
        format!("panic: {s}")
    } else {
        "panic".to_string()
    }
}

impl Executor {
    pub fn new(password: String, hostname: String, aliases: Vec<String>) -> Executor {
        Executor { password, hostname, aliases, locks: Mutex::new(HashMap::new()) }
    }

    pub fn hostname(&self) -> &str {
        &self.hostname
    }

    fn is_this_machine(&self, name: &str) -> bool {
        name.eq_ignore_ascii_case(&self.hostname) || self.aliases.iter().any(|a| a.eq_ignore_ascii_case(name))
    }

    fn lock_for(&self, path: &Path) -> Arc<tokio::sync::RwLock<()>> {
        self.locks.lock().unwrap().entry(path.to_path_buf()).or_default().clone()
    }

    /// The local repository path of a job, or the failed result to answer.
    fn repo_path(&self, job: &EngineJob, started: chrono::DateTime<Utc>) -> Result<PathBuf, Box<JobResult>> {
        local_path(job.target.as_ref(), "storage target", started)
    }
}

/// A Local target's repository path, or the failed result to answer.
fn local_path(
    target: Option<&bc_api_types::JobTarget>,
    what: &str,
    started: chrono::DateTime<Utc>,
) -> Result<PathBuf, Box<JobResult>> {
    let Some(target) = target else {
        return Err(Box::new(failed(started, format!("the job names no {what}"), false)));
    };
    if target.target_type != TargetType::Local {
        return Err(Box::new(failed(started, STORAGE_NOT_SUPPORTED, false)));
    }
    match target.connection.path.as_deref().map(str::trim) {
        Some(p) if Path::new(p).is_absolute() => Ok(PathBuf::from(p)),
        Some(p) if !p.is_empty() => {
            Err(Box::new(failed(started, format!("the Local target's path {p:?} is not absolute"), false)))
        }
        _ => Err(Box::new(failed(started, "the Local target has no path", false))),
    }
}

impl Executor {
    /// Runs a job to its result. Never panics outward: the caller also runs it in a task and turns
    /// a panic into a failed result.
    pub async fn execute(&self, job: &EngineJob, counters: Arc<Counters>) -> JobResult {
        let started = Utc::now();
        match &job.payload {
            JobPayload::ImageRestore(_) | JobPayload::BareMetalRestore(_) => {
                return failed(started, NOT_SUPPORTED, false);
            }
            _ => {}
        }
        let path = match self.repo_path(job, started) {
            Ok(p) => p,
            Err(r) => return *r,
        };
        let pw = self.password.clone();
        let lock = self.lock_for(&path);
        match &job.payload {
            JobPayload::Backup(b) => {
                let _g = lock.read().await;
                self.backup(job, b, path, counters, started).await
            }
            JobPayload::Forget(f) => {
                let _g = lock.write().await;
                let ids = f.snapshot_ids.clone();
                let prune = f.prune;
                let res = blocking(move || {
                    if !Repo::exists(&path) {
                        anyhow::bail!("there is no repository at {}", path.display());
                    }
                    Repo::open(&path, &pw)?.forget(&ids, prune)
                })
                .await;
                match res {
                    Ok(forgotten) => {
                        let mut r = result(AgentJobStatus::Success, started);
                        r.forgotten = forgotten;
                        r
                    }
                    Err(e) => failed(started, format!("{e:#}"), true),
                }
            }
            JobPayload::Browse(b) => {
                let _g = lock.read().await;
                let (snap, dir) = (b.snapshot_id.clone(), b.path.clone());
                match blocking(move || Repo::open(&path, &pw)?.browse(&snap, &dir, MAX_ENTRIES)).await {
                    Ok(entries) => {
                        let mut r = result(AgentJobStatus::Success, started);
                        r.entries = entries;
                        r
                    }
                    Err(e) => failed(started, format!("{e:#}"), false),
                }
            }
            JobPayload::Search(s) => {
                let _g = lock.read().await;
                if s.query.trim().is_empty() {
                    return failed(started, "the search has no query", false);
                }
                let limit = if s.limit == 0 { MAX_ENTRIES } else { (s.limit as usize).min(MAX_ENTRIES) };
                let (snap, q) = (s.snapshot_id.clone(), s.query.clone());
                match blocking(move || Repo::open(&path, &pw)?.search(&snap, &q, limit)).await {
                    Ok(entries) => {
                        let mut r = result(AgentJobStatus::Success, started);
                        r.entries = entries;
                        r
                    }
                    Err(e) => failed(started, format!("{e:#}"), false),
                }
            }
            JobPayload::FileRestore(f) => {
                let _g = lock.read().await;
                if !self.is_this_machine(&f.target_hostname) {
                    return failed(
                        started,
                        format!(
                            "the reference engine restores only to the machine it runs on ({}), not {}",
                            self.hostname, f.target_hostname
                        ),
                        false,
                    );
                }
                if f.paths.is_empty() {
                    return failed(started, "the restore names no paths", false);
                }
                let target = PathBuf::from(&f.target_path);
                if !target.is_absolute() {
                    return failed(
                        started,
                        format!("the restore target {:?} is not an absolute path", f.target_path),
                        false,
                    );
                }
                let (snap, paths, overwrite) = (f.snapshot_id.clone(), f.paths.clone(), f.overwrite);
                match blocking(move || Repo::open(&path, &pw)?.restore(&snap, &paths, &target, overwrite)).await {
                    Ok(n) => {
                        let mut r = result(AgentJobStatus::Success, started);
                        r.restored_files = Some(n);
                        r
                    }
                    Err(e) => failed(started, format!("{e:#}"), true),
                }
            }
            JobPayload::Replicate(rp) => {
                if rp.kek_source != bc_api_types::KekSource::Account {
                    return failed(
                        started,
                        "the reference engine encrypts copies with the account's key only (KEK source pam_vault is not supported)",
                        false,
                    );
                }
                let dest = match local_path(job.replica_target.as_ref(), "replica target", started) {
                    Ok(p) => p,
                    Err(r) => return *r,
                };
                if dest == path {
                    return failed(started, "the replica target is the policy's primary target", false);
                }
                let _g = lock.read().await;
                let dest_lock = self.lock_for(&dest);
                let _d = dest_lock.read().await;
                let snap = rp.snapshot_id.clone();
                match blocking(move || Repo::open(&path, &pw)?.copy_to(&snap, &dest, &pw)).await {
                    Ok(copy) => {
                        let mut r = result(AgentJobStatus::Success, started);
                        r.replica_snapshot_id = Some(copy);
                        r
                    }
                    Err(e) => failed(started, format!("{e:#}"), true),
                }
            }
            JobPayload::Verify(v) => {
                let _g = lock.read().await;
                let (ids, sample) = (v.snapshot_ids.clone(), v.sample_count);
                match blocking(move || Repo::open(&path, &pw)?.verify(&ids, sample)).await {
                    Ok(outcomes) => {
                        let bad = outcomes.iter().filter(|o| o.status == VerificationStatus::Failed).count();
                        let partial = outcomes.iter().filter(|o| o.status == VerificationStatus::Partial).count();
                        let mut r = if bad > 0 {
                            let mut r =
                                failed(started, format!("verification found problems in {bad} snapshot(s)"), false);
                            r.retryable = false;
                            r
                        } else if partial > 0 {
                            let mut r = result(AgentJobStatus::Warning, started);
                            r.messages.push(format!("{partial} snapshot(s) verified in part"));
                            r
                        } else {
                            result(AgentJobStatus::Success, started)
                        };
                        r.verified = outcomes;
                        r
                    }
                    Err(e) => failed(started, format!("{e:#}"), true),
                }
            }
            JobPayload::HealthCheck => {
                let _g = lock.read().await;
                let target_id = job.target.as_ref().map(|t| t.id.clone()).unwrap_or_default();
                let res = blocking(move || {
                    let mut messages = Vec::new();
                    let reachable = if Repo::exists(&path) {
                        match Repo::open(&path, &pw) {
                            Ok(_) => true,
                            Err(e) => {
                                messages.push(format!("{e:#}"));
                                false
                            }
                        }
                    } else {
                        messages.push(format!("no repository at {} yet (the first backup creates it)", path.display()));
                        std::fs::create_dir_all(&path).is_ok()
                    };
                    let cap = capacity(&path).ok();
                    Ok((reachable, cap, messages))
                })
                .await;
                match res {
                    Ok((reachable, cap, messages)) => {
                        let mut r = if reachable {
                            result(AgentJobStatus::Success, started)
                        } else {
                            failed(
                                started,
                                messages.first().cloned().unwrap_or_else(|| "the target is not reachable".into()),
                                true,
                            )
                        };
                        r.messages = messages;
                        r.reachable = Some(reachable);
                        r.capacity = cap.map(|(total_bytes, used_bytes, free_bytes)| BesCapacity {
                            target_id,
                            total_bytes,
                            used_bytes,
                            free_bytes,
                        });
                        r
                    }
                    Err(e) => failed(started, format!("{e:#}"), true),
                }
            }
            JobPayload::ImageRestore(_) | JobPayload::BareMetalRestore(_) => failed(started, NOT_SUPPORTED, false),
        }
    }

    async fn backup(
        &self,
        job: &EngineJob,
        b: &BackupPayload,
        path: PathBuf,
        counters: Arc<Counters>,
        started: chrono::DateTime<Utc>,
    ) -> JobResult {
        if !self.is_this_machine(&b.hostname) {
            return failed(
                started,
                format!(
                    "the reference engine backs up only the machine it runs on ({}), not {}",
                    self.hostname, b.hostname
                ),
                false,
            );
        }
        if b.include_paths.is_empty() {
            return failed(started, "the policy names no paths to back up", false);
        }
        let mut messages = Vec::new();
        let mut hook_outcomes = Vec::new();
        // Pre hooks.
        for h in b.hooks.iter().filter(|h| h.hook_type == HookType::Pre) {
            let o = hooks::run_hook(h).await;
            let ok = hooks::succeeded(&o);
            let what = if o.timed_out {
                format!("timed out after {} s", h.timeout_seconds)
            } else {
                format!("exit code {:?}", o.exit_code)
            };
            hook_outcomes.push(o);
            if !ok {
                if h.fail_on_error {
                    let mut r =
                        failed(started, format!("pre hook {} failed ({what}); nothing was backed up", h.id), true);
                    r.hooks = hook_outcomes;
                    return r;
                }
                messages.push(format!("pre hook {} failed ({what})", h.id));
            }
        }
        let mut include = Vec::new();
        for p in &b.include_paths {
            let pb = PathBuf::from(p);
            if !pb.is_absolute() {
                messages.push(format!("{p} is not an absolute path; skipped"));
            } else if !pb.exists() {
                messages.push(format!("{p} does not exist on {}; skipped", self.hostname));
            } else {
                include.push(pb);
            }
        }
        let backup_result = if include.is_empty() {
            Err((format!("none of the paths to back up exists on {}", self.hostname), true))
        } else {
            let spec = BackupSpec {
                hostname: b.hostname.clone(),
                label: b.policy_id.clone(),
                tags: vec![format!("policy:{}", b.policy_id), format!("host:{}", b.host_id), format!("job:{}", job.id)],
                include_paths: include,
                exclude_paths: b.exclude_paths.clone(),
                exclude_patterns: b.exclude_patterns.clone(),
            };
            let pw = self.password.clone();
            let verify = b.verify_after_backup;
            let sample = b.verify_sample_count;
            blocking(move || {
                let repo = Repo::open_or_init(&path, &pw, Some(counters))?;
                let (repo, out) = repo.backup(&spec)?;
                let verified =
                    if verify { Some(repo.verify(std::slice::from_ref(&out.snapshot_id), sample)?) } else { None };
                Ok((out, verified))
            })
            .await
            .map_err(|e| (format!("{e:#}"), true))
        };
        // Post hooks run whether or not the backup worked (they typically undo what pre hooks did).
        for h in b.hooks.iter().filter(|h| h.hook_type == HookType::Post) {
            let o = hooks::run_hook(h).await;
            if !hooks::succeeded(&o) {
                let what = if o.timed_out {
                    format!("timed out after {} s", h.timeout_seconds)
                } else {
                    format!("exit code {:?}", o.exit_code)
                };
                messages.push(format!("post hook {} failed ({what})", h.id));
            }
            hook_outcomes.push(o);
        }
        let mut r = match backup_result {
            Err((e, retryable)) => failed(started, e, retryable),
            Ok((out, verified)) => {
                let verification = match &verified {
                    None => VerificationStatus::Pending,
                    Some(v) => v.first().map(|o| o.status).unwrap_or(VerificationStatus::Failed),
                };
                let mut r = result(AgentJobStatus::Success, started);
                r.snapshot = Some(SnapshotInfo {
                    snapshot_id: out.snapshot_id.clone(),
                    chain_id: chain_id(&out.repository_id, &b.hostname, &out.paths),
                    completed_at: out.completed_at,
                    size_bytes: out.size_bytes,
                    file_count: out.file_count,
                    verification,
                });
                r.bytes_transferred = out.bytes_added;
                r.protected_bytes = out.size_bytes;
                if let Some(v) = verified {
                    if verification != VerificationStatus::Passed {
                        messages.push(format!("verification after backup: {verification}"));
                    }
                    r.verified = v;
                }
                if !messages.is_empty() {
                    r.status = AgentJobStatus::Warning;
                }
                r
            }
        };
        r.messages.extend(messages);
        r.hooks = hook_outcomes;
        r.ended_at = Some(Utc::now());
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_fit_the_servers_limits() {
        let mut r = failed(Utc::now(), "é".repeat(3000), true);
        r.messages = (0..150).map(|i| format!("m{i}")).collect();
        r.ended_at = Some(r.started_at.unwrap() - chrono::Duration::seconds(1));
        let r = fit(r);
        let e = r.error.unwrap();
        assert!(e.len() <= MAX_TEXT && e.ends_with("..."));
        assert_eq!(r.messages.len(), MAX_MESSAGES);
        assert_eq!(r.messages.last().unwrap(), "... and 51 more");
        assert_eq!(r.ended_at, r.started_at);
    }
}
