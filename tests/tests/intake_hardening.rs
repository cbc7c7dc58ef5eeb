//! No mail can stop intake, a same-id mail with other content is kept as a
//! conflict, and concurrent logins cannot outrun the limit — on both
//! runtimes.

use bc_api_types::{MailState, Status};
use bc_tests::mails::VeeamMail;
use bc_tests::{ADMIN, Runtime};

const SENDER: &str = "veeam@acme.example.com";

fn fixture(name: &str) -> Vec<u8> {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/parsers/tests/fixtures/unparsed").join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The mail that made a parser panic (a Retrospect `using at` line) and the
/// fuzzer's other findings end unparsed with their reason, kept in the
/// Inbox; the next mail is ingested as usual.
async fn hostile_mails_end_unparsed_and_intake_goes_on(rt: Runtime) {
    for name in
        ["retrospect-using-at-subject-lost.eml", "veeam-cut-before-header-row.eml", "veeam-text-only-cells-glued.eml"]
    {
        let out = rt.app.ingest_bytes(fixture(name)).await.expect("ingested, not failed");
        assert_eq!(out.mail.state, MailState::Inbox, "{name}");
        assert!(!out.mail.parse.ok, "{name}");
        let reason = out.mail.parse.error.clone().unwrap_or_default();
        assert!(!reason.is_empty(), "{name}: a reason");
    }
    let next = rt.app.ingest_bytes(VeeamMail::new(SENDER, "Daily", Status::Success, 1).eml()).await.expect("next");
    assert!(next.mail.parse.ok);
    assert_eq!(next.mail.state, MailState::Inbox);
}

/// A forged "[Success]" with a real report's sender and Message-ID neither
/// replaces nor hides the real one: it is kept beside it, flagged, and never
/// becomes a run by itself.
async fn same_id_other_content_is_a_conflict(rt: Runtime) {
    let real = VeeamMail::new(SENDER, "Daily", Status::Failed, 1);
    let first = rt.app.ingest_bytes(real.eml()).await.expect("first");
    let mut forged_bytes = VeeamMail::new(SENDER, "Daily", Status::Success, 1).eml();
    forged_bytes.extend_from_slice(b"\r\n");
    let forged = rt.app.ingest_bytes(forged_bytes.clone()).await.expect("forged");
    assert!(!forged.duplicate, "different content is not a duplicate");
    assert_ne!(forged.mail.id, first.mail.id);
    assert_eq!(forged.mail.conflict_of.as_deref(), Some(first.mail.id.as_str()));
    assert_eq!(forged.mail.state, MailState::Inbox);
    // The same bytes again are a duplicate of each.
    assert!(rt.app.ingest_bytes(real.eml()).await.expect("again").duplicate);
    let again = rt.app.ingest_bytes(forged_bytes).await.expect("again");
    assert!(again.duplicate);
    assert_eq!(again.mail.id, forged.mail.id);
    // Approving the real one's job does not take the conflicting mail along.
    let admin = rt.app.login(ADMIN.0, ADMIN.1, "t").await.expect("login").into_session().expect("no second step");
    let actor = bc_core::Actor::of(&admin.user);
    let c = rt.app.create_customer(&actor, "Acme").await.expect("customer");
    let approved = rt.app.approve(&actor, &first.mail.id, &c.id).await.expect("approve");
    assert_eq!(approved.also_processed, 0);
    let kept = rt.app.store.get_mail(&forged.mail.id).await.expect("get").expect("kept");
    assert_eq!(kept.state, MailState::Inbox);
    let inbox = rt.app.inbox(&actor, None, 50).await.expect("inbox");
    let item = inbox.items.iter().find(|i| i.id == forged.mail.id).expect("in the Inbox");
    assert_eq!(item.conflict_of.as_deref(), Some(first.mail.id.as_str()));
}

/// Forty wrong-password logins at once on one name from one client:
/// exactly five are checked (401), the rest refused unchecked (429).
/// (Many clients at once: tests/tests/login_limits.rs.)
async fn concurrent_logins_make_five_checks(rt: Runtime) {
    let tries = (0..40).map(|_| {
        let app = rt.app.clone();
        tokio::spawn(async move { app.login(ADMIN.0, "wrong-password!", "10.0.0.1").await })
    });
    let (mut checked, mut limited) = (0, 0);
    for t in tries {
        match t.await.expect("join") {
            Err(bc_core::Error::Unauthorized) => checked += 1,
            Err(bc_core::Error::RateLimited) => limited += 1,
            other => panic!("unexpected {other:?}", other = other.map(|_| ())),
        }
    }
    assert_eq!((checked, limited), (5, 35));
    // The right password from that client is limited too until the window ends.
    assert!(matches!(rt.app.login(ADMIN.0, ADMIN.1, "10.0.0.1").await, Err(bc_core::Error::RateLimited)));
}

#[tokio::test]
async fn hostile_mails_on_the_embedded_store() {
    hostile_mails_end_unparsed_and_intake_goes_on(Runtime::embedded()).await;
}

#[tokio::test]
async fn conflicts_on_the_embedded_store() {
    same_id_other_content_is_a_conflict(Runtime::embedded().with_users().await).await;
}

#[tokio::test]
async fn logins_on_the_embedded_store() {
    concurrent_logins_make_five_checks(Runtime::embedded().with_users().await).await;
}

#[cfg(feature = "aws")]
mod aws {
    use super::*;

    #[tokio::test]
    async fn hostile_mails_on_dynamodb() {
        hostile_mails_end_unparsed_and_intake_goes_on(Runtime::aws("hostile").await).await;
    }

    #[tokio::test]
    async fn conflicts_on_dynamodb() {
        same_id_other_content_is_a_conflict(Runtime::aws("conflict").await.with_users().await).await;
    }

    #[tokio::test]
    async fn logins_on_dynamodb() {
        concurrent_logins_make_five_checks(Runtime::aws("logins").await.with_users().await).await;
    }
}
