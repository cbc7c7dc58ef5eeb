//! The control plane, part 2, on both runtimes over HTTP with a clock the
//! test moves and a scripted engine (tests/src/bes.rs): a policy's slot is
//! dispatched once per host even when the tick runs twice; the engine
//! fetches, acknowledges and reports; the run reaches the Jobs page and Run
//! Checks, its restore point and protected object follow; a failed,
//! retryable run is retried automatically at most 3 times and retry runs
//! are not retryable; browse answers asynchronously; a file restore of
//! 10,001 paths, a restore by a viewer, a result for another engine's job
//! are refused; a bare-metal restore's token is accepted once and never
//! after 4 hours; an engine that disappears mid-job fails the job with the
//! reason; an object past its RPO shows in the dashboard's breach queue and
//! in Run Checks.
//!
//! The real reference engine (restic repositories) is proven in
//! tests/tests/engine_e2e.rs; this file pins the rules around it.

use std::sync::Arc;

use bc_core::ports::{Clock, ManualClock};
use bc_tests::bes::ScriptedEngine;
use bc_tests::server::{Client, TestServer};
use bc_tests::{ADMIN, OPERATOR, Runtime, VIEWER};
use chrono::{DateTime, Duration, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn success(snapshot: &str, at: DateTime<Utc>) -> Value {
    json!({
        "status": "success", "started_at": at - Duration::minutes(5), "ended_at": at,
        "bytes_transferred": 1000, "protected_bytes": 5000, "retryable": false,
        "snapshot": {"snapshot_id": snapshot, "chain_id": "chain-fs01", "completed_at": at,
                     "size_bytes": 4000, "file_count": 12, "verification": "passed"}
    })
}

fn failure(at: DateTime<Utc>) -> Value {
    json!({"status": "failed", "started_at": at, "ended_at": at, "error": "the repository is locked", "retryable": true})
}

async fn tick(rt: &Runtime) -> bc_core::scheduler::TickReport {
    rt.app.tick().await.expect("tick")
}

async fn objects(c: &Client, query: &str) -> Vec<Value> {
    let (s, body) = c.get(&format!("/api/v1/backup/objects{query}")).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    body["items"].as_array().cloned().unwrap_or_default()
}

async fn backup_runs_on(rt: Runtime, clock: Arc<ManualClock>) {
    let server = TestServer::start(rt.app.clone()).await;
    let admin = server.login(ADMIN).await;
    let mut op = server.login(OPERATOR).await;
    let mut viewer = server.login(VIEWER).await;

    let (_, cust) = op.post("/api/v1/customers", &json!({"name": "Runs BV"})).await;
    let customer_id = cust["id"].as_str().expect("customer").to_string();
    let (_, created) = admin.post("/api/v1/backup/registration-secrets", &json!({"customer_id": customer_id})).await;
    let secret = created["secret"].as_str().expect("secret").to_string();
    let mut bes = ScriptedEngine::register(3, &server.base, &secret, "Vault-3", clock.clone()).await;
    let mut other = ScriptedEngine::register(4, &server.base, &secret, "Vault-4", clock.clone()).await;

    let (s, target) = op
        .post(
            "/api/v1/backup/storage-targets",
            &json!({"name": "Local repo", "target_type": "local", "engine_id": bes.id, "connection": {"path": "/srv/repo"}}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{target}");
    let target_id = target["id"].as_str().unwrap().to_string();
    let (s, pol) = op
        .post(
            "/api/v1/backup/policies",
            &json!({"name": "Nightly files", "engine_id": bes.id, "storage_target_id": target_id,
                    "full_schedule": "0 2 * * *", "time_zone": "UTC", "include_paths": ["/srv/data"],
                    "exclude_patterns": ["*.tmp"], "retention_daily": 7, "retention_weekly": 0, "retention_monthly": 0}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{pol}");
    let policy_id = pol["policy"]["id"].as_str().unwrap().to_string();
    // A replication rule to a second target: each backup's snapshot is copied there once it ends.
    let (s, replica) = op
        .post(
            "/api/v1/backup/storage-targets",
            &json!({"name": "Replica repo", "target_type": "local", "engine_id": bes.id, "connection": {"path": "/srv/replica"}}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{replica}");
    let replica_target_id = replica["id"].as_str().unwrap().to_string();
    let (s, rule) = op
        .post(
            "/api/v1/backup/replicas",
            &json!({"policy_id": policy_id, "storage_target_id": replica_target_id, "is_offsite": true}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{rule}");
    let (_, host) = op.post("/api/v1/backup/hosts", &json!({"customer_id": customer_id, "hostname": "fs01"})).await;
    let host_id = host["id"].as_str().unwrap().to_string();
    let (s, body) = op.post(&format!("/api/v1/backup/policies/{policy_id}/hosts"), &json!({"host_id": host_id})).await;
    assert_eq!(s, StatusCode::CREATED, "{body}");

    // Assigning makes a protected object (never backed up) and the policy's job on the Jobs page.
    let objs = objects(&viewer, "?last_status=never").await;
    assert_eq!(objs.len(), 1, "{objs:?}");
    assert_eq!((objs[0]["name"].as_str(), objs[0]["object_type"].as_str()), (Some("fs01"), Some("fileset")));
    let (_, jobs) = viewer.get("/api/v1/jobs?source=native").await;
    let job = jobs["items"].as_array().and_then(|a| a.first()).cloned().expect("the native job");
    assert_eq!(job["job_name"], "Nightly files");
    assert_eq!(job["source"]["kind"], "native");
    let job_id = job["id"].as_str().unwrap().to_string();

    // 01:59: nothing due. 02:00:30: one job; the same tick again adds none.
    clock.set("2026-03-03T01:59:00Z".parse().unwrap());
    assert_eq!(tick(&rt).await.backups_dispatched, 0);
    clock.set("2026-03-03T02:00:30Z".parse().unwrap());
    bes.heartbeat().await;
    other.heartbeat().await;
    // Sessions end with the clock: sign in again after each jump.
    (op, viewer) = (server.login(OPERATOR).await, server.login(VIEWER).await);
    assert_eq!(tick(&rt).await.backups_dispatched, 1);
    assert_eq!(tick(&rt).await.backups_dispatched, 0, "one slot gives one job");
    assert!(other.poll().await.is_empty(), "another engine sees none of it");
    let jobs = bes.poll().await;
    assert_eq!(jobs.len(), 1, "{jobs:?}");
    let j = &jobs[0];
    assert_eq!(j["payload"]["kind"], "backup");
    assert_eq!(j["payload"]["include_paths"], json!(["/srv/data"]));
    assert_eq!(j["payload"]["exclude_patterns"], json!(["*.tmp"]));
    assert_eq!(j["payload"]["hostname"], "fs01");
    assert_eq!(j["payload"]["level"], "full");
    assert_eq!(j["target"]["connection"]["path"], "/srv/repo");
    assert!(bes.poll().await.is_empty(), "offered once until the re-offer time");
    let aj = j["id"].as_str().unwrap().to_string();

    // Another engine's job: not found, exactly like a job that does not exist.
    let (s, body) = other.ack(&aj).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{body}");
    let (s, body) = other.result(&aj, &success("snap-x", clock.now())).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{body}");

    let (s, body) = bes.ack(&aj).await;
    assert_eq!((s, body["status"].as_str()), (StatusCode::OK, Some("running")), "{body}");
    let (s, _) = bes.call("POST", &format!("/bes/v1/jobs/{aj}/progress"), &json!({"percent": 140})).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "percent over 100");
    let (s, _) =
        bes.call("POST", &format!("/bes/v1/jobs/{aj}/progress"), &json!({"percent": 50, "bytes_done": 500})).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    clock.advance(Duration::minutes(5));
    let done = success("snap-1", clock.now());
    let (s, body) = bes.result(&aj, &done).await;
    assert_eq!((s, body["status"].as_str()), (StatusCode::OK, Some("success")), "{body}");
    let (s, _) = bes.result(&aj, &done).await;
    assert_eq!(s, StatusCode::OK, "the same result again");
    let (s, body) = bes.result(&aj, &failure(clock.now())).await;
    assert_eq!(s, StatusCode::CONFLICT, "another result for an ended job: {body}");

    // The restore point, the object, the run on the Jobs page and in Run Checks.
    let (s, points) = op.get(&format!("/api/v1/backup/restore-points?host_id={host_id}&status=complete")).await;
    assert_eq!(s, StatusCode::OK, "{points}");
    let points = points["items"].as_array().cloned().unwrap();
    assert_eq!(points.len(), 1, "{points:?}");
    assert_eq!(
        (points[0]["snapshot_id"].as_str(), points[0]["verification"].as_str()),
        (Some("snap-1"), Some("passed"))
    );
    let rp_id = points[0]["id"].as_str().unwrap().to_string();

    // Its copy: one replication job (the result delivered twice made no second one) from the
    // primary target to the replica target, pending on the restore point until it ends.
    assert_eq!(points[0]["replicas"][0]["status"], "pending", "{points:?}");
    let jobs = bes.poll().await;
    assert_eq!(jobs.len(), 1, "one replication job: {jobs:?}");
    let rj = &jobs[0];
    assert_eq!(rj["payload"]["kind"], "replicate");
    assert_eq!(rj["payload"]["snapshot_id"], "snap-1");
    assert_eq!(rj["payload"]["restore_point_id"], rp_id.as_str());
    assert_eq!(rj["payload"]["replica_target_id"], replica_target_id.as_str());
    assert_eq!(rj["target"]["connection"]["path"], "/srv/repo");
    assert_eq!(rj["replica_target"]["connection"]["path"], "/srv/replica");
    let rj_id = rj["id"].as_str().unwrap().to_string();
    bes.ack(&rj_id).await;
    let copied = json!({"status": "success", "started_at": clock.now(), "ended_at": clock.now(), "replica_snapshot_id": "copy-1"});
    let (s, body) = bes.result(&rj_id, &copied).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let (_, points) = op.get(&format!("/api/v1/backup/restore-points?host_id={host_id}&status=complete")).await;
    let copy = &points["items"][0]["replicas"][0];
    assert_eq!(
        (copy["status"].as_str(), copy["snapshot_id"].as_str(), copy["is_offsite"].as_bool()),
        (Some("success"), Some("copy-1"), Some(true)),
        "{copy}"
    );
    assert_eq!(points["items"][0]["replicas"].as_array().map(Vec::len), Some(1));
    let (s, _) = viewer.get("/api/v1/backup/restore-points").await;
    assert_eq!(s, StatusCode::FORBIDDEN, "restore points need backup.restore");
    let objs = objects(&viewer, "?last_status=success").await;
    assert_eq!(objs.len(), 1);
    let (_, runs) = viewer.get(&format!("/api/v1/jobs/{job_id}/runs")).await;
    let runs = runs["items"].as_array().cloned().unwrap();
    assert_eq!(runs.len(), 1, "{runs:?}");
    assert_eq!(runs[0]["status"], "Success");
    let (_, native) = viewer.get(&format!("/api/v1/backup/jobs/{job_id}/runs")).await;
    let native = native["items"].as_array().cloned().unwrap();
    assert_eq!(native[0]["restore_point_id"].as_str(), Some(rp_id.as_str()));
    assert_eq!(native[0]["bytes_transferred"], 1000);
    assert_eq!(native[0]["protected_bytes"], 5000);

    // A failed, retryable run: retried automatically 3 times, no more; retry runs are not retryable.
    let (s, _) = viewer.post(&format!("/api/v1/backup/policies/{policy_id}/run-now"), &json!({})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, d) = op.post(&format!("/api/v1/backup/policies/{policy_id}/run-now"), &json!({})).await;
    assert_eq!(s, StatusCode::ACCEPTED, "{d}");
    let mut attempts = Vec::new();
    loop {
        let jobs = bes.poll().await;
        let Some(j) = jobs.first() else { break };
        let id = j["id"].as_str().unwrap().to_string();
        bes.ack(&id).await;
        let (s, body) = bes.result(&id, &failure(clock.now())).await;
        assert_eq!(s, StatusCode::OK, "{body}");
        attempts.push(id);
        assert!(attempts.len() <= 4, "retries never cascade");
    }
    assert_eq!(attempts.len(), 4, "the run and 3 automatic retries");
    let (_, native) = viewer.get(&format!("/api/v1/backup/jobs/{job_id}/runs")).await;
    let native = native["items"].as_array().cloned().unwrap();
    let failed: Vec<&Value> = native.iter().filter(|r| r["status"] == "failed").collect();
    assert_eq!(failed.len(), 4);
    assert_eq!(failed.iter().filter(|r| r["retryable"] == true).count(), 1, "only the first run is retryable");
    assert_eq!(failed.iter().filter(|r| r["reason"] == "auto_retry").count(), 3);
    let (_, queue) = viewer.get("/api/v1/backup/dashboard/failed").await;
    assert_eq!(queue.as_array().map(Vec::len), Some(1), "{queue}");
    assert_eq!(queue[0]["hostname"], "fs01");
    // A manual retry needs the latest run retryable: the last auto retry is not.
    let (s, body) = op.post(&format!("/api/v1/backup/jobs/{job_id}/retry"), &json!({})).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{body}");
    assert!(body["error"]["message"].as_str().unwrap_or("").contains("not retryable"), "{body}");

    // Browse: asynchronous; the UI polls the job.
    let (s, _) = viewer.post(&format!("/api/v1/backup/restore-points/{rp_id}/browse"), &json!({})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, b) = op.post(&format!("/api/v1/backup/restore-points/{rp_id}/browse"), &json!({"path": "/srv"})).await;
    assert_eq!(s, StatusCode::ACCEPTED, "{b}");
    let browse_id = b["id"].as_str().unwrap().to_string();
    let (_, pending) = op.get(&format!("/api/v1/backup/agent-jobs/{browse_id}")).await;
    assert_eq!(pending["status"], "pending");
    let jobs = bes.poll().await;
    assert_eq!((jobs[0]["priority"].as_str(), jobs[0]["payload"]["path"].as_str()), (Some("high"), Some("/srv")));
    assert_eq!(jobs[0]["payload"]["snapshot_id"], "snap-1");
    bes.ack(&browse_id).await;
    let entries = json!({"status": "success", "entries": [
        {"path": "/srv/data", "is_dir": true, "size": 0, "modified_at": null},
        {"path": "/srv/readme.txt", "is_dir": false, "size": 12, "modified_at": null}]});
    bes.result(&browse_id, &entries).await;
    let (_, got) = op.get(&format!("/api/v1/backup/agent-jobs/{browse_id}")).await;
    assert_eq!(got["status"], "success");
    assert_eq!(got["result"]["entries"].as_array().map(Vec::len), Some(2));

    // File restores: 10,001 paths refused; a viewer refused; a good one queued at high priority.
    let many: Vec<String> = (0..10_001).map(|i| format!("/srv/data/f{i}")).collect();
    let (s, body) = op
        .post(
            &format!("/api/v1/backup/restore-points/{rp_id}/restore-files"),
            &json!({"paths": many, "target_path": "/restore"}),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(body["error"]["message"].as_str().unwrap_or("").contains("10000"), "{body}");
    let (s, _) = viewer
        .post(
            &format!("/api/v1/backup/restore-points/{rp_id}/restore-files"),
            &json!({"paths": ["/srv/readme.txt"], "target_path": "/restore"}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, fr) = op
        .post(
            &format!("/api/v1/backup/restore-points/{rp_id}/restore-files"),
            &json!({"paths": ["/srv/readme.txt"], "target_path": "/restore"}),
        )
        .await;
    assert_eq!(s, StatusCode::ACCEPTED, "{fr}");
    assert_eq!((fr["priority"].as_str(), fr["payload"]["overwrite"].as_bool()), (Some("high"), Some(false)));
    let fr_id = fr["id"].as_str().unwrap().to_string();
    bes.poll().await;
    bes.ack(&fr_id).await;
    bes.result(&fr_id, &json!({"status": "success", "restored_files": 1})).await;

    // Bare-metal restore: PXE needs pxe_enabled; the token is accepted once, never after 4 hours.
    let (s, body) = op.post(&format!("/api/v1/backup/restore-points/{rp_id}/bmr"), &json!({"method": "pxe"})).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{body}");
    let (s, bmr) = op.post(&format!("/api/v1/backup/restore-points/{rp_id}/bmr"), &json!({"method": "iso"})).await;
    assert_eq!(s, StatusCode::ACCEPTED, "{bmr}");
    assert_eq!(bmr["priority"], "critical");
    assert_eq!(bmr["payload"]["token"], "", "the token is the engine's alone");
    let bmr_id = bmr["id"].as_str().unwrap().to_string();
    let (s, late) = op.post(&format!("/api/v1/backup/restore-points/{rp_id}/bmr"), &json!({"method": "iso"})).await;
    assert_eq!(s, StatusCode::ACCEPTED);
    let late_id = late["id"].as_str().unwrap().to_string();
    let jobs = bes.poll().await;
    let token_of = |id: &str| {
        jobs.iter()
            .find(|j| j["id"] == id)
            .map(|j| j["payload"]["token"].as_str().unwrap_or("").to_string())
            .expect("offered")
    };
    let (token, late_token) = (token_of(&bmr_id), token_of(&late_id));
    assert_eq!(token.len(), 36, "a UUID: {token}");
    let (s, _) = bes.call("POST", "/bes/v1/bmr/redeem", &json!({"job_id": bmr_id, "token": "0".repeat(36)})).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "a wrong token");
    let (s, body) = bes.call("POST", "/bes/v1/bmr/redeem", &json!({"job_id": bmr_id, "token": token})).await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{body}");
    let (s, body) = bes.call("POST", "/bes/v1/bmr/redeem", &json!({"job_id": bmr_id, "token": token})).await;
    assert_eq!(s, StatusCode::CONFLICT, "used twice: {body}");
    let (s, _) = other.call("POST", "/bes/v1/bmr/redeem", &json!({"job_id": late_id, "token": late_token})).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "another engine's");
    clock.advance(Duration::hours(4) + Duration::minutes(1));
    bes.heartbeat().await;
    other.heartbeat().await;
    (op, viewer) = (server.login(OPERATOR).await, server.login(VIEWER).await);
    let (s, body) = bes.call("POST", "/bes/v1/bmr/redeem", &json!({"job_id": late_id, "token": late_token})).await;
    assert_eq!(s, StatusCode::GONE, "after 4 hours: {body}");
    for id in [&bmr_id, &late_id] {
        bes.ack(id).await;
        bes.result(
            id,
            &json!({"status": "failed", "error": "not supported by the reference engine", "retryable": false}),
        )
        .await;
    }

    // The engine disappears mid-job: the job fails with the reason after the timeout.
    let (s, _) = op.post(&format!("/api/v1/backup/policies/{policy_id}/run-now"), &json!({})).await;
    assert_eq!(s, StatusCode::ACCEPTED);
    let jobs = bes.poll().await;
    let lost = jobs[0]["id"].as_str().unwrap().to_string();
    bes.ack(&lost).await;
    clock.advance(Duration::minutes(11));
    let report = tick(&rt).await;
    assert_eq!(report.engines_offline, 2, "both silent engines go offline");
    assert_eq!(report.agent_jobs_timed_out, 1);
    let (_, lost_job) = op.get(&format!("/api/v1/backup/agent-jobs/{lost}")).await;
    assert_eq!(lost_job["status"], "failed");
    assert!(lost_job["error"].as_str().unwrap_or("").contains("offline"), "{lost_job}");
    // Its automatic retry waits for the engine (pending), nothing is lost.
    bes.heartbeat().await;
    let retry = bes.poll().await;
    assert_eq!(retry.len(), 1, "the automatic retry of the lost run: {retry:?}");
    let rid = retry[0]["id"].as_str().unwrap().to_string();
    bes.ack(&rid).await;
    bes.result(&rid, &success("snap-2", clock.now())).await;

    // RPO: 24 hours after the last success the object is in breach: the dashboard and Run Checks show it.
    let (_, o) = viewer.get("/api/v1/backup/objects").await;
    let oid = o["items"][0]["id"].as_str().unwrap().to_string();
    let (s, _) = viewer.patch(&format!("/api/v1/backup/objects/{oid}"), &json!({"rpo_hours": 12})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, body) = op.patch(&format!("/api/v1/backup/objects/{oid}"), &json!({"rpo_hours": 0})).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{body}");
    let (_, queue) = viewer.get("/api/v1/backup/dashboard/rpo-breaches").await;
    assert_eq!(queue.as_array().map(Vec::len), Some(0), "within RPO: {queue}");
    clock.advance(Duration::hours(25));
    (op, viewer) = (server.login(OPERATOR).await, server.login(VIEWER).await);
    let report = tick(&rt).await;
    assert_eq!(report.rpo_breaches, 1);
    assert_eq!(tick(&rt).await.rpo_breaches, 0, "reported once per breach");
    let (_, queue) = viewer.get("/api/v1/backup/dashboard/rpo-breaches").await;
    assert_eq!(queue.as_array().map(Vec::len), Some(1), "{queue}");
    assert_eq!((queue[0]["name"].as_str(), queue[0]["rpo_breach"].as_bool()), (Some("fs01"), Some(true)));
    assert!(queue[0]["breach_hours"].as_u64().unwrap_or(0) >= 1);
    let breaches = objects(&viewer, "?rpo_breach=true").await;
    assert_eq!(breaches.len(), 1);
    let (_, summary) = viewer.get("/api/v1/backup/dashboard/summary").await;
    assert_eq!(
        (summary["protected_count"].as_u64(), summary["rpo_breach_count"].as_u64()),
        (Some(1), Some(1)),
        "{summary}"
    );
    assert_eq!(summary["engines_offline"].as_u64(), Some(2), "both engines fell silent: {summary}");
    let (_, checks) = op.get("/api/v1/run-checks").await;
    let native_row =
        checks["jobs"].as_array().unwrap().iter().find(|j| j["id"] == job_id.as_str()).cloned().expect("in Run Checks");
    assert!(native_row.to_string().contains("RPO breach"), "{native_row}");
    let (s, _) = op.get("/api/v1/backup/objects?object_type=tape").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);

    // Health check and verify land on the target.
    bes.heartbeat().await;
    tick(&rt).await;
    let (s, hc) = op.post(&format!("/api/v1/backup/storage/{target_id}/health-check"), &json!({})).await;
    assert_eq!(s, StatusCode::ACCEPTED, "{hc}");
    let (s, _) = viewer.post(&format!("/api/v1/backup/storage/{target_id}/verify"), &json!({})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let hc_id = hc["id"].as_str().unwrap().to_string();
    bes.poll().await;
    bes.ack(&hc_id).await;
    let cap = json!({"target_id": target_id, "total_bytes": 1000, "used_bytes": 500, "free_bytes": 500});
    bes.result(&hc_id, &json!({"status": "success", "reachable": true, "capacity": cap})).await;
    let (_, t) = op.get(&format!("/api/v1/backup/storage-targets/{target_id}")).await;
    assert_eq!(t["target"]["last_health_check"]["status"], "success", "{t}");
    assert_eq!(t["target"]["capacity"]["used_bytes"], 500);
}

fn clock() -> Arc<ManualClock> {
    Arc::new(ManualClock::new("2026-03-02T08:00:00Z".parse().expect("time")))
}

#[tokio::test]
async fn backup_runs_on_the_embedded_store() {
    let clock = clock();
    let rt = Runtime::embedded_with_clock(clock.clone()).with_users().await;
    backup_runs_on(rt, clock).await;
}

#[cfg(feature = "aws")]
#[tokio::test]
async fn backup_runs_on_dynamodb_s3_sqs_through_moto() {
    let clock = clock();
    let mut rt = Runtime::aws("backup_runs").await;
    rt.app.clock = clock.clone();
    let rt = rt.with_users().await;
    backup_runs_on(rt, clock).await;
}
