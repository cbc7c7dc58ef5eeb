//! The port contract, held against both adapter sets: every test below runs
//! once on the embedded adapters (SQLite, files, SQLite queue, outbox) and
//! once on the AWS adapters (DynamoDB, S3, SQS, SES v2) against moto.

use std::sync::Arc;

use bc_api_types::{MailState, Role, Sizes, Status};
use bc_core::Store;
use bc_core::model::{
    ApiToken, AuditRecord, Customer, Deletion, Job, LastRun, Mail, Operation, ParseSummary, Review, Run, Session, User,
};
use bc_core::ports::{Blobs, Mailer, OutboundMail, PortError, Queue, SecretName, Secrets};
use bc_core::repos::AuditFilter;
use bc_core::repos::{JobFilter, MailList, RecordRun};
use chrono::{DateTime, Duration, TimeZone, Utc};

struct Adapters {
    store: Arc<dyn Store>,
    blobs: Arc<dyn Blobs>,
    queue: Arc<dyn Queue>,
    mailer: Arc<dyn Mailer>,
    secrets: Arc<dyn Secrets>,
    /// moto isolates concurrent TransactWriteItems poorly (it snapshots the
    /// table and restores it on a cancelled transaction, without a lock), so
    /// tests that race transactions run them one after another there.
    /// DynamoDB itself runs transactions serializably.
    racing_transactions: bool,
    _keep: Option<tempfile::TempDir>,
}

fn embedded() -> Adapters {
    let dir = tempfile::tempdir().expect("tempdir");
    let e = bc_embedded::Embedded::open(dir.path()).expect("open");
    // A short visibility timeout keeps the queue tests quick.
    let queue = bc_embedded::SqliteQueue::open(&dir.path().join("backupchecks.db")).expect("queue").with_limits(2, 5);
    Adapters {
        store: e.store,
        blobs: e.blobs,
        queue: Arc::new(queue),
        mailer: e.mailer,
        secrets: e.secrets,
        racing_transactions: true,
        _keep: Some(dir),
    }
}

#[cfg(feature = "aws")]
async fn aws(label: &str) -> Adapters {
    let a = bc_aws::testing::adapters(label).await.expect("moto adapters");
    // The secrets as the SAM template creates them: empty placeholders.
    let sm = aws_sdk_secretsmanager::Client::new(&a.sdk);
    let mut arns = std::collections::HashMap::new();
    for (name, placeholder) in [
        (SecretName::Autotask, r#"{"username":"","secret":""}"#),
        (SecretName::Storage, "{}"),
        (SecretName::Platforms, "{}"),
    ] {
        let out = sm
            .create_secret()
            .name(format!("{}/{}", bc_aws::testing::unique_prefix(label), name.as_str()))
            .secret_string(placeholder)
            .send()
            .await
            .expect("create secret");
        arns.insert(name, out.arn().expect("arn").to_string());
    }
    let secrets = Arc::new(bc_aws::SecretsManagerSecrets::new(sm, arns));
    Adapters {
        store: a.store,
        blobs: a.blobs,
        queue: a.queue,
        mailer: a.mailer,
        secrets,
        racing_transactions: false,
        _keep: None,
    }
}

macro_rules! conformance {
    ($($name:ident),* $(,)?) => {
        mod on_embedded {
            $(#[tokio::test] async fn $name() { super::$name(super::embedded()).await })*
        }
        #[cfg(feature = "aws")]
        mod on_aws {
            $(#[tokio::test] async fn $name() { super::$name(super::aws(stringify!($name)).await).await })*
        }
    };
}

conformance!(
    mails_insert_once_and_update_by_version,
    inbox_lists_newest_first_in_pages,
    inbox_by_identity_and_stuck_mails,
    customers_have_unique_names,
    jobs_insert_once_and_filter,
    record_run_is_atomic_and_once,
    unreviewed_index_follows_reviews,
    runs_list_newest_first_in_pages,
    users_have_unique_names,
    sessions_expire,
    counters_count,
    settings_round_trip,
    blobs_round_trip,
    queue_delivers_retries_and_dead_letters,
    mailer_sends,
    secrets_are_unset_until_put,
    unreviewed_runs_page_and_count_by_job,
    runs_update_in_batches_by_version,
    audit_is_append_only_newest_first_and_filtered,
    claims_are_taken_once_under_concurrent_redelivery,
    api_tokens_round_trip,
    operations_are_versioned,
    overrides_round_trip_by_version_and_number,
    reviewed_runs_list_newest_review_first_filtered_and_counted,
    remarks_are_versioned_and_listed_active_by_job,
    tickets_one_open_per_run_even_when_racing,
    job_lifecycle_moves_lists_and_deletes,
    reindex_of_a_current_store_writes_nothing_and_ends,
    quarantined_mails_keep_their_intake_and_list_apart,
    due_jobs_by_next_due_and_missed_runs_once,
    tapes_have_unique_barcodes_and_versions,
    tape_locations_and_custody_by_tape,
    tape_jobs_bind_tapes_in_order,
    backup_docs_are_versioned_grouped_and_due,
    backup_doc_update_and_claim_are_one_write,
    protected_objects_are_counted_and_queued,
    platform_docs_are_due_by_next_sync_apart_from_engines,
);

fn t(day: u32, hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, day, hour, 0, 0).single().expect("time")
}

fn mail(id: &str, at: DateTime<Utc>, state: MailState, identity: Option<&str>) -> Mail {
    Mail {
        sender_name: Some("Veeam".into()),
        recipients: vec!["ops@msp.example.net".into()],
        subject: format!("[Success] {id}"),
        message_id: Some(format!("{id}@x")),
        size: 1234,
        state,
        parse: ParseSummary { ok: true, status: Some(Status::Success), object_count: 2, ..Default::default() },
        identity: identity.map(Into::into),
        ..Mail::received(id, format!("mid:{id}"), format!("inbound/{id}.eml"), "veeam@acme.example.com", at)
    }
}

fn customer(id: &str, name: &str) -> Customer {
    Customer {
        id: id.into(),
        name: name.into(),
        active: true,
        created_at: t(1, 8),
        job_count: 0,
        psa: None,
        version: 0,
    }
}

fn job(id: &str, customer_id: &str, name: &str, software: &str) -> Job {
    Job {
        id: id.into(),
        identity: format!("x|{software}|{name}").to_lowercase(),
        customer_id: customer_id.into(),
        sender: "veeam@acme.example.com".into(),
        software: software.into(),
        job_type: "Backup".into(),
        job_name: name.into(),
        parser: "veeam-vbr".into(),
        approved_at: t(1, 9),
        approved_by: "olga".into(),
        last_run: None,
        run_count: 0,
        lifecycle: Default::default(),
        schedule: Default::default(),
        ping: None,
        source: Default::default(),
        version: 0,
    }
}

fn run(id: &str, job_id: &str, mail_id: &str, at: DateTime<Utc>, status: Status) -> Run {
    Run {
        mail_id: mail_id.into(),
        started_at: Some(at),
        ended_at: Some(at + Duration::minutes(30)),
        duration_secs: Some(1800),
        sizes: Sizes { total_bytes: Some(10), ..Default::default() },
        object_count: 3,
        ..Run::new(id, job_id, "c1", status, at + Duration::minutes(31))
    }
}

fn is_conflict<T: std::fmt::Debug>(r: Result<T, PortError>) -> bool {
    matches!(r, Err(PortError::Conflict(_)))
}

async fn mails_insert_once_and_update_by_version(a: Adapters) {
    let s = &a.store;
    let m = mail("m1", t(2, 6), MailState::Received, None);
    assert!(s.insert_mail(&m).await.unwrap());
    assert!(!s.insert_mail(&m).await.unwrap(), "a second insert of the same id is refused");
    let got = s.get_mail("m1").await.unwrap().expect("stored");
    assert_eq!(got, m);
    assert_eq!(s.get_mail("m404").await.unwrap(), None);

    let mut next = got.clone();
    next.state = MailState::Inbox;
    next.identity = Some("a|b|c".into());
    s.update_mail(&next).await.unwrap();
    let stored = s.get_mail("m1").await.unwrap().unwrap();
    assert_eq!(stored.version, 1);
    assert_eq!(stored.state, MailState::Inbox);
    // The stale copy (version 0) no longer writes.
    assert!(is_conflict(s.update_mail(&next).await));
    assert_eq!(s.get_mail("m1").await.unwrap().unwrap().version, 1);
}

async fn inbox_lists_newest_first_in_pages(a: Adapters) {
    let s = &a.store;
    for i in 0..7u32 {
        let state = if i == 3 {
            MailState::Processed
        } else if i == 5 {
            MailState::Deleted
        } else {
            MailState::Inbox
        };
        let mut m = mail(&format!("m{i}"), t(2, i), state, None);
        if state == MailState::Deleted {
            m.deleted = Some(Deletion { by: "olga".into(), at: t(3, 1) });
        }
        assert!(s.insert_mail(&m).await.unwrap());
    }
    // Same received_at for two mails: the id breaks the tie, nothing is lost.
    assert!(s.insert_mail(&mail("m7", t(2, 6), MailState::Received, None)).await.unwrap());
    let mut seen = vec![];
    let mut cursor = None;
    loop {
        let page = s.list_mails(MailList::Inbox, cursor.as_deref(), 2).await.unwrap();
        assert!(page.items.len() <= 2);
        seen.extend(page.items.iter().map(|m| m.id.clone()));
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    assert_eq!(seen, ["m7", "m6", "m4", "m2", "m1", "m0"]);
    let deleted = s.list_mails(MailList::Deleted, None, 50).await.unwrap();
    assert_eq!(deleted.items.iter().map(|m| m.id.as_str()).collect::<Vec<_>>(), ["m5"]);
    assert_eq!(deleted.next_cursor, None);
    assert!(matches!(s.list_mails(MailList::Inbox, Some("not-a-cursor"), 2).await, Err(PortError::Invalid(_))));
}

async fn inbox_by_identity_and_stuck_mails(a: Adapters) {
    let s = &a.store;
    s.insert_mail(&mail("a1", t(2, 1), MailState::Inbox, Some("id|x"))).await.unwrap();
    s.insert_mail(&mail("a2", t(2, 2), MailState::Inbox, Some("id|x"))).await.unwrap();
    s.insert_mail(&mail("a3", t(2, 3), MailState::Processed, Some("id|x"))).await.unwrap();
    s.insert_mail(&mail("a4", t(2, 4), MailState::Inbox, Some("id|y"))).await.unwrap();
    s.insert_mail(&mail("r1", t(2, 5), MailState::Received, None)).await.unwrap();
    s.insert_mail(&mail("r2", t(4, 5), MailState::Received, None)).await.unwrap();
    let mut ids: Vec<String> = s.inbox_mails_for_identity("id|x").await.unwrap().into_iter().map(|m| m.id).collect();
    ids.sort();
    assert_eq!(ids, ["a1", "a2"]);
    // Leaving the Inbox removes a mail from that index.
    let mut a2 = s.get_mail("a2").await.unwrap().unwrap();
    a2.state = MailState::Deleted;
    s.update_mail(&a2).await.unwrap();
    let ids: Vec<String> = s.inbox_mails_for_identity("id|x").await.unwrap().into_iter().map(|m| m.id).collect();
    assert_eq!(ids, ["a1"]);
    let stuck: Vec<String> = s.received_mails_before(t(3, 0), 10).await.unwrap().into_iter().map(|m| m.id).collect();
    assert_eq!(stuck, ["r1"]);
}

async fn customers_have_unique_names(a: Adapters) {
    let s = &a.store;
    s.insert_customer(&customer("c1", "Acme BV")).await.unwrap();
    s.insert_customer(&customer("c2", "Globex")).await.unwrap();
    assert!(is_conflict(s.insert_customer(&customer("c3", "ACME bv")).await), "names are case-insensitive unique");
    assert!(is_conflict(s.insert_customer(&customer("c1", "Other")).await), "ids are unique");
    let mut c2 = s.get_customer("c2").await.unwrap().unwrap();
    c2.name = "acme BV".into();
    assert!(is_conflict(s.update_customer(&c2).await), "a rename cannot take a used name");
    c2.name = "Globex Corp".into();
    s.update_customer(&c2).await.unwrap();
    assert!(is_conflict(s.update_customer(&c2).await), "stale version");
    // The old name is free again.
    s.insert_customer(&customer("c3", "Globex")).await.unwrap();
    let names: Vec<String> = s.list_customers().await.unwrap().into_iter().map(|c| c.name).collect();
    assert_eq!(names, ["Acme BV", "Globex", "Globex Corp"]);
    assert_eq!(s.get_customer("c2").await.unwrap().unwrap().version, 1);
}

async fn jobs_insert_once_and_filter(a: Adapters) {
    let s = &a.store;
    let names = ["Daily VMs", "SQL Backup", "Copy to NAS", "daily files", "Exchange"];
    for (i, n) in names.iter().enumerate() {
        let cust = if i % 2 == 0 { "c1" } else { "c2" };
        let software = if i < 3 { "Veeam Backup & Replication" } else { "Proxmox VE" };
        let mut j = job(&format!("j{i}"), cust, n, software);
        if i == 1 {
            j.last_run = Some(LastRun { run_id: "r".into(), at: t(2, 2), status: Status::Failed });
        }
        if i == 2 {
            j.source = bc_api_types::JobSource::Native { policy_id: "pol1".into() };
            j.job_type = "Incremental".into();
            j.last_run = Some(LastRun { run_id: "r2".into(), at: t(3, 2), status: Status::Success });
        }
        if i == 4 {
            j.source = bc_api_types::JobSource::Platform { platform_id: "pf1".into(), external_id: "x1".into() };
        }
        assert!(s.insert_job(&j).await.unwrap());
    }
    assert!(!s.insert_job(&job("j0", "c1", "Daily VMs", "x")).await.unwrap());
    let got = s.get_jobs(&["j4".into(), "nope".into(), "j0".into()]).await.unwrap();
    let mut ids: Vec<_> = got.iter().map(|j| j.id.as_str()).collect();
    ids.sort();
    assert_eq!(ids, ["j0", "j4"]);

    let all = |f: JobFilter| {
        let s = s.clone();
        async move {
            let mut out = vec![];
            let mut cursor = None;
            loop {
                let p = s.list_jobs(&f, cursor.as_deref(), 2).await.unwrap();
                out.extend(p.items.into_iter().map(|j| j.job_name));
                match p.next_cursor {
                    Some(c) => cursor = Some(c),
                    None => return out,
                }
            }
        }
    };
    assert_eq!(all(JobFilter::default()).await, ["Copy to NAS", "daily files", "Daily VMs", "Exchange", "SQL Backup"]);
    assert_eq!(
        all(JobFilter { customer_id: Some("c1".into()), ..Default::default() }).await,
        ["Copy to NAS", "Daily VMs", "Exchange"]
    );
    assert_eq!(
        all(JobFilter { software: Some("Proxmox VE".into()), ..Default::default() }).await,
        ["daily files", "Exchange"]
    );
    assert_eq!(all(JobFilter { last_status: Some(Status::Failed), ..Default::default() }).await, ["SQL Backup"]);
    assert_eq!(
        all(JobFilter { search: Some("DAILY".into()), ..Default::default() }).await,
        ["daily files", "Daily VMs"]
    );
    assert_eq!(
        all(JobFilter { customer_id: Some("c1".into()), search: Some("a".into()), ..Default::default() }).await,
        ["Copy to NAS", "Daily VMs", "Exchange"]
    );
    use bc_api_types::JobSourceKind as K;
    assert_eq!(
        all(JobFilter { source: Some(K::Mail), ..Default::default() }).await,
        ["daily files", "Daily VMs", "SQL Backup"]
    );
    assert_eq!(all(JobFilter { source: Some(K::Native), ..Default::default() }).await, ["Copy to NAS"]);
    assert_eq!(all(JobFilter { source: Some(K::Platform), ..Default::default() }).await, ["Exchange"]);
    assert_eq!(all(JobFilter { job_type: Some("Incremental".into()), ..Default::default() }).await, ["Copy to NAS"]);
    // The search also finds a job by its source job id, whole.
    assert_eq!(all(JobFilter { search: Some("pol1".into()), ..Default::default() }).await, ["Copy to NAS"]);
    assert_eq!(all(JobFilter { search: Some("x1".into()), ..Default::default() }).await, ["Exchange"]);
    assert_eq!(
        all(JobFilter { last_run_from: Some(t(2, 0)), ..Default::default() }).await,
        ["Copy to NAS", "SQL Backup"]
    );
    assert_eq!(
        all(JobFilter { last_run_from: Some(t(2, 0)), last_run_to: Some(t(3, 0)), ..Default::default() }).await,
        ["SQL Backup"]
    );
}

async fn record_run_is_atomic_and_once(a: Adapters) {
    let s = &a.store;
    s.insert_job(&job("j1", "c1", "Daily", "Veeam")).await.unwrap();
    s.insert_mail(&mail("m1", t(2, 1), MailState::Inbox, Some("i"))).await.unwrap();
    let j = s.get_job("j1").await.unwrap().unwrap();
    let m = s.get_mail("m1").await.unwrap().unwrap();
    let r = run("r1", "j1", "m1", t(2, 0), Status::Warning);

    // A stale job version: nothing at all is written.
    let mut stale_job = j.clone();
    stale_job.version = 7;
    let mut processed = m.clone();
    processed.state = MailState::Processed;
    processed.run_id = Some("r1".into());
    assert!(is_conflict(s.record_run(RecordRun { run: &r, job: &stale_job, mail: &processed }).await));
    assert_eq!(s.get_run("r1").await.unwrap(), None);
    assert_eq!(s.get_mail("m1").await.unwrap().unwrap().state, MailState::Inbox);
    // A stale mail version: likewise.
    let mut stale_mail = processed.clone();
    stale_mail.version = 9;
    assert!(is_conflict(s.record_run(RecordRun { run: &r, job: &j, mail: &stale_mail }).await));
    assert_eq!(s.get_run("r1").await.unwrap(), None);
    assert_eq!(s.get_job("j1").await.unwrap().unwrap().version, 0);

    let mut j2 = j.clone();
    j2.run_count = 1;
    j2.last_run = Some(LastRun { run_id: "r1".into(), at: r.sort_at(), status: r.status });
    assert!(s.record_run(RecordRun { run: &r, job: &j2, mail: &processed }).await.unwrap());
    assert_eq!(s.get_run("r1").await.unwrap().unwrap(), r);
    let stored_job = s.get_job("j1").await.unwrap().unwrap();
    assert_eq!((stored_job.version, stored_job.run_count), (1, 1));
    assert_eq!(stored_job.last_run.as_ref().map(|l| l.status), Some(Status::Warning));
    let stored_mail = s.get_mail("m1").await.unwrap().unwrap();
    assert_eq!((stored_mail.version, stored_mail.state), (1, MailState::Processed));
    // Once: the same run again writes nothing, even with fresh versions.
    let mut j3 = stored_job.clone();
    j3.run_count = 2;
    assert!(!s.record_run(RecordRun { run: &r, job: &j3, mail: &stored_mail }).await.unwrap());
    assert_eq!(s.get_job("j1").await.unwrap().unwrap().run_count, 1);
    // The job filter on last status follows the write.
    let p =
        s.list_jobs(&JobFilter { last_status: Some(Status::Warning), ..Default::default() }, None, 10).await.unwrap();
    assert_eq!(p.items.len(), 1);
}

async fn seed_runs(s: &Arc<dyn Store>, job_id: &str, n: u32, base_day: u32) -> Vec<Run> {
    s.insert_job(&job(job_id, "c1", job_id, "Veeam")).await.unwrap();
    let mut runs = vec![];
    for i in 0..n {
        let mut j = s.get_job(job_id).await.unwrap().unwrap();
        j.run_count += 1;
        let mid = format!("{job_id}-m{i}");
        let at = t(base_day + i / 24, i % 24);
        s.insert_mail(&mail(&mid, at, MailState::Inbox, None)).await.unwrap();
        let mut m = s.get_mail(&mid).await.unwrap().unwrap();
        m.state = MailState::Processed;
        let status = [Status::Success, Status::Warning, Status::Failed][i as usize % 3];
        let r = run(&format!("{job_id}-r{i}"), job_id, &mid, at, status);
        assert!(s.record_run(RecordRun { run: &r, job: &j, mail: &m }).await.unwrap());
        runs.push(r);
    }
    runs
}

async fn unreviewed_index_follows_reviews(a: Adapters) {
    let s = &a.store;
    let runs_a = seed_runs(s, "ja", 3, 2).await;
    seed_runs(s, "jb", 2, 3).await;
    assert_eq!(s.list_unreviewed_runs(None, None, 10_000).await.unwrap().items.len(), 5);
    assert_eq!(s.list_unreviewed_runs(Some("ja"), None, 10_000).await.unwrap().items.len(), 3);

    let mut r = s.get_run(&runs_a[1].id).await.unwrap().unwrap();
    r.review = Some(Review { by: "olga".into(), at: t(5, 8) });
    s.update_run(&r).await.unwrap();
    assert!(is_conflict(s.update_run(&r).await), "stale run version");
    let left: Vec<String> =
        s.list_unreviewed_runs(Some("ja"), None, 10_000).await.unwrap().items.into_iter().map(|r| r.id).collect();
    assert_eq!(left.len(), 2);
    assert!(!left.contains(&runs_a[1].id));
    assert_eq!(s.list_unreviewed_runs(None, None, 10_000).await.unwrap().items.len(), 4);
    let stored = s.get_run(&runs_a[1].id).await.unwrap().unwrap();
    assert_eq!(stored.review.as_ref().map(|v| v.by.as_str()), Some("olga"));

    // Unreview puts it back in the index.
    let mut back = stored.clone();
    back.review = None;
    s.update_run(&back).await.unwrap();
    assert_eq!(s.list_unreviewed_runs(Some("ja"), None, 10_000).await.unwrap().items.len(), 3);
}

/// The re-index of reviewed runs on a store this release wrote: every run
/// already has its Reviewed-view key, so batches (resumed from their
/// cursors) write nothing, leave every version as it was, and end.
async fn reindex_of_a_current_store_writes_nothing_and_ends(a: Adapters) {
    let s = &a.store;
    let runs_a = seed_runs(s, "ja", 3, 2).await;
    let runs_b = seed_runs(s, "jb", 2, 3).await;
    let mut r = s.get_run(&runs_a[1].id).await.unwrap().unwrap();
    r.review = Some(Review { by: "olga".into(), at: t(5, 8) });
    s.update_run(&r).await.unwrap();
    let versions = |runs: Vec<Run>| async move {
        let mut v = Vec::new();
        for r in runs {
            v.push(s.get_run(&r.id).await.unwrap().unwrap().version);
        }
        v
    };
    let all: Vec<Run> = runs_a.iter().chain(&runs_b).cloned().collect();
    let before = versions(all.clone()).await;
    let (mut cursor, mut batches, mut examined) = (None::<String>, 0, 0);
    loop {
        let b = s.reindex_reviewed_runs(cursor.as_deref(), 2).await.unwrap();
        assert_eq!(b.rewritten, 0);
        assert!(b.examined <= 2);
        examined += b.examined;
        batches += 1;
        assert!(batches < 20, "the re-index ends");
        match b.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    // SQLite has nothing to look at (its migration indexed every run); DynamoDB looks at each run once.
    assert!(examined == 0 || examined == all.len(), "examined {examined}");
    assert_eq!(versions(all).await, before, "nothing was written");
    assert!(s.reindex_reviewed_runs(Some("garbage!"), 2).await.is_err() || examined == 0);
}

async fn runs_list_newest_first_in_pages(a: Adapters) {
    let s = &a.store;
    let runs = seed_runs(s, "jh", 5, 6).await;
    seed_runs(s, "jother", 2, 6).await;
    let mut seen = vec![];
    let mut cursor = None;
    loop {
        let p = s.list_runs("jh", cursor.as_deref(), 2).await.unwrap();
        seen.extend(p.items.into_iter().map(|r| r.id));
        match p.next_cursor {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    let want: Vec<String> = runs.iter().rev().map(|r| r.id.clone()).collect();
    assert_eq!(seen, want);
}

async fn users_have_unique_names(a: Adapters) {
    let s = &a.store;
    let u = User {
        id: "u1".into(),
        username: "Olga".into(),
        password_hash: "$argon2id$x".into(),
        role: Role::Operator,
        active: true,
        created_at: t(1, 1),
        sessions_valid_after: None,
        two_factor: None,
        version: 0,
    };
    s.insert_user(&u).await.unwrap();
    let mut dup = u.clone();
    dup.id = "u2".into();
    dup.username = "OLGA".into();
    assert!(is_conflict(s.insert_user(&dup).await));
    assert_eq!(s.get_user_by_username("olga").await.unwrap().map(|u| u.id), Some("u1".into()));
    assert_eq!(s.get_user_by_username("nobody").await.unwrap(), None);
    let mut changed = s.get_user("u1").await.unwrap().unwrap();
    changed.role = Role::Admin;
    s.update_user(&changed).await.unwrap();
    assert!(is_conflict(s.update_user(&changed).await));
    dup.username = "victor".into();
    s.insert_user(&dup).await.unwrap();
    let users = s.list_users().await.unwrap();
    assert_eq!(
        users.iter().map(|u| (u.username.as_str(), u.role)).collect::<Vec<_>>(),
        [("Olga", Role::Admin), ("victor", Role::Operator)]
    );
}

async fn sessions_expire(a: Adapters) {
    let s = &a.store;
    let live = Session { token_hash: "h1".into(), user_id: "u1".into(), created_at: t(5, 8), expires_at: t(5, 20) };
    let old = Session { token_hash: "h2".into(), user_id: "u1".into(), created_at: t(4, 8), expires_at: t(4, 20) };
    s.insert_session(&live).await.unwrap();
    s.insert_session(&old).await.unwrap();
    assert_eq!(s.get_session("h1").await.unwrap(), Some(live.clone()));
    assert_eq!(s.purge_expired_sessions(t(5, 9)).await.unwrap(), 1);
    assert_eq!(s.get_session("h2").await.unwrap(), None);
    assert_eq!(s.get_session("h1").await.unwrap(), Some(live));
    s.delete_session("h1").await.unwrap();
    assert_eq!(s.get_session("h1").await.unwrap(), None);
    s.delete_session("h1").await.unwrap();
}

async fn counters_count(a: Adapters) {
    let s = &a.store;
    let exp = Utc::now() + Duration::hours(1);
    assert_eq!(s.get_counter("k").await.unwrap(), 0);
    assert_eq!(s.bump_counter("k", exp).await.unwrap(), 1);
    assert_eq!(s.bump_counter("k", exp).await.unwrap(), 2);
    assert_eq!(s.bump_counter("other", exp).await.unwrap(), 1);
    assert_eq!(s.get_counter("k").await.unwrap(), 2);
    s.reset_counter("k").await.unwrap();
    assert_eq!(s.get_counter("k").await.unwrap(), 0);
}

async fn settings_round_trip(a: Adapters) {
    let s = &a.store;
    assert_eq!(s.get_setting("time_zone").await.unwrap(), None);
    s.put_setting("time_zone", "Europe/Amsterdam").await.unwrap();
    s.put_setting("time_zone", "Europe/Brussels").await.unwrap();
    assert_eq!(s.get_setting("time_zone").await.unwrap().as_deref(), Some("Europe/Brussels"));
}

async fn blobs_round_trip(a: Adapters) {
    let b = &a.blobs;
    let bytes: Vec<u8> = (0..=255u8).cycle().take(3 * 1024 * 1024 + 7).collect();
    b.put("mail/m1/body.html", bytes.clone(), "text/html").await.unwrap();
    assert_eq!(b.get("mail/m1/body.html").await.unwrap(), Some(bytes));
    b.put("mail/m1/body.html", b"v2".to_vec(), "text/html").await.unwrap();
    assert_eq!(b.get("mail/m1/body.html").await.unwrap().as_deref(), Some(&b"v2"[..]));
    assert_eq!(b.get("mail/none").await.unwrap(), None);
    b.put("inbound/with space+plus.eml", b"raw".to_vec(), "message/rfc822").await.unwrap();
    assert_eq!(b.get("inbound/with space+plus.eml").await.unwrap().as_deref(), Some(&b"raw"[..]));
    b.delete("mail/m1/body.html").await.unwrap();
    b.delete("mail/m1/body.html").await.unwrap();
    assert_eq!(b.get("mail/m1/body.html").await.unwrap(), None);
}

async fn queue_delivers_retries_and_dead_letters(a: Adapters) {
    let q = &a.queue;
    q.send(r#"{"n":1}"#).await.unwrap();
    let got = q.receive(10).await.unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!((got[0].body.as_str(), got[0].attempts), (r#"{"n":1}"#, 1));
    assert!(q.receive(10).await.unwrap().is_empty(), "in flight messages are invisible");
    q.release(&got[0], 0).await.unwrap();
    let again = q.receive(10).await.unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].attempts, 2);
    q.ack(&again[0]).await.unwrap();
    assert!(q.receive(10).await.unwrap().is_empty());

    // A message that keeps failing ends in the dead-letter queue.
    q.send("poison").await.unwrap();
    for attempt in 1..=5 {
        let d = q.receive(1).await.unwrap();
        assert_eq!(d.len(), 1, "receive #{attempt}");
        q.release(&d[0], 0).await.unwrap();
    }
    assert!(q.receive(10).await.unwrap().is_empty(), "dead-lettered after 5 receives");
    let mut dead = 0;
    for _ in 0..20 {
        dead = q.dead_letter_count().await.unwrap();
        if dead == 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert_eq!(dead, 1);

    // Dead letters are listed without being taken out, and one is put back
    // on the queue with its receive count reset.
    let listed = q.dead_letters(10).await.unwrap();
    assert_eq!(listed.iter().map(|d| d.body.as_str()).collect::<Vec<_>>(), vec!["poison"]);
    assert_eq!(q.dead_letters(10).await.unwrap().len(), 1, "listing leaves them where they are");
    assert!(!q.redrive("no-such-id").await.unwrap());
    assert!(q.redrive(&listed[0].id).await.unwrap());
    let back = q.receive(1).await.unwrap();
    assert_eq!((back.len(), back[0].body.as_str(), back[0].attempts), (1, "poison", 1), "fresh again");
    q.ack(&back[0]).await.unwrap();
    assert!(q.dead_letters(10).await.unwrap().is_empty());
}

async fn mailer_sends(a: Adapters) {
    let id = a
        .mailer
        .send(&OutboundMail {
            to: vec!["ops@msp.example.net".into()],
            subject: "Test".into(),
            text: "Hello".into(),
            html: Some("<p>Hello</p>".into()),
        })
        .await
        .unwrap();
    assert!(!id.is_empty());
}

async fn secrets_are_unset_until_put(a: Adapters) {
    for name in SecretName::ALL {
        assert_eq!(a.secrets.get(name).await.unwrap(), None, "{name:?} starts unset");
    }
    let value = r#"{"username":"api@msp.example","secret":"s3cr3t","tracking_identifier":"T1"}"#;
    a.secrets.put(SecretName::Autotask, value).await.unwrap();
    assert_eq!(a.secrets.get(SecretName::Autotask).await.unwrap().as_deref(), Some(value));
    assert_eq!(a.secrets.get(SecretName::Storage).await.unwrap(), None);
    a.secrets.put(SecretName::Autotask, "rotated").await.unwrap();
    assert_eq!(a.secrets.get(SecretName::Autotask).await.unwrap().as_deref(), Some("rotated"));
}

/// Locally the value is encrypted under a key file only its owner can read.
#[tokio::test]
async fn embedded_secrets_are_encrypted_at_rest() {
    let dir = tempfile::tempdir().unwrap();
    let s = bc_embedded::FileSecrets::new(dir.path());
    s.put(SecretName::Storage, "very-secret-value").await.unwrap();
    let stored = std::fs::read(dir.path().join("secrets/storage.enc")).unwrap();
    assert!(!stored.windows(17).any(|w| w == b"very-secret-value"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join("secrets.key")).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "secrets.key is private: {mode:o}");
    }
    // Another key cannot read it.
    std::fs::write(dir.path().join("secrets.key"), [7u8; 32]).unwrap();
    assert!(s.get(SecretName::Storage).await.is_err());
}

async fn unreviewed_runs_page_and_count_by_job(a: Adapters) {
    let s = &a.store;
    let runs = seed_runs(s, "jp", 7, 8).await;
    seed_runs(s, "jq", 2, 9).await;
    // Oldest first, a page at a time; the cursor stays valid while the runs
    // before it are reviewed (bulk review pages through this way).
    let first = s.list_unreviewed_runs(Some("jp"), None, 3).await.unwrap();
    let ids: Vec<&str> = first.items.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, vec!["jp-r0", "jp-r1", "jp-r2"]);
    for r in &first.items {
        let mut r = r.clone();
        r.review = Some(Review { by: "olga".into(), at: t(10, 8) });
        s.update_run(&r).await.unwrap();
    }
    let mut seen = vec![];
    let mut cursor = first.next_cursor.clone();
    while let Some(c) = cursor {
        let p = s.list_unreviewed_runs(Some("jp"), Some(&c), 3).await.unwrap();
        seen.extend(p.items.iter().map(|r| r.id.clone()));
        cursor = p.next_cursor;
    }
    assert_eq!(seen, runs[3..].iter().map(|r| r.id.clone()).collect::<Vec<_>>());
    // Counts by job and status, without the reviewed ones.
    let mut by_job = s.unreviewed_by_job().await.unwrap();
    by_job.sort_by(|a, b| a.job_id.cmp(&b.job_id));
    assert_eq!(by_job.len(), 2);
    // jp-r3..r6: statuses cycle Success, Warning, Failed by index.
    assert_eq!((by_job[0].job_id.as_str(), by_job[0].success, by_job[0].warning, by_job[0].failed), ("jp", 2, 1, 1));
    assert_eq!(by_job[0].worst(), Status::Failed);
    assert_eq!(by_job[1].runs(), 2);
    // Across all jobs: by job, then time.
    let all = s.list_unreviewed_runs(None, None, 100).await.unwrap();
    assert_eq!(all.items.len(), 6);
    assert!(all.next_cursor.is_none());
}

async fn runs_update_in_batches_by_version(a: Adapters) {
    let s = &a.store;
    let runs = seed_runs(s, "jbatch", 3, 11).await;
    let mut stale = runs[1].clone();
    stale.version = 7;
    let review = Some(Review { by: "olga".into(), at: t(12, 8) });
    let batch: Vec<Run> =
        [runs[0].clone(), stale, runs[2].clone()].into_iter().map(|r| Run { review: review.clone(), ..r }).collect();
    assert_eq!(s.update_runs(&batch).await.unwrap(), vec![true, false, true]);
    assert!(s.get_run(&runs[0].id).await.unwrap().unwrap().review.is_some());
    assert!(s.get_run(&runs[1].id).await.unwrap().unwrap().review.is_none(), "the stale one was not written");
    assert_eq!(s.get_run(&runs[2].id).await.unwrap().unwrap().version, 1);
    // A batch larger than one DynamoDB transaction.
    let many = seed_runs(s, "jmany", 120, 13).await;
    let batch: Vec<Run> = many.into_iter().map(|r| Run { review: review.clone(), ..r }).collect();
    assert!(s.update_runs(&batch).await.unwrap().into_iter().all(|w| w));
    assert!(s.list_unreviewed_runs(Some("jmany"), None, 10).await.unwrap().items.is_empty());
}

fn entry(id: &str, at: DateTime<Utc>, actor: &str, entity: (&str, &str), action: &str) -> AuditRecord {
    AuditRecord {
        id: id.into(),
        at,
        actor: actor.into(),
        entity_type: entity.0.into(),
        entity_id: entity.1.into(),
        action: action.into(),
        before: Some(serde_json::json!({"reviewed": false})),
        after: Some(serde_json::json!({"reviewed": true})),
        expires_at: at + Duration::days(730),
    }
}

async fn audit_is_append_only_newest_first_and_filtered(a: Adapters) {
    let s = &a.store;
    let entries = vec![
        entry("a1", t(14, 8), "olga", ("run", "r1"), "review"),
        entry("a2", t(14, 9), "admin", ("run", "r1"), "unreview"),
        entry("a3", t(14, 10), "olga", ("job", "j1"), "approve"),
        entry("a4", t(14, 11), "olga", ("run", "r2"), "review"),
    ];
    s.append_audit(&entries).await.unwrap();
    // The same id again is kept once.
    s.append_audit(&entries[..1]).await.unwrap();
    let all = s.list_audit(&AuditFilter::default(), None, 10).await.unwrap();
    assert_eq!(all.items.iter().map(|e| e.id.as_str()).collect::<Vec<_>>(), vec!["a4", "a3", "a2", "a1"]);
    assert_eq!(all.items[3], entries[0], "stored as written");
    // Per entity, by actor, by action, by time; and in pages.
    let run1 = AuditFilter { entity: Some(("run".into(), "r1".into())), ..Default::default() };
    assert_eq!(s.list_audit(&run1, None, 10).await.unwrap().items.len(), 2);
    let olga = AuditFilter { actor: Some("olga".into()), action: Some("review".into()), ..Default::default() };
    let ids: Vec<String> = s.list_audit(&olga, None, 10).await.unwrap().items.into_iter().map(|e| e.id).collect();
    assert_eq!(ids, vec!["a4", "a1"]);
    let window = AuditFilter { from: Some(t(14, 9)), until: Some(t(14, 11)), ..Default::default() };
    let ids: Vec<String> = s.list_audit(&window, None, 10).await.unwrap().items.into_iter().map(|e| e.id).collect();
    assert_eq!(ids, vec!["a3", "a2"]);
    let jobs = AuditFilter { entity_type: Some("job".into()), ..Default::default() };
    assert_eq!(s.list_audit(&jobs, None, 10).await.unwrap().items.len(), 1);
    let p1 = s.list_audit(&AuditFilter::default(), None, 3).await.unwrap();
    let p2 = s.list_audit(&AuditFilter::default(), p1.next_cursor.as_deref(), 3).await.unwrap();
    assert_eq!(p1.items.len() + p2.items.len(), 4);
    assert!(p2.next_cursor.is_none());
    assert_eq!(p2.items[0].id, "a1");
}

async fn claims_are_taken_once_under_concurrent_redelivery(a: Adapters) {
    let s = a.store.clone();
    let now = t(15, 8);
    // Twenty deliveries of one side effect at once: one takes the claim.
    let tries = (0..20).map(|_| {
        let s = s.clone();
        tokio::spawn(async move { s.claim("sent:mail-1", now, now + Duration::hours(1)).await.unwrap() })
    });
    let mut won = 0;
    for t in tries {
        if t.await.unwrap() {
            won += 1;
        }
    }
    assert_eq!(won, 1, "exactly one delivery acts");
    assert!(!s.claim("sent:mail-1", now + Duration::minutes(59), now + Duration::hours(2)).await.unwrap());
    // After it expires, or when released after a failure, it can be taken again.
    assert!(s.claim("sent:mail-1", now + Duration::minutes(61), now + Duration::hours(3)).await.unwrap());
    s.release_claim("sent:mail-1").await.unwrap();
    assert!(s.claim("sent:mail-1", now, now + Duration::hours(1)).await.unwrap());
    assert!(s.claim("sent:mail-2", now, now + Duration::hours(1)).await.unwrap(), "keys are independent");
}

async fn api_tokens_round_trip(a: Adapters) {
    let s = &a.store;
    let token = |id: &str, at: DateTime<Utc>| ApiToken {
        id: id.into(),
        name: format!("rmm {id}"),
        role: Role::Viewer,
        token_hash: format!("hash-{id}"),
        prefix: "bct_t1".into(),
        created_by: "admin".into(),
        created_at: at,
        last_used_at: None,
        revoked_at: None,
        version: 0,
    };
    s.insert_api_token(&token("t1", t(16, 8))).await.unwrap();
    s.insert_api_token(&token("t2", t(16, 9))).await.unwrap();
    assert!(is_conflict(s.insert_api_token(&token("t1", t(16, 8))).await));
    let list: Vec<String> = s.list_api_tokens().await.unwrap().into_iter().map(|t| t.id).collect();
    assert_eq!(list, vec!["t2", "t1"], "newest first");
    s.touch_api_token("t1", t(16, 10)).await.unwrap();
    let mut t1 = s.get_api_token("t1").await.unwrap().unwrap();
    assert_eq!(t1.last_used_at, Some(t(16, 10)));
    assert_eq!(t1.token_hash, "hash-t1");
    t1.revoked_at = Some(t(16, 11));
    s.update_api_token(&t1).await.unwrap();
    assert!(is_conflict(s.update_api_token(&t1).await), "stale version");
    assert_eq!(s.get_api_token("t1").await.unwrap().unwrap().revoked_at, Some(t(16, 11)));
    assert!(s.get_api_token("t9").await.unwrap().is_none());
    s.touch_api_token("t9", t(16, 12)).await.unwrap();
    assert!(s.get_api_token("t9").await.unwrap().is_none(), "touching a missing token creates nothing");
}

async fn operations_are_versioned(a: Adapters) {
    let s = &a.store;
    let op = Operation {
        id: "o1".into(),
        kind: "review".into(),
        state: bc_api_types::OperationState::Queued,
        total: 5000,
        done: 0,
        error: None,
        created_by: "olga".into(),
        created_at: t(17, 8),
        finished_at: None,
        step: 0,
        params: serde_json::json!({"job_ids": ["j1"], "nested": {"n": 1}}),
        position: serde_json::Value::Null,
        version: 0,
    };
    s.insert_operation(&op).await.unwrap();
    assert!(is_conflict(s.insert_operation(&op).await));
    let mut got = s.get_operation("o1").await.unwrap().unwrap();
    assert_eq!(got, op);
    got.done = 250;
    got.step = 1;
    got.position = serde_json::json!({"job_index": 0, "cursor": "abc"});
    s.update_operation(&got).await.unwrap();
    assert!(is_conflict(s.update_operation(&got).await));
    let again = s.get_operation("o1").await.unwrap().unwrap();
    assert_eq!((again.done, again.step, again.version), (250, 1, 1));
    assert_eq!(again.position["cursor"], "abc");
}

async fn overrides_round_trip_by_version_and_number(a: Adapters) {
    use bc_api_types::{OverrideScope, OverrideSpec, StatusMatch, TextMatch};
    use bc_core::model::Override;
    let ov = |id: &str, number: u64| Override {
        id: id.into(),
        number,
        spec: OverrideSpec {
            scope: OverrideScope::Software { software: "Veeam".into(), job_type: Some("Backup".into()) },
            object: Some("SQL*".into()),
            status: StatusMatch::Warning,
            message: Some(TextMatch::Regex("CBT|tracking".into())),
            valid_from: Some(t(1, 0)),
            valid_until: None,
            comment: "known".into(),
        },
        created_by: "olga".into(),
        created_at: t(1, 0),
        updated_by: None,
        updated_at: None,
        version: 0,
    };
    let s = &a.store;
    // Numbers order the list numerically, past 9.
    for (id, n) in [("ov-b", 10), ("ov-a", 2), ("ov-c", 1)] {
        s.insert_override(&ov(id, n)).await.expect("insert");
    }
    assert!(is_conflict(s.insert_override(&ov("ov-a", 99)).await), "an id is stored once");
    let numbers: Vec<u64> = s.list_overrides().await.expect("list").iter().map(|o| o.number).collect();
    assert_eq!(numbers, [1, 2, 10]);
    let mut got = s.get_override("ov-a").await.expect("get").expect("present");
    assert_eq!(got, ov("ov-a", 2), "the spec round-trips whole");
    got.spec.comment = "edited".into();
    s.update_override(&got).await.expect("update");
    assert!(is_conflict(s.update_override(&got).await), "stale version");
    let fresh = s.get_override("ov-a").await.expect("get").expect("present");
    assert_eq!((fresh.version, fresh.spec.comment.as_str()), (1, "edited"));
    assert!(s.delete_override("ov-a").await.expect("delete"));
    assert!(!s.delete_override("ov-a").await.expect("delete again"), "gone");
    assert_eq!(s.get_override("ov-a").await.expect("get"), None);
    assert_eq!(s.list_overrides().await.expect("list").len(), 2);
}

async fn reviewed_runs_list_newest_review_first_filtered_and_counted(a: Adapters) {
    use bc_core::repos::ReviewedFilter;
    let s = &a.store;
    // 30 runs; 24 get reviewed over three days by two reviewers, one run of
    // another customer; 6 stay open.
    let runs = seed_runs(s, "jrv", 30, 1).await;
    let mut reviewed = Vec::new();
    for (i, r) in runs.iter().enumerate().take(24) {
        let mut r = s.get_run(&r.id).await.unwrap().unwrap();
        let by = if i % 2 == 0 { "olga" } else { "admin" };
        // Day 10, 11, 12 of March; a few minutes apart.
        r.review = Some(Review { by: by.into(), at: t(10 + (i / 8) as u32, 6) + Duration::minutes(i as i64) });
        if i == 5 {
            r.customer_id = "c2".into();
        }
        s.update_run(&r).await.unwrap();
        reviewed.push(r);
    }
    let open = s.unreviewed_by_job().await.unwrap();
    assert_eq!(open[0].runs(), 6);
    assert_eq!(open[0].oldest, runs[24].sort_at(), "the oldest unreviewed run");
    assert_eq!(open[0].newest, runs[29].sort_at());

    let all = ReviewedFilter { from: t(1, 0), until: t(20, 0), reviewer: None, customer_id: None, status: None };
    // Pages of 5 in order, nothing skipped or repeated, across the day partitions.
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page = s.list_reviewed_runs(&all, cursor.as_deref(), 5).await.unwrap();
        assert!(page.items.len() <= 5);
        seen.extend(page.items.iter().map(|r| r.id.clone()));
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    let mut want: Vec<&Run> = reviewed.iter().collect();
    want.sort_by_key(|r| std::cmp::Reverse((r.review.as_ref().unwrap().at, r.id.clone())));
    assert_eq!(seen, want.iter().map(|r| r.id.clone()).collect::<Vec<_>>(), "newest review first");

    // Filters: reviewer, customer, status, period (until exclusive).
    let by = |f: ReviewedFilter| async move { s.list_reviewed_runs(&f, None, 100).await.unwrap().items };
    let olga = by(ReviewedFilter { reviewer: Some("olga".into()), ..all.clone() }).await;
    assert_eq!(olga.len(), 12);
    assert!(olga.iter().all(|r| r.review.as_ref().unwrap().by == "olga"));
    let c2 = by(ReviewedFilter { customer_id: Some("c2".into()), ..all.clone() }).await;
    assert_eq!(c2.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), ["jrv-r5"]);
    let failed = by(ReviewedFilter { status: Some(Status::Failed), ..all.clone() }).await;
    assert_eq!(failed.len(), 8);
    assert!(failed.iter().all(|r| r.status == Status::Failed));
    let day11 = by(ReviewedFilter { from: t(11, 0), until: t(12, 0), ..all.clone() }).await;
    assert_eq!(day11.len(), 8, "one day");
    let exact = reviewed[8].review.as_ref().unwrap().at;
    let upto = by(ReviewedFilter { from: t(1, 0), until: exact, ..all.clone() }).await;
    assert_eq!(upto.len(), 8, "until is exclusive");

    // Counts per day and reviewer.
    let counts = s.review_counts(t(1, 0), t(20, 0)).await.unwrap();
    let got: Vec<(String, String, u32)> = counts.into_iter().map(|c| (c.day, c.by, c.runs)).collect();
    let want: Vec<(String, String, u32)> = (10..13)
        .flat_map(|d| {
            [(format!("2026-03-{d}"), "admin".to_string(), 4), (format!("2026-03-{d}"), "olga".to_string(), 4)]
        })
        .collect();
    assert_eq!(got, want);

    // Unmarking takes a run out of the list and back into Run Checks.
    let mut r = s.get_run("jrv-r0").await.unwrap().unwrap();
    r.review = None;
    s.update_run(&r).await.unwrap();
    assert_eq!(by(all.clone()).await.len(), 23);
    assert_eq!(s.unreviewed_by_job().await.unwrap()[0].runs(), 7);
    assert!(matches!(s.list_reviewed_runs(&all, Some("garbage"), 5).await, Err(PortError::Invalid(_))));
}

fn remark(id: &str, job_id: &str, at: DateTime<Utc>) -> bc_core::review::notes_repo::Remark {
    bc_core::review::notes_repo::Remark {
        id: id.into(),
        job_id: job_id.into(),
        run_id: Some(format!("run-of-{id}")),
        text: format!("remark {id}"),
        author_id: "u1".into(),
        author: "op".into(),
        created_at: at,
        edited_at: None,
        edited_by: None,
        resolved_at: None,
        resolved_by: None,
        version: 0,
    }
}

async fn remarks_are_versioned_and_listed_active_by_job(a: Adapters) {
    let s = &a.store;
    s.insert_remark(&remark("rm1", "jA", t(1, 8))).await.expect("insert");
    s.insert_remark(&remark("rm2", "jA", t(2, 8))).await.expect("insert");
    s.insert_remark(&remark("rm3", "jB", t(1, 9))).await.expect("insert");
    assert!(is_conflict(s.insert_remark(&remark("rm1", "jA", t(1, 8))).await));

    let ids = |v: Vec<bc_core::review::notes_repo::Remark>| v.into_iter().map(|r| r.id).collect::<Vec<_>>();
    assert_eq!(ids(s.list_active_remarks(None).await.expect("active")), ["rm2", "rm1", "rm3"]);
    assert_eq!(ids(s.list_active_remarks(Some("jA")).await.expect("active jA")), ["rm2", "rm1"]);

    // Edit by version; a stale version is a conflict.
    let mut r1 = s.get_remark("rm1").await.expect("get").expect("rm1");
    assert_eq!(r1, remark("rm1", "jA", t(1, 8)));
    r1.text = "edited".into();
    s.update_remark(&r1).await.expect("edit");
    assert!(is_conflict(s.update_remark(&r1).await));
    let mut r1 = s.get_remark("rm1").await.expect("get").expect("rm1");
    assert_eq!((r1.text.as_str(), r1.version), ("edited", 1));

    // Resolved: out of the active list, still in the job's list.
    r1.resolved_at = Some(t(3, 8));
    r1.resolved_by = Some("op".into());
    s.update_remark(&r1).await.expect("resolve");
    assert_eq!(ids(s.list_active_remarks(Some("jA")).await.expect("active jA")), ["rm2"]);
    assert_eq!(ids(s.list_job_remarks("jA", 10).await.expect("job")), ["rm2", "rm1"]);
    assert_eq!(ids(s.list_job_remarks("jA", 1).await.expect("job")), ["rm2"]);
    assert!(s.list_job_remarks("nope", 10).await.expect("none").is_empty());
    assert!(s.get_remark("nope").await.expect("get").is_none());
}

fn ticket(id: &str, job_id: &str, run_id: &str, at: DateTime<Utc>) -> bc_core::review::notes_repo::Ticket {
    bc_core::review::notes_repo::Ticket {
        id: id.into(),
        job_id: job_id.into(),
        run_id: run_id.into(),
        number: format!("T-{id}"),
        url: Some("https://psa.example.com/t/1".into()),
        created_by: "op".into(),
        created_at: at,
        resolved_at: None,
        resolved_by: None,
        psa: None,
        version: 0,
    }
}

async fn tickets_one_open_per_run_even_when_racing(a: Adapters) {
    let s = &a.store;
    let ids = |v: Vec<bc_core::review::notes_repo::Ticket>| v.into_iter().map(|r| r.id).collect::<Vec<_>>();

    // Eight creates for one run at once (one after another on moto, see
    // `racing_transactions`): exactly one wins.
    let mut results = Vec::new();
    let mut racers = tokio::task::JoinSet::new();
    for i in 0..8 {
        let (s, tk) = (s.clone(), ticket(&format!("tk{i}"), "jA", "r1", t(1, 8 + i)));
        if a.racing_transactions {
            racers.spawn(async move { s.insert_ticket(&tk).await });
        } else {
            results.push(s.insert_ticket(&tk).await);
        }
    }
    results.extend(racers.join_all().await);
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 1, "{results:?}");
    assert!(results.iter().all(|r| r.is_ok() || matches!(r, Err(PortError::Conflict(_)))), "{results:?}");
    let open = s.list_open_tickets(Some("jA")).await.expect("open");
    assert_eq!(open.len(), 1);
    let mut first = open.into_iter().next().expect("winner");

    // Another run of the job and another job are independent.
    s.insert_ticket(&ticket("tkB", "jA", "r2", t(2, 8))).await.expect("second run");
    s.insert_ticket(&ticket("tkC", "jB", "r3", t(1, 7))).await.expect("other job");
    assert_eq!(
        ids(s.list_open_tickets(None).await.expect("all open")),
        ["tkB".to_string(), first.id.clone(), "tkC".to_string()]
    );

    // Resolving frees the run; a stale version is a conflict.
    first.resolved_at = Some(t(3, 8));
    first.resolved_by = Some("op".into());
    s.update_ticket(&first).await.expect("resolve");
    assert!(is_conflict(s.update_ticket(&first).await));
    assert_eq!(ids(s.list_open_tickets(Some("jA")).await.expect("open")), ["tkB"]);
    s.insert_ticket(&ticket("tkD", "jA", "r1", t(4, 8))).await.expect("run freed by resolve");
    assert!(is_conflict(s.insert_ticket(&ticket("tkE", "jA", "r1", t(4, 9))).await));

    // Deleting an open ticket frees its run too; deleting a resolved one
    // leaves the run's open ticket alone.
    let d = s.get_ticket("tkD").await.expect("get").expect("tkD");
    let resolved = s.get_ticket(&first.id).await.expect("get").expect("resolved");
    assert_eq!(resolved.version, 1);
    s.delete_ticket(&resolved).await.expect("delete resolved");
    assert!(is_conflict(s.insert_ticket(&ticket("tkF", "jA", "r1", t(4, 10))).await));
    let mut stale = d.clone();
    stale.version = 7;
    assert!(is_conflict(s.delete_ticket(&stale).await));
    s.delete_ticket(&d).await.expect("delete open");
    assert!(s.get_ticket("tkD").await.expect("get").is_none());
    s.insert_ticket(&ticket("tkG", "jA", "r1", t(5, 8))).await.expect("run freed by delete");
    assert_eq!(ids(s.list_job_tickets("jA", 10).await.expect("job")), ["tkG", "tkB"]);
    assert_eq!(ids(s.list_job_tickets("jA", 1).await.expect("job")), ["tkG"]);
}

/// What the job lifecycle (rename, archive, merge, move, delete) needs of
/// the stores: archived jobs filtered, merge aliases never listed, a run
/// moved to another job listed under it (and counted there in Run Checks),
/// a run made while its job was archived out of Run Checks, remarks and
/// tickets moved between jobs, and deletes.
async fn job_lifecycle_moves_lists_and_deletes(a: Adapters) {
    let s = &a.store;
    s.insert_customer(&customer("c1", "Acme")).await.expect("customer");
    let names = |p: bc_core::model::Page<Job>| p.items.into_iter().map(|j| j.job_name).collect::<Vec<_>>();
    for (id, name) in [("jA", "Alpha"), ("jB", "Bravo"), ("jC", "Charlie")] {
        assert!(s.insert_job(&job(id, "c1", name, "Veeam")).await.expect("job"));
    }
    // Archive Bravo, make Charlie an alias of Alpha, rename Alpha.
    let mut b = s.get_job("jB").await.expect("get").expect("jB");
    b.lifecycle.archived = Some(bc_core::model::Deletion { by: "olga".into(), at: t(2, 8) });
    s.update_job(&b).await.expect("archive");
    let mut c = s.get_job("jC").await.expect("get").expect("jC");
    c.lifecycle.merged_into = Some("jA".into());
    s.update_job(&c).await.expect("alias");
    let mut al = s.get_job("jA").await.expect("get").expect("jA");
    al.lifecycle.original_name = Some("Alpha".into());
    al.job_name = "Zulu".into();
    s.update_job(&al).await.expect("rename");

    let list = |archived| JobFilter { archived, ..Default::default() };
    assert_eq!(names(s.list_jobs(&list(None), None, 10).await.expect("all")), ["Bravo", "Zulu"]);
    assert_eq!(names(s.list_jobs(&list(Some(false)), None, 10).await.expect("active")), ["Zulu"]);
    assert_eq!(names(s.list_jobs(&list(Some(true)), None, 10).await.expect("archived")), ["Bravo"]);
    let by_customer = JobFilter { customer_id: Some("c1".into()), archived: Some(false), ..Default::default() };
    assert_eq!(names(s.list_jobs(&by_customer, None, 10).await.expect("customer")), ["Zulu"]);
    let search = JobFilter { search: Some("zul".into()), ..Default::default() };
    assert_eq!(names(s.list_jobs(&search, None, 10).await.expect("renamed name is searched")), ["Zulu"]);
    // The alias is still there by id.
    assert_eq!(s.get_job("jC").await.expect("get").expect("alias").lifecycle.merged_into.as_deref(), Some("jA"));

    // Runs: one of Charlie's moves to Alpha; one made while Bravo was archived.
    let jc = s.get_job("jC").await.expect("get").expect("jC");
    let m1 = mail("ml1", t(3, 6), MailState::Processed, None);
    let r1 = run("rl1", "jC", "ml1", t(3, 5), Status::Failed);
    assert!(s.insert_mail(&m1).await.expect("mail"));
    assert!(s.record_run(RecordRun { run: &r1, job: &jc, mail: &m1 }).await.expect("record"));
    let jb = s.get_job("jB").await.expect("get").expect("jB");
    let m2 = mail("ml2", t(3, 7), MailState::Processed, None);
    let mut r2 = run("rl2", "jB", "ml2", t(3, 6), Status::Warning);
    assert!(s.insert_mail(&m2).await.expect("mail"));
    r2.while_archived = true;
    assert!(s.record_run(RecordRun { run: &r2, job: &jb, mail: &m2 }).await.expect("record"));
    let jobs_in_checks = || async {
        let mut v: Vec<String> = s.unreviewed_by_job().await.expect("counts").into_iter().map(|u| u.job_id).collect();
        v.sort();
        v
    };
    assert_eq!(jobs_in_checks().await, ["jC"], "a run made while archived is not in Run Checks");
    assert!(s.list_unreviewed_runs(Some("jB"), None, 10).await.expect("jB").items.is_empty());
    assert_eq!(s.list_runs("jB", None, 10).await.expect("history").items.len(), 1, "but in the job's history");

    let mut moved = s.get_run("rl1").await.expect("get").expect("rl1");
    moved.job_id = "jA".into();
    moved.customer_id = "c2".into();
    s.update_run(&moved).await.expect("move");
    assert!(s.list_runs("jC", None, 10).await.expect("old").items.is_empty());
    let under_a = s.list_runs("jA", None, 10).await.expect("new").items;
    assert_eq!((under_a.len(), under_a[0].customer_id.as_str()), (1, "c2"));
    assert_eq!(jobs_in_checks().await, ["jA"]);
    assert_eq!(s.list_unreviewed_runs(Some("jA"), None, 10).await.expect("jA").items.len(), 1);

    // Remarks and tickets follow their job.
    s.insert_remark(&remark("rml", "jC", t(3, 8))).await.expect("remark");
    s.insert_ticket(&ticket("tkl", "jC", "rl1", t(3, 8))).await.expect("ticket");
    let mut rm = s.get_remark("rml").await.expect("get").expect("remark");
    rm.job_id = "jA".into();
    s.update_remark(&rm).await.expect("move remark");
    let mut tk = s.get_ticket("tkl").await.expect("get").expect("ticket");
    tk.job_id = "jA".into();
    s.update_ticket(&tk).await.expect("move ticket");
    assert!(s.list_job_remarks("jC", 10).await.expect("old").is_empty());
    assert_eq!(s.list_active_remarks(Some("jA")).await.expect("active").len(), 1);
    assert!(s.list_job_tickets("jC", 10).await.expect("old").is_empty());
    assert_eq!(s.list_open_tickets(Some("jA")).await.expect("open").len(), 1);

    // Deletes say whether there was something to delete.
    assert!(s.delete_remark("rml").await.expect("delete remark"));
    assert!(!s.delete_remark("rml").await.expect("again"));
    assert!(s.list_job_remarks("jA", 10).await.expect("gone").is_empty());
    assert!(s.delete_run("rl1").await.expect("delete run"));
    assert!(!s.delete_run("rl1").await.expect("again"));
    assert!(s.get_run("rl1").await.expect("get").is_none());
    assert!(s.list_runs("jA", None, 10).await.expect("history").items.is_empty());
    assert!(jobs_in_checks().await.is_empty());
    assert!(s.delete_job("jC").await.expect("delete job"));
    assert!(!s.delete_job("jC").await.expect("again"));
    assert!(s.get_job("jC").await.expect("get").is_none());
    assert_eq!(names(s.list_jobs(&list(None), None, 10).await.expect("all")), ["Bravo", "Zulu"]);
}

/// A mail's intake record (verdicts, hold, attempts, quarantine) round-trips,
/// and quarantined mails are listed apart from the Inbox, newest first; a
/// released one leaves the list.
async fn quarantined_mails_keep_their_intake_and_list_apart(a: Adapters) {
    use bc_api_types::{MailVerdicts, QuarantineInfo, Verdict};
    let s = &a.store;
    let mut q1 = mail("q1", t(5, 1), MailState::Quarantined, None);
    q1.intake.verdicts = Some(MailVerdicts {
        virus: Verdict::Fail,
        dmarc: Verdict::ProcessingFailed,
        source: Some("amazonses.com".into()),
        ..Default::default()
    });
    q1.intake.quarantine = Some(QuarantineInfo { reason: "virus verdict FAIL".into(), at: t(5, 1), attempts: 0 });
    let mut q2 = mail("q2", t(5, 2), MailState::Quarantined, None);
    q2.intake.attempts = 4;
    q2.intake.last_error = Some("boom".into());
    q2.intake.quarantine = Some(QuarantineInfo { reason: "ingest failed 4 times".into(), at: t(5, 3), attempts: 4 });
    let mut held = mail("h1", t(5, 4), MailState::Inbox, Some("id|h"));
    held.intake.held = Some("failed authentication".into());
    for m in [&q1, &q2, &held] {
        assert!(s.insert_mail(m).await.unwrap());
    }
    assert_eq!(s.get_mail("q1").await.unwrap().unwrap(), q1);
    assert_eq!(s.get_mail("h1").await.unwrap().unwrap().intake.held.as_deref(), Some("failed authentication"));
    let page = s.list_mails(MailList::Quarantined, None, 1).await.unwrap();
    assert_eq!(page.items.iter().map(|m| m.id.as_str()).collect::<Vec<_>>(), ["q2"]);
    let next = s.list_mails(MailList::Quarantined, page.next_cursor.as_deref(), 1).await.unwrap();
    assert_eq!(next.items.iter().map(|m| m.id.as_str()).collect::<Vec<_>>(), ["q1"]);
    let inbox = s.list_mails(MailList::Inbox, None, 50).await.unwrap();
    assert_eq!(inbox.items.iter().map(|m| m.id.as_str()).collect::<Vec<_>>(), ["h1"]);
    let mut released = s.get_mail("q2").await.unwrap().unwrap();
    released.state = MailState::Received;
    released.intake.quarantine = None;
    s.update_mail(&released).await.unwrap();
    let left = s.list_mails(MailList::Quarantined, None, 50).await.unwrap();
    assert_eq!(left.items.iter().map(|m| m.id.as_str()).collect::<Vec<_>>(), ["q1"]);
    assert_eq!(
        s.received_mails_before(t(6, 0), 10).await.unwrap().into_iter().map(|m| m.id).collect::<Vec<_>>(),
        ["q2"]
    );
}

/// The scheduler's port: only jobs with an expected run past due come back,
/// earliest due first, and follow job writes (a job whose expectation moved
/// on or was cleared leaves the list); a Missed run is recorded with its
/// job all or nothing, and once.
async fn due_jobs_by_next_due_and_missed_runs_once(a: Adapters) {
    use bc_api_types::Expectation;
    let s = &a.store;
    let expect = |at: DateTime<Utc>| Expectation {
        at,
        window_start: at,
        window_end: at,
        due_at: at + chrono::Duration::hours(1),
        day: at.date_naive(),
    };
    for (id, due) in [("j1", Some(t(3, 1))), ("j2", Some(t(2, 1))), ("j3", Some(t(9, 1))), ("j4", None)] {
        let mut j = job(id, "c1", id, "Veeam");
        j.schedule.next = due.map(expect);
        s.insert_job(&j).await.unwrap();
    }
    let due: Vec<String> = s.due_jobs(t(5, 0), 10).await.unwrap().into_iter().map(|j| j.id).collect();
    assert_eq!(due, vec!["j2", "j1"], "past due only, earliest first");
    assert_eq!(s.due_jobs(t(5, 0), 1).await.unwrap().len(), 1, "the limit holds");
    // Due exactly now counts.
    assert_eq!(s.due_jobs(t(2, 2), 10).await.unwrap().len(), 1);

    // A Missed run with its job's next expectation: all or nothing, once.
    let j2 = s.get_job("j2").await.unwrap().unwrap();
    let mut missed = run("rmissed", "j2", "", t(2, 1), Status::Missed);
    missed.mail_id = String::new();
    let mut moved = j2.clone();
    moved.schedule.next = Some(expect(t(10, 1)));
    let mut stale = moved.clone();
    stale.version = 5;
    assert!(is_conflict(s.record_missed(&missed, &stale).await));
    assert_eq!(s.get_run("rmissed").await.unwrap(), None, "nothing written on a stale job");
    assert!(s.record_missed(&missed, &moved).await.unwrap());
    assert_eq!(s.get_run("rmissed").await.unwrap().unwrap().status, Status::Missed);
    let stored = s.get_job("j2").await.unwrap().unwrap();
    assert_eq!(stored.version, 1);
    let again = stored.clone();
    assert!(!s.record_missed(&missed, &again).await.unwrap(), "once");
    assert_eq!(s.get_job("j2").await.unwrap().unwrap().version, 1);
    let due: Vec<String> = s.due_jobs(t(5, 0), 10).await.unwrap().into_iter().map(|j| j.id).collect();
    assert_eq!(due, vec!["j1"], "j2 moved on");
    // The Missed run is unreviewed and counted as such.
    let counts = s.unreviewed_by_job().await.unwrap();
    assert_eq!(counts.iter().find(|u| u.job_id == "j2").map(|u| u.missed), Some(1));
    // Clearing the expectation takes a job off the list.
    let mut j1 = s.get_job("j1").await.unwrap().unwrap();
    j1.schedule.next = None;
    s.update_job(&j1).await.unwrap();
    assert!(s.due_jobs(t(30, 0), 10).await.unwrap().iter().all(|j| j.id != "j1"));
    assert_eq!(s.due_jobs(t(30, 0), 10).await.unwrap().len(), 2);
}

fn tape(id: &str, barcode: &str) -> bc_api_types::Tape {
    bc_api_types::Tape {
        id: id.into(),
        barcode: barcode.into(),
        generation: 8,
        capacity_gb: 12_000,
        tags: vec!["weekly".into()],
        status: bc_api_types::TapeStatus::Empty,
        notes: String::new(),
        location: None,
        created_by: "olga".into(),
        created_at: t(1, 8),
        updated_by: None,
        updated_at: None,
        version: 0,
    }
}

fn tape_job(id: &str, day: u32, tapes: &[&str]) -> bc_api_types::TapeJob {
    bc_api_types::TapeJob {
        id: id.into(),
        name: format!("Full {day}"),
        job_date: t(day, 22),
        retention_days: 30,
        expires_at: t(day, 22) + Duration::days(30),
        total_files: 1000,
        total_bytes: 1 << 40,
        verification: bc_api_types::Verification::Passed,
        source_system: "fs01".into(),
        technician: "olga".into(),
        tape_ids: tapes.iter().map(|t| t.to_string()).collect(),
        created_by: "olga".into(),
        created_at: t(day, 23),
        updated_by: None,
        updated_at: None,
        version: 0,
    }
}

async fn tapes_have_unique_barcodes_and_versions(a: Adapters) {
    let s = &a.store;
    s.insert_tapes(&[tape("tp1", "AAA001L8"), tape("tp2", "AAA002L8")]).await.expect("insert");
    // A box with one taken barcode is refused whole.
    assert!(is_conflict(s.insert_tapes(&[tape("tp3", "AAA003L8"), tape("tp4", "AAA001L8")]).await));
    assert_eq!(s.get_tape("tp3").await.unwrap(), None, "nothing of a refused box is written");
    let barcodes: Vec<String> = s.list_tapes().await.unwrap().into_iter().map(|t| t.barcode).collect();
    assert_eq!(barcodes, ["AAA001L8", "AAA002L8"]);
    let mut got = s.get_tape("tp2").await.unwrap().expect("tp2");
    got.status = bc_api_types::TapeStatus::Full;
    s.update_tape(&got).await.expect("update");
    assert!(is_conflict(s.update_tape(&got).await), "stale version");
    let fresh = s.get_tape("tp2").await.unwrap().expect("tp2");
    assert_eq!((fresh.status, fresh.version), (bc_api_types::TapeStatus::Full, 1));
    // A deleted barcode can be registered again.
    assert!(s.delete_tape("tp1").await.unwrap());
    assert!(!s.delete_tape("tp1").await.unwrap());
    s.insert_tapes(&[tape("tp5", "AAA001L8")]).await.expect("barcode free again");
}

async fn tape_locations_and_custody_by_tape(a: Adapters) {
    let s = &a.store;
    s.insert_tapes(&[tape("tp1", "BBB001L9"), tape("tp2", "BBB002L9")]).await.unwrap();
    let mut tp = s.get_tape("tp1").await.unwrap().unwrap();
    for (i, (id, kind)) in
        [("tl1", bc_api_types::LocationKind::OnSite), ("tl2", bc_api_types::LocationKind::OffSite)].iter().enumerate()
    {
        let loc = bc_api_types::TapeLocation {
            id: id.to_string(),
            tape_id: "tp1".into(),
            kind: *kind,
            place: "Shelf A".into(),
            custodian: "Vera".into(),
            provider: String::new(),
            at: t(2 + i as u32, 9),
            return_due: None,
            notes: String::new(),
            logged_by: "olga".into(),
            logged_at: t(2 + i as u32, 9),
            current: false,
        };
        tp.location = Some(bc_api_types::CurrentLocation {
            location_id: id.to_string(),
            kind: *kind,
            place: loc.place.clone(),
            custodian: loc.custodian.clone(),
            since: loc.at,
            return_due: None,
        });
        s.log_tape_location(&tp, &loc).await.expect("log");
        tp.version += 1;
        // The Cartridge's version guards the log too.
        let mut stale = tp.clone();
        stale.version -= 1;
        let other = bc_api_types::TapeLocation { id: format!("{id}x"), ..loc.clone() };
        assert!(is_conflict(s.log_tape_location(&stale, &other).await));
    }
    let locs: Vec<String> = s.list_tape_locations("tp1").await.unwrap().into_iter().map(|l| l.id).collect();
    assert_eq!(locs, ["tl2", "tl1"], "newest first, refused ones not written");
    let stored = s.get_tape("tp1").await.unwrap().unwrap();
    assert_eq!(stored.location.map(|l| l.location_id), Some("tl2".into()));
    assert!(s.list_tape_locations("tp2").await.unwrap().is_empty());

    for (id, hour) in [("tc2", 12), ("tc1", 10)] {
        let e = bc_api_types::CustodyEvent {
            id: id.into(),
            tape_id: "tp1".into(),
            from: "Olga".into(),
            to: "Courier".into(),
            at: t(3, hour),
            reason: "to the vault".into(),
            signature: None,
            signed_at: None,
            corrects: None,
            recorded_by: "olga".into(),
            recorded_at: t(3, hour),
            version: 0,
        };
        s.insert_custody_event(&e).await.expect("custody");
        assert!(is_conflict(s.insert_custody_event(&e).await));
    }
    let chain: Vec<String> = s.list_custody_events("tp1").await.unwrap().into_iter().map(|e| e.id).collect();
    assert_eq!(chain, ["tc1", "tc2"], "oldest first");
    let mut e = s.get_custody_event("tc1").await.unwrap().unwrap();
    e.signature = Some(bc_api_types::Signature::Typed { name: "Courier".into() });
    s.update_custody_event(&e).await.expect("sign");
    assert!(is_conflict(s.update_custody_event(&e).await));
    assert_eq!(s.get_custody_event("tc1").await.unwrap().unwrap().version, 1);

    assert_eq!(s.delete_tape_locations("tp1").await.unwrap(), 2);
    assert_eq!(s.delete_custody_events("tp1").await.unwrap(), 2);
    assert!(s.list_tape_locations("tp1").await.unwrap().is_empty());
    assert!(s.list_custody_events("tp1").await.unwrap().is_empty());
}

async fn tape_jobs_bind_tapes_in_order(a: Adapters) {
    let s = &a.store;
    s.insert_tapes(&[tape("tp1", "CCC001L8"), tape("tp2", "CCC002L8"), tape("tp3", "CCC003L8")]).await.unwrap();
    s.insert_tape_job(&tape_job("tj1", 5, &["tp1", "tp2", "tp3"])).await.expect("job");
    s.insert_tape_job(&tape_job("tj2", 7, &["tp3"])).await.expect("job");
    assert!(is_conflict(s.insert_tape_job(&tape_job("tj2", 7, &["tp3"])).await));
    let names: Vec<String> = s.list_tape_jobs().await.unwrap().into_iter().map(|j| j.id).collect();
    assert_eq!(names, ["tj2", "tj1"], "newest job date first");
    let mut of3 = s.tape_job_ids_of_tape("tp3").await.unwrap();
    of3.sort();
    assert_eq!(of3, ["tj1", "tj2"]);

    // Reorder and drop tp1: the order is kept, the bindings follow.
    let mut j = s.get_tape_job("tj1").await.unwrap().unwrap();
    j.tape_ids = vec!["tp3".into(), "tp2".into()];
    s.update_tape_job(&j).await.expect("update");
    assert!(is_conflict(s.update_tape_job(&j).await), "stale version");
    let stored = s.get_tape_job("tj1").await.unwrap().unwrap();
    assert_eq!(stored.tape_ids, ["tp3", "tp2"]);
    assert_eq!(stored.version, 1);
    assert!(s.tape_job_ids_of_tape("tp1").await.unwrap().is_empty());
    assert_eq!(s.tape_job_ids_of_tape("tp2").await.unwrap(), ["tj1"]);

    assert!(s.delete_tape_job("tj1").await.unwrap());
    assert!(!s.delete_tape_job("tj1").await.unwrap());
    assert_eq!(s.tape_job_ids_of_tape("tp3").await.unwrap(), ["tj2"]);
    assert!(s.tape_job_ids_of_tape("tp2").await.unwrap().is_empty());
    assert!(s.get_tape("tp2").await.unwrap().is_some(), "the Cartridges stay");
}

fn bdoc(
    kind: bc_core::repos::BackupKind,
    id: &str,
    parent: Option<&str>,
    due: Option<DateTime<Utc>>,
) -> bc_core::repos::BackupDoc {
    bc_core::repos::BackupDoc {
        kind,
        id: id.into(),
        parent: parent.map(Into::into),
        due_at: due,
        version: 0,
        body: format!(r#"{{"id":"{id}"}}"#),
    }
}

async fn backup_docs_are_versioned_grouped_and_due(a: Adapters) {
    use bc_core::repos::BackupKind::{Engine, Hook, Policy};
    let s = &a.store;
    // Insert once per kind and id; the same id under another kind is another record.
    assert!(s.insert_backup_doc(&bdoc(Engine, "e1", None, Some(t(3, 1)))).await.unwrap());
    assert!(!s.insert_backup_doc(&bdoc(Engine, "e1", None, None)).await.unwrap(), "once");
    assert!(s.insert_backup_doc(&bdoc(Policy, "e1", Some("e1"), None)).await.unwrap());
    assert!(s.insert_backup_doc(&bdoc(Engine, "e2", None, Some(t(2, 1)))).await.unwrap());
    assert!(s.insert_backup_doc(&bdoc(Engine, "e3", None, Some(t(9, 1)))).await.unwrap());
    assert!(s.insert_backup_doc(&bdoc(Engine, "e4", None, None)).await.unwrap());
    let e1 = s.get_backup_doc(Engine, "e1").await.unwrap().unwrap();
    assert_eq!((e1.version, e1.due_at, e1.parent.clone()), (0, Some(t(3, 1)), None));
    assert_eq!(e1.body, r#"{"id":"e1"}"#);
    assert_eq!(s.get_backup_doc(Hook, "e1").await.unwrap(), None);

    // Versioned updates: the read version wins once; a stale one is a conflict.
    let mut next = e1.clone();
    next.body = r#"{"id":"e1","status":"online"}"#.into();
    next.due_at = Some(t(4, 1));
    s.update_backup_doc(&next).await.unwrap();
    assert!(is_conflict(s.update_backup_doc(&next).await), "stale version");
    let stored = s.get_backup_doc(Engine, "e1").await.unwrap().unwrap();
    assert_eq!((stored.version, stored.due_at), (1, Some(t(4, 1))));
    assert!(stored.body.contains("online"));
    assert!(is_conflict(s.update_backup_doc(&bdoc(Engine, "gone", None, None)).await), "absent");

    // Due list: earliest first, at or before the time, limited; none without a deadline.
    let due = |v: Vec<bc_core::repos::BackupDoc>| v.into_iter().map(|d| d.id).collect::<Vec<_>>();
    assert_eq!(due(s.backup_docs_due(Engine, t(5, 0), 10).await.unwrap()), vec!["e2", "e1"]);
    assert_eq!(due(s.backup_docs_due(Engine, t(2, 1), 10).await.unwrap()), vec!["e2"], "due exactly then counts");
    assert_eq!(s.backup_docs_due(Engine, t(30, 0), 2).await.unwrap().len(), 2, "the limit holds");
    assert!(s.backup_docs_due(Policy, t(30, 0), 10).await.unwrap().is_empty(), "per kind");
    // Clearing the deadline takes it off the list.
    let mut e2 = s.get_backup_doc(Engine, "e2").await.unwrap().unwrap();
    e2.due_at = None;
    s.update_backup_doc(&e2).await.unwrap();
    assert_eq!(due(s.backup_docs_due(Engine, t(5, 0), 10).await.unwrap()), vec!["e1"]);

    // Lists by kind (by id) and by parent.
    assert_eq!(due(s.list_backup_docs(Engine).await.unwrap()), vec!["e1", "e2", "e3", "e4"]);
    for (id, parent) in [("h2", "p1"), ("h1", "p1"), ("h3", "p2")] {
        assert!(s.insert_backup_doc(&bdoc(Hook, id, Some(parent), None)).await.unwrap());
    }
    assert_eq!(due(s.backup_children(Hook, "p1").await.unwrap()), vec!["h1", "h2"]);
    assert_eq!(due(s.backup_children(Hook, "p3").await.unwrap()), Vec::<String>::new());
    assert_eq!(due(s.backup_children(Policy, "e1").await.unwrap()), vec!["e1"]);

    // Put overwrites whatever is there (and moves the parent); delete says whether it existed.
    let mut moved = bdoc(Hook, "h1", Some("p2"), None);
    moved.version = 7;
    s.put_backup_doc(&moved).await.unwrap();
    assert_eq!(due(s.backup_children(Hook, "p2").await.unwrap()), vec!["h1", "h3"]);
    assert_eq!(s.get_backup_doc(Hook, "h1").await.unwrap().unwrap().version, 7);
    s.put_backup_doc(&bdoc(Hook, "h9", Some("p2"), None)).await.unwrap();
    assert!(s.delete_backup_doc(Hook, "h9").await.unwrap());
    assert!(!s.delete_backup_doc(Hook, "h9").await.unwrap());
    assert_eq!(s.get_backup_doc(Hook, "h9").await.unwrap(), None);
    assert_eq!(s.list_backup_docs(Hook).await.unwrap().len(), 3);
}

async fn backup_doc_update_and_claim_are_one_write(a: Adapters) {
    use bc_core::repos::BackupKind::Engine;
    let s = &a.store;
    assert!(s.insert_backup_doc(&bdoc(Engine, "e1", None, Some(t(3, 1)))).await.unwrap());
    let v0 = s.get_backup_doc(Engine, "e1").await.unwrap().unwrap();
    let mut d = v0.clone();
    d.body = r#"{"id":"e1","n":1}"#.into();
    assert!(s.update_backup_doc_claiming(&d, "nonce:e1:a", t(1, 0), t(1, 1)).await.unwrap());
    let v1 = s.get_backup_doc(Engine, "e1").await.unwrap().unwrap();
    assert_eq!((v1.version, v1.body.as_str()), (1, r#"{"id":"e1","n":1}"#));
    // The same claim again: refused, and the record is not written.
    let mut again = v1.clone();
    again.body = r#"{"id":"e1","n":2}"#.into();
    assert!(!s.update_backup_doc_claiming(&again, "nonce:e1:a", t(1, 0), t(1, 1)).await.unwrap());
    assert_eq!(s.get_backup_doc(Engine, "e1").await.unwrap().unwrap(), v1, "nothing written");
    // A stale version: a conflict, and the claim is not taken either.
    assert!(is_conflict(s.update_backup_doc_claiming(&d, "nonce:e1:b", t(1, 0), t(1, 1)).await));
    assert!(s.claim("nonce:e1:b", t(1, 0), t(1, 1)).await.unwrap(), "the claim was rolled back");
    // Once a claim expired it may be taken again.
    assert!(s.update_backup_doc_claiming(&again, "nonce:e1:a", t(1, 2), t(1, 3)).await.unwrap());
    assert_eq!(s.get_backup_doc(Engine, "e1").await.unwrap().unwrap().version, 2);
    assert!(!s.claim("nonce:e1:a", t(1, 2), t(1, 3)).await.unwrap(), "held again");
}

/// The dashboard's store queries: counts over every object, the breach
/// queue longest first, the failed native objects newest first.
async fn protected_objects_are_counted_and_queued(a: Adapters) {
    use bc_api_types::{LastBackupStatus, ObjectSource, ObjectType, ProtectedObject};
    let s = &a.store;
    let now = t(20, 12);
    let object =
        |id: &str, last_success: Option<DateTime<Utc>>, status: LastBackupStatus, native: bool| ProtectedObject {
            id: id.into(),
            customer_id: "c1".into(),
            name: id.into(),
            object_type: ObjectType::Vm,
            hostname: None,
            source: if native {
                ObjectSource::Native { policy_id: "p".into(), host_id: id.into() }
            } else {
                ObjectSource::Platform { platform_id: "pf".into(), external_id: id.into() }
            },
            job_id: None,
            rpo_hours: 24,
            last_status: status,
            last_backup_at: last_success.or(Some(t(1, 0))),
            last_success_at: last_success,
            created_at: t(1, 0),
            breach_reported_for: None,
            last_run_id: None,
        };
    let objects = [
        object("o-fresh", Some(now - Duration::hours(2)), LastBackupStatus::Success, true),
        object("o-old", Some(now - Duration::hours(72)), LastBackupStatus::Failed, true),
        object("o-older", Some(now - Duration::hours(96)), LastBackupStatus::Success, false),
        object("o-never", None, LastBackupStatus::Never, false),
        object("o-failed-platform", Some(now - Duration::hours(3)), LastBackupStatus::Failed, false),
    ];
    for o in &objects {
        let d = bc_core::repos::BackupDoc {
            kind: bc_core::repos::BackupKind::ProtectedObject,
            id: o.id.clone(),
            parent: Some("c1".into()),
            due_at: None,
            version: 0,
            body: serde_json::to_string(o).unwrap(),
        };
        assert!(s.insert_backup_doc(&d).await.unwrap());
    }
    // Another kind never counts.
    assert!(s.insert_backup_doc(&bdoc(bc_core::repos::BackupKind::Engine, "e9", None, None)).await.unwrap());
    let c = s.protection_counts(now).await.unwrap();
    assert_eq!((c.total, c.failed, c.breaching), (5, 2, 3));
    let ids = |v: Vec<bc_core::repos::BackupDoc>| v.into_iter().map(|d| d.id).collect::<Vec<_>>();
    // Breach since: never (created day 1) first, then 96 h, then 72 h.
    assert_eq!(ids(s.breaching_objects(now, 10).await.unwrap()), ["o-never", "o-older", "o-old"]);
    assert_eq!(ids(s.breaching_objects(now, 1).await.unwrap()), ["o-never"]);
    assert_eq!(ids(s.failed_native_objects(10).await.unwrap()), ["o-old"]);
    let c = s.protection_counts(t(1, 0)).await.unwrap();
    assert_eq!(c.breaching, 0, "nothing is past its RPO before it could be");

    // Hosts without an active assignment.
    use bc_core::repos::BackupKind::{Assignment, Host};
    for h in ["h1", "h2", "h3"] {
        assert!(s.insert_backup_doc(&bdoc(Host, h, Some("c1"), None)).await.unwrap());
    }
    let assignment = |id: &str, host: &str, state: &str| bc_core::repos::BackupDoc {
        body: serde_json::json!({"id": id, "policy_id": "p", "host_id": host, "state": state, "assigned_at": t(1, 0)})
            .to_string(),
        ..bdoc(Assignment, id, Some("p"), None)
    };
    assert!(s.insert_backup_doc(&assignment("p_h1", "h1", "active")).await.unwrap());
    assert!(s.insert_backup_doc(&assignment("p_h2", "h2", "archived")).await.unwrap());
    assert_eq!(s.uncovered_host_count().await.unwrap(), 2, "h2 (archived) and h3 (none)");
}

/// Backup platforms (`platforms`) are backup documents of their own kind, due (indexed) at their next sync: the
/// scheduler reads only the due ones, never an engine's deadline.
async fn platform_docs_are_due_by_next_sync_apart_from_engines(a: Adapters) {
    use bc_core::repos::BackupKind::{Engine, Platform};
    let s = &a.store;
    assert_eq!(bc_core::repos::BackupKind::parse("platform"), Some(Platform));
    assert!(s.insert_backup_doc(&bdoc(Platform, "pf1", None, Some(t(4, 10)))).await.unwrap());
    assert!(s.insert_backup_doc(&bdoc(Platform, "pf2", None, Some(t(4, 8)))).await.unwrap());
    assert!(s.insert_backup_doc(&bdoc(Platform, "pf3", None, None)).await.unwrap(), "a disabled platform: never due");
    assert!(s.insert_backup_doc(&bdoc(Engine, "pf1", None, Some(t(4, 1)))).await.unwrap());
    let ids = |v: Vec<bc_core::repos::BackupDoc>| v.into_iter().map(|d| d.id).collect::<Vec<_>>();
    assert_eq!(ids(s.backup_docs_due(Platform, t(4, 9), 10).await.unwrap()), vec!["pf2"]);
    assert_eq!(ids(s.backup_docs_due(Platform, t(5, 0), 10).await.unwrap()), vec!["pf2", "pf1"]);
    // The next sync moves on: off the list until then.
    let mut p2 = s.get_backup_doc(Platform, "pf2").await.unwrap().unwrap();
    p2.due_at = Some(t(6, 0));
    s.update_backup_doc(&p2).await.unwrap();
    assert_eq!(ids(s.backup_docs_due(Platform, t(5, 0), 10).await.unwrap()), vec!["pf1"]);
    assert_eq!(ids(s.list_backup_docs(Platform).await.unwrap()), vec!["pf1", "pf2", "pf3"]);
    assert!(s.delete_backup_doc(Platform, "pf1").await.unwrap());
    assert!(s.get_backup_doc(Engine, "pf1").await.unwrap().is_some(), "kinds apart");
}
