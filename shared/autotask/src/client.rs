//! The HTTP side: configuration, zone discovery, auth headers, limits, retries, envelopes and typed calls.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tokio::sync::Semaphore;

use crate::budget::RequestBudget;
use crate::entities::{path, *};
use crate::error::{AutotaskError, Result};
use crate::query::{Filter, Query};

/// Where the zone of an API user is asked (`{this}v1.0/zoneInformation?user=`). Any zone answers for any user;
/// a sandbox API user gets its sandbox zone, so Sandbox vs Production needs no other setting.
pub const DEFAULT_ZONE_LOOKUP_URL: &str = "https://webservices2.autotask.net/atservicesrest/";

/// How to reach one Autotask tenant.
#[derive(Clone)]
pub struct Config {
    /// The API user (an API-only resource in Autotask), e.g. `abc123@example.com`.
    pub username: String,
    pub secret: String,
    /// The tracking identifier of the integration; sent as `ApiIntegrationCode`.
    pub integration_code: String,
    /// Where zone discovery asks ([`DEFAULT_ZONE_LOOKUP_URL`]; tests point it at the fake's `base_url()/atservicesrest/`).
    pub zone_lookup_url: String,
    /// Skip discovery and use this zone URL (`https://webservices{N}.autotask.net/ATServicesRest/`).
    pub zone_url: Option<String>,
    /// Per request, from sending to the last byte of the answer. Default 30 s.
    pub timeout: Duration,
    /// How often a 429 (rate or thread limit) is retried before [`AutotaskError::RateLimited`] /
    /// [`AutotaskError::ThreadLimit`] is returned. Default 3.
    pub max_rate_limit_retries: u32,
    /// The longest `Retry-After` the client waits for; a longer one is returned as `RateLimited` at once so the
    /// task queue can retry later instead of holding a worker. Default 30 s.
    pub max_retry_wait: Duration,
    /// Requests in flight per entity endpoint. Autotask allows 3 per integration code; keep it at 3 or lower.
    pub threads_per_endpoint: usize,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("username", &self.username)
            .field("secret", &"***")
            .field("integration_code", &"***")
            .field("zone_lookup_url", &self.zone_lookup_url)
            .field("zone_url", &self.zone_url)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl Config {
    pub fn new(username: impl Into<String>, secret: impl Into<String>, integration_code: impl Into<String>) -> Config {
        Config {
            username: username.into(),
            secret: secret.into(),
            integration_code: integration_code.into(),
            zone_lookup_url: DEFAULT_ZONE_LOOKUP_URL.into(),
            zone_url: None,
            timeout: Duration::from_secs(30),
            max_rate_limit_retries: 3,
            max_retry_wait: Duration::from_secs(30),
            threads_per_endpoint: 3,
        }
    }

    /// Discovery at `base` instead of Autotask's: `base` is a host root like `http://127.0.0.1:8089`
    /// (`/atservicesrest/` is appended) or already ends in `/atservicesrest/`.
    pub fn with_zone_lookup(mut self, base: &str) -> Config {
        let b = base.trim_end_matches('/');
        self.zone_lookup_url = if b.to_ascii_lowercase().ends_with("/atservicesrest") {
            format!("{b}/")
        } else {
            format!("{b}/atservicesrest/")
        };
        self
    }

    pub fn with_zone_url(mut self, zone_url: &str) -> Config {
        self.zone_url = Some(zone_url.to_string());
        self
    }

    pub fn with_timeout(mut self, timeout: Duration) -> Config {
        self.timeout = timeout;
        self
    }
}

/// `GET zoneInformation`: where the tenant's API and web UI live.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ZoneInfo {
    #[serde(default)]
    pub zone_name: Option<String>,
    /// `https://webservices{N}.autotask.net/ATServicesRest/`.
    pub url: String,
    /// `https://ww{N}.autotask.net/`.
    #[serde(default)]
    pub web_url: Option<String>,
    #[serde(default)]
    pub ci: Option<i64>,
}

impl ZoneInfo {
    /// The zone from a known URL (no discovery); the web URL is derived from it.
    pub fn from_url(url: &str) -> ZoneInfo {
        ZoneInfo { zone_name: None, url: url.to_string(), web_url: web_url_from_zone_url(url), ci: None }
    }

    /// The web UI root: `webUrl`, or derived from the API URL (`webservices{N}` -> `ww{N}`).
    pub fn web_root(&self) -> Option<String> {
        self.web_url.clone().filter(|w| !w.is_empty()).or_else(|| web_url_from_zone_url(&self.url))
    }
}

/// `https://webservices5.autotask.net/ATServicesRest/` -> `https://ww5.autotask.net/`; `None` when the host does
/// not have that form.
pub fn web_url_from_zone_url(zone_url: &str) -> Option<String> {
    let (scheme, rest) = zone_url.split_once("://")?;
    let host = rest.split('/').next()?;
    let n = host.strip_prefix("webservices")?;
    let (digits, domain) = n.split_once('.')?;
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    Some(format!("{scheme}://ww{digits}.{domain}/"))
}

/// The browser link that opens a ticket: `{web root}Autotask/AutotaskExtend/ExecuteCommand.aspx?Code=OpenTicketDetail&TicketID={id}`.
pub fn ticket_web_url(web_root: &str, ticket_id: i64) -> String {
    format!(
        "{}/Autotask/AutotaskExtend/ExecuteCommand.aspx?Code=OpenTicketDetail&TicketID={ticket_id}",
        web_root.trim_end_matches('/')
    )
}

/// The Autotask client. Cheap to clone (shares its connection pool, semaphores and budget).
#[derive(Clone)]
pub struct AutotaskClient {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    cfg: Config,
    zone: ZoneInfo,
    /// `{zone url}V1.0/`.
    api_base: String,
    endpoints: Mutex<HashMap<String, Arc<Semaphore>>>,
    budget: Arc<dyn RequestBudget>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PageDetails {
    #[serde(default)]
    next_page_url: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Page<T> {
    #[serde(default = "Vec::new")]
    items: Vec<T>,
    #[serde(default)]
    page_details: Option<PageDetails>,
}

fn http_client(timeout: Duration) -> Result<reqwest::Client> {
    reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout.min(Duration::from_secs(10)))
        .build()
        .map_err(|e| AutotaskError::Transport(e.to_string()))
}

fn transport(e: reqwest::Error) -> AutotaskError {
    if e.is_timeout() { AutotaskError::Timeout } else { AutotaskError::Transport(e.to_string()) }
}

/// The semaphore key of an endpoint: the entity, where a child path counts as the child entity
/// (`Tickets/12/Notes` -> `TicketNotes`).
fn endpoint_key(endpoint: &str) -> String {
    let parts: Vec<&str> = endpoint.split(['/', '?']).filter(|p| !p.is_empty()).collect();
    match parts.as_slice() {
        [parent, id, child, ..] if id.parse::<i64>().is_ok() => {
            format!("{}{}", parent.strip_suffix('s').unwrap_or(parent), child).to_ascii_lowercase()
        }
        [entity, ..] => entity.to_ascii_lowercase(),
        [] => String::new(),
    }
}

/// `Retry-After`: seconds or an HTTP date.
fn parse_retry_after(v: &str) -> Option<Duration> {
    let v = v.trim();
    if let Ok(s) = v.parse::<u64>() {
        return Some(Duration::from_secs(s));
    }
    let when = chrono::DateTime::parse_from_rfc2822(v).ok()?;
    let secs = (when.with_timezone(&chrono::Utc) - chrono::Utc::now()).num_milliseconds().max(0) as u64;
    Some(Duration::from_millis(secs))
}

fn error_messages(body: &str) -> Vec<String> {
    let Ok(v) = serde_json::from_str::<Value>(body) else { return Vec::new() };
    let list = v.get("errors").or_else(|| v.get("Errors")).and_then(Value::as_array).cloned().unwrap_or_default();
    list.into_iter()
        .filter_map(|e| match e {
            Value::String(s) => Some(s),
            Value::Object(o) => o.get("message").and_then(Value::as_str).map(str::to_string),
            _ => None,
        })
        .collect()
}

fn is_thread_limit(messages: &[String], body: &str) -> bool {
    let b = body.to_ascii_lowercase();
    b.contains("itgenatr005") || messages.iter().any(|m| m.to_ascii_lowercase().contains("thread threshold"))
}

/// Maps a non-success answer to an error (429s are handled by the retry loop first).
fn classify(status: StatusCode, body: &str) -> AutotaskError {
    let messages = error_messages(body);
    let joined = if messages.is_empty() { body.chars().take(500).collect() } else { messages.join("; ") };
    if is_thread_limit(&messages, body) {
        return AutotaskError::ThreadLimit;
    }
    match status.as_u16() {
        401 => AutotaskError::Unauthorized,
        403 => AutotaskError::Forbidden(joined),
        429 => AutotaskError::RateLimited { retry_after: None },
        500 if joined.to_ascii_lowercase().contains("permission") => AutotaskError::Forbidden(joined),
        500 if !messages.is_empty() => AutotaskError::Validation(joined),
        s => AutotaskError::Unexpected { status: s, message: joined },
    }
}

fn decode<T: DeserializeOwned>(v: Value) -> Result<T> {
    serde_json::from_value(v).map_err(|e| AutotaskError::Unexpected { status: 200, message: format!("bad body: {e}") })
}

impl AutotaskClient {
    /// Asks Autotask which zone the API user lives in (`GET zoneInformation?user=`; no credentials, not
    /// thread-limited, not counted against the budget). An unknown user answers 500: reported as `Unauthorized`.
    pub async fn discover_zone(cfg: &Config) -> Result<ZoneInfo> {
        let http = http_client(cfg.timeout)?;
        let url = format!("{}v1.0/zoneInformation?user={}", cfg.zone_lookup_url, urlencoding::encode(&cfg.username));
        let resp = http.get(url).send().await.map_err(transport)?;
        let status = resp.status();
        let body = resp.text().await.map_err(transport)?;
        if status.is_success() {
            let zone: ZoneInfo = serde_json::from_str(&body)
                .map_err(|e| AutotaskError::Unexpected { status: status.as_u16(), message: e.to_string() })?;
            return Ok(zone);
        }
        match status.as_u16() {
            // Autotask answers an unknown or blank user with 500.
            500 | 401 | 404 => Err(AutotaskError::Unauthorized),
            _ => Err(classify(status, &body)),
        }
    }

    /// The zone from `cfg.zone_url`, or discovered; then a client for it.
    pub async fn connect(cfg: Config, budget: Arc<dyn RequestBudget>) -> Result<AutotaskClient> {
        let zone = match &cfg.zone_url {
            Some(u) => ZoneInfo::from_url(u),
            None => Self::discover_zone(&cfg).await?,
        };
        Self::new(cfg, zone, budget)
    }

    /// A client for a known zone (cache the [`ZoneInfo`] and skip discovery on later runs).
    pub fn new(cfg: Config, zone: ZoneInfo, budget: Arc<dyn RequestBudget>) -> Result<AutotaskClient> {
        let http = http_client(cfg.timeout)?;
        let api_base = format!("{}/V1.0/", zone.url.trim_end_matches('/'));
        Ok(AutotaskClient {
            inner: Arc::new(Inner { http, cfg, zone, api_base, endpoints: Mutex::new(HashMap::new()), budget }),
        })
    }

    pub fn zone(&self) -> &ZoneInfo {
        &self.inner.zone
    }

    /// The browser link of a ticket, when the zone's web URL is known.
    pub fn ticket_url(&self, ticket_id: i64) -> Option<String> {
        self.inner.zone.web_root().map(|w| ticket_web_url(&w, ticket_id))
    }

    fn semaphore(&self, key: &str) -> Arc<Semaphore> {
        let mut map = self.inner.endpoints.lock().unwrap();
        map.entry(key.to_string())
            .or_insert_with(|| Arc::new(Semaphore::new(self.inner.cfg.threads_per_endpoint.max(1))))
            .clone()
    }

    /// Resolves an endpoint or a `nextPageUrl` against this zone. Only the part after `V1.0/` of a page URL is
    /// used, so a page URL can never send the credentials to another host.
    fn url(&self, endpoint: &str) -> String {
        let lower = endpoint.to_ascii_lowercase();
        let rel = match lower.find("v1.0/") {
            Some(i) => &endpoint[i + 5..],
            None => endpoint.trim_start_matches('/'),
        };
        format!("{}{}", self.inner.api_base, rel)
    }

    /// One call with the limits: budget, per-endpoint semaphore, timeout, bounded 429 retries.
    async fn call(&self, method: Method, endpoint: &str, body: Option<&Value>) -> Result<Value> {
        let cfg = &self.inner.cfg;
        let url = self.url(endpoint);
        let rel = url[self.inner.api_base.len()..].to_string();
        let sem = self.semaphore(&endpoint_key(&rel));
        let mut attempt = 0u32;
        loop {
            if !self.inner.budget.try_take().await {
                return Err(AutotaskError::BudgetExhausted);
            }
            let permit = sem.clone().acquire_owned().await.expect("semaphore never closed");
            let mut req = self
                .inner
                .http
                .request(method.clone(), &url)
                .header("ApiIntegrationCode", &cfg.integration_code)
                .header("UserName", &cfg.username)
                .header("Secret", &cfg.secret)
                .header("Accept", "application/json");
            if let Some(b) = body {
                req = req.json(b);
            }
            let resp = req.send().await.map_err(transport)?;
            let status = resp.status();
            let retry_after =
                resp.headers().get("Retry-After").and_then(|v| v.to_str().ok()).and_then(parse_retry_after);
            let text = resp.text().await.map_err(transport)?;
            drop(permit);
            tracing::debug!(%method, endpoint = %rel, status = status.as_u16(), attempt, "autotask call");
            if status.is_success() {
                if text.trim().is_empty() {
                    return Ok(Value::Null);
                }
                return serde_json::from_str(&text).map_err(|e| AutotaskError::Unexpected {
                    status: status.as_u16(),
                    message: format!("not JSON: {e}"),
                });
            }
            let err = classify(status, &text);
            let retryable = matches!(err, AutotaskError::RateLimited { .. } | AutotaskError::ThreadLimit);
            if !retryable {
                return Err(err);
            }
            // Without Retry-After: 1 s, 2 s, 4 s ... for the rate limit; 250 ms steps for the thread limit.
            let wait = retry_after.unwrap_or_else(|| match err {
                AutotaskError::ThreadLimit => Duration::from_millis(250 * (attempt as u64 + 1)),
                _ => Duration::from_secs(1 << attempt.min(5)),
            });
            if attempt >= cfg.max_rate_limit_retries || wait > cfg.max_retry_wait {
                return Err(match err {
                    AutotaskError::ThreadLimit => AutotaskError::ThreadLimit,
                    _ => AutotaskError::RateLimited { retry_after },
                });
            }
            tracing::info!(endpoint = %rel, ?wait, attempt, "autotask limit hit; waiting before retrying");
            tokio::time::sleep(wait).await;
            attempt += 1;
        }
    }

    // ---- generic, by entity path ----

    /// `GET {entity}/{id}`; `{"item": null}` is [`AutotaskError::NotFound`].
    pub async fn get<T: DeserializeOwned>(&self, entity: &'static str, id: i64) -> Result<T> {
        let v = self.call(Method::GET, &format!("{entity}/{id}"), None).await?;
        match v.get("item") {
            Some(Value::Null) | None => Err(AutotaskError::NotFound { entity, id }),
            Some(item) => decode(item.clone()),
        }
    }

    /// `POST {entity}/query`, then every `nextPageUrl` POSTed with the same body, until there is none.
    /// Stops after `max_items` (to bound a runaway query); `None`: no bound.
    pub async fn query<T: DeserializeOwned>(&self, entity: &str, query: &Query) -> Result<Vec<T>> {
        self.query_bounded(entity, query, None).await
    }

    pub async fn query_bounded<T: DeserializeOwned>(
        &self,
        entity: &str,
        query: &Query,
        max_items: Option<usize>,
    ) -> Result<Vec<T>> {
        let body = query.body();
        let mut out = Vec::new();
        let mut next = Some(format!("{entity}/query"));
        while let Some(endpoint) = next.take() {
            let v = self.call(Method::POST, &endpoint, Some(&body)).await?;
            let page: Page<T> = decode(v)?;
            out.extend(page.items);
            if max_items.is_some_and(|m| out.len() >= m) {
                out.truncate(max_items.unwrap());
                break;
            }
            next = page.page_details.and_then(|p| p.next_page_url).filter(|u| !u.is_empty());
        }
        Ok(out)
    }

    /// `POST {entity}/query/count` -> `queryCount`.
    pub async fn count(&self, entity: &str, query: &Query) -> Result<u64> {
        let v = self.call(Method::POST, &format!("{entity}/query/count"), Some(&query.body())).await?;
        v.get("queryCount")
            .and_then(Value::as_u64)
            .ok_or_else(|| AutotaskError::Unexpected { status: 200, message: "no queryCount in the answer".into() })
    }

    /// `POST {endpoint}` (an entity, or a child path like `Tickets/12/Notes`) -> the new `itemId`.
    pub async fn create<B: Serialize>(&self, endpoint: &str, body: &B) -> Result<i64> {
        let body =
            serde_json::to_value(body).map_err(|e| AutotaskError::Unexpected { status: 0, message: e.to_string() })?;
        let v = self.call(Method::POST, endpoint, Some(&body)).await?;
        item_id(&v)
    }

    /// `PATCH {entity}` with `{"id": id, ...fields}`: only the given fields change.
    pub async fn patch(&self, entity: &str, id: i64, fields: Value) -> Result<i64> {
        let mut body = fields;
        body["id"] = json!(id);
        let v = self.call(Method::PATCH, entity, Some(&body)).await?;
        item_id(&v)
    }

    // ---- typed ----

    pub async fn company(&self, id: i64) -> Result<Company> {
        self.get(path::COMPANIES, id).await
    }

    pub async fn companies(&self, query: &Query) -> Result<Vec<Company>> {
        self.query(path::COMPANIES, query).await
    }

    /// Active companies whose name contains `text` (the mapping picker in Customers).
    pub async fn search_companies(&self, text: &str) -> Result<Vec<Company>> {
        self.companies(&Query::new(Filter::contains("companyName", text)).and(Filter::eq("isActive", true))).await
    }

    pub async fn ticket(&self, id: i64) -> Result<Ticket> {
        self.get(path::TICKETS, id).await
    }

    pub async fn tickets(&self, query: &Query) -> Result<Vec<Ticket>> {
        self.query(path::TICKETS, query).await
    }

    /// The ticket with this number (`T20261130.0001`), for "Link existing Autotask ticket" (§6A.2).
    pub async fn ticket_by_number(&self, number: &str) -> Result<Option<Ticket>> {
        let q = Query::new(Filter::eq("ticketNumber", number.trim()));
        Ok(self.tickets(&q).await?.into_iter().next())
    }

    /// `POST Tickets` -> the new ticket id. Not retried after a timeout (it may have been created): see
    /// [`crate::resolve::find_ticket_for_run`].
    pub async fn create_ticket(&self, ticket: &NewTicket) -> Result<i64> {
        self.create(path::TICKETS, ticket).await
    }

    pub async fn update_ticket_status(&self, ticket_id: i64, status: i64) -> Result<()> {
        self.patch(path::TICKETS, ticket_id, json!({ "status": status })).await.map(|_| ())
    }

    /// `POST Tickets/{id}/Notes` (notes exist only as children of a ticket).
    pub async fn create_ticket_note(&self, ticket_id: i64, note: &NewTicketNote) -> Result<i64> {
        self.create(&format!("{}/{ticket_id}/Notes", path::TICKETS), note).await
    }

    /// The notes of a ticket (`TicketNotes/query` on `ticketID`, paged).
    pub async fn ticket_notes(&self, ticket_id: i64) -> Result<Vec<TicketNote>> {
        self.query(path::TICKET_NOTES, &Query::new(Filter::eq("ticketID", ticket_id))).await
    }

    /// Time entries on a ticket the API user can see. Entries marked non-billable are hidden from an API user
    /// without the "view non-billable time entries" right, so 0 can be a false negative (say so in Settings).
    pub async fn count_time_entries(&self, ticket_id: i64) -> Result<u64> {
        self.count(path::TIME_ENTRIES, &Query::new(Filter::eq("ticketID", ticket_id))).await
    }

    pub async fn time_entries(&self, ticket_id: i64) -> Result<Vec<TimeEntry>> {
        self.query(path::TIME_ENTRIES, &Query::new(Filter::eq("ticketID", ticket_id))).await
    }

    /// The deletion record of a ticket, if it was deleted.
    pub async fn deleted_ticket_log(&self, ticket_id: i64) -> Result<Option<DeletedTicketLog>> {
        let q = Query::new(Filter::eq("ticketID", ticket_id));
        Ok(self.query::<DeletedTicketLog>(path::DELETED_TICKET_LOGS, &q).await?.into_iter().next())
    }

    /// `GET {entity}/entityInformation/fields`.
    pub async fn fields(&self, entity: &str) -> Result<Vec<FieldInfo>> {
        let v = self.call(Method::GET, &format!("{entity}/entityInformation/fields"), None).await?;
        decode(v.get("fields").cloned().unwrap_or(Value::Array(vec![])))
    }

    /// Queues, sources, statuses and priorities (there is no Queues entity: they are Tickets picklists).
    pub async fn ticket_picklists(&self) -> Result<TicketPicklists> {
        Ok(TicketPicklists::from_fields(self.fields(path::TICKETS).await?))
    }

    /// The tenant's request count this hour; also the cheap "Test connection" after the zone lookup.
    pub async fn threshold_information(&self) -> Result<ThresholdInformation> {
        decode(self.call(Method::GET, "ThresholdInformation", None).await?)
    }

    /// Settings' "Validate configuration" (§7.6): the credentials work (ThresholdInformation) and the reference
    /// data can be read (the Tickets picklists: queues, sources, statuses, priorities). Two requests.
    pub async fn validate_configuration(&self) -> Result<ConfigurationReport> {
        let threshold = self.threshold_information().await?;
        let picklists = self.ticket_picklists().await?;
        let mut problems = Vec::new();
        for (name, list) in [("queues", &picklists.queue), ("ticket sources", &picklists.source)] {
            if list.active().is_empty() {
                problems.push(format!("no active {name} are visible to the API user"));
            }
        }
        if picklists.complete_status().is_none() {
            problems.push("no ticket status labelled \"Complete\"".into());
        }
        Ok(ConfigurationReport { zone: self.inner.zone.clone(), threshold, picklists, problems })
    }
}

/// What [`AutotaskClient::validate_configuration`] found.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfigurationReport {
    pub zone: ZoneInfo,
    pub threshold: ThresholdInformation,
    pub picklists: TicketPicklists,
    /// Empty when the configuration can create and resolve tickets.
    pub problems: Vec<String>,
}

fn item_id(v: &Value) -> Result<i64> {
    v.get("itemId")
        .and_then(Value::as_i64)
        .ok_or_else(|| AutotaskError::Unexpected { status: 200, message: format!("no itemId in the answer: {v}") })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn web_url_from_the_api_host() {
        assert_eq!(
            web_url_from_zone_url("https://webservices15.autotask.net/ATServicesRest/").as_deref(),
            Some("https://ww15.autotask.net/")
        );
        assert_eq!(web_url_from_zone_url("http://127.0.0.1:8089/ATServicesRest/"), None);
        assert_eq!(
            ticket_web_url("https://ww15.autotask.net/", 42),
            "https://ww15.autotask.net/Autotask/AutotaskExtend/ExecuteCommand.aspx?Code=OpenTicketDetail&TicketID=42"
        );
    }

    #[test]
    fn endpoint_keys() {
        assert_eq!(endpoint_key("Tickets/12/Notes"), "ticketnotes");
        assert_eq!(endpoint_key("Tickets/query/next?paging=x"), "tickets");
        assert_eq!(endpoint_key("Companies/3"), "companies");
    }

    #[test]
    fn retry_after_seconds_or_date() {
        assert_eq!(parse_retry_after("7"), Some(Duration::from_secs(7)));
        assert_eq!(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT"), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon"), None);
    }

    #[test]
    fn error_classification() {
        let v = r#"{"errors":["Missing Required Field: title"]}"#;
        assert_eq!(
            classify(StatusCode::INTERNAL_SERVER_ERROR, v),
            AutotaskError::Validation("Missing Required Field: title".into())
        );
        let p = r#"{"errors":["User does not have permission to access this entity"]}"#;
        assert!(matches!(classify(StatusCode::INTERNAL_SERVER_ERROR, p), AutotaskError::Forbidden(_)));
        let t = r#"{"errors":["Itgenatr005: thread threshold exceeded"]}"#;
        assert_eq!(classify(StatusCode::INTERNAL_SERVER_ERROR, t), AutotaskError::ThreadLimit);
        assert_eq!(classify(StatusCode::UNAUTHORIZED, ""), AutotaskError::Unauthorized);
        assert!(matches!(classify(StatusCode::BAD_GATEWAY, "<html>"), AutotaskError::Unexpected { status: 502, .. }));
    }

    #[test]
    fn page_urls_stay_on_the_zone() {
        let c = AutotaskClient::new(
            Config::new("u", "s", "c"),
            ZoneInfo::from_url("https://webservices5.autotask.net/ATServicesRest/"),
            Arc::new(crate::Unlimited),
        )
        .unwrap();
        assert_eq!(c.url("Tickets/query"), "https://webservices5.autotask.net/ATServicesRest/V1.0/Tickets/query");
        assert_eq!(
            c.url("https://evil.example/ATServicesRest/V1.0/Tickets/query/next?paging=x"),
            "https://webservices5.autotask.net/ATServicesRest/V1.0/Tickets/query/next?paging=x"
        );
    }
}
