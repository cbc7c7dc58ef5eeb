//! The HTTP hardening: cross-site state changes are refused (bodyless ones
//! too) and change nothing; API responses are `nosniff` and `no-store`, and
//! an unknown API path is a JSON 404 even with the UI served; the `Host`
//! allow-list of `serve`; the data folder's modes; CSV exports that no
//! spreadsheet runs as formulas.

use std::net::SocketAddr;

use bc_api_types::Status;
use bc_http::HttpOptions;
use bc_tests::mails::VeeamMail;
use bc_tests::server::{Client, TestServer};
use bc_tests::{ADMIN, OPERATOR, Runtime};
use reqwest::StatusCode;
use serde_json::{Value, json};

const EVIL: &str = "https://evil.example";

fn assert_forbidden(status: StatusCode, body: &Value) {
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["error"]["code"], "forbidden", "{body}");
    assert!(body["error"]["message"].as_str().is_some_and(|m| !m.is_empty()), "{body}");
}

async fn split(resp: reqwest::Response) -> (StatusCode, Value) {
    let status = resp.status();
    let text = resp.text().await.unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

/// A bodyless `method` on `path` with these extra headers, from `c` (its
/// cookies included).
async fn send(c: &Client, method: reqwest::Method, path: &str, headers: &[(&str, &str)]) -> (StatusCode, Value) {
    let mut req = c.http.request(method, c.url(path));
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    split(req.send().await.expect("request")).await
}

async fn post(c: &Client, path: &str, headers: &[(&str, &str)]) -> (StatusCode, Value) {
    send(c, reqwest::Method::POST, path, headers).await
}

/// The router on a loopback port; returns its base URL.
async fn serve(router: bc_http::Router, listener: tokio::net::TcpListener) -> String {
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>()).await;
    });
    format!("http://{addr}")
}

#[tokio::test]
async fn cross_site_bodyless_posts_are_refused_and_change_nothing() {
    let rt = Runtime::embedded().with_users().await;
    let server = TestServer::start(rt.app.clone()).await;
    let admin = server.login(ADMIN).await;
    let same_origin = server.base.clone();

    // A mail in the Inbox, deleted (same-origin, as the UI does it).
    let (s, m) = admin
        .post_raw(
            "/api/v1/mails",
            "message/rfc822",
            VeeamMail::new("v@a.example.com", "Job A", Status::Success, 1).eml(),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{m}");
    let mail = m["mail_id"].as_str().unwrap().to_string();
    let (s, b) =
        send(&admin, reqwest::Method::DELETE, &format!("/api/v1/inbox/{mail}"), &[("origin", &same_origin)]).await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{b}");
    let deleted = |list: &Value| list["items"].as_array().unwrap().iter().any(|i| i["id"] == mail.as_str());
    assert!(deleted(&admin.get("/api/v1/inbox/deleted").await.1));

    // Restore from another site: refused whichever way the browser says so.
    let restore = format!("/api/v1/inbox/{mail}/restore");
    for headers in [
        vec![("origin", EVIL)],
        vec![("origin", "null")],
        vec![("sec-fetch-site", "cross-site"), ("origin", EVIL)],
        vec![("sec-fetch-site", "same-site")],
        // Another port on the same host is another origin.
        vec![("origin", "http://127.0.0.1:1")],
    ] {
        let (s, b) = post(&admin, &restore, &headers).await;
        assert_forbidden(s, &b);
    }
    assert!(deleted(&admin.get("/api/v1/inbox/deleted").await.1), "still deleted");

    // Logout from another site: refused, the session lives on.
    let (s, b) = post(&admin, "/api/v1/auth/logout", &[("origin", EVIL)]).await;
    assert_forbidden(s, &b);
    let (s, b) = post(&admin, "/api/v1/auth/logout", &[("sec-fetch-site", "cross-site")]).await;
    assert_forbidden(s, &b);
    assert_eq!(admin.get("/api/v1/auth/me").await.0, StatusCode::OK, "still signed in");

    // Bodies and other methods too: a cross-site PATCH and DELETE.
    let (_, c) = admin.post("/api/v1/customers", &json!({"name": "Acme"})).await;
    let customer = c["id"].as_str().unwrap().to_string();
    let resp = admin
        .http
        .patch(admin.url(&format!("/api/v1/customers/{customer}")))
        .header("origin", EVIL)
        .json(&json!({"name": "Pwned"}))
        .send()
        .await
        .unwrap();
    let (s, b) = split(resp).await;
    assert_forbidden(s, &b);
    assert_eq!(admin.get(&format!("/api/v1/customers/{customer}")).await.1["name"], "Acme");
    let (s, b) = send(&admin, reqwest::Method::DELETE, &format!("/api/v1/inbox/{mail}"), &[("origin", EVIL)]).await;
    assert_forbidden(s, &b);

    // Same-origin by either header works; reads are never refused.
    let (s, b) = post(&admin, &restore, &[("sec-fetch-site", "same-origin"), ("origin", &same_origin)]).await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{b}");
    assert!(!deleted(&admin.get("/api/v1/inbox/deleted").await.1), "restored");
    let (s, _) =
        send(&admin, reqwest::Method::GET, "/api/v1/inbox", &[("origin", EVIL), ("sec-fetch-site", "cross-site")])
            .await;
    assert_eq!(s, StatusCode::OK);
    let (s, b) = post(&admin, "/api/v1/auth/logout", &[("sec-fetch-site", "none")]).await;
    assert!(s.is_success(), "{s} {b}");
    assert_eq!(admin.get("/api/v1/auth/me").await.0, StatusCode::UNAUTHORIZED, "signed out");

    // A client without either header (curl, scripts) works as before.
    let admin = server.login(ADMIN).await;
    let (s, b) = post(&admin, "/api/v1/auth/logout", &[]).await;
    assert!(s.is_success(), "{s} {b}");
    assert_eq!(admin.get("/api/v1/auth/me").await.0, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn token_revoke_is_guarded_and_bearer_requests_pass() {
    let rt = Runtime::embedded().with_users().await;
    let server = TestServer::start(rt.app.clone()).await;
    let admin = server.login(ADMIN).await;
    let (id, bearer) = server.token_client(&admin, "ci", "admin").await;

    let revoke = format!("/api/v1/api-tokens/{id}/revoke");
    let (s, b) = post(&admin, &revoke, &[("origin", EVIL)]).await;
    assert_forbidden(s, &b);
    assert_eq!(bearer.get("/api/v1/auth/me").await.0, StatusCode::OK, "the token still works");

    // An API token is no ambient credential: its requests pass whatever the headers say.
    let resp = bearer
        .http
        .post(bearer.url("/api/v1/customers"))
        .header("origin", EVIL)
        .header("sec-fetch-site", "cross-site")
        .json(&json!({"name": "Via token"}))
        .send()
        .await
        .unwrap();
    let (s, b) = split(resp).await;
    assert!(s.is_success(), "{s} {b}");

    let (s, b) = post(&admin, &revoke, &[("origin", &server.base)]).await;
    assert!(s.is_success(), "{s} {b}");
    assert_eq!(bearer.get("/api/v1/auth/me").await.0, StatusCode::UNAUTHORIZED, "revoked");
}

#[tokio::test]
async fn api_responses_are_nosniff_no_store_and_unknown_paths_json_404() {
    let rt = Runtime::embedded().with_users().await;
    let site = tempfile::tempdir().unwrap();
    std::fs::write(site.path().join("index.html"), "<!doctype html><title>Backupchecks</title>").unwrap();
    std::fs::write(site.path().join("app.js"), "console.log(1)").unwrap();
    for frontend_dir in [None, Some(site.path().to_path_buf())] {
        let with_ui = frontend_dir.is_some();
        let router = bc_http::router(rt.app.clone(), HttpOptions { frontend_dir, ..HttpOptions::default() });
        let base = serve(router, tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap()).await;
        let http = reqwest::Client::new();

        for path in ["/api/v1/health", "/api/v1/inbox"] {
            let resp = http.get(format!("{base}{path}")).send().await.unwrap();
            assert_eq!(resp.headers()["x-content-type-options"], "nosniff", "{path}");
            assert_eq!(resp.headers()["cache-control"], "no-store", "{path}");
        }
        for (method, path) in [
            (reqwest::Method::GET, "/api/v1/no-such-thing"),
            (reqwest::Method::GET, "/api/v1/inbox/m1/nothing-here"),
            (reqwest::Method::POST, "/api/v1/no-such-thing"),
            (reqwest::Method::GET, "/api/v2/health"),
            (reqwest::Method::GET, "/api"),
        ] {
            let resp = http.request(method.clone(), format!("{base}{path}")).send().await.unwrap();
            assert_eq!(resp.headers()["cache-control"], "no-store", "{method} {path}");
            assert_eq!(resp.headers()["x-content-type-options"], "nosniff", "{method} {path}");
            let (s, b) = split(resp).await;
            assert_eq!(s, StatusCode::NOT_FOUND, "{method} {path} (ui: {with_ui}): {b}");
            assert_eq!(b["error"]["code"], "not_found", "{method} {path} (ui: {with_ui}): {b}");
        }
        if with_ui {
            // The UI's files and its client-side routes are still the UI, not API-cached.
            for path in ["/", "/inbox", "/app.js"] {
                let resp = http.get(format!("{base}{path}")).send().await.unwrap();
                assert_eq!(resp.status(), StatusCode::OK, "{path}");
                assert_ne!(resp.headers().get("cache-control").map(|v| v.to_str().unwrap()), Some("no-store"));
                assert!(resp.headers().contains_key("content-security-policy"), "{path}");
            }
            let html = http.get(format!("{base}/runs/42")).send().await.unwrap().text().await.unwrap();
            assert!(html.contains("<title>Backupchecks</title>"), "{html}");
        }
    }
}

#[tokio::test]
async fn serve_answers_only_to_allowed_host_names() {
    let rt = Runtime::embedded().with_users().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let port = addr.port();
    let router = bc_http::restrict_hosts(
        bc_http::router(rt.app.clone(), HttpOptions::default()),
        Some(bc_http::default_allowed_hosts(addr)),
    );
    let base = serve(router, listener).await;
    let http = reqwest::Client::new();
    let with_host = |host: String| {
        let http = http.clone();
        let url = format!("{base}/api/v1/health");
        async move { split(http.get(url).header("host", host).send().await.unwrap()).await }
    };
    assert_eq!(with_host(format!("127.0.0.1:{port}")).await.0, StatusCode::OK);
    assert_eq!(with_host(format!("localhost:{port}")).await.0, StatusCode::OK);
    assert_eq!(with_host(format!("LOCALHOST:{port}")).await.0, StatusCode::OK);
    // A rebound name, another port, a name without the port: refused.
    for host in [format!("evil.example:{port}"), format!("localhost:{}", port.wrapping_add(1)), "localhost".into()] {
        let (s, b) = with_host(host.clone()).await;
        assert_forbidden(s, &b);
    }
    // A rebound page cannot sign in either.
    let resp = http
        .post(format!("{base}/api/v1/auth/login"))
        .header("host", format!("evil.example:{port}"))
        .json(&json!({"username": OPERATOR.0, "password": OPERATOR.1}))
        .send()
        .await
        .unwrap();
    let (s, b) = split(resp).await;
    assert_forbidden(s, &b);

    // An explicit list replaces the defaults; `*` and None turn the check off.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let router = bc_http::restrict_hosts(
        bc_http::router(rt.app.clone(), HttpOptions::default()),
        Some(vec!["backups.lan".into()]),
    );
    let lan = serve(router, listener).await;
    let get = |host: &'static str| {
        let req = http.get(format!("{lan}/api/v1/health")).header("host", host);
        async move { req.send().await.unwrap().status() }
    };
    assert_eq!(get("backups.lan:8080").await, StatusCode::OK);
    assert_eq!(get("127.0.0.1").await, StatusCode::FORBIDDEN);
    for allowed in [None, Some(vec!["*".to_string()])] {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let router = bc_http::restrict_hosts(bc_http::router(rt.app.clone(), HttpOptions::default()), allowed);
        let open = serve(router, listener).await;
        let resp = http.get(format!("{open}/api/v1/health")).header("host", "evil.example").send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
    }
}

#[cfg(unix)]
#[test]
fn the_data_folder_is_private() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let parent = tempfile::tempdir().unwrap();
    let data = parent.path().join("data");
    let e = bc_embedded::Embedded::open(&data).expect("open");
    assert_eq!(mode(&data), 0o700);
    assert_eq!(mode(&data.join("backupchecks.db")), 0o600);
    for side in ["backupchecks.db-wal", "backupchecks.db-shm"] {
        if data.join(side).exists() {
            assert_eq!(mode(&data.join(side)), 0o600, "{side}");
        }
    }
    drop(e);

    // An existing folder opened loosely is tightened.
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(data.join("backupchecks.db"), std::fs::Permissions::from_mode(0o644)).unwrap();
    drop(bc_embedded::Embedded::open(&data).expect("reopen"));
    assert_eq!(mode(&data), 0o700);
    assert_eq!(mode(&data.join("backupchecks.db")), 0o600);
}

#[tokio::test]
async fn csv_export_cells_never_start_a_formula() {
    let rt = Runtime::embedded().with_users().await;
    let server = TestServer::start(rt.app.clone()).await;
    let op = server.login(OPERATOR).await;
    for name in ["=HYPERLINK(A1)", "+1", "-2", "@SUM(A1)", "Plain = fine"] {
        let (s, b) = op.post("/api/v1/customers", &json!({"name": name})).await;
        assert!(s.is_success(), "{name}: {s} {b}");
    }
    let (s, _, out) = op.get_text("/api/v1/customers/export.csv").await;
    assert_eq!(s, StatusCode::OK);
    let mut r = csv_lines(&out);
    r.sort();
    assert_eq!(r, vec!["'+1", "'-2", "'=HYPERLINK(A1)", "'@SUM(A1)", "Plain = fine"]);
}

/// The `name` column of a customers CSV export (names without commas or quotes).
fn csv_lines(out: &str) -> Vec<String> {
    let mut lines = out.lines();
    assert_eq!(lines.next(), Some("id,name,active,job_count,created_at"));
    lines.map(|l| l.split(',').nth(1).unwrap().to_string()).collect()
}
