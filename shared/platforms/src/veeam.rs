//! Veeam Backup & Replication REST (v12 and later).
//!
//! Sign-in: `POST /api/oauth2/token` (form, password grant) with
//! `x-api-version`; the newest revision the server accepts is chosen
//! (1.3-rev1, 1.2-rev1, 1.1-rev2, 1.1-rev0). The access token is renewed
//! with the single-use refresh token when it expires (a 401 `ExpiredToken`
//! or `InvalidToken` mid-sync), or by signing in again. Lists are paged
//! with `skip`/`limit` until `skip + count >= total`; session pages
//! overlap by a few items so one that disappears between pages costs no
//! session (each is recorded once by its id anyway).

use std::collections::HashMap;

use async_trait::async_trait;
use bc_api_types::{ObjectType, ReportObject, Sizes, Status};
use bc_core::platforms::port::{
    Connection, PlatformError, PlatformJob, PlatformObject, PlatformResult, PlatformSession, PlatformSessionApi,
    SessionPage, StartOutcome,
};
use bc_core::platforms::sync::object_key;
use chrono::{DateTime, FixedOffset, Utc};
use serde_json::{Value, json};

use crate::http::{client, transport};

/// The revisions tried, newest first.
pub const REVISIONS: [&str; 4] = ["1.3-rev1", "1.2-rev1", "1.1-rev2", "1.1-rev0"];
/// Items a page.
pub const PAGE: u64 = 200;
/// Session pages overlap by this many items.
const OVERLAP: u64 = 5;

pub struct VeeamSession {
    http: reqwest::Client,
    base: String,
    username: String,
    password: String,
    version: String,
    access: String,
    refresh: Option<String>,
    /// Job names to ids (API 1.1 sessions carry no job id).
    job_ids: HashMap<String, String>,
}

fn rev_at_least(v: &str, want: (u32, u32)) -> bool {
    let (a, _) = v.split_once("-rev").unwrap_or((v, "0"));
    let mut p = a.split('.').map(|x| x.parse::<u32>().unwrap_or(0));
    (p.next().unwrap_or(0), p.next().unwrap_or(0)) >= want
}

fn error_of(status: reqwest::StatusCode, body: &str) -> PlatformError {
    let v: Value = serde_json::from_str(body).unwrap_or(Value::Null);
    let code = v.get("errorCode").and_then(Value::as_str).unwrap_or("");
    let msg = v.get("message").and_then(Value::as_str).unwrap_or(body).chars().take(300).collect::<String>();
    let text = if code.is_empty() { format!("HTTP {status}: {msg}") } else { format!("{code}: {msg}") };
    match status.as_u16() {
        401 | 403 => PlatformError::Auth(text),
        404 => PlatformError::NotFound(text),
        429 | 500 | 502 | 503 | 504 => PlatformError::Unavailable(text),
        _ => PlatformError::Protocol(text),
    }
}

/// ISO 8601 with or without an offset (without: UTC).
pub fn parse_time(s: &str) -> Option<DateTime<FixedOffset>> {
    DateTime::parse_from_rfc3339(s).ok().or_else(|| {
        chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f").ok().map(|n| n.and_utc().fixed_offset())
    })
}

fn status_of(result: &str) -> Status {
    match result.to_lowercase().as_str() {
        "success" => Status::Success,
        "warning" => Status::Warning,
        // `Failed`, and `None` on a stopped session (it ended without a result).
        _ => Status::Failed,
    }
}

/// The job type as we name it; `None` when we do not know it.
fn job_type(t: &str) -> Option<&'static str> {
    Some(match t.to_lowercase().as_str() {
        "backup" | "vspherebackup" | "hypervbackup" => "Backup",
        "backupcopy" | "filebackupcopy" | "vspherebackupcopy" => "Backup Copy",
        "vspherereplica" | "hypervreplica" | "replica" => "Replication",
        "windowsagentbackup" | "linuxagentbackup" | "entraidtenantbackup" | "agentbackup" => "Agent Backup",
        "filebackup" | "nasbackup" | "unstructureddatabackup" => "File Backup",
        "objectstoragebackup" => "Object Storage Backup",
        "tape" | "backuptotape" | "filetotape" => "Backup to Tape",
        "surebackup" => "SureBackup",
        _ => return None,
    })
}

impl VeeamSession {
    pub async fn connect(c: &Connection) -> PlatformResult<VeeamSession> {
        let http = client(c)?;
        let base = c.base_url.trim_end_matches('/').to_string();
        let mut last = None;
        for v in REVISIONS {
            let mut s = VeeamSession {
                http: http.clone(),
                base: base.clone(),
                username: c.username.clone(),
                password: c.password.clone(),
                version: v.to_string(),
                access: String::new(),
                refresh: None,
                job_ids: HashMap::new(),
            };
            match s.sign_in(false).await {
                Ok(()) => return Ok(s),
                // An older server refuses a newer revision (400 in the fake, a guess; how a real one answers is
                // unconfirmed, so a 404 counts too): try the next.
                Err(e @ (PlatformError::Protocol(_) | PlatformError::NotFound(_))) => last = Some(e),
                Err(e) => return Err(e),
            }
        }
        Err(last.unwrap_or_else(|| PlatformError::Protocol("no API revision accepted".into())))
    }

    async fn sign_in(&mut self, with_refresh: bool) -> PlatformResult<()> {
        let form: Vec<(&str, String)> = match (&self.refresh, with_refresh) {
            (Some(r), true) => vec![("grant_type", "refresh_token".into()), ("refresh_token", r.clone())],
            _ => vec![
                ("grant_type", "password".into()),
                ("username", self.username.clone()),
                ("password", self.password.clone()),
            ],
        };
        let body = form.iter().map(|(k, v)| format!("{k}={}", urlencoding::encode(v))).collect::<Vec<_>>().join("&");
        let resp = self
            .http
            .post(format!("{}/api/oauth2/token", self.base))
            .header("x-api-version", &self.version)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .map_err(transport)?;
        let status = resp.status();
        let text = resp.text().await.map_err(transport)?;
        if !status.is_success() {
            return Err(error_of(status, &text));
        }
        let v: Value =
            serde_json::from_str(&text).map_err(|e| PlatformError::Protocol(format!("token answer: {e}")))?;
        self.access = v
            .get("access_token")
            .and_then(Value::as_str)
            .ok_or_else(|| PlatformError::Protocol("the token answer has no access_token".into()))?
            .to_string();
        // Single use: the next renewal needs the new one.
        self.refresh = v.get("refresh_token").and_then(Value::as_str).map(str::to_string);
        Ok(())
    }

    /// Renews the token: the refresh token first, a fresh sign-in if that fails.
    async fn renew(&mut self) -> PlatformResult<()> {
        if self.refresh.is_some() && self.sign_in(true).await.is_ok() {
            return Ok(());
        }
        self.sign_in(false).await
    }

    async fn call(&mut self, method: reqwest::Method, path: &str, body: Option<&Value>) -> PlatformResult<Value> {
        for attempt in 0..2 {
            let mut req = self
                .http
                .request(method.clone(), format!("{}{path}", self.base))
                .header("x-api-version", &self.version)
                .bearer_auth(&self.access);
            if let Some(b) = body {
                req = req.json(b);
            }
            let resp = req.send().await.map_err(transport)?;
            let status = resp.status();
            let text = resp.text().await.map_err(transport)?;
            if status == reqwest::StatusCode::UNAUTHORIZED && attempt == 0 {
                tracing::info!(path, "Veeam token refused (expired?); renewing");
                self.renew().await?;
                continue;
            }
            if !status.is_success() {
                return Err(error_of(status, &text));
            }
            if text.trim().is_empty() {
                return Ok(Value::Null);
            }
            return serde_json::from_str(&text).map_err(|e| PlatformError::Protocol(format!("{path}: {e}")));
        }
        Err(PlatformError::Auth("the token was refused again after renewal".into()))
    }

    async fn get(&mut self, path: &str) -> PlatformResult<Value> {
        self.call(reqwest::Method::GET, path, None).await
    }

    /// Every item of a list endpoint (`?` or `&` already handled by `path`).
    async fn all(&mut self, path: &str) -> PlatformResult<Vec<Value>> {
        let mut out = Vec::new();
        let mut skip = 0u64;
        let sep = if path.contains('?') { '&' } else { '?' };
        loop {
            let v = self.get(&format!("{path}{sep}skip={skip}&limit={PAGE}")).await?;
            let (items, total, count) = list_of(&v)?;
            out.extend(items);
            if count == 0 || skip + count >= total {
                return Ok(out);
            }
            skip += count;
        }
    }
}

fn list_of(v: &Value) -> PlatformResult<(Vec<Value>, u64, u64)> {
    let items = v
        .get("data")
        .and_then(Value::as_array)
        .ok_or_else(|| PlatformError::Protocol("a list answer without data".into()))?
        .clone();
    let p = v.get("pagination");
    let count = p.and_then(|p| p.get("count")).and_then(Value::as_u64).unwrap_or(items.len() as u64);
    let total = p.and_then(|p| p.get("total")).and_then(Value::as_u64).unwrap_or(count);
    Ok((items, total, count))
}

fn s<'a>(v: &'a Value, k: &str) -> Option<&'a str> {
    v.get(k).and_then(Value::as_str).filter(|x| !x.is_empty() && *x != "00000000-0000-0000-0000-000000000000")
}

impl VeeamSession {
    fn session(&self, v: &Value) -> Result<Option<PlatformSession>, String> {
        let id = s(v, "id").ok_or("a session without an id")?;
        let st = s(v, "sessionType").unwrap_or("Job");
        if !(st == "Job" || st.ends_with("Job")) {
            return Ok(None);
        }
        let name = s(v, "name").unwrap_or("").to_string();
        let job = s(v, "jobId").map(str::to_string).or_else(|| self.job_ids.get(&name.to_lowercase()).cloned());
        let Some(job) = job else { return Ok(None) };
        let started =
            s(v, "creationTime").and_then(parse_time).ok_or(format!("session {id}: no readable creationTime"))?;
        let stopped = s(v, "state").is_some_and(|x| x.eq_ignore_ascii_case("stopped"));
        let ended =
            s(v, "endTime").map(|t| parse_time(t).ok_or(format!("session {id}: unreadable endTime"))).transpose()?;
        let result = v.get("result").filter(|r| !r.is_null());
        let (ended, status) = match (stopped, ended, result.and_then(|r| s(r, "result"))) {
            (true, Some(e), Some(r)) => (Some(e), Some(status_of(r))),
            (true, Some(e), None) => (Some(e), Some(Status::Failed)),
            // Running, or stopped without an end time yet: skipped until it ends.
            _ => (None, None),
        };
        let mut messages = Vec::new();
        if let Some(m) = result.and_then(|r| s(r, "message")) {
            messages.push(m.to_string());
        }
        if result.and_then(|r| r.get("isCanceled")).and_then(Value::as_bool) == Some(true) {
            messages.push("canceled".into());
        }
        Ok(Some(PlatformSession {
            id: id.to_string(),
            job_external_id: job,
            job_name: name,
            started_at: started,
            ended_at: ended,
            status,
            messages,
            sizes: Sizes::default(),
            objects: None,
        }))
    }
}

#[async_trait]
impl PlatformSessionApi for VeeamSession {
    fn api_version(&self) -> Option<String> {
        Some(self.version.clone())
    }

    async fn list_jobs(&mut self) -> PlatformResult<Vec<PlatformJob>> {
        let items = self.all("/api/v1/jobs/states").await?;
        let mut out = Vec::new();
        for v in items {
            let (Some(id), Some(name)) = (s(&v, "id"), s(&v, "name")) else { continue };
            let raw = s(&v, "type").unwrap_or("");
            let known = job_type(raw);
            self.job_ids.insert(name.to_lowercase(), id.to_string());
            out.push(PlatformJob {
                external_id: id.to_string(),
                name: name.to_string(),
                job_type: known.map(str::to_string).unwrap_or_else(|| raw.to_string()),
                unknown_type: known.is_none().then(|| raw.to_string()),
                customer_hint: None,
            });
        }
        Ok(out)
    }

    async fn sessions_page(&mut self, since: Option<DateTime<Utc>>, skip: u64) -> PlatformResult<SessionPage> {
        let mut path = format!("/api/v1/sessions?orderColumn=CreationTime&orderAsc=true&skip={skip}&limit={PAGE}");
        if let Some(t) = since {
            path.push_str(&format!(
                "&createdAfterFilter={}",
                urlencoding::encode(&t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
            ));
        }
        let v = self.get(&path).await?;
        let (items, total, count) = list_of(&v)?;
        let mut page = SessionPage::default();
        for (i, item) in items.iter().enumerate() {
            match self.session(item) {
                Ok(Some(sess)) => page.items.push(sess),
                Ok(None) => {}
                Err(m) => page.malformed.push(format!("item {} of the page at {skip}: {m}", i + 1)),
            }
        }
        if count > 0 && skip + count < total {
            page.next = Some(skip + count.saturating_sub(OVERLAP.min(count - 1)));
        }
        Ok(page)
    }

    async fn task_sessions(&mut self, session: &PlatformSession) -> PlatformResult<Vec<ReportObject>> {
        if !rev_at_least(&self.version, (1, 2)) {
            return Ok(Vec::new());
        }
        let items = self.all(&format!("/api/v1/sessions/{}/taskSessions", urlencoding::encode(&session.id))).await?;
        Ok(items
            .iter()
            .filter_map(|t| {
                let name = s(t, "name")?.to_string();
                let result = t.get("result").filter(|r| !r.is_null());
                Some(ReportObject {
                    name,
                    object_type: s(t, "type").map(str::to_string),
                    status: status_of(result.and_then(|r| s(r, "result")).unwrap_or("None")),
                    message: result.and_then(|r| s(r, "message")).map(str::to_string),
                    started_at: s(t, "creationTime").and_then(parse_time),
                    ended_at: s(t, "endTime").and_then(parse_time),
                    size_bytes: t.get("progress").and_then(|p| p.get("processedSize")).and_then(Value::as_u64),
                })
            })
            .collect())
    }

    async fn backup_objects(&mut self) -> PlatformResult<Vec<PlatformObject>> {
        let items = self.all("/api/v1/backupObjects").await?;
        Ok(items
            .iter()
            .filter_map(|o| {
                let name = s(o, "name")?.to_string();
                let t = format!("{} {}", s(o, "type").unwrap_or(""), s(o, "platformName").unwrap_or("")).to_lowercase();
                let object_type = if t.contains("vm") || t.contains("vmware") || t.contains("hyper") {
                    ObjectType::Vm
                } else if t.contains("share") || t.contains("nas") {
                    ObjectType::Nas
                } else {
                    ObjectType::Physical
                };
                Some(PlatformObject {
                    external_id: object_key(&name),
                    name,
                    object_type,
                    hostname: None,
                    job_external_id: None,
                    last_status: None,
                    last_backup_at: None,
                    last_success_at: None,
                })
            })
            .collect())
    }

    async fn start_job(&mut self, external_id: &str) -> PlatformResult<StartOutcome> {
        let id = urlencoding::encode(external_id).into_owned();
        if rev_at_least(&self.version, (1, 3)) {
            let v = self.call(reqwest::Method::POST, &format!("/api/v1/jobs/{id}/retry"), Some(&json!({}))).await?;
            return Ok(StartOutcome::Retried { session_id: s(&v, "id").map(str::to_string) });
        }
        let body = json!({"performActiveFull": false, "startChainedJobs": false});
        let v = self.call(reqwest::Method::POST, &format!("/api/v1/jobs/{id}/start"), Some(&body)).await?;
        Ok(StartOutcome::Started { session_id: s(&v, "id").map(str::to_string) })
    }
}
