//! The main job end to end, over HTTP, on both runtimes: a report mail comes
//! in, waits in the Inbox, is approved to a customer; the next mail of that
//! job lands straight in Run Checks; reviewing empties it.

use bc_api_types::{MailState, Status};
use bc_tests::mails::{VeeamMail, newsletter};
use bc_tests::server::{Client, TestServer};
use bc_tests::{ADMIN, OPERATOR, Runtime, VIEWER};
use reqwest::StatusCode;
use serde_json::{Value, json};

const SENDER: &str = "veeam@acme.example.com";

async fn upload(c: &Client, eml: Vec<u8>) -> Value {
    let (s, body) = c.post_raw("/api/v1/mails", "message/rfc822", eml).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    body
}

/// Ingest, approve, auto-process, review: the morning on one runtime.
/// `ingest` delivers a raw mail the way that runtime receives mail.
async fn morning<F, Fut>(rt: &Runtime, ingest: F)
where
    F: Fn(Vec<u8>) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let server = TestServer::start(rt.app.clone()).await;
    let admin = server.login(ADMIN).await;
    let op = server.login(OPERATOR).await;

    // A customer to assign jobs to.
    let (s, cust) = op.post("/api/v1/customers", &json!({"name": "Acme BV"})).await;
    assert_eq!(s, StatusCode::CREATED, "{cust}");
    let customer_id = cust["id"].as_str().expect("customer id").to_string();

    // The first mail of a new job arrives: it waits in the Inbox.
    let first = VeeamMail::new(SENDER, "Daily VMs", Status::Warning, 1).objects(4);
    ingest(first.eml()).await;
    ingest(newsletter(1)).await;
    let (s, inbox) = op.get("/api/v1/inbox").await;
    assert_eq!(s, StatusCode::OK, "{inbox}");
    let items = inbox["items"].as_array().expect("items");
    assert_eq!(items.len(), 2, "{inbox}");
    let report = items.iter().find(|i| i["parsed"] == true).expect("the parsed mail");
    let unparsed = items.iter().find(|i| i["parsed"] == false).expect("the newsletter, unparsed");
    assert_eq!(unparsed["parse_error"], "no parser recognises this mail");
    assert_eq!(report["job_name"], "Daily VMs");
    assert_eq!(report["status"], "Warning");
    assert_eq!(report["software"], "Veeam Backup & Replication");
    let mail_id = report["id"].as_str().expect("mail id").to_string();

    // Its detail: metadata, parse result, objects, bodies, the raw mail.
    let (s, detail) = op.get(&format!("/api/v1/inbox/{mail_id}")).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(detail["sender"], SENDER);
    assert_eq!(detail["message_id"], first.message_id());
    assert_eq!(detail["parse"]["report"]["objects"].as_array().map(Vec::len), Some(4));
    assert_eq!(detail["parse"]["report"]["objects"][0]["status"], "Warning");
    assert_eq!(detail["has_html"], true);
    let (s, headers, html) = op.get_text(&format!("/api/v1/mails/{mail_id}/html")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("Backup job: Daily VMs"));
    assert!(headers["content-security-policy"].to_str().unwrap_or("").starts_with("sandbox"));
    let (s, _, raw) = op.get_text(&format!("/api/v1/mails/{mail_id}/raw")).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(raw.as_bytes(), first.eml().as_slice());

    // Approve: the job is created and the mail becomes its first run.
    let (s, approved) =
        op.post(&format!("/api/v1/inbox/{mail_id}/approve"), &json!({"customer_id": customer_id})).await;
    assert_eq!(s, StatusCode::OK, "{approved}");
    let job_id = approved["job"]["id"].as_str().expect("job id").to_string();
    assert_eq!(approved["job"]["customer_name"], "Acme BV");
    assert_eq!(approved["run"]["status"], "Warning");
    // Approving twice is refused; the mail left the Inbox.
    let (s, _) = op.post(&format!("/api/v1/inbox/{mail_id}/approve"), &json!({"customer_id": customer_id})).await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (_, inbox) = op.get("/api/v1/inbox").await;
    assert_eq!(inbox["items"].as_array().map(Vec::len), Some(1), "only the newsletter is left: {inbox}");

    // The next mail of the job lands straight in Run Checks, not the Inbox.
    let second = VeeamMail::new(SENDER, "Daily VMs", Status::Failed, 2).objects(4);
    ingest(second.eml()).await;
    let (_, inbox) = op.get("/api/v1/inbox").await;
    assert_eq!(inbox["items"].as_array().map(Vec::len), Some(1), "{inbox}");
    let (s, checks) = op.get("/api/v1/run-checks").await;
    assert_eq!(s, StatusCode::OK);
    let jobs = checks["jobs"].as_array().expect("jobs");
    assert_eq!(jobs.len(), 1, "{checks}");
    assert_eq!(jobs[0]["id"], job_id.as_str());
    assert_eq!(jobs[0]["status"], "Failed", "the worst unreviewed status");
    assert_eq!(jobs[0]["customer_name"], "Acme BV");
    let runs = jobs[0]["runs"].as_array().expect("runs");
    assert_eq!(runs.len(), 2);
    assert_eq!(runs[0]["status"], "Failed", "newest first");
    let failed_run = runs[0]["id"].as_str().expect("run id").to_string();

    // Redelivery of the same mail changes nothing.
    ingest(second.eml()).await;
    let (_, checks) = op.get("/api/v1/run-checks").await;
    assert_eq!(checks["totals"]["runs"], 2);

    // The run detail shows the objects and the mail.
    let (s, run) = op.get(&format!("/api/v1/runs/{failed_run}")).await;
    assert_eq!(s, StatusCode::OK, "{run}");
    assert_eq!(run["report"]["objects"][0]["status"], "Failed");
    assert_eq!(run["mail"]["subject"], "[Failed] Daily VMs (4 objects) 1 error");
    assert_eq!(run["recent_runs"].as_array().map(Vec::len), Some(2));

    // A viewer may not open Run Checks nor review.
    let viewer = server.login(VIEWER).await;
    assert_eq!(viewer.get("/api/v1/run-checks").await.0, StatusCode::FORBIDDEN);
    assert_eq!(viewer.post("/api/v1/run-checks/review", &json!({"job_ids": [job_id]})).await.0, StatusCode::FORBIDDEN);

    // Review one run, then the whole job: Run Checks is empty.
    let (s, r) = op.post("/api/v1/run-checks/review", &json!({"run_ids": [failed_run]})).await;
    assert_eq!((s, r["changed"].clone()), (StatusCode::OK, json!(1)));
    let (s, r) = op.post("/api/v1/run-checks/review", &json!({"job_ids": [job_id]})).await;
    assert_eq!((s, r["changed"].clone()), (StatusCode::OK, json!(1)));
    let (_, checks) = op.get("/api/v1/run-checks").await;
    assert_eq!(checks["jobs"], json!([]), "Run Checks is empty: {checks}");

    // Operators cannot unmark; admins can, and see who reviewed.
    assert_eq!(
        op.post("/api/v1/run-checks/unreview", &json!({"run_ids": [failed_run]})).await.0,
        StatusCode::FORBIDDEN
    );
    let (_, history) = admin.get(&format!("/api/v1/jobs/{job_id}/runs")).await;
    assert_eq!(history["items"][0]["review"]["by"], OPERATOR.0);
    let (_, history) = op.get(&format!("/api/v1/jobs/{job_id}/runs")).await;
    assert_eq!(history["items"][0]["reviewed"], true);
    assert_eq!(history["items"][0]["review"], Value::Null, "operators do not see reviewer details");
    let (s, r) = admin.post("/api/v1/run-checks/unreview", &json!({"run_ids": [failed_run]})).await;
    assert_eq!((s, r["changed"].clone()), (StatusCode::OK, json!(1)));
    let (_, checks) = op.get("/api/v1/run-checks").await;
    assert_eq!(checks["totals"]["runs"], 1);

    // The job list knows its last run.
    let (_, jobs) = op.get("/api/v1/jobs?status=Failed").await;
    assert_eq!(jobs["items"][0]["id"], job_id.as_str());
    assert_eq!(jobs["items"][0]["run_count"], 2);
}

#[tokio::test]
async fn morning_on_the_embedded_store() {
    let rt = Runtime::embedded().with_users().await;
    let app = rt.app.clone();
    morning(&rt, |eml| {
        let app = app.clone();
        async move {
            let out = app.ingest_bytes(eml).await.expect("ingest");
            assert_ne!(out.mail.state, MailState::Received);
        }
    })
    .await;
}

#[tokio::test]
async fn morning_over_the_upload_endpoint() {
    let rt = Runtime::embedded().with_users().await;
    let server = TestServer::start(rt.app.clone()).await;
    let op = server.login(OPERATOR).await;
    morning(&rt, |eml| {
        let op = &op;
        async move {
            upload(op, eml).await;
        }
    })
    .await;
}

#[cfg(feature = "aws")]
mod aws {
    use super::*;
    use aws_lambda_events::event::sqs::SqsEvent;
    use bc_core::ports::Blobs;

    /// The S3 `ObjectCreated` notification SES's write triggers, as it
    /// arrives in the ingest queue's message body (keys URL-encoded).
    fn sqs_event_for(bucket: &str, key: &str, n: u64) -> SqsEvent {
        let encoded = urlencoding::encode(key).replace("%2F", "/").replace("%20", "+");
        let s3 = json!({"Records": [{
            "eventVersion": "2.1", "eventSource": "aws:s3", "awsRegion": "us-east-1",
            "eventTime": "2026-11-22T06:00:00.000Z", "eventName": "ObjectCreated:Put",
            "userIdentity": {"principalId": "AWS:SES"}, "requestParameters": {"sourceIPAddress": "10.0.0.1"},
            "responseElements": {"x-amz-request-id": "r", "x-amz-id-2": "i"},
            "s3": {"s3SchemaVersion": "1.0", "configurationId": "mail",
                   "bucket": {"name": bucket, "ownerIdentity": {"principalId": "x"}, "arn": format!("arn:aws:s3:::{bucket}")},
                   "object": {"key": encoded, "size": 1, "eTag": "e", "sequencer": "0"}}
        }]});
        serde_json::from_value(json!({"Records": [{
            "messageId": format!("msg-{n}"), "receiptHandle": "rh", "body": s3.to_string(),
            "attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": "1", "SenderId": "s", "ApproximateFirstReceiveTimestamp": "1"},
            "messageAttributes": {}, "md5OfBody": "m", "eventSource": "aws:sqs",
            "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:mail-ingest", "awsRegion": "us-east-1"
        }]}))
        .expect("SQS event")
    }

    #[tokio::test]
    async fn morning_on_dynamodb_s3_sqs_through_moto() {
        let rt = Runtime::aws("flow").await.with_users().await;
        let adapters = rt.aws.clone().expect("aws adapters");
        let app = rt.app.clone();
        let counter = std::sync::atomic::AtomicU64::new(0);
        morning(&rt, |eml| {
            let (app, adapters) = (app.clone(), adapters.clone());
            let n = counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            async move {
                // SES stores the raw mail in the bucket; the notification
                // travels through SQS to mail-ingest.
                let key = format!("inbound/ses message {n}+x.eml");
                adapters.blobs.put(&key, eml, "message/rfc822").await.expect("put raw mail");
                let event = sqs_event_for(&adapters.config.mail_bucket, &key, n);
                let resp = bc_lambda::handlers::mail_ingest(&app, event).await;
                assert!(resp.batch_item_failures.is_empty(), "ingest reported failures");
            }
        })
        .await;
    }

    /// The first admin on AWS: an operator invokes the scheduler function
    /// with `{"admin_command": "bootstrap-admin"}` and gets the one-time
    /// password back; it signs in; a second bootstrap creates nothing.
    #[tokio::test]
    async fn first_admin_is_bootstrapped_by_invoking_the_scheduler() {
        let rt = Runtime::aws("bootstrap").await;
        let out = bc_lambda::handlers::scheduler_invocation(&rt.app, &json!({"admin_command": "bootstrap-admin"}))
            .await
            .expect("bootstrap");
        assert_eq!(out["created"], true);
        let password = out["password"].as_str().expect("password").to_string();
        let server = TestServer::start(rt.app.clone()).await;
        let admin = server.login(("admin", &password)).await;
        assert_eq!(admin.get("/api/v1/auth/me").await.1["role"], "admin");
        let again = bc_lambda::handlers::scheduler_invocation(&rt.app, &json!({"admin_command": "bootstrap-admin"}))
            .await
            .expect("second bootstrap");
        assert_eq!(again["created"], false);
        assert!(
            bc_lambda::handlers::scheduler_invocation(&rt.app, &json!({"admin_command": "drop-tables"})).await.is_err()
        );
        // An EventBridge scheduled event is a tick.
        let tick = json!({"version": "0", "id": "e1", "detail-type": "Scheduled Event", "source": "aws.scheduler",
            "account": "123456789012", "time": "2026-11-22T06:00:00Z", "region": "us-east-1", "resources": [], "detail": {}});
        let r = bc_lambda::handlers::scheduler_invocation(&rt.app, &tick).await.expect("tick");
        assert_eq!(r["mails_resumed"], 0);
    }
}
