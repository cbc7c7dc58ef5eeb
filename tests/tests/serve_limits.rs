//! The local server's limits against slow clients and its bounded graceful
//! shutdown, on real sockets: a half-sent header is cut off, a stalled
//! upload is cut off, the connection cap holds, and a shutdown finishes the
//! request in flight but never waits past its grace for a hanging one.
//! (The binary's own SIGTERM path: functions/local/tests/shutdown.rs.)

use std::time::{Duration, Instant};

use bc_http::{HttpOptions, ServeLimits, Served};
use bc_tests::Runtime;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// Generous bound for "within the timeout": the machine is shared.
const PATIENCE: Duration = Duration::from_secs(20);

fn limits() -> ServeLimits {
    ServeLimits {
        header_read_timeout: Duration::from_secs(1),
        body_idle_timeout: Duration::from_secs(1),
        request_timeout: Duration::from_secs(30),
        max_connections: 64,
        shutdown_grace: Duration::from_secs(2),
    }
}

struct Server {
    addr: std::net::SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    done: JoinHandle<Served>,
}

async fn start(limits: ServeLimits) -> Server {
    let rt = Runtime::embedded().with_users().await;
    let router = bc_http::router(rt.app.clone(), HttpOptions::default());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let (tx, rx) = oneshot::channel::<()>();
    let done = tokio::spawn(async move {
        let _keep = rt;
        bc_http::serve(listener, router, limits, async {
            let _ = rx.await;
        })
        .await
    });
    Server { addr, stop: Some(tx), done }
}

/// Reads until the server closes the connection (or PATIENCE passes);
/// returns what was read and whether it was closed.
async fn read_until_closed(s: &mut TcpStream) -> (String, bool) {
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    let deadline = Instant::now() + PATIENCE;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, s.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return (String::from_utf8_lossy(&out).into_owned(), true),
            Ok(Ok(n)) => out.extend_from_slice(&buf[..n]),
            Err(_) => return (String::from_utf8_lossy(&out).into_owned(), false),
        }
    }
}

async fn health(addr: std::net::SocketAddr) -> reqwest::StatusCode {
    reqwest::get(format!("http://{addr}/api/v1/health")).await.expect("GET health").status()
}

const LOGIN_HEAD: &str = "POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n";

#[tokio::test]
async fn a_client_that_stalls_in_its_headers_is_disconnected() {
    let server = start(limits()).await;
    let mut slow = TcpStream::connect(server.addr).await.expect("connect");
    slow.write_all(b"GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ").await.expect("write");
    let started = Instant::now();
    let (answer, closed) = read_until_closed(&mut slow).await;
    assert!(closed, "a half-sent header is cut off (after {:?})", started.elapsed());
    assert!(!answer.contains("200 OK"), "no answer to a request never completed: {answer}");
    // The server is still there for everyone else.
    assert_eq!(health(server.addr).await, reqwest::StatusCode::OK);
}

#[tokio::test]
async fn an_upload_that_stalls_is_cut_off_and_answered() {
    let server = start(limits()).await;
    let mut slow = TcpStream::connect(server.addr).await.expect("connect");
    slow.write_all(format!("{LOGIN_HEAD}Content-Length: 1000\r\n\r\n{{\"username\":").as_bytes()).await.expect("write");
    let (answer, closed) = read_until_closed(&mut slow).await;
    assert!(closed, "a stalled upload is cut off");
    assert!(answer.starts_with("HTTP/1.1 4"), "answered with a client error: {answer}");
    assert_eq!(health(server.addr).await, reqwest::StatusCode::OK);
}

#[tokio::test]
async fn a_request_that_outlasts_the_request_timeout_gets_408() {
    // The body keeps trickling (so the idle timeout never fires), but the
    // whole request may take 1 s.
    let server = start(ServeLimits {
        request_timeout: Duration::from_secs(1),
        body_idle_timeout: Duration::from_secs(5),
        ..limits()
    })
    .await;
    let mut slow = TcpStream::connect(server.addr).await.expect("connect");
    slow.write_all(format!("{LOGIN_HEAD}Content-Length: 1000\r\n\r\n").as_bytes()).await.expect("write");
    let trickle = async {
        for _ in 0..100 {
            tokio::time::sleep(Duration::from_millis(200)).await;
            if slow.write_all(b" ").await.is_err() {
                break;
            }
        }
    };
    tokio::time::timeout(PATIENCE, trickle).await.expect("the trickle ends when the server closes");
    let (answer, _) = read_until_closed(&mut slow).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("request_timeout"), "{answer}");
}

#[tokio::test]
async fn connections_past_the_cap_wait_for_a_free_slot() {
    let server =
        start(ServeLimits { max_connections: 1, header_read_timeout: Duration::from_secs(60), ..limits() }).await;
    // The one slot: a connection that has sent half a request.
    let mut holder = TcpStream::connect(server.addr).await.expect("connect");
    holder.write_all(b"GET /api/v1/health HTTP/1.1\r\n").await.expect("write");
    tokio::time::sleep(Duration::from_millis(200)).await;
    let waiting = tokio::spawn(health(server.addr));
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert!(!waiting.is_finished(), "a second connection is not served while the cap is reached");
    drop(holder);
    let status = tokio::time::timeout(PATIENCE, waiting).await.expect("served once the slot is free").expect("task");
    assert_eq!(status, reqwest::StatusCode::OK);
}

#[tokio::test]
async fn shutdown_finishes_the_request_in_flight() {
    let mut server = start(ServeLimits { shutdown_grace: Duration::from_secs(15), ..limits() }).await;
    let mut client = TcpStream::connect(server.addr).await.expect("connect");
    let body = br#"{"username":"nobody","password":"wrong password"}"#;
    client
        .write_all(format!("{LOGIN_HEAD}Content-Length: {}\r\n\r\n", body.len()).as_bytes())
        .await
        .expect("write head");
    client.write_all(&body[..10]).await.expect("write part");
    tokio::time::sleep(Duration::from_millis(200)).await;
    server.stop.take().expect("stop").send(()).expect("signal");
    tokio::time::sleep(Duration::from_millis(300)).await;
    // Not accepting any more...
    assert!(
        TcpStream::connect(server.addr).await.is_err()
            || reqwest::get(format!("http://{}/api/v1/health", server.addr)).await.is_err(),
        "a new connection is not served after the shutdown began"
    );
    // ...but the request in flight completes and is answered.
    client.write_all(&body[10..]).await.expect("write rest");
    let (answer, closed) = read_until_closed(&mut client).await;
    assert!(answer.starts_with("HTTP/1.1 401"), "the login in flight got its answer: {answer}");
    assert!(closed, "and then the connection is closed");
    let served = tokio::time::timeout(PATIENCE, server.done).await.expect("serve returned").expect("task");
    assert_eq!(served, Served { cut_off: 0 });
}

#[tokio::test]
async fn shutdown_does_not_wait_past_its_grace_for_a_hanging_upload() {
    // The upload trickles a byte at a time, so no client timeout ends it.
    let mut server = start(ServeLimits {
        shutdown_grace: Duration::from_secs(2),
        body_idle_timeout: Duration::from_secs(60),
        request_timeout: Duration::from_secs(600),
        ..limits()
    })
    .await;
    let mut slow = TcpStream::connect(server.addr).await.expect("connect");
    slow.write_all(format!("{LOGIN_HEAD}Content-Length: 100000\r\n\r\n").as_bytes()).await.expect("write");
    let trickle = tokio::spawn(async move {
        while slow.write_all(b" ").await.is_ok() {
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    let asked = Instant::now();
    server.stop.take().expect("stop").send(()).expect("signal");
    let served =
        tokio::time::timeout(PATIENCE, server.done).await.expect("serve returned within the bound").expect("task");
    assert_eq!(served, Served { cut_off: 1 }, "the hanging upload was cut off");
    assert!(asked.elapsed() >= Duration::from_secs(1), "the grace was given first: {:?}", asked.elapsed());
    // The client sees its connection closed.
    tokio::time::timeout(PATIENCE, trickle).await.expect("the upload's writes fail once closed").expect("task");
}
