//! The re-index of runs reviewed before the Reviewed view's index existed,
//! on both runtimes over HTTP: on DynamoDB (moto), runs written the old way
//! (a raw PutItem without their GSI2 key) are missing from the Reviewed view
//! until an admin starts the re-index, which the worker runs batch by batch
//! and audits; a second run finds nothing to write; the store's batches
//! resume from their cursor. On SQLite (whose migration indexed every run)
//! it is a no-op that still answers and audits.

use bc_api_types::Status;
use bc_tests::mails::VeeamMail;
use bc_tests::server::{Client, TestServer};
use bc_tests::{ADMIN, OPERATOR, Runtime};
use reqwest::StatusCode;
use serde_json::{Value, json};

const SENDER: &str = "veeam@reindex.example.com";

async fn upload(c: &Client, eml: Vec<u8>) -> Value {
    let (s, body) = c.post_raw("/api/v1/mails", "message/rfc822", eml).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    body
}

async fn reviewed_ids(admin: &Client) -> Vec<String> {
    let (s, page) = admin.get("/api/v1/reviewed").await;
    assert_eq!(s, StatusCode::OK, "{page}");
    let mut ids: Vec<String> = page["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|i| i["run"]["id"].as_str().map(str::to_string))
        .collect();
    ids.sort();
    ids
}

async fn drain(rt: &Runtime) {
    while rt.app.drain_queue_once(10).await.expect("worker") > 0 {}
}

/// The `finish` entries of the re-index, newest first: (examined, rewritten).
async fn finishes(admin: &Client) -> Vec<(u64, u64)> {
    let (s, page) = admin.get("/api/v1/audit?entity_type=maintenance&entity_id=reindex_reviewed_runs").await;
    assert_eq!(s, StatusCode::OK, "{page}");
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|e| e["action"] == "finish")
        .map(|e| {
            (
                e["after"]["runs_examined"].as_u64().expect("examined"),
                e["after"]["runs_rewritten"].as_u64().expect("rewritten"),
            )
        })
        .collect()
}

/// Four runs of one job, three of them reviewed; returns (all runs, reviewed runs).
async fn reviewed_runs(op: &Client) -> (Vec<String>, Vec<String>) {
    let (_, cust) = op.post("/api/v1/customers", &json!({"name": "Reindex BV"})).await;
    let customer_id = cust["id"].as_str().expect("id").to_string();
    let first = upload(op, VeeamMail::new(SENDER, "Files", Status::Failed, 1).eml()).await;
    let (s, approved) = op
        .post(
            &format!("/api/v1/inbox/{}/approve", first["mail_id"].as_str().expect("mail")),
            &json!({"customer_id": customer_id}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{approved}");
    let mut runs = vec![approved["run"]["id"].as_str().expect("run").to_string()];
    for seq in 2..=4 {
        let out = upload(op, VeeamMail::new(SENDER, "Files", Status::Success, seq).eml()).await;
        runs.push(out["run_id"].as_str().expect("a run").to_string());
    }
    for r in &runs[0..3] {
        let (s, body) = op.post("/api/v1/run-checks/review", &json!({"run_ids": [r]})).await;
        assert_eq!(s, StatusCode::OK, "{body}");
    }
    let mut reviewed = runs[0..3].to_vec();
    reviewed.sort();
    (runs, reviewed)
}

/// Starting the re-index: admins only, audited, queued.
async fn start(admin: &Client, op: &Client) {
    let (s, body) = op.post("/api/v1/reviewed/reindex", &json!({})).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{body}");
    let (s, body) = admin.post("/api/v1/reviewed/reindex", &json!({})).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(body, json!({"queued": 1}));
}

#[tokio::test]
async fn reindex_on_the_embedded_store_is_a_no_op() {
    let rt = Runtime::embedded().with_users().await;
    let server = TestServer::start(rt.app.clone()).await;
    let (admin, op) = (server.login(ADMIN).await, server.login(OPERATOR).await);
    let (_, reviewed) = reviewed_runs(&op).await;
    assert_eq!(reviewed_ids(&admin).await, reviewed);
    start(&admin, &op).await;
    drain(&rt).await;
    assert_eq!(finishes(&admin).await, vec![(0, 0)], "the migration indexed every run already");
    assert_eq!(reviewed_ids(&admin).await, reviewed);
}

#[cfg(feature = "aws")]
mod aws {
    use aws_sdk_dynamodb::types::AttributeValue;
    use bc_core::review::repo::RunRepo;

    use super::*;

    /// Writes the run item again as a release before the Reviewed view did:
    /// the same item without its GSI2 key, with a raw PutItem.
    async fn write_the_old_way(rt: &Runtime, run_id: &str) {
        let aws = rt.aws.as_ref().expect("aws");
        let client = aws_sdk_dynamodb::Client::new(&aws.sdk);
        let key = |k: &str| AttributeValue::S(k.to_string());
        let got = client
            .get_item()
            .table_name(aws.store.table_name())
            .key("pk", key(&format!("RUN#{run_id}")))
            .key("sk", key("RUN"))
            .consistent_read(true)
            .send()
            .await
            .expect("GetItem");
        let mut item = got.item.expect("the run item");
        assert!(item.contains_key("gsi2pk"), "written by this release with its key");
        item.remove("gsi2pk");
        item.remove("gsi2sk");
        client.put_item().table_name(aws.store.table_name()).set_item(Some(item)).send().await.expect("PutItem");
    }

    #[tokio::test]
    async fn reindex_on_dynamodb_through_moto_lists_runs_reviewed_the_old_way() {
        let rt = Runtime::aws("reindex").await.with_users().await;
        let server = TestServer::start(rt.app.clone()).await;
        let (admin, op) = (server.login(ADMIN).await, server.login(OPERATOR).await);
        let (runs, reviewed) = reviewed_runs(&op).await;
        assert_eq!(reviewed_ids(&admin).await, reviewed);

        for r in &reviewed[0..2] {
            write_the_old_way(&rt, r).await;
        }
        assert_eq!(reviewed_ids(&admin).await, vec![reviewed[2].clone()], "the old items are not in the view");

        start(&admin, &op).await;
        drain(&rt).await;
        assert_eq!(reviewed_ids(&admin).await, reviewed, "listed after the re-index");
        assert_eq!(finishes(&admin).await, vec![(runs.len() as u64, 2)]);

        // Idempotent: a second pass finds nothing to write.
        start(&admin, &op).await;
        drain(&rt).await;
        assert_eq!(finishes(&admin).await[0], (runs.len() as u64, 0));

        // Batches resume from their cursor: one run per batch, each batch
        // from the cursor of the one before, rewrites exactly the old ones.
        for r in &reviewed {
            write_the_old_way(&rt, r).await;
        }
        let store = rt.aws.as_ref().expect("aws").store.clone();
        let (mut cursor, mut batches, mut examined, mut rewritten) = (None::<String>, 0, 0, 0);
        loop {
            let b = store.reindex_reviewed_runs(cursor.as_deref(), 1).await.expect("batch");
            batches += 1;
            examined += b.examined;
            rewritten += b.rewritten;
            assert!(b.examined <= 1, "a batch keeps to its size");
            match b.next_cursor {
                Some(next) => cursor = Some(next),
                None => break,
            }
            assert!(batches < 50, "the re-index ends");
        }
        assert_eq!((examined, rewritten), (runs.len(), 3));
        assert!(batches >= runs.len(), "{batches} batches");
        assert_eq!(reviewed_ids(&admin).await, reviewed);
        // A cursor of something else is refused, not misread.
        assert!(store.reindex_reviewed_runs(Some("not-a-cursor"), 1).await.is_err());
    }
}
