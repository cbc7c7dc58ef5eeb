//! The groundwork on both runtimes: every action lands in the audit trail;
//! API tokens work on every route exactly as a session of their role does;
//! Run Checks pages through 20,000 unreviewed runs; a review of whole jobs
//! takes only the runs that had arrived when the page was read; a review of
//! 5,000 runs runs in the worker, batch by batch, safe under redelivery.

use std::collections::{BTreeSet, HashSet};
use std::sync::Arc;

use bc_api_types::{MailState, OperationState, Status};
use bc_core::Store;
use bc_core::model::{Customer, Job, Mail, Run};
use bc_core::repos::RecordRun;
use bc_tests::mails::{VeeamMail, newsletter};
use bc_tests::server::{Client, TestServer};
use bc_tests::{ADMIN, OPERATOR, REPORTER, Runtime, VIEWER};
use chrono::{DateTime, Duration, TimeZone, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};

const SENDER: &str = "veeam@acme.example.com";

async fn upload(c: &Client, eml: Vec<u8>) -> Value {
    let (s, body) = c.post_raw("/api/v1/mails", "message/rfc822", eml).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    body
}

fn base() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 10, 1, 0, 0, 0).single().expect("time")
}

/// Stores `n` runs of a new job straight through the store (volume tests
/// need no parsing). Statuses cycle Success, Warning, Failed from `offset`.
async fn seed_job(store: &Arc<dyn Store>, customer_id: &str, job_id: &str, n: usize, offset: usize) {
    let job = Job {
        id: job_id.into(),
        identity: format!("{SENDER}|veeam|{job_id}"),
        customer_id: customer_id.into(),
        sender: SENDER.into(),
        software: if offset.is_multiple_of(2) { "Veeam Backup & Replication".into() } else { "Proxmox VE".into() },
        job_type: "Backup".into(),
        job_name: format!("Job {job_id}"),
        parser: "veeam-vbr".into(),
        approved_at: base(),
        approved_by: "olga".into(),
        last_run: None,
        run_count: 0,
        lifecycle: Default::default(),
        schedule: Default::default(),
        ping: None,
        source: Default::default(),
        version: 0,
    };
    assert!(store.insert_job(&job).await.expect("job"));
    // Concurrent writes of one job's runs would conflict on its version;
    // the seed writes them in turn.
    for i in 0..n {
        let j = store.get_job(job_id).await.expect("get").expect("job");
        let at = base() + Duration::minutes(i as i64);
        let mail_id = format!("m{job_id}x{i}");
        let mail = Mail {
            subject: "seed".into(),
            size: 1,
            ..Mail::received(&mail_id, &mail_id, format!("inbound/{mail_id}.eml"), SENDER, at)
        };
        assert!(store.insert_mail(&mail).await.expect("mail"));
        let run = Run {
            mail_id: mail_id.clone(),
            started_at: Some(at),
            ..Run::new(
                format!("r{job_id}x{i}"),
                job_id,
                customer_id,
                [Status::Success, Status::Warning, Status::Failed][(i + offset) % 3],
                at,
            )
        };
        let mut processed = mail.clone();
        processed.state = MailState::Processed;
        let mut j2 = j.clone();
        j2.run_count += 1;
        assert!(store.record_run(RecordRun { run: &run, job: &j2, mail: &processed }).await.expect("run"));
    }
}

async fn customer(store: &Arc<dyn Store>, id: &str, name: &str) {
    store
        .insert_customer(&Customer {
            id: id.into(),
            name: name.into(),
            active: true,
            created_at: base(),
            job_count: 0,
            psa: None,
            version: 0,
        })
        .await
        .expect("customer");
}

// ---------------------------------------------------------------- audit

async fn every_action_is_in_the_audit_trail(rt: Runtime) {
    let server = TestServer::start(rt.app.clone()).await;
    let admin = server.login(ADMIN).await;
    let op = server.login(OPERATOR).await;

    let (_, c) = op.post("/api/v1/customers", &json!({"name": "Acme"})).await;
    let customer_id = c["id"].as_str().expect("customer").to_string();
    let (s, _) = op.patch(&format!("/api/v1/customers/{customer_id}"), &json!({"name": "Acme BV"})).await;
    assert_eq!(s, StatusCode::OK);
    let first = upload(&op, VeeamMail::new(SENDER, "Daily", Status::Warning, 1).eml()).await;
    upload(&op, VeeamMail::new(SENDER, "Daily", Status::Failed, 2).eml()).await;
    let mail_id = first["mail_id"].as_str().expect("mail").to_string();
    let (s, approved) =
        op.post(&format!("/api/v1/inbox/{mail_id}/approve"), &json!({"customer_id": customer_id})).await;
    assert_eq!(s, StatusCode::OK, "{approved}");
    let job_id = approved["job"]["id"].as_str().expect("job").to_string();
    let run_id = approved["run"]["id"].as_str().expect("run").to_string();
    let (s, r) = op.post("/api/v1/run-checks/review", &json!({"job_ids": [job_id]})).await;
    assert_eq!((s, r["changed"].as_u64()), (StatusCode::OK, Some(2)), "{r}");
    let (s, _) = admin.post("/api/v1/run-checks/unreview", &json!({"run_ids": [run_id]})).await;
    assert_eq!(s, StatusCode::OK);
    let news = upload(&op, newsletter(7)).await["mail_id"].as_str().expect("mail").to_string();
    assert_eq!(op.delete(&format!("/api/v1/inbox/{news}")).await.0, StatusCode::NO_CONTENT);
    assert_eq!(admin.post(&format!("/api/v1/inbox/{news}/restore"), &json!({})).await.0, StatusCode::NO_CONTENT);
    assert_eq!(op.post("/api/v1/inbox/reparse", &json!({"mail_ids": [news]})).await.0, StatusCode::OK);
    assert_eq!(admin.put("/api/v1/settings", &json!({"time_zone": "Europe/Amsterdam"})).await.0, StatusCode::OK);
    let rules = json!({"rules": [{"sender": "@news.example", "failure": ["error"], "warning": [], "success": ["ok"]}]});
    assert_eq!(admin.put("/api/v1/settings/keyword-rules", &rules).await.0, StatusCode::OK);
    assert!(admin.post("/api/v1/settings/test-mail", &json!({"to": "ops@msp.example"})).await.0.is_success());
    let (_, u) =
        admin.post("/api/v1/users", &json!({"username": "wim", "password": "wim-password-1", "role": "viewer"})).await;
    let user_id = u["id"].as_str().expect("user").to_string();
    assert_eq!(admin.patch(&format!("/api/v1/users/{user_id}"), &json!({"role": "operator"})).await.0, StatusCode::OK);
    let reset = json!({"password": "wim-password-2"});
    assert_eq!(admin.patch(&format!("/api/v1/users/{user_id}"), &reset).await.0, StatusCode::OK);
    let wim = server.login(("wim", "wim-password-2")).await;
    let change = json!({"current_password": "wim-password-2", "new_password": "wim-password-3"});
    assert_eq!(wim.post("/api/v1/auth/password", &change).await.0, StatusCode::NO_CONTENT);
    let (token_id, _) = server.token_client(&admin, "rmm", "viewer").await;
    assert_eq!(admin.post(&format!("/api/v1/api-tokens/{token_id}/revoke"), &json!({})).await.0, StatusCode::OK);

    // Only admins read the trail.
    for who in [&op, &server.login(VIEWER).await, &server.login(REPORTER).await] {
        assert_eq!(who.get("/api/v1/audit").await.0, StatusCode::FORBIDDEN);
    }
    let mut entries = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/audit?limit=7&cursor={c}"),
            None => "/api/v1/audit?limit=7".to_string(),
        };
        let (s, page) = admin.get(&path).await;
        assert_eq!(s, StatusCode::OK, "{page}");
        entries.extend(page["items"].as_array().expect("items").iter().cloned());
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    let seen: BTreeSet<(String, String)> = entries
        .iter()
        .map(|e| (e["entity_type"].as_str().unwrap_or("").to_string(), e["action"].as_str().unwrap_or("").to_string()))
        .collect();
    for (entity, action) in [
        ("customer", "create"),
        ("customer", "update"),
        ("mail", "upload"),
        ("job", "approve"),
        ("run", "review"),
        ("run", "unreview"),
        ("mail", "delete"),
        ("mail", "restore"),
        ("mail", "reparse"),
        ("settings", "update"),
        ("settings", "send"),
        ("user", "create"),
        ("user", "update"),
        ("user", "change_password"),
        ("api_token", "create"),
        ("api_token", "revoke"),
    ] {
        assert!(seen.contains(&(entity.to_string(), action.to_string())), "no {entity} {action} in {seen:?}");
    }
    // Newest first, with who, and the fields that changed; never a secret.
    let times: Vec<&str> = entries.iter().map(|e| e["at"].as_str().unwrap_or("")).collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "newest first");
    let text = serde_json::to_string(&entries).expect("json");
    assert!(!text.contains("password_hash") && !text.contains("wim-password") && !text.contains("token_hash"));
    let role_change = entries
        .iter()
        .find(|e| e["entity_id"] == user_id.as_str() && e["after"]["role"] == "operator")
        .expect("the role change");
    assert_eq!(
        (role_change["actor"].as_str(), role_change["before"]["role"].as_str()),
        (Some("admin"), Some("viewer"))
    );
    // One entity's history.
    let (_, run_trail) = admin.get(&format!("/api/v1/audit?entity_type=run&entity_id={run_id}")).await;
    let actions: Vec<&str> =
        run_trail["items"].as_array().expect("items").iter().filter_map(|e| e["action"].as_str()).collect();
    assert_eq!(actions, vec!["unreview", "review"]);
    let (_, by_actor) = admin.get("/api/v1/audit?actor=olga&action=review").await;
    assert_eq!(by_actor["items"].as_array().map(Vec::len), Some(2));
    assert_eq!(admin.get("/api/v1/audit?entity_id=x").await.0, StatusCode::BAD_REQUEST);
}

// ---------------------------------------------------------------- tokens

/// Every route of the OpenAPI document, with path parameters filled.
fn routes(doc: &Value, ids: &[(&str, String)]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in item.as_object().expect("methods").keys() {
            let mut p = path.clone();
            for (name, value) in ids {
                p = p.replace(&format!("{{{name}}}"), value);
            }
            out.push((method.to_uppercase(), p));
        }
    }
    out
}

async fn call(c: &Client, method: &str, path: &str) -> StatusCode {
    let url = c.url(path);
    let req = match method {
        "GET" => c.http.get(url),
        "POST" if path == "/api/v1/mails" => c.http.post(url).header("content-type", "message/rfc822").body("x"),
        "POST" if path.ends_with("/import") => c.http.post(url).header("content-type", "text/csv").body("name\n"),
        "POST" => c.http.post(url).json(&json!({})),
        "PUT" => c.http.put(url).json(&json!({})),
        "PATCH" => c.http.patch(url).json(&json!({})),
        "DELETE" => c.http.delete(url),
        other => panic!("method {other}"),
    };
    req.send().await.expect("request").status()
}

async fn api_tokens_act_as_their_role_on_every_route(rt: Runtime) {
    let server = TestServer::start(rt.app.clone()).await;
    let admin = server.login(ADMIN).await;
    let op = server.login(OPERATOR).await;
    let (_, c) = op.post("/api/v1/customers", &json!({"name": "Acme"})).await;
    let customer_id = c["id"].as_str().expect("customer").to_string();
    let mail = upload(&op, VeeamMail::new(SENDER, "Daily", Status::Warning, 1).eml()).await;
    let mail_id = mail["mail_id"].as_str().expect("mail").to_string();
    let other = upload(&op, newsletter(2)).await["mail_id"].as_str().expect("mail").to_string();
    let (_, approved) =
        op.post(&format!("/api/v1/inbox/{mail_id}/approve"), &json!({"customer_id": customer_id})).await;
    let job_id = approved["job"]["id"].as_str().expect("job").to_string();
    let run_id = approved["run"]["id"].as_str().expect("run").to_string();
    let (_, users) = admin.get("/api/v1/users").await;
    let user_id = users["items"][0]["id"].as_str().expect("user").to_string();
    let ids = [
        ("id", other.clone()),
        ("job_id", job_id.clone()),
        ("run_id", run_id.clone()),
        ("customer_id", customer_id.clone()),
        ("user_id", user_id.clone()),
    ];
    let (_, doc) = server.client().get("/api/v1/openapi.json").await;
    let mut all = routes(&doc, &ids);
    // Paths whose one `{id}` means something else than a mail.
    for r in all.iter_mut() {
        for (prefix, value) in [
            ("/api/v1/jobs/", &job_id),
            ("/api/v1/runs/", &run_id),
            ("/api/v1/customers/", &customer_id),
            ("/api/v1/users/", &user_id),
            ("/api/v1/operations/", &"o0000".to_string()),
            ("/api/v1/api-tokens/", &"t0000".to_string()),
        ] {
            if r.1.starts_with(prefix) {
                r.1 = r.1.replacen(&other, value, 1);
            }
        }
    }
    assert!(all.len() >= 35, "the document lists every route: {}", all.len());
    // Sign-in steps and one's own two-factor: for people (a session or a
    // pending sign-in), not tokens, which belong to no user.
    let skip = [
        "/api/v1/auth/two-factor",
        "/api/v1/auth/two-factor/disable",
        "/api/v1/auth/login",
        "/api/v1/auth/logout",
        "/api/v1/auth/password",
        "/api/v1/auth/login/code",
        "/api/v1/auth/two-factor/enrol",
        "/api/v1/auth/two-factor/confirm",
    ];
    let mut compared = 0;
    for (role, login) in [("admin", ADMIN), ("operator", OPERATOR), ("reporter", REPORTER), ("viewer", VIEWER)] {
        let session = server.login(login).await;
        let (_, token) = server.token_client(&admin, &format!("{role} tool"), role).await;
        for (method, path) in &all {
            // The BES protocol authenticates engines by signature, never a token or session.
            if skip.contains(&path.as_str()) || path.starts_with("/bes/") {
                continue;
            }
            let by_token = call(&token, method, path).await;
            let by_session = call(&session, method, path).await;
            assert_eq!(by_token, by_session, "{role} {method} {path}: token and session must agree");
            assert_ne!(by_token, StatusCode::UNAUTHORIZED, "{role} {method} {path}: the token was not accepted");
            compared += 1;
        }
        // The role matrix itself, through the token.
        let want_checks = if matches!(role, "admin" | "operator") { StatusCode::OK } else { StatusCode::FORBIDDEN };
        assert_eq!(token.get("/api/v1/run-checks").await.0, want_checks, "{role} run checks");
        let want_admin = if role == "admin" { StatusCode::OK } else { StatusCode::FORBIDDEN };
        assert_eq!(token.get("/api/v1/users").await.0, want_admin, "{role} users");
        assert_eq!(token.get("/api/v1/audit").await.0, want_admin, "{role} audit");
        assert_eq!(token.get("/api/v1/api-tokens").await.0, want_admin, "{role} tokens");
        assert_eq!(token.get("/api/v1/jobs").await.0, StatusCode::OK, "{role} jobs");
        let want_reports = if matches!(role, "admin" | "reporter") { StatusCode::OK } else { StatusCode::FORBIDDEN };
        assert_eq!(token.get("/api/v1/reports").await.0, want_reports, "{role} reports");
        let (_, me) = token.get("/api/v1/auth/me").await;
        assert_eq!(me["role"], role);
        assert_eq!(me["username"], format!("token:{role} tool"));
    }
    assert!(compared > 100);
    // Revoked, forged and malformed tokens are 401; a token is never a cookie.
    let (id, token) = server.token_client(&admin, "soon gone", "admin").await;
    assert_eq!(token.get("/api/v1/users").await.0, StatusCode::OK);
    let (_, list) = admin.get("/api/v1/api-tokens").await;
    let listed =
        list["items"].as_array().expect("items").iter().find(|t| t["id"] == id.as_str()).expect("listed").clone();
    assert!(listed["last_used_at"].is_string(), "last use is recorded: {listed}");
    assert!(listed.get("token").is_none() && listed.get("token_hash").is_none());
    admin.post(&format!("/api/v1/api-tokens/{id}/revoke"), &json!({})).await;
    assert_eq!(token.get("/api/v1/users").await.0, StatusCode::UNAUTHORIZED);
    for bad in [format!("bct_{id}_{}", "x".repeat(43)), "bct_nope".into(), "garbage".into()] {
        assert_eq!(server.bearer(&bad).get("/api/v1/jobs").await.0, StatusCode::UNAUTHORIZED, "{bad}");
    }
    assert_eq!(
        admin.post("/api/v1/api-tokens", &json!({"name": " ", "role": "viewer"})).await.0,
        StatusCode::BAD_REQUEST
    );
}

// ------------------------------------------------------------ Run Checks

async fn page_through(c: &Client, query: &str, limit: usize) -> (Vec<Value>, Value) {
    let mut jobs = Vec::new();
    let mut cursor: Option<String> = None;
    let mut totals;
    loop {
        let path = match &cursor {
            Some(cur) => format!("/api/v1/run-checks?limit={limit}{query}&cursor={cur}"),
            None => format!("/api/v1/run-checks?limit={limit}{query}"),
        };
        let (s, page) = c.get(&path).await;
        assert_eq!(s, StatusCode::OK, "{page}");
        let items = page["jobs"].as_array().expect("jobs");
        assert!(items.len() <= limit);
        jobs.extend(items.iter().cloned());
        totals = page["totals"].clone();
        match page["next_cursor"].as_str() {
            Some(cur) => cursor = Some(cur.to_string()),
            None => break,
        }
    }
    (jobs, totals)
}

fn severity(s: &Value) -> u8 {
    match s.as_str() {
        Some("Failed") => 2,
        Some("Warning") => 1,
        _ => 0,
    }
}

/// `jobs` jobs of `runs_each` runs over `customers` customers, then every
/// page of Run Checks: each job once, worst first, totals over all pages.
async fn run_checks_pages(rt: Runtime, customers: usize, jobs: usize, runs_each: usize, limit: usize) {
    let store = rt.app.store.clone();
    for c in 0..customers {
        customer(&store, &format!("c{c}"), &format!("Customer {c:03}")).await;
    }
    for j in 0..jobs {
        // Job j's worst status depends on its runs: one run only makes
        // some jobs Success or Warning at worst.
        let n = if j % 5 == 0 { 1 } else { runs_each };
        seed_job(&store, &format!("c{}", j % customers), &format!("j{j}"), n, j).await;
    }
    let expected_runs: usize = (0..jobs).map(|j| if j % 5 == 0 { 1 } else { runs_each }).sum();
    let server = TestServer::start(rt.app.clone()).await;
    let op = server.login(OPERATOR).await;
    let (seen, totals) = page_through(&op, "", limit).await;
    assert_eq!(seen.len(), jobs, "every job once");
    let ids: HashSet<&str> = seen.iter().filter_map(|j| j["id"].as_str()).collect();
    assert_eq!(ids.len(), jobs, "no job twice");
    assert_eq!(totals["runs"].as_u64(), Some(expected_runs as u64));
    assert_eq!(totals["jobs"].as_u64(), Some(jobs as u64));
    let order: Vec<(u8, String, String)> = seen
        .iter()
        .map(|j| {
            (
                2 - severity(&j["status"]),
                j["customer_name"].as_str().unwrap_or("").to_lowercase(),
                j["job_name"].as_str().unwrap_or("").to_lowercase(),
            )
        })
        .collect();
    assert!(order.windows(2).all(|w| w[0] <= w[1]), "worst first, then customer, then job");
    let run_sum: u64 = seen.iter().map(|j| j["run_count"].as_u64().unwrap_or(0)).sum();
    assert_eq!(run_sum, expected_runs as u64);
    // Filters: one customer; one status; one software.
    let (one, t) = page_through(&op, "&customer_id=c1", limit).await;
    assert_eq!(one.len(), jobs / customers);
    assert!(one.iter().all(|j| j["customer_id"] == "c1"));
    assert_eq!(t["jobs"].as_u64(), Some((jobs / customers) as u64));
    let (failed, _) = page_through(&op, "&status=Failed", limit).await;
    assert!(!failed.is_empty() && failed.iter().all(|j| j["status"] == "Failed"));
    let (proxmox, _) = page_through(&op, "&software=Proxmox%20VE", limit).await;
    assert_eq!(proxmox.len(), jobs / 2);
    assert_eq!(op.get("/api/v1/run-checks?cursor=garbage").await.0, StatusCode::BAD_REQUEST);
    assert_eq!(op.get("/api/v1/run-checks?status=Broken").await.0, StatusCode::BAD_REQUEST);
}

// ------------------------------------------------------ review what was seen

async fn review_takes_only_what_was_seen(rt: Runtime) {
    let server = TestServer::start(rt.app.clone()).await;
    let op = server.login(OPERATOR).await;
    let (_, c) = op.post("/api/v1/customers", &json!({"name": "Acme"})).await;
    let customer_id = c["id"].as_str().expect("customer").to_string();
    let first = upload(&op, VeeamMail::new(SENDER, "Daily", Status::Success, 1).eml()).await;
    let (_, approved) = op
        .post(
            &format!("/api/v1/inbox/{}/approve", first["mail_id"].as_str().expect("mail")),
            &json!({"customer_id": customer_id}),
        )
        .await;
    let job_id = approved["job"]["id"].as_str().expect("job").to_string();
    // The operator's page, then a Failed run arrives while they read it.
    let (_, page) = op.get("/api/v1/run-checks").await;
    let as_of = page["as_of"].as_str().expect("as_of").to_string();
    assert_eq!(page["totals"]["runs"], 1);
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let late = upload(&op, VeeamMail::new(SENDER, "Daily", Status::Failed, 2).eml()).await;
    let late_run = late["run_id"].as_str().expect("the late mail is a run").to_string();
    // Marking the job reviewed as seen leaves the late Failed run.
    let (s, r) = op.post("/api/v1/run-checks/review", &json!({"job_ids": [job_id], "as_of": as_of})).await;
    assert_eq!((s, r["changed"].as_u64()), (StatusCode::OK, Some(1)), "{r}");
    let (_, after) = op.get("/api/v1/run-checks").await;
    assert_eq!(after["totals"]["runs"], 1);
    assert_eq!(after["jobs"][0]["status"], "Failed");
    assert_eq!(after["jobs"][0]["runs"][0]["id"], late_run.as_str());
    // Naming the run itself reviews it; the list is empty.
    let (s, r) = op.post("/api/v1/run-checks/review", &json!({"run_ids": [late_run]})).await;
    assert_eq!((s, r["changed"].as_u64()), (StatusCode::OK, Some(1)));
    let (_, empty) = op.get("/api/v1/run-checks").await;
    assert_eq!(empty["totals"]["runs"], 0);
    assert!(empty["jobs"].as_array().is_some_and(Vec::is_empty));
}

// ------------------------------------------------------------- bulk review

async fn bulk_review_runs_in_the_worker(rt: Runtime, runs: usize) {
    let store = rt.app.store.clone();
    customer(&store, "cbulk", "Bulk BV").await;
    // Ten jobs seeded side by side (one job's runs must be written in turn).
    #[cfg(feature = "aws")]
    let fast = rt.aws.clone();
    #[cfg(not(feature = "aws"))]
    let fast: Option<()> = None;
    match fast {
        #[cfg(feature = "aws")]
        Some(adapters) => aws::seed_in_batches(&adapters, &store, "cbulk", 10, runs / 10).await,
        _ => {
            let seeds = (0..10).map(|j| {
                let store = store.clone();
                tokio::spawn(async move { seed_job(&store, "cbulk", &format!("jbulk{j}"), runs / 10, 0).await })
            });
            for s in seeds {
                s.await.expect("seed");
            }
        }
    }
    seed_job(&store, "cbulk", "jsmall", 3, 0).await;
    let job_ids: Vec<String> = (0..10).map(|j| format!("jbulk{j}")).chain(["jsmall".to_string()]).collect();
    let server = TestServer::start(rt.app.clone()).await;
    let op = server.login(OPERATOR).await;
    let admin = server.login(ADMIN).await;
    let (_, page) = op.get("/api/v1/run-checks").await;
    assert_eq!(page["totals"]["runs"].as_u64(), Some(runs as u64 + 3));
    let as_of = page["as_of"].clone();
    // The request only queues the work.
    let (s, r) = op.post("/api/v1/run-checks/review", &json!({"job_ids": job_ids, "as_of": as_of})).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["changed"], 0);
    let op_id = r["operation"]["id"].as_str().expect("an operation").to_string();
    assert_eq!(r["operation"]["state"], "queued");
    assert_eq!(store.unreviewed_by_job().await.expect("counts").len(), 11, "nothing reviewed yet");
    // The worker runs it batch by batch; progress shows in between.
    let mut progress = Vec::new();
    for _ in 0..500 {
        rt.app.drain_queue_once(10).await.expect("worker");
        let (s, o) = op.get(&format!("/api/v1/operations/{op_id}")).await;
        assert_eq!(s, StatusCode::OK);
        progress.push(o["done"].as_u64().unwrap_or(0));
        if o["state"] == "done" {
            break;
        }
        assert_ne!(o["state"], "failed", "{o}");
    }
    let op_state = store.get_operation(&op_id).await.expect("get").expect("operation");
    assert_eq!(op_state.state, OperationState::Done);
    assert_eq!(op_state.done as usize, runs + 3);
    assert!(progress.windows(2).all(|w| w[0] <= w[1]) && progress.len() > 2, "progress grows: {progress:?}");
    assert!(store.unreviewed_by_job().await.expect("counts").is_empty(), "every run reviewed");
    // A redelivered batch changes nothing and counts nothing twice.
    let body = json!({"type": "continue_operation", "operation_id": op_id, "step": 0}).to_string();
    rt.app.run_task(&body).await.expect("redelivery");
    let last = json!({"type": "continue_operation", "operation_id": op_id, "step": op_state.step - 1}).to_string();
    rt.app.run_task(&last).await.expect("redelivery");
    rt.app.drain_queue_once(10).await.expect("worker");
    let again = store.get_operation(&op_id).await.expect("get").expect("operation");
    assert_eq!((again.done, again.step), (op_state.done, op_state.step));
    // Each run's review is in its audit history, by the operator.
    let (_, trail) = admin.get("/api/v1/audit?entity_type=run&entity_id=rjbulk3x17").await;
    assert_eq!(trail["items"][0]["action"], "review");
    assert_eq!(trail["items"][0]["actor"], "olga");
    assert_eq!(trail["items"].as_array().map(Vec::len), Some(1));
    // Unmarking many runs runs in the worker too.
    let ids: Vec<String> = (0..250).map(|i| format!("rjbulk0x{i}")).collect();
    let (_, r) = admin.post("/api/v1/run-checks/unreview", &json!({"run_ids": ids})).await;
    assert!(r["operation"]["id"].is_string(), "{r}");
    for _ in 0..50 {
        if rt.app.drain_queue_once(10).await.expect("worker") == 0 {
            break;
        }
    }
    let (_, after) = op.get("/api/v1/run-checks").await;
    assert_eq!(after["totals"]["runs"], 250);
}

// ---------------------------------------------------------------- runners

#[tokio::test]
async fn audit_on_the_embedded_store() {
    every_action_is_in_the_audit_trail(Runtime::embedded().with_users().await).await;
}

#[tokio::test]
async fn tokens_on_the_embedded_store() {
    api_tokens_act_as_their_role_on_every_route(Runtime::embedded().with_users().await).await;
}

#[tokio::test]
async fn run_checks_pages_through_20000_unreviewed_runs() {
    // 1,600 jobs over 20 customers; four in five jobs have 16 runs, the
    // rest one: 1,280 x 16 + 320 = 20,800 unreviewed runs.
    run_checks_pages(Runtime::embedded().with_users().await, 20, 1_600, 16, 200).await;
}

#[tokio::test]
async fn review_as_seen_on_the_embedded_store() {
    review_takes_only_what_was_seen(Runtime::embedded().with_users().await).await;
}

#[tokio::test]
async fn bulk_review_of_5000_runs_on_the_embedded_store() {
    bulk_review_runs_in_the_worker(Runtime::embedded().with_users().await, 5_000).await;
}

#[cfg(feature = "aws")]
mod aws {
    use super::*;

    /// The same runs as [`seed_job`] would store (jobs `jbulk0..`), written
    /// with BatchWriteItem: moto copies the whole table for every action of
    /// a transaction, so 5,000 `record_run`s would take it an hour. The
    /// items are the adapter's own mapping (`to_item`).
    pub(super) async fn seed_in_batches(
        adapters: &bc_aws::AwsAdapters,
        store: &Arc<dyn Store>,
        customer_id: &str,
        jobs: usize,
        runs_each: usize,
    ) {
        use bc_aws::dynamo::items::to_item;
        for j in 0..jobs {
            let job_id = format!("jbulk{j}");
            seed_job(store, customer_id, &job_id, 0, 0).await;
            let mut items = Vec::new();
            for i in 0..runs_each {
                let at = base() + Duration::minutes(i as i64);
                let mail_id = format!("m{job_id}x{i}");
                let mail = Mail {
                    subject: "seed".into(),
                    size: 1,
                    state: MailState::Processed,
                    job_id: Some(job_id.clone()),
                    run_id: Some(format!("r{job_id}x{i}")),
                    version: 1,
                    ..Mail::received(&mail_id, &mail_id, format!("inbound/{mail_id}.eml"), SENDER, at)
                };
                let run = Run {
                    mail_id,
                    started_at: Some(at),
                    ..Run::new(
                        format!("r{job_id}x{i}"),
                        &job_id,
                        customer_id,
                        [Status::Success, Status::Warning, Status::Failed][i % 3],
                        at,
                    )
                };
                items.push(to_item(&mail).expect("mail item"));
                items.push(to_item(&run).expect("run item"));
            }
            bc_aws::testing::batch_put(adapters, &items).await.expect("batch write");
        }
    }

    #[tokio::test]
    async fn audit_on_dynamodb() {
        every_action_is_in_the_audit_trail(Runtime::aws("audit").await.with_users().await).await;
    }

    #[tokio::test]
    async fn tokens_on_dynamodb() {
        api_tokens_act_as_their_role_on_every_route(Runtime::aws("tokens").await.with_users().await).await;
    }

    #[tokio::test]
    async fn run_checks_pages_on_dynamodb() {
        run_checks_pages(Runtime::aws("runchecks").await.with_users().await, 4, 60, 4, 25).await;
    }

    #[tokio::test]
    async fn review_as_seen_on_dynamodb() {
        review_takes_only_what_was_seen(Runtime::aws("asseen").await.with_users().await).await;
    }

    #[tokio::test]
    async fn bulk_review_of_5000_runs_through_moto() {
        bulk_review_runs_in_the_worker(Runtime::aws("bulk").await.with_users().await, 5_000).await;
    }
}
