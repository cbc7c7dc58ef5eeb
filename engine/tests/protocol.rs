//! The engine against a small in-test fake of the BES routes (§1–§6): the fake verifies every
//! signature (Ed25519 over the canonical string), refuses replayed nonces and stale timestamps,
//! hands out jobs and records acks, progress and results.

use std::collections::{HashMap, HashSet, VecDeque};
use std::fs;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use bc_api_types::*;
use bc_engine::{Engine, EngineConfig};
use chrono::Utc;
use sha2::{Digest, Sha256};

const SECRET: &str = "bcr_test_secret";

#[derive(Default)]
struct Fake {
    public_key: Option<Vec<u8>>,
    engine_id: String,
    nonces: HashSet<String>,
    refusals: Vec<String>,
    heartbeats: Vec<BesHeartbeat>,
    queue: VecDeque<EngineJob>,
    offered: HashMap<String, EngineJob>,
    acked: Vec<String>,
    progress: Vec<(String, JobProgress)>,
    results: Vec<(String, JobResult)>,
    /// Answer this many result posts with 500 first (the engine must retry with a new nonce).
    fail_results: u32,
    repo_path: String,
    registrations: u32,
}

type Shared = Arc<Mutex<Fake>>;

fn err(status: StatusCode, code: &str, message: &str) -> Response {
    (status, axum::Json(serde_json::json!({"error": {"code": code, "message": message}}))).into_response()
}

fn verify(f: &mut Fake, method: &Method, path: &str, headers: &HeaderMap, body: &[u8]) -> Result<(), String> {
    let h = |n: &str| headers.get(n).and_then(|v| v.to_str().ok()).map(str::to_string).ok_or(format!("missing {n}"));
    let engine = h("x-bes-engine")?;
    let ts = h("x-bes-timestamp")?;
    let nonce = h("x-bes-nonce")?;
    let sig = h("x-bes-signature")?;
    if engine != f.engine_id {
        return Err("unknown engine".into());
    }
    let t: i64 = ts.parse().map_err(|_| "bad timestamp")?;
    if (Utc::now().timestamp() - t).abs() > 300 {
        return Err("stale timestamp".into());
    }
    if !(16..=128).contains(&nonce.len()) || !nonce.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        return Err("bad nonce".into());
    }
    let canonical = format!(
        "BES-ED25519-V1\n{}\n{}\n{}\n{}\n{}",
        method.as_str(),
        path,
        ts,
        nonce,
        hex::encode(Sha256::digest(body))
    );
    let sig = base64::engine::general_purpose::STANDARD.decode(sig).map_err(|_| "bad signature encoding")?;
    let key = ring::signature::UnparsedPublicKey::new(&ring::signature::ED25519, f.public_key.clone().ok_or("no key")?);
    key.verify(canonical.as_bytes(), &sig).map_err(|_| "bad signature")?;
    if !f.nonces.insert(nonce) {
        return Err("replayed nonce".into());
    }
    Ok(())
}

fn storage_target(path: &str, engine_id: &str) -> StorageTarget {
    // From JSON, so fields added to the type later (with serde defaults) need no change here.
    serde_json::from_value(serde_json::json!({
        "id": "st1", "name": "Local disk", "target_type": "local", "engine_id": engine_id,
        "connection": {"path": path}, "alert_threshold": 85, "critical_threshold": 95,
        "has_credential": false, "credential_type": null, "health": "unknown", "capacity": null,
        "created_at": Utc::now(),
    }))
    .unwrap()
}

async fn handle(
    state: axum::extract::State<Shared>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut f = state.lock().unwrap();
    let path = uri.path().to_string();
    if method == Method::POST && path == "/bes/v1/register" {
        let reg: BesRegister = match serde_json::from_slice(&body) {
            Ok(r) => r,
            Err(e) => return err(StatusCode::BAD_REQUEST, "invalid", &e.to_string()),
        };
        if reg.registration_secret != SECRET {
            return err(StatusCode::UNAUTHORIZED, "engine_refused", "wrong registration secret");
        }
        assert!(!reg.hostname.is_empty() && reg.ip.parse::<std::net::IpAddr>().is_ok() && reg.port > 0, "{reg:?}");
        f.public_key = Some(base64::engine::general_purpose::STANDARD.decode(&reg.public_key).unwrap());
        f.engine_id = "bes0123456789abcdef0123".into();
        f.registrations += 1;
        let out = BesRegistered {
            engine_id: f.engine_id.clone(),
            status: EngineStatus::Pending,
            heartbeat_interval_seconds: 60,
            offline_after_seconds: 180,
            clock_skew_seconds: 300,
        };
        return (StatusCode::CREATED, axum::Json(out)).into_response();
    }
    if let Err(reason) = verify(&mut f, &method, &path, &headers, &body) {
        f.refusals.push(format!("{method} {path}: {reason}"));
        return err(StatusCode::UNAUTHORIZED, "engine_refused", &reason);
    }
    let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match (method.as_str(), parts.as_slice()) {
        ("POST", ["bes", "v1", "heartbeat"]) => {
            let hb: BesHeartbeat = serde_json::from_slice(&body).unwrap();
            f.heartbeats.push(hb);
            axum::Json(BesHeartbeatAck {
                engine_id: f.engine_id.clone(),
                status: EngineStatus::Online,
                server_time: Utc::now(),
                next_heartbeat_seconds: 60,
                ignored_targets: vec![],
                hosts_recorded: 0,
            })
            .into_response()
        }
        ("GET", ["bes", "v1", "config"]) => {
            assert!(body.is_empty());
            axum::Json(BesConfig {
                engine_id: f.engine_id.clone(),
                storage_targets: vec![storage_target(&f.repo_path, &f.engine_id)],
                policies: vec![],
            })
            .into_response()
        }
        ("GET", ["bes", "v1", "jobs"]) => {
            let mut jobs: Vec<EngineJob> = f.offered.values().cloned().collect();
            while let Some(j) = f.queue.pop_front() {
                f.offered.insert(j.id.clone(), j.clone());
                jobs.push(j);
            }
            jobs.sort_by_key(|j| j.created_at);
            axum::Json(EngineJobs { jobs, next_poll_seconds: 1 }).into_response()
        }
        ("POST", ["bes", "v1", "jobs", id, "ack"]) => {
            let id = id.to_string();
            if f.offered.remove(&id).is_none() {
                return err(StatusCode::NOT_FOUND, "not_found", "no such job");
            }
            f.acked.push(id);
            axum::Json(serde_json::json!({"status": "running"})).into_response()
        }
        ("POST", ["bes", "v1", "jobs", id, "progress"]) => {
            let p: JobProgress = serde_json::from_slice(&body).unwrap();
            f.progress.push((id.to_string(), p));
            StatusCode::NO_CONTENT.into_response()
        }
        ("POST", ["bes", "v1", "jobs", id, "result"]) => {
            if f.fail_results > 0 {
                f.fail_results -= 1;
                return err(StatusCode::INTERNAL_SERVER_ERROR, "internal", "try again");
            }
            let r: JobResult = serde_json::from_slice(&body).unwrap();
            let status = r.status;
            f.results.push((id.to_string(), r));
            axum::Json(serde_json::json!({"status": status})).into_response()
        }
        _ => err(StatusCode::NOT_FOUND, "not_found", "no route"),
    }
}

async fn start(fake: Shared) -> String {
    let app = axum::Router::new().fallback(handle).with_state(fake);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    format!("http://{addr}")
}

fn job(id: &str, target: Option<JobTarget>, payload: JobPayload) -> EngineJob {
    EngineJob {
        replica_target: None,
        id: id.into(),
        priority: payload.kind().priority(),
        created_at: Utc::now(),
        target,
        payload,
        progress_timeout_seconds: 600,
    }
}

fn local(path: &str) -> Option<JobTarget> {
    Some(JobTarget {
        id: "st1".into(),
        target_type: TargetType::Local,
        connection: ConnectionConfig { path: Some(path.into()), ..Default::default() },
    })
}

fn backup_payload(hostname: &str, src: &str, hooks: Vec<JobHook>) -> JobPayload {
    JobPayload::Backup(BackupPayload {
        policy_id: "pol1".into(),
        policy_name: "Files".into(),
        host_id: "hst1".into(),
        hostname: hostname.into(),
        level: BackupLevel::Incremental,
        include_paths: vec![src.into()],
        exclude_paths: vec![],
        exclude_patterns: vec!["*.tmp".into()],
        retention_daily: 7,
        retention_weekly: 4,
        retention_monthly: 12,
        compression: Compression::Zstd,
        encryption: Encryption::Aes256Gcm,
        dedup: true,
        max_transfer_mbps: None,
        io_priority: Default::default(),
        throttle_schedule: None,
        vss_enabled: false,
        verify_after_backup: true,
        verify_sample_count: 2,
        hooks,
    })
}

fn hook(id: &str, t: HookType, script: &str, timeout: u32, fail: bool) -> JobHook {
    JobHook { id: id.into(), hook_type: t, script: script.into(), timeout_seconds: timeout, fail_on_error: fail }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn engine_speaks_the_protocol_end_to_end_against_a_fake_server() {
    let t = tempfile::tempdir().unwrap();
    let src = t.path().join("data");
    fs::create_dir_all(src.join("sub")).unwrap();
    fs::write(src.join("a.txt"), "alpha\n".repeat(5000)).unwrap();
    fs::write(src.join("sub/b.bin"), (0..200_000u32).map(|i| (i * 7919 % 251) as u8).collect::<Vec<_>>()).unwrap();
    fs::write(src.join("junk.tmp"), b"skip me").unwrap();
    let repo_path = t.path().join("repo").display().to_string();
    let src_s = src.display().to_string();
    let fake: Shared = Arc::new(Mutex::new(Fake { repo_path: repo_path.clone(), ..Default::default() }));
    let server = start(fake.clone()).await;
    let state_dir = t.path().join("state");
    let config = EngineConfig {
        server: server.clone(),
        state_dir: state_dir.clone(),
        registration_secret: Some(SECRET.into()),
        name: "Vault-1".into(),
        hostname: Some("fs01".into()),
        progress_seconds: 1,
        retry_delay_ms: 50,
        ..Default::default()
    };

    // A wrong secret: registration refused, nothing stored.
    let bad = Engine::new(EngineConfig { registration_secret: Some("bcr_wrong".into()), ..config.clone() }).unwrap();
    assert!(bad.run_once().await.is_err());
    assert!(bad.engine_id().is_none());

    // First run: registers, heartbeats with its host, fetches config, polls, runs a backup whose
    // pre hook takes 2 s (so progress is reported), answers with the snapshot.
    let engine = Engine::new(config.clone()).unwrap();
    fake.lock().unwrap().queue.push_back(job(
        "aj1",
        local(&repo_path),
        backup_payload(
            "FS01",
            &src_s,
            vec![
                hook("hk1", HookType::Pre, "echo pre; sleep 2", 30, true),
                hook("hk2", HookType::Post, "echo post", 30, true),
            ],
        ),
    ));
    let r1 = engine.run_once().await.unwrap();
    assert_eq!(engine.engine_id().as_deref(), Some("bes0123456789abcdef0123"));
    assert_eq!(r1.results.len(), 1);
    let b1 = r1.results[0].1.clone();
    assert_eq!(b1.status, AgentJobStatus::Success, "{b1:?}");
    let s1 = b1.snapshot.clone().unwrap();
    assert_eq!(s1.snapshot_id.len(), 64);
    assert_eq!(b1.verified[0].snapshot_id, s1.snapshot_id);
    assert_eq!(s1.file_count, 2);
    assert_eq!(s1.verification, VerificationStatus::Passed);
    assert_eq!(b1.verified.len(), 1);
    assert_eq!(b1.hooks.len(), 2);
    assert!(b1.hooks[0].output.contains("pre") && b1.hooks[1].output.contains("post"));
    assert!(b1.bytes_transferred > 0 && b1.protected_bytes >= 230_000);
    {
        let f = fake.lock().unwrap();
        assert!(f.refusals.is_empty(), "{:?}", f.refusals);
        assert_eq!(f.registrations, 1);
        assert_eq!(f.heartbeats[0].hosts[0].hostname, "fs01");
        assert!(f.heartbeats[0].version.is_some());
        assert_eq!(f.acked, vec!["aj1".to_string()]);
        assert!(!f.progress.is_empty(), "a 2 s job with progress every 1 s reports progress");
        assert_eq!(f.results.len(), 1);
        assert_eq!(f.results[0].1, b1);
    }
    // The identity is private and reused.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for f in ["identity.json", "repository-password"] {
            assert_eq!(fs::metadata(state_dir.join(f)).unwrap().permissions().mode() & 0o777, 0o600, "{f}");
        }
    }
    let pw = fs::read_to_string(state_dir.join("repository-password")).unwrap();
    assert!(!serde_json::to_string(&*fake.lock().unwrap().heartbeats).unwrap().contains(pw.trim()));

    // Second run: an incremental backup, browse, search, restore, verify, health, the
    // unsupported kinds, a non-local target, a failing pre hook; the first result post fails
    // once with a 500 (retried).
    fs::write(src.join("c.txt"), b"new file").unwrap();
    let sid = s1.snapshot_id.clone();
    let restore_to = t.path().join("restored");
    let mk = |id: &str, p: JobPayload| job(id, local(&repo_path), p);
    {
        let mut f = fake.lock().unwrap();
        f.fail_results = 1;
        f.queue.push_back(mk("aj2", backup_payload("fs01", &src_s, vec![])));
        f.queue.push_back(mk(
            "aj3",
            JobPayload::Browse(BrowsePayload {
                restore_point_id: "rp1".into(),
                snapshot_id: sid.clone(),
                path: src_s.clone(),
            }),
        ));
        f.queue.push_back(mk(
            "aj4",
            JobPayload::Search(SearchPayload {
                restore_point_id: "rp1".into(),
                snapshot_id: sid.clone(),
                query: "B.BIN".into(),
                limit: 10,
            }),
        ));
        f.queue.push_back(mk(
            "aj5",
            JobPayload::FileRestore(FileRestorePayload {
                restore_point_id: "rp1".into(),
                snapshot_id: sid.clone(),
                paths: vec![format!("{src_s}/sub/b.bin")],
                target_path: restore_to.display().to_string(),
                overwrite: false,
                target_hostname: "fs01".into(),
            }),
        ));
        f.queue.push_back(mk("aj6", JobPayload::Verify(VerifyPayload { snapshot_ids: vec![], sample_count: 3 })));
        f.queue.push_back(mk("aj7", JobPayload::HealthCheck));
        f.queue.push_back(mk(
            "aj8",
            JobPayload::BareMetalRestore(BmrPayload {
                restore_point_id: "rp1".into(),
                snapshot_id: sid.clone(),
                method: BmrMethod::Pxe,
                token: "tok".into(),
                token_expires_at: Utc::now(),
            }),
        ));
        f.queue.push_back(mk(
            "aj9",
            JobPayload::ImageRestore(ImageRestorePayload {
                restore_point_id: "rp1".into(),
                snapshot_id: sid.clone(),
                target_hostname: "fs01".into(),
                target_path: "/x".into(),
                overwrite: false,
            }),
        ));
        let mut s3 = job("aj10", local(&repo_path), backup_payload("fs01", &src_s, vec![]));
        s3.target =
            Some(JobTarget { id: "st2".into(), target_type: TargetType::S3, connection: ConnectionConfig::default() });
        f.queue.push_back(s3);
        f.queue.push_back(mk(
            "aj11",
            backup_payload("fs01", &src_s, vec![hook("hk3", HookType::Pre, "echo nope; exit 4", 30, true)]),
        ));
        f.queue.push_back(mk("aj12", backup_payload("other-host", &src_s, vec![])));
        // A pre hook that times out without fail_on_error: killed, a warning, the backup still made.
        f.queue.push_back(mk(
            "aj16",
            backup_payload("fs01", &src_s, vec![hook("hk4", HookType::Pre, "echo slow; sleep 30", 1, false)]),
        ));
    }
    let r2 = engine.run_once().await.unwrap();
    let res: HashMap<String, JobResult> = r2.results.into_iter().collect();
    assert_eq!(res.len(), 12, "{:?}", res.keys());

    let b2 = &res["aj2"];
    assert_eq!(b2.status, AgentJobStatus::Success, "{b2:?}");
    let s2 = b2.snapshot.as_ref().unwrap();
    assert_eq!(s2.file_count, 3);
    assert_eq!(s2.chain_id, s1.chain_id, "same repository, host and paths: same chain");
    assert!(
        b2.bytes_transferred < b1.bytes_transferred,
        "incremental: {} < {}",
        b2.bytes_transferred,
        b1.bytes_transferred
    );

    let names: Vec<&str> = res["aj3"].entries.iter().map(|e| e.path.rsplit('/').next().unwrap()).collect();
    assert_eq!(names, vec!["a.txt", "sub"], "junk.tmp excluded, c.txt not in the first snapshot");
    assert_eq!(res["aj4"].entries.len(), 1);
    assert!(res["aj4"].entries[0].path.ends_with("/sub/b.bin"));
    assert_eq!(res["aj5"].restored_files, Some(1), "{:?}", res["aj5"]);
    assert_eq!(
        fs::read(restore_to.join(format!("{src_s}/sub/b.bin").trim_start_matches('/'))).unwrap(),
        fs::read(src.join("sub/b.bin")).unwrap()
    );
    assert_eq!(res["aj6"].status, AgentJobStatus::Success, "{:?}", res["aj6"]);
    assert_eq!(res["aj6"].verified.len(), 2);
    assert!(res["aj6"].verified.iter().all(|v| v.status == VerificationStatus::Passed && v.checked_files > 0));
    assert_eq!(res["aj7"].reachable, Some(true));
    let cap = res["aj7"].capacity.as_ref().unwrap();
    assert_eq!(cap.target_id, "st1");
    assert!(cap.total_bytes > 0 && cap.used_bytes + cap.free_bytes <= cap.total_bytes);
    for id in ["aj8", "aj9"] {
        assert_eq!(res[id].status, AgentJobStatus::Failed);
        assert_eq!(res[id].error.as_deref(), Some("not supported by the reference engine"));
        assert!(!res[id].retryable);
    }
    assert_eq!(res["aj10"].error.as_deref(), Some("storage type not supported by the reference engine"));
    assert!(!res["aj10"].retryable);
    let h = &res["aj11"];
    assert_eq!(h.status, AgentJobStatus::Failed);
    assert!(h.snapshot.is_none());
    assert_eq!(h.hooks.len(), 1);
    assert_eq!(h.hooks[0].exit_code, Some(4));
    assert!(h.hooks[0].output.contains("nope"));
    assert_eq!(res["aj12"].status, AgentJobStatus::Failed);
    let slow = &res["aj16"];
    assert_eq!(slow.status, AgentJobStatus::Warning, "{slow:?}");
    assert!(slow.snapshot.is_some());
    assert!(slow.hooks[0].timed_out && slow.hooks[0].output.contains("slow"));
    assert!(slow.messages.iter().any(|m| m.contains("hk4")), "{:?}", slow.messages);
    {
        let f = fake.lock().unwrap();
        assert!(f.refusals.is_empty(), "{:?}", f.refusals);
        assert_eq!(f.results.len(), 13, "each result recorded once (the 500 was retried)");
        // The second heartbeat reports the Local target's capacity (from the config) and no hosts.
        let hb = f.heartbeats.last().unwrap();
        assert_eq!(hb.storage.len(), 1);
        assert_eq!(hb.storage[0].target_id, "st1");
        assert!(hb.hosts.is_empty());
    }

    // Forget the first snapshot (then prune); the repository keeps the second.
    fake.lock().unwrap().queue.push_back(mk(
        "aj13",
        JobPayload::Forget(ForgetPayload { policy_id: "pol1".into(), snapshot_ids: vec![sid.clone()], prune: true }),
    ));
    let r3 = engine.run_once().await.unwrap();
    assert_eq!(r3.results[0].1.status, AgentJobStatus::Success, "{:?}", r3.results[0].1);
    assert_eq!(r3.results[0].1.forgotten, vec![sid.clone()]);

    // A result the server keeps refusing with 500 (every retry) is kept and sent on the next round.
    {
        let mut f = fake.lock().unwrap();
        f.fail_results = 6;
        f.queue.push_back(mk("aj15", JobPayload::HealthCheck));
    }
    let r4 = engine.run_once().await.unwrap();
    assert_eq!(r4.results.len(), 1);
    assert_eq!(engine.unsent_results(), 1);
    assert!(!fake.lock().unwrap().results.iter().any(|(id, _)| id == "aj15"));
    engine.run_once().await.unwrap();
    assert_eq!(engine.unsent_results(), 0);
    assert_eq!(fake.lock().unwrap().results.iter().filter(|(id, _)| id == "aj15").count(), 1);

    // The loop: a job queued while it runs is done, and shutdown waits for it.
    let engine2 = Engine::new(config.clone()).unwrap();
    assert_eq!(engine2.engine_id().as_deref(), Some("bes0123456789abcdef0123"), "identity reused, no new registration");
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let runner = tokio::spawn({
        let e = engine2.clone();
        async move {
            e.run(async {
                let _ = rx.await;
            })
            .await
        }
    });
    fake.lock().unwrap().queue.push_back(mk("aj14", JobPayload::HealthCheck));
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        if fake.lock().unwrap().results.iter().any(|(id, _)| id == "aj14") {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the loop never ran the job");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tx.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(30), runner).await.unwrap().unwrap().unwrap();
    {
        let f = fake.lock().unwrap();
        assert_eq!(f.registrations, 1);
        assert!(f.refusals.is_empty(), "{:?}", f.refusals);
    }

    // A clock offset (for servers on a manual clock) moves the signed timestamps.
    engine2.set_clock_offset(10_000);
    assert!(engine2.heartbeat().await.is_err());
    assert!(fake.lock().unwrap().refusals.last().unwrap().contains("stale timestamp"));
    engine2.set_clock_offset(0);
    engine2.heartbeat().await.unwrap();
}
