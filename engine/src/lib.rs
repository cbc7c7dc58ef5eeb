//! The Backupchecks reference backup engine (BES).
//!
//! It runs on a customer's machine, registers with Backupchecks once (docs/bes-protocol.md §1),
//! then signs every call (§2): a heartbeat about every minute (§3) with its health, the capacity
//! of its Local storage targets (from §4) and its own host name, and a poll for agent jobs (§6)
//! that it acknowledges, runs (backups into restic-format repositories with `rustic_core`,
//! forget + prune, browse, search, file restore, verify, health check), reports progress on and
//! answers with a result. Image and bare-metal restores are answered "not supported".
//!
//! Driving it from a test:
//!
//! ```no_run
//! # async fn demo() -> anyhow::Result<()> {
//! let engine = bc_engine::Engine::new(bc_engine::EngineConfig {
//!     server: "http://127.0.0.1:8080".into(),
//!     state_dir: "/tmp/engine-state".into(),
//!     registration_secret: Some("bcr_...".into()),
//!     ..Default::default()
//! })?;
//! let report = engine.run_once().await?; // register if needed, heartbeat, config, one poll, run the jobs
//! for (job_id, result) in &report.results { println!("{job_id}: {:?}", result.status); }
//! # Ok(()) }
//! ```

pub mod client;
pub mod hooks;
pub mod jobs;
pub mod repo;
pub mod signing;
pub mod state;
pub mod system;

use std::collections::HashSet;
use std::future::Future;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use anyhow::Context;
use bc_api_types::{
    BesCapacity, BesConfig, BesHeartbeat, BesHeartbeatAck, BesHost, BesRegister, DeploymentModel, EngineHealth,
    EngineJob, JobProgress, JobResult, TargetType,
};
use serde::{Deserialize, Serialize};

use crate::client::{Ack, BesClient, CallError, RetryPolicy};
use crate::jobs::Executor;
use crate::repo::Counters;
use crate::signing::Signer;
use crate::state::{Identity, StateDir};

/// How the engine is set up (CLI flags or a TOML/JSON file; see `main.rs`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EngineConfig {
    /// Backupchecks' base URL (the one the UI runs on).
    pub server: String,
    /// Where the engine keeps its identity and repository password (created 0700, files 0600).
    pub state_dir: PathBuf,
    /// Needed only for the first run (registration).
    pub registration_secret: Option<String>,
    /// The engine's name in Backupchecks.
    pub name: String,
    pub deployment_model: DeploymentModel,
    /// This machine's host name as reported and matched against jobs (default: the system's).
    pub hostname: Option<String>,
    /// Other names jobs may use for this machine.
    pub host_aliases: Vec<String>,
    /// The address registered for the engine (default: the local address towards the server).
    pub ip: Option<String>,
    /// The port registered for the engine (it does not listen; Backupchecks shows it).
    pub port: u16,
    /// Seconds between heartbeats when the server does not say.
    pub heartbeat_seconds: u64,
    /// Seconds between progress reports of a running job (also bounded by its progress timeout).
    pub progress_seconds: u64,
    /// Jobs run at the same time.
    pub max_concurrent_jobs: usize,
    /// Attempts per call on network errors and 5xx (each a new nonce and signature).
    pub retry_attempts: u32,
    /// First retry delay, milliseconds (doubling, at most 30 s).
    pub retry_delay_ms: u64,
    /// Seconds added to this machine's clock in signed timestamps (tests against a server on a
    /// manual clock; 0 in real use).
    pub clock_offset_seconds: i64,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            server: "http://127.0.0.1:8080".into(),
            state_dir: PathBuf::from("/var/lib/backupchecks-engine"),
            registration_secret: None,
            name: system::hostname(),
            deployment_model: DeploymentModel::OnPremise,
            hostname: None,
            host_aliases: Vec::new(),
            ip: None,
            port: 8443,
            heartbeat_seconds: 60,
            progress_seconds: 30,
            max_concurrent_jobs: 2,
            retry_attempts: 6,
            retry_delay_ms: 500,
            clock_offset_seconds: 0,
        }
    }
}

/// What one `run_once` did.
#[derive(Debug, Clone)]
pub struct RunOnce {
    pub heartbeat: BesHeartbeatAck,
    /// The configuration fetched after the heartbeat (None when that call failed).
    pub config: Option<BesConfig>,
    pub next_poll_seconds: u32,
    /// Each job acknowledged and run, with the result sent for it.
    pub results: Vec<(String, JobResult)>,
}

struct Inner {
    config: EngineConfig,
    state: StateDir,
    client: BesClient,
    signer: RwLock<Option<Arc<Signer>>>,
    executor: Executor,
    hostname: String,
    started: Instant,
    active_jobs: AtomicU32,
    /// Jobs acknowledged and not yet answered (a re-offer of one of them is ignored).
    in_flight: Mutex<HashSet<String>>,
    last_config: Mutex<Option<BesConfig>>,
    /// Results whose sending failed (network, 5xx) after the retries: sent again before each poll.
    unsent: Mutex<Vec<(String, JobResult)>>,
    hosts_sent: Mutex<bool>,
    register_lock: tokio::sync::Mutex<()>,
}

/// The engine. Cheap to clone (shared state).
#[derive(Clone)]
pub struct Engine {
    inner: Arc<Inner>,
}

impl Engine {
    /// Opens the state directory (creating it and the repository password) and loads the identity
    /// if the engine registered before. No network call.
    pub fn new(config: EngineConfig) -> anyhow::Result<Engine> {
        let state = StateDir::open(&config.state_dir)?;
        let password = state.repository_password()?;
        let retry = RetryPolicy {
            attempts: config.retry_attempts.max(1),
            first_delay: Duration::from_millis(config.retry_delay_ms),
            max_delay: Duration::from_secs(30),
        };
        let client = BesClient::new(&config.server, retry)?;
        client.set_clock_offset(config.clock_offset_seconds);
        let signer = match state.identity()? {
            Some(id) => Some(Arc::new(Signer::new(id.engine_id.clone(), &id.seed()?)?)),
            None => None,
        };
        let hostname = config.hostname.as_deref().map(system::sanitize_hostname).unwrap_or_else(system::hostname);
        let executor = Executor::new(password, hostname.clone(), config.host_aliases.clone());
        Ok(Engine {
            inner: Arc::new(Inner {
                config,
                state,
                client,
                signer: RwLock::new(signer),
                executor,
                hostname,
                started: Instant::now(),
                active_jobs: AtomicU32::new(0),
                in_flight: Mutex::new(HashSet::new()),
                last_config: Mutex::new(None),
                unsent: Mutex::new(Vec::new()),
                hosts_sent: Mutex::new(false),
                register_lock: tokio::sync::Mutex::new(()),
            }),
        })
    }

    /// The engine id, once registered.
    pub fn engine_id(&self) -> Option<String> {
        self.inner.signer.read().unwrap().as_ref().map(|s| s.engine_id().to_string())
    }

    /// Seconds added to this machine's clock in signed timestamps from now on (a test that moves
    /// its server's manual clock moves the engine's with it).
    pub fn set_clock_offset(&self, seconds: i64) {
        self.inner.client.set_clock_offset(seconds);
    }

    /// The host name the engine reports and backs up.
    pub fn hostname(&self) -> &str {
        &self.inner.hostname
    }

    fn signer(&self) -> anyhow::Result<Arc<Signer>> {
        self.inner.signer.read().unwrap().clone().ok_or_else(|| anyhow::anyhow!("the engine is not registered"))
    }

    /// Registers (§1) unless the state directory already holds an identity; returns the engine id.
    pub async fn register_if_needed(&self) -> anyhow::Result<String> {
        let _g = self.inner.register_lock.lock().await;
        if let Some(id) = self.engine_id() {
            return Ok(id);
        }
        let secret = self.inner.config.registration_secret.clone().filter(|s| !s.trim().is_empty()).context(
            "the engine is not registered yet: give it a registration secret (Backup > Engines > Registration secrets)",
        )?;
        let seed = state::random_bytes::<32>();
        let public_key = signing::public_key_of_seed(&seed)?;
        let ip = self
            .inner
            .config
            .ip
            .clone()
            .or_else(|| system::local_ip_towards(&self.inner.config.server))
            .unwrap_or_else(|| "127.0.0.1".into());
        let body = BesRegister {
            registration_secret: secret.trim().to_string(),
            name: self.inner.config.name.clone(),
            deployment_model: self.inner.config.deployment_model,
            public_key,
            hostname: self.inner.hostname.clone(),
            ip,
            port: self.inner.config.port.max(1),
        };
        let reg = self.inner.client.register(&body).await.context("registration failed")?;
        // Keep the identity before anything else: a second registration would make a second engine.
        self.inner.state.save_identity(&Identity {
            engine_id: reg.engine_id.clone(),
            key_seed_hex: hex::encode(seed),
            server: self.inner.config.server.clone(),
        })?;
        *self.inner.signer.write().unwrap() = Some(Arc::new(Signer::new(reg.engine_id.clone(), &seed)?));
        tracing::info!(engine_id = %reg.engine_id, "registered");
        Ok(reg.engine_id)
    }

    fn health(&self) -> EngineHealth {
        EngineHealth {
            cpu_percent: system::cpu_percent(),
            memory_percent: system::memory_percent(),
            disk_percent: system::disk_percent(self.inner.state.path()),
            active_jobs: self.inner.active_jobs.load(Ordering::Relaxed),
            uptime_seconds: self.inner.started.elapsed().as_secs(),
        }
    }

    fn storage_reports(&self) -> Vec<BesCapacity> {
        let cfg = self.inner.last_config.lock().unwrap().clone();
        let Some(cfg) = cfg else { return Vec::new() };
        cfg.storage_targets
            .iter()
            .filter(|t| t.target_type == TargetType::Local)
            .filter_map(|t| {
                let p = t.connection.path.as_deref()?;
                let (total_bytes, used_bytes, free_bytes) = repo::capacity(std::path::Path::new(p)).ok()?;
                Some(BesCapacity { target_id: t.id.clone(), total_bytes, used_bytes, free_bytes })
            })
            .take(100)
            .collect()
    }

    /// One heartbeat (§3), then the configuration (§4) for the next heartbeat's storage reports.
    pub async fn heartbeat(&self) -> anyhow::Result<BesHeartbeatAck> {
        let signer = self.signer()?;
        let send_hosts = !*self.inner.hosts_sent.lock().unwrap();
        let body = BesHeartbeat {
            degraded: false,
            version: Some(env!("CARGO_PKG_VERSION").to_string()),
            health: self.health(),
            storage: self.storage_reports(),
            hosts: if send_hosts {
                vec![BesHost { hostname: self.inner.hostname.clone(), ip: None, os: Some(os_name()) }]
            } else {
                Vec::new()
            },
        };
        let ack = self.inner.client.heartbeat(&signer, &body).await?;
        if send_hosts {
            *self.inner.hosts_sent.lock().unwrap() = true;
        }
        let now = chrono::Utc::now() + chrono::Duration::seconds(self.inner.client.clock_offset());
        let skew = (ack.server_time - now).num_seconds().abs();
        if skew > 120 {
            tracing::warn!("this machine's clock is {skew} s off the server's; signed calls fail beyond 300 s");
        }
        Ok(ack)
    }

    /// Fetches the configuration (§4) and keeps it.
    pub async fn fetch_config(&self) -> anyhow::Result<BesConfig> {
        let signer = self.signer()?;
        let cfg = self.inner.client.config(&signer).await?;
        *self.inner.last_config.lock().unwrap() = Some(cfg.clone());
        Ok(cfg)
    }

    /// Runs one job without any server: what the engine would answer for it. Panics inside become
    /// a failed result.
    pub async fn execute(&self, job: &EngineJob) -> JobResult {
        self.execute_with(job, Arc::new(Counters::default())).await
    }

    async fn execute_with(&self, job: &EngineJob, counters: Arc<Counters>) -> JobResult {
        let me = self.clone();
        let j = job.clone();
        jobs::fit(contained(async move { me.inner.executor.execute(&j, counters).await }).await)
    }

    /// Acknowledges, runs (reporting progress), and answers one job. None when the job was not
    /// ours to run (404/409 on ack, or already running here).
    pub async fn handle_job(&self, job: EngineJob) -> anyhow::Result<Option<JobResult>> {
        if !self.inner.in_flight.lock().unwrap().insert(job.id.clone()) {
            return Ok(None);
        }
        self.handle_claimed(job).await
    }

    /// `handle_job` for a job already entered in `in_flight`; removes it when done.
    async fn handle_claimed(&self, job: EngineJob) -> anyhow::Result<Option<JobResult>> {
        let id = job.id.clone();
        let out = match self.signer() {
            Ok(signer) => self.handle_acked(&signer, job).await,
            Err(e) => Err(e),
        };
        self.inner.in_flight.lock().unwrap().remove(&id);
        out
    }

    async fn handle_acked(&self, signer: &Arc<Signer>, job: EngineJob) -> anyhow::Result<Option<JobResult>> {
        match self.inner.client.ack(signer, &job.id).await? {
            Ack::Running => {}
            Ack::NotFound | Ack::Ended => return Ok(None),
        }
        self.inner.active_jobs.fetch_add(1, Ordering::Relaxed);
        let counters = Arc::new(Counters::default());
        // Progress: at least every progress_seconds, and well within the job's progress timeout.
        let every =
            self.inner.config.progress_seconds.max(1).min(u64::from(job.progress_timeout_seconds.max(3)) / 3).max(1);
        let reporter = {
            let client = self.inner.client.clone();
            let signer = signer.clone();
            let counters = counters.clone();
            let id = job.id.clone();
            let kind = job.payload.kind();
            tokio::spawn(async move {
                let started = Instant::now();
                loop {
                    tokio::time::sleep(Duration::from_secs(every)).await;
                    let done = counters.bytes_done.load(Ordering::Relaxed);
                    let total = counters.bytes_total.load(Ordering::Relaxed);
                    let body = JobProgress {
                        percent: (total > 0).then(|| (done as f64 / total as f64 * 100.0).clamp(0.0, 99.9)),
                        bytes_done: Some(done),
                        message: Some(format!("{kind} running for {} s", started.elapsed().as_secs())),
                    };
                    if let Err(e) = client.progress(&signer, &id, &body).await {
                        tracing::warn!(job = %id, "progress: {e}");
                    }
                }
            })
        };
        let result = self.execute_with(&job, counters).await;
        reporter.abort();
        self.inner.active_jobs.fetch_sub(1, Ordering::Relaxed);
        match self.inner.client.result(signer, &job.id, &result).await {
            Ok(()) => {}
            // Ended or not ours any more: nothing more to say.
            Err(e @ CallError::Status { status: 404 | 409, .. }) => {
                tracing::warn!(job = %job.id, "result refused: {e}")
            }
            Err(e) => {
                tracing::error!(job = %job.id, "could not send the result, will try again: {e}");
                self.inner.unsent.lock().unwrap().push((job.id.clone(), result.clone()));
            }
        }
        tracing::info!(job = %job.id, kind = %job.payload.kind(), status = %result.status, "job done");
        Ok(Some(result))
    }

    /// Sends again the results that could not be sent before; keeps those that still fail.
    pub async fn flush_unsent(&self) -> anyhow::Result<()> {
        let signer = self.signer()?;
        let pending = std::mem::take(&mut *self.inner.unsent.lock().unwrap());
        for (id, result) in pending {
            match self.inner.client.result(&signer, &id, &result).await {
                Ok(()) => tracing::info!(job = %id, "result sent"),
                Err(e @ CallError::Status { status: 404 | 409, .. }) => {
                    tracing::warn!(job = %id, "result refused: {e}")
                }
                Err(e) => {
                    tracing::warn!(job = %id, "result still not sent: {e}");
                    self.inner.unsent.lock().unwrap().push((id, result));
                }
            }
        }
        Ok(())
    }

    /// Results not yet accepted by the server.
    pub fn unsent_results(&self) -> usize {
        self.inner.unsent.lock().unwrap().len()
    }

    /// Registers if needed, sends one heartbeat, fetches the configuration, polls once and runs
    /// every job it got (one after another), answering each.
    pub async fn run_once(&self) -> anyhow::Result<RunOnce> {
        self.register_if_needed().await?;
        let heartbeat = self.heartbeat().await?;
        let config = match self.fetch_config().await {
            Ok(c) => Some(c),
            Err(e) => {
                tracing::warn!("config: {e:#}");
                None
            }
        };
        self.flush_unsent().await?;
        let signer = self.signer()?;
        let polled = self.inner.client.jobs(&signer).await?;
        let mut results = Vec::new();
        for job in polled.jobs {
            let id = job.id.clone();
            if let Some(r) = self.handle_job(job).await? {
                results.push((id, r));
            }
        }
        Ok(RunOnce { heartbeat, config, next_poll_seconds: polled.next_poll_seconds, results })
    }

    /// Runs until `shutdown` completes: a heartbeat every `next_heartbeat_seconds` (the
    /// configuration after each), a poll every `next_poll_seconds`, jobs run concurrently (at most
    /// `max_concurrent_jobs`). On shutdown it stops polling and waits for running jobs to answer.
    pub async fn run(&self, shutdown: impl Future<Output = ()> + Send) -> anyhow::Result<()> {
        self.register_if_needed().await?;
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        // Heartbeats.
        let hb = {
            let me = self.clone();
            let mut stop = stop_rx.clone();
            tokio::spawn(async move {
                loop {
                    let wait = match me.heartbeat().await {
                        Ok(ack) => {
                            if let Err(e) = me.fetch_config().await {
                                tracing::warn!("config: {e:#}");
                            }
                            u64::from(ack.next_heartbeat_seconds.max(5))
                        }
                        Err(e) => {
                            tracing::warn!("heartbeat: {e:#}");
                            me.inner.config.heartbeat_seconds.clamp(5, 60)
                        }
                    };
                    tokio::select! {
                        _ = tokio::time::sleep(Duration::from_secs(wait)) => {}
                        _ = stop.changed() => break,
                    }
                }
            })
        };
        let sem = Arc::new(tokio::sync::Semaphore::new(self.inner.config.max_concurrent_jobs.max(1)));
        let mut running = tokio::task::JoinSet::new();
        tokio::pin!(shutdown);
        loop {
            if let Err(e) = self.flush_unsent().await {
                tracing::warn!("{e:#}");
            }
            let wait = match self.signer() {
                Ok(signer) => match self.inner.client.jobs(&signer).await {
                    Ok(polled) => {
                        for job in polled.jobs {
                            if !self.inner.in_flight.lock().unwrap().insert(job.id.clone()) {
                                continue;
                            }
                            // Wait for a free slot, but never past a shutdown.
                            let permit = tokio::select! {
                                p = sem.clone().acquire_owned() => p?,
                                _ = &mut shutdown => {
                                    self.inner.in_flight.lock().unwrap().remove(&job.id);
                                    return self.drain(stop_tx, hb, running).await;
                                }
                            };
                            let me = self.clone();
                            running.spawn(async move {
                                let id = job.id.clone();
                                if let Err(e) = me.handle_claimed(job).await {
                                    tracing::error!(job = %id, "{e:#}");
                                }
                                drop(permit);
                            });
                        }
                        u64::from(polled.next_poll_seconds.max(1))
                    }
                    Err(e) => {
                        tracing::warn!("poll: {e}");
                        15
                    }
                },
                Err(e) => return Err(e),
            };
            while running.try_join_next().is_some() {}
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_secs(wait)) => {}
                _ = &mut shutdown => break,
            }
        }
        self.drain(stop_tx, hb, running).await
    }

    async fn drain(
        &self,
        stop_tx: tokio::sync::watch::Sender<bool>,
        hb: tokio::task::JoinHandle<()>,
        mut running: tokio::task::JoinSet<()>,
    ) -> anyhow::Result<()> {
        while running.try_join_next().is_some() {}
        tracing::info!("stopping: waiting for {} running job(s)", running.len());
        while running.join_next().await.is_some() {}
        if let Err(e) = self.flush_unsent().await {
            tracing::warn!("{e:#}");
        }
        let lost = self.unsent_results();
        if lost > 0 {
            tracing::error!(
                "{lost} result(s) could not be sent; the server fails those jobs after their progress timeout"
            );
        }
        let _ = stop_tx.send(true);
        let _ = hb.await;
        Ok(())
    }
}

/// Runs a job's future in its own task: a panic in it becomes a failed (retryable) result instead
/// of taking the engine down.
async fn contained(job: impl Future<Output = JobResult> + Send + 'static) -> JobResult {
    let started = chrono::Utc::now();
    match tokio::spawn(job).await {
        Ok(r) => r,
        Err(e) if e.is_panic() => jobs::failed(
            started,
            format!("the engine failed on this job: {}", jobs::panic_message(e.into_panic())),
            true,
        ),
        Err(e) => jobs::failed(started, format!("the job was cancelled: {e}"), true),
    }
}

fn os_name() -> String {
    let pretty = std::fs::read_to_string("/etc/os-release")
        .ok()
        .and_then(|s| s.lines().find_map(|l| l.strip_prefix("PRETTY_NAME=").map(|v| v.trim_matches('"').to_string())));
    pretty.unwrap_or_else(|| std::env::consts::OS.to_string()).chars().take(100).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use bc_api_types::AgentJobStatus;

    #[tokio::test]
    async fn a_panicking_job_ends_failed_and_the_engine_goes_on() {
        let r = contained(async {
            let v: Vec<u8> = Vec::new();
            if v.is_empty() {
                panic!("index out of range in a job");
            }
            jobs::failed(chrono::Utc::now(), "unreachable", false)
        })
        .await;
        assert_eq!(r.status, AgentJobStatus::Failed);
        assert!(r.retryable);
        assert!(r.error.as_deref().unwrap().contains("panic: index out of range in a job"), "{r:?}");
        // The next job runs normally.
        let r = contained(async { jobs::failed(chrono::Utc::now(), "plain error", false) }).await;
        assert_eq!(r.error.as_deref(), Some("plain error"));
    }
}
