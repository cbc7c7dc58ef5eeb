//! Schedules and Missed runs on both runtimes, over HTTP, with a clock the
//! test moves: a job learns a daily schedule from its first runs; a day
//! passes without its mail; after the grace the scheduler's tick puts a
//! Missed run in Run Checks, and a second tick creates nothing more; the
//! late mail then arrives and attaches to the Missed run's day (counted
//! once); Daily Jobs shows the day; a customer's maintenance window means
//! nothing is missed; explicit schedules (cron with a time zone) override
//! the learned one and bad ones are refused with the reason; "no schedule"
//! is never missed; viewers see Daily Jobs but cannot set schedules.

use std::sync::Arc;

use bc_api_types::{DailyJobs, DailyState, Job, Status};
use bc_core::ports::Clock;
use bc_tests::mails::VeeamMail;
use bc_tests::server::{Client, TestServer};
use bc_tests::{ADMIN, OPERATOR, Runtime, VIEWER};
use chrono::{DateTime, Duration, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};

const SENDER: &str = "veeam@schedules.example.com";

/// A clock the test moves.
struct MovableClock(std::sync::Mutex<DateTime<Utc>>);

impl MovableClock {
    fn set(&self, t: &str) {
        *self.0.lock().expect("clock") = t.parse().expect("time");
    }
}

impl Clock for MovableClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().expect("clock")
    }
}

fn t(s: &str) -> DateTime<Utc> {
    s.parse().expect("time")
}

async fn upload(c: &Client, seq: u64) -> Value {
    let (s, body) = c
        .post_raw("/api/v1/mails", "message/rfc822", VeeamMail::new(SENDER, "File server", Status::Success, seq).eml())
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    body
}

async fn job(c: &Client, id: &str) -> Job {
    let (s, body) = c.get(&format!("/api/v1/jobs/{id}")).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    serde_json::from_value(body).expect("job")
}

/// (run id, status) of every unreviewed run in Run Checks.
async fn checks(c: &Client) -> Vec<(String, String)> {
    let (s, body) = c.get("/api/v1/run-checks").await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let mut out = Vec::new();
    for job in body["jobs"].as_array().expect("jobs") {
        for r in job["runs"].as_array().expect("runs") {
            out.push((r["id"].as_str().unwrap_or("").to_string(), r["status"].as_str().unwrap_or("").to_string()));
        }
    }
    out
}

async fn daily(c: &Client, query: &str) -> DailyJobs {
    let (s, body) = c.get(&format!("/api/v1/daily-jobs?{query}")).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    serde_json::from_value(body).expect("daily jobs")
}

/// Sessions last 12 hours of the moved clock: each user signs in again after a jump.
async fn logins(server: &TestServer) -> (Client, Client, Client) {
    (server.login(ADMIN).await, server.login(OPERATOR).await, server.login(VIEWER).await)
}

#[allow(unused_variables)]
async fn schedules_on(rt: Runtime, clock: Arc<MovableClock>) {
    let server = TestServer::start(rt.app.clone()).await;
    let (admin, op, viewer) = logins(&server).await;

    let (s, cust) = op.post("/api/v1/customers", &json!({"name": "Schedule BV"})).await;
    assert_eq!(s, StatusCode::CREATED, "{cust}");
    let customer_id = cust["id"].as_str().expect("id").to_string();

    // Four nightly runs (21:00 UTC, 2026-03-01 .. 03-04); the first is approved.
    clock.set("2026-03-02T08:00:00Z");
    let (admin, op, viewer) = logins(&server).await;
    let first = upload(&op, 0).await;
    let mail_id = first["mail_id"].as_str().expect("mail id").to_string();
    let (s, approved) =
        op.post(&format!("/api/v1/inbox/{mail_id}/approve"), &json!({"customer_id": customer_id})).await;
    assert_eq!(s, StatusCode::OK, "{approved}");
    let job_id = approved["job"]["id"].as_str().expect("job").to_string();
    assert!(job(&op, &job_id).await.schedule.is_none(), "one run teaches nothing");
    for seq in 1..=3 {
        clock.set(&format!("2026-03-0{}T08:00:00Z", 2 + seq));
        let (admin, op, viewer) = logins(&server).await;
        upload(&op, seq).await;
    }
    let (admin, op, viewer) = logins(&server).await;

    // Learned: daily around 21:00, the next expected run on 03-05.
    let j = job(&op, &job_id).await;
    let sched = j.schedule.expect("a learned schedule");
    assert_eq!(sched.source, "learned");
    let learned = sched.learned.expect("learned");
    assert_eq!(learned.cadence, bc_api_types::Cadence::Daily);
    assert_eq!(learned.expected_minute, 21 * 60);
    assert!(learned.confidence >= 0.5, "{learned:?}");
    let next = sched.next.expect("next expected run");
    assert_eq!(next.at, t("2026-03-05T21:00:00Z"));
    assert!(next.due_at > next.at);

    // The day passes without the mail. Before the grace is over: nothing.
    clock.set("2026-03-05T21:30:00Z");
    let (admin, op, viewer) = logins(&server).await;
    assert_eq!(rt.app.tick().await.expect("tick").missed_runs, 0);
    let day5 = daily(&viewer, "date=2026-03-05").await;
    assert_eq!(day5.items.len(), 1, "{day5:?}");
    assert_eq!(day5.items[0].state, DailyState::Expected);

    // After the grace: a Missed run in Run Checks; a second tick adds none.
    clock.set(&(next.due_at + Duration::minutes(1)).to_rfc3339());
    let (admin, op, viewer) = logins(&server).await;
    assert_eq!(rt.app.tick().await.expect("tick").missed_runs, 1);
    assert_eq!(rt.app.tick().await.expect("tick").missed_runs, 0, "a second tick creates nothing more");
    let missed: Vec<String> = checks(&op).await.into_iter().filter(|(_, s)| s == "Missed").map(|(id, _)| id).collect();
    assert_eq!(missed.len(), 1);
    let missed_id = missed[0].clone();
    let (s, detail) = op.get(&format!("/api/v1/runs/{missed_id}")).await;
    assert_eq!(s, StatusCode::OK, "{detail}");
    assert_eq!(detail["run"]["status"], "Missed");
    assert!(detail["mail"].is_null(), "a Missed run has no mail");
    let day5 = daily(&viewer, "date=2026-03-05&status=Missed").await;
    assert_eq!(day5.items.len(), 1);
    assert_eq!(day5.items[0].state, DailyState::Missed);
    assert_eq!(day5.items[0].runs.len(), 1);
    let j = job(&op, &job_id).await;
    assert_eq!(j.schedule.and_then(|s| s.next).map(|n| n.at), Some(t("2026-03-06T21:00:00Z")));

    // The late mail arrives: the Missed run is marked "arrived late" (and
    // leaves Run Checks); the real run is there as usual.
    clock.set("2026-03-06T07:00:00Z");
    let (admin, op, viewer) = logins(&server).await;
    let late = upload(&op, 4).await;
    let real_id = late["run_id"].as_str().expect("run id").to_string();
    let (_, detail) = op.get(&format!("/api/v1/runs/{missed_id}")).await;
    assert_eq!(detail["run"]["late"]["run_id"], real_id.as_str(), "{detail}");
    let now_checks = checks(&op).await;
    assert!(now_checks.iter().any(|(id, s)| *id == real_id && s == "Success"));
    assert!(!now_checks.iter().any(|(id, _)| *id == missed_id), "the day is in Run Checks once");
    let day5 = daily(&viewer, "date=2026-03-05").await;
    assert_eq!(day5.items[0].state, DailyState::Ran);
    assert_eq!(day5.items[0].status, Some(Status::Success));
    assert!(day5.items[0].runs.iter().any(|r| r.late_run_id.as_deref() == Some(real_id.as_str())));
    assert_eq!(daily(&viewer, "date=2026-03-05&status=Missed").await.items.len(), 0);

    // A customer's maintenance window: the 03-06 run is not missed.
    let (s, w) = op
        .post(
            "/api/v1/maintenance-windows",
            &json!({"customer_id": customer_id, "from": "2026-03-06T12:00:00Z", "until": "2026-03-07T12:00:00Z",
                    "reason": "office move"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{w}");
    let (s, bad) = op
        .post(
            "/api/v1/maintenance-windows",
            &json!({"job_id": job_id, "from": "2026-03-07T12:00:00Z", "until": "2026-03-06T12:00:00Z"}),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{bad}");
    let (s, _) = viewer
        .post(
            "/api/v1/maintenance-windows",
            &json!({"customer_id": customer_id, "from": "2026-03-06T12:00:00Z", "until": "2026-03-07T12:00:00Z"}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(daily(&viewer, "date=2026-03-06").await.items[0].state, DailyState::Maintenance);
    clock.set("2026-03-06T23:30:00Z");
    let (admin, op, viewer) = logins(&server).await;
    assert_eq!(rt.app.tick().await.expect("tick").missed_runs, 0, "nothing is missed in a maintenance window");
    let j = job(&op, &job_id).await;
    assert_eq!(j.schedule.and_then(|s| s.next).map(|n| n.at), Some(t("2026-03-07T21:00:00Z")));

    // Explicit schedules: bad ones refused with the reason; viewers may not.
    for (spec, word) in [
        (json!({"kind": "cron", "expression": "61 * * * *", "time_zone": "UTC"}), "cron"),
        (json!({"kind": "cron", "expression": "0 3 * * *", "time_zone": "Mars/Olympus"}), "time zone"),
        (json!({"kind": "interval", "minutes": 1}), "interval"),
    ] {
        let (s, body) = op.put(&format!("/api/v1/jobs/{job_id}/schedule"), &json!({"spec": spec})).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{body}");
        assert!(body["error"]["message"].as_str().unwrap_or("").contains(word), "{body}");
    }
    let cron = json!({"spec": {"kind": "cron", "expression": "0 3 * * *", "time_zone": "Europe/Amsterdam"},
                      "grace_minutes": 30});
    let (s, _) = viewer.put(&format!("/api/v1/jobs/{job_id}/schedule"), &cron).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, body) = op.put(&format!("/api/v1/jobs/{job_id}/schedule"), &cron).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let j: Job = serde_json::from_value(body).expect("job");
    let sched = j.schedule.expect("schedule");
    assert_eq!(sched.source, "explicit");
    assert_eq!(sched.grace_minutes, 30);
    // 03:00 in Amsterdam is 02:00 UTC in March (before DST).
    let next = sched.next.expect("next");
    assert_eq!(next.at, t("2026-03-07T02:00:00Z"));
    assert_eq!(next.due_at, t("2026-03-07T02:30:00Z"));

    // "No schedule": ad-hoc, never missed.
    let (s, body) = op.put(&format!("/api/v1/jobs/{job_id}/schedule"), &json!({"spec": {"kind": "none"}})).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert!(body["schedule"]["next"].is_null(), "{body}");
    clock.set("2026-03-09T12:00:00Z");
    let (admin, op, viewer) = logins(&server).await;
    assert_eq!(rt.app.tick().await.expect("tick").missed_runs, 0);
    assert!(daily(&viewer, "date=2026-03-08").await.items.is_empty());

    // The business-day cut-over: a setting, refused when not HH:MM.
    let (s, body) = admin.put("/api/v1/settings", &json!({"time_zone": "UTC", "day_cutover": "25:00"})).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{body}");
    let (s, body) = admin.put("/api/v1/settings", &json!({"time_zone": "UTC", "day_cutover": "06:00"})).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(body["day_cutover"], "06:00");

    // Bad Daily Jobs input.
    let (s, _) = viewer.get("/api/v1/daily-jobs?date=yesterday").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, _) = viewer.get("/api/v1/daily-jobs?status=Sunny").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);

    // Every change is in the audit trail.
    let (s, audit) = admin.get("/api/v1/audit?limit=200").await;
    assert_eq!(s, StatusCode::OK, "{audit}");
    let actions: Vec<String> = audit["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|e| format!("{}:{}", e["entity_type"].as_str().unwrap_or(""), e["action"].as_str().unwrap_or("")))
        .collect();
    for want in ["run:missed", "run:arrived_late", "maintenance_window:create", "job:set_schedule", "settings:update"] {
        assert!(actions.iter().any(|a| a == want), "{want} not in {actions:?}");
    }
}

fn clock() -> Arc<MovableClock> {
    Arc::new(MovableClock(std::sync::Mutex::new(t("2026-03-02T08:00:00Z"))))
}

#[tokio::test]
async fn schedules_and_missed_runs_on_the_embedded_store() {
    let clock = clock();
    let rt = Runtime::embedded_with_clock(clock.clone()).with_users().await;
    schedules_on(rt, clock).await;
}

#[cfg(feature = "aws")]
#[tokio::test]
async fn schedules_and_missed_runs_on_dynamodb_s3_sqs_through_moto() {
    let clock = clock();
    let mut rt = Runtime::aws("schedules").await;
    rt.app.clock = clock.clone();
    let rt = rt.with_users().await;
    schedules_on(rt, clock).await;
}
