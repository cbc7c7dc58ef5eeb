//! Redelivery and concurrency on both runtimes: the same mail delivered many
//! times at once gives one mail and one run; many mails of one job at once
//! all become runs, and the job counts each exactly once.

use bc_api_types::{MailState, Status};
use bc_core::Actor;
use bc_tests::Runtime;
use bc_tests::mails::VeeamMail;

async fn approved_job(rt: &Runtime) -> String {
    let c = rt.app.create_customer(&Actor::system(), "Acme").await.expect("customer");
    let first = rt
        .app
        .ingest_bytes(VeeamMail::new("v@a.example.com", "Daily", Status::Success, 0).eml())
        .await
        .expect("ingest");
    rt.app.approve(&Actor::system(), &first.mail.id, &c.id).await.expect("approve").job.id
}

async fn same_mail_many_times_at_once(rt: Runtime) {
    let job = approved_job(&rt).await;
    let eml = VeeamMail::new("v@a.example.com", "Daily", Status::Failed, 1).eml();
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let (app, eml) = (rt.app.clone(), eml.clone());
            tokio::spawn(async move { app.ingest_bytes(eml).await })
        })
        .collect();
    let mut fresh = 0;
    let mut mail_ids = std::collections::HashSet::new();
    for t in tasks {
        let out = t.await.expect("task").expect("every delivery succeeds");
        assert_eq!(out.mail.state, MailState::Processed);
        mail_ids.insert(out.mail.id.clone());
        if !out.duplicate {
            fresh += 1;
        }
    }
    assert_eq!(mail_ids.len(), 1);
    assert!(fresh >= 1);
    let job = rt.app.store.get_job(&job).await.expect("get").expect("job");
    assert_eq!(job.run_count, 2, "the approved first mail and this one, once");
    assert_eq!(rt.app.store.list_unreviewed_runs(Some(&job.id), None, 10_000).await.expect("runs").items.len(), 2);
}

async fn many_mails_of_one_job_at_once(rt: Runtime) {
    let job = approved_job(&rt).await;
    let tasks: Vec<_> = (1..=10)
        .map(|i| {
            let app = rt.app.clone();
            let eml = VeeamMail::new("v@a.example.com", "Daily", Status::Success, i).eml();
            tokio::spawn(async move { app.ingest_bytes(eml).await })
        })
        .collect();
    for t in tasks {
        let out = t.await.expect("task").expect("ingest");
        assert!(out.run.is_some());
    }
    let job = rt.app.store.get_job(&job).await.expect("get").expect("job");
    assert_eq!(job.run_count, 11);
    assert_eq!(job.last_run.expect("last run").at, VeeamMail::new("v", "Daily", Status::Success, 10).started());
    assert_eq!(rt.app.store.list_runs(&job.id, None, 50).await.expect("runs").items.len(), 11);
}

#[tokio::test]
async fn embedded_same_mail_many_times_at_once() {
    same_mail_many_times_at_once(Runtime::embedded()).await;
}

#[tokio::test]
async fn embedded_many_mails_of_one_job_at_once() {
    many_mails_of_one_job_at_once(Runtime::embedded()).await;
}

#[cfg(feature = "aws")]
#[tokio::test]
async fn aws_same_mail_many_times_at_once() {
    same_mail_many_times_at_once(Runtime::aws("idem-same").await).await;
}

// No concurrent "many mails of one job" on moto: moto applies a
// TransactWriteItems by snapshotting the table and restoring the snapshot on
// a cancelled transaction, without a lock, so concurrent transactions lose
// each other's writes there (DynamoDB itself serialises them). The version
// conditions that make the retry loop correct are checked on both adapter
// sets by the conformance suite (`record_run_is_atomic_and_once`).

/// An ingest cut off after "stored" (the process died before routing) is
/// finished by the scheduler tick once the mail is five minutes old.
async fn interrupted_ingest_is_resumed_by_the_tick(rt: Runtime, clock: std::sync::Arc<bc_core::ports::ManualClock>) {
    use bc_core::ports::Clock;
    let eml = VeeamMail::new("v@a.example.com", "Daily", Status::Warning, 3).eml();
    rt.app.blobs.put("inbound/cut-off.eml", eml.clone(), "message/rfc822").await.expect("raw");
    // What ingest had written when it was cut off: the mail, state received.
    let mail = bc_parsers::read_mail(&eml).expect("mail");
    let stuck = bc_core::model::Mail {
        subject: mail.subject.clone(),
        date: mail.date,
        message_id: mail.message_id.clone(),
        size: eml.len() as u64,
        ..bc_core::model::Mail::received(
            "mstuck000000000000000001",
            "mid:stuck",
            "inbound/cut-off.eml",
            mail.from_address.clone().unwrap_or_default(),
            clock.now(),
        )
    };
    assert!(rt.app.store.insert_mail(&stuck).await.expect("insert"));
    // Too young: a concurrent ingest may still be working on it.
    assert_eq!(rt.app.tick().await.expect("tick").mails_resumed, 0);
    clock.advance(chrono::Duration::minutes(6));
    assert_eq!(rt.app.tick().await.expect("tick").mails_resumed, 1);
    let done = rt.app.store.get_mail(&stuck.id).await.expect("get").expect("mail");
    assert_eq!(done.state, MailState::Inbox);
    assert_eq!(done.parse.job_name.as_deref(), Some("Daily"));
    assert!(done.html_key.is_some(), "bodies stored on resume");
    assert_eq!(rt.app.tick().await.expect("tick").mails_resumed, 0, "once");
}

#[tokio::test]
async fn embedded_interrupted_ingest_is_resumed_by_the_tick() {
    let clock = std::sync::Arc::new(bc_core::ports::ManualClock::new(chrono::Utc::now()));
    interrupted_ingest_is_resumed_by_the_tick(Runtime::embedded_with_clock(clock.clone()), clock).await;
}

#[cfg(feature = "aws")]
#[tokio::test]
async fn aws_interrupted_ingest_is_resumed_by_the_tick() {
    let clock = std::sync::Arc::new(bc_core::ports::ManualClock::new(chrono::Utc::now()));
    let mut rt = Runtime::aws("resume").await;
    rt.app.clock = clock.clone();
    interrupted_ingest_is_resumed_by_the_tick(rt, clock).await;
}
