//! How many DynamoDB requests one ingested mail costs, measured on the AWS
//! adapters against moto with `DynamoStore::request_count()`. The figures
//! are in docs/data-model.md (a backup engine's heartbeat: docs/backup.md);
//! this test keeps them true.
#![cfg(feature = "aws")]

use bc_api_types::Status;
use bc_core::Actor;
use bc_tests::Runtime;
use bc_tests::mails::VeeamMail;

#[tokio::test]
async fn requests_per_ingested_mail() {
    let rt = Runtime::aws("requests").await;
    let aws = rt.aws.clone().expect("aws");
    let app = &rt.app;
    let count = || aws.store.request_count();
    let customer = app.create_customer(&Actor::system(), "Acme").await.expect("customer");
    // Each function instance reads the keyword rules once a minute; warm
    // that cache so the counts below are per mail.
    app.ingest_bytes(bc_tests::mails::newsletter(0)).await.expect("warm-up");

    // A mail of a job nobody approved yet: it goes to the Inbox.
    let before = count();
    let first =
        app.ingest_bytes(VeeamMail::new("v@a.example.com", "Daily", Status::Success, 1).eml()).await.expect("ingest");
    let to_inbox = count() - before;
    app.approve(&Actor::system(), &first.mail.id, &customer.id).await.expect("approve");

    // A mail of an approved job: it becomes a run.
    let before = count();
    let out =
        app.ingest_bytes(VeeamMail::new("v@a.example.com", "Daily", Status::Failed, 2).eml()).await.expect("ingest");
    assert!(out.run.is_some());
    let to_run = count() - before;

    // The same mail delivered again.
    let before = count();
    let again =
        app.ingest_bytes(VeeamMail::new("v@a.example.com", "Daily", Status::Failed, 2).eml()).await.expect("ingest");
    assert!(again.duplicate);
    let duplicate = count() - before;

    // Another run of the job: the alert configuration is cached by now.
    let before = count();
    let out =
        app.ingest_bytes(VeeamMail::new("v@a.example.com", "Daily", Status::Failed, 3).eml()).await.expect("ingest");
    assert!(out.run.is_some());
    let warm = count() - before;

    println!(
        "DynamoDB requests per ingested mail: to the Inbox {to_inbox}, to a run {to_run} (then {warm}), duplicate {duplicate}"
    );
    // get_mail, insert_mail, get_job, update_mail
    assert_eq!(to_inbox, 4);
    // get_mail, insert_mail, get_job, list_overrides (the ones in effect
    // are applied before the run is written), TransactWriteItems (run + job
    // + mail), and for a Failed run the alert configuration (read once a
    // minute per process: not for the next run).
    assert_eq!(to_run, 6);
    assert_eq!(warm, 5);
    assert_eq!(duplicate, 1);
}

/// Re-evaluating unreviewed runs when an override is created: DynamoDB
/// requests per affected run, over 600 Warning runs of 6 jobs (3 batches of
/// 250: the first in the request, two in the worker). The runs are written
/// with BatchWriteItem in the adapter's own item shape (moto copies the
/// table for each transaction, so `record_run` would be slow here).
#[tokio::test]
async fn requests_per_run_when_an_override_is_created() {
    use bc_api_types::{OverrideScope, OverrideSpec, StatusMatch, TextMatch};
    use bc_aws::dynamo::items::to_item;
    use bc_core::model::{Job, Run};
    use chrono::{Duration, TimeZone, Utc};

    const RUNS: usize = 600;
    let rt = Runtime::aws("requests-override").await;
    let aws = rt.aws.clone().expect("aws");
    let app = &rt.app;
    let customer = app.create_customer(&Actor::system(), "Acme").await.expect("customer");
    let base = Utc.with_ymd_and_hms(2026, 10, 1, 0, 0, 0).single().expect("time");
    let mut items = Vec::new();
    for j in 0..6 {
        let job = Job {
            id: format!("jreq{j}"),
            identity: format!("s|veeam|{j}"),
            customer_id: customer.id.clone(),
            sender: "s".into(),
            software: "Veeam Backup & Replication".into(),
            job_type: "Backup".into(),
            job_name: format!("Job {j}"),
            parser: "veeam-vbr".into(),
            approved_at: base,
            approved_by: "admin".into(),
            last_run: None,
            run_count: 0,
            lifecycle: Default::default(),
            schedule: Default::default(),
            ping: None,
            source: Default::default(),
            version: 0,
        };
        items.push(to_item(&job).expect("job item"));
    }
    for i in 0..RUNS {
        let at = base + Duration::minutes(i as i64);
        let run = Run {
            mail_id: format!("mreq{i}"),
            started_at: Some(at),
            message: Some("Changed block tracking is disabled".into()),
            ..Run::new(format!("rreq{i:04}"), format!("jreq{}", i % 6), &customer.id, Status::Warning, at)
        };
        items.push(to_item(&run).expect("run item"));
    }
    bc_aws::testing::batch_put(&aws, &items).await.expect("batch write");

    let spec = OverrideSpec {
        scope: OverrideScope::Global,
        object: None,
        status: StatusMatch::Warning,
        message: Some(TextMatch::Contains("block tracking".into())),
        valid_from: None,
        valid_until: None,
        comment: "CBT is off by design".into(),
    };
    let before = aws.store.request_count();
    app.create_override(&Actor::system(), &spec).await.expect("create");
    while app.drain_queue_once(10).await.expect("worker") > 0 {}
    let requests = aws.store.request_count() - before;
    let counts = app.store.unreviewed_by_job().await.expect("counts");
    assert_eq!(counts.iter().map(|u| u.success as usize).sum::<usize>(), RUNS, "every run shows Success");
    let per_run = requests as f64 / RUNS as f64;
    println!("DynamoDB requests to create an override over {RUNS} unreviewed runs: {requests} ({per_run:.3} per run)");
    // One conditional PutItem per run; per batch of 250 one Query of the
    // overrides, one of the unreviewed runs, one BatchGetItem of their jobs;
    // and for the override itself a counter update, a list (the limit), a
    // PutItem and the audit entry.
    assert!(requests <= RUNS as u64 + 3 * 3 + 6, "{requests} requests for {RUNS} runs");
}

/// The scheduler tick's DynamoDB requests per due job: one Query of the due
/// index (GSI3 `JOBS#DUE`) for all of them, then one TransactWriteItems per
/// Missed run (the run, conditional on being absent, with its job's
/// advanced expectation); jobs not due are never read. Jobs are written
/// directly, in the adapter's own item shape.
#[tokio::test]
async fn requests_per_due_job_in_the_scheduler_tick() {
    use bc_api_types::{Cadence, LearnedSchedule};
    use bc_aws::dynamo::items::to_item;
    use bc_core::model::{Job, JobSchedule};
    use bc_core::schedules::expect::{Context, Effective};
    use chrono::{DateTime, Duration, TimeZone, Utc};

    struct Fixed(DateTime<Utc>);
    impl bc_core::ports::Clock for Fixed {
        fn now(&self) -> DateTime<Utc> {
            self.0
        }
    }

    const DUE: usize = 40;
    const NOT_DUE: usize = 200;
    let now = Utc.with_ymd_and_hms(2026, 3, 10, 12, 0, 0).single().expect("time");
    let mut rt = Runtime::aws("requests-tick").await;
    rt.app.clock = std::sync::Arc::new(Fixed(now));
    let aws = rt.aws.clone().expect("aws");
    let app = &rt.app;
    let customer = app.create_customer(&Actor::system(), "Acme").await.expect("customer");
    let learned = LearnedSchedule {
        cadence: Cadence::Daily,
        expected_minute: 60,
        tolerance_minutes: 15,
        confidence: 1.0,
        runs: 30,
    };
    let eff = Effective::Learned(learned.clone());
    let ctx = Context::default();
    let mut items = Vec::new();
    for j in 0..DUE + NOT_DUE {
        let after = if j < DUE { now - Duration::days(1) } else { now };
        let job = Job {
            id: format!("jtick{j:04}"),
            identity: format!("s|veeam|tick{j}"),
            customer_id: customer.id.clone(),
            sender: "s".into(),
            software: "Veeam Backup & Replication".into(),
            job_type: "Backup".into(),
            job_name: format!("Job {j}"),
            parser: "veeam-vbr".into(),
            approved_at: now - Duration::days(30),
            approved_by: "admin".into(),
            last_run: None,
            run_count: 0,
            schedule: JobSchedule {
                learned: Some(learned.clone()),
                next: eff.next_after(after, 60, &ctx),
                ..Default::default()
            },
            lifecycle: Default::default(),
            ping: None,
            source: Default::default(),
            version: 0,
        };
        items.push(to_item(&job).expect("job item"));
    }
    bc_aws::testing::batch_put(&aws, &items).await.expect("batch write");

    let before = aws.store.request_count();
    let report = app.tick().await.expect("tick");
    let with_due = aws.store.request_count() - before;
    assert_eq!(report.missed_runs as usize, DUE);
    let before = aws.store.request_count();
    assert_eq!(app.tick().await.expect("tick").missed_runs, 0, "a second tick creates nothing more");
    let idle = aws.store.request_count() - before;
    let per_due = (with_due - idle) as f64 / DUE as f64;
    println!(
        "DynamoDB requests of a tick with {DUE} due jobs among {}: {with_due} ({idle} for the same tick with none due; \
         {per_due:.3} per due job)",
        DUE + NOT_DUE
    );
    // Per due job one TransactWriteItems; for all of them the due Query's
    // extra page, the schedule settings (3 GetItem) and the audit batch
    // (BatchWriteItem of 25).
    assert!(with_due - idle <= DUE as u64 + 2 + 3 + DUE.div_ceil(25) as u64, "{with_due} - {idle}");
}

/// A backup engine's heartbeat (no capacity reports) costs two requests:
/// the engine's GetItem, and one TransactWriteItems that takes the nonce
/// and writes the engine. The issue's budget is at most 2.
#[tokio::test]
async fn requests_per_engine_heartbeat() {
    use base64::Engine as _;
    use bc_core::backup::engines::protocol::{SignedCall, canonical};
    use ring::signature::{Ed25519KeyPair, KeyPair};

    let rt = Runtime::aws("heartbeat_requests").await;
    let aws = rt.aws.clone().expect("aws");
    let app = &rt.app;
    let secret = app
        .rotate_registration_secret(&Actor::system(), &bc_api_types::RegistrationSecretBody { customer_id: None })
        .await
        .expect("secret");
    let key = Ed25519KeyPair::from_seed_unchecked(&[4; 32]).expect("key");
    let b64 = base64::engine::general_purpose::STANDARD;
    let registered = app
        .bes_register(&bc_api_types::BesRegister {
            registration_secret: secret.secret,
            name: "Counted".into(),
            deployment_model: bc_api_types::DeploymentModel::OnPremise,
            public_key: b64.encode(key.public_key().as_ref()),
            hostname: "bes.lan".into(),
            ip: "10.0.0.9".into(),
            port: 8443,
        })
        .await
        .expect("register");
    let mut counts = Vec::new();
    for i in 0..3 {
        let body = br#"{"version":"1.0.0"}"#;
        let ts = chrono::Utc::now().timestamp().to_string();
        let nonce = format!("counted-nonce-{i:04}");
        let msg = canonical("POST", "/bes/v1/heartbeat", &ts, &nonce, body);
        let call = SignedCall {
            method: "POST".into(),
            path: "/bes/v1/heartbeat".into(),
            engine_id: registered.engine_id.clone(),
            timestamp: ts,
            nonce,
            signature: b64.encode(key.sign(msg.as_bytes()).as_ref()),
        };
        let before = aws.store.request_count();
        let verified = app.bes_verify(&call, body).await.expect("verified");
        let hb = serde_json::from_slice(body).expect("heartbeat");
        app.bes_heartbeat(verified, &hb).await.expect("heartbeat");
        counts.push(aws.store.request_count() - before);
    }
    // The first one (pending to online) also writes its audit entry.
    assert!(counts[1..].iter().all(|c| *c <= 2), "requests per heartbeat: {counts:?}");
}

/// Dispatch: requests per agent job when policy slots fall due. Per job:
/// its existence check (GetItem), the host (GetItem) and the insert
/// (PutItem); per policy: the policy, its assignments, engine, hooks and
/// the Jobs-page job, and the clock's update; per tick the due Query.
#[tokio::test]
async fn requests_per_dispatched_backup_job() {
    use bc_core::ports::ManualClock;

    const POLICIES: usize = 5;
    const HOSTS: usize = 4;
    let start: chrono::DateTime<chrono::Utc> = "2026-03-10T01:00:00Z".parse().expect("time");
    let clock = std::sync::Arc::new(ManualClock::new(start));
    let mut rt = Runtime::aws("dispatch_requests").await;
    rt.app.clock = clock.clone();
    let aws = rt.aws.clone().expect("aws");
    let app = &rt.app;
    bc_tests::bes::native_policies(app, "Dispatch BV", "0 2 * * *", POLICIES, HOSTS).await;
    clock.set("2026-03-10T02:00:30Z".parse().expect("time"));
    let before = aws.store.request_count();
    let n = app.dispatch_due().await.expect("dispatch");
    let used = aws.store.request_count() - before;
    assert_eq!(n as usize, POLICIES * HOSTS);
    let per_job = used as f64 / n as f64;
    println!(
        "DynamoDB requests to dispatch {n} backup jobs ({POLICIES} policies x {HOSTS} hosts): {used} ({per_job:.2} a job)"
    );
    assert!(used <= (3 * POLICIES * HOSTS + 7 * POLICIES + 2) as u64, "{used}");
}
