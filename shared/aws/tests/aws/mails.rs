use bc_api_types::MailState;
use bc_core::model::Mail;
use bc_core::ports::PortError;
use bc_core::repos::{MailList, MailRepo};

use crate::fixtures::{at, ids, mail, store};

#[tokio::test]
async fn insert_is_conditional_and_update_is_versioned() {
    let store = store("mail-crud").await;
    let m = mail("m1", MailState::Received, 0);
    assert!(store.insert_mail(&m).await.expect("insert"));
    assert!(!store.insert_mail(&m).await.expect("second insert"), "same id: Ok(false)");
    assert_eq!(store.get_mail("m1").await.expect("get"), Some(m.clone()));
    assert_eq!(store.get_mail("nope").await.expect("get"), None);

    let mut edited = m.clone();
    edited.state = MailState::Inbox;
    edited.subject = "changed".into();
    store.update_mail(&edited).await.expect("update at the read version");
    let stored = store.get_mail("m1").await.expect("get").expect("present");
    assert_eq!(stored.version, 1, "stored version is read version + 1");
    assert_eq!(stored.subject, "changed");

    // `edited` still carries version 0: someone else's write came first.
    let stale = store.update_mail(&edited).await;
    assert!(matches!(stale, Err(PortError::Conflict(_))), "{stale:?}");
    let missing = store.update_mail(&mail("ghost", MailState::Inbox, 0)).await;
    assert!(matches!(missing, Err(PortError::Conflict(_))), "{missing:?}");
}

#[tokio::test]
async fn lists_are_newest_first_and_page_without_gaps() {
    let store = store("mail-list").await;
    for (i, state) in [
        MailState::Inbox,
        MailState::Received,
        MailState::Inbox,
        MailState::Deleted,
        MailState::Processed,
        MailState::Inbox,
        MailState::Deleted,
        MailState::Received,
    ]
    .into_iter()
    .enumerate()
    {
        let m = mail(&format!("m{i}"), state, i as i64);
        assert!(store.insert_mail(&m).await.expect("insert"));
    }

    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page = store.list_mails(MailList::Inbox, cursor.as_deref(), 2).await.expect("page");
        assert!(page.items.len() <= 2);
        seen.extend(ids(&page.items, |m: &Mail| &m.id));
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    assert_eq!(seen, ["m7", "m5", "m2", "m1", "m0"], "inbox + received, newest first");

    let deleted = store.list_mails(MailList::Deleted, None, 10).await.expect("deleted");
    assert_eq!(ids(&deleted.items, |m: &Mail| &m.id), ["m6", "m3"]);
    assert_eq!(deleted.next_cursor, None);

    // A cursor belongs to its list.
    let first = store.list_mails(MailList::Inbox, None, 1).await.expect("page");
    let cursor = first.next_cursor.expect("more");
    let foreign = store.list_mails(MailList::Deleted, Some(&cursor), 1).await;
    assert!(matches!(foreign, Err(PortError::Invalid(_))), "{foreign:?}");
    let garbage = store.list_mails(MailList::Inbox, Some("garbage"), 1).await;
    assert!(matches!(garbage, Err(PortError::Invalid(_))), "{garbage:?}");
    assert!(store.list_mails(MailList::Inbox, None, 0).await.expect("empty").items.is_empty());

    // Deleting moves a mail between the views.
    let mut m0 = store.get_mail("m0").await.expect("get").expect("present");
    m0.state = MailState::Deleted;
    store.update_mail(&m0).await.expect("delete");
    let inbox = store.list_mails(MailList::Inbox, None, 10).await.expect("inbox");
    assert_eq!(ids(&inbox.items, |m: &Mail| &m.id), ["m7", "m5", "m2", "m1"]);
    let deleted = store.list_mails(MailList::Deleted, None, 10).await.expect("deleted");
    assert_eq!(ids(&deleted.items, |m: &Mail| &m.id), ["m6", "m3", "m0"]);
}

#[tokio::test]
async fn inbox_mails_by_identity_and_stuck_received_mails() {
    let store = store("mail-identity").await;
    let with = |id: &str, state, minute, identity: Option<&str>| {
        let mut m = mail(id, state, minute);
        m.identity = identity.map(str::to_string);
        m
    };
    let long = "x".repeat(3000);
    for m in [
        with("a1", MailState::Inbox, 1, Some("acme|veeam|daily")),
        with("a2", MailState::Inbox, 2, Some("acme|veeam|daily")),
        with("a3", MailState::Received, 3, Some("acme|veeam|daily")),
        with("a4", MailState::Processed, 4, Some("acme|veeam|daily")),
        with("b1", MailState::Inbox, 5, Some("acme|veeam|weekly")),
        with("l1", MailState::Inbox, 6, Some(&long)),
        with("r1", MailState::Received, 10, None),
        with("r2", MailState::Received, 20, None),
        with("r3", MailState::Received, 30, None),
    ] {
        assert!(store.insert_mail(&m).await.expect("insert"));
    }
    let daily = store.inbox_mails_for_identity("acme|veeam|daily").await.expect("query");
    assert_eq!(ids(&daily, |m: &Mail| &m.id), ["a1", "a2"]);
    assert_eq!(ids(&store.inbox_mails_for_identity(&long).await.expect("query"), |m: &Mail| &m.id), ["l1"]);
    assert!(store.inbox_mails_for_identity("nobody").await.expect("query").is_empty());

    // Processing a mail takes it out of the identity index.
    let mut a1 = store.get_mail("a1").await.expect("get").expect("present");
    a1.state = MailState::Processed;
    store.update_mail(&a1).await.expect("update");
    let daily = store.inbox_mails_for_identity("acme|veeam|daily").await.expect("query");
    assert_eq!(ids(&daily, |m: &Mail| &m.id), ["a2"]);

    let stuck = store.received_mails_before(at(25), 10).await.expect("query");
    assert_eq!(ids(&stuck, |m: &Mail| &m.id), ["a3", "r1", "r2"], "oldest first, strictly before");
    let stuck = store.received_mails_before(at(25), 1).await.expect("query");
    assert_eq!(ids(&stuck, |m: &Mail| &m.id), ["a3"]);
    assert!(store.received_mails_before(at(0), 10).await.expect("query").is_empty());
}

#[tokio::test]
async fn every_request_is_counted() {
    let store = store("mail-count").await;
    let before = store.request_count();
    store.insert_mail(&mail("m1", MailState::Received, 0)).await.expect("insert");
    store.get_mail("m1").await.expect("get");
    store.list_mails(MailList::Inbox, None, 10).await.expect("list");
    assert_eq!(store.request_count() - before, 3);
}
