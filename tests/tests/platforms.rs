//! Third-party backup platforms (issue 17) on both runtimes, over HTTP,
//! against the fake Veeam B&R REST and Cove JSON-RPC servers: register,
//! test the connection (good, wrong credentials, unreachable), sync in the
//! worker, and see the jobs (source platform), runs with per-object
//! results and protected objects with RPO; sync again and nothing doubles;
//! an expired token (and visa) mid-sync is renewed; a running session is
//! skipped until it ends; a malformed session is skipped with a clear
//! status; a renamed job keeps its id; a retry leaves a pending marker that
//! the next sync completes; a Veeam job that also mails its report is
//! linked and shows one run per backup (and can be unlinked); deleting a
//! platform takes what it imported; roles and bad input; the audit trail.

use bc_api_types::Status;
use bc_tests::mails::VeeamMail;
use bc_tests::server::{Client, TestServer};
use bc_tests::{ADMIN, Runtime, VIEWER};
use chrono::{Duration, Utc};
use fake_platforms::{FakeCove, FakeVeeam, Fault};
use reqwest::StatusCode;
use serde_json::{Value, json};

const SENDER: &str = "veeam@platforms.example.com";

async fn drain(rt: &Runtime) {
    while rt.app.drain_queue_once(10).await.expect("worker") > 0 {}
}

async fn sync(rt: &Runtime, c: &Client, id: &str) -> Value {
    let (s, b) = c.post(&format!("/api/v1/backup/platforms/{id}/sync"), &json!({})).await;
    assert_eq!(s, StatusCode::ACCEPTED, "{b}");
    drain(rt).await;
    let (s, p) = c.get(&format!("/api/v1/backup/platforms/{id}")).await;
    assert_eq!(s, StatusCode::OK, "{p}");
    p
}

async fn platform_jobs(c: &Client) -> Vec<Value> {
    let (s, b) = c.get("/api/v1/jobs?source=platform&limit=200").await;
    assert_eq!(s, StatusCode::OK, "{b}");
    b["items"].as_array().expect("items").clone()
}

fn job_named<'a>(jobs: &'a [Value], name: &str) -> &'a Value {
    jobs.iter().find(|j| j["job_name"] == name).unwrap_or_else(|| panic!("no job {name} in {jobs:?}"))
}

async fn runs(c: &Client, job_id: &str) -> Vec<Value> {
    let (s, b) = c.get(&format!("/api/v1/jobs/{job_id}/runs")).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    b["items"].as_array().expect("items").clone()
}

async fn objects(c: &Client, id: &str) -> Vec<Value> {
    let (s, b) = c.get(&format!("/api/v1/backup/platforms/{id}/objects")).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    b.as_array().expect("objects").clone()
}

async fn platforms_on(mut rt: Runtime) {
    rt.app.config.allow_loopback_webhooks = true;
    let server = TestServer::start(rt.app.clone()).await;
    let admin = server.login(ADMIN).await;
    let viewer = server.login(VIEWER).await;
    let (s, cust) = admin.post("/api/v1/customers", &json!({"name": "Platform Customer"})).await;
    assert_eq!(s, StatusCode::CREATED, "{cust}");
    let customer = cust["id"].as_str().expect("customer").to_string();

    // ------------------------------------------------------------ Veeam
    let veeam = FakeVeeam::start().await;
    let now = Utc::now();
    let daily = veeam.add_job("Daily VMs", "VSphereBackup");
    let agent = veeam.add_job("Agent FS", "WindowsAgentBackup");
    let mystery = veeam.add_job("Mystery", "FancyNewJob");
    let mailed = veeam.add_job("mailed JOB", "VSphereBackup");
    for d in [3, 2, 1] {
        veeam.add_session(
            &daily,
            now - Duration::days(d),
            20,
            if d == 2 { "Warning" } else { "Success" },
            &[("vm-web01", "Success"), ("vm-db01", if d == 2 { "Warning" } else { "Success" })],
        );
    }
    let running = veeam.add_running_session(&daily, now - Duration::minutes(10));
    veeam.add_session(&agent, now - Duration::hours(30), 45, "Failed", &[("fs01", "Failed")]);
    veeam.add_session(&mystery, now - Duration::hours(20), 5, "Success", &[("thing01", "Success")]);
    veeam.add_object("vm-web01", "VM", "VMware");
    veeam.add_object("vm-db01", "VM", "VMware");

    // The same job reports by mail: its mail-derived job exists first.
    let mail_start = (now - Duration::days(2)).fixed_offset();
    let eml = VeeamMail::new(SENDER, "Mailed Job", Status::Success, 1).started_at(mail_start).eml();
    let (s, up) = admin.post_raw("/api/v1/mails", "message/rfc822", eml).await;
    assert_eq!(s, StatusCode::OK, "{up}");
    let (s, a) = admin
        .post(
            &format!("/api/v1/inbox/{}/approve", up["mail_id"].as_str().expect("mail")),
            &json!({"customer_id": customer}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{a}");
    let mail_job = a["job"]["id"].as_str().expect("job").to_string();
    // The platform session of that same backup (30 s apart), and one that mailed nothing.
    veeam.add_session(&mailed, mail_start.to_utc() + Duration::seconds(30), 15, "Success", &[("vm-mail", "Success")]);
    veeam.add_session(&mailed, now - Duration::days(1), 15, "Warning", &[("vm-mail", "Warning")]);

    // Bad input and roles.
    let body = json!({"name": "HQ Veeam", "kind": "veeam_vbr", "customer_id": customer, "host": veeam.base_url(),
                      "username": veeam.username(), "password": veeam.password(), "sync_interval_minutes": 60});
    let (s, _) = viewer.post("/api/v1/backup/platforms", &body).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    for (field, value) in [
        ("cert_sha256", json!("abc")),
        ("sync_interval_minutes", json!(1)),
        ("host", json!("not a host!")),
        ("password", json!("")),
        ("kind", json!("cove")),
    ] {
        let mut b = body.clone();
        b[field] = value;
        let (s, e) = admin.post("/api/v1/backup/platforms", &b).await;
        // (`kind: cove` without a partner name is refused too.)
        assert_eq!(s, StatusCode::BAD_REQUEST, "{field}: {e}");
    }
    let mut b = body.clone();
    b["customer_id"] = json!("c-nope");
    assert_eq!(admin.post("/api/v1/backup/platforms", &b).await.0, StatusCode::NOT_FOUND);

    let (s, p) = admin.post("/api/v1/backup/platforms", &body).await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    assert!(!p.to_string().contains(veeam.password()), "credentials never come back: {p}");
    assert_eq!(p["has_credentials"], true);
    let vid = p["id"].as_str().expect("id").to_string();
    let (s, list) = viewer.get("/api/v1/backup/platforms").await;
    assert_eq!(s, StatusCode::OK);
    assert!(list.as_array().expect("list").iter().any(|x| x["id"] == vid.as_str()));
    assert_eq!(viewer.post(&format!("/api/v1/backup/platforms/{vid}/sync"), &json!({})).await.0, StatusCode::FORBIDDEN);

    // Test connection: good, wrong credentials, unreachable.
    let (s, t) = admin.post(&format!("/api/v1/backup/platforms/{vid}/test"), &json!({})).await;
    assert_eq!(s, StatusCode::OK, "{t}");
    assert_eq!(t["ok"], true, "{t}");
    assert_eq!(t["api_version"], "1.3-rev1");
    assert_eq!(t["jobs_seen"], 4);
    let mut bad = body.clone();
    bad["name"] = json!("Wrong password");
    bad["password"] = json!("nope-nope");
    let (_, wp) = admin.post("/api/v1/backup/platforms", &bad).await;
    let (_, t) = admin.post(&format!("/api/v1/backup/platforms/{}/test", wp["id"].as_str().unwrap()), &json!({})).await;
    assert_eq!(t["ok"], false, "{t}");
    assert!(t["message"].as_str().unwrap().contains("credentials"), "{t}");
    let mut gone = body.clone();
    gone["name"] = json!("Unreachable");
    gone["host"] = json!("http://127.0.0.1:9");
    let (_, up_) = admin.post("/api/v1/backup/platforms", &gone).await;
    let (_, t) =
        admin.post(&format!("/api/v1/backup/platforms/{}/test", up_["id"].as_str().unwrap()), &json!({})).await;
    assert_eq!(t["ok"], false, "{t}");
    assert!(t["message"].as_str().unwrap().contains("cannot be reached"), "{t}");
    // Plain http to a non-loopback host is refused outright (never "accept any").
    let mut plain = body.clone();
    plain["name"] = json!("Plain");
    plain["host"] = json!("http://veeam.example.com:9419");
    let (_, pp) = admin.post("/api/v1/backup/platforms", &plain).await;
    let (_, t) = admin.post(&format!("/api/v1/backup/platforms/{}/test", pp["id"].as_str().unwrap()), &json!({})).await;
    assert_eq!(t["ok"], false, "{t}");
    for id in [&wp["id"], &up_["id"], &pp["id"]] {
        let id = id.as_str().unwrap();
        let (_, d) = admin.get(&format!("/api/v1/backup/platforms/{id}")).await;
        let (s, _) = admin.post(&format!("/api/v1/backup/platforms/{id}/delete"), &json!({"confirm": d["name"]})).await;
        assert_eq!(s, StatusCode::OK);
    }

    // First sync.
    let p = sync(&rt, &admin, &vid).await;
    assert_eq!(p["last_sync_status"], "partial", "{p}");
    assert!(p["last_error"].as_str().unwrap().contains("FancyNewJob"), "unknown type named: {p}");
    assert!(p["last_sync_summary"].as_str().unwrap().contains("1 still running"), "{p}");
    let jobs = platform_jobs(&admin).await;
    assert_eq!(jobs.len(), 3, "Daily VMs, Agent FS, Mystery (the mailed one is linked): {jobs:?}");
    let daily_job = job_named(&jobs, "Daily VMs")["id"].as_str().unwrap().to_string();
    assert_eq!(job_named(&jobs, "Daily VMs")["source"]["kind"], "platform");
    assert_eq!(job_named(&jobs, "Daily VMs")["software"], "Veeam Backup & Replication");
    assert_eq!(job_named(&jobs, "Mystery")["job_type"], "FancyNewJob");
    let r = runs(&admin, &daily_job).await;
    assert_eq!(r.len(), 3, "the running session waits: {r:?}");
    let warn = r.iter().find(|x| x["status"] == "Warning").unwrap_or_else(|| panic!("the warning run: {r:?}"));
    let (s, detail) = admin.get(&format!("/api/v1/runs/{}", warn["id"].as_str().unwrap())).await;
    assert_eq!(s, StatusCode::OK, "{detail}");
    let objs = detail["report"]["objects"].as_array().expect("objects");
    assert_eq!(objs.len(), 2, "{detail}");
    assert!(objs.iter().any(|o| o["name"] == "vm-db01" && o["status"] == "Warning"), "{objs:?}");
    assert_eq!(runs(&admin, job_named(&jobs, "Agent FS")["id"].as_str().unwrap()).await[0]["status"], "Failed");
    // Protected objects with RPO.
    let po = objects(&admin, &vid).await;
    let web = po.iter().find(|o| o["name"] == "vm-web01").expect("vm-web01");
    assert_eq!(web["rpo_hours"], 24);
    assert_eq!(web["object_type"], "vm");
    assert!(web["last_success_at"].is_string(), "{web}");
    assert!(po.iter().any(|o| o["name"] == "fs01" && o["last_status"] == "failed"), "{po:?}");
    // The mailed job: linked, one run per backup (the mail's; plus the backup that mailed nothing).
    let p = sync(&rt, &admin, &vid).await;
    assert_eq!(p["links"][0]["job_id"], mail_job.as_str(), "{p}");
    let mr = runs(&admin, &mail_job).await;
    assert_eq!(mr.len(), 2, "one run per backup: {mr:?}");
    assert_eq!(mr.iter().filter(|x| x["mail_id"].as_str().unwrap_or("").is_empty()).count(), 1, "{mr:?}");

    // Sync again: nothing doubles.
    let p = sync(&rt, &admin, &vid).await;
    assert!(p["last_sync_summary"].as_str().unwrap().contains("0 runs imported"), "{p}");
    assert_eq!(platform_jobs(&admin).await.len(), 3);
    assert_eq!(runs(&admin, &daily_job).await.len(), 3);
    assert_eq!(objects(&admin, &vid).await.len(), po.len());

    // The running session ends; the token expires mid-sync and is renewed.
    veeam.finish_session(&running, "Success", &[("vm-web01", "Success"), ("vm-db01", "Success")]);
    veeam.clear_requests();
    veeam.inject(Fault::ExpireTokens, "/taskSessions");
    let p = sync(&rt, &admin, &vid).await;
    assert_ne!(p["last_sync_status"], "failed", "{p}");
    assert_eq!(runs(&admin, &daily_job).await.len(), 4);
    let token_calls = veeam.requests().iter().filter(|r| r.contains("/api/oauth2/token")).count();
    assert!(token_calls >= 2, "signed in, then renewed: {:?}", veeam.requests());

    // A malformed session and one that disappears between pages: skipped with a clear status; nothing lost.
    veeam.inject(Fault::MalformedItem, "/api/v1/sessions");
    let p = sync(&rt, &admin, &vid).await;
    assert_eq!(p["last_sync_status"], "partial", "{p}");
    assert!(p["last_error"].as_str().unwrap().contains("unreadable session"), "{p}");
    // A 503 from the platform: the task fails and is retried by the queue; the status says why.
    veeam.inject(Fault::Status(503), "/api/v1/jobs/states");
    let (s, _) = admin.post(&format!("/api/v1/backup/platforms/{vid}/sync"), &json!({})).await;
    assert_eq!(s, StatusCode::ACCEPTED);
    rt.app.drain_queue_once(10).await.expect("worker");
    let (_, p) = admin.get(&format!("/api/v1/backup/platforms/{vid}")).await;
    assert_eq!(p["last_sync_status"], "failed", "{p}");
    assert!(p["last_error"].as_str().unwrap().contains("busy or unavailable"), "{p}");

    // A renamed job keeps its id.
    veeam.rename_job(&daily, "Daily VMs (renamed)");
    sync(&rt, &admin, &vid).await;
    let jobs = platform_jobs(&admin).await;
    assert_eq!(jobs.len(), 3);
    assert_eq!(job_named(&jobs, "Daily VMs (renamed)")["id"], daily_job.as_str());

    // Retry: pending, Veeam asked (retry from API 1.3), completed at the next sync after the session ends.
    assert_eq!(
        viewer.post(&format!("/api/v1/backup/platforms/jobs/{daily_job}/retry"), &json!({})).await.0,
        StatusCode::FORBIDDEN
    );
    let (s, rr) = admin.post(&format!("/api/v1/backup/platforms/jobs/{daily_job}/retry"), &json!({})).await;
    assert_eq!(s, StatusCode::ACCEPTED, "{rr}");
    assert_eq!(rr["platform_call"], "job_retry");
    assert_eq!(veeam.started(), vec![(daily.clone(), "retry".to_string())]);
    assert_eq!(
        admin.post(&format!("/api/v1/backup/platforms/jobs/{daily_job}/retry"), &json!({})).await.0,
        StatusCode::CONFLICT
    );
    let p = sync(&rt, &admin, &vid).await;
    assert_eq!(p["pending_retries"].as_array().unwrap().len(), 1, "still running: {p}");
    let started = rr["pending"]["session_id"].as_str().expect("session id").to_string();
    veeam.finish_session(&started, "Success", &[("vm-web01", "Success")]);
    let p = sync(&rt, &admin, &vid).await;
    assert_eq!(p["pending_retries"].as_array().unwrap().len(), 0, "{p}");
    let done = &p["completed_retries"][0];
    assert_eq!(done["job_id"], daily_job.as_str());
    assert_eq!(runs(&admin, &daily_job).await.len(), 5);
    assert!(runs(&admin, &daily_job).await.iter().any(|r| r["id"] == done["run_id"]), "{p}");
    let (s, _) = admin.post(&format!("/api/v1/backup/platforms/jobs/{mail_job}/retry"), &json!({})).await;
    assert_eq!(s, StatusCode::ACCEPTED, "a linked mail job can be retried through its platform");

    // Unlink: the platform job gets its own job at the next sync; the mail job keeps its runs.
    let (s, p) = admin.post(&format!("/api/v1/backup/platforms/{vid}/unlink"), &json!({"external_id": mailed})).await;
    assert_eq!(s, StatusCode::OK, "{p}");
    assert!(p["links"][0]["job_id"].is_null());
    assert_eq!(
        admin.post(&format!("/api/v1/backup/platforms/{vid}/unlink"), &json!({"external_id": "x"})).await.0,
        StatusCode::BAD_REQUEST
    );

    // ------------------------------------------------------------ Cove
    let cove = FakeCove::start().await;
    let dc = cove.add_device("ACME-DC01", "Acme Corp", 5, now - Duration::hours(5), Some(now - Duration::hours(5)));
    cove.add_device("ACME-LAPTOP7", "Acme Corp", 2, now - Duration::hours(3), Some(now - Duration::days(6)));
    let busy =
        cove.add_device("ACME-SQL01", "Acme Corp", 8, now - Duration::hours(26), Some(now - Duration::hours(26)));
    cove.next_session(busy, 1, now - Duration::minutes(20));
    let cbody = json!({"name": "Cove", "kind": "cove", "customer_id": customer, "host": cove.url(), "partner": "Acme Ltd",
                       "username": cove.username(), "password": cove.password()});
    let (s, cp) = admin.post("/api/v1/backup/platforms", &cbody).await;
    assert_eq!(s, StatusCode::CREATED, "{cp}");
    let cid = cp["id"].as_str().unwrap().to_string();
    let (_, t) = admin.post(&format!("/api/v1/backup/platforms/{cid}/test"), &json!({})).await;
    assert_eq!(t["ok"], false, "the partner name must be exact: {t}");
    let (s, _) = admin.patch(&format!("/api/v1/backup/platforms/{cid}"), &json!({"partner": cove.partner()})).await;
    assert_eq!(s, StatusCode::OK);
    let (_, t) = admin.post(&format!("/api/v1/backup/platforms/{cid}/test"), &json!({})).await;
    assert_eq!(t["ok"], true, "{t}");
    assert_eq!(t["jobs_seen"], 3);
    let p = sync(&rt, &admin, &cid).await;
    assert_eq!(p["last_sync_status"], "ok", "{p}");
    let jobs = platform_jobs(&admin).await;
    let dc_job = job_named(&jobs, "ACME-DC01")["id"].as_str().unwrap().to_string();
    assert_eq!(job_named(&jobs, "ACME-DC01")["software"], "N-able Cove");
    let r = runs(&admin, &dc_job).await;
    assert_eq!(r.len(), 1);
    assert_eq!(r[0]["status"], "Success");
    let (_, detail) = admin.get(&format!("/api/v1/runs/{}", r[0]["id"].as_str().unwrap())).await;
    assert_eq!(detail["report"]["objects"].as_array().unwrap().len(), 2, "Files and System State: {detail}");
    // In process: the last completed session (F17/F18) is the run.
    let sql = runs(&admin, job_named(&jobs, "ACME-SQL01")["id"].as_str().unwrap()).await;
    assert_eq!(sql.len(), 1);
    assert_eq!(sql[0]["status"], "Warning");
    let po = objects(&admin, &cid).await;
    assert_eq!(po.len(), 3);
    let laptop = po.iter().find(|o| o["name"] == "ACME-LAPTOP7").unwrap();
    assert_eq!(laptop["last_status"], "failed");
    assert!(laptop["last_success_at"].is_string());
    // Visa expiry mid-sync, and no duplicates.
    cove.inject(Fault::ExpireTokens, "EnumerateAccountStatistics");
    let p = sync(&rt, &admin, &cid).await;
    assert_eq!(p["last_sync_status"], "ok", "{p}");
    assert!(cove.requests().iter().filter(|m| *m == "Login").count() >= 4, "{:?}", cove.requests());
    assert_eq!(runs(&admin, &dc_job).await.len(), 1);
    // Retry on Cove: no call, completed by the next session.
    let (s, rr) = admin.post(&format!("/api/v1/backup/platforms/jobs/{dc_job}/retry"), &json!({})).await;
    assert_eq!(s, StatusCode::ACCEPTED, "{rr}");
    assert_eq!(rr["platform_call"], "none");
    cove.next_session(dc, 5, Utc::now() + Duration::seconds(5));
    let p = sync(&rt, &admin, &cid).await;
    assert!(p["pending_retries"].as_array().unwrap().is_empty(), "{p}");
    assert_eq!(runs(&admin, &dc_job).await.len(), 2);

    // An MSP-level Cove platform: each device goes to the customer of its Cove customer name; unknown ones are skipped
    // with a clear status.
    let (s, acme) = admin.post("/api/v1/customers", &json!({"name": "ACME CORP"})).await;
    assert_eq!(s, StatusCode::CREATED, "{acme}");
    cove.add_device("STRAY-PC", "Unknown Co", 5, now - Duration::hours(2), Some(now - Duration::hours(2)));
    let mut msp = cbody.clone();
    msp["name"] = json!("Cove (MSP)");
    msp["partner"] = json!(cove.partner());
    msp["customer_id"] = Value::Null;
    let (s, mp) = admin.post("/api/v1/backup/platforms", &msp).await;
    assert_eq!(s, StatusCode::CREATED, "{mp}");
    let mid = mp["id"].as_str().unwrap().to_string();
    let p = sync(&rt, &admin, &mid).await;
    assert_eq!(p["last_sync_status"], "partial", "{p}");
    assert!(p["last_error"].as_str().unwrap().contains("Unknown Co"), "{p}");
    let msp_jobs: Vec<Value> =
        platform_jobs(&admin).await.into_iter().filter(|j| j["source"]["platform_id"] == mid.as_str()).collect();
    assert_eq!(msp_jobs.len(), 3, "{msp_jobs:?}");
    assert!(msp_jobs.iter().all(|j| j["customer_id"] == acme["id"]), "{msp_jobs:?}");
    assert!(objects(&admin, &mid).await.iter().all(|o| o["customer_id"] == acme["id"]));
    let (s, _) = admin.post(&format!("/api/v1/backup/platforms/{mid}/delete"), &json!({"confirm": "Cove (MSP)"})).await;
    assert_eq!(s, StatusCode::OK);
    drain(&rt).await;

    // The scheduler queues due syncs (registered platforms are due at once; a second tick queues nothing).
    let mut e = body.clone();
    e["name"] = json!("Due one");
    let (_, due) = admin.post("/api/v1/backup/platforms", &e).await;
    let tick = rt.app.tick().await.expect("tick");
    assert!(tick.platform_syncs >= 1, "{tick:?}");
    assert_eq!(rt.app.tick().await.expect("tick").platform_syncs, 0);
    drain(&rt).await;
    let (_, d) = admin.get(&format!("/api/v1/backup/platforms/{}", due["id"].as_str().unwrap())).await;
    assert_ne!(d["last_sync_status"], "never", "{d}");
    let (s, _) = admin
        .post(
            &format!("/api/v1/backup/platforms/{}/delete", due["id"].as_str().unwrap()),
            &json!({"confirm": "Due one"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);

    // Delete with confirmation: its jobs (and runs) and objects go; the mail job stays.
    let (s, _) = admin.post(&format!("/api/v1/backup/platforms/{vid}/delete"), &json!({"confirm": "nope"})).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, preview) = admin.get(&format!("/api/v1/backup/platforms/{vid}/deletion")).await;
    assert_eq!(s, StatusCode::OK);
    let (s, d) = admin.post(&format!("/api/v1/backup/platforms/{vid}/delete"), &json!({"confirm": "HQ Veeam"})).await;
    assert_eq!(s, StatusCode::OK, "{d}");
    assert_eq!(d["jobs"], preview["jobs"]);
    drain(&rt).await;
    let left = platform_jobs(&admin).await;
    assert!(left.iter().all(|j| j["source"]["platform_id"] == cid.as_str()), "only Cove's jobs remain: {left:?}");
    assert_eq!(admin.get(&format!("/api/v1/jobs/{mail_job}")).await.0, StatusCode::OK);
    assert_eq!(admin.get(&format!("/api/v1/backup/platforms/{vid}")).await.0, StatusCode::NOT_FOUND);

    // The audit trail.
    let (s, audit) = admin.get("/api/v1/audit?entity_type=platform&limit=200").await;
    assert_eq!(s, StatusCode::OK, "{audit}");
    let actions: Vec<String> = audit["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|e| e["action"].as_str().unwrap_or("").to_string())
        .collect();
    for want in ["create", "test_connection", "trigger_sync", "update", "unlink_job", "delete"] {
        assert!(actions.iter().any(|a| a == want), "{want} not in {actions:?}");
    }
    drop(server);
}

#[tokio::test]
async fn platforms_on_the_embedded_store() {
    let rt = Runtime::embedded().with_users().await;
    platforms_on(rt).await;
}

#[cfg(feature = "aws")]
#[tokio::test]
async fn platforms_on_dynamodb_s3_sqs_through_moto() {
    let rt = aws_with_platforms_secret("platforms").await.with_users().await;
    platforms_on(rt).await;
}

/// The AWS runtime (DynamoDB, S3, SQS through moto) with the platforms
/// secret as the SAM template creates it: an empty placeholder in Secrets
/// Manager.
#[cfg(feature = "aws")]
async fn aws_with_platforms_secret(name: &str) -> Runtime {
    let mut rt = Runtime::aws(name).await;
    let sdk = &rt.aws.as_ref().expect("aws adapters").sdk;
    let sm = aws_sdk_secretsmanager::Client::new(sdk);
    let out = sm
        .create_secret()
        .name(format!("{}/platforms", bc_aws::testing::unique_prefix(name)))
        .secret_string("{}")
        .send()
        .await
        .expect("create secret");
    let arns = std::collections::HashMap::from([(bc_core::SecretName::Platforms, out.arn().expect("arn").to_string())]);
    rt.app = rt.app.clone().with_secrets(std::sync::Arc::new(bc_aws::SecretsManagerSecrets::new(sm, arns)));
    rt
}

/// Registers a Veeam platform on `rt` for a new customer straight through the core.
async fn veeam_platform(rt: &Runtime, veeam: &FakeVeeam, label: &str) -> String {
    let actor = bc_core::Actor::system();
    let customer = rt.app.create_customer(&actor, &format!("Speed {label}")).await.expect("customer");
    let body = bc_api_types::PlatformBody {
        name: format!("Speed {label}"),
        kind: bc_api_types::PlatformKind::VeeamVbr,
        customer_id: Some(customer.id),
        host: veeam.base_url(),
        port: None,
        cert_sha256: None,
        partner: None,
        username: veeam.username().into(),
        password: veeam.password().into(),
        sync_interval_minutes: None,
        enabled: Some(true),
    };
    rt.app.register_platform(&actor, &body).await.expect("register").id
}

fn peak_rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .map(|l| l.split_whitespace().nth(1).unwrap_or("0").parse().unwrap_or(0))
        })
        .unwrap_or(0)
}

/// The speed figure of the README: `PLATFORM_JOBS` jobs (2,000) and `PLATFORM_SESSIONS` sessions (50,000), each with
/// one task session, synced once on the embedded runtime. `cargo test -p bc-tests --test platforms --release -- --ignored --nocapture`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a measurement, minutes long"]
async fn platform_sync_speed_on_the_embedded_store() {
    let jobs: usize = std::env::var("PLATFORM_JOBS").ok().and_then(|v| v.parse().ok()).unwrap_or(2_000);
    let sessions: usize = std::env::var("PLATFORM_SESSIONS").ok().and_then(|v| v.parse().ok()).unwrap_or(50_000);
    let mut rt = Runtime::embedded();
    rt.app.config.allow_loopback_webhooks = true;
    let veeam = FakeVeeam::start().await;
    veeam.bulk(jobs, sessions, Utc::now() - Duration::hours(1), 24 * 7);
    let id = veeam_platform(&rt, &veeam, "embedded").await;
    let rss_before = peak_rss_kb();
    let t = std::time::Instant::now();
    rt.app.run_platform_sync(&id).await.expect("sync");
    let took = t.elapsed();
    let p = rt.app.get_platform(&bc_core::Actor::system(), &id).await.unwrap();
    println!(
        "platform sync, embedded: {jobs} jobs, {sessions} sessions in {:.1} s ({:.0} sessions/s); peak RSS {} MB (before the sync {} MB); {}",
        took.as_secs_f64(),
        sessions as f64 / took.as_secs_f64(),
        peak_rss_kb() / 1024,
        rss_before / 1024,
        p.last_sync_summary.clone().unwrap_or_default()
    );
    assert!(p.last_sync_summary.unwrap_or_default().contains(&format!("{sessions} runs imported")));
}

/// DynamoDB requests per imported run (the README's figure): a sync importing 100 runs (10 jobs, 10 sessions
/// each, one object each) minus a sync that imports nothing.
#[cfg(feature = "aws")]
#[tokio::test]
async fn dynamodb_requests_per_imported_run() {
    let mut rt = aws_with_platforms_secret("platform_requests").await;
    rt.app.config.allow_loopback_webhooks = true;
    let aws = rt.aws.clone().expect("aws");
    let veeam = FakeVeeam::start().await;
    veeam.bulk(10, 100, Utc::now() - Duration::hours(2), 48);
    let id = veeam_platform(&rt, &veeam, "requests").await;
    let before = aws.store.request_count();
    rt.app.run_platform_sync(&id).await.expect("sync");
    let first = aws.store.request_count() - before;
    let before = aws.store.request_count();
    rt.app.run_platform_sync(&id).await.expect("sync");
    let idle = aws.store.request_count() - before;
    let per_run = (first as f64 - idle as f64) / 100.0;
    println!(
        "DynamoDB requests: first sync (10 jobs, 100 runs) {first}, a sync importing nothing {idle}: {per_run:.1} per imported run"
    );
    assert!(per_run < 20.0, "{per_run}");
}
