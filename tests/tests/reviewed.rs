//! The admin's Reviewed view on both runtimes, over HTTP: every reviewed
//! run newest review first with reviewer and time, filtered by reviewer,
//! customer, status and period, paged; bulk unmark (admins only) puts runs
//! back in Run Checks; the statistics count reviews per day and reviewer and
//! give the oldest unreviewed run; operators, reporters and viewers are
//! refused.

use bc_api_types::Status;
use bc_tests::mails::VeeamMail;
use bc_tests::server::{Client, TestServer};
use bc_tests::{ADMIN, OPERATOR, REPORTER, Runtime, VIEWER};
use reqwest::StatusCode;
use serde_json::{Value, json};

const SENDER: &str = "veeam@reviewed.example.com";

async fn upload(c: &Client, eml: Vec<u8>) -> Value {
    let (s, body) = c.post_raw("/api/v1/mails", "message/rfc822", eml).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    body
}

fn ids(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|i| i["run"]["id"].as_str().map(str::to_string))
        .collect()
}

async fn reviewed_on(rt: Runtime) {
    let server = TestServer::start(rt.app.clone()).await;
    let admin = server.login(ADMIN).await;
    let op = server.login(OPERATOR).await;

    let (_, cust) = op.post("/api/v1/customers", &json!({"name": "Reviewed BV"})).await;
    let customer_id = cust["id"].as_str().expect("id").to_string();
    let first = upload(&op, VeeamMail::new(SENDER, "Files", Status::Failed, 1).eml()).await;
    let (s, approved) = op
        .post(
            &format!("/api/v1/inbox/{}/approve", first["mail_id"].as_str().expect("mail")),
            &json!({"customer_id": customer_id}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{approved}");
    let mut runs = vec![approved["run"]["id"].as_str().expect("run").to_string()];
    for seq in 2..=6 {
        let status = if seq % 2 == 0 { Status::Success } else { Status::Warning };
        let out = upload(&op, VeeamMail::new(SENDER, "Files", status, seq).eml()).await;
        runs.push(out["run_id"].as_str().expect("a run").to_string());
    }

    // The operator reviews three, the admin two; one stays open.
    for (who, some) in [(&op, &runs[0..3]), (&admin, &runs[3..5])] {
        for r in some {
            let (s, body) = who.post("/api/v1/run-checks/review", &json!({"run_ids": [r]})).await;
            assert_eq!(s, StatusCode::OK, "{body}");
        }
    }

    // Only admins see it.
    for who in [&op, &server.login(VIEWER).await, &server.login(REPORTER).await] {
        let (s, _) = who.get("/api/v1/reviewed").await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, _) = who.get("/api/v1/reviewed/stats").await;
        assert_eq!(s, StatusCode::FORBIDDEN);
    }

    // Newest review first, with who and when.
    let (s, page) = admin.get("/api/v1/reviewed").await;
    assert_eq!(s, StatusCode::OK, "{page}");
    assert_eq!(ids(&page), [runs[4].as_str(), runs[3].as_str(), runs[2].as_str(), runs[1].as_str(), runs[0].as_str()]);
    let top = &page["items"][0];
    assert_eq!(top["run"]["review"]["by"], ADMIN.0);
    assert!(top["run"]["review"]["at"].is_string());
    assert_eq!(top["job_name"], "Files");
    assert_eq!(top["customer_name"], "Reviewed BV");

    // Paged without gaps.
    let (_, p1) = admin.get("/api/v1/reviewed?limit=2").await;
    let cursor = p1["next_cursor"].as_str().expect("more").to_string();
    let (_, p2) = admin.get(&format!("/api/v1/reviewed?limit=2&cursor={cursor}")).await;
    let cursor = p2["next_cursor"].as_str().expect("more").to_string();
    let (_, p3) = admin.get(&format!("/api/v1/reviewed?limit=2&cursor={cursor}")).await;
    assert!(p3["next_cursor"].is_null(), "{p3}");
    let paged: Vec<String> = [ids(&p1), ids(&p2), ids(&p3)].concat();
    assert_eq!(paged, ids(&page));

    // Filters.
    let (_, by_op) = admin.get(&format!("/api/v1/reviewed?reviewer={}", OPERATOR.0)).await;
    assert_eq!(ids(&by_op), [runs[2].as_str(), runs[1].as_str(), runs[0].as_str()]);
    let (_, failed) = admin.get("/api/v1/reviewed?status=Failed").await;
    assert_eq!(ids(&failed), [runs[0].as_str()]);
    let (_, mine) = admin.get(&format!("/api/v1/reviewed?customer_id={customer_id}")).await;
    assert_eq!(ids(&mine).len(), 5);
    let (_, none) = admin.get("/api/v1/reviewed?from=2020-01-01T00:00:00Z&until=2020-02-01T00:00:00Z").await;
    assert_eq!(ids(&none).len(), 0);
    for (q, reason) in [
        ("status=Bad", ""),
        ("from=2026-02-01T00:00:00Z&until=2026-01-01T00:00:00Z", "before"),
        ("from=2020-01-01T00:00:00Z&until=2026-01-01T00:00:00Z", "366 days"),
        ("cursor=%21%21", "cursor"),
    ] {
        let (s, e) = admin.get(&format!("/api/v1/reviewed?{q}")).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{q}: {e}");
        assert!(e["error"]["message"].as_str().unwrap_or("").contains(reason), "{q}: {e}");
    }

    // Statistics: today's reviews by reviewer; the open run is the oldest unreviewed.
    let (s, stats) = admin.get("/api/v1/reviewed/stats?days=7").await;
    assert_eq!(s, StatusCode::OK, "{stats}");
    assert_eq!(stats["days"].as_array().map(Vec::len), Some(7), "{stats}");
    let today = &stats["days"][0];
    assert_eq!(today["runs"], 5, "{stats}");
    assert_eq!(today["by"][0], json!({"reviewer": OPERATOR.0, "runs": 3}));
    assert_eq!(today["by"][1], json!({"reviewer": ADMIN.0, "runs": 2}));
    assert_eq!(stats["unreviewed_runs"], 1);
    let (_, open) = admin.get(&format!("/api/v1/runs/{}", runs[5])).await;
    assert_eq!(stats["oldest_unreviewed_at"], open["run"]["started_at"], "{stats}");
    let (s, _) = admin.get("/api/v1/reviewed/stats?days=0").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);

    // Bulk unmark: operators cannot, admins can; the runs are back in Run Checks.
    let (s, _) = op.post("/api/v1/run-checks/unreview", &json!({"run_ids": [runs[0], runs[1]]})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, body) = admin.post("/api/v1/run-checks/unreview", &json!({"run_ids": [runs[0], runs[1]]})).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(body["changed"], 2);
    let (_, page) = admin.get("/api/v1/reviewed").await;
    assert_eq!(ids(&page), [runs[4].as_str(), runs[3].as_str(), runs[2].as_str()]);
    let (_, checks) = op.get("/api/v1/run-checks").await;
    assert_eq!(checks["totals"]["runs"], 3);
}

#[tokio::test]
async fn reviewed_view_on_the_embedded_store() {
    reviewed_on(Runtime::embedded().with_users().await).await;
}

#[cfg(feature = "aws")]
#[tokio::test]
async fn reviewed_view_on_dynamodb_s3_sqs_through_moto() {
    reviewed_on(Runtime::aws("reviewed").await.with_users().await).await;
}
