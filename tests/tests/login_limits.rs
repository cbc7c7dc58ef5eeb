//! Password guessing is limited without a way to lock an account out, on
//! both runtimes: a spray of the admin's name from many addresses uses up
//! the account's budget for unfamiliar clients (exactly, under
//! concurrency) but the admin, from the address they signed in from
//! before, still signs in; the spraying client itself is limited; the
//! current-password check of a password change is limited too.

use bc_core::Error;
use bc_core::auth::sessions::{
    MAX_ATTEMPTS_PER_ACCOUNT_AND_CLIENT, MAX_FAILURES_PER_CLIENT, MAX_UNFAMILIAR_ATTEMPTS_PER_ACCOUNT,
};
use bc_tests::{ADMIN, OPERATOR, Runtime};

const ADMIN_DESK: &str = "192.0.2.10";

fn outcome(r: Result<bc_core::auth::LoginOutcome, Error>) -> &'static str {
    match r {
        Ok(_) => "signed in",
        Err(Error::Unauthorized) => "checked",
        Err(Error::RateLimited) => "limited",
        Err(e) => panic!("unexpected {e:?}"),
    }
}

async fn a_spray_does_not_lock_the_admin_out(rt: Runtime) {
    // The admin signed in from their desk before the attack.
    assert_eq!(outcome(rt.app.login(ADMIN.0, ADMIN.1, ADMIN_DESK).await), "signed in");

    // Forty addresses at once, one guess each: the account's budget for
    // unfamiliar clients gives exactly what is left of it in password checks.
    let tries = (0..40).map(|i| {
        let app = rt.app.clone();
        tokio::spawn(async move { outcome(app.login(ADMIN.0, "guess-password-1", &format!("203.0.113.{i}")).await) })
    });
    let mut results = Vec::new();
    for t in tries {
        results.push(t.await.expect("join"));
    }
    let checked = results.iter().filter(|r| **r == "checked").count() as u64;
    let limited = results.iter().filter(|r| **r == "limited").count() as u64;
    // (The admin's own first sign-in, from a desk then new, came out of the same budget.)
    let budget = MAX_UNFAMILIAR_ATTEMPTS_PER_ACCOUNT - 1;
    assert_eq!((checked, limited), (budget, 40 - budget));
    // More of the same stays refused unchecked, the right password included
    // from an address the account does not know.
    assert_eq!(outcome(rt.app.login(ADMIN.0, "guess-password-2", "203.0.113.200").await), "limited");
    assert_eq!(outcome(rt.app.login(ADMIN.0, ADMIN.1, "198.51.100.7").await), "limited");

    // The admin, from their own desk, signs in (a typo first is fine).
    assert_eq!(outcome(rt.app.login(ADMIN.0, "typo-password", ADMIN_DESK).await), "checked");
    assert_eq!(outcome(rt.app.login(ADMIN.0, ADMIN.1, ADMIN_DESK).await), "signed in");
    // Other accounts are not touched by the spray.
    assert_eq!(outcome(rt.app.login(OPERATOR.0, OPERATOR.1, "198.51.100.8").await), "signed in");
}

async fn the_spraying_client_is_limited(rt: Runtime) {
    let attacker = "203.0.113.99";
    // On one account: its per-(account, client) attempts, counted before the check.
    for _ in 0..MAX_ATTEMPTS_PER_ACCOUNT_AND_CLIENT {
        assert_eq!(outcome(rt.app.login(OPERATOR.0, "guess-password-1", attacker).await), "checked");
    }
    assert_eq!(outcome(rt.app.login(OPERATOR.0, OPERATOR.1, attacker).await), "limited");
    // Across names: its failures per client, whatever the names.
    let mut checked = MAX_ATTEMPTS_PER_ACCOUNT_AND_CLIENT;
    let mut i = 0;
    while checked < MAX_FAILURES_PER_CLIENT {
        assert_eq!(outcome(rt.app.login(&format!("someone{i}"), "guess-password-1", attacker).await), "checked");
        checked += 1;
        i += 1;
    }
    assert_eq!(outcome(rt.app.login("someone-else", "guess-password-1", attacker).await), "limited");
    assert_eq!(outcome(rt.app.login(ADMIN.0, ADMIN.1, attacker).await), "limited", "even with a right password");
    // Everyone else carries on.
    assert_eq!(outcome(rt.app.login(OPERATOR.0, OPERATOR.1, "198.51.100.8").await), "signed in");
}

async fn the_current_password_check_is_limited(rt: Runtime) {
    let session =
        rt.app.login(OPERATOR.0, OPERATOR.1, "198.51.100.8").await.expect("login").into_session().expect("session");
    let actor = rt.app.authenticate(&session.token).await.expect("actor");
    for _ in 0..MAX_ATTEMPTS_PER_ACCOUNT_AND_CLIENT {
        let r = rt.app.change_own_password(&actor, "guess-password-1", "new-password-123").await;
        assert!(matches!(r, Err(Error::Invalid(_))), "a wrong current password: {:?}", r.map(|_| ()));
    }
    let r = rt.app.change_own_password(&actor, OPERATOR.1, "new-password-123").await;
    assert!(matches!(r, Err(Error::RateLimited)), "limited, even with the right one: {:?}", r.map(|_| ()));
    // Nothing changed: the old password still signs in.
    assert_eq!(outcome(rt.app.login(OPERATOR.0, OPERATOR.1, "198.51.100.8").await), "signed in");
}

#[tokio::test]
async fn spray_on_the_embedded_store() {
    a_spray_does_not_lock_the_admin_out(Runtime::embedded().with_users().await).await;
}

#[tokio::test]
async fn client_limits_on_the_embedded_store() {
    the_spraying_client_is_limited(Runtime::embedded().with_users().await).await;
}

#[tokio::test]
async fn password_change_on_the_embedded_store() {
    the_current_password_check_is_limited(Runtime::embedded().with_users().await).await;
}

#[cfg(feature = "aws")]
mod aws {
    use super::*;

    #[tokio::test]
    async fn spray_on_dynamodb() {
        a_spray_does_not_lock_the_admin_out(Runtime::aws("spray").await.with_users().await).await;
    }

    #[tokio::test]
    async fn client_limits_on_dynamodb() {
        the_spraying_client_is_limited(Runtime::aws("clientlimit").await.with_users().await).await;
    }

    #[tokio::test]
    async fn password_change_on_dynamodb() {
        the_current_password_check_is_limited(Runtime::aws("pwchange").await.with_users().await).await;
    }
}
