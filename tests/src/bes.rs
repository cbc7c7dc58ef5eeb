//! A scripted backup engine for the tests: it signs its calls as
//! docs/bes-protocol.md says (written from the document, not from our
//! code) and the test decides every answer it gives.

use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use bc_core::ports::Clock;
use reqwest::StatusCode;
use ring::signature::{Ed25519KeyPair, KeyPair};
use serde_json::{Value, json};

pub struct ScriptedEngine {
    key: Ed25519KeyPair,
    pub id: String,
    base: String,
    http: reqwest::Client,
    clock: Arc<dyn Clock>,
    seq: u64,
}

fn sha256_hex(b: &[u8]) -> String {
    ring::digest::digest(&ring::digest::SHA256, b).as_ref().iter().map(|x| format!("{x:02x}")).collect()
}

impl ScriptedEngine {
    /// Registers with `secret` (`seed` makes its key) and sends its first heartbeat.
    pub async fn register(seed: u8, base: &str, secret: &str, name: &str, clock: Arc<dyn Clock>) -> ScriptedEngine {
        let mut e = ScriptedEngine {
            key: Ed25519KeyPair::from_seed_unchecked(&[seed; 32]).expect("key"),
            id: String::new(),
            base: base.to_string(),
            http: reqwest::Client::new(),
            clock,
            seq: 0,
        };
        let body = json!({
            "registration_secret": secret, "name": name, "deployment_model": "on_premise",
            "public_key": B64.encode(e.key.public_key().as_ref()),
            "hostname": format!("{}.lan", name.to_lowercase()), "ip": "10.0.0.5", "port": 8443
        });
        let resp = e.http.post(format!("{base}/bes/v1/register")).json(&body).send().await.expect("register");
        assert_eq!(resp.status(), StatusCode::CREATED);
        let v: Value = resp.json().await.expect("registered");
        e.id = v["engine_id"].as_str().expect("engine id").to_string();
        let (s, ack) = e.heartbeat().await;
        assert_eq!(s, StatusCode::OK, "{ack}");
        e
    }

    /// One signed call; `body` is sent for anything but GET.
    pub async fn call(&mut self, method: &str, path: &str, body: &Value) -> (StatusCode, Value) {
        let bytes = if method == "GET" { Vec::new() } else { serde_json::to_vec(body).expect("json") };
        self.seq += 1;
        let nonce = format!("scripted-nonce-{:012}", self.seq);
        let timestamp = self.clock.now().timestamp().to_string();
        let canonical = format!("BES-ED25519-V1\n{method}\n{path}\n{timestamp}\n{nonce}\n{}", sha256_hex(&bytes));
        let signature = B64.encode(self.key.sign(canonical.as_bytes()).as_ref());
        let req = match method {
            "GET" => self.http.get(format!("{}{path}", self.base)),
            _ => self.http.post(format!("{}{path}", self.base)).header("content-type", "application/json").body(bytes),
        };
        let resp = req
            .header("X-BES-Engine", &self.id)
            .header("X-BES-Timestamp", &timestamp)
            .header("X-BES-Nonce", &nonce)
            .header("X-BES-Signature", &signature)
            .send()
            .await
            .expect("send");
        let status = resp.status();
        let text = resp.text().await.unwrap_or_default();
        (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
    }

    pub async fn heartbeat(&mut self) -> (StatusCode, Value) {
        self.call("POST", "/bes/v1/heartbeat", &json!({"version": "scripted-1"})).await
    }

    /// The jobs a poll gives.
    pub async fn poll(&mut self) -> Vec<Value> {
        let (s, body) = self.call("GET", "/bes/v1/jobs", &Value::Null).await;
        assert_eq!(s, StatusCode::OK, "{body}");
        body["jobs"].as_array().cloned().unwrap_or_default()
    }

    pub async fn ack(&mut self, job_id: &str) -> (StatusCode, Value) {
        self.call("POST", &format!("/bes/v1/jobs/{job_id}/ack"), &json!({})).await
    }

    pub async fn result(&mut self, job_id: &str, result: &Value) -> (StatusCode, Value) {
        self.call("POST", &format!("/bes/v1/jobs/{job_id}/result"), result).await
    }
}

/// Set-up through the use cases: a customer, an engine of it registered with
/// a fresh secret, a Local storage target on it, and `policies` policies
/// (full backups on `schedule`, UTC) with `hosts` active hosts each. Returns
/// the policy ids.
pub async fn native_policies(
    app: &bc_core::App,
    customer: &str,
    schedule: &str,
    policies: usize,
    hosts: usize,
) -> Vec<String> {
    let admin = bc_core::Actor::system();
    let customer = app.create_customer(&admin, customer).await.expect("customer");
    let secret = app
        .rotate_registration_secret(
            &admin,
            &bc_api_types::RegistrationSecretBody { customer_id: Some(customer.id.clone()) },
        )
        .await
        .expect("secret");
    let engine = app
        .bes_register(&bc_api_types::BesRegister {
            registration_secret: secret.secret,
            name: format!("{} engine", customer.name),
            deployment_model: bc_api_types::DeploymentModel::OnPremise,
            public_key: "6kpsY+KcUgq+9VB7Ey7F+ZVHdq6+vnuSQh7qaRRG0iw=".into(),
            hostname: "bes.lan".into(),
            ip: "10.0.0.9".into(),
            port: 8443,
        })
        .await
        .expect("engine");
    let target = app
        .create_storage_target(
            &admin,
            &bc_api_types::StorageTargetBody {
                name: "Repo".into(),
                target_type: bc_api_types::TargetType::Local,
                engine_id: engine.engine_id.clone(),
                connection: bc_api_types::ConnectionConfig { path: Some("/srv/repo".into()), ..Default::default() },
                ..Default::default()
            },
        )
        .await
        .expect("target");
    let mut ids = Vec::new();
    for p in 0..policies {
        let policy = app
            .create_policy(
                &admin,
                &bc_api_types::PolicyBody {
                    name: Some(format!("Policy {p}")),
                    engine_id: Some(engine.engine_id.clone()),
                    storage_target_id: Some(target.id.clone()),
                    full_schedule: Some(schedule.into()),
                    time_zone: Some("UTC".into()),
                    ..Default::default()
                },
            )
            .await
            .expect("policy");
        for h in 0..hosts {
            let body = bc_api_types::ManagedHostBody {
                customer_id: customer.id.clone(),
                hostname: format!("host-{p}-{h}"),
                ip: None,
                os: None,
            };
            let host = app.create_host(&admin, &body).await.expect("host");
            let assign = bc_api_types::AssignHostBody { host_id: host.id };
            app.assign_host(&admin, &policy.policy.id, &assign).await.expect("assign");
        }
        ids.push(policy.policy.id);
    }
    ids
}
