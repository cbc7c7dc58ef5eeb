//! Overrides on both runtimes, over HTTP: a Warning run arrives; an operator
//! creates an override from it; the run and the next matching one show
//! Success with the override marker while the original status stays
//! visible; a per-object override reads the stored report; bad patterns and
//! windows are refused with the reason; operators cannot delete, admins
//! can; after a delete unreviewed runs show their own status again while a
//! reviewed run keeps what it showed; the scheduler re-applies when an
//! override leaves its window; everything is in the audit trail.

use std::sync::Arc;

use bc_api_types::Status;
use bc_core::ports::Clock;
use bc_tests::mails::VeeamMail;
use bc_tests::server::{Client, TestServer};
use bc_tests::{ADMIN, OPERATOR, Runtime, VIEWER};
use chrono::{DateTime, Duration, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};

const SENDER: &str = "veeam@overrides.example.com";
const CBT: &str = "Changed block tracking is disabled";

async fn upload(c: &Client, eml: Vec<u8>) -> Value {
    let (s, body) = c.post_raw("/api/v1/mails", "message/rfc822", eml).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    body
}

async fn run(c: &Client, id: &str) -> Value {
    let (s, body) = c.get(&format!("/api/v1/runs/{id}")).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    body["run"].clone()
}

/// The run ids of the job's unreviewed runs in Run Checks, with their statuses.
async fn checks(c: &Client) -> Vec<(String, String, Value)> {
    let (s, body) = c.get("/api/v1/run-checks").await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let mut out = Vec::new();
    for job in body["jobs"].as_array().expect("jobs") {
        for r in job["runs"].as_array().expect("runs") {
            out.push((
                r["id"].as_str().unwrap_or("").to_string(),
                r["status"].as_str().unwrap_or("").to_string(),
                r["overridden"].clone(),
            ));
        }
    }
    out
}

/// Runs the worker until the queue is empty (re-evaluations past the first batch).
async fn drain(rt: &Runtime) {
    while rt.app.drain_queue_once(10).await.expect("worker") > 0 {}
}

async fn overrides_on(rt: Runtime, clock: Option<Arc<MovableClock>>) {
    let server = TestServer::start(rt.app.clone()).await;
    let admin = server.login(ADMIN).await;
    let op = server.login(OPERATOR).await;
    let viewer = server.login(VIEWER).await;

    let (s, cust) = op.post("/api/v1/customers", &json!({"name": "Override BV"})).await;
    assert_eq!(s, StatusCode::CREATED, "{cust}");
    let customer_id = cust["id"].as_str().expect("id").to_string();

    // A Warning run arrives and is approved.
    let first = upload(&op, VeeamMail::new(SENDER, "SQL nightly", Status::Warning, 1).eml()).await;
    let mail_id = first["mail_id"].as_str().expect("mail id").to_string();
    let (s, approved) =
        op.post(&format!("/api/v1/inbox/{mail_id}/approve"), &json!({"customer_id": customer_id})).await;
    assert_eq!(s, StatusCode::OK, "{approved}");
    let job_id = approved["job"]["id"].as_str().expect("job").to_string();
    let run1 = approved["run"]["id"].as_str().expect("run").to_string();
    assert_eq!(approved["run"]["status"], "Warning");

    // Bad input: refused with the reason, nothing stored.
    let good = json!({
        "scope": {"kind": "job", "job_id": job_id},
        "status": "warning",
        "message": {"kind": "contains", "pattern": "changed block TRACKING"},
        "comment": "CBT disabled on SQL02 by design",
    });
    let with = |k: &str, v: Value| {
        let mut b = good.clone();
        b[k] = v;
        b
    };
    for (body, reason) in [
        (with("message", json!({"kind": "regex", "pattern": "(unclosed"})), "invalid regular expression"),
        (with("message", json!({"kind": "regex", "pattern": "(\\w{200}){200}"})), "too large"),
        (with("comment", json!("   ")), "needs a comment"),
        (with("scope", json!({"kind": "job", "job_id": "j-nope"})), "no such job"),
        (
            json!({"scope": {"kind": "global"}, "status": "any", "comment": "x",
                   "valid_from": "2026-12-02T00:00:00Z", "valid_until": "2026-12-01T00:00:00Z"}),
            "ends before it starts",
        ),
    ] {
        let (s, e) = op.post("/api/v1/overrides", &body).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{body} -> {e}");
        assert!(e["error"]["message"].as_str().unwrap_or("").contains(reason), "{reason}: {e}");
    }
    let (s, _) = viewer.post("/api/v1/overrides", &good).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "viewers create nothing");
    let (s, _) = viewer.get("/api/v1/overrides").await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (_, list) = op.get("/api/v1/overrides").await;
    assert_eq!(list.as_array().map(Vec::len), Some(0), "{list}");

    // The operator creates the override from the run: the unreviewed run
    // shows Success, its own status kept.
    let (s, ov) = op.post("/api/v1/overrides", &good).await;
    assert_eq!(s, StatusCode::CREATED, "{ov}");
    let ov_id = ov["id"].as_str().expect("id").to_string();
    let number = ov["number"].as_u64().expect("number");
    assert_eq!(ov["active"], true);
    assert_eq!(ov["created_by"], OPERATOR.0);
    assert_eq!(ov["scope_label"], "Override BV — SQL nightly", "{ov}");
    let r1 = run(&op, &run1).await;
    assert_eq!(r1["status"], "Success", "{r1}");
    assert_eq!(r1["overridden"]["original_status"], "Warning");
    assert_eq!(r1["overridden"]["by"][0]["number"], number);
    assert_eq!(r1["overridden"]["by"][0]["comment"], "CBT disabled on SQL02 by design");

    // The next matching run arrives already overridden; a Failed one does not.
    let second = upload(&op, VeeamMail::new(SENDER, "SQL nightly", Status::Warning, 2).eml()).await;
    let run2 = second["run_id"].as_str().map(str::to_string).unwrap_or_else(|| panic!("processed: {second}"));
    let third = upload(&op, VeeamMail::new(SENDER, "SQL nightly", Status::Failed, 3).eml()).await;
    let run3 = third["run_id"].as_str().expect("run").to_string();
    let rows = checks(&op).await;
    let status_of = |rows: &[(String, String, Value)], id: &str| {
        rows.iter().find(|r| r.0 == id).map(|r| r.1.clone()).unwrap_or_else(|| panic!("{id} in {rows:?}"))
    };
    assert_eq!(status_of(&rows, &run2), "Success");
    assert_eq!(status_of(&rows, &run3), "Failed");
    assert!(rows.iter().find(|r| r.0 == run2).is_some_and(|r| r.2["original_status"] == "Warning"));
    assert!(CBT.contains("Changed block"));

    // The operator reviews the second run: reviewed history keeps what it showed.
    let (s, body) = op.post("/api/v1/run-checks/review", &json!({"run_ids": [run2]})).await;
    assert_eq!(s, StatusCode::OK, "{body}");

    // Editing with a stale version is refused; with the current one it works.
    let (s, _) = op.put(&format!("/api/v1/overrides/{ov_id}"), &with("version", json!(99))).await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (s, edited) = op
        .put(&format!("/api/v1/overrides/{ov_id}"), &{
            let mut b = with("status", json!("any"));
            b["version"] = json!(0);
            b
        })
        .await;
    assert_eq!(s, StatusCode::OK, "{edited}");
    assert_eq!(edited["status"], "any");

    // Operators cannot delete; admins can.
    let (s, _) = op.delete(&format!("/api/v1/overrides/{ov_id}")).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = admin.delete(&format!("/api/v1/overrides/{ov_id}")).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = admin.delete(&format!("/api/v1/overrides/{ov_id}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    drain(&rt).await;
    let r1 = run(&op, &run1).await;
    assert_eq!(r1["status"], "Warning", "unreviewed: its own status again: {r1}");
    assert!(r1["overridden"].is_null());
    let r2 = run(&op, &run2).await;
    assert_eq!(r2["status"], "Success", "reviewed: kept what it showed: {r2}");
    assert_eq!(r2["overridden"]["by"][0]["number"], number);

    // A per-object override (glob) reads the stored report's objects.
    let (s, obj) = op
        .post(
            "/api/v1/overrides",
            &json!({"scope": {"kind": "customer", "customer_id": customer_id}, "object": "vm00?",
                    "status": "warning", "comment": "VM000 warns every night"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{obj}");
    drain(&rt).await;
    let r1 = run(&op, &run1).await;
    assert_eq!(r1["status"], "Success", "the only warning object is overridden: {r1}");
    let r3 = run(&op, &run3).await;
    assert_eq!(r3["status"], "Failed", "a failed object is not a warning: {r3}");

    // Leaving its window: the scheduler re-applies (on the embedded runtime,
    // where the test moves the clock).
    if let Some(clock) = clock {
        let obj_id = obj["id"].as_str().expect("id");
        let until = clock.now() + Duration::hours(1);
        let (s, e) = op
            .put(
                &format!("/api/v1/overrides/{obj_id}"),
                &json!({"scope": {"kind": "customer", "customer_id": customer_id}, "object": "vm00?",
                        "status": "warning", "comment": "VM000 warns every night", "valid_until": until,
                        "version": 0}),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{e}");
        assert_eq!(run(&op, &run1).await["status"], "Success");
        clock.advance(Duration::hours(2));
        let tick = rt.app.tick().await.expect("tick");
        assert_eq!(tick.override_edges, 1);
        assert_eq!(rt.app.tick().await.expect("tick").override_edges, 0, "each edge once");
        drain(&rt).await;
        assert_eq!(run(&op, &run1).await["status"], "Warning", "expired");
        let (_, list) = op.get("/api/v1/overrides").await;
        assert_eq!(list[0]["active"], false, "{list}");
    }

    // The audit trail holds every change.
    let (s, trail) = admin.get("/api/v1/audit?entity_type=override").await;
    assert_eq!(s, StatusCode::OK, "{trail}");
    let actions: Vec<&str> =
        trail["items"].as_array().expect("items").iter().filter_map(|e| e["action"].as_str()).collect();
    for a in ["create", "update", "delete"] {
        assert!(actions.contains(&a), "{a} in {actions:?}");
    }
}

/// A clock the test moves.
struct MovableClock(std::sync::Mutex<DateTime<Utc>>);

impl MovableClock {
    fn advance(&self, d: Duration) {
        *self.0.lock().expect("clock") += d;
    }
}

impl Clock for MovableClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().expect("clock")
    }
}

#[tokio::test]
async fn overrides_on_the_embedded_store() {
    let clock = Arc::new(MovableClock(std::sync::Mutex::new(Utc::now())));
    let rt = Runtime::embedded_with_clock(clock.clone()).with_users().await;
    overrides_on(rt, Some(clock)).await;
}

#[cfg(feature = "aws")]
#[tokio::test]
async fn overrides_on_dynamodb_s3_sqs_through_moto() {
    overrides_on(Runtime::aws("overrides").await.with_users().await, None).await;
}
