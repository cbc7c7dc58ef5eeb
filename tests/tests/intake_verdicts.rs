//! Inbound mail is verified before it is trusted, and a mail that keeps
//! failing ends in quarantine — on both runtimes. Locally the mails go in
//! through the upload route with the receiving server's
//! `Authentication-Results` header (its authserv-id trusted in Settings); on
//! AWS through the real `mail-ingest` handler, reading an S3 object that
//! carries SES's headers.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use async_trait::async_trait;
use bc_api_types::Status;
use bc_core::App;
use bc_core::ports::{Blobs, PortError, PortResult};
use bc_tests::mails::VeeamMail;
use bc_tests::server::TestServer;
use bc_tests::{ADMIN, OPERATOR, Runtime};
use reqwest::StatusCode;
use serde_json::{Value, json};

const SENDER: &str = "veeam@acme.example.com";

/// Delivers a raw mail the way the runtime receives one; the mail's id.
type Deliver = Box<dyn Fn(Vec<u8>) -> Pin<Box<dyn Future<Output = String>>>>;

/// The headers a receiving server prepends: SES's set on AWS, one
/// `Authentication-Results` of the trusted local server otherwise.
fn received(authserv: &str, dmarc: &str, virus: &str, mail: Vec<u8>) -> Vec<u8> {
    let mut out = Vec::new();
    if authserv == "amazonses.com" {
        out.extend_from_slice(
            b"Received: from mail.acme.example.com by inbound-smtp.us-east-1.amazonaws.com with SMTP id x\r\n",
        );
        out.extend_from_slice(b"X-SES-Spam-Verdict: PASS\r\n");
        out.extend_from_slice(format!("X-SES-Virus-Verdict: {}\r\n", virus.to_uppercase()).as_bytes());
        out.extend_from_slice(b"Received-SPF: pass (spfCheck: domain of acme.example.com designates 192.0.2.1 as permitted sender) client-ip=192.0.2.1;\r\n");
    }
    out.extend_from_slice(
        format!(
            "Authentication-Results: {authserv};\r\n spf=pass (spfCheck: ok) smtp.mailfrom={SENDER};\r\n dkim=pass header.i=@acme.example.com;\r\n dmarc={dmarc} header.from=acme.example.com;\r\n"
        )
        .as_bytes(),
    );
    // A forged "pass" lower down never counts.
    out.extend_from_slice(
        format!("Authentication-Results: {authserv}; spf=pass; dkim=pass; dmarc=pass\r\n").as_bytes(),
    );
    out.extend_from_slice(&mail);
    out
}

/// The id the core gives a raw mail (sender and Message-ID, as decoded).
fn mail_id_of(raw: &[u8]) -> String {
    let m = bc_core::parsers::read_mail(raw).expect("a readable mail");
    let mid = m.message_id.expect("a Message-ID");
    bc_core::ids::mail_id(&format!("mid:{}:{}", m.from_address.unwrap_or_default(), mid.trim()))
}

fn report(seq: u64) -> Vec<u8> {
    VeeamMail::new(SENDER, "Daily", Status::Success, seq).eml()
}

async fn detail(c: &bc_tests::server::Client, id: &str) -> Value {
    let (s, d) = c.get(&format!("/api/v1/inbox/{id}")).await;
    assert_eq!(s, StatusCode::OK, "{d}");
    d
}

/// Pass: auto-processed; DMARC fail with the switch on: held in the Inbox,
/// flagged, no run, processed by hand; switch off: a run; virus: quarantined.
async fn verdicts_gate_auto_processing(app: App, authserv: &str, deliver: Deliver) {
    let server = TestServer::start(app.clone()).await;
    let admin = server.login(ADMIN).await;
    let op = server.login(OPERATOR).await;
    let (s, settings) = admin.get("/api/v1/settings").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(settings["hold_failed_authentication"], true, "on by default");
    if authserv != "amazonses.com" {
        // Locally nothing is trusted until the admin names the receiving server.
        assert_eq!(settings["trusted_authserv_ids"], json!([]));
        let id = deliver(received(authserv, "fail", "pass", report(1))).await;
        let d = detail(&admin, &id).await;
        assert_eq!(d["verdicts"]["dmarc"], "none", "an untrusted header is not read: {d}");
        let (s, body) =
            admin.put("/api/v1/settings", &json!({"time_zone": "UTC", "trusted_authserv_ids": ["bad id;"]})).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{body}");
        let (s, body) = admin
            .put("/api/v1/settings", &json!({"time_zone": "UTC", "trusted_authserv_ids": [authserv.to_uppercase()]}))
            .await;
        assert_eq!(s, StatusCode::OK, "{body}");
        assert_eq!(body["trusted_authserv_ids"], json!([authserv]));
    } else {
        assert_eq!(settings["trusted_authserv_ids"], json!(["amazonses.com"]));
    }

    // The job is approved from a mail that passed.
    let first = deliver(received(authserv, "pass", "pass", report(2))).await;
    let (s, c) = op.post("/api/v1/customers", &json!({"name": "Acme BV"})).await;
    assert_eq!(s, StatusCode::CREATED, "{c}");
    let (s, body) = op.post(&format!("/api/v1/inbox/{first}/approve"), &json!({"customer_id": c["id"]})).await;
    assert_eq!(s, StatusCode::OK, "{body}");

    // Pass: a run by itself.
    let pass = deliver(received(authserv, "pass", "pass", report(3))).await;
    let d = detail(&admin, &pass).await;
    assert_eq!(d["state"], "processed", "{d}");
    assert!(d["run_id"].is_string());
    assert_eq!(d["verdicts"]["dmarc"], "pass");
    assert_eq!(d["verdicts"]["spf"], "pass");
    assert_eq!(d["verdicts"]["source"], authserv);
    assert_eq!(d["auth_failed"], false);

    // DMARC fail, switch on: held, flagged, no run.
    let held = deliver(received(authserv, "fail", "pass", report(4))).await;
    let d = detail(&op, &held).await;
    assert_eq!(d["state"], "inbox", "{d}");
    assert_eq!(d["verdicts"]["dmarc"], "fail", "the topmost header counts, not the forged lower one");
    assert_eq!(d["auth_failed"], true);
    assert!(d["held"].as_str().unwrap_or("").contains("failed authentication"), "{d}");
    assert!(d["run_id"].is_null());
    let (_, inbox) = op.get("/api/v1/inbox").await;
    let row = inbox["items"].as_array().unwrap().iter().find(|m| m["id"] == held.as_str()).cloned().expect("listed");
    assert_eq!(row["auth_failed"], true);
    assert!(row["held"].is_string());
    // An operator processes it by hand; audited.
    let (s, body) = op.post(&format!("/api/v1/inbox/{held}/process"), &json!({})).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(body["state"], "processed");
    assert!(body["run_id"].is_string());
    let (s, _) = op.post(&format!("/api/v1/inbox/{pass}/process"), &json!({})).await;
    assert_eq!(s, StatusCode::CONFLICT, "only a held mail");

    // Switch off: a failing mail becomes a run like any other.
    let (s, body) =
        admin.put("/api/v1/settings", &json!({"time_zone": "UTC", "hold_failed_authentication": false})).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(body["hold_failed_authentication"], false);
    let unheld = deliver(received(authserv, "fail", "pass", report(5))).await;
    let d = detail(&admin, &unheld).await;
    assert_eq!(d["state"], "processed", "{d}");
    assert_eq!(d["auth_failed"], true);

    let (s, audit) = admin.get("/api/v1/audit?entity_type=settings&entity_id=hold_failed_authentication").await;
    assert_eq!(s, StatusCode::OK, "{audit}");
    assert!(audit.to_string().contains("hold_failed_authentication"), "the switch is audited: {audit}");

    if authserv == "amazonses.com" {
        // Virus: quarantined, never parsed.
        let virus = deliver(received(authserv, "pass", "fail", report(6))).await;
        let (s, d) = admin.get(&format!("/api/v1/mails/{virus}")).await;
        assert_eq!(s, StatusCode::OK, "{d}");
        assert_eq!(d["state"], "quarantined", "{d}");
        assert_eq!(d["parse"]["ok"], false);
        assert_eq!(d["has_text"], false, "its parts are not stored");
        assert!(d["quarantine"]["reason"].as_str().unwrap().contains("virus"), "{d}");
        let (_, q) = admin.get("/api/v1/quarantine").await;
        assert!(q["items"].as_array().unwrap().iter().any(|m| m["id"] == virus.as_str()), "{q}");
        let (s, _) = op.get(&format!("/api/v1/mails/{virus}")).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
    }
}

/// Blobs that refuse every parsed report: a parse-step storage error that
/// recurs on every attempt.
struct FailingReports(Arc<dyn Blobs>);

#[async_trait]
impl Blobs for FailingReports {
    async fn put(&self, key: &str, bytes: Vec<u8>, content_type: &str) -> PortResult<()> {
        if key.ends_with("/report.json") {
            return Err(PortError::Backend("injected: the report store refuses writes".into()));
        }
        self.0.put(key, bytes, content_type).await
    }
    async fn get(&self, key: &str) -> PortResult<Option<Vec<u8>>> {
        self.0.get(key).await
    }
    async fn delete(&self, key: &str) -> PortResult<()> {
        self.0.delete(key).await
    }
}

fn failing(app: &App) -> App {
    let mut broken = app.clone();
    broken.blobs = Arc::new(FailingReports(app.blobs.clone()));
    broken
}

/// After the failing attempts: listed for admins only, the raw mail
/// downloads, and a release (after the "upgrade") parses it.
async fn quarantined_mail_is_listed_and_released(app: App, id: &str) {
    let server = TestServer::start(app.clone()).await;
    let admin = server.login(ADMIN).await;
    let op = server.login(OPERATOR).await;
    let (s, q) = admin.get("/api/v1/quarantine").await;
    assert_eq!(s, StatusCode::OK, "{q}");
    let item = q["items"].as_array().unwrap().iter().find(|m| m["id"] == id).cloned().expect("listed");
    assert_eq!(item["quarantine"]["attempts"], bc_core::ingest::MAX_INGEST_ATTEMPTS);
    assert!(item["quarantine"]["reason"].as_str().unwrap().contains("injected"), "{item}");
    assert!(item["quarantine"]["at"].is_string());
    let (s, _, raw) = admin.get_text(&format!("/api/v1/mails/{id}/raw")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(raw.contains("Daily"));
    let (s, _) = op.get("/api/v1/quarantine").await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = op.post(&format!("/api/v1/quarantine/{id}/release"), &json!({})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, body) = admin.post(&format!("/api/v1/quarantine/{id}/release"), &json!({})).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(body["state"], "inbox", "parsed now: {body}");
    assert!(body["error"].is_null());
    let (s, body) = admin.post(&format!("/api/v1/quarantine/{id}/release"), &json!({})).await;
    assert_eq!(s, StatusCode::CONFLICT, "{body}");
    let (_, q) = admin.get("/api/v1/quarantine").await;
    assert!(!q["items"].as_array().unwrap().iter().any(|m| m["id"] == id));
    let (_, audit) = admin.get(&format!("/api/v1/audit?entity_type=mail&entity_id={id}")).await;
    let text = audit.to_string();
    assert!(text.contains("\"quarantine\"") && text.contains("\"release\""), "{audit}");
}

#[tokio::test]
async fn verdicts_on_the_embedded_runtime_through_upload() {
    let rt = Runtime::embedded().with_users().await;
    let server = Arc::new(TestServer::start(rt.app.clone()).await);
    let uploader = Arc::new(server.login(OPERATOR).await);
    let deliver: Deliver = Box::new(move |eml| {
        let uploader = uploader.clone();
        Box::pin(async move {
            let (s, body) = uploader.post_raw("/api/v1/mails", "message/rfc822", eml).await;
            assert_eq!(s, StatusCode::OK, "{body}");
            body["mail_id"].as_str().expect("mail id").to_string()
        })
    });
    verdicts_gate_auto_processing(rt.app.clone(), "mx.msp.example", deliver).await;
    drop(server);
}

#[tokio::test]
async fn a_failing_mail_ends_in_quarantine_on_the_embedded_runtime() {
    let clock = Arc::new(bc_core::ports::ManualClock::new(chrono::Utc::now()));
    let rt = Runtime::embedded_with_clock(clock.clone()).with_users().await;
    let broken = failing(&rt.app);
    let eml = report(1);
    // The first delivery (a drop-folder file, the CLI) fails...
    let err = broken.ingest_bytes(eml.clone()).await.expect_err("the report store refuses");
    assert!(err.to_string().contains("injected"));
    // ...and the scheduler's resumes fail too, until the last allowed one
    // quarantines the mail instead.
    for _ in 1..bc_core::ingest::MAX_INGEST_ATTEMPTS {
        clock.advance(chrono::Duration::minutes(6));
        broken.tick().await.expect("the tick goes on");
    }
    let id = mail_id_of(&eml);
    let m = rt.app.store.get_mail(&id).await.expect("get").expect("recorded");
    assert_eq!(m.state, bc_api_types::MailState::Quarantined, "{m:?}");
    assert_eq!(m.intake.attempts, bc_core::ingest::MAX_INGEST_ATTEMPTS);
    // A later tick leaves it alone.
    clock.advance(chrono::Duration::minutes(6));
    assert_eq!(broken.tick().await.expect("tick").mails_resumed, 0);
    quarantined_mail_is_listed_and_released(rt.app.clone(), &id).await;
}

#[cfg(feature = "aws")]
mod aws {
    use super::*;
    use aws_lambda_events::event::sqs::SqsEvent;

    /// The core as the deployed functions run it: SES's authserv-id trusted.
    async fn aws_app(label: &str) -> (Runtime, App) {
        let rt = Runtime::aws(label).await.with_users().await;
        let config = bc_core::Config {
            default_trusted_authserv_ids: vec!["amazonses.com".into()],
            ..bc_lambda::core_config_from_env()
        };
        let app = bc_lambda::app_on(rt.aws.as_ref().expect("aws adapters"), config);
        (rt, app)
    }

    /// SES's `PutObject` of the raw mail, then the SQS message carrying S3's
    /// notification, through the real handler. The handler's failed items.
    async fn ses_delivers(app: &App, key: &str, eml: Option<Vec<u8>>, receive_count: u32) -> usize {
        if let Some(eml) = eml {
            app.blobs.put(key, eml, "message/rfc822").await.expect("SES stores the mail");
        }
        let s3 = json!({"Records": [{
            "eventVersion": "2.1", "eventSource": "aws:s3", "awsRegion": "us-east-1",
            "eventTime": "2026-11-30T06:00:00.000Z", "eventName": "ObjectCreated:Put",
            "s3": {"s3SchemaVersion": "1.0", "configurationId": "mail",
                   "bucket": {"name": "mail", "arn": "arn:aws:s3:::mail"},
                   "object": {"key": urlencoding::encode(key), "size": 1}}}]});
        let event: SqsEvent = serde_json::from_value(json!({"Records": [{
            "messageId": format!("m-{receive_count}"), "receiptHandle": "rh", "body": s3.to_string(),
            "attributes": {"ApproximateReceiveCount": receive_count.to_string()},
            "messageAttributes": {}, "eventSource": "aws:sqs",
        }]}))
        .expect("SQS event");
        bc_lambda::handlers::mail_ingest(app, event).await.batch_item_failures.len()
    }

    fn key_of(eml: &[u8]) -> String {
        format!("inbound/{}", &bc_core::ids::sha256_hex(eml)[..40])
    }

    #[tokio::test]
    async fn verdicts_on_dynamodb_through_the_mail_ingest_handler() {
        let (_rt, app) = aws_app("verdicts").await;
        // SES's setup notification is no mail.
        app.blobs.put("inbound/AMAZON_SES_SETUP_NOTIFICATION", b"test".to_vec(), "text/plain").await.expect("put");
        assert_eq!(ses_delivers(&app, "inbound/AMAZON_SES_SETUP_NOTIFICATION", None, 1).await, 0);
        let inbox = app.store.list_mails(bc_core::inbox::repo::MailList::Inbox, None, 50).await.expect("list");
        assert!(inbox.items.is_empty(), "the setup notification was skipped");

        let handler_app = app.clone();
        let deliver: Deliver = Box::new(move |eml| {
            let app = handler_app.clone();
            Box::pin(async move {
                let key = key_of(&eml);
                let id = mail_id_of(&eml);
                assert_eq!(ses_delivers(&app, &key, Some(eml), 1).await, 0, "ingested");
                id
            })
        });
        verdicts_gate_auto_processing(app, "amazonses.com", deliver).await;
    }

    #[tokio::test]
    async fn a_failing_mail_ends_in_quarantine_on_dynamodb() {
        let (_rt, app) = aws_app("quarantine").await;
        let broken = failing(&app);
        let eml = report(1);
        let key = key_of(&eml);
        // SQS redelivers the failing message; the last allowed attempt
        // quarantines the mail, so it never reaches the dead-letter queue.
        assert_eq!(ses_delivers(&broken, &key, Some(eml.clone()), 1).await, 1);
        for n in 2..bc_core::ingest::MAX_INGEST_ATTEMPTS {
            assert_eq!(ses_delivers(&broken, &key, None, n).await, 1, "attempt {n} fails");
        }
        assert_eq!(ses_delivers(&broken, &key, None, bc_core::ingest::MAX_INGEST_ATTEMPTS).await, 0, "quarantined");
        let id = mail_id_of(&eml);
        let m = app.store.get_mail(&id).await.expect("get").expect("recorded");
        assert_eq!(m.state, bc_api_types::MailState::Quarantined, "{m:?}");
        quarantined_mail_is_listed_and_released(app, &id).await;
    }
}
