//! A webhook receiver on loopback for alert tests: answers the statuses of
//! a script in turn (then 200) and keeps what it was sent.

use std::sync::{Arc, Mutex};

use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;

/// Each request: its headers, its body, and the status answered.
pub type Seen = Arc<Mutex<Vec<(HeaderMap, String, u16)>>>;

/// Starts a receiver at `http://127.0.0.1:<port>/hook`; returns that URL and what it saw.
pub async fn receiver(script: Vec<u16>) -> (String, Seen) {
    let seen: Seen = Arc::default();
    let script = Arc::new(Mutex::new(script.into_iter()));
    let s2 = seen.clone();
    let app = axum::Router::new().route(
        "/hook",
        post(move |h: HeaderMap, body: String| {
            let seen = s2.clone();
            let script = script.clone();
            async move {
                let code = script.lock().expect("script").next().unwrap_or(200);
                seen.lock().expect("seen").push((h, body, code));
                StatusCode::from_u16(code).expect("status")
            }
        }),
    );
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = l.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(l, app).await.expect("serve") });
    (format!("http://127.0.0.1:{}/hook", addr.port()), seen)
}

/// The bodies it was sent.
pub fn bodies(seen: &Seen) -> Vec<String> {
    seen.lock().expect("seen").iter().map(|(_, b, _)| b.clone()).collect()
}
