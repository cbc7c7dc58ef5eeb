//! Test support (feature `testing`): a `moto_server` on loopback, an SDK
//! configuration with dummy credentials pointing at it, and freshly
//! provisioned adapters with unique resource names, so tests can run in
//! parallel against one server. Used by this crate's tests and by the
//! workspace's end-to-end tests.
//!
//! The endpoint is `MOTO_ENDPOINT` when set (e.g. `http://127.0.0.1:5555`).
//! Otherwise one server per test process is started on a free port, from
//! `MOTO_SERVER_BIN`, `moto_server` on `PATH`, or
//! `$CARGO_WORKSPACE_DIR/.venv/bin/moto_server` (and the workspace's `.venv`
//! found from this crate's directory). It stops when the test process ends:
//! it runs under a small shell that kills it once the process's pipe to it
//! closes, which happens on any exit.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use aws_config::{BehaviorVersion, SdkConfig};
use aws_sdk_dynamodb::config::{Credentials, Region};

use crate::provision::{Names, provision};
use crate::{AwsAdapters, https_client};

/// The region every test uses.
pub const REGION: &str = "us-east-1";
/// How long a starting moto_server may take to accept connections.
const START_TIMEOUT: Duration = Duration::from_secs(60);

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct TestingError(pub String);

fn err(msg: impl Into<String>) -> TestingError {
    TestingError(msg.into())
}

/// A `moto_server` child process on a free loopback port; stopped on drop
/// (or when this process exits).
#[derive(Debug)]
pub struct MotoServer {
    child: Child,
    /// Closing it tells the wrapper shell to stop the server.
    lifeline: Option<ChildStdin>,
    endpoint: String,
}

impl MotoServer {
    pub fn start() -> Result<Self, TestingError> {
        let bin = find_moto_server().ok_or_else(|| {
            err("moto_server not found: set MOTO_ENDPOINT or MOTO_SERVER_BIN, put it on PATH, \
                 or `python3 -m venv .venv && .venv/bin/pip install 'moto[server]'` in the workspace")
        })?;
        let port = free_port()?;
        // The wrapper kills the server when its stdin (our pipe) reaches EOF,
        // and exits when the server does. Background jobs of a
        // non-interactive shell get /dev/null as stdin, hence fd 3.
        let script = r#"exec 3<&0
"$@" </dev/null 3<&- >/dev/null 2>&1 &
server=$!
(read -r _ <&3; kill "$server" 2>/dev/null) &
wait "$server""#;
        let mut child = Command::new("sh")
            .arg("-c")
            .arg(script)
            .arg("moto-wrapper")
            .arg(&bin)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| err(format!("cannot start {}: {e}", bin.display())))?;
        let lifeline = child.stdin.take();
        let mut server = MotoServer { child, lifeline, endpoint: format!("http://127.0.0.1:{port}") };
        server.wait_until_up(port)?;
        Ok(server)
    }

    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    fn wait_until_up(&mut self, port: u16) -> Result<(), TestingError> {
        let started = Instant::now();
        loop {
            if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Ok(());
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(err(format!("moto_server exited at start ({status}); is port {port} taken?")));
            }
            if started.elapsed() > START_TIMEOUT {
                return Err(err(format!("moto_server did not answer on port {port} within {START_TIMEOUT:?}")));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for MotoServer {
    fn drop(&mut self) {
        drop(self.lifeline.take());
        let _ = self.child.wait();
    }
}

fn free_port() -> Result<u16, TestingError> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| err(format!("no free port: {e}")))?;
    listener.local_addr().map(|a| a.port()).map_err(|e| err(format!("no free port: {e}")))
}

fn find_moto_server() -> Option<PathBuf> {
    if let Some(bin) = std::env::var_os("MOTO_SERVER_BIN") {
        return Some(PathBuf::from(bin));
    }
    let on_path = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).map(|d| d.join("moto_server")).collect::<Vec<_>>())
        .unwrap_or_default();
    let workspace = std::env::var_os("CARGO_WORKSPACE_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../..")));
    on_path.into_iter().chain([workspace.join(".venv/bin/moto_server")]).find(|p| p.is_file())
}

/// A plain HTTP/1.0 GET on loopback: the body, if the status is 200.
fn http_get(port: u16, path: &str) -> Result<Vec<u8>, TestingError> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).map_err(|e| err(e.to_string()))?;
    stream.set_read_timeout(Some(Duration::from_secs(30))).map_err(|e| err(e.to_string()))?;
    write!(stream, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n")
        .map_err(|e| err(e.to_string()))?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).map_err(|e| err(e.to_string()))?;
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").ok_or_else(|| err("no HTTP header end"))?;
    let head = String::from_utf8_lossy(&raw[..split]);
    if !head.lines().next().is_some_and(|l| l.contains(" 200")) {
        return Err(err(format!("GET {path}: {}", head.lines().next().unwrap_or_default())));
    }
    Ok(raw[split + 4..].to_vec())
}

static SHARED: OnceLock<Result<MotoServer, String>> = OnceLock::new();

/// `MOTO_ENDPOINT`, or the endpoint of this process's own moto_server
/// (started on first use).
pub fn moto_endpoint() -> Result<String, TestingError> {
    if let Some(endpoint) = std::env::var("MOTO_ENDPOINT").ok().filter(|e| !e.trim().is_empty()) {
        return Ok(endpoint.trim().trim_end_matches('/').to_string());
    }
    match SHARED.get_or_init(|| MotoServer::start().map_err(|e| e.0)) {
        Ok(server) => Ok(server.endpoint().to_string()),
        Err(e) => Err(err(e.clone())),
    }
}

/// SDK configuration for moto at `endpoint`: region us-east-1, dummy
/// credentials, our HTTP client.
pub async fn sdk_config(endpoint: &str) -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .http_client(https_client())
        .region(Region::new(REGION))
        .endpoint_url(endpoint)
        .credentials_provider(Credentials::new("test", "test", None, None, "moto"))
        .load()
        .await
}

/// A name prefix no other test (in this or a concurrent process) uses:
/// lower case, fit for S3 bucket names.
pub fn unique_prefix(label: &str) -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let clean: String =
        label.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).take(20).collect();
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or_default();
    format!("bc{}-{:x}-{}-{}", std::process::id(), nanos, NEXT.fetch_add(1, Ordering::Relaxed), clean.trim_matches('-'))
}

/// Provisions a fresh table, bucket, queues and sender identity on moto and
/// returns the adapters on them.
pub async fn adapters(label: &str) -> Result<AwsAdapters, TestingError> {
    adapters_at(&moto_endpoint()?, label).await
}

/// [`adapters`] on the moto_server at `endpoint` (a test's own, to read
/// its state without the shared server's bulk).
pub async fn adapters_at(endpoint: &str, label: &str) -> Result<AwsAdapters, TestingError> {
    let endpoint = endpoint.to_string();
    let sdk = sdk_config(&endpoint).await;
    let cfg = provision(&sdk, &Names::with_prefix(&unique_prefix(label))).await.map_err(|e| err(e.to_string()))?;
    Ok(AwsAdapters::with_sdk_config(&sdk, cfg))
}

/// Writes `items` (in the adapter's own shape, `dynamo::items::to_item`)
/// to the adapters' table with BatchWriteItem, 25 at a time, until none is
/// left unprocessed. Bulk seeding for tests: moto copies the whole table
/// for every action of a transaction, so thousands of `record_run`s would
/// take it an hour.
pub async fn batch_put(adapters: &AwsAdapters, items: &[crate::dynamo::items::Item]) -> Result<(), TestingError> {
    use aws_sdk_dynamodb::types::{PutRequest, WriteRequest};
    let client = aws_sdk_dynamodb::Client::new(&adapters.sdk);
    let table = adapters.store.table_name();
    for chunk in items.chunks(25) {
        let mut pending = chunk
            .iter()
            .map(|i| {
                Ok(WriteRequest::builder()
                    .put_request(
                        PutRequest::builder().set_item(Some(i.clone())).build().map_err(|e| err(e.to_string()))?,
                    )
                    .build())
            })
            .collect::<Result<Vec<_>, TestingError>>()?;
        while !pending.is_empty() {
            let out = client
                .batch_write_item()
                .request_items(table, pending)
                .send()
                .await
                .map_err(|e| err(format!("BatchWriteItem: {e}")))?;
            pending = out.unprocessed_items.and_then(|mut u| u.remove(table)).unwrap_or_default();
        }
    }
    Ok(())
}

/// A mail moto's SES recorded as sent.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct SentEmail {
    pub id: String,
    pub source: String,
    pub subject: String,
    /// The HTML part when there is one, else the text (moto keeps one).
    pub body: String,
    pub destinations: std::collections::HashMap<String, Vec<String>>,
}

/// Every mail moto's SES has recorded as sent (from `/moto-api/data.json`).
pub async fn sent_emails(endpoint: &str) -> Result<Vec<SentEmail>, TestingError> {
    let port = endpoint
        .rsplit(':')
        .next()
        .and_then(|p| p.trim_end_matches('/').parse::<u16>().ok())
        .ok_or_else(|| err(format!("no port in {endpoint}")))?;
    let body = tokio::task::spawn_blocking(move || http_get(port, "/moto-api/data.json"))
        .await
        .map_err(|e| err(e.to_string()))??;
    let data: serde_json::Value = serde_json::from_slice(&body).map_err(|e| err(e.to_string()))?;
    let messages = data.pointer("/ses/Message").cloned().unwrap_or(serde_json::Value::Array(Vec::new()));
    serde_json::from_value(messages).map_err(|e| err(format!("moto's SES messages: {e}")))
}
