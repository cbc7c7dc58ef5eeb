//! The fake N-able Cove JSON-RPC API: one route, `POST /jsonapi`.
//!
//! - Body `{"jsonrpc":"2.0","id","method","params","visa"}`; the visa is top-level (inside params: 1701).
//! - `Login {partner, username, password}` (exact partner name, else 2100) -> `result.result` (the user) and a visa.
//!   Visas last 15 minutes from issue (settable); every reply carries a fresh one; older ones stay valid till expiry.
//! - Errors as HTTP 200 `{"error": {"code": -32603, "data": N, "message"}}`: 2100 bad login, 1701 visa
//!   inconsistent/expired, 13501 security (after too many failed logins).
//! - `GetPartnerInfo {name}`, `EnumerateAccountStatistics {query: {PartnerId, SelectionMode, StartRecordNumber,
//!   RecordsCount, Columns}}` -> `[{AccountId, PartnerId, Flags, Settings: [{"I1": "pc1"}, ...]}]`: one single-key
//!   object per requested column, values strings, keys as requested (`D09F00` or `D9F00`), empty columns omitted;
//!   no total (a short page ends it).
//! - Column codes I0 I1 I8 I18 I6 I14 I32 I59 I78 and `D<n>F<nn>` (F00 status, F06 errors, F09 last success,
//!   F15 last session, F17/F18 last completed status/time); statuses 1 In process, 2 Failed, 3 Aborted,
//!   5 Completed, 6 Interrupted, 7 NotStarted, 8 CompletedWithErrors, 9 InProgressWithFaults, 10 OverQuota,
//!   11 NoSelection, 12 Restarted.

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use crate::{Fault, Faults, random_hex};

pub const PARTNER: &str = "Acme Ltd (admin@acme.example)";
pub const USERNAME: &str = "backupchecks-api@acme.example";
pub const PASSWORD: &str = "fake-Cove-token-1";
pub const PARTNER_ID: i64 = 4711;

/// One device (account) with its data sources.
#[derive(Debug, Clone, PartialEq)]
pub struct CoveDevice {
    pub id: i64,
    pub name: String,
    pub customer: String,
    pub computer: String,
    /// 1 workstation, 2 server.
    pub os_type: u8,
    /// 1 Backup Manager, 2 M365.
    pub account_type: u8,
    /// Data source numbers (1 Files, 2 System State, ...).
    pub sources: Vec<u8>,
    /// Per data source (9 = total): F00 status, F09 last success, F15 last session, F17/F18 last completed, F06 errors.
    pub stats: BTreeMap<u8, SourceStats>,
}

#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct SourceStats {
    pub status: u8,
    pub last_success: Option<i64>,
    pub last_session: Option<i64>,
    pub last_completed_status: Option<u8>,
    pub last_completed_at: Option<i64>,
    pub errors: u32,
    pub selected_size: u64,
}

struct St {
    visa_lifetime: Duration,
    visas: HashMap<String, Instant>,
    devices: Vec<CoveDevice>,
    failed_logins: u32,
}

struct Inner {
    st: Mutex<St>,
    faults: Faults,
    requests: Mutex<Vec<String>>,
}

pub struct FakeCove {
    inner: Arc<Inner>,
    addr: SocketAddr,
    _serving: crate::Serving,
}

fn rpc_err(id: &Value, data: i64, message: &str) -> Response {
    axum::Json(json!({"jsonrpc": "2.0", "id": id, "error": {"code": -32603, "data": data, "message": message}}))
        .into_response()
}

/// `D09F00`, `D9F00` -> (9, 0).
fn d_column(c: &str) -> Option<(u8, u8)> {
    let rest = c.strip_prefix('D')?;
    let (n, f) = rest.split_once('F')?;
    Some((n.parse().ok()?, f.parse().ok()?))
}

fn column(d: &CoveDevice, c: &str) -> Option<String> {
    let v = match c {
        "I0" | "AU" => Some(d.id.to_string()),
        "I1" | "AN" => Some(d.name.clone()),
        "I8" | "AR" => Some(d.customer.clone()),
        "I18" | "MN" => Some(d.computer.clone()),
        "I6" | "TS" => d.stats.get(&9).and_then(|s| s.last_session).map(|t| t.to_string()),
        "I14" | "US" => Some(d.stats.values().map(|s| s.selected_size).sum::<u64>().to_string()),
        "I32" | "OT" => Some(d.os_type.to_string()),
        "I59" | "AT" => Some(d.account_type.to_string()),
        "I78" | "AP" => Some(d.sources.iter().map(|n| format!("D{n}")).collect::<Vec<_>>().join(",")),
        "T0" => d.stats.get(&9).map(|s| s.status.to_string()),
        "TL" => d.stats.get(&9).and_then(|s| s.last_success).map(|t| t.to_string()),
        "T7" => d.stats.get(&9).map(|s| s.errors.to_string()),
        _ => {
            let (n, f) = d_column(c)?;
            let s = d.stats.get(&n)?;
            match f {
                0 => Some(s.status.to_string()),
                3 => Some(s.selected_size.to_string()),
                6 => Some(s.errors.to_string()),
                9 => s.last_success.map(|t| t.to_string()),
                15 => s.last_session.map(|t| t.to_string()),
                17 => s.last_completed_status.map(|t| t.to_string()),
                18 => s.last_completed_at.map(|t| t.to_string()),
                _ => None,
            }
        }
    };
    v.filter(|s| !s.is_empty())
}

async fn handle(State(inner): State<Arc<Inner>>, body: Bytes) -> Response {
    let Ok(req) = serde_json::from_slice::<Value>(&body) else {
        return axum::Json(
            json!({"jsonrpc": "2.0", "id": null, "error": {"code": -32700, "data": 0, "message": "Parse error"}}),
        )
        .into_response();
    };
    let id = req.get("id").cloned().unwrap_or(Value::Null);
    let method = req.get("method").and_then(Value::as_str).unwrap_or("").to_string();
    inner.requests.lock().unwrap().push(method.clone());
    let mut malformed = false;
    let mut disappear = false;
    while let Some(f) = inner.faults.take(&method) {
        match f {
            Fault::Status(code) => {
                let s = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
                return (s, "Service temporarily unavailable").into_response();
            }
            Fault::Slow(d) => tokio::time::sleep(d).await,
            Fault::ExpireTokens => {
                let past = Instant::now() - Duration::from_secs(1);
                for v in inner.st.lock().unwrap().visas.values_mut() {
                    *v = past;
                }
            }
            Fault::MalformedItem => malformed = true,
            Fault::DisappearAfterPage => disappear = true,
        }
    }
    let params = req.get("params").cloned().unwrap_or(Value::Null);
    if params.get("visa").is_some() {
        return rpc_err(&id, 1701, "Visa is inconsistent/corrupted.");
    }
    let result = if method == "Login" {
        let mut st = inner.st.lock().unwrap();
        if st.failed_logins >= 5 {
            return rpc_err(&id, 13501, "Operation failed because of security reasons");
        }
        let ok = params.get("partner").and_then(Value::as_str) == Some(PARTNER)
            && params.get("username").and_then(Value::as_str) == Some(USERNAME)
            && params.get("password").and_then(Value::as_str) == Some(PASSWORD);
        if !ok {
            st.failed_logins += 1;
            return rpc_err(&id, 2100, "Unknown partner/username or bad password");
        }
        st.failed_logins = 0;
        json!({"Id": 90210, "PartnerId": PARTNER_ID, "RoleId": 2, "Name": USERNAME, "EmailAddress": USERNAME})
    } else {
        let visa = req.get("visa").and_then(Value::as_str).unwrap_or("");
        {
            let st = inner.st.lock().unwrap();
            match st.visas.get(visa) {
                Some(exp) if *exp > Instant::now() => {}
                _ => return rpc_err(&id, 1701, "Visa is inconsistent/corrupted."),
            }
        }
        match method.as_str() {
            "GetPartnerInfo" => {
                if params.get("name").and_then(Value::as_str) != Some(PARTNER) {
                    return rpc_err(&id, 2100, "Unknown partner");
                }
                json!({"Id": PARTNER_ID, "Name": PARTNER, "Level": "Reseller", "ParentId": 1})
            }
            "EnumerateAccountStatistics" => {
                let q = params.get("query").cloned().unwrap_or(Value::Null);
                if q.get("PartnerId").and_then(Value::as_i64) != Some(PARTNER_ID) {
                    return rpc_err(&id, 13501, "Operation failed because of security reasons");
                }
                let start = q.get("StartRecordNumber").and_then(Value::as_u64).unwrap_or(0) as usize;
                let count = q.get("RecordsCount").and_then(Value::as_u64).unwrap_or(100) as usize;
                let cols: Vec<String> = q
                    .get("Columns")
                    .and_then(Value::as_array)
                    .map(|a| a.iter().filter_map(|c| c.as_str().map(str::to_string)).collect())
                    .unwrap_or_default();
                let mut st = inner.st.lock().unwrap();
                let mut items: Vec<Value> = st
                    .devices
                    .iter()
                    .skip(start)
                    .take(count)
                    .map(|d| {
                        let settings: Vec<Value> =
                            cols.iter().filter_map(|c| column(d, c).map(|v| json!({ c.clone(): v }))).collect();
                        json!({"AccountId": d.id, "PartnerId": PARTNER_ID, "Flags": ["AllowEdit"], "Settings": settings})
                    })
                    .collect();
                if disappear && start < st.devices.len() {
                    st.devices.remove(start);
                }
                if malformed {
                    items.insert(0, json!({"PartnerId": PARTNER_ID, "Settings": "not-a-list"}));
                    items.pop();
                }
                json!(items)
            }
            _ => return rpc_err(&id, -32601, &format!("Method {method} not found")),
        }
    };
    let visa = random_hex(40);
    {
        let mut st = inner.st.lock().unwrap();
        let life = st.visa_lifetime;
        st.visas.insert(visa.clone(), Instant::now() + life);
    }
    axum::Json(json!({"jsonrpc": "2.0", "id": id, "result": {"result": result}, "visa": visa})).into_response()
}

impl FakeCove {
    pub async fn start() -> FakeCove {
        Self::start_on(SocketAddr::from(([127, 0, 0, 1], 0))).await.expect("bind loopback")
    }

    pub async fn start_on(addr: SocketAddr) -> std::io::Result<FakeCove> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let inner = Arc::new(Inner {
            st: Mutex::new(St {
                visa_lifetime: Duration::from_secs(15 * 60),
                visas: HashMap::new(),
                devices: Vec::new(),
                failed_logins: 0,
            }),
            faults: Faults::new(),
            requests: Mutex::default(),
        });
        let app = Router::new().route("/jsonapi", axum::routing::post(handle)).with_state(inner.clone());
        Ok(FakeCove { inner, addr, _serving: crate::serve(listener, app) })
    }

    /// `http://127.0.0.1:<port>/jsonapi`.
    pub fn url(&self) -> String {
        format!("http://{}/jsonapi", self.addr)
    }
    pub fn partner(&self) -> &'static str {
        PARTNER
    }
    pub fn username(&self) -> &'static str {
        USERNAME
    }
    pub fn password(&self) -> &'static str {
        PASSWORD
    }
    pub fn set_visa_lifetime(&self, d: Duration) {
        self.inner.st.lock().unwrap().visa_lifetime = d;
    }
    pub fn expire_visas(&self) {
        self.inject(Fault::ExpireTokens, "");
    }
    /// Applies `fault` to the next call whose method name contains `on` (`""`: any).
    pub fn inject(&self, fault: Fault, on: &str) {
        self.inner.faults.push(fault, on);
    }
    /// The methods called, in order.
    pub fn requests(&self) -> Vec<String> {
        self.inner.requests.lock().unwrap().clone()
    }

    /// A server device with Files and System State whose last session ended `status` (5 completed, 8 with
    /// errors, 2 failed, 1 in process) at `session_at`; its last success at `success_at`.
    pub fn add_device(
        &self,
        name: &str,
        customer: &str,
        status: u8,
        session_at: DateTime<Utc>,
        success_at: Option<DateTime<Utc>>,
    ) -> i64 {
        let mut st = self.inner.st.lock().unwrap();
        let id = 100_000 + st.devices.len() as i64;
        let s = SourceStats {
            status,
            last_success: success_at.map(|t| t.timestamp()),
            last_session: Some(session_at.timestamp()),
            last_completed_status: None,
            last_completed_at: None,
            errors: if status == 8 { 3 } else { 0 },
            selected_size: 50 << 30,
        };
        let stats = BTreeMap::from([(1, s), (2, s), (9, s)]);
        st.devices.push(CoveDevice {
            id,
            name: name.into(),
            customer: customer.into(),
            computer: format!("{}.acme.local", name.to_lowercase()),
            os_type: 2,
            account_type: 1,
            sources: vec![1, 2],
            stats,
        });
        id
    }

    /// The device's next session: `status` at `at` (1 = in process: the last completed one stays in F17/F18).
    pub fn next_session(&self, id: i64, status: u8, at: DateTime<Utc>) {
        let mut st = self.inner.st.lock().unwrap();
        for d in st.devices.iter_mut().filter(|d| d.id == id) {
            for s in d.stats.values_mut() {
                if status == 1 {
                    s.last_completed_status = Some(s.status);
                    s.last_completed_at = s.last_session;
                } else {
                    s.last_completed_status = Some(status);
                    s.last_completed_at = Some(at.timestamp());
                }
                s.status = status;
                s.last_session = Some(at.timestamp());
                if status == 5 || status == 8 {
                    s.last_success = Some(at.timestamp());
                }
            }
        }
    }

    pub fn devices(&self) -> Vec<CoveDevice> {
        self.inner.st.lock().unwrap().devices.clone()
    }
}
