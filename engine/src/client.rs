//! The BES HTTP client: signed calls (§2) with retries (a retry is a new call: new timestamp,
//! new nonce, new signature).

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use bc_api_types::{
    BesConfig, BesHeartbeat, BesHeartbeatAck, BesRegister, BesRegistered, EngineJobs, JobProgress, JobResult,
};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::signing::Signer;

/// Why a call failed.
#[derive(Debug, thiserror::Error)]
pub enum CallError {
    /// The server answered with an error status.
    #[error("{method} {path}: HTTP {status} {code}: {message}")]
    Status { method: &'static str, path: String, status: u16, code: String, message: String },
    /// The call did not get an answer (connection refused, timeout, ...).
    #[error("{method} {path}: {message}")]
    Network { method: &'static str, path: String, message: String },
    #[error("{0}")]
    Other(String),
}

impl CallError {
    pub fn status(&self) -> Option<u16> {
        match self {
            CallError::Status { status, .. } => Some(*status),
            _ => None,
        }
    }
}

/// How often and how patiently calls are retried.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    pub attempts: u32,
    pub first_delay: Duration,
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy { attempts: 6, first_delay: Duration::from_millis(500), max_delay: Duration::from_secs(30) }
    }
}

/// What acknowledging a job answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ack {
    /// 200: the job is ours to run.
    Running,
    /// 404: not ours, or gone.
    NotFound,
    /// 409: it already ended.
    Ended,
}

#[derive(Clone)]
pub struct BesClient {
    http: reqwest::Client,
    base: String,
    /// The path part of the base URL (a reverse proxy's prefix), signed with the rest.
    prefix: String,
    pub retry: RetryPolicy,
    /// Seconds added to this machine's clock in signed timestamps (0 normally; a test whose
    /// server runs on a manual clock sets it).
    clock_offset: Arc<AtomicI64>,
}

#[derive(serde::Deserialize)]
struct ErrorBody {
    error: ErrorInner,
}
#[derive(serde::Deserialize)]
struct ErrorInner {
    code: String,
    message: String,
}

impl BesClient {
    pub fn new(base: &str, retry: RetryPolicy) -> anyhow::Result<BesClient> {
        let url = reqwest::Url::parse(base).map_err(|e| anyhow::anyhow!("server URL {base:?}: {e}"))?;
        if !matches!(url.scheme(), "http" | "https") {
            anyhow::bail!("server URL {base:?}: use http or https");
        }
        let prefix = url.path().trim_end_matches('/').to_string();
        let mut base = url.clone();
        base.set_path("");
        base.set_query(None);
        let base = base.as_str().trim_end_matches('/').to_string();
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(60))
            .user_agent(concat!("backupchecks-engine/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(BesClient { http, base, prefix, retry, clock_offset: Arc::new(AtomicI64::new(0)) })
    }

    /// Sets the seconds added to this machine's clock in signed timestamps.
    pub fn set_clock_offset(&self, seconds: i64) {
        self.clock_offset.store(seconds, Ordering::Relaxed);
    }

    pub fn clock_offset(&self) -> i64 {
        self.clock_offset.load(Ordering::Relaxed)
    }

    fn full_path(&self, path: &str) -> String {
        format!("{}{}", self.prefix, path)
    }

    /// One attempt of a call. `signer` None: unsigned (registration).
    async fn attempt(
        &self,
        method: &'static str,
        path: &str,
        body: Option<&[u8]>,
        signer: Option<&Signer>,
    ) -> Result<(u16, Vec<u8>), CallError> {
        let full = self.full_path(path);
        let url = format!("{}{}", self.base, full);
        let mut req = match method {
            "GET" => self.http.get(&url),
            _ => self.http.post(&url),
        };
        let bytes: &[u8] = body.unwrap_or(b"");
        if let Some(s) = signer {
            let now = chrono::Utc::now().timestamp() + self.clock_offset.load(Ordering::Relaxed);
            let h = s.sign_with(method, &full, now, &crate::signing::new_nonce(), bytes);
            for (k, v) in h.pairs() {
                req = req.header(k, v);
            }
        }
        if let Some(b) = body {
            req = req.header("Content-Type", "application/json").body(b.to_vec());
        }
        let resp = req.send().await.map_err(|e| CallError::Network {
            method,
            path: path.to_string(),
            message: e.to_string(),
        })?;
        let status = resp.status().as_u16();
        let bytes = resp
            .bytes()
            .await
            .map_err(|e| CallError::Network { method, path: path.to_string(), message: e.to_string() })?
            .to_vec();
        if (200..300).contains(&status) {
            return Ok((status, bytes));
        }
        let (code, message) = match serde_json::from_slice::<ErrorBody>(&bytes) {
            Ok(b) => (b.error.code, b.error.message),
            Err(_) => ("http".to_string(), String::from_utf8_lossy(&bytes[..bytes.len().min(300)]).into_owned()),
        };
        Err(CallError::Status { method, path: path.to_string(), status, code, message })
    }

    /// A call with retries on network errors, 5xx, 429 and (when `retry_conflict`) 409.
    async fn call(
        &self,
        method: &'static str,
        path: &str,
        body: Option<&[u8]>,
        signer: Option<&Signer>,
        retry_conflict: bool,
    ) -> Result<(u16, Vec<u8>), CallError> {
        let mut delay = self.retry.first_delay;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let res = self.attempt(method, path, body, signer).await;
            let retry = match &res {
                Ok(_) => false,
                Err(CallError::Network { .. }) => true,
                Err(CallError::Status { status, .. }) => {
                    *status >= 500 || *status == 429 || (*status == 409 && retry_conflict)
                }
                Err(CallError::Other(_)) => false,
            };
            if !retry || attempt >= self.retry.attempts.max(1) {
                return res;
            }
            if let Err(e) = &res {
                tracing::warn!("{e}; retrying in {:?}", delay);
            }
            tokio::time::sleep(delay).await;
            delay = (delay * 2).min(self.retry.max_delay);
        }
    }

    fn decode<T: DeserializeOwned>(path: &str, bytes: &[u8]) -> Result<T, CallError> {
        serde_json::from_slice(bytes).map_err(|e| CallError::Other(format!("{path}: unexpected answer: {e}")))
    }

    fn encode<T: Serialize>(v: &T) -> Result<Vec<u8>, CallError> {
        serde_json::to_vec(v).map_err(|e| CallError::Other(e.to_string()))
    }

    /// §1. Not retried: each call registers a new engine.
    pub async fn register(&self, body: &BesRegister) -> Result<BesRegistered, CallError> {
        let b = Self::encode(body)?;
        let (_, bytes) = self.attempt("POST", "/bes/v1/register", Some(&b), None).await?;
        Self::decode("/bes/v1/register", &bytes)
    }

    /// §3.
    pub async fn heartbeat(&self, signer: &Signer, body: &BesHeartbeat) -> Result<BesHeartbeatAck, CallError> {
        let b = Self::encode(body)?;
        let (_, bytes) = self.call("POST", "/bes/v1/heartbeat", Some(&b), Some(signer), true).await?;
        Self::decode("/bes/v1/heartbeat", &bytes)
    }

    /// §4.
    pub async fn config(&self, signer: &Signer) -> Result<BesConfig, CallError> {
        let (_, bytes) = self.call("GET", "/bes/v1/config", None, Some(signer), true).await?;
        Self::decode("/bes/v1/config", &bytes)
    }

    /// §6: the jobs waiting for this engine.
    pub async fn jobs(&self, signer: &Signer) -> Result<EngineJobs, CallError> {
        let (_, bytes) = self.call("GET", "/bes/v1/jobs", None, Some(signer), true).await?;
        Self::decode("/bes/v1/jobs", &bytes)
    }

    fn job_path(id: &str, what: &str) -> Result<String, CallError> {
        if id.is_empty() || id.len() > 128 || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
            return Err(CallError::Other(format!("refusing a job id with unexpected characters: {id:?}")));
        }
        Ok(format!("/bes/v1/jobs/{id}/{what}"))
    }

    pub async fn ack(&self, signer: &Signer, id: &str) -> Result<Ack, CallError> {
        let path = Self::job_path(id, "ack")?;
        match self.call("POST", &path, Some(b"{}"), Some(signer), false).await {
            Ok(_) => Ok(Ack::Running),
            Err(e) if e.status() == Some(404) => Ok(Ack::NotFound),
            Err(e) if e.status() == Some(409) => Ok(Ack::Ended),
            Err(e) => Err(e),
        }
    }

    pub async fn progress(&self, signer: &Signer, id: &str, body: &JobProgress) -> Result<(), CallError> {
        let path = Self::job_path(id, "progress")?;
        let b = Self::encode(body)?;
        // Progress is best effort: one quick retry, the next report follows anyway.
        let mut c = self.clone();
        c.retry.attempts = c.retry.attempts.min(2);
        c.call("POST", &path, Some(&b), Some(signer), false).await.map(|_| ())
    }

    pub async fn result(&self, signer: &Signer, id: &str, body: &JobResult) -> Result<(), CallError> {
        let path = Self::job_path(id, "result")?;
        let b = Self::encode(body)?;
        self.call("POST", &path, Some(&b), Some(signer), false).await.map(|_| ())
    }
}
