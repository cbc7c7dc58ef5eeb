use bc_core::model::User;
use bc_core::ports::PortError;
use bc_core::repos::UserRepo;

use crate::fixtures::{ids, store, user};

#[tokio::test]
async fn usernames_are_unique_and_found_in_any_case() {
    let store = store("users").await;
    store.insert_user(&user("u1", "Alice")).await.expect("insert");
    assert!(matches!(store.insert_user(&user("u2", "alice")).await, Err(PortError::Conflict(_))));
    assert!(matches!(store.insert_user(&user("u1", "carol")).await, Err(PortError::Conflict(_))));
    store.insert_user(&user("u2", "bob")).await.expect("insert");

    assert_eq!(store.get_user("u1").await.expect("get"), Some(user("u1", "Alice")));
    assert_eq!(store.get_user_by_username("ALICE").await.expect("get").map(|u| u.id), Some("u1".into()));
    assert_eq!(store.get_user_by_username("carol").await.expect("get"), None);
    assert_eq!(ids(&store.list_users().await.expect("list"), |u: &User| &u.id), ["u1", "u2"]);

    let mut alice = user("u1", "Alicia");
    store.update_user(&alice).await.expect("rename");
    assert_eq!(store.get_user_by_username("alice").await.expect("get"), None);
    assert_eq!(store.get_user_by_username("alicia").await.expect("get").map(|u| u.version), Some(1));
    assert!(matches!(store.update_user(&alice).await, Err(PortError::Conflict(_))), "stale");
    alice.version = 1;
    alice.username = "BOB".into();
    assert!(matches!(store.update_user(&alice).await, Err(PortError::Conflict(_))), "taken");
    store.insert_user(&user("u3", "alice")).await.expect("the old name is free");
}
