use bc_core::ports::PortError;
use bc_core::repos::{CounterRepo, SessionRepo, SettingsRepo};

use crate::fixtures::{at, session, store};

#[tokio::test]
async fn sessions_insert_get_delete_and_purge() {
    let store = store("sessions").await;
    let s1 = session("h1", "u1", 60);
    store.insert_session(&s1).await.expect("insert");
    assert!(matches!(store.insert_session(&s1).await, Err(PortError::Conflict(_))));
    assert_eq!(store.get_session("h1").await.expect("get"), Some(s1));
    store.delete_session("h1").await.expect("delete");
    assert_eq!(store.get_session("h1").await.expect("get"), None);
    store.delete_session("h1").await.expect("deleting twice is fine");

    for (hash, minute) in [("a", 10), ("b", 20), ("c", 30), ("d", 40)] {
        store.insert_session(&session(hash, "u1", minute)).await.expect("insert");
    }
    assert_eq!(store.purge_expired_sessions(at(25)).await.expect("purge"), 2);
    assert_eq!(store.get_session("a").await.expect("get"), None);
    assert_eq!(store.get_session("b").await.expect("get"), None);
    assert!(store.get_session("c").await.expect("get").is_some());
    assert_eq!(store.purge_expired_sessions(at(25)).await.expect("purge"), 0);
}

#[tokio::test]
async fn counters_add_atomically_and_carry_a_ttl() {
    let store = store("counters").await;
    assert_eq!(store.get_counter("login:alice").await.expect("get"), 0);
    for expected in 1..=3 {
        let n = store.bump_counter("login:alice", at(15)).await.expect("bump");
        assert_eq!(n, expected);
    }
    assert_eq!(store.bump_counter("login:bob", at(15)).await.expect("bump"), 1);
    assert_eq!(store.get_counter("login:alice").await.expect("get"), 3);

    // The first bump of a window fixes its TTL.
    store.bump_counter("login:alice", at(99)).await.expect("bump");
    let endpoint = bc_aws::testing::moto_endpoint().expect("moto");
    let client = aws_sdk_dynamodb::Client::new(&bc_aws::testing::sdk_config(&endpoint).await);
    let item = client
        .get_item()
        .table_name(store.table_name())
        .key("pk", aws_sdk_dynamodb::types::AttributeValue::S("COUNTER#login:alice".into()))
        .key("sk", aws_sdk_dynamodb::types::AttributeValue::S("COUNTER".into()))
        .send()
        .await
        .expect("get")
        .item
        .expect("present");
    assert_eq!(item.get("ttl"), Some(&aws_sdk_dynamodb::types::AttributeValue::N(at(15).timestamp().to_string())));

    store.reset_counter("login:alice").await.expect("reset");
    assert_eq!(store.get_counter("login:alice").await.expect("get"), 0);
    assert_eq!(store.get_counter("login:bob").await.expect("get"), 1);
}

#[tokio::test]
async fn settings_round_trip() {
    let store = store("settings").await;
    assert_eq!(store.get_setting("timezone").await.expect("get"), None);
    store.put_setting("timezone", "Europe/Amsterdam").await.expect("put");
    store.put_setting("empty", "").await.expect("put an empty value");
    assert_eq!(store.get_setting("timezone").await.expect("get").as_deref(), Some("Europe/Amsterdam"));
    store.put_setting("timezone", "UTC").await.expect("overwrite");
    assert_eq!(store.get_setting("timezone").await.expect("get").as_deref(), Some("UTC"));
    assert_eq!(store.get_setting("empty").await.expect("get").as_deref(), Some(""));
}
