//! Alerts, the morning digest, ping URLs and dead letters on both runtimes,
//! over HTTP, with a clock the test moves and a real webhook receiver on
//! loopback: a job learns a daily schedule; a day passes without its mail;
//! after the grace the tick makes a Missed run, and the alert reaches the
//! receiver exactly once although its first attempt answered 500 (and a
//! redelivered task sends nothing more); the late mail attaches; the
//! morning digest goes out (the outbox locally, SES through moto on AWS);
//! a ping URL makes a run and `/fail` a Failed one; webhook URLs that are
//! not https or point inside the network are refused; a receiver that
//! stays down ends in the dead letters, which an admin retries.

use std::sync::Arc;

use bc_api_types::{Job, Status};
use bc_core::alerts::message::verify_signature;
use bc_core::ports::ManualClock;
use bc_tests::mails::VeeamMail;
use bc_tests::server::{Client, TestServer};
use bc_tests::webhooks::receiver;
use bc_tests::{ADMIN, OPERATOR, Runtime, VIEWER};
use chrono::{DateTime, Duration, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};

const SENDER: &str = "veeam@alerts.example.com";

/// A test instant from its RFC 3339 form.
fn at(t: &str) -> DateTime<Utc> {
    t.parse().expect("time")
}

async fn upload(c: &Client, seq: u64) -> Value {
    let (s, body) = c
        .post_raw("/api/v1/mails", "message/rfc822", VeeamMail::new(SENDER, "Exchange", Status::Success, seq).eml())
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    body
}

/// Runs the queue until `done` holds, or fails after 60 s (a failed
/// delivery comes back after its backoff, in real time).
async fn drain_until(app: &bc_core::App, what: &str, done: impl Fn() -> bool) {
    let until = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        app.drain_queue_once(10).await.expect("drain");
        if done() {
            return;
        }
        assert!(std::time::Instant::now() < until, "timed out waiting for {what}");
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    }
}

async fn drain_all(app: &bc_core::App) {
    while app.drain_queue_once(10).await.expect("drain") > 0 {}
}

async fn logins(server: &TestServer) -> (Client, Client, Client) {
    (server.login(ADMIN).await, server.login(OPERATOR).await, server.login(VIEWER).await)
}

/// How the digest is seen on each runtime.
enum Outbox {
    Folder(std::path::PathBuf),
    Moto(String),
}

impl Outbox {
    async fn holds(&self, text: &str) -> bool {
        match self {
            Outbox::Folder(dir) => std::fs::read_dir(dir)
                .into_iter()
                .flatten()
                .flatten()
                .any(|e| std::fs::read_to_string(e.path()).is_ok_and(|s| s.contains(text))),
            Outbox::Moto(endpoint) => bc_aws::testing::sent_emails(endpoint)
                .await
                .expect("moto's sent mail")
                .iter()
                .any(|m| m.subject.contains(text) || m.body.contains(text)),
        }
    }
}

#[allow(unused_variables)]
async fn alerts_on(mut rt: Runtime, clock: Arc<ManualClock>, outbox: Outbox) {
    rt.app.config.allow_loopback_webhooks = true;
    // Retries after 1, 2, 4 and 8 s: the dead-letter path in seconds, not minutes.
    rt.app.config.retry_base_secs = 1;
    rt.app.config.public_url = "https://bc.example".into();
    let server = TestServer::start(rt.app.clone()).await;
    let (admin, op, viewer) = logins(&server).await;
    let (hook, seen) = receiver(vec![500]).await;

    // ---- channels: bad URLs refused with the reason; admins only.
    for (url, word) in [
        ("http://example.com/hook", "https"),
        ("https://10.0.0.7/hook", "internal"),
        ("https://169.254.169.254/latest/meta-data/", "internal"),
        ("https://user:pw@example.com/", "password"),
    ] {
        let (s, e) = admin.post("/api/v1/alerts/channels", &json!({"name": "x", "kind": "webhook", "url": url})).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{url}: {e}");
        assert!(e["error"]["message"].as_str().unwrap_or("").contains(word), "{url}: {e}");
    }
    let body = json!({"name": "Ops webhook", "kind": "webhook", "url": hook});
    let (s, _) = op.post("/api/v1/alerts/channels", &body).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "operators do not configure alerts");
    let (s, made) = admin.post("/api/v1/alerts/channels", &body).await;
    assert_eq!(s, StatusCode::CREATED, "{made}");
    let channel = made["channel"]["id"].as_str().expect("id").to_string();
    let secret = made["signing_secret"].as_str().expect("the secret, shown once").to_string();
    let (s, cfg) = admin.get("/api/v1/alerts").await;
    assert_eq!(s, StatusCode::OK, "{cfg}");
    assert!(!cfg.to_string().contains(&secret) && !cfg.to_string().contains("/hook"), "no secret, no URL path: {cfg}");
    let (s, e) = admin
        .post("/api/v1/alerts/channels", &json!({"name": "Mail", "kind": "email", "recipients": ["not an address"]}))
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{e}");

    // ---- a rule: Missed and Failed, at once, to the webhook.
    let (s, e) = admin
        .post("/api/v1/alerts/rules", &json!({"name": "r", "statuses": ["Success"], "channel_ids": [channel]}))
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{e}");
    let (s, rule) = admin
        .post(
            "/api/v1/alerts/rules",
            &json!({"name": "Problems", "statuses": ["Missed", "Failed"], "channel_ids": [channel]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{rule}");
    // ---- the digest at 07:00 (UTC, the default time zone) to ops.
    let (s, d) = admin
        .put("/api/v1/alerts/digest", &json!({"enabled": true, "hour": 7, "recipients": ["ops@msp.example"]}))
        .await;
    assert_eq!(s, StatusCode::OK, "{d}");

    // ---- a job learns a daily schedule from four nightly runs.
    let (_, cust) = op.post("/api/v1/customers", &json!({"name": "Alert BV"})).await;
    let customer_id = cust["id"].as_str().expect("id").to_string();
    clock.set(at("2026-03-02T08:00:00Z"));
    let (admin, op, viewer) = logins(&server).await;
    let first = upload(&op, 0).await;
    let (s, approved) = op
        .post(
            &format!("/api/v1/inbox/{}/approve", first["mail_id"].as_str().unwrap()),
            &json!({"customer_id": customer_id}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{approved}");
    let job_id = approved["job"]["id"].as_str().expect("job").to_string();
    for seq in 1..=3 {
        clock.set(at(&format!("2026-03-0{}T08:00:00Z", 2 + seq)));
        let (admin, op, viewer) = logins(&server).await;
        upload(&op, seq).await;
    }
    let (admin, op, viewer) = logins(&server).await;
    drain_all(&rt.app).await;
    assert!(seen.lock().unwrap().is_empty(), "successes alert nobody");
    let (_, j) = op.get(&format!("/api/v1/jobs/{job_id}")).await;
    let j: Job = serde_json::from_value(j).expect("job");
    let next = j.schedule.and_then(|s| s.next).expect("a learned daily schedule");

    // ---- the day passes without the mail: a Missed run, and one alert
    // that gets through on its second attempt.
    clock.set(at(&(next.due_at + Duration::minutes(1)).to_rfc3339()));
    let (admin, op, viewer) = logins(&server).await;
    assert_eq!(rt.app.tick().await.expect("tick").missed_runs, 1);
    let deliveries = || seen.lock().unwrap().iter().filter(|(_, _, c)| *c == 200).count();
    drain_until(&rt.app, "the alert", || deliveries() == 1).await;
    let got = seen.lock().unwrap().clone();
    assert_eq!(got.len(), 2, "one failed attempt (500), one delivery");
    assert_eq!((got[0].2, got[1].2), (500, 200));
    let (h, body, _) = &got[1];
    assert_eq!(h["x-backupchecks-delivery"], got[0].0["x-backupchecks-delivery"], "a retry is the same delivery");
    let sig = h["x-backupchecks-signature"].to_str().expect("signature");
    assert!(verify_signature(&secret, sig, body), "signed with the channel's secret");
    let v: Value = serde_json::from_str(body).expect("JSON");
    assert_eq!(v["type"], "run.alert");
    assert_eq!(v["runs"][0]["status"], "Missed");
    assert_eq!(v["runs"][0]["job_name"], "Exchange");
    let missed_id = v["runs"][0]["run_id"].as_str().expect("run").to_string();
    assert_eq!(v["runs"][0]["url"], format!("https://bc.example/runs/{missed_id}"));
    // Redelivery and a second tick send nothing more.
    let task =
        json!({"type": "alert", "channel_id": channel, "event": {"kind": "run", "run_id": missed_id}}).to_string();
    rt.app.run_task(&task).await.expect("redelivered task");
    assert_eq!(rt.app.tick().await.expect("tick").missed_runs, 0);
    drain_all(&rt.app).await;
    assert_eq!(seen.lock().unwrap().len(), 2, "exactly one delivery per event per channel");

    // ---- the late mail attaches to the Missed run's day.
    clock.set(at(&(next.due_at + Duration::hours(2)).to_rfc3339()));
    let (admin, op, viewer) = logins(&server).await;
    let late = upload(&op, 4).await;
    let (_, detail) = op.get(&format!("/api/v1/runs/{missed_id}")).await;
    assert_eq!(detail["run"]["late"]["run_id"], late["run_id"], "{detail}");

    // ---- the morning digest at 07:00 the next day, once.
    let day = next.day;
    clock.set(at(&format!("{}T07:05:00Z", day.succ_opt().expect("next day"))));
    let (admin, op, viewer) = logins(&server).await;
    assert!(rt.app.tick().await.expect("tick").digest_queued);
    assert!(!rt.app.tick().await.expect("tick").digest_queued, "one digest a day");
    drain_all(&rt.app).await;
    let subject = format!("Backupchecks digest for {day}");
    assert!(outbox.holds(&subject).await, "the digest is in the outbox");

    // ---- ping URLs: a job that checks in over HTTP.
    let (s, e) = viewer.post("/api/v1/jobs/ping", &json!({"customer_id": customer_id, "name": "db-dump"})).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{e}");
    let (s, pj) = op.post("/api/v1/jobs/ping", &json!({"customer_id": customer_id, "name": "db-dump"})).await;
    assert_eq!(s, StatusCode::CREATED, "{pj}");
    let ping_job = pj["id"].as_str().expect("id").to_string();
    let url = pj["ping"]["url"].as_str().expect("the ping URL").to_string();
    let token = url.rsplit('/').next().expect("token").to_string();
    let (_, as_viewer) = viewer.get(&format!("/api/v1/jobs/{ping_job}")).await;
    assert!(
        as_viewer["ping"]["url"].is_null() && !as_viewer.to_string().contains(&token),
        "viewers never see the token"
    );
    let http = reqwest::Client::new();
    let base = &server.base;
    let r = http.post(format!("{base}/ping/{token}/start")).send().await.expect("start");
    assert_eq!(r.status(), StatusCode::OK);
    clock.set(at(&format!("{}T07:25:00Z", day.succ_opt().expect("next day"))));
    let r = http.post(format!("{base}/ping/{token}")).body("dumped 3.2 GB").send().await.expect("ping");
    assert_eq!(r.status(), StatusCode::OK);
    let ok_run = r.text().await.expect("text").trim().trim_start_matches("OK ").to_string();
    let (_, d) = op.get(&format!("/api/v1/runs/{ok_run}")).await;
    assert_eq!(d["run"]["status"], "Success", "{d}");
    assert_eq!(d["run"]["message"], "dumped 3.2 GB");
    assert_eq!(d["run"]["duration_secs"], 20 * 60, "from the start ping: {d}");
    let r =
        http.post(format!("{base}/ping/{token}/fail")).body("pg_dump: connection refused").send().await.expect("fail");
    assert_eq!(r.status(), StatusCode::OK);
    let failed_run = r.text().await.expect("text").trim().trim_start_matches("OK ").to_string();
    let (_, d) = op.get(&format!("/api/v1/runs/{failed_run}")).await;
    assert_eq!(d["run"]["status"], "Failed", "{d}");
    let (_, rc) = op.get("/api/v1/run-checks").await;
    assert!(rc.to_string().contains(&failed_run), "a Failed ping is in Run Checks: {rc}");
    // Its alert reaches the webhook too.
    drain_until(&rt.app, "the ping's alert", || deliveries() == 2).await;
    assert!(seen.lock().unwrap().last().is_some_and(|(_, b, _)| b.contains(&failed_run)));
    // Unknown tokens reveal nothing; a flood is limited.
    let r = http.get(format!("{base}/ping/{}", "A".repeat(43))).send().await.expect("unknown");
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = http.get(format!("{base}/ping/short")).send().await.expect("bad");
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let mut limited = false;
    for _ in 0..40 {
        if http.get(format!("{base}/ping/{token}/start")).send().await.expect("flood").status()
            == StatusCode::TOO_MANY_REQUESTS
        {
            limited = true;
            break;
        }
    }
    assert!(limited, "a flood of pings is limited");
    // A new token: the old URL stops working.
    let (s, renewed) = op.post(&format!("/api/v1/jobs/{ping_job}/ping-token"), &json!({})).await;
    assert_eq!(s, StatusCode::OK, "{renewed}");
    let r = http.post(format!("{base}/ping/{token}/fail")).send().await.expect("old");
    assert!(matches!(r.status(), StatusCode::NOT_FOUND | StatusCode::TOO_MANY_REQUESTS), "{}", r.status());

    // ---- mutes: a muted customer alerts nobody (operators may mute).
    let (s, m) = op.put("/api/v1/alerts/mutes", &json!({"customer_ids": [customer_id]})).await;
    assert_eq!(s, StatusCode::OK, "{m}");
    let new_token = renewed["ping"]["url"].as_str().expect("url").rsplit('/').next().expect("t").to_string();
    let r = http.post(format!("{base}/ping/{new_token}/fail")).send().await.expect("muted fail");
    assert_eq!(r.status(), StatusCode::OK);
    drain_all(&rt.app).await;
    assert_eq!(deliveries(), 2, "muted: no alert");
    let (s, _) = op.put("/api/v1/alerts/mutes", &json!({})).await;
    assert_eq!(s, StatusCode::OK);

    // ---- a receiver that stays down: retried, then a dead letter an admin retries.
    let (down, down_seen) = receiver(vec![503; 100]).await;
    let (_, ch2) = admin.post("/api/v1/alerts/channels", &json!({"name": "Down", "kind": "slack", "url": down})).await;
    let ch2 = ch2["channel"]["id"].as_str().expect("id").to_string();
    let (s, _) = op.post(&format!("/api/v1/alerts/channels/{ch2}/test"), &json!({})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = admin.post(&format!("/api/v1/alerts/channels/{ch2}/test"), &json!({})).await;
    assert_eq!(s, StatusCode::ACCEPTED);
    let (s, _) = op.get("/api/v1/dead-letters").await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let until = std::time::Instant::now() + std::time::Duration::from_secs(240);
    let dead = loop {
        rt.app.drain_queue_once(10).await.expect("drain");
        let (_, dl) = admin.get("/api/v1/dead-letters").await;
        if let Some(d) = dl.as_array().and_then(|a| a.iter().find(|d| d["kind"] == "alert").cloned()) {
            break d;
        }
        assert!(std::time::Instant::now() < until, "the failing test alert never reached the dead letters");
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    };
    assert!(dead["summary"].as_str().unwrap_or("").contains(&ch2), "{dead}");
    let tries = down_seen.lock().unwrap().len();
    assert!(tries >= 2, "retried before giving up: {tries}");
    let (s, e) = admin.post(&format!("/api/v1/dead-letters/{}/retry", dead["id"].as_str().unwrap()), &json!({})).await;
    assert_eq!(s, StatusCode::ACCEPTED, "{e}");
    rt.app.drain_queue_once(10).await.expect("drain");
    assert!(down_seen.lock().unwrap().len() > tries, "the retried dead letter was attempted again");

    // ---- every change is in the audit trail.
    let (_, audit) = admin.get("/api/v1/audit?limit=200").await;
    let actions = audit.to_string();
    for want in [
        "alert_channel",
        "alert_rule",
        "alert_digest",
        "alert_mutes",
        "create_ping",
        "regenerate_ping_token",
        "dead_letter",
    ] {
        assert!(actions.contains(want), "{want} not in the audit trail");
    }
    let _ = rule;
}

fn clock() -> Arc<ManualClock> {
    Arc::new(ManualClock::new(at("2026-03-02T08:00:00Z")))
}

#[tokio::test]
async fn alerts_digest_and_pings_on_the_embedded_store() {
    let clock = clock();
    let rt = Runtime::embedded_with_clock(clock.clone()).with_users().await;
    let outbox = Outbox::Folder(rt.dir.as_ref().expect("data dir").path().join("outbox"));
    alerts_on(rt, clock, outbox).await;
}

#[cfg(feature = "aws")]
#[tokio::test]
async fn alerts_digest_and_pings_on_dynamodb_s3_sqs_ses_through_moto() {
    // moto's sent mail is read from its state dump: a moto of this test's own.
    let own = bc_aws::testing::MotoServer::start().expect("a moto_server of this test's own");
    let adapters = bc_aws::testing::adapters_at(own.endpoint(), "alerts").await.expect("moto adapters");
    let clock = clock();
    let app = adapters.app(bc_core::Config::default(), clock.clone());
    let rt = Runtime { name: "aws", app, dir: None, aws: Some(adapters) }.with_users().await;
    alerts_on(rt, clock, Outbox::Moto(own.endpoint().to_string())).await;
}
