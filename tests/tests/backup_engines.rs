//! The backup control plane, part 1, on both runtimes over HTTP with a
//! clock the test moves: an admin creates a customer's registration secret;
//! an engine registers with it (a wrong secret is refused), heartbeats with
//! valid Ed25519 signatures and is online; replayed, forged, stale,
//! tampered and unknown-engine calls are refused with 401 and recorded;
//! storage targets, a policy with a hook and a replication rule; capacity
//! crossing 95 % auto-pauses the target's enabled policies (a disabled one
//! stays disabled) and below 85 % resumes exactly those; a target in use
//! cannot be deleted; the engine stops heartbeating and after 3 minutes the
//! tick marks it offline with a critical alert, and its next heartbeat
//! records the recovery; bad input is refused with the reason; the role
//! matrix holds on every new route; deleting the engine cascades and its
//! heartbeats are refused after.
//!
//! The signing here is written from docs/bes-protocol.md, not from our code.

use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use bc_api_types::{BackupAlert, Engine, EngineStatus, PolicyDetail, StorageTarget};
use bc_core::ports::Clock;
use bc_tests::server::{Client, TestServer};
use bc_tests::{ADMIN, OPERATOR, REPORTER, Runtime, VIEWER};
use chrono::{DateTime, Duration, Utc};
use reqwest::StatusCode;
use ring::signature::{Ed25519KeyPair, KeyPair};
use serde_json::{Value, json};

struct MovableClock(std::sync::Mutex<DateTime<Utc>>);

impl MovableClock {
    fn advance(&self, by: Duration) {
        *self.0.lock().expect("clock") += by;
    }
}

impl Clock for MovableClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().expect("clock")
    }
}

/// A backup engine as its author would write it from docs/bes-protocol.md.
struct TestEngine {
    key: Ed25519KeyPair,
    id: String,
    base: String,
    http: reqwest::Client,
    clock: Arc<MovableClock>,
    seq: u64,
}

fn sha256_hex(b: &[u8]) -> String {
    ring::digest::digest(&ring::digest::SHA256, b).as_ref().iter().map(|x| format!("{x:02x}")).collect()
}

struct Signed {
    timestamp: String,
    nonce: String,
    signature: String,
}

impl TestEngine {
    fn new(seed: u8, base: &str, clock: Arc<MovableClock>) -> TestEngine {
        TestEngine {
            key: Ed25519KeyPair::from_seed_unchecked(&[seed; 32]).expect("key"),
            id: String::new(),
            base: base.to_string(),
            http: reqwest::Client::new(),
            clock,
            seq: 0,
        }
    }

    fn public_key(&self) -> String {
        B64.encode(self.key.public_key().as_ref())
    }

    fn sign_with(&mut self, key: &Ed25519KeyPair, method: &str, path: &str, body: &[u8], ts: i64) -> Signed {
        self.seq += 1;
        let nonce = format!("nonce-{:016}-{}", self.seq, self.id.len());
        let timestamp = ts.to_string();
        let canonical = format!("BES-ED25519-V1\n{method}\n{path}\n{timestamp}\n{nonce}\n{}", sha256_hex(body));
        Signed { timestamp, nonce, signature: B64.encode(key.sign(canonical.as_bytes()).as_ref()) }
    }

    async fn send(&self, method: &str, path: &str, body: &[u8], s: &Signed, engine_id: &str) -> (StatusCode, Value) {
        let req = match method {
            "GET" => self.http.get(format!("{}{path}", self.base)),
            _ => self
                .http
                .post(format!("{}{path}", self.base))
                .header("content-type", "application/json")
                .body(body.to_vec()),
        };
        let resp = req
            .header("X-BES-Engine", engine_id)
            .header("X-BES-Timestamp", &s.timestamp)
            .header("X-BES-Nonce", &s.nonce)
            .header("X-BES-Signature", &s.signature)
            .send()
            .await
            .expect("send");
        let status = resp.status();
        let text = resp.text().await.unwrap_or_default();
        (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
    }

    async fn call(&mut self, method: &str, path: &str, body: &Value) -> (StatusCode, Value) {
        let bytes = if method == "GET" { Vec::new() } else { serde_json::to_vec(body).expect("json") };
        let ts = self.clock.now().timestamp();
        let key = Ed25519KeyPair::from_seed_unchecked(&[0; 32]).expect("placeholder");
        let key = std::mem::replace(&mut self.key, key);
        let s = self.sign_with(&key, method, path, &bytes, ts);
        self.key = key;
        let id = self.id.clone();
        self.send(method, path, &bytes, &s, &id).await
    }

    async fn heartbeat(&mut self, storage: Value) -> (StatusCode, Value) {
        let body = json!({
            "version": "1.4.2",
            "health": {"cpu_percent": 12.5, "memory_percent": 40.0, "disk_percent": 55.0, "active_jobs": 1, "uptime_seconds": 3600},
            "storage": storage,
        });
        self.call("POST", "/bes/v1/heartbeat", &body).await
    }
}

async fn engine(c: &Client, id: &str) -> Engine {
    let (s, body) = c.get(&format!("/api/v1/backup/engines/{id}")).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    serde_json::from_value(body).expect("engine")
}

async fn policy(c: &Client, id: &str) -> PolicyDetail {
    let (s, body) = c.get(&format!("/api/v1/backup/policies/{id}")).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    serde_json::from_value(body).expect("policy")
}

async fn alerts(c: &Client) -> Vec<BackupAlert> {
    let (s, body) = c.get("/api/v1/backup/alerts").await;
    assert_eq!(s, StatusCode::OK, "{body}");
    serde_json::from_value(body).expect("alerts")
}

fn capacity(target: &str, used_percent: u64) -> Value {
    let total = 1_000_000_000_000u64;
    let used = total / 100 * used_percent;
    json!([{"target_id": target, "total_bytes": total, "used_bytes": used, "free_bytes": total - used}])
}

async fn register(base: &str, secret: &str, name: &str, key: &str) -> (StatusCode, Value) {
    let body = json!({
        "registration_secret": secret, "name": name, "deployment_model": "on_premise", "public_key": key,
        "hostname": format!("{}.lan", name.to_lowercase()), "ip": "10.0.0.5", "port": 8443
    });
    let resp =
        reqwest::Client::new().post(format!("{base}/bes/v1/register")).json(&body).send().await.expect("register");
    let status = resp.status();
    (status, resp.json().await.unwrap_or(Value::Null))
}

async fn backup_engines_on(mut rt: Runtime, clock: Arc<MovableClock>) {
    // Control-plane alerts go to the alert channels: a receiver on loopback.
    rt.app.config.allow_loopback_webhooks = true;
    let server = TestServer::start(rt.app.clone()).await;
    let admin = server.login(ADMIN).await;
    let op = server.login(OPERATOR).await;
    let viewer = server.login(VIEWER).await;
    let reporter = server.login(REPORTER).await;

    let (s, cust) = op.post("/api/v1/customers", &json!({"name": "Engine BV"})).await;
    assert_eq!(s, StatusCode::CREATED, "{cust}");
    let customer_id = cust["id"].as_str().expect("id").to_string();

    // Registration secrets: admins only; shown once, never listed.
    let (s, _) = op.post("/api/v1/backup/registration-secrets", &json!({"customer_id": customer_id})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, created) = admin.post("/api/v1/backup/registration-secrets", &json!({"customer_id": customer_id})).await;
    assert_eq!(s, StatusCode::CREATED, "{created}");
    let secret = created["secret"].as_str().expect("secret").to_string();
    let (s, listed) = admin.get("/api/v1/backup/registration-secrets").await;
    assert_eq!(s, StatusCode::OK);
    assert!(!listed.to_string().contains(&secret), "the secret is shown once only");
    let (s, _) = viewer.get("/api/v1/backup/registration-secrets").await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // Registration: a wrong secret is refused; the right one registers a pending engine.
    let mut bes = TestEngine::new(1, &server.base, clock.clone());
    let (s, body) = register(&server.base, "bcr_wrong", "Vault-1", &bes.public_key()).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "{body}");
    let (s, body) = register(&server.base, &secret, "Vault-1", "not-a-key").await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{body}");
    let (s, body) = register(&server.base, &secret, "Vault-1", &bes.public_key()).await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    assert_eq!(body["status"], "pending");
    assert_eq!(body["offline_after_seconds"], 180);
    bes.id = body["engine_id"].as_str().expect("engine id").to_string();
    let e = engine(&viewer, &bes.id).await;
    assert_eq!(e.status, EngineStatus::Pending);
    assert_eq!(e.customer_id.as_deref(), Some(customer_id.as_str()));
    assert_eq!(e.customer_name.as_deref(), Some("Engine BV"));

    // A valid signed heartbeat: online.
    let (s, ack) = bes.heartbeat(json!([])).await;
    assert_eq!(s, StatusCode::OK, "{ack}");
    assert_eq!(ack["status"], "online");
    let e = engine(&viewer, &bes.id).await;
    assert_eq!(e.status, EngineStatus::Online);
    assert_eq!(e.version.as_deref(), Some("1.4.2"));
    assert_eq!(e.health.as_ref().map(|h| h.active_jobs), Some(1));
    let heartbeat_at = e.last_heartbeat_at.expect("last heartbeat");

    // An engine of a customer reports the hosts it sees: created once, with the engine as source.
    let hosts = json!({"hosts": [{"hostname": "fs02", "ip": "10.0.0.21", "os": "Windows Server 2022"}]});
    let (s, ack) = bes.call("POST", "/bes/v1/heartbeat", &hosts).await;
    assert_eq!((s, ack["hosts_recorded"].as_u64()), (StatusCode::OK, Some(1)), "{ack}");
    let (s, ack) = bes.call("POST", "/bes/v1/heartbeat", &hosts).await;
    assert_eq!((s, ack["hosts_recorded"].as_u64()), (StatusCode::OK, Some(0)), "known and unchanged: {ack}");
    let (_, listed) = viewer.get(&format!("/api/v1/backup/hosts?customer={customer_id}")).await;
    let fs02 = listed.as_array().unwrap().iter().find(|h| h["hostname"] == "fs02").cloned().expect("reported host");
    assert_eq!(fs02["source"], bes.id.as_str());
    let (s, body) = bes.call("POST", "/bes/v1/heartbeat", &json!({"hosts": [{"hostname": "bad host!"}]})).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{body}");

    // Replayed, forged, stale, tampered and unknown-engine calls: 401, nothing changes.
    let body = serde_json::to_vec(&json!({"version": "6.6.6"})).unwrap();
    let key = Ed25519KeyPair::from_seed_unchecked(&[1; 32]).unwrap();
    let now = clock.now().timestamp();
    let good = bes.sign_with(&key, "POST", "/bes/v1/heartbeat", &body, now);
    let id = bes.id.clone();
    let (s, _) = bes.send("POST", "/bes/v1/heartbeat", &body, &good, &id).await;
    assert_eq!(s, StatusCode::OK, "the original call");
    let (s, refused) = bes.send("POST", "/bes/v1/heartbeat", &body, &good, &id).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "replayed: {refused}");
    assert_eq!(refused["error"]["code"], "engine_refused");
    assert!(refused["error"]["message"].as_str().unwrap_or("").contains("replay"), "{refused}");
    let forger = Ed25519KeyPair::from_seed_unchecked(&[9; 32]).unwrap();
    let forged = bes.sign_with(&forger, "POST", "/bes/v1/heartbeat", &body, now);
    let (s, _) = bes.send("POST", "/bes/v1/heartbeat", &body, &forged, &id).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "forged");
    let stale = bes.sign_with(&key, "POST", "/bes/v1/heartbeat", &body, now - 301);
    let (s, _) = bes.send("POST", "/bes/v1/heartbeat", &body, &stale, &id).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "stale");
    let fresh = bes.sign_with(&key, "POST", "/bes/v1/heartbeat", &body, now);
    let tampered = serde_json::to_vec(&json!({"version": "7.7.7"})).unwrap();
    let (s, _) = bes.send("POST", "/bes/v1/heartbeat", &tampered, &fresh, &id).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "tampered body");
    let other_path = bes.sign_with(&key, "POST", "/bes/v1/key", &body, now);
    let (s, _) = bes.send("POST", "/bes/v1/heartbeat", &body, &other_path, &id).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "signed for another path");
    let (s, _) = bes.send("POST", "/bes/v1/heartbeat", &body, &good, "besdoesnotexist0000").await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "unknown engine");
    let (s, _) = admin.get("/bes/v1/config").await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "a session is not an engine");
    let e = engine(&viewer, &bes.id).await;
    assert_eq!(e.version.as_deref(), Some("6.6.6"), "only the original call counted");
    let (s, audit) = admin.get(&format!("/api/v1/audit?entity_type=engine&entity_id={}", bes.id)).await;
    assert_eq!(s, StatusCode::OK, "{audit}");
    let refusals = audit["items"].as_array().expect("items").iter().filter(|a| a["action"] == "refused").count();
    assert!(refusals >= 4, "refused calls are in the audit trail: {audit}");

    // A second engine (the MSP's own) for replicas and the other-engine rule.
    let (s, created) = admin.post("/api/v1/backup/registration-secrets", &json!({})).await;
    assert_eq!(s, StatusCode::CREATED, "{created}");
    let mut bes2 = TestEngine::new(2, &server.base, clock.clone());
    let (s, body) = register(&server.base, created["secret"].as_str().unwrap(), "Cloud-1", &bes2.public_key()).await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    bes2.id = body["engine_id"].as_str().unwrap().to_string();

    // Storage targets; bad input refused with the reason.
    let target = |name: &str, engine: &String| json!({"name": name, "target_type": "local", "engine_id": engine, "connection": {"path": "/srv/backup"}});
    let (s, body) = op
        .post(
            "/api/v1/backup/storage-targets",
            &json!({"name": "X", "target_type": "local", "engine_id": bes.id,
            "connection": {"path": "/srv"}, "alert_threshold": 95, "critical_threshold": 90}),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "thresholds out of order: {body}");
    let (s, body) = op
        .post(
            "/api/v1/backup/storage-targets",
            &json!({"name": "X", "target_type": "s3", "engine_id": bes.id, "connection": {}}),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "an S3 target without a bucket: {body}");
    let (s, _) = viewer.post("/api/v1/backup/storage-targets", &target("Nope", &bes.id)).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, primary) = op.post("/api/v1/backup/storage-targets", &target("Primary NAS", &bes.id)).await;
    assert_eq!(s, StatusCode::CREATED, "{primary}");
    let primary: StorageTarget = serde_json::from_value(primary).unwrap();
    assert_eq!((primary.alert_threshold, primary.critical_threshold), (85, 95));
    let (s, offsite) = op
        .post(
            "/api/v1/backup/storage-targets",
            &json!({"name": "Offsite S3", "target_type": "s3", "engine_id": bes2.id,
            "connection": {"bucket": "msp-offsite", "region": "eu-west-1"}}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{offsite}");
    let offsite_id = offsite["id"].as_str().unwrap().to_string();

    // Policies: a target on another engine and a schedule that never fires are refused.
    let engine_id = bes.id.clone();
    let policy_body = |name: &str, target: &str| {
        json!({"name": name, "engine_id": engine_id, "storage_target_id": target, "full_schedule": "0 2 * * 0",
               "incremental_schedule": "0 2 * * 1-6", "time_zone": "Europe/Amsterdam"})
    };
    let (s, body) = op.post("/api/v1/backup/policies", &policy_body("Wrong", &offsite_id)).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "a target on another engine: {body}");
    let mut never = policy_body("Never", &primary.id);
    never["full_schedule"] = json!("0 0 31 2 *");
    let (s, body) = op.post("/api/v1/backup/policies", &never).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "never fires: {body}");
    let (s, created) = op.post("/api/v1/backup/policies", &policy_body("File server", &primary.id)).await;
    assert_eq!(s, StatusCode::CREATED, "{created}");
    let p1: PolicyDetail = serde_json::from_value(created).unwrap();
    assert_eq!((p1.policy.retention_daily, p1.policy.retention_weekly, p1.policy.retention_monthly), (7, 4, 12));
    assert!(p1.policy.enabled && p1.policy.dedup && p1.policy.vss_enabled);
    let mut disabled = policy_body("Archive", &primary.id);
    disabled["enabled"] = json!(false);
    let (s, created) = op.post("/api/v1/backup/policies", &disabled).await;
    assert_eq!(s, StatusCode::CREATED, "{created}");
    let p2_id = created["policy"]["id"].as_str().unwrap().to_string();
    let (s, body) =
        op.patch(&format!("/api/v1/backup/policies/{}", p1.policy.id), &json!({"engine_id": bes2.id})).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "the engine cannot change: {body}");

    // A hook and a replication rule; 3-2-1 says what is missing.
    let (s, hook) = op
        .post(
            &format!("/api/v1/backup/policies/{}/hooks", p1.policy.id),
            &json!({"hook_type": "pre", "template": "mysql", "timeout_seconds": 120, "fail_on_error": true}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{hook}");
    assert!(hook["script"].as_str().unwrap().contains("mysqldump"));
    let (s, rule) = op
        .post(
            "/api/v1/backup/replicas",
            &json!({"policy_id": p1.policy.id, "storage_target_id": offsite_id, "is_offsite": true}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{rule}");
    assert_eq!(rule["kek_source"], "account");
    let detail = policy(&viewer, &p1.policy.id).await;
    assert_eq!((detail.hooks.len(), detail.replicas.len()), (1, 1));
    assert_eq!((detail.three_two_one.copies, detail.three_two_one.media_types), (2, 2));
    assert!(detail.three_two_one.offsite && !detail.three_two_one.meets, "{:?}", detail.three_two_one);

    // Credentials: write-only, encrypted through the Secrets port, only on a
    // customer's engine (an account-scoped engine fails closed), rotatable,
    // removed with the target.
    let cred = json!({"username": "backup", "secret": "s3cr3t-value", "credential_type": "password"});
    let smb = |engine: &String| {
        json!({"name": "Creds SMB", "target_type": "smb", "engine_id": engine,
        "connection": {"server": "nas01.lan", "share": "backups"}, "credential": cred})
    };
    let (s, body) = op.post("/api/v1/backup/storage-targets", &smb(&bes2.id)).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "an account-scoped engine: {body}");
    assert!(body["error"]["message"].as_str().unwrap_or("").contains("organization-scoped"), "{body}");
    let (s, body) = op.post("/api/v1/backup/storage-targets", &smb(&bes.id)).await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    assert!(!body.to_string().contains("s3cr3t"), "never returned: {body}");
    assert_eq!((body["has_credential"].as_bool(), body["credential_type"].as_str()), (Some(true), Some("password")));
    let smb_id = body["id"].as_str().unwrap().to_string();
    assert!(rt.app.has_stored_credential(&smb_id).await.unwrap());
    let mut rotated = smb(&bes.id);
    rotated["credential"] = json!({"username": "backup2", "secret": "n3w", "credential_type": "access_key"});
    let (s, body) = op.put(&format!("/api/v1/backup/storage-targets/{smb_id}"), &rotated).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(body["credential_type"], "access_key");
    let (_, detail) = viewer.get(&format!("/api/v1/backup/storage-targets/{smb_id}")).await;
    assert!(!detail.to_string().contains("n3w"), "never returned: {detail}");
    assert_eq!(op.delete(&format!("/api/v1/backup/storage-targets/{smb_id}")).await.0, StatusCode::NO_CONTENT);
    assert!(!rt.app.has_stored_credential(&smb_id).await.unwrap(), "deleting a target removes its credential");

    // A target in use cannot be deleted; the answer names the policy.
    let (s, body) = op.delete(&format!("/api/v1/backup/storage-targets/{}", primary.id)).await;
    assert_eq!(s, StatusCode::CONFLICT, "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("File server"), "{body}");
    let (s, body) = op.delete(&format!("/api/v1/backup/storage-targets/{offsite_id}")).await;
    assert_eq!(s, StatusCode::CONFLICT, "the replica target is in use too: {body}");

    // Capacity: 96 % pauses the enabled policy (the disabled one stays as it is).
    let (s, ack) = bes.heartbeat(capacity(&primary.id, 96)).await;
    assert_eq!(s, StatusCode::OK, "{ack}");
    let p = policy(&viewer, &p1.policy.id).await.policy;
    assert_eq!(p.paused_reason.as_deref(), Some("storage_critical"));
    let p2 = policy(&viewer, &p2_id).await.policy;
    assert_eq!((p2.enabled, p2.paused_reason.as_deref()), (false, None));
    let (_, t) = viewer.get(&format!("/api/v1/backup/storage-targets/{}", primary.id)).await;
    assert_eq!(t["target"]["health"], "critical", "{t}");
    assert_eq!(t["history"].as_array().map(Vec::len), Some(1));
    assert!(alerts(&viewer).await.iter().any(|a| a.kind == "storage_critical" && a.subject_id == primary.id));
    // A report for a target that is not this engine's is ignored.
    clock.advance(Duration::seconds(60));
    let (s, ack) = bes.heartbeat(capacity(&offsite_id, 99)).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(ack["ignored_targets"][0], offsite_id.as_str());
    // 90 %: still above the alert threshold, still paused.
    clock.advance(Duration::seconds(60));
    bes.heartbeat(capacity(&primary.id, 90)).await;
    assert_eq!(policy(&viewer, &p1.policy.id).await.policy.paused_reason.as_deref(), Some("storage_critical"));
    // 80 %: healthy, resumed; the disabled one stays disabled.
    clock.advance(Duration::seconds(60));
    bes.heartbeat(capacity(&primary.id, 80)).await;
    let p = policy(&viewer, &p1.policy.id).await.policy;
    assert_eq!((p.enabled, p.paused_reason.as_deref()), (true, None));
    let p2 = policy(&viewer, &p2_id).await.policy;
    assert_eq!((p2.enabled, p2.paused_reason.as_deref()), (false, None));

    // An alert rule for Failed (critical) to a webhook receiver.
    let (hook_url, got) = bc_tests::webhooks::receiver(Vec::new()).await;
    let (s, ch) =
        admin.post("/api/v1/alerts/channels", &json!({"name": "On call", "kind": "webhook", "url": hook_url})).await;
    assert_eq!(s, StatusCode::CREATED, "{ch}");
    let (s, rule) = admin
        .post(
            "/api/v1/alerts/rules",
            &json!({"name": "Critical", "statuses": ["Failed"], "channel_ids": [ch["channel"]["id"]]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{rule}");

    // Offline: no heartbeat for more than 3 minutes, then a tick.
    let last = engine(&viewer, &bes.id).await.last_heartbeat_at.expect("last");
    assert!(last > heartbeat_at);
    clock.advance(Duration::seconds(180));
    assert_eq!(rt.app.tick().await.expect("tick").engines_offline, 0, "exactly 3 minutes is not more than 3");
    clock.advance(Duration::seconds(30));
    assert_eq!(rt.app.tick().await.expect("tick").engines_offline, 1);
    assert_eq!(rt.app.tick().await.expect("tick").engines_offline, 0, "once");
    assert_eq!(engine(&viewer, &bes.id).await.status, EngineStatus::Offline);
    let offline: Vec<_> = alerts(&viewer).await.into_iter().filter(|a| a.kind == "engine_offline").collect();
    assert_eq!(offline.len(), 1, "{offline:?}");
    assert_eq!(offline[0].severity, bc_api_types::AlertSeverity::Critical);
    assert_eq!(offline[0].subject_id, bes.id);
    // The critical alert reached the alert channel, once.
    let until = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while !bc_tests::webhooks::bodies(&got).iter().any(|b| b.contains("backup.alert") && b.contains(&bes.id)) {
        assert!(std::time::Instant::now() < until, "the engine-offline alert did not reach the webhook");
        rt.app.drain_queue_once(10).await.expect("drain");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    while rt.app.drain_queue_once(10).await.expect("drain") > 0 {}
    assert_eq!(bc_tests::webhooks::bodies(&got).iter().filter(|b| b.contains(&bes.id)).count(), 1, "one delivery");
    // The engine never heartbeated after registering: pending, never offline.
    assert_eq!(engine(&viewer, &bes2.id).await.status, EngineStatus::Pending);
    // It comes back: online, and the recovery is recorded.
    let (s, ack) = bes.heartbeat(json!([])).await;
    assert_eq!(s, StatusCode::OK, "{ack}");
    assert_eq!(engine(&viewer, &bes.id).await.status, EngineStatus::Online);
    assert!(alerts(&viewer).await.iter().any(|a| a.kind == "engine_recovered" && a.subject_id == bes.id));

    // Key rotation by a signed call; the old key is refused after.
    let new_key = Ed25519KeyPair::from_seed_unchecked(&[3; 32]).unwrap();
    let (s, body) =
        bes.call("POST", "/bes/v1/key", &json!({"public_key": B64.encode(new_key.public_key().as_ref())})).await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{body}");
    let (s, _) = bes.heartbeat(json!([])).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "the old key no longer works");
    bes.key = new_key;
    let (s, config) = bes.call("GET", "/bes/v1/config", &Value::Null).await;
    assert_eq!(s, StatusCode::OK, "{config}");
    let file_server =
        config["policies"].as_array().unwrap().iter().find(|p| p["policy"]["name"] == "File server").cloned();
    assert_eq!(file_server.expect("the policy")["hooks"][0]["template"], "mysql", "{config}");

    // Engines page: filters and admin edits (a CIDR that is not one is refused).
    let (_, list) = viewer.get(&format!("/api/v1/backup/engines?status=online&customer={customer_id}&q=vault")).await;
    assert_eq!(list.as_array().map(Vec::len), Some(1), "{list}");
    assert_eq!(list[0]["storage_target_count"], 1);
    let (_, list) = viewer.get("/api/v1/backup/engines?q=10.0.0.5").await;
    assert_eq!(list.as_array().map(Vec::len), Some(2));
    let path = format!("/api/v1/backup/engines/{}", bes.id);
    let (s, body) = op.patch(&path, &json!({"pxe_network": "10.0.0.1/24"})).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{body}");
    let (s, body) =
        op.patch(&path, &json!({"name": "Vault-One", "pxe_enabled": true, "pxe_network": "10.0.0.0/24"})).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(body["pxe_network"], "10.0.0.0/24");

    // The role matrix on every new route: viewers and reporters read, never change;
    // operators change but do not enrol engines.
    let pid = p1.policy.id.clone();
    let hook_id = hook["id"].as_str().unwrap().to_string();
    let rule_id = rule["id"].as_str().unwrap().to_string();
    let reads = [
        "/api/v1/backup/engines".to_string(),
        path.clone(),
        format!("{path}/deletion"),
        "/api/v1/backup/storage-targets".into(),
        format!("/api/v1/backup/storage-targets/{}", primary.id),
        "/api/v1/backup/policies".into(),
        format!("/api/v1/backup/policies/{pid}"),
        "/api/v1/backup/replicas".into(),
        "/api/v1/backup/hosts".into(),
        "/api/v1/backup/alerts".into(),
    ];
    for c in [&viewer, &reporter, &op, &admin] {
        for r in &reads {
            assert_eq!(c.get(r).await.0, StatusCode::OK, "{r}");
        }
    }
    for c in [&viewer, &reporter] {
        let writes: Vec<(&str, String, Value)> = vec![
            ("PATCH", path.clone(), json!({"name": "x"})),
            ("DELETE", path.clone(), Value::Null),
            ("POST", "/api/v1/backup/storage-targets".into(), target("x", &bes.id)),
            ("PUT", format!("/api/v1/backup/storage-targets/{}", primary.id), target("x", &bes.id)),
            ("DELETE", format!("/api/v1/backup/storage-targets/{}", primary.id), Value::Null),
            ("POST", "/api/v1/backup/policies".into(), policy_body("x", &primary.id)),
            ("PATCH", format!("/api/v1/backup/policies/{pid}"), json!({"name": "x"})),
            ("DELETE", format!("/api/v1/backup/policies/{pid}"), Value::Null),
            ("POST", format!("/api/v1/backup/policies/{pid}/hooks"), json!({"hook_type": "post", "script": "true"})),
            ("PUT", format!("/api/v1/backup/hooks/{hook_id}"), json!({"hook_type": "post", "script": "true"})),
            ("DELETE", format!("/api/v1/backup/hooks/{hook_id}"), Value::Null),
            ("POST", "/api/v1/backup/replicas".into(), json!({"policy_id": pid, "storage_target_id": offsite_id})),
            ("DELETE", format!("/api/v1/backup/replicas/{rule_id}"), Value::Null),
            ("POST", "/api/v1/backup/hosts".into(), json!({"customer_id": customer_id, "hostname": "x"})),
            ("POST", format!("/api/v1/backup/policies/{pid}/hosts"), json!({"host_id": "hostx"})),
            ("PUT", format!("/api/v1/backup/policies/{pid}/hosts/hostx"), json!({"state": "paused"})),
            ("DELETE", format!("/api/v1/backup/policies/{pid}/hosts/hostx"), Value::Null),
            ("POST", "/api/v1/backup/registration-secrets".into(), json!({})),
        ];
        for (m, p, b) in writes {
            let s = match m {
                "POST" => c.post(&p, &b).await.0,
                "PUT" => c.put(&p, &b).await.0,
                "PATCH" => c.patch(&p, &b).await.0,
                _ => c.delete(&p).await.0,
            };
            assert_eq!(s, StatusCode::FORBIDDEN, "{m} {p}");
        }
    }
    assert_eq!(policy(&viewer, &pid).await.policy.name, "File server", "nothing changed");

    // Hosts: assign, archive, reassign reactivates; a host of another customer is refused.
    let (s, host) = op
        .post("/api/v1/backup/hosts", &json!({"customer_id": customer_id, "hostname": "fs01", "ip": "10.0.0.20"}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{host}");
    let host_id = host["id"].as_str().unwrap().to_string();
    let (s, a) = op.post(&format!("/api/v1/backup/policies/{pid}/hosts"), &json!({"host_id": host_id})).await;
    assert_eq!(s, StatusCode::CREATED, "{a}");
    let (s, _) = op.post(&format!("/api/v1/backup/policies/{pid}/hosts"), &json!({"host_id": host_id})).await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (s, _) = op.put(&format!("/api/v1/backup/policies/{pid}/hosts/{host_id}"), &json!({"state": "archived"})).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, a) = op.post(&format!("/api/v1/backup/policies/{pid}/hosts"), &json!({"host_id": host_id})).await;
    assert_eq!(s, StatusCode::CREATED, "{a}");
    assert_eq!(a["state"], "active");
    let (_, other) = op.post("/api/v1/customers", &json!({"name": "Other BV"})).await;
    let (_, foreign) = op.post("/api/v1/backup/hosts", &json!({"customer_id": other["id"], "hostname": "fs99"})).await;
    let (s, body) = op.post(&format!("/api/v1/backup/policies/{pid}/hosts"), &json!({"host_id": foreign["id"]})).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{body}");

    // Deleting the engine: the preview lists what goes; then it all goes, and
    // the engine's heartbeats are refused.
    let (s, preview) = op.get(&format!("{path}/deletion")).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(preview["storage_targets"], json!(["Primary NAS"]));
    assert_eq!(preview["policies"], json!(["Archive", "File server"]));
    let (s, _) = op.delete(&path).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(op.get(&path).await.0, StatusCode::NOT_FOUND);
    assert_eq!(op.get(&format!("/api/v1/backup/policies/{pid}")).await.0, StatusCode::NOT_FOUND);
    assert_eq!(op.get(&format!("/api/v1/backup/storage-targets/{}", primary.id)).await.0, StatusCode::NOT_FOUND);
    let (_, rules) = op.get("/api/v1/backup/replicas").await;
    assert_eq!(rules.as_array().map(Vec::len), Some(0), "the policy's rules went with it");
    let (s, _) = bes.heartbeat(json!([])).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "a deleted engine");
    // The offsite target is free now.
    assert_eq!(op.delete(&format!("/api/v1/backup/storage-targets/{offsite_id}")).await.0, StatusCode::NO_CONTENT);

    // Every change is in the audit trail.
    let (_, audit) = admin.get("/api/v1/audit?limit=200").await;
    let actions: Vec<String> = audit["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|e| format!("{}:{}", e["entity_type"].as_str().unwrap_or(""), e["action"].as_str().unwrap_or("")))
        .collect();
    for want in [
        "registration_secret:create",
        "engine:register",
        "engine:status",
        "engine:offline",
        "engine:refused",
        "engine:update",
        "engine:rotate_key",
        "engine:delete",
        "storage_target:create",
        "storage_target:delete",
        "policy:create",
        "policy:auto_pause",
        "policy:auto_resume",
        "policy:delete",
        "app_hook:create",
        "replica_rule:create",
        "host:create",
        "storage_target:rotate_credential",
        "host_assignment:create",
        "host_assignment:reactivate",
    ] {
        assert!(actions.iter().any(|a| a == want), "{want} not in the audit trail");
    }
}

fn clock() -> Arc<MovableClock> {
    Arc::new(MovableClock(std::sync::Mutex::new("2026-03-02T08:00:00Z".parse().expect("time"))))
}

#[tokio::test]
async fn backup_engines_on_the_embedded_store() {
    let clock = clock();
    let rt = Runtime::embedded_with_clock(clock.clone()).with_users().await;
    backup_engines_on(rt, clock).await;
}

#[cfg(feature = "aws")]
#[tokio::test]
async fn backup_engines_on_dynamodb_s3_sqs_through_moto() {
    let clock = clock();
    let mut rt = Runtime::aws("backup_engines").await;
    rt.app.clock = clock.clone();
    // The storage credentials secret as the SAM template creates it: an empty placeholder.
    let sdk = &rt.aws.as_ref().expect("aws adapters").sdk;
    let sm = aws_sdk_secretsmanager::Client::new(sdk);
    let out = sm
        .create_secret()
        .name(format!("{}/storage", bc_aws::testing::unique_prefix("backup_engines")))
        .secret_string("{}")
        .send()
        .await
        .expect("create secret");
    let arns = std::collections::HashMap::from([(bc_core::SecretName::Storage, out.arn().expect("arn").to_string())]);
    rt.app = rt.app.clone().with_secrets(Arc::new(bc_aws::SecretsManagerSecrets::new(sm, arns)));
    let rt = rt.with_users().await;
    backup_engines_on(rt, clock).await;
}
