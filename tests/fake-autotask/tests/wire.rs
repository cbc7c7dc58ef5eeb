//! The fake on the wire, with a plain HTTP client: the shapes and rules of `autotask-api.md`.

use std::time::Duration;

use fake_autotask::{FakeAutotask, Fault, QUEUE_HELPDESK};
use serde_json::{Value, json};

struct Api {
    fake: FakeAutotask,
    http: reqwest::Client,
}

impl Api {
    async fn start() -> Api {
        Api { fake: FakeAutotask::start().await, http: reqwest::Client::new() }
    }

    fn url(&self, endpoint: &str) -> String {
        // Both casings of the base path are accepted; use the lower one here.
        format!("{}/atservicesrest/v1.0/{endpoint}", self.fake.base_url())
    }

    async fn send(&self, method: &str, endpoint: &str, body: Option<Value>) -> (u16, Value) {
        let c = self.fake.credentials();
        let mut req = self
            .http
            .request(method.parse().unwrap(), self.url(endpoint))
            .header("ApiIntegrationCode", c.integration_code)
            .header("UserName", c.username)
            .header("Secret", c.secret);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let r = req.send().await.unwrap();
        let status = r.status().as_u16();
        let text = r.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
    }
}

#[tokio::test]
async fn zone_information_points_back_at_the_fake() {
    let api = Api::start().await;
    let user = api.fake.credentials().username;
    let r =
        reqwest::get(format!("{}/atservicesrest/v1.0/zoneInformation?user={user}", api.fake.base_url())).await.unwrap();
    assert_eq!(r.status(), 200);
    let z: Value = r.json().await.unwrap();
    assert_eq!(z["url"], api.fake.zone_url());
    assert!(z["url"].as_str().unwrap().ends_with("/ATServicesRest/"));
    let r = reqwest::get(format!("{}/atservicesrest/v1.0/zoneInformation?user=", api.fake.base_url())).await.unwrap();
    assert_eq!(r.status(), 500);
}

#[tokio::test]
async fn credentials_are_checked_on_every_call() {
    let api = Api::start().await;
    let r = api.http.get(api.url("Companies/0")).header("UserName", "x").send().await.unwrap();
    assert_eq!(r.status(), 401);
    let body: Value = r.json().await.unwrap();
    assert!(body["errors"].is_array());
    assert_eq!(api.send("GET", "Companies/0", None).await.0, 200);
    // The upper-case base path works too.
    let c = api.fake.credentials();
    let r = api
        .http
        .get(format!("{}V1.0/Companies/0", api.fake.zone_url()))
        .header("ApiIntegrationCode", c.integration_code)
        .header("UserName", c.username)
        .header("Secret", c.secret)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn envelopes_and_errors() {
    let api = Api::start().await;
    let acme = api.fake.company_id("Acme Corp").unwrap();
    let (s, b) = api
        .send(
            "POST",
            "Tickets",
            Some(json!({"companyID": acme, "title": "t", "status": 1, "priority": 2, "queueID": QUEUE_HELPDESK})),
        )
        .await;
    assert_eq!(s, 200);
    let id = b["itemId"].as_i64().unwrap();
    let (_, b) = api.send("GET", &format!("Tickets/{id}"), None).await;
    assert!(b["item"]["ticketNumber"].as_str().unwrap().starts_with('T'));
    let (s, b) = api.send("PATCH", "Tickets", Some(json!({"id": id, "status": 5}))).await;
    assert_eq!((s, b["itemId"].as_i64()), (200, Some(id)));
    assert!(api.fake.ticket(id).unwrap()["completedDate"].is_string());
    api.fake.delete_ticket(id);
    assert_eq!(api.send("GET", &format!("Tickets/{id}"), None).await, (200, json!({"item": null})));
    let (s, b) = api
        .send(
            "POST",
            "DeletedTicketLogs/query",
            Some(json!({"filter": [{"op": "eq", "field": "ticketID", "value": id}]})),
        )
        .await;
    assert_eq!((s, b["items"].as_array().unwrap().len()), (200, 1));

    // Validation is a 500 with errors[]; unknown routes 404; wrong methods 405; POST TicketNotes 404.
    let (s, b) = api.send("POST", "Tickets", Some(json!({"companyID": acme}))).await;
    assert_eq!((s, &b["errors"][0]), (500, &json!("Missing Required Field: title")));
    assert_eq!(api.send("GET", "Nonsense/1", None).await.0, 404);
    assert_eq!(api.send("DELETE", "Tickets/1", None).await.0, 405);
    assert_eq!(api.send("POST", "TicketNotes", Some(json!({}))).await.0, 404);
    // A query needs a filter.
    assert_eq!(api.send("POST", "Tickets/query", Some(json!({}))).await.0, 500);
    // Filter or filter, both.
    let (s, b) =
        api.send("POST", "Companies/query/count", Some(json!({"Filter": [{"op": "exist", "field": "id"}]}))).await;
    assert_eq!((s, b["queryCount"].as_u64()), (200, Some(3)));
}

#[tokio::test]
async fn next_page_url_must_be_posted_with_the_body() {
    let api = Api::start().await;
    api.fake.set_page_size(2);
    let body = json!({"filter": [{"op": "gte", "field": "id", "value": 0}]});
    let (_, first) = api.send("POST", "Companies/query", Some(body.clone())).await;
    assert_eq!(first["items"].as_array().unwrap().len(), 2);
    let next = first["pageDetails"]["nextPageUrl"].as_str().unwrap().to_string();
    assert!(next.contains("/ATServicesRest/V1.0/Companies/query/next?paging="), "{next}");
    let c = api.fake.credentials();
    let call = |m: reqwest::Method| {
        api.http
            .request(m, &next)
            .header("ApiIntegrationCode", &c.integration_code)
            .header("UserName", &c.username)
            .header("Secret", &c.secret)
    };
    assert_eq!(call(reqwest::Method::GET).send().await.unwrap().status(), 405);
    assert_eq!(call(reqwest::Method::POST).send().await.unwrap().status(), 500, "no body");
    let second: Value = call(reqwest::Method::POST).json(&body).send().await.unwrap().json().await.unwrap();
    assert_eq!(second["items"].as_array().unwrap().len(), 1);
    assert!(second["pageDetails"]["nextPageUrl"].is_null());
    let ids: Vec<i64> = first["items"]
        .as_array()
        .unwrap()
        .iter()
        .chain(second["items"].as_array().unwrap())
        .map(|c| c["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, vec![0, 1001, 1002]);
}

#[tokio::test]
async fn picklist_values_are_strings_with_active_flags() {
    let api = Api::start().await;
    api.fake.deactivate_picklist_value("source", 2);
    let (_, b) = api.send("GET", "Tickets/entityInformation/fields", None).await;
    let field = |n: &str| b["fields"].as_array().unwrap().iter().find(|f| f["name"] == n).unwrap().clone();
    let status = field("status");
    assert_eq!(status["isPickList"], true);
    let complete =
        status["picklistValues"].as_array().unwrap().iter().find(|v| v["label"] == "Complete").unwrap().clone();
    assert_eq!(complete["value"], "5");
    let call =
        field("source")["picklistValues"].as_array().unwrap().iter().find(|v| v["value"] == "2").unwrap().clone();
    assert_eq!((call["label"].as_str(), call["isActive"].as_bool()), (Some("Call"), Some(false)));
    assert!(field("queueID")["picklistValues"].as_array().unwrap().iter().any(|v| v["label"] == "Helpdesk"));
}

#[tokio::test]
async fn faults_and_the_thread_limit() {
    let api = Api::start().await;
    api.fake.inject(Fault::RateLimited { retry_after_secs: Some(7) });
    let c = api.fake.credentials();
    let r = api
        .http
        .get(api.url("Companies/0"))
        .header("ApiIntegrationCode", &c.integration_code)
        .header("UserName", &c.username)
        .header("Secret", &c.secret)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 429);
    assert_eq!(r.headers()["retry-after"], "7");
    api.fake.inject(Fault::PermissionDenied);
    let (s, b) = api.send("GET", "Companies/0", None).await;
    assert_eq!(s, 500);
    assert!(b["errors"][0].as_str().unwrap().contains("permission"));
    api.fake.inject(Fault::ThreadLimit);
    let (s, b) = api.send("GET", "Companies/0", None).await;
    assert_eq!(s, 429);
    assert!(b["errors"][0].as_str().unwrap().starts_with("Itgenatr005"));
    // Child paths count as the child entity.
    api.fake.set_latency(Duration::from_millis(100));
    let acme = api.fake.company_id("Acme Corp").unwrap();
    let id = api.fake.add_tickets(acme, 1)[0];
    let (s, _) = api.send("GET", &format!("Tickets/{id}/Notes"), None).await;
    assert_eq!(s, 200);
    assert_eq!(api.fake.max_in_flight("TicketNotes"), 1);
    // ThresholdInformation counts the hour's requests.
    let (_, t) = api.send("GET", "ThresholdInformation", None).await;
    assert_eq!(t["externalRequestThreshold"], 10000);
    assert!(t["currentTimeframeRequestCount"].as_u64().unwrap() >= 5);
}

#[tokio::test]
async fn the_control_api_for_a_person() {
    let api = Api::start().await;
    let base = api.fake.base_url();
    let http = &api.http;
    let r: Value = http
        .post(format!("{base}/_fake/companies"))
        .json(&json!({"name": "Initech"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = r["itemId"].as_i64().unwrap();
    http.post(format!("{base}/_fake/companies/{id}/rename")).json(&json!({"name": "Initech BV"})).send().await.unwrap();
    assert_eq!(api.send("GET", &format!("Companies/{id}"), None).await.1["item"]["companyName"], "Initech BV");
    let tid = api.fake.add_tickets(id, 1)[0];
    http.post(format!("{base}/_fake/tickets/{tid}/time-entries")).json(&json!({"hours": 2.0})).send().await.unwrap();
    let (_, n) = api
        .send(
            "POST",
            "TimeEntries/query/count",
            Some(json!({"filter": [{"op": "eq", "field": "ticketID", "value": tid}]})),
        )
        .await;
    assert_eq!(n["queryCount"], 1);
    http.post(format!("{base}/_fake/faults"))
        .json(&json!({"kind": "rate-limited", "retryAfter": 1, "endpoint": "Tickets/*"}))
        .send()
        .await
        .unwrap();
    assert_eq!(api.send("GET", "Companies/0", None).await.0, 200, "the fault waits for its endpoint");
    assert_eq!(api.send("GET", &format!("Tickets/{tid}"), None).await.0, 429);
    http.delete(format!("{base}/_fake/tickets/{tid}")).send().await.unwrap();
    assert_eq!(api.send("GET", &format!("Tickets/{tid}"), None).await.1, json!({"item": null}));
    http.delete(format!("{base}/_fake/companies/{id}")).send().await.unwrap();
    let state: Value = http.get(format!("{base}/_fake/state")).send().await.unwrap().json().await.unwrap();
    assert_eq!(state["companies"].as_array().unwrap().len(), 3);
    let reqs: Value = http.get(format!("{base}/_fake/requests")).send().await.unwrap().json().await.unwrap();
    assert!(reqs.as_array().unwrap().len() >= 5);
}
