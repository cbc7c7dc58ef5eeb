//! A data folder made by the first release opens in this one with nothing
//! lost. `fixtures/v1.db` holds the first release's schema (user_version 0,
//! the tables of migration 1) with one of each entity, written with the
//! statements that release used; `write_v1_fixture` (ignored) made it.

use std::path::Path;
use std::sync::Arc;

use bc_api_types::{MailState, Role, Status};
use bc_core::model::{Customer, Job, LastRun, Mail, ParseSummary, Run, Session, User};
use bc_core::repos::*;
use bc_embedded::migrations::SCHEMA_VERSION;
use chrono::{TimeZone, Utc};
use rusqlite::{Connection, params};

fn t(h: u32) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, h, 0, 0).single().expect("time")
}

fn ts(x: chrono::DateTime<Utc>) -> String {
    x.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

/// The first release's schema: migration 1, verbatim.
const V1_SCHEMA: &str = include_str!("../src/migrations/0001_first_release.sql");

#[test]
#[ignore = "writes tests/fixtures/v1.db; run by hand when the fixture must be remade"]
fn write_v1_fixture() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/v1.db");
    let _ = std::fs::remove_file(&path);
    let c = Connection::open(&path).expect("open");
    c.execute_batch(V1_SCHEMA).expect("schema");
    let customer = Customer {
        id: "cacme".into(),
        name: "Acme BV".into(),
        active: true,
        created_at: t(1),
        job_count: 1,
        psa: None,
        version: 1,
    };
    let job = Job {
        id: "jdaily".into(),
        identity: "veeam@acme.example|veeam backup & replication|daily".into(),
        customer_id: "cacme".into(),
        sender: "veeam@acme.example".into(),
        software: "Veeam Backup & Replication".into(),
        job_type: "Backup".into(),
        job_name: "Daily".into(),
        parser: "veeam-vbr".into(),
        approved_at: t(2),
        approved_by: "admin".into(),
        last_run: Some(LastRun { run_id: "r1".into(), at: t(3), status: Status::Warning }),
        run_count: 1,
        lifecycle: Default::default(),
        schedule: Default::default(),
        ping: None,
        source: Default::default(),
        version: 2,
    };
    let mail = Mail {
        sender_name: Some("Veeam".into()),
        recipients: vec!["ops@msp.example".into()],
        subject: "[Warning] Daily".into(),
        message_id: Some("<1@x>".into()),
        size: 2048,
        state: MailState::Processed,
        parse: ParseSummary { ok: true, status: Some(Status::Warning), object_count: 2, ..Default::default() },
        identity: Some(job.identity.clone()),
        job_id: Some("jdaily".into()),
        run_id: Some("r1".into()),
        version: 2,
        ..Mail::received("m1", "mid:veeam@acme.example:<1@x>", "inbound/m1.eml", "veeam@acme.example", t(3))
    };
    let run = Run {
        mail_id: "m1".into(),
        started_at: Some(t(2)),
        ended_at: Some(t(3)),
        duration_secs: Some(3600),
        object_count: 2,
        message: Some("CBT disabled".into()),
        ..Run::new("r1", "jdaily", "cacme", Status::Warning, t(3))
    };
    let user = User {
        id: "uadmin".into(),
        username: "admin".into(),
        password_hash: bc_core::auth::hash_password("admin-password-1").expect("hash"),
        role: Role::Admin,
        active: true,
        created_at: t(1),
        sessions_valid_after: None,
        two_factor: None,
        version: 0,
    };
    let session = Session { token_hash: "h1".into(), user_id: "uadmin".into(), created_at: t(4), expires_at: t(23) };
    c.execute(
        "INSERT INTO customers (id, name_key, version, doc) VALUES (?1, ?2, ?3, ?4)",
        params![customer.id, "acme bv", 1, doc(&customer)],
    )
    .expect("c");
    c.execute("INSERT INTO jobs (id, customer_id, name_key, software, last_status, version, doc) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)", params![job.id, job.customer_id, "daily", job.software, "Warning", 2, doc(&job)]).expect("j");
    c.execute(
        "INSERT INTO mails (id, state, received_at, identity, version, doc) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![mail.id, "processed", ts(mail.received_at), mail.identity, 2, doc(&mail)],
    )
    .expect("m");
    c.execute(
        "INSERT INTO runs (id, job_id, sort_at, unreviewed, version, doc) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![run.id, run.job_id, ts(run.sort_at()), 1, 0, doc(&run)],
    )
    .expect("r");
    c.execute(
        "INSERT INTO users (id, username_key, version, doc) VALUES (?1, ?2, ?3, ?4)",
        params![user.id, "admin", 0, doc(&user)],
    )
    .expect("u");
    c.execute(
        "INSERT INTO sessions (token_hash, user_id, expires_at, doc) VALUES (?1, ?2, ?3, ?4)",
        params![session.token_hash, session.user_id, ts(session.expires_at), doc(&session)],
    )
    .expect("s");
    c.execute("INSERT INTO settings (key, value) VALUES ('time_zone', 'Europe/Amsterdam')", []).expect("setting");
    c.execute(
        "INSERT INTO queue (body, visible_at, attempts, dead, created_at) VALUES (?1, 0, 0, 0, 0)",
        [r#"{"type":"reparse_inbox","cursor":null}"#],
    )
    .expect("queue");
}

/// An entity's JSON document, as the first release stored it.
fn doc<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).expect("encode")
}

#[tokio::test]
async fn a_first_release_data_folder_opens_with_nothing_lost() {
    let dir = tempfile::tempdir().expect("tempdir");
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/v1.db");
    std::fs::copy(&fixture, dir.path().join("backupchecks.db")).expect("copy fixture");
    let before: u32 = Connection::open(dir.path().join("backupchecks.db"))
        .expect("open")
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .expect("version");
    assert_eq!(before, 0, "the fixture is the first release's database");

    let e = bc_embedded::Embedded::open(dir.path()).expect("the old database opens");
    let version: u32 = Connection::open(dir.path().join("backupchecks.db"))
        .expect("open")
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .expect("version");
    assert_eq!(version, SCHEMA_VERSION);

    let s = e.store.clone();
    assert_eq!(s.get_customer("cacme").await.unwrap().unwrap().name, "Acme BV");
    let job = s.get_job("jdaily").await.unwrap().unwrap();
    assert_eq!(job.last_run.unwrap().status, Status::Warning);
    assert_eq!(s.get_mail("m1").await.unwrap().unwrap().state, MailState::Processed);
    assert_eq!(s.get_user_by_username("ADMIN").await.unwrap().unwrap().id, "uadmin");
    assert!(s.get_session("h1").await.unwrap().is_some());
    assert_eq!(s.get_setting("time_zone").await.unwrap().as_deref(), Some("Europe/Amsterdam"));
    // The old run got its new columns: Run Checks counts it.
    let unreviewed = s.unreviewed_by_job().await.unwrap();
    assert_eq!(unreviewed.len(), 1);
    assert_eq!((unreviewed[0].job_id.as_str(), unreviewed[0].warning), ("jdaily", 1));
    assert_eq!(s.list_unreviewed_runs(Some("jdaily"), None, 10).await.unwrap().items[0].id, "r1");
    // The queued task survived.
    assert_eq!(bc_core::ports::Queue::receive(e.queue.as_ref(), 10).await.unwrap().len(), 1);
    // And the new tables work on it.
    assert!(s.claim("k", t(5), t(6)).await.unwrap());
    let app = e.app(bc_core::Config::default(), Arc::new(bc_core::ports::SystemClock));
    let admin = app
        .login("admin", "admin-password-1", "test")
        .await
        .expect("the old user signs in")
        .into_session()
        .expect("no second step");
    assert_eq!(admin.user.id, "uadmin");

    // Opening again is a no-op; a database from a newer release is refused.
    drop(e);
    bc_embedded::Embedded::open(dir.path()).expect("reopens");
    Connection::open(dir.path().join("backupchecks.db"))
        .unwrap()
        .pragma_update(None, "user_version", SCHEMA_VERSION + 1)
        .unwrap();
    let err = bc_embedded::Embedded::open(dir.path()).err().expect("refused");
    assert!(err.to_string().contains("newer than this release"), "{err}");
}
