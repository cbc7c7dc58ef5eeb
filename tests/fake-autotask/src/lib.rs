//! A fake Autotask PSA REST API, faithful to what `../shared/docs/autotask-api.md` records about the real one.
//!
//! Tests start it on loopback with [`FakeAutotask::start`] and steer it with the handle's control methods
//! (rename or delete a company, add time entries, delete a ticket, deactivate a picklist value, inject faults)
//! and assert on [`FakeAutotask::requests`]. A person starts it with `scripts/fake-autotask` (the
//! `fake-autotask` binary), which prints the credentials to use; the same controls are then under `/_fake/`.
//!
//! What it speaks (paths under `/atservicesrest/v1.0/` or `/ATServicesRest/V1.0/`, matched case-insensitively):
//! - `GET zoneInformation?user=` (no credentials; unknown or blank user -> 500) -> the zone URL of the fake itself.
//! - The auth headers `ApiIntegrationCode`, `UserName`, `Secret` on every other call (wrong -> 401 `{"errors"}`).
//! - `Companies/{id}`, `Companies/query`; `Tickets` (POST create with the required-field and queue rules, PATCH
//!   update), `Tickets/{id}` (`{"item": null}` when deleted), `Tickets/query`, `Tickets/query/count`;
//!   `Tickets/{id}/Notes` (POST create, GET list); `TicketNotes/query`; `TimeEntries/query` and `/query/count`;
//!   `DeletedTicketLogs/query`; `Tickets/entityInformation/fields`; `ThresholdInformation`.
//! - Paging: at most `page_size` (500 unless set) items a page, ordered by id, `pageDetails.nextPageUrl` of the form
//!   `.../{Entity}/query/next?paging={"pageSize":..,"previousIds":[..],"nextIds":[..]}` which must be POSTed with the
//!   same body (GET -> 405, no body -> 500).
//! - Errors as `{"errors": [...]}`; validation failures as 500; unknown routes 404; wrong method 405.
//! - Limits: more than 3 concurrent requests on one entity endpoint (child paths count as the child entity) -> 429
//!   with the thread-limit error `Itgenatr005`; `ThresholdInformation` counts the requests of the hour.

// The handlers return a ready `Response` as their error: it is the answer, and a test fake's answers need no boxing.
#![allow(clippy::result_large_err)]

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use chrono::{SecondsFormat, Utc};
use serde_json::{Map, Value, json};

mod api;
mod control;
mod filter;

pub use filter::matches as filter_matches;

/// The credentials the fake accepts (and `scripts/fake-autotask` prints).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    pub username: String,
    pub secret: String,
    pub integration_code: String,
}

impl Default for Credentials {
    fn default() -> Self {
        Credentials {
            username: "bc-api@fake-msp.example".into(),
            secret: "fake-secret-Xy7!".into(),
            integration_code: "FAKEBACKUPCHECKS0001".into(),
        }
    }
}

/// A fault the fake applies to the next request that matches (see [`FakeAutotask::inject`]).
#[derive(Debug, Clone, PartialEq)]
pub enum Fault {
    /// 429 with `Retry-After: <secs>` (no header when `None`) and `{"errors": [...]}`.
    RateLimited { retry_after_secs: Option<u64> },
    /// Answer normally, but only after this delay (longer than the client's timeout to provoke one).
    Slow(Duration),
    /// 500 with a permissions message, as Autotask answers when the API user lacks a right.
    PermissionDenied,
    /// 403 with a permissions message (the other way Autotask says it).
    Forbidden,
    /// The thread-limit error (`Itgenatr005`) with 429, as if more than 3 requests were in flight.
    ThreadLimit,
}

/// One request as the fake saw it (faulted and refused ones included).
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedRequest {
    pub method: String,
    /// The path as sent, e.g. `/ATServicesRest/V1.0/Tickets/12/Notes`.
    pub path: String,
    /// The part after `v1.0/`, e.g. `Tickets/12/Notes` (empty for non-API paths).
    pub endpoint: String,
    pub query: Option<String>,
    /// The body parsed as JSON, `Value::Null` when empty, a string when not JSON.
    pub body: Value,
}

struct PendingFault {
    fault: Fault,
    /// Lower-cased endpoint it applies to (see [`FakeAutotask::inject_for`]; `None`: any API request).
    endpoint: Option<String>,
}

#[derive(Default)]
struct Db {
    companies: BTreeMap<i64, Value>,
    tickets: BTreeMap<i64, Value>,
    notes: BTreeMap<i64, Value>,
    time_entries: BTreeMap<i64, Value>,
    deleted_ticket_logs: BTreeMap<i64, Value>,
    next_id: i64,
    /// Per day (yyyymmdd) the last ticket sequence number.
    ticket_seq: HashMap<String, u32>,
    /// (field, value) pairs of the Tickets picklists that are inactive.
    inactive: Vec<(String, String)>,
}

impl Db {
    fn id(&mut self) -> i64 {
        self.next_id += 1;
        self.next_id
    }
}

struct Inner {
    creds: Credentials,
    base_url: String,
    db: Mutex<Db>,
    requests: Mutex<Vec<RecordedRequest>>,
    faults: Mutex<VecDeque<PendingFault>>,
    in_flight: Mutex<HashMap<String, usize>>,
    max_in_flight: Mutex<HashMap<String, usize>>,
    latency: Mutex<Duration>,
    page_size: Mutex<usize>,
    thread_limit: usize,
    request_times: Mutex<VecDeque<std::time::Instant>>,
}

/// The data controls, shared by the handle's methods and the `/_fake/` routes.
impl Inner {
    fn rename_company(&self, id: i64, name: &str) {
        let mut db = self.db.lock().unwrap();
        if let Some(c) = db.companies.get_mut(&id) {
            c["companyName"] = json!(name);
            c["lastActivityDate"] = json!(now());
        }
    }

    fn add_time_entry(&self, ticket_id: i64, hours: f64) -> i64 {
        let mut db = self.db.lock().unwrap();
        let id = db.id();
        let now = now();
        db.time_entries.insert(
            id,
            json!({"id": id, "ticketID": ticket_id, "taskID": null, "resourceID": 29682885, "hoursWorked": hours,
                   "hoursToBill": hours, "dateWorked": now, "startDateTime": now, "endDateTime": now,
                   "summaryNotes": "Worked on it", "isNonBillable": false, "createDateTime": now}),
        );
        id
    }

    fn delete_ticket(&self, ticket_id: i64) {
        let mut db = self.db.lock().unwrap();
        if let Some(t) = db.tickets.remove(&ticket_id) {
            let id = db.id();
            db.deleted_ticket_logs.insert(
                id,
                json!({"id": id, "ticketID": ticket_id, "ticketNumber": t["ticketNumber"], "ticketTitle": t["title"],
                       "deletedByResourceID": 29682885, "deletedDateTime": now()}),
            );
        }
    }

    fn set_ticket_status(&self, ticket_id: i64, status: i64) {
        let mut db = self.db.lock().unwrap();
        if let Some(t) = db.tickets.get_mut(&ticket_id) {
            apply_status(t, status);
        }
    }
}

/// A running fake. Dropping the handle stops the server.
pub struct FakeAutotask {
    inner: Arc<Inner>,
    addr: SocketAddr,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Drop for FakeAutotask {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// The ticket picklists of a default tenant: (field, [(value, label)]).
pub const STATUS_NEW: i64 = 1;
pub const STATUS_IN_PROGRESS: i64 = 8;
pub const STATUS_COMPLETE: i64 = 5;
pub const PRIORITY_HIGH: i64 = 1;
pub const PRIORITY_MEDIUM: i64 = 2;
pub const QUEUE_HELPDESK: i64 = 29682833;
pub const SOURCE_MONITORING_ALERT: i64 = 8;

fn picklists() -> Vec<(&'static str, Vec<(i64, &'static str)>)> {
    vec![
        (
            "status",
            vec![
                (1, "New"),
                (5, "Complete"),
                (7, "Waiting Customer"),
                (8, "In Progress"),
                (9, "Waiting Materials"),
                (10, "Dispatched"),
                (12, "Waiting Vendor"),
                (13, "Waiting Approval"),
            ],
        ),
        ("priority", vec![(1, "High"), (2, "Medium"), (3, "Low"), (4, "Critical")]),
        (
            "queueID",
            vec![
                (29682833, "Helpdesk"),
                (29682969, "Level I Support"),
                (29682970, "Level II Support"),
                (29683481, "Monitoring Alert"),
            ],
        ),
        (
            "source",
            vec![
                (-2, "Insourced"),
                (-1, "Client Portal"),
                (1, "Other"),
                (2, "Call"),
                (4, "Email"),
                (8, "Monitoring Alert"),
            ],
        ),
    ]
}

impl FakeAutotask {
    /// Starts on a free loopback port with the default credentials and three companies: 0 (the MSP itself),
    /// "Acme Corp" and "Globex" (ids from [`company_id`](Self::company_id)).
    pub async fn start() -> FakeAutotask {
        Self::start_on(SocketAddr::from(([127, 0, 0, 1], 0)), Credentials::default()).await.expect("bind loopback")
    }

    /// Starts on `addr` (port 0 picks a free one) accepting `creds`.
    pub async fn start_on(addr: SocketAddr, creds: Credentials) -> std::io::Result<FakeAutotask> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let inner = Arc::new(Inner {
            creds,
            base_url: format!("http://{addr}"),
            db: Mutex::new(Db { next_id: 1000, ..Db::default() }),
            requests: Mutex::default(),
            faults: Mutex::default(),
            in_flight: Mutex::default(),
            max_in_flight: Mutex::default(),
            latency: Mutex::new(Duration::ZERO),
            page_size: Mutex::new(500),
            thread_limit: 3,
            request_times: Mutex::default(),
        });
        let app = Router::new().fallback(handle).with_state(inner.clone());
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
        });
        let fake = FakeAutotask { inner, addr, shutdown: Some(tx) };
        fake.seed();
        Ok(fake)
    }

    /// The MSP's own company (id 0) and two customers, "Acme Corp" and "Globex".
    fn seed(&self) {
        let mut db = self.inner.db.lock().unwrap();
        db.companies.insert(0, company_json(0, "Fake MSP B.V.", 8));
        for name in ["Acme Corp", "Globex"] {
            let id = db.id();
            db.companies.insert(id, company_json(id, name, 1));
        }
    }

    /// `http://127.0.0.1:<port>`: where the zone lookup lives (`{base_url}/atservicesrest/v1.0/zoneInformation`).
    pub fn base_url(&self) -> String {
        self.inner.base_url.clone()
    }

    /// The zone URL `zoneInformation` answers: `{base_url}/ATServicesRest/` (trailing slash, like the real one).
    pub fn zone_url(&self) -> String {
        format!("{}/ATServicesRest/", self.inner.base_url)
    }

    /// The zone's web URL (the real one is `https://ww{N}.autotask.net/`): `{base_url}/`.
    pub fn web_url(&self) -> String {
        format!("{}/", self.inner.base_url)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn credentials(&self) -> Credentials {
        self.inner.creds.clone()
    }

    // ---- data controls ----

    /// Adds an active customer company; returns its id.
    pub fn add_company(&self, name: &str) -> i64 {
        let mut db = self.inner.db.lock().unwrap();
        let id = db.id();
        db.companies.insert(id, company_json(id, name, 1));
        id
    }

    /// Ids of the companies named `name` (the seeded "Acme Corp" and "Globex" are there from the start).
    pub fn company_id(&self, name: &str) -> Option<i64> {
        let db = self.inner.db.lock().unwrap();
        db.companies.values().find(|c| c["companyName"] == name).and_then(|c| c["id"].as_i64())
    }

    pub fn rename_company(&self, id: i64, name: &str) {
        self.inner.rename_company(id, name);
    }

    /// Removes the company: `GET Companies/{id}` answers `{"item": null}` from then on.
    pub fn delete_company(&self, id: i64) {
        self.inner.db.lock().unwrap().companies.remove(&id);
    }

    /// Adds a time entry of `hours` to the ticket; returns its id.
    pub fn add_time_entry(&self, ticket_id: i64, hours: f64) -> i64 {
        self.inner.add_time_entry(ticket_id, hours)
    }

    /// Deletes a ticket as a person in Autotask would: it is gone (`{"item": null}`) and a DeletedTicketLog exists.
    pub fn delete_ticket(&self, ticket_id: i64) {
        self.inner.delete_ticket(ticket_id);
    }

    /// Sets a ticket's status as a technician would (e.g. to [`STATUS_COMPLETE`]).
    pub fn set_ticket_status(&self, ticket_id: i64, status: i64) {
        self.inner.set_ticket_status(ticket_id, status);
    }

    /// Marks a Tickets picklist value inactive (e.g. `("queueID", 29682969)`).
    pub fn deactivate_picklist_value(&self, field: &str, value: i64) {
        self.inner.db.lock().unwrap().inactive.push((field.to_string(), value.to_string()));
    }

    /// The stored ticket as Autotask would return it, if it exists.
    pub fn ticket(&self, id: i64) -> Option<Value> {
        self.inner.db.lock().unwrap().tickets.get(&id).cloned()
    }

    /// The notes of a ticket, oldest first.
    pub fn notes(&self, ticket_id: i64) -> Vec<Value> {
        let db = self.inner.db.lock().unwrap();
        db.notes.values().filter(|n| n["ticketID"] == ticket_id).cloned().collect()
    }

    /// Creates `n` tickets directly (not through the API, not recorded) for `company_id`; returns their ids.
    pub fn add_tickets(&self, company_id: i64, n: usize) -> Vec<i64> {
        let mut db = self.inner.db.lock().unwrap();
        (0..n)
            .map(|i| {
                let body = json!({"companyID": company_id, "title": format!("Seeded ticket {i}"), "status": 1,
                                  "priority": 2, "queueID": QUEUE_HELPDESK, "description": "seeded"});
                insert_ticket(&mut db, body.as_object().unwrap().clone())
            })
            .collect()
    }

    // ---- behaviour controls ----

    /// Queues a fault for the next API request (any endpoint).
    pub fn inject(&self, fault: Fault) {
        self.inner.faults.lock().unwrap().push_back(PendingFault { fault, endpoint: None });
    }

    /// Queues a fault for the next request on `endpoint` (case-insensitive): `"Tickets"` matches only
    /// `Tickets` (create, update), `"Tickets/*"` everything under it (`Tickets/query`, `Tickets/12/Notes`...).
    pub fn inject_for(&self, endpoint: &str, fault: Fault) {
        self.inner
            .faults
            .lock()
            .unwrap()
            .push_back(PendingFault { fault, endpoint: Some(endpoint.to_ascii_lowercase()) });
    }

    /// A delay added to every API request (0 by default); makes concurrency visible to the thread limit.
    pub fn set_latency(&self, latency: Duration) {
        *self.inner.latency.lock().unwrap() = latency;
    }

    /// Items per query page (500 by default, like Autotask); set it low to test paging.
    pub fn set_page_size(&self, n: usize) {
        *self.inner.page_size.lock().unwrap() = n.clamp(1, 500);
    }

    // ---- observations ----

    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.inner.requests.lock().unwrap().clone()
    }

    /// How many requests had this method and endpoint (case-insensitive, exact, e.g. `("POST", "Tickets")`).
    pub fn count_requests(&self, method: &str, endpoint: &str) -> usize {
        self.requests()
            .iter()
            .filter(|r| r.method.eq_ignore_ascii_case(method) && r.endpoint.eq_ignore_ascii_case(endpoint))
            .count()
    }

    /// The most requests ever in flight at once on one entity endpoint (e.g. `"Tickets"`, `"TicketNotes"`).
    pub fn max_in_flight(&self, entity: &str) -> usize {
        self.inner.max_in_flight.lock().unwrap().get(&entity.to_ascii_lowercase()).copied().unwrap_or(0)
    }

    pub fn clear_requests(&self) {
        self.inner.requests.lock().unwrap().clear();
    }
}

fn now() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Some Autotask datetimes come without the trailing `Z` (still UTC); notes get this form so clients parse both.
fn now_without_z() -> String {
    Utc::now().format("%Y-%m-%dT%H:%M:%S%.3f").to_string()
}

fn company_json(id: i64, name: &str, company_type: i64) -> Value {
    json!({"id": id, "companyName": name, "companyNumber": format!("C{id}"), "companyType": company_type,
           "isActive": true, "phone": "+31 20 000 0000", "createDate": now(), "lastActivityDate": now()})
}

fn apply_status(t: &mut Value, status: i64) {
    t["status"] = json!(status);
    t["lastActivityDate"] = json!(now());
    t["completedDate"] = if status == STATUS_COMPLETE { json!(now()) } else { Value::Null };
}

fn insert_ticket(db: &mut Db, mut body: Map<String, Value>) -> i64 {
    let id = db.id();
    let day = Utc::now().format("%Y%m%d").to_string();
    let seq = db.ticket_seq.entry(day.clone()).or_insert(0);
    *seq += 1;
    let number = format!("T{day}.{:04}", seq);
    let now = now();
    body.insert("id".into(), json!(id));
    body.insert("ticketNumber".into(), json!(number));
    body.insert("createDate".into(), json!(now));
    body.insert("lastActivityDate".into(), json!(now));
    body.entry("completedDate").or_insert(Value::Null);
    body.entry("description").or_insert(Value::Null);
    body.entry("source").or_insert(Value::Null);
    body.entry("issueType").or_insert(Value::Null);
    body.entry("subIssueType").or_insert(Value::Null);
    body.entry("assignedResourceID").or_insert(Value::Null);
    body.entry("assignedResourceRoleID").or_insert(Value::Null);
    body.entry("ticketType").or_insert(json!(1));
    body.entry("dueDateTime").or_insert(json!(now));
    let mut ticket = Value::Object(body);
    if ticket["status"].as_i64() == Some(STATUS_COMPLETE) {
        ticket["completedDate"] = json!(now);
    }
    db.tickets.insert(id, ticket);
    id
}

// ---- HTTP ----

fn errors(status: StatusCode, messages: &[&str]) -> Response {
    (status, axum::Json(json!({ "errors": messages }))).into_response()
}

fn ok(v: Value) -> Response {
    (StatusCode::OK, axum::Json(v)).into_response()
}

const THREAD_LIMIT_MESSAGE: &str = "Itgenatr005: The thread threshold has been exceeded. More than 3 concurrent \
requests were made to this object endpoint by this integration. Retry the request later.";

/// Maps an endpoint (the part after `v1.0/`) to the entity whose thread limit it counts against.
fn thread_entity(endpoint: &str) -> String {
    let parts: Vec<&str> = endpoint.split('/').filter(|p| !p.is_empty()).collect();
    match parts.as_slice() {
        [parent, id, child, ..] if id.parse::<i64>().is_ok() => {
            // Tickets/{id}/Notes -> TicketNotes
            let singular = parent.strip_suffix('s').unwrap_or(parent);
            format!("{singular}{child}").to_ascii_lowercase()
        }
        [entity, ..] => entity.to_ascii_lowercase(),
        [] => String::new(),
    }
}

struct InFlight {
    inner: Arc<Inner>,
    key: String,
}

impl Drop for InFlight {
    fn drop(&mut self) {
        if let Some(n) = self.inner.in_flight.lock().unwrap().get_mut(&self.key) {
            *n -= 1;
        }
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
    let lower = path.to_ascii_lowercase();
    if lower.starts_with("/_fake/") || lower == "/_fake" {
        return control::control(&inner, &method, &path, &body);
    }
    if lower.starts_with("/autotask/autotaskextend/executecommand.aspx") {
        let q = uri.query().unwrap_or("");
        let html = format!(
            "<!doctype html><title>Fake Autotask</title><p>Fake Autotask ticket page ({q}). \
             The fake has no web UI; see {base}/_fake/state.</p>",
            base = inner.base_url
        );
        return (StatusCode::OK, [("content-type", "text/html; charset=utf-8")], html).into_response();
    }
    let endpoint = match lower.strip_prefix("/atservicesrest/v1.0/") {
        Some(_) => path["/atservicesrest/v1.0/".len()..].to_string(),
        None => {
            record(&inner, &method, &path, "", uri.query(), &body);
            return errors(StatusCode::NOT_FOUND, &["No HTTP resource was found that matches the request URI."]);
        }
    };
    record(&inner, &method, &path, &endpoint, uri.query(), &body);
    // Like a real server, a request runs to its end even when the client gives up (a timed-out create
    // still creates): the work runs in its own task, which a dropped connection does not cancel.
    let task = tokio::spawn(process(inner, method, uri, headers, body, endpoint));
    task.await.unwrap_or_else(|_| errors(StatusCode::INTERNAL_SERVER_ERROR, &["The fake failed."]))
}

async fn process(
    inner: Arc<Inner>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
    endpoint: String,
) -> Response {
    let ep_lower = endpoint.to_ascii_lowercase();

    if ep_lower == "zoneinformation" {
        return api::zone_information(&inner, &method, uri.query());
    }
    let h = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("");
    if h("ApiIntegrationCode") != inner.creds.integration_code
        || !h("UserName").eq_ignore_ascii_case(&inner.creds.username)
        || h("Secret") != inner.creds.secret
    {
        return errors(StatusCode::UNAUTHORIZED, &["Authorization has been denied for this request."]);
    }
    {
        let mut times = inner.request_times.lock().unwrap();
        let now = std::time::Instant::now();
        times.push_back(now);
        while times.front().is_some_and(|t| now.duration_since(*t) > Duration::from_secs(3600)) {
            times.pop_front();
        }
    }

    // The thread limit: count this request in flight on its entity endpoint.
    let key = thread_entity(&endpoint);
    let over = {
        let mut map = inner.in_flight.lock().unwrap();
        let n = map.entry(key.clone()).or_insert(0);
        *n += 1;
        let n = *n;
        let mut max = inner.max_in_flight.lock().unwrap();
        let m = max.entry(key.clone()).or_insert(0);
        *m = (*m).max(n);
        n > inner.thread_limit && ep_lower != "thresholdinformation"
    };
    let _guard = InFlight { inner: inner.clone(), key };

    let fault = {
        let mut faults = inner.faults.lock().unwrap();
        let pos = faults.iter().position(|f| f.endpoint.as_deref().is_none_or(|e| endpoint_matches(e, &ep_lower)));
        pos.and_then(|p| faults.remove(p)).map(|f| f.fault)
    };
    let latency = *inner.latency.lock().unwrap();
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    if over {
        return errors(StatusCode::TOO_MANY_REQUESTS, &[THREAD_LIMIT_MESSAGE]);
    }
    match fault {
        Some(Fault::RateLimited { retry_after_secs }) => {
            let mut resp = errors(
                StatusCode::TOO_MANY_REQUESTS,
                &["Request rate limit exceeded. Please wait before sending more requests."],
            );
            if let Some(s) = retry_after_secs {
                resp.headers_mut().insert("Retry-After", HeaderValue::from_str(&s.to_string()).unwrap());
            }
            return resp;
        }
        Some(Fault::Slow(d)) => tokio::time::sleep(d).await,
        Some(Fault::PermissionDenied) => {
            let entity = endpoint.split('/').next().unwrap_or("");
            return errors(
                StatusCode::INTERNAL_SERVER_ERROR,
                &[&format!(
                    "User does not have permission to access this entity: {entity}. Check the security level of the API user."
                )],
            );
        }
        Some(Fault::Forbidden) => {
            return errors(
                StatusCode::FORBIDDEN,
                &["The API user does not have the security level to perform this action."],
            );
        }
        Some(Fault::ThreadLimit) => return errors(StatusCode::TOO_MANY_REQUESTS, &[THREAD_LIMIT_MESSAGE]),
        None => {}
    }
    api::api(&inner, &method, &endpoint, uri.query(), &body)
}

/// `pattern` is lower-case: an exact endpoint, or a prefix ending in `*`.
fn endpoint_matches(pattern: &str, endpoint_lower: &str) -> bool {
    let endpoint = endpoint_lower.split('?').next().unwrap_or("");
    match pattern.strip_suffix('*') {
        Some(prefix) => endpoint.starts_with(prefix),
        None => endpoint == pattern,
    }
}

fn record(inner: &Inner, method: &Method, path: &str, endpoint: &str, query: Option<&str>, body: &Bytes) {
    let body = if body.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(body).unwrap_or_else(|_| Value::String(String::from_utf8_lossy(body).into_owned()))
    };
    inner.requests.lock().unwrap().push(RecordedRequest {
        method: method.to_string(),
        path: path.to_string(),
        endpoint: endpoint.to_string(),
        query: query.map(str::to_string),
        body,
    });
}

fn query_param(query: Option<&str>, name: &str) -> Option<String> {
    query?.split('&').find_map(|kv| {
        let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
        k.eq_ignore_ascii_case(name).then(|| urlencoding::decode(&v.replace('+', " ")).map(|s| s.into_owned()).ok())?
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn child_paths_count_as_the_child_entity() {
        assert_eq!(thread_entity("Tickets/12/Notes"), "ticketnotes");
        assert_eq!(thread_entity("Tickets/query"), "tickets");
        assert_eq!(thread_entity("Tickets"), "tickets");
        assert_eq!(thread_entity("Companies/5"), "companies");
    }

    #[test]
    fn fault_endpoint_patterns() {
        assert!(endpoint_matches("tickets", "tickets"));
        assert!(!endpoint_matches("tickets", "tickets/query"));
        assert!(endpoint_matches("tickets/*", "tickets/query"));
        assert!(endpoint_matches("companies/*", "companies/1001"));
    }

    #[test]
    fn query_param_decodes() {
        assert_eq!(query_param(Some("user=a%40b.c"), "user").as_deref(), Some("a@b.c"));
        assert_eq!(query_param(Some("x=1"), "user"), None);
    }
}
