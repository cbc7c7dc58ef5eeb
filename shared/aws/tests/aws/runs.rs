use bc_api_types::MailState;
use bc_core::model::{Review, Run};
use bc_core::ports::PortError;
use bc_core::repos::{JobRepo, MailRepo, RecordRun, RunRepo};

use crate::fixtures::{at, ids, job, mail, run, store};

#[tokio::test]
async fn record_run_writes_all_three_or_nothing() {
    let store = store("runs-record").await;
    let j = job("j1", "c1", "Daily");
    let m = mail("m1", MailState::Received, 0);
    assert!(store.insert_job(&j).await.expect("job"));
    assert!(store.insert_mail(&m).await.expect("mail"));

    let r = run("r1", "j1", 0);
    let mut j2 = j.clone();
    j2.run_count = 1;
    let mut m2 = m.clone();
    m2.state = MailState::Processed;
    m2.run_id = Some("r1".into());
    let before = store.request_count();
    assert!(store.record_run(RecordRun { run: &r, job: &j2, mail: &m2 }).await.expect("record"));
    assert_eq!(store.request_count() - before, 1, "one TransactWriteItems");
    assert_eq!(store.get_run("r1").await.expect("get"), Some(r.clone()));
    assert_eq!(store.get_job("j1").await.expect("get").map(|j| (j.run_count, j.version)), Some((1, 1)));
    assert_eq!(store.get_mail("m1").await.expect("get").map(|m| (m.state, m.version)), Some((MailState::Processed, 1)));

    // Redelivery: the run exists, nothing is written (not even with fresh versions).
    let mut j3 = store.get_job("j1").await.expect("get").expect("present");
    j3.run_count = 99;
    let mut m3 = store.get_mail("m1").await.expect("get").expect("present");
    m3.subject = "again".into();
    assert!(!store.record_run(RecordRun { run: &r, job: &j3, mail: &m3 }).await.expect("again"));
    assert_eq!(store.get_job("j1").await.expect("get").map(|j| j.version), Some(1));
    assert_eq!(store.get_mail("m1").await.expect("get").map(|m| m.version), Some(1));
}

#[tokio::test]
async fn a_version_conflict_leaves_nothing_written() {
    let store = store("runs-conflict").await;
    let j = job("j1", "c1", "Daily");
    let m = mail("m1", MailState::Received, 0);
    assert!(store.insert_job(&j).await.expect("job"));
    assert!(store.insert_mail(&m).await.expect("mail"));
    let mut moved_on = j.clone();
    moved_on.run_count = 5;
    store.update_job(&moved_on).await.expect("someone else writes the job");

    let r = run("r1", "j1", 0);
    let stale_job = store.record_run(RecordRun { run: &r, job: &j, mail: &m }).await;
    assert!(matches!(stale_job, Err(PortError::Conflict(_))), "{stale_job:?}");
    assert_eq!(store.get_run("r1").await.expect("get"), None);
    assert_eq!(store.get_mail("m1").await.expect("get").map(|m| m.version), Some(0));

    let fresh_job = store.get_job("j1").await.expect("get").expect("present");
    let mut stale_mail = m.clone();
    stale_mail.version = 7;
    let result = store.record_run(RecordRun { run: &r, job: &fresh_job, mail: &stale_mail }).await;
    assert!(matches!(result, Err(PortError::Conflict(_))), "{result:?}");
    assert_eq!(store.get_run("r1").await.expect("get"), None);
    assert_eq!(store.get_job("j1").await.expect("get").map(|j| j.version), Some(1));
    assert!(store.list_unreviewed_runs(None, None, 10_000).await.expect("list").items.is_empty());
}

/// Items in the sparse index, read straight from DynamoDB.
async fn unreviewed_index_size(table: &str) -> usize {
    let endpoint = bc_aws::testing::moto_endpoint().expect("moto");
    let client = aws_sdk_dynamodb::Client::new(&bc_aws::testing::sdk_config(&endpoint).await);
    let out = client
        .query()
        .table_name(table)
        .index_name("gsi3")
        .key_condition_expression("gsi3pk = :p")
        .expression_attribute_values(":p", aws_sdk_dynamodb::types::AttributeValue::S("UNREVIEWED".into()))
        .send()
        .await
        .expect("query");
    out.items().len()
}

#[tokio::test]
async fn run_checks_reads_only_unreviewed_runs() {
    let store = store("runs-unreviewed").await;
    let mut all = Vec::new();
    for i in 0..12 {
        let job_id = if i % 3 == 0 { "j1" } else { "j2" };
        let r = run(&format!("r{i:02}"), job_id, i);
        // record_run is how runs arrive; jobs and mails are bookkeeping here.
        let j = job(&format!("job-of-{i}"), "c1", "x");
        let m = mail(&format!("mail-of-{i}"), MailState::Received, i);
        assert!(store.insert_job(&j).await.expect("job"));
        assert!(store.insert_mail(&m).await.expect("mail"));
        assert!(store.record_run(RecordRun { run: &r, job: &j, mail: &m }).await.expect("record"));
        all.push(r);
    }
    // Review all but three.
    for r in all.iter().filter(|r| !["r00", "r04", "r09"].contains(&r.id.as_str())) {
        let mut reviewed = r.clone();
        reviewed.review = Some(Review { by: "op".into(), at: at(100) });
        store.update_run(&reviewed).await.expect("review");
    }
    assert_eq!(unreviewed_index_size(store.table_name()).await, 3, "the index holds only unreviewed runs");

    let before = store.request_count();
    let open = store.list_unreviewed_runs(None, None, 10_000).await.expect("list").items;
    assert_eq!(store.request_count() - before, 1);
    assert_eq!(ids(&open, |r: &Run| &r.id), ["r00", "r09", "r04"], "by job, then oldest first");
    let open_j1 = store.list_unreviewed_runs(Some("j1"), None, 10_000).await.expect("list").items;
    assert_eq!(ids(&open_j1, |r: &Run| &r.id), ["r00", "r09"]);

    // Unreview puts it back.
    let mut r03 = store.get_run("r03").await.expect("get").expect("present");
    assert_eq!(r03.version, 1);
    r03.review = None;
    store.update_run(&r03).await.expect("unreview");
    assert!(matches!(store.update_run(&r03).await, Err(PortError::Conflict(_))), "stale");
    let open_j1 = store.list_unreviewed_runs(Some("j1"), None, 10_000).await.expect("list").items;
    assert_eq!(ids(&open_j1, |r: &Run| &r.id), ["r00", "r03", "r09"]);
    assert_eq!(unreviewed_index_size(store.table_name()).await, 4);
}

#[tokio::test]
async fn a_jobs_runs_page_newest_first_by_sort_time() {
    let store = store("runs-list").await;
    for (id, minute, started) in [("a", 10, true), ("b", 30, false), ("c", 20, true), ("d", 40, true), ("e", 5, false)]
    {
        let mut r = run(id, "j1", minute);
        if !started {
            r.started_at = None;
            r.received_at = at(minute);
        }
        let j = job(&format!("job-{id}"), "c1", "x");
        let m = mail(&format!("mail-{id}"), MailState::Received, 0);
        store.insert_job(&j).await.expect("job");
        store.insert_mail(&m).await.expect("mail");
        assert!(store.record_run(RecordRun { run: &r, job: &j, mail: &m }).await.expect("record"));
    }
    let other = run("z", "j2", 50);
    let (j, m) = (job("job-z", "c1", "x"), mail("mail-z", MailState::Received, 0));
    store.insert_job(&j).await.expect("job");
    store.insert_mail(&m).await.expect("mail");
    store.record_run(RecordRun { run: &other, job: &j, mail: &m }).await.expect("record");

    let first = store.list_runs("j1", None, 2).await.expect("page");
    assert_eq!(ids(&first.items, |r: &Run| &r.id), ["d", "b"]);
    let second = store.list_runs("j1", first.next_cursor.as_deref(), 2).await.expect("page");
    assert_eq!(ids(&second.items, |r: &Run| &r.id), ["c", "a"]);
    let third = store.list_runs("j1", second.next_cursor.as_deref(), 2).await.expect("page");
    assert_eq!(ids(&third.items, |r: &Run| &r.id), ["e"]);
    assert_eq!(third.next_cursor, None);
    let foreign = store.list_runs("j2", first.next_cursor.as_deref(), 2).await;
    assert!(matches!(foreign, Err(PortError::Invalid(_))), "another job's cursor: {foreign:?}");
    assert!(store.list_runs("nope", None, 5).await.expect("empty").items.is_empty());
}
