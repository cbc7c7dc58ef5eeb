//! The job lifecycle on both runtimes, over HTTP: rename (the identity
//! stays), move to another customer (its runs follow, in the worker), merge
//! (runs, remarks, tickets and job overrides move; the old identity routes
//! to the kept job), archive (out of Run Checks; later mails are kept but
//! raise nothing, even after unarchiving), undo an approval (mails back to
//! the Inbox), delete with runs (mails become deleted mails; remarks,
//! tickets and job overrides go with the job), the role matrix, bad input,
//! and the audit trail.

use bc_api_types::Status;
use bc_tests::mails::VeeamMail;
use bc_tests::server::Client;
use bc_tests::server::TestServer;
use bc_tests::{ADMIN, OPERATOR, Runtime, VIEWER};
use reqwest::StatusCode;
use serde_json::{Value, json};

const SENDER: &str = "veeam@lifecycle.example.com";

async fn upload(c: &Client, eml: Vec<u8>) -> Value {
    let (s, body) = c.post_raw("/api/v1/mails", "message/rfc822", eml).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    body
}

async fn approve(c: &Client, mail_id: &str, customer_id: &str) -> (String, String) {
    let (s, a) = c.post(&format!("/api/v1/inbox/{mail_id}/approve"), &json!({"customer_id": customer_id})).await;
    assert_eq!(s, StatusCode::OK, "{a}");
    (a["job"]["id"].as_str().expect("job").to_string(), a["run"]["id"].as_str().expect("run").to_string())
}

async fn drain(rt: &Runtime) {
    while rt.app.drain_queue_once(10).await.expect("worker") > 0 {}
}

/// Job id → run ids shown in Run Checks.
async fn checks(c: &Client, query: &str) -> Vec<(String, Vec<String>)> {
    let (s, body) = c.get(&format!("/api/v1/run-checks{query}")).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let mut out: Vec<(String, Vec<String>)> = body["jobs"]
        .as_array()
        .expect("jobs")
        .iter()
        .map(|j| {
            let mut runs: Vec<String> =
                j["runs"].as_array().expect("runs").iter().map(|r| r["id"].as_str().unwrap_or("").into()).collect();
            runs.sort();
            (j["id"].as_str().unwrap_or("").to_string(), runs)
        })
        .collect();
    out.sort();
    out
}

async fn job_runs(c: &Client, job_id: &str) -> Vec<Value> {
    let (s, body) = c.get(&format!("/api/v1/jobs/{job_id}/runs")).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    body["items"].as_array().expect("items").clone()
}

async fn job_names(c: &Client, query: &str) -> Vec<String> {
    let (s, body) = c.get(&format!("/api/v1/jobs{query}")).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    body["items"].as_array().expect("items").iter().map(|j| j["job_name"].as_str().unwrap_or("").into()).collect()
}

async fn customer(c: &Client, name: &str) -> String {
    let (s, body) = c.post("/api/v1/customers", &json!({"name": name})).await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    body["id"].as_str().expect("id").to_string()
}

async fn job_count(c: &Client, customer_id: &str) -> u64 {
    let (_, body) = c.get(&format!("/api/v1/customers/{customer_id}")).await;
    body["job_count"].as_u64().unwrap_or_else(|| panic!("job_count in {body}"))
}

async fn lifecycle_on(rt: Runtime) {
    let server = TestServer::start(rt.app.clone()).await;
    let admin = server.login(ADMIN).await;
    let op = server.login(OPERATOR).await;
    let viewer = server.login(VIEWER).await;
    let hq = customer(&op, "Lifecycle HQ").await;
    let branch = customer(&op, "Lifecycle Branch").await;

    // "Nightly": three runs. "Nightly v2" (the job after a rename in the
    // backup software): two runs.
    let first = upload(&op, VeeamMail::new(SENDER, "Nightly", Status::Warning, 1).eml()).await;
    let (nightly, n1) = approve(&op, first["mail_id"].as_str().expect("mail"), &hq).await;
    for seq in 2..=3 {
        let r = upload(&op, VeeamMail::new(SENDER, "Nightly", Status::Success, seq).eml()).await;
        assert_eq!(r["job_id"].as_str(), Some(nightly.as_str()), "{r}");
    }
    let v2_first = upload(&op, VeeamMail::new(SENDER, "Nightly v2", Status::Failed, 10).eml()).await;
    let (v2, v2_run) = approve(&op, v2_first["mail_id"].as_str().expect("mail"), &hq).await;
    upload(&op, VeeamMail::new(SENDER, "Nightly v2", Status::Success, 11).eml()).await;
    assert_eq!(job_count(&op, &hq).await, 2);

    // ---- rename: the name changes, the identity (and routing) stays.
    let (s, e) = op.post(&format!("/api/v1/jobs/{nightly}/rename"), &json!({"name": "x".repeat(201)})).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{e}");
    assert!(e["error"]["message"].as_str().unwrap_or("").contains("at most 200"), "{e}");
    let (s, _) = viewer.post(&format!("/api/v1/jobs/{nightly}/rename"), &json!({"name": "Mine"})).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "viewers change no job");
    let (s, r) = op.post(&format!("/api/v1/jobs/{nightly}/rename"), &json!({"name": "  SQL nightly (HQ) "})).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["job"]["job_name"], "SQL nightly (HQ)");
    assert_eq!(r["job"]["original_name"], "Nightly");
    assert!(r["operation"].is_null(), "a rename touches no run");
    assert_eq!(job_names(&op, "?q=sql%20night").await, ["SQL nightly (HQ)"]);
    let r4 = upload(&op, VeeamMail::new(SENDER, "Nightly", Status::Success, 4).eml()).await;
    assert_eq!(r4["job_id"].as_str(), Some(nightly.as_str()), "mails still route by identity: {r4}");

    // ---- move to another customer: the job at once, its runs in the worker.
    let (s, e) = op.post(&format!("/api/v1/jobs/{nightly}/move"), &json!({"customer_id": "c-nope"})).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{e}");
    let (s, r) = op.post(&format!("/api/v1/jobs/{nightly}/move"), &json!({"customer_id": branch})).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["job"]["customer_name"], "Lifecycle Branch");
    assert!(r["operation"]["id"].is_string(), "{r}");
    drain(&rt).await;
    let (_, o) = op.get(&format!("/api/v1/operations/{}", r["operation"]["id"].as_str().unwrap())).await;
    assert_eq!((o["state"].as_str(), o["done"].as_u64()), (Some("done"), Some(4)), "{o}");
    assert_eq!((job_count(&op, &hq).await, job_count(&op, &branch).await), (1, 1));
    let branch_checks = checks(&op, &format!("?customer_id={branch}")).await;
    assert_eq!(branch_checks.len(), 1);
    assert_eq!((branch_checks[0].0.as_str(), branch_checks[0].1.len()), (nightly.as_str(), 4));

    // ---- merge "Nightly v2" into "Nightly": notes and overrides move too.
    let (s, remark) =
        op.post(&format!("/api/v1/jobs/{v2}/remarks"), &json!({"text": "renamed in VBR", "run_id": v2_run})).await;
    assert_eq!(s, StatusCode::CREATED, "{remark}");
    let (s, ticket) =
        op.post(&format!("/api/v1/jobs/{v2}/tickets"), &json!({"run_id": v2_run, "number": "T-4711"})).await;
    assert_eq!(s, StatusCode::CREATED, "{ticket}");
    let (s, ov) = op
        .post(
            "/api/v1/overrides",
            &json!({"scope": {"kind": "job", "job_id": v2}, "status": "failed", "comment": "known"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{ov}");
    let (s, e) = op.post(&format!("/api/v1/jobs/{nightly}/merge"), &json!({"from_job_id": nightly})).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{e}");
    let (s, _) = viewer.post(&format!("/api/v1/jobs/{nightly}/merge"), &json!({"from_job_id": v2})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, r) = op.post(&format!("/api/v1/jobs/{nightly}/merge"), &json!({"from_job_id": v2})).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["job"]["run_count"], 6, "{r}");
    assert_eq!(r["job"]["merged_from"], json!([v2]));
    drain(&rt).await;
    let runs = job_runs(&op, &nightly).await;
    assert_eq!(runs.len(), 6);
    assert!(runs.iter().any(|r| r["id"] == v2_run.as_str()));
    assert!(job_runs(&op, &v2).await.is_empty(), "the alias keeps no run");
    let (s, alias) = op.get(&format!("/api/v1/jobs/{v2}")).await;
    assert_eq!((s, alias["id"].as_str()), (StatusCode::OK, Some(nightly.as_str())), "the alias shows the kept job");
    assert_eq!(job_names(&op, "").await, ["SQL nightly (HQ)"], "the alias is not listed");
    assert_eq!(job_count(&op, &hq).await, 0);
    let (_, remarks) = op.get(&format!("/api/v1/jobs/{nightly}/remarks")).await;
    assert_eq!(remarks["items"].as_array().map(Vec::len), Some(1), "{remarks}");
    let (_, tickets) = op.get(&format!("/api/v1/jobs/{nightly}/tickets")).await;
    assert_eq!(tickets["items"].as_array().map(Vec::len), Some(1), "{tickets}");
    let (_, ov_now) = op.get(&format!("/api/v1/overrides/{}", ov["id"].as_str().unwrap())).await;
    assert_eq!(
        ov_now["spec"]["scope"]["job_id"].as_str().or(ov_now["scope"]["job_id"].as_str()),
        Some(nightly.as_str()),
        "{ov_now}"
    );
    // The old identity routes to the kept job from now on.
    let late = upload(&op, VeeamMail::new(SENDER, "Nightly v2", Status::Success, 12).eml()).await;
    assert_eq!(late["job_id"].as_str(), Some(nightly.as_str()), "{late}");
    let (s, e) = op.post(&format!("/api/v1/jobs/{v2}/rename"), &json!({"name": "x"})).await;
    assert_eq!(s, StatusCode::CONFLICT, "an alias is not changed: {e}");

    // ---- archive: out of Run Checks and the job list; later mails kept silently.
    let before_archive = checks(&op, "").await;
    assert_eq!(before_archive.len(), 1);
    let shown_before = before_archive[0].1.clone();
    let (s, r) = op.post(&format!("/api/v1/jobs/{nightly}/archive"), &json!({})).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["job"]["archived_by"], OPERATOR.0);
    assert!(checks(&op, "").await.is_empty(), "an archived job leaves Run Checks");
    assert!(job_names(&op, "").await.is_empty());
    assert_eq!(job_names(&op, "?archived=true").await, ["SQL nightly (HQ)"]);
    assert_eq!(job_names(&op, "?archived=all").await, ["SQL nightly (HQ)"]);
    let (s, _) = op.get("/api/v1/jobs?archived=maybe").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let quiet = upload(&op, VeeamMail::new(SENDER, "Nightly", Status::Failed, 5).eml()).await;
    let quiet_run = quiet["run_id"].as_str().expect("the mail of an archived job still becomes a run").to_string();
    assert_eq!(quiet["job_id"].as_str(), Some(nightly.as_str()));
    assert!(checks(&op, "").await.is_empty(), "and raises nothing");
    let (s, r) = op.post(&format!("/api/v1/jobs/{nightly}/unarchive"), &json!({})).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert!(r["job"]["archived_at"].is_null());
    let after = checks(&op, "").await;
    assert_eq!(after.len(), 1);
    assert!(!after[0].1.contains(&quiet_run), "a run made while archived stays out of Run Checks");
    assert_eq!(after[0].1, shown_before, "what waited before archiving is back");
    assert!(
        shown_before.contains(&late["run_id"].as_str().expect("late run").to_string()),
        "the alias's late mail too"
    );
    assert!(job_runs(&op, &nightly).await.iter().any(|r| r["id"] == quiet_run.as_str()), "but in the history");

    // ---- undo an approval: admins only, confirmed by name; mails back to the Inbox.
    let weekly_mail = upload(&op, VeeamMail::new(SENDER, "Weekly", Status::Success, 20).eml()).await;
    let weekly_mail = weekly_mail["mail_id"].as_str().expect("mail").to_string();
    let (weekly, _) = approve(&op, &weekly_mail, &hq).await;
    upload(&op, VeeamMail::new(SENDER, "Weekly", Status::Success, 21).eml()).await;
    let (s, _) = op.post(&format!("/api/v1/jobs/{weekly}/unapprove"), &json!({"confirm": "Weekly"})).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "operators do not undo approvals");
    let (s, e) = admin.post(&format!("/api/v1/jobs/{weekly}/unapprove"), &json!({"confirm": "weekly"})).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{e}");
    assert!(e["error"]["message"].as_str().unwrap_or("").contains("type the job's name"), "{e}");
    let (s, r) = admin.post(&format!("/api/v1/jobs/{weekly}/unapprove"), &json!({"confirm": "Weekly"})).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert!(r["job"].is_null());
    drain(&rt).await;
    let (s, _) = op.get(&format!("/api/v1/jobs/{weekly}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (_, inbox) = op.get("/api/v1/inbox").await;
    let weekly_in_inbox =
        inbox["items"].as_array().expect("items").iter().filter(|m| m["job_name"] == "Weekly").count();
    assert_eq!(weekly_in_inbox, 2, "{inbox}");
    assert_eq!(job_count(&op, &hq).await, 0);
    // And can be approved again.
    let (again, _) = approve(&op, &weekly_mail, &branch).await;
    assert_eq!(again, weekly);
    assert_eq!(job_runs(&op, &weekly).await.len(), 2);

    // ---- delete with runs: admins only; mails become deleted mails.
    let (s, _) = op.post(&format!("/api/v1/jobs/{nightly}/delete"), &json!({"confirm": "SQL nightly (HQ)"})).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "operators do not delete jobs");
    let (s, r) = admin.post(&format!("/api/v1/jobs/{nightly}/delete"), &json!({"confirm": "SQL nightly (HQ)"})).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    drain(&rt).await;
    let (s, _) = op.get(&format!("/api/v1/jobs/{nightly}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = op.get(&format!("/api/v1/jobs/{v2}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "its alias goes with it");
    let (s, _) = op.get(&format!("/api/v1/runs/{n1}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (_, deleted) = admin.get("/api/v1/inbox/deleted").await;
    let gone = deleted["items"].as_array().expect("items").iter().filter(|m| m["sender"] == SENDER).count();
    assert_eq!(gone, 8, "every mail of the job and its alias is kept as a deleted mail: {deleted}");
    let (s, _) = op.get(&format!("/api/v1/overrides/{}", ov["id"].as_str().unwrap())).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "its job override goes with it");
    let (s, _) = op.get(&format!("/api/v1/jobs/{nightly}/remarks")).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "its remarks go with it");
    let (_, checks_now) = op.get("/api/v1/run-checks").await;
    assert!(checks_now["jobs"].as_array().expect("jobs").iter().all(|j| j["id"] != nightly.as_str()), "{checks_now}");
    let (_, open) = op.get(&format!("/api/v1/jobs/{weekly}/tickets")).await;
    assert_eq!(open["items"].as_array().map(Vec::len), Some(0), "{open}");
    // A new mail of the deleted job's identity waits in the Inbox again.
    let back = upload(&op, VeeamMail::new(SENDER, "Nightly", Status::Success, 6).eml()).await;
    assert_eq!(back["state"], "inbox", "{back}");
    assert!(back["run_id"].is_null());

    // ---- the audit trail has every change.
    let (_, trail) = admin.get(&format!("/api/v1/audit?entity_type=job&entity_id={nightly}")).await;
    let mut actions: Vec<&str> =
        trail["items"].as_array().expect("items").iter().filter_map(|e| e["action"].as_str()).collect();
    actions.sort();
    assert_eq!(actions, ["approve", "archive", "delete", "merge", "move", "rename", "unarchive"], "{trail}");
    let (_, trail) = admin.get(&format!("/api/v1/audit?entity_type=job&entity_id={v2}")).await;
    assert!(trail["items"].as_array().expect("items").iter().any(|e| e["action"] == "merged_into"), "{trail}");
    let (_, trail) = admin.get(&format!("/api/v1/audit?entity_type=job&entity_id={weekly}")).await;
    assert!(trail["items"].as_array().expect("items").iter().any(|e| e["action"] == "unapprove"), "{trail}");
}

#[tokio::test]
async fn job_lifecycle_on_the_embedded_store() {
    lifecycle_on(Runtime::embedded().with_users().await).await;
}

#[cfg(feature = "aws")]
#[tokio::test]
async fn job_lifecycle_on_dynamodb_s3_sqs_through_moto() {
    lifecycle_on(Runtime::aws("job-lifecycle").await.with_users().await).await;
}
