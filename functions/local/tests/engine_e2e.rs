//! The control plane against something that really backs up: the
//! `backupchecks serve` binary and the reference engine (`bc_engine`, the
//! code behind `backupchecks-engine`) on loopback. The server's clock is
//! moved through its test offset file (and the engine's signing clock with
//! it), so the scheduler dispatches real slots:
//!
//! a storage target and a policy on temporary directories; the slot comes,
//! the engine backs up into a restic repository and the restore point is
//! listed; files change, the next slot backs up again (incremental: far
//! fewer bytes); the snapshot is browsed and searched; a file is restored
//! and its bytes compared with the original; a run that fails (its paths
//! are gone) is retried automatically 3 times, no more; two days without a
//! backup put the host in the dashboard's RPO breach queue.
#![cfg(unix)]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use bc_tests::server::{Client, TestServer};
use chrono::{DateTime, Timelike, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};

mod common;

/// The server, its test clock file and its data folder.
struct Served {
    serve: common::Serve,
    offset_file: PathBuf,
    _data: tempfile::TempDir,
}

fn serve() -> Served {
    let data = tempfile::tempdir().unwrap();
    let offset_file = data.path().join("clock-offset");
    std::fs::write(&offset_file, "0").unwrap();
    let serve = common::serve_with(
        &data.path().join("data"),
        &["--frontend".as_ref(), "/nonexistent".as_ref()],
        &[("BACKUPCHECKS_TICK_SECS", "1".as_ref()), ("BACKUPCHECKS_TEST_CLOCK_OFFSET_FILE", offset_file.as_os_str())],
    );
    assert!(!serve.password.is_empty(), "serve printed the first admin's password");
    Served { serve, offset_file, _data: data }
}

impl Served {
    /// Moves the server's clock to `at` (and returns the offset to give the engine).
    fn set_time(&self, at: DateTime<Utc>) -> i64 {
        let offset = (at - Utc::now()).num_seconds();
        std::fs::write(&self.offset_file, offset.to_string()).unwrap();
        offset
    }
}

fn write(path: &Path, bytes: &[u8]) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

/// Pseudo-random bytes (incompressible) of a given seed.
fn noise(seed: u64, len: usize) -> Vec<u8> {
    let mut x = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

/// Runs the engine until `done` holds (each round: heartbeat, poll, the jobs it got).
async fn engine_until(engine: &bc_engine::Engine, what: &str, mut done: impl AsyncFnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        engine.run_once().await.expect("engine round");
        if done().await {
            return;
        }
        if Instant::now() >= deadline {
            let r = engine.run_once().await.expect("engine round");
            panic!("the engine did not get to: {what}; last round: {:?}", r.results);
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

/// The host's restore points, newest first (`status`: e.g. `&status=complete`).
async fn points(c: &Client, host_id: &str, status: &str) -> Vec<Value> {
    let (s, body) = c.get(&format!("/api/v1/backup/restore-points?host_id={host_id}{status}")).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    body["items"].as_array().cloned().unwrap_or_default()
}

async fn agent_job(c: &Client, id: &str) -> Value {
    let (s, body) = c.get(&format!("/api/v1/backup/agent-jobs/{id}")).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    body
}

async fn native_runs(c: &Client, job_id: &str) -> Vec<Value> {
    let (s, body) = c.get(&format!("/api/v1/backup/jobs/{job_id}/runs?limit=50")).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    body["items"].as_array().cloned().unwrap_or_default()
}

/// The next 03:00 UTC after `t`.
fn next_three(t: DateTime<Utc>) -> DateTime<Utc> {
    let day = if t.hour() < 3 { t.date_naive() } else { t.date_naive() + chrono::Duration::days(1) };
    day.and_hms_opt(3, 0, 0).unwrap().and_utc()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_and_the_reference_engine_back_up_and_restore() {
    let srv = serve();
    let server = TestServer { base: srv.serve.base.clone() };
    let mut admin = server.login(("admin", srv.serve.password.as_str())).await;

    let work = tempfile::tempdir().unwrap();
    let source = work.path().join("source");
    let repo = work.path().join("repo");
    let replica = work.path().join("replica");
    let restore_to = work.path().join("restored");
    write(&source.join("docs/report.txt"), b"quarterly figures v1\n".repeat(200).as_slice());
    write(&source.join("docs/notes.md"), b"# notes\n".repeat(50).as_slice());
    write(&source.join("data/blob.bin"), &noise(1, 2_000_000));
    write(&source.join("data/skip.tmp"), b"not wanted");

    let (_, cust) = admin.post("/api/v1/customers", &json!({"name": "E2E BV"})).await;
    let customer_id = cust["id"].as_str().expect("customer").to_string();
    let (s, created) = admin.post("/api/v1/backup/registration-secrets", &json!({"customer_id": customer_id})).await;
    assert_eq!(s, StatusCode::CREATED, "{created}");

    let engine = bc_engine::Engine::new(bc_engine::EngineConfig {
        server: srv.serve.base.clone(),
        state_dir: work.path().join("engine-state"),
        registration_secret: Some(created["secret"].as_str().unwrap().to_string()),
        name: "Vault-E2E".into(),
        hostname: Some("fs01".into()),
        retry_attempts: 2,
        retry_delay_ms: 100,
        ..Default::default()
    })
    .expect("engine");
    engine.register_if_needed().await.expect("registered");
    engine.run_once().await.expect("first heartbeat");
    let engine_id = engine.engine_id().expect("engine id");

    // The engine reported its host; a Local target and a policy on the temporary directories.
    let (_, hosts) = admin.get(&format!("/api/v1/backup/hosts?customer={customer_id}")).await;
    let host = hosts.as_array().unwrap().iter().find(|h| h["hostname"] == "fs01").cloned().expect("reported host");
    let host_id = host["id"].as_str().unwrap().to_string();
    let (s, target) = admin
        .post(
            "/api/v1/backup/storage-targets",
            &json!({"name": "Local repo", "target_type": "local", "engine_id": engine_id,
                    "connection": {"path": repo.to_str().unwrap()}}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{target}");
    let (s, pol) = admin
        .post(
            "/api/v1/backup/policies",
            &json!({"name": "Files E2E", "engine_id": engine_id, "storage_target_id": target["id"],
                    "full_schedule": "0 3 * * *", "time_zone": "UTC",
                    "include_paths": [source.to_str().unwrap()], "exclude_patterns": ["*.tmp"],
                    "verify_after_backup": true, "verify_sample_count": 5}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{pol}");
    let policy_id = pol["policy"]["id"].as_str().unwrap().to_string();
    // A replication rule: each backup's snapshot is copied to a second repository.
    let (s, replica_target) = admin
        .post(
            "/api/v1/backup/storage-targets",
            &json!({"name": "Replica repo", "target_type": "local", "engine_id": engine_id,
                    "connection": {"path": replica.to_str().unwrap()}}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{replica_target}");
    let (s, rule) = admin
        .post("/api/v1/backup/replicas", &json!({"policy_id": policy_id, "storage_target_id": replica_target["id"]}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{rule}");
    let (s, body) =
        admin.post(&format!("/api/v1/backup/policies/{policy_id}/hosts"), &json!({"host_id": host_id})).await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    let (_, jobs) = admin.get("/api/v1/jobs?source=native").await;
    let job_id = jobs["items"][0]["id"].as_str().expect("the policy's job").to_string();

    // The slot comes: the scheduler dispatches, the engine backs up.
    let slot = next_three(Utc::now());
    engine.set_clock_offset(srv.set_time(slot + chrono::Duration::seconds(20)));
    // Sessions end with the server's clock: sign in again after each jump.
    admin = server.login(("admin", srv.serve.password.as_str())).await;
    engine_until(&engine, "the first backup", async || points(&admin, &host_id, "").await.len() == 1).await;
    let first = points(&admin, &host_id, "&status=complete").await.remove(0);
    assert_eq!(first["verification"], "passed", "{first}");
    assert!(first["snapshot_id"].as_str().unwrap().len() >= 8);
    let runs = native_runs(&admin, &job_id).await;
    assert_eq!((runs.len(), runs[0]["status"].as_str()), (1, Some("success")), "{runs:?}");
    let first_bytes = runs[0]["bytes_transferred"].as_u64().unwrap();
    assert!(first_bytes > 1_000_000, "the first backup stored the data: {first_bytes}");
    let (_, core_runs) = admin.get(&format!("/api/v1/jobs/{job_id}/runs")).await;
    assert_eq!(core_runs["items"][0]["status"], "Success", "the run is on the Jobs page");
    // The replication job copies the snapshot into the replica repository (a restic repository
    // of its own: its snapshot file is named by the copy's id).
    engine_until(&engine, "the first copy", async || {
        points(&admin, &host_id, "").await[0]["replicas"][0]["status"] == "success"
    })
    .await;
    let copy = points(&admin, &host_id, "").await[0]["replicas"][0].clone();
    let copy_id = copy["snapshot_id"].as_str().expect("the copy's id").to_string();
    let replica_snapshots = || -> Vec<String> {
        std::fs::read_dir(replica.join("snapshots"))
            .map(|d| d.filter_map(|e| e.ok()).map(|e| e.file_name().to_string_lossy().into_owned()).collect())
            .unwrap_or_default()
    };
    assert_eq!(replica_snapshots(), vec![copy_id.clone()], "{copy}");

    // Files change; the next day's slot backs up again, incrementally.
    write(&source.join("docs/report.txt"), b"quarterly figures v2\n".repeat(200).as_slice());
    write(&source.join("docs/new.txt"), b"a new file\n");
    engine.set_clock_offset(srv.set_time(slot + chrono::Duration::days(1) + chrono::Duration::seconds(20)));
    admin = server.login(("admin", srv.serve.password.as_str())).await;
    engine_until(&engine, "the second backup", async || points(&admin, &host_id, "").await.len() == 2).await;
    // Both snapshots carry the engine's (real) time, so they fall on one day:
    // the GFS rule keeps the newer and expires the older (a forget job for the engine).
    let all = points(&admin, &host_id, "").await;
    assert_eq!((all[0]["status"].as_str(), all[1]["status"].as_str()), (Some("complete"), Some("expired")), "{all:?}");
    let runs = native_runs(&admin, &job_id).await;
    let second_bytes = runs[0]["bytes_transferred"].as_u64().unwrap();
    assert!(second_bytes * 10 < first_bytes, "incremental: {second_bytes} bytes after {first_bytes}");
    engine_until(&engine, "the second copy", async || {
        points(&admin, &host_id, "&status=complete").await[0]["replicas"][0]["status"] == "success"
    })
    .await;
    assert_eq!(replica_snapshots().len(), 2, "the incremental backup copied too");
    let latest = points(&admin, &host_id, "&status=complete").await.remove(0);
    let rp = latest["id"].as_str().unwrap().to_string();

    // Browse and search the snapshot (asynchronous engine jobs).
    let docs = format!("{}/docs", source.to_str().unwrap());
    let (s, b) = admin.post(&format!("/api/v1/backup/restore-points/{rp}/browse"), &json!({"path": docs})).await;
    assert_eq!(s, StatusCode::ACCEPTED, "{b}");
    let browse = b["id"].as_str().unwrap().to_string();
    engine_until(&engine, "the browse", async || agent_job(&admin, &browse).await["status"] == "success").await;
    let listed: Vec<String> = agent_job(&admin, &browse).await["result"]["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["path"].as_str().unwrap().to_string())
        .collect();
    for f in ["report.txt", "notes.md", "new.txt"] {
        assert!(listed.iter().any(|p| p.ends_with(f)), "{f} in {listed:?}");
    }
    let (_, s1) = admin.post(&format!("/api/v1/backup/restore-points/{rp}/search"), &json!({"query": "*.bin"})).await;
    let search = s1["id"].as_str().unwrap().to_string();
    engine_until(&engine, "the search", async || agent_job(&admin, &search).await["status"] == "success").await;
    let found = agent_job(&admin, &search).await["result"]["entries"].clone();
    assert!(found.to_string().contains("blob.bin"), "{found}");
    assert!(!found.to_string().contains("skip.tmp"), "excluded by the policy: {found}");

    // Restore a file and compare its bytes with the original.
    let report = format!("{}/docs/report.txt", source.to_str().unwrap());
    let (s, fr) = admin
        .post(
            &format!("/api/v1/backup/restore-points/{rp}/restore-files"),
            &json!({"paths": [report], "target_path": restore_to.to_str().unwrap()}),
        )
        .await;
    assert_eq!(s, StatusCode::ACCEPTED, "{fr}");
    let restore = fr["id"].as_str().unwrap().to_string();
    engine_until(&engine, "the file restore", async || agent_job(&admin, &restore).await["status"] == "success").await;
    assert_eq!(agent_job(&admin, &restore).await["result"]["restored_files"], 1);
    let restored = restore_to.join(report.trim_start_matches('/'));
    assert_eq!(std::fs::read(&restored).expect("restored file"), std::fs::read(&report).unwrap(), "same bytes");

    // Its paths gone, the next slot fails (retryable): retried automatically 3 times, no more.
    let (s, body) = admin
        .patch(&format!("/api/v1/backup/policies/{policy_id}"), &json!({"include_paths": ["/nonexistent/e2e-gone"]}))
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    engine.set_clock_offset(srv.set_time(slot + chrono::Duration::days(2) + chrono::Duration::seconds(20)));
    admin = server.login(("admin", srv.serve.password.as_str())).await;
    engine_until(&engine, "the failed run and its retries", async || {
        native_runs(&admin, &job_id).await.iter().filter(|r| r["status"] == "failed").count() >= 4
    })
    .await;
    for _ in 0..3 {
        engine.run_once().await.expect("engine round");
    }
    let runs = native_runs(&admin, &job_id).await;
    let failed: Vec<&Value> = runs.iter().filter(|r| r["status"] == "failed").collect();
    assert_eq!(failed.len(), 4, "the run and 3 retries, no more: {runs:?}");
    assert_eq!(failed.iter().filter(|r| r["reason"] == "auto_retry").count(), 3);
    assert!(failed.iter().all(|r| r["error"].as_str().unwrap_or("").contains("none of the paths")), "{failed:?}");

    // Two days after the last success the host is past its 24-hour RPO.
    engine.set_clock_offset(srv.set_time(slot + chrono::Duration::days(3) + chrono::Duration::hours(2)));
    let deadline = Instant::now() + Duration::from_secs(60);
    let admin = server.login(("admin", srv.serve.password.as_str())).await;
    loop {
        let (s, queue) = admin.get("/api/v1/backup/dashboard/rpo-breaches").await;
        assert_eq!(s, StatusCode::OK, "{queue}");
        if queue.as_array().is_some_and(|q| q.iter().any(|o| o["name"] == "fs01" && o["rpo_breach"] == true)) {
            break;
        }
        assert!(Instant::now() < deadline, "no RPO breach shown: {queue}");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}
