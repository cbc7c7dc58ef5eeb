use bc_api_types::Status;
use bc_core::model::Job;
use bc_core::ports::PortError;
use bc_core::repos::{JobFilter, JobRepo};

use crate::fixtures::{ids, job, store, with_last};

#[tokio::test]
async fn insert_get_update_and_batches() {
    let store = store("jobs-crud").await;
    let j = job("j1", "c1", "Daily");
    assert!(store.insert_job(&j).await.expect("insert"));
    assert!(!store.insert_job(&j).await.expect("again"));
    assert_eq!(store.get_job("j1").await.expect("get"), Some(j.clone()));

    let mut edited = j.clone();
    edited.run_count = 7;
    store.update_job(&edited).await.expect("update");
    assert!(matches!(store.update_job(&edited).await, Err(PortError::Conflict(_))));
    assert_eq!(store.get_job("j1").await.expect("get").map(|j| (j.run_count, j.version)), Some((7, 1)));

    // More than one BatchGetItem's worth, with duplicates and missing ids.
    for i in 0..120 {
        assert!(store.insert_job(&job(&format!("b{i:03}"), "c1", &format!("Job {i}"))).await.expect("insert"));
    }
    let mut wanted: Vec<String> = (0..130).rev().map(|i| format!("b{i:03}")).collect();
    wanted.push("b005".into());
    let before = store.request_count();
    let got = store.get_jobs(&wanted).await.expect("batch");
    assert_eq!(store.request_count() - before, 2, "two chunks of at most 100 keys");
    let expected: Vec<String> = (0..120).rev().map(|i| format!("b{i:03}")).collect();
    assert_eq!(ids(&got, |j: &Job| &j.id), expected, "in the order asked, once, missing left out");
    assert!(store.get_jobs(&[]).await.expect("empty").is_empty());
}

async fn all_pages(store: &bc_aws::DynamoStore, filter: &JobFilter, limit: usize) -> Vec<Vec<String>> {
    let mut pages = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page = store.list_jobs(filter, cursor.as_deref(), limit).await.expect("page");
        pages.push(ids(&page.items, |j: &Job| &j.id));
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => return pages,
        }
    }
}

#[tokio::test]
async fn list_by_name_with_filters_fills_pages() {
    let store = store("jobs-list").await;
    // Names sort case-insensitively, then by id.
    let mut jobs = vec![
        job("j1", "c1", "beta"),
        job("j2", "c1", "Alpha"),
        job("j3", "c2", "alpha"),
        job("j4", "c2", "Gamma nightly"),
        with_last(job("j5", "c1", "Delta nightly"), Status::Failed),
        with_last(job("j6", "c2", "epsilon"), Status::Failed),
    ];
    jobs[0].software = "Synology".into();
    for j in &jobs {
        assert!(store.insert_job(j).await.expect("insert"));
    }
    let all = all_pages(&store, &JobFilter::default(), 10).await;
    assert_eq!(all, [["j2", "j3", "j1", "j5", "j6", "j4"]]);

    let c1 = JobFilter { customer_id: Some("c1".into()), ..Default::default() };
    assert_eq!(all_pages(&store, &c1, 2).await, [vec!["j2", "j1"], vec!["j5"]]);

    let software = JobFilter { software: Some("Synology".into()), ..Default::default() };
    assert_eq!(all_pages(&store, &software, 10).await, [["j1"]]);
    let failed = JobFilter { last_status: Some(Status::Failed), ..Default::default() };
    assert_eq!(all_pages(&store, &failed, 10).await, [["j5", "j6"]]);
    let search = JobFilter { search: Some("NIGHT".into()), ..Default::default() };
    assert_eq!(all_pages(&store, &search, 10).await, [["j5", "j4"]]);
    let both = JobFilter { customer_id: Some("c2".into()), search: Some("nightly".into()), ..Default::default() };
    assert_eq!(all_pages(&store, &both, 10).await, [["j4"]]);
}

#[tokio::test]
async fn filtered_paging_reads_on_until_the_page_is_full() {
    let store = store("jobs-paging").await;
    // 250 jobs, every tenth one failed: a page of 4 matches spans several
    // Query pages, and no match may be skipped or repeated.
    let mut expected = Vec::new();
    for i in 0..250 {
        let mut j = job(&format!("j{i:03}"), "c1", &format!("job {i:03}"));
        if i % 10 == 0 {
            j = with_last(j, Status::Failed);
            expected.push(j.id.clone());
        }
        assert!(store.insert_job(&j).await.expect("insert"));
    }
    let failed = JobFilter { last_status: Some(Status::Failed), ..Default::default() };
    let pages = all_pages(&store, &failed, 4).await;
    assert!(pages.iter().rev().skip(1).all(|p| p.len() == 4), "every page but the last is full: {pages:?}");
    assert_eq!(pages.concat(), expected);
}
