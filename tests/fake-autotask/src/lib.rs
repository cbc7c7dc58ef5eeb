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
    /// Starts on a free loopback port with the default credentials and a few companies (see [`seed`](Self::seed)).
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
        return control(&inner, &method, &path, &body);
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
        return zone_information(&inner, &method, uri.query());
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
        Some(Fault::ThreadLimit) => return errors(StatusCode::TOO_MANY_REQUESTS, &[THREAD_LIMIT_MESSAGE]),
        None => {}
    }
    api(&inner, &method, &endpoint, uri.query(), &body)
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

fn zone_information(inner: &Inner, method: &Method, query: Option<&str>) -> Response {
    if method != Method::GET {
        return method_not_allowed(method);
    }
    match query_param(query, "user") {
        Some(u) if u.eq_ignore_ascii_case(&inner.creds.username) => ok(json!({
            "zoneName": "Fake Zone (loopback)",
            "url": format!("{}/ATServicesRest/", inner.base_url),
            "webUrl": format!("{}/", inner.base_url),
            "ci": 0
        })),
        _ => errors(StatusCode::INTERNAL_SERVER_ERROR, &["Zone information could not be determined"]),
    }
}

fn method_not_allowed(method: &Method) -> Response {
    errors(
        StatusCode::METHOD_NOT_ALLOWED,
        &[&format!("The requested resource does not support http method '{method}'.")],
    )
}

fn not_found() -> Response {
    errors(StatusCode::NOT_FOUND, &["No HTTP resource was found that matches the request URI."])
}

fn parse_body(body: &Bytes) -> Result<Value, Response> {
    if body.is_empty() {
        return Err(errors(
            StatusCode::INTERNAL_SERVER_ERROR,
            &["Object reference not set to an instance of an object."],
        ));
    }
    serde_json::from_slice(body)
        .map_err(|e| errors(StatusCode::INTERNAL_SERVER_ERROR, &[&format!("Invalid JSON: {e}")]))
}

fn api(inner: &Inner, method: &Method, endpoint: &str, query: Option<&str>, body: &Bytes) -> Response {
    let parts: Vec<String> = endpoint.split('/').filter(|p| !p.is_empty()).map(|p| p.to_ascii_lowercase()).collect();
    let p: Vec<&str> = parts.iter().map(String::as_str).collect();
    let id_of = |s: &str| s.parse::<i64>().ok();
    match (method.as_str(), p.as_slice()) {
        ("GET", ["thresholdinformation"]) => {
            let n = inner.request_times.lock().unwrap().len();
            ok(json!({"externalRequestThreshold": 10000, "requestThresholdTimeframe": 60,
                      "currentTimeframeRequestCount": n}))
        }
        (_, ["thresholdinformation"]) => method_not_allowed(method),
        ("GET", [entity, "entityinformation", "fields"]) => fields(inner, entity),
        ("GET", [entity, "entityinformation"]) if known_entity(entity) => ok(json!({"info": {
            "name": entity, "canCreate": true, "canDelete": false, "canQuery": true, "canUpdate": true,
            "hasUserDefinedFields": false, "supportsWebhookCallouts": true}})),
        // Query and its paging.
        ("POST", [entity, "query"]) => query_entity(inner, entity, body, None),
        ("POST", [entity, "query", "next"]) => {
            query_entity(inner, entity, body, query_param(query, "paging").as_deref().or(Some("")))
        }
        ("GET", [_, "query", "next"]) => method_not_allowed(method),
        ("POST", [entity, "query", "count"]) => count_entity(inner, entity, body),
        ("GET", ["tickets", id, "notes"]) => match id_of(id) {
            Some(tid) => {
                let db = inner.db.lock().unwrap();
                let items: Vec<Value> = db.notes.values().filter(|n| n["ticketID"] == tid).cloned().collect();
                ok(page_json(items, None, 500))
            }
            None => not_found(),
        },
        ("POST", ["tickets", id, "notes"]) => match id_of(id) {
            Some(tid) => create_note(inner, tid, body),
            None => not_found(),
        },
        ("GET", [entity, id]) if known_entity(entity) => match id_of(id) {
            Some(id) => {
                let db = inner.db.lock().unwrap();
                let item = collection(&db, entity).and_then(|c| c.get(&id)).cloned().unwrap_or(Value::Null);
                ok(json!({ "item": item }))
            }
            None => errors(StatusCode::INTERNAL_SERVER_ERROR, &[&format!("The value '{id}' is not valid.")]),
        },
        ("POST", ["tickets"]) => create_ticket(inner, body),
        ("PATCH", ["tickets"]) => update_ticket(inner, body),
        ("POST", ["ticketnotes"]) => not_found(),
        (_, [entity, ..]) if known_entity(entity) => method_not_allowed(method),
        _ => not_found(),
    }
}

fn known_entity(e: &str) -> bool {
    matches!(e, "companies" | "tickets" | "ticketnotes" | "timeentries" | "deletedticketlogs")
}

fn collection<'a>(db: &'a Db, entity: &str) -> Option<&'a BTreeMap<i64, Value>> {
    Some(match entity {
        "companies" => &db.companies,
        "tickets" => &db.tickets,
        "ticketnotes" => &db.notes,
        "timeentries" => &db.time_entries,
        "deletedticketlogs" => &db.deleted_ticket_logs,
        _ => return None,
    })
}

fn page_json(items: Vec<Value>, next: Option<String>, request_count: usize) -> Value {
    let n = items.len();
    json!({"items": items, "pageDetails": {"count": n, "requestCount": request_count, "prevPageUrl": null,
                                          "nextPageUrl": next}})
}

/// Reads `filter` (or `Filter`) of a query body; Autotask refuses a query without one.
fn body_filter(body: &Value) -> Result<Vec<Value>, Response> {
    let f = body.get("filter").or_else(|| body.get("Filter"));
    match f {
        Some(Value::Array(items)) if !items.is_empty() => Ok(items.clone()),
        _ => Err(errors(StatusCode::INTERNAL_SERVER_ERROR, &["A query must contain at least one filter item."])),
    }
}

fn filtered(inner: &Inner, entity: &str, body: &Bytes) -> Result<Vec<Value>, Response> {
    let body = parse_body(body)?;
    let filter = body_filter(&body)?;
    for f in &filter {
        filter::validate(f).map_err(|m| errors(StatusCode::INTERNAL_SERVER_ERROR, &[&m]))?;
    }
    let db = inner.db.lock().unwrap();
    let coll = collection(&db, entity).ok_or_else(not_found)?;
    Ok(coll.values().filter(|item| filter.iter().all(|f| filter::matches(f, item))).cloned().collect())
}

fn query_entity(inner: &Inner, entity: &str, body: &Bytes, paging: Option<&str>) -> Response {
    let all = match filtered(inner, entity, body) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let parsed: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let page_size = *inner.page_size.lock().unwrap();
    let max_records =
        parsed.get("MaxRecords").or_else(|| parsed.get("maxRecords")).and_then(Value::as_u64).map(|m| m as usize);
    let size = max_records.unwrap_or(page_size).clamp(1, page_size);
    let (after, previous): (i64, Vec<i64>) = match paging {
        None => (i64::MIN, vec![-1]),
        Some(p) => match serde_json::from_str::<Value>(p) {
            Ok(v) => {
                let next = v["nextIds"].get(0).and_then(Value::as_i64);
                let prev = v["previousIds"].as_array().map(|a| a.iter().filter_map(Value::as_i64).collect());
                match (next, prev) {
                    (Some(n), Some(prev)) => (n - 1, prev),
                    _ => return errors(StatusCode::INTERNAL_SERVER_ERROR, &["Invalid paging parameter."]),
                }
            }
            Err(_) => return errors(StatusCode::INTERNAL_SERVER_ERROR, &["Invalid paging parameter."]),
        },
    };
    let rest: Vec<Value> = all.into_iter().filter(|v| v["id"].as_i64().unwrap_or(0) > after).collect();
    let has_more = rest.len() > size;
    let mut items: Vec<Value> = rest.into_iter().take(size).collect();
    let next = if has_more {
        let last = items.last().and_then(|v| v["id"].as_i64()).unwrap_or(0);
        let first = items.first().and_then(|v| v["id"].as_i64()).unwrap_or(0);
        let mut prev = previous;
        prev.push(first);
        let paging = json!({"pageSize": size, "previousIds": prev, "nextIds": [last + 1]}).to_string();
        let entity_name = entity_display(entity);
        Some(format!(
            "{}/ATServicesRest/V1.0/{entity_name}/query/next?paging={}",
            inner.base_url,
            urlencoding::encode(&paging)
        ))
    } else {
        None
    };
    if let Some(fields) = parsed.get("IncludeFields").or_else(|| parsed.get("includeFields")).and_then(Value::as_array)
        && !fields.is_empty()
    {
        let wanted: Vec<String> = fields.iter().filter_map(Value::as_str).map(str::to_ascii_lowercase).collect();
        for item in &mut items {
            if let Value::Object(m) = item {
                m.retain(|k, _| k == "id" || wanted.contains(&k.to_ascii_lowercase()));
            }
        }
    }
    ok(page_json(items, next, size))
}

fn entity_display(entity: &str) -> &'static str {
    match entity {
        "companies" => "Companies",
        "tickets" => "Tickets",
        "ticketnotes" => "TicketNotes",
        "timeentries" => "TimeEntries",
        _ => "DeletedTicketLogs",
    }
}

fn count_entity(inner: &Inner, entity: &str, body: &Bytes) -> Response {
    match filtered(inner, entity, body) {
        Ok(v) => ok(json!({ "queryCount": v.len() })),
        Err(r) => r,
    }
}

fn fields(inner: &Inner, entity: &str) -> Response {
    if entity != "tickets" {
        if known_entity(entity) {
            return ok(json!({"fields": [{"name": "id", "dataType": "long", "isRequired": true, "isReadOnly": true,
                                          "isPickList": false, "picklistValues": null}]}));
        }
        return not_found();
    }
    let db = inner.db.lock().unwrap();
    let mut out = vec![
        plain_field("id", "long", true, true),
        plain_field("ticketNumber", "string", false, true),
        plain_field("companyID", "integer", true, false),
        plain_field("title", "string", true, false),
        plain_field("description", "string", false, false),
        plain_field("createDate", "datetime", false, true),
        plain_field("completedDate", "datetime", false, true),
        plain_field("dueDateTime", "datetime", true, false),
    ];
    for (name, values) in picklists() {
        let required = matches!(name, "status" | "priority");
        let list: Vec<Value> = values
            .iter()
            .enumerate()
            .map(|(i, (v, label))| {
                let value = v.to_string();
                let active = !db.inactive.iter().any(|(f, iv)| f.eq_ignore_ascii_case(name) && *iv == value);
                let default = (name == "status" && *v == STATUS_NEW) || (name == "priority" && *v == PRIORITY_MEDIUM);
                json!({"value": value, "label": label, "isDefaultValue": default, "sortOrder": i,
                       "parentValue": "", "isActive": active, "isSystem": name == "status" && (*v == 1 || *v == 5)})
            })
            .collect();
        out.push(json!({"name": name, "dataType": "integer", "length": 0, "isRequired": required,
                        "isReadOnly": false, "isQueryable": true, "isReference": false, "referenceEntityType": "",
                        "isPickList": true, "picklistValues": list, "picklistParentValueField": "",
                        "isSupportedWebhookField": true}));
    }
    ok(json!({ "fields": out }))
}

fn plain_field(name: &str, data_type: &str, required: bool, read_only: bool) -> Value {
    json!({"name": name, "dataType": data_type, "length": 0, "isRequired": required, "isReadOnly": read_only,
           "isQueryable": true, "isReference": name == "companyID",
           "referenceEntityType": if name == "companyID" { "Company" } else { "" },
           "isPickList": false, "picklistValues": null, "picklistParentValueField": "", "isSupportedWebhookField": true})
}

fn validation(msg: &str) -> Response {
    errors(StatusCode::INTERNAL_SERVER_ERROR, &[msg])
}

/// Checks a picklist value: it must exist, and (on create or change) be active.
fn check_picklist(db: &Db, field: &str, value: &Value) -> Result<(), Response> {
    let Some((_, values)) = picklists().into_iter().find(|(n, _)| *n == field) else { return Ok(()) };
    let Some(v) = value.as_i64() else {
        return Err(validation(&format!("Value for field {field} must be an integer.")));
    };
    if !values.iter().any(|(pv, _)| *pv == v) {
        return Err(validation(&format!("Invalid value for picklist field {field}: {v}.")));
    }
    if db.inactive.iter().any(|(f, iv)| f == field && *iv == v.to_string()) {
        return Err(validation(&format!("Value {v} of picklist field {field} is inactive.")));
    }
    Ok(())
}

fn create_ticket(inner: &Inner, body: &Bytes) -> Response {
    let v = match parse_body(body) {
        Ok(Value::Object(m)) => m,
        Ok(_) => return validation("The request body must be a JSON object."),
        Err(r) => return r,
    };
    let get = |k: &str| v.iter().find(|(key, _)| key.eq_ignore_ascii_case(k)).map(|(_, v)| v.clone());
    let present = |k: &str| get(k).is_some_and(|v| !v.is_null() && v != "");
    for f in ["companyID", "title", "status", "priority"] {
        if !present(f) {
            return validation(&format!("Missing Required Field: {f}"));
        }
    }
    let has_resource = present("assignedResourceID") && present("assignedResourceRoleID");
    if !present("queueID") && !has_resource {
        return validation(
            "assignedResourceID, assignedResourceRoleID, and queueID cannot all be empty. Supply a queueID or both \
             an assignedResourceID and assignedResourceRoleID.",
        );
    }
    let mut db = inner.db.lock().unwrap();
    let company = get("companyID").and_then(|c| c.as_i64());
    if !company.is_some_and(|c| db.companies.contains_key(&c)) {
        return validation("Reference value on field: companyID of type: Company does not exist or is invalid.");
    }
    for f in ["status", "priority", "queueID", "source"] {
        if let Some(val) = get(f).filter(|v| !v.is_null())
            && let Err(r) = check_picklist(&db, f, &val)
        {
            return r;
        }
    }
    if get("title").and_then(|t| t.as_str().map(str::len)).unwrap_or(0) > 255 {
        return validation("Value for field title exceeds the maximum length of 255.");
    }
    if get("description").and_then(|t| t.as_str().map(str::len)).unwrap_or(0) > 8000 {
        return validation("Value for field description exceeds the maximum length of 8000.");
    }
    // Store with Autotask's field casing for the ones we know.
    let mut stored = Map::new();
    for (k, val) in v {
        let canonical = ["companyID", "queueID", "assignedResourceID", "assignedResourceRoleID", "dueDateTime"]
            .into_iter()
            .find(|c| c.eq_ignore_ascii_case(&k))
            .map(str::to_string)
            .unwrap_or(k);
        stored.insert(canonical, val);
    }
    stored.remove("id");
    let id = insert_ticket(&mut db, stored);
    ok(json!({ "itemId": id }))
}

fn update_ticket(inner: &Inner, body: &Bytes) -> Response {
    let v = match parse_body(body) {
        Ok(Value::Object(m)) => m,
        Ok(_) => return validation("The request body must be a JSON object."),
        Err(r) => return r,
    };
    let Some(id) = v.get("id").and_then(Value::as_i64) else { return validation("Missing Required Field: id") };
    let mut db = inner.db.lock().unwrap();
    if !db.tickets.contains_key(&id) {
        return validation(&format!("Ticket with id {id} does not exist or is not accessible."));
    }
    for (k, val) in &v {
        if ["status", "priority", "queueID", "source"].contains(&k.as_str())
            && let Err(r) = check_picklist(&db, k, val)
        {
            return r;
        }
        if ["ticketNumber", "createDate", "completedDate"].iter().any(|r| r.eq_ignore_ascii_case(k)) {
            return validation(&format!("Field {k} is read-only."));
        }
    }
    let t = db.tickets.get_mut(&id).unwrap();
    for (k, val) in v {
        if k == "id" {
            continue;
        }
        if k == "status" {
            apply_status(t, val.as_i64().unwrap_or(0));
        } else {
            t[k.as_str()] = val;
        }
    }
    t["lastActivityDate"] = json!(now());
    ok(json!({ "itemId": id }))
}

fn create_note(inner: &Inner, ticket_id: i64, body: &Bytes) -> Response {
    let v = match parse_body(body) {
        Ok(Value::Object(m)) => m,
        Ok(_) => return validation("The request body must be a JSON object."),
        Err(r) => return r,
    };
    for f in ["title", "description", "noteType", "publish"] {
        if v.get(f).is_none_or(|x| x.is_null() || x == "") {
            return validation(&format!("Missing Required Field: {f}"));
        }
    }
    if v["description"].as_str().map(str::len).unwrap_or(0) > 32000 {
        return validation("Value for field description exceeds the maximum length of 32000.");
    }
    if !matches!(v["publish"].as_i64(), Some(1 | 2 | 4)) {
        return validation("Invalid value for picklist field publish.");
    }
    let mut db = inner.db.lock().unwrap();
    if !db.tickets.contains_key(&ticket_id) {
        return validation(&format!("Parent Ticket with id {ticket_id} does not exist or is not accessible."));
    }
    let id = db.id();
    let mut note = v;
    note.insert("id".into(), json!(id));
    note.insert("ticketID".into(), json!(ticket_id));
    note.insert("createDateTime".into(), json!(now_without_z()));
    note.insert("lastActivityDate".into(), json!(now()));
    note.insert("creatorResourceID".into(), Value::Null);
    db.notes.insert(id, Value::Object(note));
    if let Some(t) = db.tickets.get_mut(&ticket_id) {
        t["lastActivityDate"] = json!(now());
    }
    ok(json!({ "itemId": id }))
}

// ---- the control API for a person (and for tests that prefer HTTP) ----

fn control(inner: &Arc<Inner>, method: &Method, path: &str, body: &Bytes) -> Response {
    let parts: Vec<&str> = path.trim_start_matches("/_fake").split('/').filter(|p| !p.is_empty()).collect();
    let body: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let fake = inner;
    let id = |s: &str| s.parse::<i64>().ok();
    match (method.as_str(), parts.as_slice()) {
        ("GET", ["state"]) => {
            let db = inner.db.lock().unwrap();
            let vals = |m: &BTreeMap<i64, Value>| m.values().cloned().collect::<Vec<_>>();
            ok(json!({"companies": vals(&db.companies), "tickets": vals(&db.tickets), "notes": vals(&db.notes),
                      "timeEntries": vals(&db.time_entries), "deletedTicketLogs": vals(&db.deleted_ticket_logs)}))
        }
        ("GET", ["requests"]) => {
            let reqs = inner.requests.lock().unwrap();
            let list: Vec<Value> = reqs
                .iter()
                .map(|r| json!({"method": r.method, "path": r.path, "query": r.query, "body": r.body}))
                .collect();
            ok(json!(list))
        }
        ("POST", ["companies"]) => match body["name"].as_str() {
            Some(n) => {
                let mut db = inner.db.lock().unwrap();
                let id = db.id();
                db.companies.insert(id, company_json(id, n, 1));
                ok(json!({"itemId": id}))
            }
            None => validation("name required"),
        },
        ("POST", ["companies", cid, "rename"]) => match (id(cid), body["name"].as_str()) {
            (Some(c), Some(n)) => {
                fake.rename_company(c, n);
                ok(json!({"itemId": c}))
            }
            _ => validation("name required"),
        },
        ("DELETE", ["companies", cid]) => match id(cid) {
            Some(c) => {
                inner.db.lock().unwrap().companies.remove(&c);
                ok(json!({"itemId": c}))
            }
            None => not_found(),
        },
        ("DELETE", ["tickets", tid]) => match id(tid) {
            Some(t) => {
                fake.delete_ticket(t);
                ok(json!({"itemId": t}))
            }
            None => not_found(),
        },
        ("POST", ["tickets", tid, "status"]) => match (id(tid), body["status"].as_i64()) {
            (Some(t), Some(s)) => {
                fake.set_ticket_status(t, s);
                ok(json!({"itemId": t}))
            }
            _ => validation("status required"),
        },
        ("POST", ["tickets", tid, "time-entries"]) => match id(tid) {
            Some(t) => ok(json!({"itemId": fake.add_time_entry(t, body["hours"].as_f64().unwrap_or(1.0))})),
            None => not_found(),
        },
        ("POST", ["picklists", field, value, "deactivate"]) => match id(value) {
            Some(v) => {
                inner.db.lock().unwrap().inactive.push((field.to_string(), v.to_string()));
                ok(json!({}))
            }
            None => not_found(),
        },
        ("POST", ["faults"]) => {
            let fault = match body["kind"].as_str() {
                Some("rate-limited") => Fault::RateLimited { retry_after_secs: body["retryAfter"].as_u64() },
                Some("slow") => Fault::Slow(Duration::from_millis(body["millis"].as_u64().unwrap_or(60_000))),
                Some("permission") => Fault::PermissionDenied,
                Some("thread-limit") => Fault::ThreadLimit,
                _ => return validation("kind: rate-limited | slow | permission | thread-limit"),
            };
            let endpoint = body["endpoint"].as_str().map(str::to_ascii_lowercase);
            inner.faults.lock().unwrap().push_back(PendingFault { fault, endpoint });
            ok(json!({}))
        }
        _ => not_found(),
    }
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
