use bc_core::model::Customer;
use bc_core::ports::PortError;
use bc_core::repos::CustomerRepo;

use crate::fixtures::{customer, ids, store};

fn is_conflict<T: std::fmt::Debug>(r: Result<T, PortError>) -> bool {
    matches!(r, Err(PortError::Conflict(_)))
}

#[tokio::test]
async fn ids_and_names_are_unique() {
    let store = store("cust-unique").await;
    store.insert_customer(&customer("c1", "Acme")).await.expect("insert");
    assert!(is_conflict(store.insert_customer(&customer("c1", "Other")).await), "id taken");
    assert!(is_conflict(store.insert_customer(&customer("c2", "ACME")).await), "name taken, any case");
    assert_eq!(store.get_customer("c2").await.expect("get"), None, "nothing half-written");
    store.insert_customer(&customer("c2", "beta")).await.expect("insert");
    store.insert_customer(&customer("c3", "Zeta")).await.expect("insert");
    store.insert_customer(&customer("c4", "alpha")).await.expect("insert");
    let all = store.list_customers().await.expect("list");
    assert_eq!(ids(&all, |c: &Customer| &c.id), ["c1", "c4", "c2", "c3"], "by name, case-insensitive");
    assert_eq!(store.get_customer("c1").await.expect("get"), Some(customer("c1", "Acme")));
}

#[tokio::test]
async fn updates_are_versioned_and_renames_move_the_name() {
    let store = store("cust-update").await;
    store.insert_customer(&customer("c1", "Acme")).await.expect("insert");
    store.insert_customer(&customer("c2", "Beta")).await.expect("insert");

    let mut c1 = customer("c1", "Acme");
    c1.job_count = 3;
    store.update_customer(&c1).await.expect("update");
    assert!(is_conflict(store.update_customer(&c1).await), "stale version");

    let mut c1 = store.get_customer("c1").await.expect("get").expect("present");
    assert_eq!((c1.version, c1.job_count), (1, 3));
    c1.name = "beta".into();
    assert!(is_conflict(store.update_customer(&c1).await), "rename onto a taken name");
    assert_eq!(store.get_customer("c1").await.expect("get").map(|c| c.name), Some("Acme".into()));

    c1.name = "ACME corp".into();
    store.update_customer(&c1).await.expect("rename");
    // The old name is free again, the new one is taken.
    store.insert_customer(&customer("c3", "acme")).await.expect("old name reusable");
    assert!(is_conflict(store.insert_customer(&customer("c4", "acme CORP")).await));

    let mut c1 = store.get_customer("c1").await.expect("get").expect("present");
    c1.name = "Acme Corp".into();
    store.update_customer(&c1).await.expect("a change of case only");
    assert_eq!(
        store.get_customer("c1").await.expect("get").map(|c| (c.name, c.version)),
        Some(("Acme Corp".into(), 3))
    );
    assert!(is_conflict(store.update_customer(&customer("ghost", "Ghost")).await), "missing customer");
}
