//! Mail retention is coherent, on both runtimes over HTTP (DynamoDB and S3
//! through moto): when a mail's raw object is gone (the retention expired
//! it; here it is deleted), the mail is marked expired and skipped — its
//! download is a 404, approving it is refused with the reason, "re-parse
//! all" goes on past it to the next mail — and a run's details still open.

use bc_api_types::Status;
use bc_tests::mails::VeeamMail;
use bc_tests::server::{Client, TestServer};
use bc_tests::{ADMIN, OPERATOR, Runtime};
use reqwest::StatusCode;
use serde_json::{Value, json};

const SENDER: &str = "veeam@retention.example.com";

async fn upload(c: &Client, eml: Vec<u8>) -> String {
    let (s, body) = c.post_raw("/api/v1/mails", "message/rfc822", eml).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    body["mail_id"].as_str().expect("mail id").to_string()
}

async fn expire(rt: &Runtime, mail_id: &str) {
    let mail = rt.app.store.get_mail(mail_id).await.expect("get").expect("mail");
    rt.app.blobs.delete(&mail.raw_key).await.expect("delete the raw object");
}

async fn version(rt: &Runtime, mail_id: &str) -> u64 {
    rt.app.store.get_mail(mail_id).await.expect("get").expect("mail").version
}

async fn drain(rt: &Runtime) {
    while rt.app.drain_queue_once(10).await.expect("worker") > 0 {}
}

fn message(body: &Value) -> String {
    body["error"]["message"].as_str().unwrap_or_default().to_string()
}

async fn retention_on(rt: Runtime) {
    let server = TestServer::start(rt.app.clone()).await;
    let admin = server.login(ADMIN).await;
    let op = server.login(OPERATOR).await;
    let (_, cust) = op.post("/api/v1/customers", &json!({"name": "Retention BV"})).await;
    let customer_id = cust["id"].as_str().expect("id").to_string();

    // Two Inbox mails; the newer one (first in "re-parse all") loses its object.
    let kept = upload(&op, VeeamMail::new(SENDER, "Kept", Status::Success, 1).eml()).await;
    let old = upload(&op, VeeamMail::new(SENDER, "Old", Status::Failed, 1).eml()).await;
    expire(&rt, &old).await;

    let (s, body) = op.get(&format!("/api/v1/mails/{old}/raw")).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "a missing object is a 404: {body}");
    assert!(message(&body).contains("expired"), "{body}");
    let (s, detail) = op.get(&format!("/api/v1/inbox/{old}")).await;
    assert_eq!(s, StatusCode::OK, "{detail}");
    assert!(detail["expired_at"].is_string(), "marked expired: {detail}");

    let (s, body) = op.post(&format!("/api/v1/inbox/{old}/approve"), &json!({"customer_id": customer_id})).await;
    assert_eq!(s, StatusCode::CONFLICT, "{body}");
    assert!(message(&body).contains("expired"), "{body}");

    // "Re-parse all" skips it and goes on to the next mail.
    let before = (version(&rt, &old).await, version(&rt, &kept).await);
    let (s, body) = admin.post("/api/v1/inbox/reparse", &json!({"all": true})).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    drain(&rt).await;
    assert_eq!(version(&rt, &old).await, before.0, "the expired mail is left alone");
    assert!(version(&rt, &kept).await > before.1, "the next mail was re-parsed");
    let (s, body) = op.post("/api/v1/inbox/reparse", &json!({"mail_ids": [old]})).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(body["reparsed"], 0, "{body}");

    // A run whose mail expired: its details still open; the download is a 404.
    let (s, body) = op.post(&format!("/api/v1/inbox/{kept}/approve"), &json!({"customer_id": customer_id})).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    expire(&rt, &kept).await;
    let (s, body) = op.get(&format!("/api/v1/mails/{kept}")).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(body["parse"]["ok"], true, "{body}");
    let (s, body) = op.get(&format!("/api/v1/mails/{kept}/raw")).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{body}");
}

#[tokio::test]
async fn retention_on_the_embedded_store() {
    retention_on(Runtime::embedded().with_users().await).await;
}

#[cfg(feature = "aws")]
#[tokio::test]
async fn retention_on_dynamodb_and_s3_through_moto() {
    retention_on(Runtime::aws("retention").await.with_users().await).await;
}
