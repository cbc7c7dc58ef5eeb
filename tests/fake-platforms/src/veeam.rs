//! The fake Veeam Backup & Replication REST API (`/api/...`).
//!
//! - `x-api-version` on every call (missing or unknown: 400 `UnexpectedContent`); revisions `1.0-rev2` to the
//!   server's newest (`1.3-rev1` unless [`FakeVeeam::set_max_revision`]); the answer follows the revision sent:
//!   1.1 has no task sessions (404), no `jobId` on sessions (`activityId` instead), session type `Job`, job type
//!   `Backup`, lowercase status; 1.2 adds task sessions and `jobId`, session types `BackupJob`; 1.3 has PascalCase
//!   status, split job types (`VSphereBackup`, `WindowsAgentBackup`, ...), and `POST /jobs/{id}/retry`.
//! - `POST /api/oauth2/token` (form: password or single-use refresh token) -> access token living `expires_in`
//!   seconds (900 unless set); `POST /api/oauth2/logout`. Bad or expired token: 401 `InvalidToken` / `ExpiredToken`.
//! - Lists `{"data", "pagination": {total, count, skip, limit}}`, default limit 200, filters before skip.
//! - `GET /api/v1/jobs`, `/api/v1/jobs/states`, `/api/v1/sessions` (filters createdAfterFilter, createdBeforeFilter,
//!   endedAfterFilter, jobIdFilter, stateFilter, resultFilter, typeFilter; orderColumn CreationTime|EndTime|Name,
//!   orderAsc), `/api/v1/sessions/{id}`, `/api/v1/sessions/{id}/taskSessions`, `/api/v1/backupObjects`,
//!   `POST /api/v1/jobs/{id}/start` (201, a `Starting` session) and `/retry` (1.3 only).
//! - Errors `{"errorCode", "message", "resourceId"}`; datetimes with mixed offsets (+03:00, Z, none).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, FixedOffset, Utc};
use serde_json::{Value, json};

use crate::{Fault, Faults, guid, random_hex};

pub const USERNAME: &str = "backupchecks-ro";
pub const PASSWORD: &str = "fake-Veeam-pass-1";

#[derive(Debug, Clone, PartialEq)]
pub struct VeeamJob {
    pub id: String,
    pub name: String,
    /// The 1.3 type: `VSphereBackup`, `HyperVBackup`, `BackupCopy`, `WindowsAgentBackup`, `VSphereReplica`, or anything.
    pub job_type: String,
    pub disabled: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct VeeamTask {
    pub name: String,
    /// `VSphereVM`, `Computer`, ...
    pub task_type: String,
    /// `Success`, `Warning`, `Failed`, `None`.
    pub result: String,
    pub message: String,
    pub processed_size: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct VeeamSession {
    pub id: String,
    pub job_id: String,
    pub name: String,
    pub creation_time: DateTime<Utc>,
    pub end_time: Option<DateTime<Utc>>,
    /// `Starting`, `Working`, `Stopped`, ...
    pub state: String,
    /// `None` (JSON null) while starting; then `None`, `Success`, `Warning`, `Failed`.
    pub result: Option<String>,
    pub message: String,
    pub tasks: Vec<VeeamTask>,
}

struct Token {
    expires: Instant,
    username: String,
}

struct St {
    max_rev: (u32, u32, u32),
    expires_in: u64,
    tokens: HashMap<String, Token>,
    refresh: HashMap<String, String>,
    jobs: Vec<VeeamJob>,
    sessions: Vec<VeeamSession>,
    objects: Vec<Value>,
    started: Vec<(String, String)>,
    pending_disappear: bool,
}

struct Inner {
    st: Mutex<St>,
    faults: Faults,
    requests: Mutex<Vec<String>>,
}

/// A running fake Veeam server. Dropping it stops the server.
pub struct FakeVeeam {
    inner: Arc<Inner>,
    addr: SocketAddr,
    _serving: crate::Serving,
}

fn rev(s: &str) -> Option<(u32, u32, u32)> {
    let (v, r) = s.trim().split_once("-rev")?;
    let (a, b) = v.split_once('.')?;
    Some((a.parse().ok()?, b.parse().ok()?, r.parse().ok()?))
}

const KNOWN: [(u32, u32, u32); 8] =
    [(1, 0, 2), (1, 1, 0), (1, 1, 1), (1, 1, 2), (1, 2, 0), (1, 2, 1), (1, 3, 0), (1, 3, 1)];

fn err(status: StatusCode, code: &str, message: &str) -> Response {
    (status, axum::Json(json!({"errorCode": code, "message": message, "resourceId": null}))).into_response()
}

/// Datetimes as Veeam writes them: some with +03:00, some with Z, some without an offset.
fn time(t: DateTime<Utc>, i: usize) -> String {
    match i % 3 {
        0 => t.with_timezone(&FixedOffset::east_opt(3 * 3600).unwrap()).format("%Y-%m-%dT%H:%M:%S%.3f%:z").to_string(),
        1 => t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
        _ => t.format("%Y-%m-%dT%H:%M:%S").to_string(),
    }
}

fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .ok()
        .or_else(|| chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f").ok().map(|n| n.and_utc()))
}

fn job_type_for(t: &str, r: (u32, u32, u32)) -> String {
    if r >= (1, 3, 0) {
        return t.to_string();
    }
    match t {
        "VSphereBackup" | "HyperVBackup" | "WindowsAgentBackup" | "LinuxAgentBackup" => "Backup".into(),
        "BackupCopy" if r >= (1, 2, 0) => "BackupCopy".into(),
        "BackupCopy" => "Backup".into(),
        other => other.to_string(),
    }
}

fn query(uri: &Uri) -> HashMap<String, String> {
    uri.query()
        .unwrap_or("")
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| {
            (k.to_string(), urlencoding::decode(&v.replace('+', " ")).map(|c| c.into_owned()).unwrap_or_default())
        })
        .collect()
}

fn page(items: Vec<Value>, q: &HashMap<String, String>) -> Result<Value, Response> {
    let skip: usize = match q.get("skip").map(|s| s.parse()) {
        None => 0,
        Some(Ok(v)) => v,
        Some(Err(_)) => return Err(err(StatusCode::BAD_REQUEST, "UnexpectedContent", "skip is not a number")),
    };
    let limit: usize = match q.get("limit").map(|s| s.parse()) {
        None => 200,
        Some(Ok(v)) => v,
        Some(Err(_)) => return Err(err(StatusCode::BAD_REQUEST, "UnexpectedContent", "limit is not a number")),
    };
    let total = items.len();
    let data: Vec<Value> = items.into_iter().skip(skip).take(limit).collect();
    Ok(json!({"data": data, "pagination": {"total": total, "count": data.len(), "skip": skip, "limit": limit}}))
}

fn name_filter(pattern: &str, name: &str) -> bool {
    let p = pattern.to_lowercase();
    let n = name.to_lowercase();
    if !p.contains('*') {
        return p == n;
    }
    let parts: Vec<&str> = p.split('*').collect();
    let mut pos = 0;
    for (i, part) in parts.iter().enumerate() {
        if part.is_empty() {
            continue;
        }
        match n[pos..].find(part) {
            Some(f) if i > 0 || f == 0 => pos += f + part.len(),
            _ => return false,
        }
    }
    parts.last().is_none_or(|l| l.is_empty() || n.ends_with(l))
}

impl Inner {
    fn session_json(&self, s: &VeeamSession, r: (u32, u32, u32), i: usize) -> Value {
        let session_type = if r >= (1, 2, 0) { "BackupJob" } else { "Job" };
        let mut v = json!({
            "id": s.id, "name": s.name, "sessionType": session_type,
            "creationTime": time(s.creation_time, i),
            "endTime": s.end_time.map(|t| time(t, i + 1)),
            "state": s.state, "progressPercent": if s.state == "Stopped" { 100 } else { 40 },
            "result": s.result.as_ref().map(|res| json!({"result": res, "message": s.message, "isCanceled": false})),
            "resourceId": "00000000-0000-0000-0000-000000000000",
            "parentSessionId": "00000000-0000-0000-0000-000000000000",
            "usn": i,
        });
        if r >= (1, 2, 0) {
            v["jobId"] = json!(s.job_id);
        } else {
            v["activityId"] = json!(guid());
        }
        v
    }
}

async fn handle(
    State(inner): State<Arc<Inner>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path().to_string();
    inner
        .requests
        .lock()
        .unwrap()
        .push(format!("{method} {path}{}", uri.query().map(|q| format!("?{q}")).unwrap_or_default()));
    let mut malformed = false;
    let mut disappear = false;
    while let Some(f) = inner.faults.take(&path) {
        match f {
            Fault::Status(code) => {
                let s = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
                let c = match code {
                    401 => "InvalidToken",
                    403 => "AccessDenied",
                    404 => "NotFound",
                    503 | 429 => "ServiceUnavailable",
                    _ => "UnknownError",
                };
                return err(s, c, "injected fault");
            }
            Fault::Slow(d) => tokio::time::sleep(d).await,
            Fault::ExpireTokens => {
                let past = Instant::now() - Duration::from_secs(1);
                for t in inner.st.lock().unwrap().tokens.values_mut() {
                    t.expires = past;
                }
            }
            Fault::MalformedItem => malformed = true,
            Fault::DisappearAfterPage => disappear = true,
        }
    }
    let Some(ver) = headers.get("x-api-version").and_then(|v| v.to_str().ok()) else {
        return err(StatusCode::BAD_REQUEST, "UnexpectedContent", "The x-api-version header is required.");
    };
    let max = inner.st.lock().unwrap().max_rev;
    let r = match rev(ver) {
        Some(r) if KNOWN.contains(&r) && r <= max => r,
        _ => return err(StatusCode::BAD_REQUEST, "UnexpectedContent", &format!("API version {ver} is not supported.")),
    };
    if path == "/api/oauth2/token" && method == Method::POST {
        return token(&inner, &body);
    }
    if path == "/api/oauth2/logout" && method == Method::POST {
        if let Some(t) = bearer(&headers) {
            let mut st = inner.st.lock().unwrap();
            st.tokens.remove(&t);
        }
        return StatusCode::OK.into_response();
    }
    // Everything else needs a valid token.
    let Some(tok) = bearer(&headers) else {
        return err(StatusCode::UNAUTHORIZED, "InvalidToken", "Authorization header is missing.");
    };
    {
        let st = inner.st.lock().unwrap();
        match st.tokens.get(&tok) {
            None => return err(StatusCode::UNAUTHORIZED, "InvalidToken", "The access token is invalid."),
            Some(t) if t.expires <= Instant::now() => {
                return err(StatusCode::UNAUTHORIZED, "ExpiredToken", "The access token has expired.");
            }
            Some(t) => {
                let _ = &t.username;
            }
        }
    }
    let q = query(&uri);
    let segs: Vec<&str> = path.trim_start_matches("/api/v1/").split('/').collect();
    if !path.starts_with("/api/v1/") {
        return err(StatusCode::NOT_FOUND, "InvalidURI", "Unknown URI.");
    }
    let result = match (method.clone(), segs.as_slice()) {
        (Method::GET, ["jobs"]) => {
            let st = inner.st.lock().unwrap();
            // 1.1-rev0 lists VMware backup jobs only.
            let items = st
                .jobs
                .iter()
                .filter(|j| r >= (1, 2, 0) || j.job_type == "VSphereBackup")
                .map(|j| json!({"id": j.id, "name": j.name, "type": job_type_for(&j.job_type, r), "isDisabled": j.disabled, "description": ""}))
                .collect();
            page(items, &q)
        }
        (Method::GET, ["jobs", "states"]) => {
            let st = inner.st.lock().unwrap();
            let items = st
                .jobs
                .iter()
                .filter(|j| q.get("nameFilter").is_none_or(|p| name_filter(p, &j.name)))
                .filter(|j| q.get("idFilter").is_none_or(|id| *id == j.id))
                .enumerate()
                .map(|(i, j)| {
                    let last = st.sessions.iter().filter(|s| s.job_id == j.id).max_by_key(|s| s.creation_time);
                    let status = if j.disabled { "disabled" } else if last.is_some_and(|s| s.state != "Stopped") { "running" } else { "inactive" };
                    let status = if r >= (1, 3, 0) { let mut c = status.chars(); c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default() } else { status.to_string() };
                    json!({
                        "id": j.id, "name": j.name, "type": job_type_for(&j.job_type, r), "status": status,
                        "lastRun": last.map(|s| time(s.creation_time, i)),
                        "lastResult": last.and_then(|s| s.result.clone()).unwrap_or_else(|| "None".into()),
                        "nextRun": null, "workload": if r >= (1, 3, 0) { "Vm" } else { "vm" },
                        "repositoryName": "Default Backup Repository", "objectsCount": last.map(|s| s.tasks.len()).unwrap_or(0),
                        "sessionId": last.map(|s| s.id.clone()).unwrap_or_else(|| "00000000-0000-0000-0000-000000000000".into()),
                    })
                })
                .collect();
            page(items, &q)
        }
        (Method::GET, ["sessions"]) => {
            let filt_time = |k: &str| q.get(k).map(|v| parse_time(v));
            for k in ["createdAfterFilter", "createdBeforeFilter", "endedAfterFilter"] {
                if let Some(None) = filt_time(k) {
                    return err(StatusCode::BAD_REQUEST, "UnexpectedContent", &format!("{k} is not a date-time"));
                }
            }
            let after = filt_time("createdAfterFilter").flatten();
            let before = filt_time("createdBeforeFilter").flatten();
            let ended_after = filt_time("endedAfterFilter").flatten();
            let mut st = inner.st.lock().unwrap();
            let mut list: Vec<&VeeamSession> = st
                .sessions
                .iter()
                .filter(|s| after.is_none_or(|a| s.creation_time > a))
                .filter(|s| before.is_none_or(|b| s.creation_time < b))
                .filter(|s| ended_after.is_none_or(|a| s.end_time.is_some_and(|e| e > a)))
                .filter(|s| q.get("jobIdFilter").is_none_or(|j| *j == s.job_id))
                .filter(|s| q.get("stateFilter").is_none_or(|v| v.eq_ignore_ascii_case(&s.state)))
                .filter(|s| {
                    q.get("resultFilter").is_none_or(|v| s.result.as_deref().is_some_and(|x| x.eq_ignore_ascii_case(v)))
                })
                .collect();
            let asc = q.get("orderAsc").is_none_or(|v| v != "false");
            match q.get("orderColumn").map(String::as_str) {
                None | Some("CreationTime") => list.sort_by_key(|s| s.creation_time),
                Some("EndTime") => list.sort_by_key(|s| s.end_time),
                Some("Name") => list.sort_by(|a, b| a.name.cmp(&b.name)),
                Some(o) => {
                    return err(StatusCode::BAD_REQUEST, "UnexpectedContent", &format!("orderColumn {o} is unknown"));
                }
            }
            if !asc {
                list.reverse();
            }
            // Only the page's items are rendered (the fake stays fast with 50,000 sessions).
            let skip: usize = q.get("skip").and_then(|v| v.parse().ok()).unwrap_or(0);
            let limit: usize = q.get("limit").and_then(|v| v.parse().ok()).unwrap_or(200);
            let total = list.len();
            let mut items: Vec<Value> =
                list.iter().enumerate().skip(skip).take(limit).map(|(i, s)| inner.session_json(s, r, i)).collect();
            let res = page(items.clone(), &HashMap::new()).map(|mut v| {
                v["pagination"] = json!({"total": total, "count": items.len(), "skip": skip, "limit": limit});
                v
            });
            if q.get("skip").is_some_and(|v| v.parse::<usize>().is_err())
                || q.get("limit").is_some_and(|v| v.parse::<usize>().is_err())
            {
                return err(StatusCode::BAD_REQUEST, "UnexpectedContent", "skip and limit are numbers");
            }
            if disappear || st.pending_disappear {
                // A session of the page just served goes away: the later ones shift back by one,
                // so a client that skips by what it read misses the first of the next page.
                let skip: usize = q.get("skip").and_then(|v| v.parse().ok()).unwrap_or(0);
                if let Some(gone) = list.get(skip) {
                    let id = gone.id.clone();
                    st.sessions.retain(|s| s.id != id);
                }
                st.pending_disappear = false;
            }
            if malformed {
                items.insert(0, json!({"name": "broken", "creationTime": "yesterday-ish", "state": "Stopped"}));
                let mut v = res.unwrap_or_else(|_| json!({}));
                if let Some(d) = v["data"].as_array_mut() {
                    d.insert(0, items[0].clone());
                }
                v["pagination"]["count"] = json!(items.len());
                Ok(v)
            } else {
                res
            }
        }
        (Method::GET, ["sessions", id]) => {
            let st = inner.st.lock().unwrap();
            match st.sessions.iter().position(|s| s.id == *id) {
                Some(i) => Ok(inner.session_json(&st.sessions[i], r, i)),
                None => return err(StatusCode::NOT_FOUND, "NotFound", &format!("Session {id} was not found.")),
            }
        }
        (Method::GET, ["sessions", id, "taskSessions"]) => {
            if r < (1, 2, 0) {
                return err(StatusCode::NOT_FOUND, "InvalidURI", "Unknown URI.");
            }
            let st = inner.st.lock().unwrap();
            let Some(s) = st.sessions.iter().find(|s| s.id == *id) else {
                return err(StatusCode::NOT_FOUND, "NotFound", &format!("Session {id} was not found."));
            };
            let items = s
                .tasks
                .iter()
                .enumerate()
                .map(|(i, t)| {
                    json!({
                        "id": format!("{}-{i}", s.id), "type": t.task_type, "sessionId": s.id, "name": t.name,
                        "state": s.state, "result": {"result": t.result, "message": t.message, "isCanceled": false},
                        "creationTime": time(s.creation_time, i), "endTime": s.end_time.map(|e| time(e, i + 2)),
                        "restorePointId": guid(), "algorithm": "Increment",
                        "progress": {"duration": "00:05:00", "processedSize": t.processed_size, "transferredSize": t.processed_size / 2},
                    })
                })
                .collect();
            page(items, &q)
        }
        (Method::GET, ["backupObjects"]) => {
            let st = inner.st.lock().unwrap();
            page(st.objects.clone(), &q)
        }
        (Method::POST, ["jobs", id, action @ ("start" | "retry")]) => {
            if *action == "retry" && r < (1, 3, 0) {
                return err(StatusCode::NOT_FOUND, "InvalidURI", "Unknown URI.");
            }
            let mut st = inner.st.lock().unwrap();
            let Some(job) = st.jobs.iter().find(|j| j.id == *id).cloned() else {
                return err(StatusCode::NOT_FOUND, "NotFound", &format!("Job {id} was not found."));
            };
            if *action == "start" && serde_json::from_slice::<Value>(&body).is_err() {
                return err(StatusCode::BAD_REQUEST, "UnexpectedContent", "The body is not JSON.");
            }
            let s = VeeamSession {
                id: guid(),
                job_id: job.id.clone(),
                name: job.name.clone(),
                creation_time: Utc::now(),
                end_time: None,
                state: "Starting".into(),
                result: None,
                message: String::new(),
                tasks: Vec::new(),
            };
            st.started.push((job.id.clone(), action.to_string()));
            let i = st.sessions.len();
            let v = inner.session_json(&s, r, i);
            st.sessions.push(s);
            return (StatusCode::CREATED, axum::Json(v)).into_response();
        }
        (_, ["jobs" | "sessions" | "backupObjects", ..]) => {
            return err(StatusCode::METHOD_NOT_ALLOWED, "MethodNotAllowed", "Method not allowed.");
        }
        _ => return err(StatusCode::NOT_FOUND, "InvalidURI", "Unknown URI."),
    };
    match result {
        Ok(v) => axum::Json(v).into_response(),
        Err(resp) => resp,
    }
}

fn bearer(h: &HeaderMap) -> Option<String> {
    h.get("authorization")?.to_str().ok()?.strip_prefix("Bearer ").map(str::to_string)
}

fn token(inner: &Inner, body: &[u8]) -> Response {
    let form: HashMap<String, String> = String::from_utf8_lossy(body)
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| {
            (k.to_string(), urlencoding::decode(&v.replace('+', " ")).map(|c| c.into_owned()).unwrap_or_default())
        })
        .collect();
    let mut st = inner.st.lock().unwrap();
    let username = match form.get("grant_type").map(String::as_str) {
        Some("password") => {
            if form.get("username").map(String::as_str) != Some(USERNAME)
                || form.get("password").map(String::as_str) != Some(PASSWORD)
            {
                return err(StatusCode::UNAUTHORIZED, "AccessDenied", "Invalid username or password.");
            }
            USERNAME.to_string()
        }
        Some("refresh_token") => {
            // Single use.
            match form.get("refresh_token").and_then(|t| st.refresh.remove(t)) {
                Some(u) => u,
                None => return err(StatusCode::UNAUTHORIZED, "InvalidToken", "The refresh token is invalid."),
            }
        }
        _ => return err(StatusCode::BAD_REQUEST, "UnexpectedContent", "grant_type is password or refresh_token."),
    };
    let access = random_hex(48);
    let refresh = random_hex(48);
    let expires_in = st.expires_in;
    st.tokens.insert(
        access.clone(),
        Token { expires: Instant::now() + Duration::from_secs(expires_in), username: username.clone() },
    );
    st.refresh.insert(refresh.clone(), username.clone());
    let now = Utc::now();
    axum::Json(json!({
        "access_token": access, "token_type": "bearer", "refresh_token": refresh, "expires_in": expires_in,
        ".issued": now.to_rfc3339(), ".expires": (now + chrono::Duration::seconds(expires_in as i64)).to_rfc3339(),
        "username": username,
    }))
    .into_response()
}

impl FakeVeeam {
    pub async fn start() -> FakeVeeam {
        Self::start_on(SocketAddr::from(([127, 0, 0, 1], 0))).await.expect("bind loopback")
    }

    pub async fn start_on(addr: SocketAddr) -> std::io::Result<FakeVeeam> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let inner = Arc::new(Inner {
            st: Mutex::new(St {
                max_rev: (1, 3, 1),
                expires_in: 900,
                tokens: HashMap::new(),
                refresh: HashMap::new(),
                jobs: Vec::new(),
                sessions: Vec::new(),
                objects: Vec::new(),
                started: Vec::new(),
                pending_disappear: false,
            }),
            faults: Faults::new(),
            requests: Mutex::default(),
        });
        let app = Router::new().fallback(handle).with_state(inner.clone());
        Ok(FakeVeeam { inner, addr, _serving: crate::serve(listener, app) })
    }

    /// `http://127.0.0.1:<port>`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }
    pub fn username(&self) -> &'static str {
        USERNAME
    }
    pub fn password(&self) -> &'static str {
        PASSWORD
    }

    /// The newest API revision the server speaks (`1.1-rev2` = a v12.2 server; default `1.3-rev1`).
    pub fn set_max_revision(&self, r: &str) {
        self.inner.st.lock().unwrap().max_rev = rev(r).expect("a revision like 1.2-rev1");
    }
    pub fn set_token_lifetime(&self, secs: u64) {
        self.inner.st.lock().unwrap().expires_in = secs;
    }
    pub fn expire_tokens(&self) {
        self.inject(Fault::ExpireTokens, "/api/");
    }
    /// Applies `fault` to the next request whose path contains `on`.
    pub fn inject(&self, fault: Fault, on: &str) {
        self.inner.faults.push(fault, on);
    }
    pub fn requests(&self) -> Vec<String> {
        self.inner.requests.lock().unwrap().clone()
    }
    pub fn clear_requests(&self) {
        self.inner.requests.lock().unwrap().clear();
    }
    /// The (job id, `start`|`retry`) calls received.
    pub fn started(&self) -> Vec<(String, String)> {
        self.inner.st.lock().unwrap().started.clone()
    }

    pub fn add_job(&self, name: &str, job_type: &str) -> String {
        let id = guid();
        self.inner.st.lock().unwrap().jobs.push(VeeamJob {
            id: id.clone(),
            name: name.into(),
            job_type: job_type.into(),
            disabled: false,
        });
        id
    }
    pub fn rename_job(&self, id: &str, name: &str) {
        let mut st = self.inner.st.lock().unwrap();
        for j in st.jobs.iter_mut().filter(|j| j.id == id) {
            j.name = name.to_string();
        }
        for s in st.sessions.iter_mut().filter(|s| s.job_id == id) {
            s.name = name.to_string();
        }
    }
    /// A protected VM or computer as `/backupObjects` lists it.
    pub fn add_object(&self, name: &str, object_type: &str, platform_name: &str) {
        self.inner.st.lock().unwrap().objects.push(json!({
            "id": guid(), "name": name, "type": object_type, "platformName": platform_name,
            "platformId": guid(), "restorePointsCount": 3,
        }));
    }

    /// A finished session of `job_id` (`result`: Success, Warning, Failed) with one task per (object, result).
    pub fn add_session(
        &self,
        job_id: &str,
        start: DateTime<Utc>,
        minutes: i64,
        result: &str,
        tasks: &[(&str, &str)],
    ) -> String {
        let mut st = self.inner.st.lock().unwrap();
        let name = st.jobs.iter().find(|j| j.id == job_id).map(|j| j.name.clone()).unwrap_or_default();
        let id = guid();
        st.sessions.push(VeeamSession {
            id: id.clone(),
            job_id: job_id.to_string(),
            name,
            creation_time: start,
            end_time: Some(start + chrono::Duration::minutes(minutes)),
            state: "Stopped".into(),
            result: Some(result.into()),
            message: if result == "Success" {
                String::new()
            } else {
                format!("Processing finished with {}", result.to_lowercase())
            },
            tasks: tasks
                .iter()
                .map(|(n, r)| VeeamTask {
                    name: n.to_string(),
                    task_type: "VSphereVM".into(),
                    result: r.to_string(),
                    message: if *r == "Success" { String::new() } else { format!("{n}: {r}") },
                    processed_size: 10 * 1024 * 1024 * 1024,
                })
                .collect(),
        });
        st.sessions.sort_by_key(|s| s.creation_time);
        id
    }

    /// A session still running (no end time, result null).
    pub fn add_running_session(&self, job_id: &str, start: DateTime<Utc>) -> String {
        let id = self.add_session(job_id, start, 0, "None", &[]);
        let mut st = self.inner.st.lock().unwrap();
        for s in st.sessions.iter_mut().filter(|s| s.id == id) {
            s.end_time = None;
            s.state = "Working".into();
            s.result = None;
        }
        id
    }

    /// Ends a running (or started) session with `result` and one task per (object, result).
    pub fn finish_session(&self, id: &str, result: &str, tasks: &[(&str, &str)]) {
        let mut st = self.inner.st.lock().unwrap();
        for s in st.sessions.iter_mut().filter(|s| s.id == id) {
            s.end_time = Some(Utc::now());
            s.state = "Stopped".into();
            s.result = Some(result.into());
            s.tasks = tasks
                .iter()
                .map(|(n, r)| VeeamTask {
                    name: n.to_string(),
                    task_type: "VSphereVM".into(),
                    result: r.to_string(),
                    message: String::new(),
                    processed_size: 1 << 30,
                })
                .collect();
        }
    }

    /// Every session id.
    pub fn sessions_of_all(&self) -> Vec<String> {
        self.inner.st.lock().unwrap().sessions.iter().map(|s| s.id.clone()).collect()
    }

    /// The sessions of a job, oldest first.
    pub fn sessions_of(&self, job_id: &str) -> Vec<VeeamSession> {
        self.inner.st.lock().unwrap().sessions.iter().filter(|s| s.job_id == job_id).cloned().collect()
    }

    /// Many jobs and sessions at once (for the speed figure): `jobs` jobs, `sessions` sessions spread over them
    /// in the `hours` before `end`, each with one task.
    pub fn bulk(&self, jobs: usize, sessions: usize, end: DateTime<Utc>, hours: i64) {
        let mut st = self.inner.st.lock().unwrap();
        let ids: Vec<String> = (0..jobs)
            .map(|i| {
                let id = guid();
                st.jobs.push(VeeamJob {
                    id: id.clone(),
                    name: format!("Bulk job {i:05}"),
                    job_type: "VSphereBackup".into(),
                    disabled: false,
                });
                id
            })
            .collect();
        let span = hours * 3600;
        for i in 0..sessions {
            let j = i % jobs;
            let start = end - chrono::Duration::seconds(span - (i as i64 * span / sessions as i64));
            st.sessions.push(VeeamSession {
                id: guid(),
                job_id: ids[j].clone(),
                name: format!("Bulk job {j:05}"),
                creation_time: start,
                end_time: Some(start + chrono::Duration::minutes(10)),
                state: "Stopped".into(),
                result: Some(if i % 17 == 0 { "Warning" } else { "Success" }.into()),
                message: String::new(),
                tasks: vec![VeeamTask {
                    name: format!("vm-{j:05}"),
                    task_type: "VSphereVM".into(),
                    result: "Success".into(),
                    message: String::new(),
                    processed_size: 1 << 30,
                }],
            });
        }
        st.sessions.sort_by_key(|s| s.creation_time);
    }
}
