//! Heartbeat ingest on the local runtime, over HTTP on loopback as engines
//! send them: N engines (default 2,000; `BENCH_ENGINES`) registered, then
//! `BENCH_ROUNDS` (default 5) heartbeats each, signed with Ed25519, from
//! `BENCH_CONCURRENCY` (default 16) concurrent senders. Reports
//! heartbeats per second against the load of 2,000 engines beating once a
//! minute (33.3/s; the issue's target is 20 times that).
//!
//! `cargo bench -p bc-tests --bench heartbeat` (release), or
//! `cargo test -p bc-tests --bench heartbeat` for a quick debug figure.

use std::sync::Arc;
use std::time::Instant;

use base64::Engine as _;
use bc_core::Actor;
use bc_core::backup::engines::protocol::canonical;
use bc_tests::Runtime;
use bc_tests::server::TestServer;
use ring::signature::{Ed25519KeyPair, KeyPair};

fn main() {
    let n: usize = std::env::var("BENCH_ENGINES").ok().and_then(|v| v.parse().ok()).unwrap_or(2_000);
    let rounds: usize = std::env::var("BENCH_ROUNDS").ok().and_then(|v| v.parse().ok()).unwrap_or(5);
    let concurrency: usize = std::env::var("BENCH_CONCURRENCY").ok().and_then(|v| v.parse().ok()).unwrap_or(16);
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    rt.block_on(async move {
        let r = Runtime::embedded();
        let app = r.app.clone();
        let server = TestServer::start(app.clone()).await;
        let b64 = base64::engine::general_purpose::STANDARD;
        let secret = app
            .rotate_registration_secret(&Actor::system(), &bc_api_types::RegistrationSecretBody { customer_id: None })
            .await
            .expect("secret")
            .secret;
        let mut engines = Vec::new();
        for i in 0..n {
            let mut seed = [0u8; 32];
            seed[..8].copy_from_slice(&(i as u64).to_le_bytes());
            let key = Ed25519KeyPair::from_seed_unchecked(&seed).expect("key");
            let reg = app
                .bes_register(&bc_api_types::BesRegister {
                    registration_secret: secret.clone(),
                    name: format!("Engine {i}"),
                    deployment_model: bc_api_types::DeploymentModel::OnPremise,
                    public_key: b64.encode(key.public_key().as_ref()),
                    hostname: format!("bes{i}.lan"),
                    ip: "10.0.0.1".into(),
                    port: 8443,
                })
                .await
                .expect("register");
            engines.push((reg.engine_id, key));
        }
        let work: Vec<(usize, usize)> = (0..rounds).flat_map(|r| (0..n).map(move |e| (r, e))).collect();
        let total = work.len();
        let engines = Arc::new(engines);
        let queue = Arc::new(tokio::sync::Mutex::new(work.into_iter()));
        let http = reqwest::Client::new();
        let start = Instant::now();
        let mut tasks = Vec::new();
        for _ in 0..concurrency {
            let (queue, engines, http, base) = (queue.clone(), engines.clone(), http.clone(), server.base.clone());
            tasks.push(tokio::spawn(async move {
                let mut latencies = Vec::new();
                loop {
                    let next = queue.lock().await.next();
                    let Some((round, e)) = next else { break };
                    let (id, key) = &engines[e];
                    let body = format!(r#"{{"version":"1.0.0","health":{{"cpu_percent":{}.0,"active_jobs":1}}}}"#, round % 100);
                    let ts = chrono::Utc::now().timestamp().to_string();
                    let nonce = format!("bench-{round:06}-{e:08}-nonce");
                    let msg = canonical("POST", "/bes/v1/heartbeat", &ts, &nonce, body.as_bytes());
                    let sig = base64::engine::general_purpose::STANDARD.encode(key.sign(msg.as_bytes()).as_ref());
                    let t0 = Instant::now();
                    let resp = http
                        .post(format!("{base}/bes/v1/heartbeat"))
                        .header("content-type", "application/json")
                        .header("X-BES-Engine", id.as_str())
                        .header("X-BES-Timestamp", ts)
                        .header("X-BES-Nonce", nonce)
                        .header("X-BES-Signature", sig)
                        .body(body)
                        .send()
                        .await
                        .expect("heartbeat");
                    assert!(resp.status().is_success(), "heartbeat: {}", resp.status());
                    latencies.push(t0.elapsed());
                }
                latencies
            }));
        }
        let mut latencies = Vec::new();
        for t in tasks {
            latencies.extend(t.await.expect("task"));
        }
        let secs = start.elapsed().as_secs_f64();
        latencies.sort();
        let p = |q: f64| latencies[((latencies.len() as f64 - 1.0) * q) as usize];
        let rate = total as f64 / secs;
        let load = n as f64 / 60.0;
        println!(
            "{total} heartbeats of {n} engines in {secs:.2} s: {rate:.0}/s ({:.1}x the load of {n} engines at one a minute, {load:.1}/s); \
             latency p50 {:?}, p99 {:?}; {concurrency} concurrent senders",
            rate / load,
            p(0.5),
            p(0.99)
        );
    });
}
