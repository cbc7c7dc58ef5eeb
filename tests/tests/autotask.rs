//! The Autotask integration (seed 003, phase 1) against the fake Autotask
//! server, on both runtimes, over HTTP: settings with write-only
//! credentials, test and validate, reference data and the seed's defaults;
//! a customer mapped to a company; a ticket created from a Failed run in the
//! worker (subject and description per §4.3/§5A); one ticket per run, also
//! when the create is redelivered after it went through unrecorded; resolve
//! without time entries (closing note, Complete) and with them (the other
//! note, still open); a ticket deleted in Autotask shows as deleted and
//! frees the run for a new one; an existing ticket linked by number; a
//! company renamed in Autotask followed by the hourly sync; a 429 that
//! delays the worker without losing the task; reporters read, not act.

use std::sync::Arc;

use bc_api_types::Status;
use bc_autotask::AutotaskPsa;
use bc_autotask::resolve::{RESOLVED_NOTE, TIME_ENTRIES_NOTE};
use bc_core::App;
use bc_core::ports::{SecretName, Secrets};
use bc_tests::mails::VeeamMail;
use bc_tests::server::{Client, TestServer};
use bc_tests::{ADMIN, OPERATOR, REPORTER, Runtime};
use fake_autotask::{FakeAutotask, Fault, PRIORITY_HIGH, QUEUE_HELPDESK, SOURCE_MONITORING_ALERT, STATUS_COMPLETE};
use reqwest::StatusCode;
use serde_json::{Value, json};

const SENDER: &str = "veeam@autotask.example.com";
const BASE: &str = "https://bc.example.com";

async fn upload(c: &Client, eml: Vec<u8>) -> Value {
    let (s, body) = c.post_raw("/api/v1/mails", "message/rfc822", eml).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    body
}

async fn drain(app: &App) {
    while app.drain_queue_once(10).await.expect("worker") > 0 {}
}

async fn ticket_of(c: &Client, job_id: &str, ticket_id: &str) -> Value {
    let (s, list) = c.get(&format!("/api/v1/jobs/{job_id}/tickets")).await;
    assert_eq!(s, StatusCode::OK, "{list}");
    list["items"].as_array().expect("items").iter().find(|t| t["id"] == ticket_id).cloned().expect("the ticket")
}

async fn autotask_on(app: App) {
    let fake = FakeAutotask::start().await;
    // As the runtimes do: the request budget shared through the store's counters.
    let psa = AutotaskPsa::shared(Some(fake.base_url()), app.store.clone());
    let app = app.with_psa(Arc::new(psa));
    let server = TestServer::start(app.clone()).await;
    let admin = server.login(ADMIN).await;
    let op = server.login(OPERATOR).await;
    let reporter = server.login(REPORTER).await;
    let creds = fake.credentials();

    // ---- settings: enabling needs credentials and the base URL; they are never shown.
    let mut settings = json!({"enabled": true, "environment": "sandbox", "base_url": BASE, "allow_resolve": true});
    let (s, e) = admin.put("/api/v1/integrations/autotask", &settings).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{e}");
    let (s, _) = op.get("/api/v1/integrations/autotask").await;
    assert_eq!(s, StatusCode::FORBIDDEN, "settings are for admins");
    settings["username"] = json!(creds.username);
    settings["password"] = json!(creds.secret);
    let (s, e) = admin.put("/api/v1/integrations/autotask", &settings).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "all three credentials together: {e}");
    settings["tracking_identifier"] = json!(creds.integration_code);
    settings["base_url"] = json!("ftp://bc.example.com");
    let (s, e) = admin.put("/api/v1/integrations/autotask", &settings).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{e}");
    settings["base_url"] = json!(format!("{BASE}/"));
    let (s, saved) = admin.put("/api/v1/integrations/autotask", &settings).await;
    assert_eq!(s, StatusCode::OK, "{saved}");
    assert_eq!((saved["credentials_set"].as_bool(), saved["base_url"].as_str()), (Some(true), Some(BASE)));
    let (_, shown) = admin.get("/api/v1/integrations/autotask").await;
    let text = shown.to_string();
    assert!(!text.contains(&creds.secret) && !text.contains(&creds.integration_code), "write-only: {text}");
    let (_, trail) = admin.get("/api/v1/audit?entity_type=settings").await;
    assert!(!trail.to_string().contains(&creds.secret), "never in the audit trail");

    // ---- test connection, reference data with the seed's defaults, validate.
    let (s, t) = admin.post("/api/v1/integrations/autotask/test", &json!({})).await;
    assert_eq!((s, t["ok"].as_bool()), (StatusCode::OK, Some(true)), "{t}");
    let (s, r) = admin.post("/api/v1/integrations/autotask/reference", &json!({})).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["queue_id"], QUEUE_HELPDESK);
    assert_eq!(r["ticket_source_id"], SOURCE_MONITORING_ALERT);
    assert_eq!(r["priority_failed_id"], PRIORITY_HIGH);
    assert!(r["reference"]["queues"].as_array().is_some_and(|q| q.len() >= 4), "{r}");
    let (_, v) = admin.post("/api/v1/integrations/autotask/validate", &json!({})).await;
    assert_eq!(v["ok"], true, "{v}");

    // ---- a Failed run of a job of a customer not mapped yet.
    let (_, cust) = op.post("/api/v1/customers", &json!({"name": "Acme (BC)"})).await;
    let customer_id = cust["id"].as_str().expect("customer").to_string();
    // No run-level message: scenario B of §5A (the objects are listed, at most 5).
    let first =
        upload(&op, VeeamMail::new(SENDER, "Fileserver", Status::Failed, 1).objects(8).failing(7).message("").eml())
            .await;
    let (s, approved) = op
        .post(
            &format!("/api/v1/inbox/{}/approve", first["mail_id"].as_str().unwrap()),
            &json!({"customer_id": customer_id}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{approved}");
    let job_id = approved["job"]["id"].as_str().expect("job").to_string();
    let run1 = approved["run"]["id"].as_str().expect("run").to_string();
    let (s, e) = op.post(&format!("/api/v1/runs/{run1}/autotask-ticket"), &json!({})).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{e}");
    assert!(e["error"]["message"].as_str().unwrap_or("").contains("not mapped"), "{e}");

    // ---- map the customer by searching companies.
    let (s, found) = op.get("/api/v1/integrations/autotask/companies?q=acme").await;
    assert_eq!(s, StatusCode::OK, "{found}");
    let acme = found.as_array().and_then(|a| a.iter().find(|c| c["name"] == "Acme Corp")).expect("Acme Corp")["id"]
        .as_i64()
        .expect("id");
    let (s, e) = op.put(&format!("/api/v1/customers/{customer_id}/autotask"), &json!({"company_id": 999_999})).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{e}");
    let (s, mapped) = op.put(&format!("/api/v1/customers/{customer_id}/autotask"), &json!({"company_id": acme})).await;
    assert_eq!(s, StatusCode::OK, "{mapped}");
    assert_eq!(
        (mapped["autotask"]["status"].as_str(), mapped["autotask"]["company_name"].as_str()),
        (Some("ok"), Some("Acme Corp"))
    );

    // ---- manual numbers are off while the integration is on (no compatibility mode).
    let (s, e) = op.post(&format!("/api/v1/jobs/{job_id}/tickets"), &json!({"run_id": run1, "number": "T1"})).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{e}");

    // ---- create: pending in the request, made by the worker; one per run.
    let (s, pending) = op.post(&format!("/api/v1/runs/{run1}/autotask-ticket"), &json!({})).await;
    assert_eq!(s, StatusCode::ACCEPTED, "{pending}");
    assert_eq!(pending["autotask"]["state"], "pending");
    let tk1 = pending["id"].as_str().expect("id").to_string();
    let (s, _) = op.post(&format!("/api/v1/runs/{run1}/autotask-ticket"), &json!({})).await;
    assert_eq!(s, StatusCode::CONFLICT, "one ticket per run");
    let (s, _) = reporter.post(&format!("/api/v1/runs/{run1}/autotask-ticket"), &json!({})).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "reporters do not create tickets");
    drain(&app).await;
    let t1 = ticket_of(&op, &job_id, &tk1).await;
    assert_eq!(t1["autotask"]["state"], "linked", "{t1}");
    let at1 = t1["autotask"]["ticket_id"].as_i64().expect("Autotask id");
    assert!(t1["url"].as_str().unwrap_or("").contains(&at1.to_string()), "the ww link: {t1}");
    let made = fake.ticket(at1).expect("in Autotask");
    assert_eq!(made["title"], "[Backupchecks] Acme (BC) - Fileserver - Failed", "{made}");
    let description = made["description"].as_str().unwrap_or("");
    assert!(description.contains(&format!("{BASE}/runs/{run1}")), "links the run: {description}");
    assert!(
        description.contains(
            "Job: Fileserver\nBackup: Veeam Backup & Replication / Backup\nRun date/time: 2026-03-02 21:00 UTC\n"
        ),
        "{description}"
    );
    assert!(
        description.contains(
            "\n\nObjects with errors or warnings:\n- VM000, VM001, VM002, VM003, VM004 (Failed): Error: Failed to create VM \
             snapshot. Timed out\nAnd 2 additional objects reported similar errors.\n\n"
        ),
        "scenario B: {description}"
    );
    assert!(!description.contains("Remark:") && !description.contains("VM005"), "{description}");
    assert_eq!((made["queueID"].as_i64(), made["priority"].as_i64()), (Some(QUEUE_HELPDESK), Some(PRIORITY_HIGH)));
    // The reporter sees number and link.
    let seen = ticket_of(&reporter, &job_id, &tk1).await;
    assert_eq!(seen["number"], t1["number"]);

    // ---- a redelivered create does nothing; one that went through unrecorded finds its ticket.
    let posts = fake.count_requests("POST", "Tickets");
    let body = json!({"type": "psa_ticket", "ticket_id": tk1, "action": "create"}).to_string();
    app.run_task(&body).await.expect("redelivery after success");
    let mut stored = app.store.get_ticket(&tk1).await.expect("get").expect("ticket");
    let link = stored.psa.as_mut().expect("link");
    link.state = bc_api_types::PsaTicketState::Pending;
    link.ticket_id = None;
    app.store.update_ticket(&stored).await.expect("as if the answer was lost");
    app.run_task(&body).await.expect("redelivery after a lost answer");
    assert_eq!(fake.count_requests("POST", "Tickets"), posts, "never two tickets for one run");
    let again = ticket_of(&op, &job_id, &tk1).await;
    assert_eq!(again["autotask"]["ticket_id"].as_i64(), Some(at1), "{again}");

    // ---- resolve without time entries: closing note, then Complete.
    let (s, r) = reporter.post(&format!("/api/v1/tickets/{tk1}/autotask-resolve"), &json!({})).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{r}");
    let (s, r) = op.post(&format!("/api/v1/tickets/{tk1}/autotask-resolve"), &json!({})).await;
    assert_eq!(s, StatusCode::ACCEPTED, "{r}");
    assert_eq!(r["autotask"]["pending"], "resolve");
    drain(&app).await;
    let done = ticket_of(&op, &job_id, &tk1).await;
    assert_eq!(done["open"], false, "{done}");
    assert_eq!(fake.ticket(at1).expect("ticket")["status"].as_i64(), Some(STATUS_COMPLETE));
    assert!(fake.notes(at1).iter().any(|n| n["description"] == RESOLVED_NOTE), "{:?}", fake.notes(at1));

    // ---- resolve with time entries: the other note, the ticket stays open.
    // A run-level message: scenario A of §5A (the remark leads; the objects are summarised in one line).
    let remark = "Snapshot storage on SAN01 is full; every VM failed";
    let second = upload(
        &op,
        VeeamMail::new(SENDER, "Fileserver", Status::Failed, 2).objects(3).failing(2).message(remark).eml(),
    )
    .await;
    let run2 = second["run_id"].as_str().expect("a run").to_string();
    let (_, p2) = op.post(&format!("/api/v1/runs/{run2}/autotask-ticket"), &json!({})).await;
    let tk2 = p2["id"].as_str().expect("id").to_string();
    drain(&app).await;
    let at2 = ticket_of(&op, &job_id, &tk2).await["autotask"]["ticket_id"].as_i64().expect("created");
    let d2 = fake.ticket(at2).expect("in Autotask")["description"].as_str().unwrap_or("").to_string();
    assert!(
        d2.contains(&format!(
            "\n\nRemark:\n{remark}\n\nMultiple objects reported errors. See Backupchecks for full details.\n\n"
        )),
        "scenario A: {d2}"
    );
    assert!(
        !d2.contains("VM000")
            && d2.contains("Run date/time: 2026-03-03 21:00 UTC")
            && d2.contains(&format!("{BASE}/runs/{run2}")),
        "{d2}"
    );
    fake.add_time_entry(at2, 0.5);
    op.post(&format!("/api/v1/tickets/{tk2}/autotask-resolve"), &json!({})).await;
    drain(&app).await;
    let left = ticket_of(&op, &job_id, &tk2).await;
    assert_eq!(left["open"], true, "{left}");
    assert!(left["autotask"]["note"].as_str().unwrap_or("").contains("time entr"), "{left}");
    assert!(fake.notes(at2).iter().any(|n| n["description"] == TIME_ENTRIES_NOTE));
    assert_ne!(fake.ticket(at2).expect("ticket")["status"].as_i64(), Some(STATUS_COMPLETE));

    // ---- deleted in Autotask: shown so, kept, and the run can get a new one.
    fake.delete_ticket(at2);
    let (s, checked) = op.post(&format!("/api/v1/tickets/{tk2}/autotask-check"), &json!({})).await;
    assert_eq!(s, StatusCode::OK, "{checked}");
    assert_eq!((checked["autotask"]["state"].as_str(), checked["open"].as_bool()), (Some("deleted"), Some(false)));
    assert_eq!(checked["number"], left["number"], "the reference stays for audit");
    let (s, e) = op.post(&format!("/api/v1/tickets/{tk2}/autotask-resolve"), &json!({})).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "a deleted ticket is not resolved: {e}");
    let (s, renewed) = op.post(&format!("/api/v1/runs/{run2}/autotask-ticket"), &json!({})).await;
    assert_eq!(s, StatusCode::ACCEPTED, "create new is offered: {renewed}");
    drain(&app).await;

    // ---- link an existing ticket by number.
    let third = upload(&op, VeeamMail::new(SENDER, "Fileserver", Status::Warning, 3).eml()).await;
    let run3 = third["run_id"].as_str().expect("a run").to_string();
    let existing = fake.add_tickets(acme, 1)[0];
    let number = fake.ticket(existing).expect("ticket")["ticketNumber"].as_str().expect("number").to_string();
    let (s, e) = op.post(&format!("/api/v1/runs/{run3}/autotask-link"), &json!({"number": "T00000000.9999"})).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{e}");
    let (s, linked) = op.post(&format!("/api/v1/runs/{run3}/autotask-link"), &json!({"number": number})).await;
    assert_eq!(s, StatusCode::CREATED, "{linked}");
    assert_eq!(linked["autotask"]["ticket_id"].as_i64(), Some(existing));

    // ---- a 429 delays the worker; the task is kept and succeeds later.
    let fourth = upload(&op, VeeamMail::new(SENDER, "Fileserver", Status::Failed, 4).eml()).await;
    let run4 = fourth["run_id"].as_str().expect("a run").to_string();
    fake.inject_for("Tickets/*", Fault::RateLimited { retry_after_secs: Some(600) });
    let (_, p4) = op.post(&format!("/api/v1/runs/{run4}/autotask-ticket"), &json!({})).await;
    let tk4 = p4["id"].as_str().expect("id").to_string();
    let body4 = json!({"type": "psa_ticket", "ticket_id": tk4, "action": "create"}).to_string();
    let refused = app.run_task(&body4).await;
    assert!(refused.is_err(), "a rate limit is retried by the queue, not dropped");
    let waiting = ticket_of(&op, &job_id, &tk4).await;
    assert_eq!(waiting["autotask"]["state"], "pending", "{waiting}");
    assert!(waiting["autotask"]["error"].as_str().unwrap_or("").contains("retrying"), "{waiting}");
    app.run_task(&body4).await.expect("the retry goes through");
    assert_eq!(ticket_of(&op, &job_id, &tk4).await["autotask"]["state"], "linked");
    drain(&app).await;

    // ---- the company is renamed in Autotask: the hourly sync follows, the customer keeps its name.
    fake.rename_company(acme, "Acme Corporation");
    assert!(app.tick().await.expect("tick").companies_sync_queued, "the tick queues the hourly sync");
    drain(&app).await;
    let (_, c) = op.get(&format!("/api/v1/customers/{customer_id}")).await;
    assert_eq!(
        (c["name"].as_str(), c["autotask"]["company_name"].as_str()),
        (Some("Acme (BC)"), Some("Acme Corporation"))
    );
    assert_eq!(c["autotask"]["status"], "renamed");
    // Gone in Autotask: invalid, and ticket creation is blocked with a clear message.
    fake.delete_company(acme);
    let fifth = upload(&op, VeeamMail::new(SENDER, "Fileserver", Status::Failed, 5).eml()).await;
    let run5 = fifth["run_id"].as_str().expect("a run").to_string();
    // The tick syncs once an hour; the sync itself runs now.
    assert_eq!(app.sync_companies_now().await.expect("sync"), 1);
    let (s, e) = op.post(&format!("/api/v1/runs/{run5}/autotask-ticket"), &json!({})).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{e}");
    assert!(e["error"]["message"].as_str().unwrap_or("").contains("missing or inaccessible"), "{e}");

    // ---- the trail.
    let (_, trail) = admin.get(&format!("/api/v1/audit?entity_type=ticket&entity_id={tk1}")).await;
    let actions: Vec<&str> =
        trail["items"].as_array().expect("items").iter().filter_map(|e| e["action"].as_str()).collect();
    for a in ["create", "autotask_created", "resolve_requested", "autotask_resolve"] {
        assert!(actions.contains(&a), "{a} in {actions:?}");
    }
    // The secret store holds the credentials, not the settings.
    let stored = app.secrets.get(SecretName::Autotask).await.expect("secret").expect("set");
    assert!(stored.contains(&creds.username));
}

/// The hourly request budget is one for every process: two budgets (two
/// function instances) on the same store share it.
async fn budget_is_shared(app: &App) {
    use bc_autotask::{RequestBudget, StoreBudget};
    let a = StoreBudget::named(app.store.clone(), 2 * StoreBudget::BLOCK, "test-budget");
    let b = StoreBudget::named(app.store.clone(), 2 * StoreBudget::BLOCK, "test-budget");
    for _ in 0..StoreBudget::BLOCK {
        assert!(a.try_take().await && b.try_take().await);
    }
    assert!(!a.try_take().await && !b.try_take().await, "40 requests an hour between them, no more");
}

#[tokio::test]
async fn autotask_on_the_embedded_store() {
    let rt = Runtime::embedded().with_users().await;
    autotask_on(rt.app.clone()).await;
    budget_is_shared(&rt.app).await;
}

#[cfg(feature = "aws")]
#[tokio::test]
async fn autotask_on_dynamodb_s3_sqs_through_moto() {
    let rt = Runtime::aws("autotask").await.with_users().await;
    let adapters = rt.aws.as_ref().expect("aws adapters");
    let sm = aws_sdk_secretsmanager::Client::new(&adapters.sdk);
    let out = sm
        .create_secret()
        .name(format!("{}/autotask", bc_aws::testing::unique_prefix("autotask")))
        .secret_string(r#"{"username":"","secret":""}"#)
        .send()
        .await
        .expect("create the secret as the template does");
    let arns = std::collections::HashMap::from([(SecretName::Autotask, out.arn().expect("arn").to_string())]);
    let secrets: Arc<dyn Secrets> = Arc::new(bc_aws::SecretsManagerSecrets::new(sm, arns));
    autotask_on(rt.app.clone().with_secrets(secrets)).await;
    budget_is_shared(&rt.app).await;
}
