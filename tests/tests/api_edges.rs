//! The API at its edges: no session, wrong role, foreign ids, malformed
//! bodies each get the right 4xx in the error shape, and change nothing;
//! bad mails are kept and shown; every route is in the OpenAPI document;
//! logins are rate limited.

use bc_api_types::Status;
use bc_tests::mails::VeeamMail;
use bc_tests::server::{Client, TestServer};
use bc_tests::{ADMIN, OPERATOR, REPORTER, Runtime, VIEWER};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn assert_error(status: StatusCode, body: &Value, want: StatusCode, code: &str) {
    assert_eq!(status, want, "{body}");
    assert_eq!(body["error"]["code"], code, "{body}");
    assert!(body["error"]["message"].as_str().is_some_and(|m| !m.is_empty()), "{body}");
}

async fn setup() -> (Runtime, TestServer) {
    let rt = Runtime::embedded().with_users().await;
    let server = TestServer::start(rt.app.clone()).await;
    (rt, server)
}

/// A job with one unreviewed run and one Inbox mail, for the checks below.
async fn seed(op: &Client) -> (String, String, String) {
    let (_, c) = op.post("/api/v1/customers", &json!({"name": "Acme"})).await;
    let customer = c["id"].as_str().unwrap().to_string();
    let (_, m) = op
        .post_raw(
            "/api/v1/mails",
            "message/rfc822",
            VeeamMail::new("v@a.example.com", "Job A", Status::Success, 1).eml(),
        )
        .await;
    let mail = m["mail_id"].as_str().unwrap().to_string();
    let (s, a) = op.post(&format!("/api/v1/inbox/{mail}/approve"), &json!({"customer_id": customer})).await;
    assert_eq!(s, StatusCode::OK, "{a}");
    let (_, m2) = op
        .post_raw(
            "/api/v1/mails",
            "message/rfc822",
            VeeamMail::new("v@a.example.com", "Job B", Status::Failed, 1).eml(),
        )
        .await;
    (customer, a["job"]["id"].as_str().unwrap().to_string(), m2["mail_id"].as_str().unwrap().to_string())
}

#[tokio::test]
async fn no_session_is_401_everywhere() {
    let (_rt, server) = setup().await;
    let anon = server.client();
    for path in [
        "/api/v1/inbox",
        "/api/v1/run-checks",
        "/api/v1/customers",
        "/api/v1/jobs",
        "/api/v1/users",
        "/api/v1/auth/me",
        "/api/v1/settings",
    ] {
        let (s, b) = anon.get(path).await;
        assert_error(s, &b, StatusCode::UNAUTHORIZED, "unauthorized");
    }
    let (s, b) = anon.post("/api/v1/run-checks/review", &json!({"job_ids": ["j1"]})).await;
    assert_error(s, &b, StatusCode::UNAUTHORIZED, "unauthorized");
    let (s, b) = anon.post_raw("/api/v1/mails", "message/rfc822", b"From: a@b\r\n\r\nx".to_vec()).await;
    assert_error(s, &b, StatusCode::UNAUTHORIZED, "unauthorized");
    // A forged cookie is no session either.
    let forged = reqwest::Client::new()
        .get(anon.url("/api/v1/inbox"))
        .header("cookie", "bc_session=forged")
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::UNAUTHORIZED);
    // Health and the API description are public.
    assert_eq!(anon.get("/api/v1/health").await.0, StatusCode::OK);
    assert_eq!(anon.get("/api/v1/openapi.json").await.0, StatusCode::OK);
}

#[tokio::test]
async fn roles_get_403_and_nothing_changes() {
    let (_rt, server) = setup().await;
    let op = server.login(OPERATOR).await;
    let (customer, job, inbox_mail) = seed(&op).await;
    let viewer = server.login(VIEWER).await;
    let reporter = server.login(REPORTER).await;
    for who in [&viewer, &reporter] {
        for path in ["/api/v1/run-checks", "/api/v1/inbox", "/api/v1/users", "/api/v1/inbox/deleted"] {
            let (s, b) = who.get(path).await;
            assert_error(s, &b, StatusCode::FORBIDDEN, "forbidden");
        }
        let (s, b) = who.post("/api/v1/run-checks/review", &json!({"job_ids": [job]})).await;
        assert_error(s, &b, StatusCode::FORBIDDEN, "forbidden");
        let (s, b) = who.post(&format!("/api/v1/inbox/{inbox_mail}/approve"), &json!({"customer_id": customer})).await;
        assert_error(s, &b, StatusCode::FORBIDDEN, "forbidden");
        let (s, b) = who.post("/api/v1/customers", &json!({"name": "Nope"})).await;
        assert_error(s, &b, StatusCode::FORBIDDEN, "forbidden");
        let (s, b) = who.delete(&format!("/api/v1/inbox/{inbox_mail}")).await;
        assert_error(s, &b, StatusCode::FORBIDDEN, "forbidden");
        let (s, b) = who.post_raw("/api/v1/mails", "message/rfc822", b"From: a@b\r\n\r\nx".to_vec()).await;
        assert_error(s, &b, StatusCode::FORBIDDEN, "forbidden");
        // What they may do.
        assert_eq!(who.get("/api/v1/jobs").await.0, StatusCode::OK);
        assert_eq!(who.get("/api/v1/customers").await.0, StatusCode::OK);
        assert_eq!(who.get(&format!("/api/v1/jobs/{job}/runs")).await.0, StatusCode::OK);
    }
    // Operators: no unmark, no users, no settings, no deleted mails.
    let (s, b) = op.post("/api/v1/run-checks/unreview", &json!({"run_ids": ["r1"]})).await;
    assert_error(s, &b, StatusCode::FORBIDDEN, "forbidden");
    let (s, b) =
        op.post("/api/v1/users", &json!({"username": "x1", "password": "0123456789ab", "role": "admin"})).await;
    assert_error(s, &b, StatusCode::FORBIDDEN, "forbidden");
    let (s, b) = op.get("/api/v1/inbox/deleted").await;
    assert_error(s, &b, StatusCode::FORBIDDEN, "forbidden");
    let (s, b) = op.patch("/api/v1/users/u1", &json!({"role": "admin"})).await;
    assert_error(s, &b, StatusCode::FORBIDDEN, "forbidden");

    // Nothing changed.
    let (_, checks) = op.get("/api/v1/run-checks").await;
    assert_eq!(checks["totals"]["runs"], 1);
    let (_, inbox) = op.get("/api/v1/inbox").await;
    assert_eq!(inbox["items"][0]["id"], inbox_mail.as_str());
    let (_, customers) = op.get("/api/v1/customers").await;
    assert_eq!(customers["items"].as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn foreign_ids_are_404_and_change_nothing() {
    let (_rt, server) = setup().await;
    let op = server.login(OPERATOR).await;
    let admin = server.login(ADMIN).await;
    let (customer, job, inbox_mail) = seed(&op).await;
    for path in [
        "/api/v1/inbox/m000000000000000000000000",
        "/api/v1/runs/r123",
        "/api/v1/jobs/j1/runs",
        "/api/v1/customers/c404",
        "/api/v1/mails/m1/raw",
        "/api/v1/inbox/..%2F..%2Fetc",
        "/api/v1/jobs/NOT-AN-ID",
    ] {
        let (s, b) = op.get(path).await;
        assert_error(s, &b, StatusCode::NOT_FOUND, "not_found");
    }
    // One foreign id among good ones: 404, and the good ones stay unreviewed.
    let (s, b) = op.post("/api/v1/run-checks/review", &json!({"job_ids": [job, "j0000"]})).await;
    assert_error(s, &b, StatusCode::NOT_FOUND, "not_found");
    let (_, checks) = op.get("/api/v1/run-checks").await;
    assert_eq!(checks["totals"]["runs"], 1);
    let (s, b) = op.post(&format!("/api/v1/inbox/{inbox_mail}/approve"), &json!({"customer_id": "c0000"})).await;
    assert_error(s, &b, StatusCode::NOT_FOUND, "not_found");
    let (s, b) = op.post("/api/v1/inbox/m0000/approve", &json!({"customer_id": customer})).await;
    assert_error(s, &b, StatusCode::NOT_FOUND, "not_found");
    let (s, b) = admin.patch("/api/v1/users/u0000", &json!({"active": false})).await;
    assert_error(s, &b, StatusCode::NOT_FOUND, "not_found");
    let (_, inbox) = op.get("/api/v1/inbox").await;
    assert_eq!(inbox["items"].as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn malformed_bodies_are_400_and_change_nothing() {
    let (_rt, server) = setup().await;
    let op = server.login(OPERATOR).await;
    let (_customer, job, inbox_mail) = seed(&op).await;
    let raw = |path: &str, ct: &str, body: &str| {
        let (op, path, ct, body) = (&op, path.to_string(), ct.to_string(), body.to_string());
        async move { op.post_raw(&path, &ct, body.into_bytes()).await }
    };
    let (s, b) = raw("/api/v1/run-checks/review", "application/json", "{not json").await;
    assert_error(s, &b, StatusCode::BAD_REQUEST, "invalid");
    let (s, b) = raw("/api/v1/run-checks/review", "application/json", r#"{"job_ids": "j1"}"#).await;
    assert_error(s, &b, StatusCode::BAD_REQUEST, "invalid");
    let (s, b) = raw("/api/v1/run-checks/review", "text/plain", &json!({"job_ids": [job]}).to_string()).await;
    assert_error(s, &b, StatusCode::BAD_REQUEST, "invalid");
    let (s, b) = op.post("/api/v1/run-checks/review", &json!({})).await;
    assert_error(s, &b, StatusCode::BAD_REQUEST, "invalid");
    let (s, b) = raw(&format!("/api/v1/inbox/{inbox_mail}/approve"), "application/json", "[]").await;
    assert_error(s, &b, StatusCode::BAD_REQUEST, "invalid");
    let (s, b) = op.post("/api/v1/customers", &json!({"name": "   "})).await;
    assert_error(s, &b, StatusCode::BAD_REQUEST, "invalid");
    let (s, b) = op.post("/api/v1/customers", &json!({"name": "Acme"})).await;
    assert_error(s, &b, StatusCode::CONFLICT, "conflict");
    let (s, b) = op.get("/api/v1/jobs?status=Broken").await;
    assert_error(s, &b, StatusCode::BAD_REQUEST, "invalid");
    let (s, b) = op.get("/api/v1/inbox?cursor=garbage").await;
    assert_error(s, &b, StatusCode::BAD_REQUEST, "invalid");
    let (s, b) = op.get("/api/v1/inbox?limit=many").await;
    assert_error(s, &b, StatusCode::BAD_REQUEST, "invalid");
    let (s, b) = raw("/api/v1/mails", "application/json", "{}").await;
    assert_error(s, &b, StatusCode::BAD_REQUEST, "invalid");
    let big = format!("{{\"name\": \"{}\"}}", "x".repeat(2 * 1024 * 1024));
    let (s, b) = raw("/api/v1/customers", "application/json", &big).await;
    assert_error(s, &b, StatusCode::PAYLOAD_TOO_LARGE, "too_large");
    // Nothing changed.
    let (_, checks) = op.get("/api/v1/run-checks").await;
    assert_eq!(checks["totals"]["runs"], 1);
    let (_, customers) = op.get("/api/v1/customers").await;
    assert_eq!(customers["items"].as_array().map(Vec::len), Some(1));
}

/// Bad mails: a clear error or an unparsed Inbox entry, the raw mail kept.
#[tokio::test]
async fn bad_mails_are_kept_and_shown() {
    let (_rt, server) = setup().await;
    let op = server.login(OPERATOR).await;
    let mut bomb = String::from(
        "From: x@y.example.com\r\nSubject: bomb\r\nMessage-ID: <bomb@y>\r\nContent-Type: text/html\r\n\r\n",
    );
    bomb.push_str(&"<div>".repeat(200_000));
    let mut rows = String::from(
        "From: v@a.example.com\r\nSubject: [Success] Huge (100000 objects)\r\nMessage-ID: <rows@a>\r\nContent-Type: text/html\r\n\r\n<table>",
    );
    for i in 0..100_000 {
        rows.push_str(&format!("<tr><td>VM{i}</td><td>Success</td></tr>"));
    }
    rows.push_str("</table>");
    let mut thirty_mb = String::from(
        "From: big@y.example.com\r\nSubject: big\r\nMessage-ID: <big@y>\r\nContent-Type: text/plain\r\n\r\n",
    );
    thirty_mb.push_str(&"0123456789abcdef\r\n".repeat(30 * 1024 * 1024 / 18));
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("garbage", vec![0xff, 0xfe, 0x00, 0x01, 0x02]),
        ("no headers", b"just some text without any header".to_vec()),
        ("broken mime", b"From: a@b.example.com\r\nSubject: broken\r\nContent-Type: multipart/mixed; boundary=\"x\"\r\n\r\n--x\r\nContent-Type: text/html\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!not base64!!!\r\n".to_vec()),
        ("unknown charset", b"From: a@b.example.com\r\nSubject: =?x-klingon?Q?qapla?=\r\nMessage-ID: <cs@b>\r\nContent-Type: text/plain; charset=x-klingon\r\n\r\nqapla'\r\n".to_vec()),
        ("html bomb", bomb.into_bytes()),
        ("100,000 rows", rows.into_bytes()),
        ("30 MB", thirty_mb.into_bytes()),
    ];
    let n = cases.len();
    for (name, eml) in &cases {
        let (s, b) = op.post_raw("/api/v1/mails", "message/rfc822", eml.clone()).await;
        assert_eq!(s, StatusCode::OK, "{name}: {b}");
        let id = b["mail_id"].as_str().unwrap_or_else(|| panic!("{name}: {b}"));
        // The raw mail is kept byte for byte.
        let resp = op.http.get(op.url(&format!("/api/v1/mails/{id}/raw"))).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK, "{name}");
        assert_eq!(resp.bytes().await.unwrap().as_ref(), eml.as_slice(), "{name}: raw kept");
    }
    // Each shows in the Inbox, with the reason where it was not understood.
    let (_, inbox) = op.get("/api/v1/inbox").await;
    let items = inbox["items"].as_array().unwrap();
    assert_eq!(items.len(), n, "{inbox}");
    for i in items {
        assert_eq!(i["state"], "inbox", "{i}");
        if i["parsed"] == false {
            assert!(i["parse_error"].as_str().is_some_and(|e| !e.is_empty()), "{i}");
        }
    }
    // The empty upload is refused outright.
    let (s, b) = op.post_raw("/api/v1/mails", "message/rfc822", vec![]).await;
    assert_error(s, &b, StatusCode::BAD_REQUEST, "invalid");
}

#[tokio::test]
async fn openapi_lists_every_route() {
    let (_rt, server) = setup().await;
    let (s, doc) = server.client().get("/api/v1/openapi.json").await;
    assert_eq!(s, StatusCode::OK);
    assert!(doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.")));
    let paths = doc["paths"].as_object().expect("paths");
    let want = [
        ("post", "/api/v1/auth/login"),
        ("post", "/api/v1/auth/logout"),
        ("get", "/api/v1/auth/me"),
        ("get", "/api/v1/inbox"),
        ("get", "/api/v1/inbox/{id}"),
        ("post", "/api/v1/inbox/{id}/approve"),
        ("delete", "/api/v1/inbox/{id}"),
        ("post", "/api/v1/inbox/{id}/restore"),
        ("get", "/api/v1/inbox/deleted"),
        ("post", "/api/v1/inbox/reparse"),
        ("get", "/api/v1/customers"),
        ("post", "/api/v1/customers"),
        ("patch", "/api/v1/customers/{id}"),
        ("get", "/api/v1/customers/export.csv"),
        ("post", "/api/v1/customers/import"),
        ("get", "/api/v1/jobs"),
        ("get", "/api/v1/jobs/{id}/runs"),
        ("get", "/api/v1/run-checks"),
        ("post", "/api/v1/run-checks/review"),
        ("post", "/api/v1/run-checks/unreview"),
        ("post", "/api/v1/mails"),
        ("get", "/api/v1/alerts"),
        ("post", "/api/v1/alerts/channels"),
        ("post", "/api/v1/alerts/channels/{id}/test"),
        ("post", "/api/v1/alerts/rules"),
        ("put", "/api/v1/alerts/mutes"),
        ("put", "/api/v1/alerts/digest"),
        ("get", "/api/v1/dead-letters"),
        ("post", "/api/v1/dead-letters/{id}/retry"),
        ("post", "/api/v1/jobs/ping"),
        ("post", "/api/v1/jobs/{id}/ping-token"),
        ("post", "/ping/{token}"),
        ("get", "/ping/{token}/fail"),
        ("post", "/ping/{token}/start"),
        ("get", "/api/v1/mails/{id}/raw"),
        ("get", "/api/v1/runs/{id}"),
        ("get", "/api/v1/users"),
        ("get", "/api/v1/openapi.json"),
        ("get", "/api/v1/quarantine"),
        ("post", "/api/v1/quarantine/{id}/release"),
        ("post", "/api/v1/inbox/{id}/process"),
        ("get", "/api/v1/daily-jobs"),
        ("put", "/api/v1/jobs/{id}/schedule"),
        ("post", "/api/v1/maintenance-windows"),
    ];
    for (method, path) in want {
        assert!(
            paths.get(path).and_then(|p| p.get(method)).is_some(),
            "{method} {path} missing from the OpenAPI document"
        );
    }
    // And every documented route answers (not 404/405) — the document
    // describes the router, not a wish list.
    let admin = server.login(ADMIN).await;
    for (path, item) in paths {
        for method in item.as_object().unwrap().keys() {
            let url = admin.url(&path.replace("{id}", "x1"));
            let req = admin.http.request(method.to_uppercase().parse().unwrap(), url);
            let status = req.send().await.unwrap().status();
            assert_ne!(status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
            // (An unknown id or ping token is a 404 by design.)
            if !path.contains('{') {
                assert_ne!(status, StatusCode::NOT_FOUND, "{method} {path}");
            }
        }
    }
}

#[tokio::test]
async fn logins_are_rate_limited() {
    let (_rt, server) = setup().await;
    let c = server.client();
    for _ in 0..5 {
        let (s, b) = c.post("/api/v1/auth/login", &json!({"username": "admin", "password": "wrong password"})).await;
        assert_error(s, &b, StatusCode::UNAUTHORIZED, "unauthorized");
    }
    // Even the right password is refused now.
    let (s, b) = c.post("/api/v1/auth/login", &json!({"username": ADMIN.0, "password": ADMIN.1})).await;
    assert_error(s, &b, StatusCode::TOO_MANY_REQUESTS, "rate_limited");
    // Unknown users look like wrong passwords.
    let (s, b) = c.post("/api/v1/auth/login", &json!({"username": "ghost", "password": "whatever"})).await;
    assert_error(s, &b, StatusCode::UNAUTHORIZED, "unauthorized");
    // Another user is not locked out by admin's failures.
    let op = server.login(OPERATOR).await;
    assert_eq!(op.get("/api/v1/auth/me").await.1["role"], "operator");
}

#[tokio::test]
async fn sessions_end_at_logout_and_cookie_is_safe() {
    let (_rt, server) = setup().await;
    let c = server.client();
    let resp = c
        .http
        .post(c.url("/api/v1/auth/login"))
        .json(&json!({"username": ADMIN.0, "password": ADMIN.1}))
        .send()
        .await
        .unwrap();
    let cookie = resp.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), "{cookie}");
    let (_, me) = c.get("/api/v1/auth/me").await;
    assert_eq!(me["username"], "admin");
    assert!(me["permissions"].as_array().unwrap().iter().any(|p| p == "runs.unreview"));
    assert_eq!(c.post("/api/v1/auth/logout", &json!({})).await.0, StatusCode::NO_CONTENT);
    assert_eq!(c.get("/api/v1/auth/me").await.0, StatusCode::UNAUTHORIZED);
    // The old token is dead server-side too, not just dropped by the client.
    let token = cookie.split(';').next().unwrap().to_string();
    let replay = reqwest::Client::new().get(c.url("/api/v1/auth/me")).header("cookie", token).send().await.unwrap();
    assert_eq!(replay.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn inbox_delete_restore_and_reparse() {
    let (_rt, server) = setup().await;
    let op = server.login(OPERATOR).await;
    let admin = server.login(ADMIN).await;
    let (_, _, mail) = seed(&op).await;
    assert_eq!(op.delete(&format!("/api/v1/inbox/{mail}")).await.0, StatusCode::NO_CONTENT);
    let (_, inbox) = op.get("/api/v1/inbox").await;
    assert_eq!(inbox["items"], json!([]));
    let (_, deleted) = admin.get("/api/v1/inbox/deleted").await;
    assert_eq!(deleted["items"][0]["id"], mail.as_str());
    assert_eq!(deleted["items"][0]["deleted_by"], OPERATOR.0);
    let (s, b) = op.post(&format!("/api/v1/inbox/{mail}/restore"), &json!({})).await;
    assert_error(s, &b, StatusCode::FORBIDDEN, "forbidden");
    assert_eq!(admin.post(&format!("/api/v1/inbox/{mail}/restore"), &json!({})).await.0, StatusCode::NO_CONTENT);
    let (_, inbox) = op.get("/api/v1/inbox").await;
    assert_eq!(inbox["items"][0]["id"], mail.as_str());
    // Re-parse is idempotent: same result, still one Inbox entry.
    for _ in 0..2 {
        let (s, r) = op.post("/api/v1/inbox/reparse", &json!({"mail_ids": [mail]})).await;
        assert_eq!((s, r["reparsed"].clone()), (StatusCode::OK, json!(1)));
    }
    let (_, inbox) = op.get("/api/v1/inbox").await;
    assert_eq!(inbox["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(inbox["items"][0]["job_name"], "Job B");
    let (s, r) = op.post("/api/v1/inbox/reparse", &json!({"all": true})).await;
    assert_eq!((s, r["queued"].clone()), (StatusCode::OK, json!(1)));
}

#[tokio::test]
async fn customers_csv_round_trip() {
    let (_rt, server) = setup().await;
    let op = server.login(OPERATOR).await;
    let csv = "name,active\nAcme BV,true\nGlobex,false\nacme bv,true\n\"Initech, Inc.\",\n";
    let (s, r) = op.post_raw("/api/v1/customers/import", "text/csv", csv.as_bytes().to_vec()).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!((r["created"].clone(), r["skipped"].clone()), (json!(3), json!(1)));
    let (s, r) = op.post_raw("/api/v1/customers/import", "text/csv", b"name,active\nX,maybe\n".to_vec()).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(r["created"], 0);
    assert!(r["errors"][0].as_str().unwrap().contains("line 2"));
    let (s, _, out) = op.get_text("/api/v1/customers/export.csv").await;
    assert_eq!(s, StatusCode::OK);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "id,name,active,job_count,created_at");
    assert_eq!(lines.len(), 4);
    assert!(out.contains("\"Initech, Inc.\",true"), "{out}");
    assert!(out.contains(",Globex,false,"), "{out}");
    // Rename and deactivate; renaming onto a taken name is a conflict.
    let (_, list) = op.get("/api/v1/customers").await;
    let globex = list["items"].as_array().unwrap().iter().find(|c| c["name"] == "Globex").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (s, b) = op.patch(&format!("/api/v1/customers/{globex}"), &json!({"name": "ACME BV"})).await;
    assert_error(s, &b, StatusCode::CONFLICT, "conflict");
    let (s, c) =
        op.patch(&format!("/api/v1/customers/{globex}"), &json!({"name": "Globex Corp", "active": true})).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!((c["name"].clone(), c["active"].clone()), (json!("Globex Corp"), json!(true)));
}

#[tokio::test]
async fn users_are_managed_by_admins() {
    let (_rt, server) = setup().await;
    let admin = server.login(ADMIN).await;
    let (s, u) = admin
        .post("/api/v1/users", &json!({"username": "nina", "password": "nina-password-1", "role": "operator"}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{u}");
    assert!(u.get("password_hash").is_none() && !u.to_string().contains("argon2"), "no hash leaves the server: {u}");
    let (s, b) = admin
        .post("/api/v1/users", &json!({"username": "NINA", "password": "nina-password-1", "role": "viewer"}))
        .await;
    assert_error(s, &b, StatusCode::CONFLICT, "conflict");
    let (s, b) =
        admin.post("/api/v1/users", &json!({"username": "short", "password": "short", "role": "viewer"})).await;
    assert_error(s, &b, StatusCode::BAD_REQUEST, "invalid");
    let (s, b) =
        admin.post("/api/v1/users", &json!({"username": "bad", "password": "long enough 1", "role": "root"})).await;
    assert_error(s, &b, StatusCode::BAD_REQUEST, "invalid");
    let nina = server.login(("nina", "nina-password-1")).await;
    let id = u["id"].as_str().unwrap();
    let (s, _) = admin.patch(&format!("/api/v1/users/{id}"), &json!({"active": false})).await;
    assert_eq!(s, StatusCode::OK);
    // Deactivation ends her sessions at once.
    assert_eq!(nina.get("/api/v1/auth/me").await.0, StatusCode::UNAUTHORIZED);
    // The last admin cannot demote themselves.
    let (_, me) = admin.get("/api/v1/auth/me").await;
    let (s, b) =
        admin.patch(&format!("/api/v1/users/{}", me["id"].as_str().unwrap()), &json!({"role": "viewer"})).await;
    assert_error(s, &b, StatusCode::CONFLICT, "conflict");
}

/// Keyword rules: admins set them per sender; a mail no product parser reads
/// is then classified by them, at ingest and on re-parse.
#[tokio::test]
async fn keyword_rules_classify_mails_of_their_sender() {
    let (_rt, server) = setup().await;
    let admin = server.login(ADMIN).await;
    let op = server.login(OPERATOR).await;
    let mail = |n: u32, word: &str| {
        format!(
            "From: root@nas.example.org\r\nSubject: Nightly rsync {word} 2026-03-0{n} 23:05\r\nDate: Tue, 03 Mar 2026 23:05:12 +0100\r\n\
             Message-ID: <kw.{n}@nas.example.org>\r\nContent-Type: text/plain\r\n\r\nsent 1,204 bytes\r\n"
        )
        .into_bytes()
    };
    // Before any rule the mail is unparsed.
    let (_, first) = op.post_raw("/api/v1/mails", "message/rfc822", mail(1, "OK")).await;
    assert_eq!(first["parsed"], false);

    let rules = json!({"rules": [{"sender": "Root@NAS.example.org", "failure": ["FAILED", "ERROR"], "warning": ["WARN"],
                                  "success": ["OK"], "scope": "subject"}]});
    let (s, b) = op.patch(RULES, &rules).await;
    assert_eq!(s, StatusCode::METHOD_NOT_ALLOWED, "{b}");
    const RULES: &str = "/api/v1/settings/keyword-rules";
    let (s, b) = op.put(RULES, &rules).await;
    assert_error(s, &b, StatusCode::FORBIDDEN, "forbidden");
    for bad in [
        json!({"rules": [{"sender": "nobody", "success": ["OK"]}]}),
        json!({"rules": [{"sender": "@example.org"}]}),
        json!({"rules": [{"sender": "@example.org", "success": [""]}]}),
        json!({"rules": [{"sender": "@example.org", "success": ["OK"], "scope": "everywhere"}]}),
    ] {
        let (s, b) = admin.put(RULES, &bad).await;
        assert_error(s, &b, StatusCode::BAD_REQUEST, "invalid");
    }
    let (s, stored) = admin.put(RULES, &rules).await;
    assert_eq!(s, StatusCode::OK, "{stored}");
    assert_eq!(stored["rules"][0]["sender"], "root@nas.example.org");
    let (_, got) = admin.get("/api/v1/settings/keyword-rules").await;
    assert_eq!(got, stored);

    // New mails of that sender are classified at once.
    let (_, second) = op.post_raw("/api/v1/mails", "message/rfc822", mail(2, "FAILED")).await;
    assert_eq!(second["parsed"], true, "{second}");
    let (_, detail) = op.get(&format!("/api/v1/inbox/{}", second["mail_id"].as_str().unwrap())).await;
    assert_eq!(detail["parse"]["report"]["parser"], "keyword-rule");
    assert_eq!(detail["parse"]["report"]["status"], "Failed");
    assert_eq!(detail["parse"]["report"]["job_name"], "Nightly rsync");
    // The one that waited in the Inbox is classified by a re-parse.
    let id = first["mail_id"].as_str().unwrap();
    op.post("/api/v1/inbox/reparse", &json!({"mail_ids": [id]})).await;
    let (_, detail) = op.get(&format!("/api/v1/inbox/{id}")).await;
    assert_eq!(detail["parse"]["report"]["status"], "Success");
}

/// A password change or reset ends the sessions opened with the old one;
/// whoever changed their own password keeps working with a fresh cookie.
#[tokio::test]
async fn password_changes_end_old_sessions() {
    let (_rt, server) = setup().await;
    let admin = server.login(ADMIN).await;
    let op_laptop = server.login(OPERATOR).await;
    let op_tablet = server.login(OPERATOR).await;
    let (s, _) = op_laptop
        .post("/api/v1/auth/password", &json!({"current_password": "wrong", "new_password": "a-new-password-1"}))
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, _) = op_laptop
        .post("/api/v1/auth/password", &json!({"current_password": OPERATOR.1, "new_password": "a-new-password-1"}))
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    assert_eq!(op_laptop.get("/api/v1/auth/me").await.0, StatusCode::OK, "the changer keeps a session");
    assert_eq!(op_tablet.get("/api/v1/auth/me").await.0, StatusCode::UNAUTHORIZED, "other sessions end");
    let op = server.login((OPERATOR.0, "a-new-password-1")).await;

    // An admin's reset ends them all.
    let (_, me) = op.get("/api/v1/auth/me").await;
    let id = me["id"].as_str().unwrap();
    let (s, _) = admin.patch(&format!("/api/v1/users/{id}"), &json!({"password": "reset-by-admin-1"})).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(op.get("/api/v1/auth/me").await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(op_laptop.get("/api/v1/auth/me").await.0, StatusCode::UNAUTHORIZED);
    server.login((OPERATOR.0, "reset-by-admin-1")).await;
}
