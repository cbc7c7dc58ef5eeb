//! N-able Cove Data Protection JSON-RPC.
//!
//! `Login {partner, username, password}` gives a visa; every call carries
//! the newest visa top-level and every answer brings a fresh one (visas
//! last 15 minutes). An expired or refused visa (error 1701) means one new
//! Login and the call again. Errors come as HTTP 200 with
//! `error.data` = 2100 (bad login), 1701 (visa), 13501 (security).
//!
//! Each device (account) is one job; its last session (D09F15 with status
//! D09F00, or while that is "in process" the last completed one, F17/F18)
//! is its run, with one object per data source; the device is a protected
//! object whose last success is D09F09. Statistics are paged with
//! `StartRecordNumber`/`RecordsCount` until a short page; pages overlap by a
//! few devices so one that disappears between pages costs no device.

use std::collections::HashMap;

use async_trait::async_trait;
use bc_api_types::{LastBackupStatus, ObjectType, ReportObject, Sizes, Status};
use bc_core::platforms::port::{
    Connection, PlatformError, PlatformJob, PlatformObject, PlatformResult, PlatformSession, PlatformSessionApi,
    SessionPage, StartOutcome,
};
use chrono::{DateTime, TimeZone, Utc};
use serde_json::{Value, json};

use crate::http::{client, transport};

pub const PAGE: u64 = 500;
const OVERLAP: u64 = 5;
const COLUMNS: [&str; 16] = [
    "I1", "I8", "I18", "I32", "I59", "I78", "D09F00", "D09F06", "D09F09", "D09F15", "D09F17", "D09F18", "D01F00",
    "D02F00", "D01F09", "D02F09",
];

/// Data source names by number.
fn source_name(n: u32) -> String {
    match n {
        1 => "Files and Folders".into(),
        2 => "System State".into(),
        3 => "MS SQL".into(),
        6 => "Network Shares".into(),
        8 => "VMware".into(),
        10 => "VSS MS SQL".into(),
        14 => "Hyper-V".into(),
        19 => "M365 Exchange".into(),
        20 => "M365 OneDrive".into(),
        5 => "M365 SharePoint".into(),
        23 => "M365 Teams".into(),
        n => format!("Data source D{n}"),
    }
}

/// Status codes: `None` while in process (1, 9, 12) or not started (7).
fn status_of(code: u32) -> Option<Status> {
    match code {
        5 => Some(Status::Success),
        8 => Some(Status::Warning),
        2 | 3 | 6 | 10 | 11 => Some(Status::Failed),
        _ => None,
    }
}

pub struct CoveSession {
    http: reqwest::Client,
    url: String,
    partner: String,
    username: String,
    password: String,
    visa: String,
    partner_id: i64,
    next_id: u64,
}

/// One device row: its columns by normalised code (`D9F0`-style keys become `D09F00`).
struct Row {
    id: i64,
    cols: HashMap<String, String>,
}

fn norm(code: &str) -> String {
    if let Some(rest) = code.strip_prefix('D')
        && let Some((n, f)) = rest.split_once('F')
        && let (Ok(n), Ok(f)) = (n.parse::<u32>(), f.parse::<u32>())
    {
        return format!("D{n:02}F{f:02}");
    }
    code.to_string()
}

fn row(v: &Value) -> Result<Row, String> {
    let id = v.get("AccountId").and_then(Value::as_i64).ok_or("a device without AccountId")?;
    let settings = v.get("Settings").and_then(Value::as_array).ok_or(format!("device {id}: Settings is not a list"))?;
    let mut cols = HashMap::new();
    for s in settings {
        if let Some(o) = s.as_object() {
            for (k, val) in o {
                let text = match val {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                cols.insert(norm(k), text);
            }
        }
    }
    Ok(Row { id, cols })
}

impl Row {
    fn get(&self, k: &str) -> Option<&str> {
        self.cols.get(k).map(String::as_str).filter(|s| !s.is_empty())
    }
    fn num(&self, k: &str) -> Option<i64> {
        self.get(k).and_then(|s| s.trim().parse().ok())
    }
    fn time(&self, k: &str) -> Option<DateTime<Utc>> {
        self.num(k).filter(|t| *t > 0).and_then(|t| Utc.timestamp_opt(t, 0).single())
    }
    fn name(&self) -> String {
        self.get("I1").map(str::to_string).unwrap_or_else(|| format!("device {}", self.id))
    }
    fn is_m365(&self) -> bool {
        self.get("I59") == Some("2")
    }
    /// `"D1,D2"` or `"D01D02"`.
    fn sources(&self) -> Vec<u32> {
        let Some(s) = self.get("I78") else { return Vec::new() };
        s.split(|c: char| c == 'D' || c == ',' || c.is_whitespace())
            .filter_map(|p| p.trim().parse::<u32>().ok())
            .collect()
    }
}

impl CoveSession {
    pub async fn connect(c: &Connection) -> PlatformResult<CoveSession> {
        let partner =
            c.partner.clone().ok_or_else(|| PlatformError::Auth("a Cove platform needs its partner name".into()))?;
        let mut s = CoveSession {
            http: client(c)?,
            url: c.base_url.clone(),
            partner,
            username: c.username.clone(),
            password: c.password.clone(),
            visa: String::new(),
            partner_id: 0,
            next_id: 1,
        };
        s.login().await?;
        let info = s.call("GetPartnerInfo", json!({"name": s.partner.clone()})).await?;
        s.partner_id = info
            .get("Id")
            .and_then(Value::as_i64)
            .ok_or_else(|| PlatformError::Protocol("GetPartnerInfo answered without Id".into()))?;
        Ok(s)
    }

    async fn login(&mut self) -> PlatformResult<()> {
        let params = json!({"partner": self.partner, "username": self.username, "password": self.password});
        self.raw("Login", params, false).await.map(|_| ())
    }

    async fn raw(&mut self, method: &str, params: Value, with_visa: bool) -> PlatformResult<Value> {
        self.next_id += 1;
        let mut body = json!({"jsonrpc": "2.0", "id": self.next_id.to_string(), "method": method, "params": params});
        if with_visa {
            body["visa"] = json!(self.visa);
        }
        let resp = self.http.post(&self.url).json(&body).send().await.map_err(transport)?;
        let status = resp.status();
        let text = resp.text().await.map_err(transport)?;
        if !status.is_success() {
            let msg = format!("{method}: HTTP {status}");
            return Err(match status.as_u16() {
                401 | 403 => PlatformError::Auth(msg),
                429 | 500..=599 => PlatformError::Unavailable(msg),
                _ => PlatformError::Protocol(msg),
            });
        }
        let v: Value = serde_json::from_str(&text).map_err(|e| PlatformError::Protocol(format!("{method}: {e}")))?;
        if let Some(visa) = v.get("visa").and_then(Value::as_str) {
            self.visa = visa.to_string();
        }
        if let Some(e) = v.get("error").filter(|e| !e.is_null()) {
            let data = e.get("data").and_then(Value::as_i64).unwrap_or(0);
            let msg = format!("{method}: {} ({data})", e.get("message").and_then(Value::as_str).unwrap_or("error"));
            return Err(match data {
                2100 | 13501 => PlatformError::Auth(msg),
                1701 => PlatformError::Auth(format!("visa: {msg}")),
                _ => PlatformError::Protocol(msg),
            });
        }
        Ok(v.get("result").and_then(|r| r.get("result")).cloned().unwrap_or(Value::Null))
    }

    /// A call with the visa; an expired visa means one new Login.
    async fn call(&mut self, method: &str, params: Value) -> PlatformResult<Value> {
        match self.raw(method, params.clone(), true).await {
            Err(PlatformError::Auth(m)) if m.starts_with("visa:") => {
                tracing::info!(method, "Cove visa refused (expired?); signing in again");
                self.login().await?;
                self.raw(method, params, true).await
            }
            r => r,
        }
    }

    /// One page of device statistics from `start`: rows, unreadable items, next start.
    async fn stats_page(&mut self, start: u64) -> PlatformResult<(Vec<Row>, Vec<String>, Option<u64>)> {
        let q = json!({"query": {
            "PartnerId": self.partner_id, "SelectionMode": "Merged", "StartRecordNumber": start,
            "RecordsCount": PAGE, "Columns": COLUMNS, "OrderBy": "I1 ASC",
        }});
        let v = self.call("EnumerateAccountStatistics", q).await?;
        let items = v.as_array().ok_or_else(|| PlatformError::Protocol("statistics are not a list".into()))?;
        let mut rows = Vec::new();
        let mut bad = Vec::new();
        for (i, it) in items.iter().enumerate() {
            match row(it) {
                Ok(r) => rows.push(r),
                Err(m) => bad.push(format!("device {} of the page at {start}: {m}", i + 1)),
            }
        }
        let n = items.len() as u64;
        let next = (n >= PAGE).then(|| start + n - OVERLAP);
        Ok((rows, bad, next))
    }

    async fn all_rows(&mut self) -> PlatformResult<Vec<Row>> {
        let mut out: Vec<Row> = Vec::new();
        let mut start = 0;
        loop {
            let (rows, _, next) = self.stats_page(start).await?;
            for r in rows {
                if !out.iter().any(|o| o.id == r.id) {
                    out.push(r);
                }
            }
            match next {
                Some(n) => start = n,
                None => return Ok(out),
            }
        }
    }
}

/// A device's last finished session, if any.
fn session_of(r: &Row) -> Option<PlatformSession> {
    let code = r.num("D09F00")? as u32;
    let (status, at) = match status_of(code) {
        Some(s) => (s, r.time("D09F15")?),
        // In process: the last completed one (F17/F18).
        None => (status_of(r.num("D09F17")? as u32)?, r.time("D09F18")?),
    };
    let name = r.name();
    let mut messages = Vec::new();
    if let Some(e) = r.num("D09F06").filter(|e| *e > 0) {
        messages.push(format!("{e} errors"));
    }
    let objects = r
        .sources()
        .into_iter()
        .map(|n| {
            let st = r.num(&format!("D{n:02}F00")).and_then(|c| status_of(c as u32)).unwrap_or(status);
            ReportObject {
                name: format!("{name} / {}", source_name(n)),
                object_type: Some(if r.is_m365() { "m365" } else { "data source" }.into()),
                status: st,
                message: None,
                started_at: None,
                ended_at: None,
                size_bytes: None,
            }
        })
        .collect();
    let at = at.fixed_offset();
    Some(PlatformSession {
        id: format!("{}:{}", r.id, at.timestamp()),
        job_external_id: r.id.to_string(),
        job_name: name,
        started_at: at,
        ended_at: Some(at),
        status: Some(status),
        messages,
        sizes: Sizes::default(),
        objects: Some(objects),
    })
}

#[async_trait]
impl PlatformSessionApi for CoveSession {
    fn api_version(&self) -> Option<String> {
        None
    }

    async fn list_jobs(&mut self) -> PlatformResult<Vec<PlatformJob>> {
        Ok(self
            .all_rows()
            .await?
            .into_iter()
            .map(|r| PlatformJob {
                external_id: r.id.to_string(),
                name: r.name(),
                job_type: if r.is_m365() { "Microsoft 365".into() } else { "Device Backup".into() },
                unknown_type: None,
                customer_hint: r.get("I8").map(str::to_string),
            })
            .collect())
    }

    async fn sessions_page(&mut self, since: Option<DateTime<Utc>>, skip: u64) -> PlatformResult<SessionPage> {
        let (rows, malformed, next) = self.stats_page(skip).await?;
        let items = rows
            .iter()
            .filter_map(session_of)
            .filter(|s| since.is_none_or(|t| s.started_at.with_timezone(&Utc) > t))
            .collect();
        Ok(SessionPage { items, malformed, next })
    }

    async fn task_sessions(&mut self, _session: &PlatformSession) -> PlatformResult<Vec<ReportObject>> {
        Ok(Vec::new())
    }

    async fn backup_objects(&mut self) -> PlatformResult<Vec<PlatformObject>> {
        Ok(self
            .all_rows()
            .await?
            .into_iter()
            .map(|r| {
                let last = r.num("D09F00").and_then(|c| status_of(c as u32)).map(|s| match s {
                    Status::Success => LastBackupStatus::Success,
                    Status::Warning => LastBackupStatus::Warning,
                    _ => LastBackupStatus::Failed,
                });
                PlatformObject {
                    external_id: format!("device:{}", r.id),
                    name: r.name(),
                    object_type: if r.is_m365() { ObjectType::CloudResource } else { ObjectType::Physical },
                    hostname: r.get("I18").map(str::to_string),
                    job_external_id: Some(r.id.to_string()),
                    last_status: last,
                    last_backup_at: last.and(r.time("D09F15")),
                    last_success_at: r.time("D09F09"),
                }
            })
            .collect())
    }

    async fn start_job(&mut self, _external_id: &str) -> PlatformResult<StartOutcome> {
        Ok(StartOutcome::NotOffered)
    }
}
