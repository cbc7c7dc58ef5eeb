//! Remarks and tickets over the API on both runtimes: who may do what, bad
//! input refused with the reason, one open ticket per run (also when two
//! creates race), the markers in Run Checks and the run detail, and every
//! change in the audit trail.

use bc_api_types as api;
use bc_api_types::Status;
use bc_tests::mails::VeeamMail;
use bc_tests::server::{Client, TestServer};
use bc_tests::{ADMIN, OPERATOR, REPORTER, Runtime, VIEWER};
use reqwest::StatusCode;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

const SENDER: &str = "veeam@acme.example.com";

fn typed<T: DeserializeOwned>(v: Value) -> T {
    serde_json::from_value(v.clone()).unwrap_or_else(|e| panic!("{e}: {v}"))
}

async fn upload(c: &Client, eml: Vec<u8>) -> String {
    let (s, body) = c.post_raw("/api/v1/mails", "message/rfc822", eml).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    body["mail_id"].as_str().expect("mail id").to_string()
}

/// A customer and an approved job of `name` with two runs; (job id, run ids newest first).
async fn job_with_two_runs(op: &Client, customer: &str, name: &str, seq: u64) -> (String, Vec<String>) {
    let (s, c) = op.post("/api/v1/customers", &json!({"name": customer})).await;
    assert_eq!(s, StatusCode::CREATED, "{c}");
    let first = upload(op, VeeamMail::new(SENDER, name, Status::Warning, seq).eml()).await;
    upload(op, VeeamMail::new(SENDER, name, Status::Failed, seq + 1).eml()).await;
    let (s, approved) = op.post(&format!("/api/v1/inbox/{first}/approve"), &json!({"customer_id": c["id"]})).await;
    assert_eq!(s, StatusCode::OK, "{approved}");
    let job_id = approved["job"]["id"].as_str().expect("job").to_string();
    let (_, runs) = op.get(&format!("/api/v1/jobs/{job_id}/runs")).await;
    let runs: api::RunPage = typed(runs);
    assert_eq!(runs.items.len(), 2);
    (job_id, runs.items.into_iter().map(|r| r.id).collect())
}

fn message(v: &Value) -> &str {
    v["error"]["message"].as_str().unwrap_or("")
}

async fn run_checks_job(c: &Client, job_id: &str) -> api::RunChecksJob {
    let (s, page) = c.get("/api/v1/run-checks").await;
    assert_eq!(s, StatusCode::OK, "{page}");
    let page: api::RunChecks = typed(page);
    page.jobs.into_iter().find(|j| j.id == job_id).expect("the job in Run Checks")
}

async fn trail(admin: &Client, entity: &str, id: &str) -> Vec<api::AuditEntry> {
    let (_, page) = admin.get(&format!("/api/v1/audit?entity_type={entity}&entity_id={id}")).await;
    typed::<api::AuditPage>(page).items
}

/// `racing`: send the two competing ticket creates at once. moto does not
/// isolate concurrent DynamoDB transactions (see `conformance.rs`), so the
/// AWS runtime sends them in turn; the embedded store races them.
async fn remarks_and_tickets(rt: Runtime, racing: bool) {
    let server = TestServer::start(rt.app.clone()).await;
    let admin = server.login(ADMIN).await;
    let op = server.login(OPERATOR).await;
    let viewer = server.login(VIEWER).await;
    let reporter = server.login(REPORTER).await;
    let (s, _) = admin
        .post("/api/v1/users", &json!({"username": "otto", "password": "otto-password-1", "role": "operator"}))
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let otto = server.login(("otto", "otto-password-1")).await;

    let (job, runs) = job_with_two_runs(&op, "Acme", "Daily", 1).await;
    let (other_job, other_runs) = job_with_two_runs(&op, "Globex", "Nightly", 10).await;
    let remarks = format!("/api/v1/jobs/{job}/remarks");
    let tickets = format!("/api/v1/jobs/{job}/tickets");

    // ---- permissions: viewers and reporters look, never write
    for who in [&viewer, &reporter] {
        let (s, _) = who.post(&remarks, &json!({"text": "x", "run_id": runs[0]})).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, _) = who.post(&tickets, &json!({"run_id": runs[0], "number": "T1"})).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        assert_eq!(who.get(&remarks).await.0, StatusCode::OK);
        assert_eq!(who.get(&tickets).await.0, StatusCode::OK);
    }
    assert_eq!(server.client().get(&remarks).await.0, StatusCode::UNAUTHORIZED);

    // ---- remarks: bad input is a 400 with the reason
    let megabyte = "x".repeat(1_000_000);
    let (s, e) = op.post(&remarks, &json!({"text": megabyte, "run_id": runs[0]})).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{e}");
    assert!(message(&e).contains("at most 10000 characters"), "{e}");
    let (s, e) = op.post(&remarks, &json!({"text": "   "})).await;
    assert_eq!((s, message(&e)), (StatusCode::BAD_REQUEST, "a remark needs text"));
    let (s, e) = op.post(&remarks, &json!({"text": "bell \u{7}"})).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{e}");
    let (s, e) = op.post(&remarks, &json!({"text": "wrong job", "run_id": other_runs[0]})).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{e}");
    assert_eq!(op.post(&remarks, &json!({"text": "x", "run_id": "nope"})).await.0, StatusCode::NOT_FOUND);
    assert_eq!(op.post("/api/v1/jobs/nope/remarks", &json!({"text": "x"})).await.0, StatusCode::NOT_FOUND);

    // ---- a remark: 💬 in Run Checks, in the run's detail
    let (s, r) = op.post(&remarks, &json!({"text": "  Tape drive offline; vendor called.  ", "run_id": runs[0]})).await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    let remark: api::Remark = typed(r);
    assert_eq!(
        (remark.text.as_str(), remark.author.as_str(), remark.active, remark.run_id.as_deref()),
        ("Tape drive offline; vendor called.", "olga", true, Some(runs[0].as_str()))
    );
    assert_eq!(run_checks_job(&op, &job).await.active_remarks, 1);
    assert_eq!(run_checks_job(&op, &other_job).await.active_remarks, 0);
    let (_, detail) = op.get(&format!("/api/v1/runs/{}", runs[1])).await;
    let detail: api::RunDetail = typed(detail);
    assert_eq!(detail.remarks.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), [remark.id.as_str()]);

    // ---- edit: the author or an admin, nobody else
    let edit = format!("/api/v1/remarks/{}", remark.id);
    let (s, e) = otto.patch(&edit, &json!({"text": "mine now"})).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{e}");
    assert_eq!(viewer.patch(&edit, &json!({"text": "x"})).await.0, StatusCode::FORBIDDEN);
    let (s, r) = op.patch(&edit, &json!({"text": "Tape drive replaced"})).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    let (s, r) = admin.patch(&edit, &json!({"text": "Tape drive replaced; watch tonight"})).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    let edited: api::Remark = typed(r);
    assert_eq!((edited.edited_by.as_deref(), edited.author.as_str()), (Some("admin"), "olga"));
    assert_eq!(op.patch(&edit, &json!({"text": ""})).await.0, StatusCode::BAD_REQUEST);
    assert_eq!(op.patch("/api/v1/remarks/nope", &json!({"text": "x"})).await.0, StatusCode::NOT_FOUND);

    // ---- tickets: bad input is a 400 with the reason
    for url in ["javascript:alert(1)", "ftp://psa.example.com/1", "https://", "http://a b.example"] {
        let (s, e) = op.post(&tickets, &json!({"run_id": runs[0], "number": "T1", "url": url})).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{url}: {e}");
        assert!(message(&e).contains("URL"), "{e}");
    }
    let long_url = format!("https://psa.example.com/{}", "a".repeat(2_000));
    let (s, e) = op.post(&tickets, &json!({"run_id": runs[0], "number": "T1", "url": long_url})).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{e}");
    for number in ["", "<b>1</b>", &"1".repeat(65)] {
        let (s, e) = op.post(&tickets, &json!({"run_id": runs[0], "number": number})).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{number}: {e}");
        assert!(message(&e).contains("number"), "{e}");
    }
    let (s, _) = op.post(&tickets, &json!({"run_id": other_runs[0], "number": "T1"})).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);

    // ---- a ticket: 🎫 in Run Checks; one open ticket per run
    let body = json!({"run_id": runs[0], "number": "T20261130.0001", "url": "https://psa.example.com/t/1"});
    let (s, t) = op.post(&tickets, &body).await;
    assert_eq!(s, StatusCode::CREATED, "{t}");
    let ticket: api::Ticket = typed(t);
    assert!(ticket.open);
    let (s, e) = otto.post(&tickets, &json!({"run_id": runs[0], "number": "T2"})).await;
    assert_eq!(s, StatusCode::CONFLICT, "{e}");
    assert!(message(&e).contains("open ticket"), "{e}");
    // Two creates for the other run at once: one wins, one is told 409.
    let (b1, b2) = (json!({"run_id": runs[1], "number": "R1"}), json!({"run_id": runs[1], "number": "R2"}));
    let statuses = if racing {
        let (a, b) = tokio::join!(op.post(&tickets, &b1), otto.post(&tickets, &b2));
        vec![a.0, b.0]
    } else {
        vec![op.post(&tickets, &b1).await.0, otto.post(&tickets, &b2).await.0]
    };
    let mut sorted = statuses.clone();
    sorted.sort();
    assert_eq!(sorted, [StatusCode::CREATED, StatusCode::CONFLICT], "{statuses:?}");

    let rc = run_checks_job(&op, &job).await;
    assert_eq!(rc.open_tickets.len(), 2);
    assert!(rc.open_tickets.contains(&"T20261130.0001".to_string()), "{:?}", rc.open_tickets);
    assert!(run_checks_job(&op, &other_job).await.open_tickets.is_empty());
    let (_, detail) = op.get(&format!("/api/v1/runs/{}", runs[0])).await;
    let detail: api::RunDetail = typed(detail);
    assert_eq!(detail.run_ticket.as_ref().map(|t| t.id.as_str()), Some(ticket.id.as_str()));
    assert_eq!(detail.tickets.len(), 2);

    // ---- resolve: out of Run Checks' markers, the run free for a new ticket
    let (s, r) = op.post(&format!("/api/v1/remarks/{}/resolve", remark.id), &json!({})).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert!(!typed::<api::Remark>(r).active);
    assert_eq!(op.post(&format!("/api/v1/remarks/{}/resolve", remark.id), &json!({})).await.0, StatusCode::CONFLICT);
    assert_eq!(
        viewer.post(&format!("/api/v1/tickets/{}/resolve", ticket.id), &json!({})).await.0,
        StatusCode::FORBIDDEN
    );
    let (s, t) = op.post(&format!("/api/v1/tickets/{}/resolve", ticket.id), &json!({})).await;
    assert_eq!(s, StatusCode::OK, "{t}");
    assert_eq!(op.post(&format!("/api/v1/tickets/{}/resolve", ticket.id), &json!({})).await.0, StatusCode::CONFLICT);
    let rc = run_checks_job(&op, &job).await;
    assert_eq!((rc.active_remarks, rc.open_tickets.len()), (0, 1));
    let (s, t) = op.post(&tickets, &json!({"run_id": runs[0], "number": "T20261130.0002"})).await;
    assert_eq!(s, StatusCode::CREATED, "{t}");
    let second: api::Ticket = typed(t);
    let (_, detail) = op.get(&format!("/api/v1/runs/{}", runs[0])).await;
    let detail: api::RunDetail = typed(detail);
    assert_eq!(detail.run_ticket.map(|t| t.id), Some(second.id.clone()));

    // ---- delete: admins only; the run is freed
    assert_eq!(op.delete(&format!("/api/v1/tickets/{}", second.id)).await.0, StatusCode::FORBIDDEN);
    assert_eq!(admin.delete(&format!("/api/v1/tickets/{}", second.id)).await.0, StatusCode::NO_CONTENT);
    assert_eq!(admin.delete(&format!("/api/v1/tickets/{}", second.id)).await.0, StatusCode::NOT_FOUND);
    let (s, _) = op.post(&tickets, &json!({"run_id": runs[0], "number": "T20261130.0003"})).await;
    assert_eq!(s, StatusCode::CREATED);

    // ---- the job's lists keep resolved ones, newest first
    let (_, list) = viewer.get(&remarks).await;
    let list: api::RemarkList = typed(list);
    assert_eq!((list.items.len(), list.items[0].active, list.truncated), (1, false, false));
    let (_, list) = viewer.get(&tickets).await;
    let list: api::TicketList = typed(list);
    let numbers: Vec<_> = list.items.iter().map(|t| (t.number.as_str(), t.open)).collect();
    assert_eq!(numbers.len(), 3, "{numbers:?}");
    assert_eq!(numbers[0], ("T20261130.0003", true));
    assert_eq!(numbers[2], ("T20261130.0001", false));

    // ---- the audit trail holds every change, with who and the diff
    let entries = trail(&admin, "remark", &remark.id).await;
    let actions: Vec<_> = entries.iter().map(|e| (e.action.as_str(), e.actor.as_str())).collect();
    assert_eq!(actions, [("resolve", "olga"), ("update", "admin"), ("update", "olga"), ("create", "olga")]);
    assert_eq!(entries[1].before.as_ref().map(|b| b["text"].clone()), Some(json!("Tape drive replaced")));
    assert_eq!(entries[1].after.as_ref().map(|a| a["text"].clone()), Some(json!("Tape drive replaced; watch tonight")));
    let actions: Vec<_> =
        trail(&admin, "ticket", &ticket.id).await.iter().map(|e| e.action.clone()).collect::<Vec<_>>();
    assert_eq!(actions, ["resolve", "create"]);
    let deleted = trail(&admin, "ticket", &second.id).await;
    assert_eq!(deleted.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(), ["delete", "create"]);
    assert_eq!(deleted[0].before.as_ref().map(|b| b["number"].clone()), Some(json!("T20261130.0002")));

    // ---- the OpenAPI document names every route
    let (_, doc) = op.get("/api/v1/openapi.json").await;
    for path in [
        "/api/v1/jobs/{id}/remarks",
        "/api/v1/remarks/{id}",
        "/api/v1/remarks/{id}/resolve",
        "/api/v1/jobs/{id}/tickets",
        "/api/v1/tickets/{id}/resolve",
        "/api/v1/tickets/{id}",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} missing from the OpenAPI document");
    }
}

#[tokio::test]
async fn remarks_and_tickets_on_the_embedded_store() {
    remarks_and_tickets(Runtime::embedded().with_users().await, true).await;
}

#[cfg(feature = "aws")]
#[tokio::test]
async fn remarks_and_tickets_on_dynamodb() {
    remarks_and_tickets(Runtime::aws("remarks").await.with_users().await, false).await;
}
