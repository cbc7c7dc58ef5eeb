//! The client against the fake Autotask API (tests/fake-autotask) on loopback.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bc_autotask::content::{DescriptionOptions, RunStatus, TicketRun, ticket_description, ticket_subject};
use bc_autotask::resolve::{
    self, RESOLVED_NOTE, ResolveOptions, ResolveOutcome, TIME_ENTRIES_NOTE, TicketState, create_ticket_for_run,
    find_ticket_for_run, resolve_ticket,
};
use bc_autotask::{
    AutotaskClient, AutotaskError, Config, HourlyBudget, NewTicket, NewTicketNote, Query, Unlimited, publish,
};
use chrono::Utc;
use fake_autotask::{
    FakeAutotask, Fault, PRIORITY_HIGH, QUEUE_HELPDESK, SOURCE_MONITORING_ALERT, STATUS_COMPLETE, STATUS_NEW,
};
use serde_json::json;

fn config(fake: &FakeAutotask) -> Config {
    let c = fake.credentials();
    Config::new(c.username, c.secret, c.integration_code)
        .with_zone_lookup(&fake.base_url())
        .with_timeout(Duration::from_secs(5))
}

async fn setup() -> (FakeAutotask, AutotaskClient) {
    let fake = FakeAutotask::start().await;
    let client = AutotaskClient::connect(config(&fake), Arc::new(Unlimited)).await.expect("connect");
    (fake, client)
}

fn new_ticket(company_id: i64, description: &str) -> NewTicket {
    NewTicket {
        company_id,
        title: ticket_subject("Acme Corp", "Daily VMs", RunStatus::Failed),
        description: description.into(),
        status: STATUS_NEW,
        priority: PRIORITY_HIGH,
        queue_id: QUEUE_HELPDESK,
        source: Some(SOURCE_MONITORING_ALERT),
        due_date_time: None,
    }
}

async fn a_ticket(fake: &FakeAutotask, client: &AutotaskClient) -> i64 {
    let acme = fake.company_id("Acme Corp").unwrap();
    client.create_ticket(&new_ticket(acme, "Backup failed")).await.unwrap()
}

#[tokio::test]
async fn zone_is_discovered_from_the_api_user() {
    let (fake, client) = setup().await;
    assert_eq!(client.zone().url, fake.zone_url());
    assert_eq!(
        client.ticket_url(42).unwrap(),
        format!("{}/Autotask/AutotaskExtend/ExecuteCommand.aspx?Code=OpenTicketDetail&TicketID=42", fake.base_url())
    );
    // The zone lookup carries no credentials; the API calls after it do.
    let first = &fake.requests()[0];
    assert_eq!(first.endpoint, "zoneInformation");
    assert!(first.query.as_deref().unwrap().contains("user=bc-api%40fake-msp.example"));
    let t = client.threshold_information().await.unwrap();
    assert_eq!(t.external_request_threshold, 10000);
    assert_eq!(t.current_timeframe_request_count, 1);

    let mut unknown = config(&fake);
    unknown.username = "nobody@example.com".into();
    assert_eq!(AutotaskClient::discover_zone(&unknown).await.unwrap_err(), AutotaskError::Unauthorized);
}

#[tokio::test]
async fn wrong_credentials_are_unauthorized() {
    let fake = FakeAutotask::start().await;
    for edit in [0, 1, 2] {
        let mut cfg = config(&fake);
        match edit {
            0 => cfg.secret = "wrong".into(),
            1 => cfg.integration_code = "WRONG".into(),
            _ => cfg.zone_url = Some(fake.zone_url()),
        }
        if edit == 2 {
            cfg.username = "other@fake-msp.example".into();
        }
        let client = AutotaskClient::connect(cfg, Arc::new(Unlimited)).await.unwrap();
        assert_eq!(client.company(0).await.unwrap_err(), AutotaskError::Unauthorized, "case {edit}");
    }
}

#[tokio::test]
async fn create_ticket_with_the_required_fields() {
    let (fake, client) = setup().await;
    let acme = fake.company_id("Acme Corp").unwrap();
    let id = client.create_ticket(&new_ticket(acme, "Backup failed")).await.unwrap();
    let t = client.ticket(id).await.unwrap();
    assert_eq!(t.title, "[Backupchecks] Acme Corp - Daily VMs - Failed");
    assert_eq!((t.company_id, t.status, t.priority, t.queue_id), (acme, STATUS_NEW, Some(1), Some(QUEUE_HELPDESK)));
    let n = &t.ticket_number;
    assert!(n.starts_with(&format!("T{}.", Utc::now().format("%Y%m%d"))) && n.len() == 14, "{n}");
    assert!(t.create_date.is_some());
    assert_eq!(client.ticket_by_number(n).await.unwrap().unwrap().id, id);
    assert_eq!(client.ticket_by_number("T19990101.0001").await.unwrap(), None);

    // The wire body is camelCase with Autotask's ID casing.
    let post = fake.requests().into_iter().find(|r| r.method == "POST" && r.endpoint == "Tickets").unwrap();
    assert_eq!(post.body["companyID"], acme);
    assert_eq!(post.body["queueID"], QUEUE_HELPDESK);

    // The rules: required fields, and a queue (or resource + role).
    let err = client
        .create("Tickets", &json!({"companyID": acme, "status": 1, "priority": 2, "queueID": QUEUE_HELPDESK}))
        .await;
    assert_eq!(err.unwrap_err(), AutotaskError::Validation("Missing Required Field: title".into()));
    let err = client.create("Tickets", &json!({"companyID": acme, "title": "x", "status": 1, "priority": 2})).await;
    assert!(
        matches!(err.unwrap_err(), AutotaskError::Validation(m) if m.contains("queueID cannot all be empty") || m.contains("Supply a queueID"))
    );
    let err = client.create_ticket(&new_ticket(999_999, "x")).await.unwrap_err();
    assert!(matches!(err, AutotaskError::Validation(m) if m.contains("companyID")));
}

#[tokio::test]
async fn queries_follow_next_page_url_with_the_same_body() {
    let (fake, client) = setup().await;
    let globex = fake.company_id("Globex").unwrap();
    let ids = fake.add_tickets(globex, 10);
    fake.add_tickets(fake.company_id("Acme Corp").unwrap(), 2);
    fake.set_page_size(3);
    let got = client.tickets(&Query::new(bc_autotask::Filter::eq("companyID", globex))).await.unwrap();
    assert_eq!(got.iter().map(|t| t.id).collect::<Vec<_>>(), ids);
    let reqs = fake.requests();
    let pages: Vec<_> = reqs.iter().filter(|r| r.endpoint.starts_with("Tickets/query")).collect();
    assert_eq!(pages.len(), 4, "10 tickets at 3 a page");
    // The next pages are POSTs to `.../Tickets/query/next?paging=...` on the zone.
    assert!(pages[1..].iter().all(|r| r.method == "POST"
        && r.endpoint == "Tickets/query/next"
        && r.query.as_deref().is_some_and(|q| q.starts_with("paging="))));
    assert!(pages.iter().all(|r| r.body == pages[0].body), "every page POSTs the same body");
    // Bounded queries stop early.
    let two = client.query_bounded::<bc_autotask::Ticket>("Tickets", &Query::all(), Some(2)).await.unwrap();
    assert_eq!(two.len(), 2);
    // Count.
    let n = client.count("Tickets", &Query::new(bc_autotask::Filter::eq("companyID", globex))).await.unwrap();
    assert_eq!(n, 10);
}

#[tokio::test]
async fn notes_are_created_and_listed_as_children() {
    let (fake, client) = setup().await;
    let id = a_ticket(&fake, &client).await;
    let note = NewTicketNote {
        title: "Hi".into(),
        description: "Internal".into(),
        note_type: 3,
        publish: publish::INTERNAL_PROJECT_TEAM,
    };
    let nid = client.create_ticket_note(id, &note).await.unwrap();
    let notes = client.ticket_notes(id).await.unwrap();
    assert_eq!(notes.len(), 1);
    assert_eq!((notes[0].id, notes[0].ticket_id, notes[0].publish), (nid, id, Some(2)));
    assert!(notes[0].create_date_time.is_some(), "a datetime without Z is still read");
    assert_eq!(fake.count_requests("POST", &format!("Tickets/{id}/Notes")), 1);
    // Not a child of an existing ticket: refused.
    assert!(matches!(client.create_ticket_note(1, &note).await.unwrap_err(), AutotaskError::Validation(_)));
    // `POST TicketNotes` does not exist.
    assert!(matches!(
        client.create("TicketNotes", &note).await.unwrap_err(),
        AutotaskError::Unexpected { status: 404, .. }
    ));
}

#[tokio::test]
async fn resolve_without_time_entries_notes_then_completes() {
    let (fake, client) = setup().await;
    let id = a_ticket(&fake, &client).await;
    fake.clear_requests();
    let out = resolve_ticket(&client, id, &ResolveOptions::default()).await.unwrap();
    assert!(matches!(out, ResolveOutcome::Resolved { ticket_id, note_id: Some(_) } if ticket_id == id));
    assert_eq!(fake.ticket(id).unwrap()["status"], STATUS_COMPLETE);
    let notes = fake.notes(id);
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0]["description"], RESOLVED_NOTE);
    assert_eq!(notes[0]["publish"], 2, "internal only");
    // The note is written before the status changes.
    let order: Vec<String> = fake.requests().iter().map(|r| format!("{} {}", r.method, r.endpoint)).collect();
    let note_at = order.iter().position(|r| r == &format!("POST Tickets/{id}/Notes")).unwrap();
    let patch_at = order.iter().position(|r| r == "PATCH Tickets").unwrap();
    assert!(note_at < patch_at, "{order:?}");
    // Again: already closed, nothing written.
    let again = resolve_ticket(&client, id, &ResolveOptions::default()).await.unwrap();
    assert_eq!(again, ResolveOutcome::AlreadyClosed { ticket_id: id, status: STATUS_COMPLETE });
    assert_eq!(fake.notes(id).len(), 1);
}

#[tokio::test]
async fn resolve_with_time_entries_leaves_the_ticket_open() {
    let (fake, client) = setup().await;
    let id = a_ticket(&fake, &client).await;
    fake.add_time_entry(id, 0.5);
    fake.add_time_entry(id, 1.0);
    let out = resolve_ticket(&client, id, &ResolveOptions::default()).await.unwrap();
    assert!(matches!(out, ResolveOutcome::LeftOpen { time_entries: 2, note_id: Some(_), .. }), "{out:?}");
    assert_eq!(fake.ticket(id).unwrap()["status"], STATUS_NEW);
    assert_eq!(fake.count_requests("PATCH", "Tickets"), 0);
    assert_eq!(fake.notes(id)[0]["description"], TIME_ENTRIES_NOTE);
    // A second click adds no second identical note.
    let again = resolve_ticket(&client, id, &ResolveOptions::default()).await.unwrap();
    assert!(matches!(again, ResolveOutcome::LeftOpen { note_id: None, .. }));
    assert_eq!(fake.notes(id).len(), 1);
    assert_eq!(client.count_time_entries(id).await.unwrap(), 2);
    assert_eq!(client.time_entries(id).await.unwrap().len(), 2);
}

#[tokio::test]
async fn a_deleted_ticket_is_reported_deleted() {
    let (fake, client) = setup().await;
    let id = a_ticket(&fake, &client).await;
    let number = client.ticket(id).await.unwrap().ticket_number;
    fake.delete_ticket(id);
    assert_eq!(client.ticket(id).await.unwrap_err(), AutotaskError::NotFound { entity: "Tickets", id });
    let out = resolve_ticket(&client, id, &ResolveOptions::default()).await.unwrap();
    match out {
        ResolveOutcome::Deleted { ticket_id, log: Some(log) } => {
            assert_eq!(ticket_id, id);
            assert_eq!(log.ticket_number.as_deref(), Some(number.as_str()));
            assert!(log.deleted_date_time.is_some());
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(resolve::ticket_state(&client, id, 5).await.unwrap(), TicketState::Deleted { .. }));
    assert_eq!(fake.count_requests("PATCH", "Tickets"), 0);
    // A never-existing id: missing, without a log.
    let out = resolve_ticket(&client, 4242, &ResolveOptions::default()).await.unwrap();
    assert_eq!(out, ResolveOutcome::Deleted { ticket_id: 4242, log: None });
}

#[tokio::test]
async fn picklists_keep_inactive_values_but_do_not_offer_them() {
    let (fake, client) = setup().await;
    fake.deactivate_picklist_value("queueID", 29682969);
    let p = client.ticket_picklists().await.unwrap();
    assert_eq!(p.complete_status(), Some(5));
    assert_eq!(p.priority.by_label("high").unwrap().id(), Some(1));
    assert_eq!(p.priority.by_label("Medium").unwrap().id(), Some(2));
    assert_eq!(p.source.by_label("Monitoring Alert").unwrap().id(), Some(SOURCE_MONITORING_ALERT));
    let level1 = p.queue.get(29682969).expect("inactive values stay for display");
    assert_eq!(level1.label, "Level I Support");
    assert!(!level1.is_active);
    assert!(p.queue.active().iter().all(|q| q.id() != Some(29682969)));
    assert!(p.queue.active().iter().any(|q| q.label == "Helpdesk"));
    // Autotask refuses an inactive value on create.
    let mut t = new_ticket(fake.company_id("Acme Corp").unwrap(), "x");
    t.queue_id = 29682969;
    assert!(
        matches!(client.create_ticket(&t).await.unwrap_err(), AutotaskError::Validation(m) if m.contains("inactive"))
    );
}

#[tokio::test]
async fn rate_limit_with_retry_after_is_waited_out() {
    let (fake, client) = setup().await;
    fake.inject_for("Companies/*", Fault::RateLimited { retry_after_secs: Some(1) });
    let started = Instant::now();
    let c = client.company(0).await.unwrap();
    assert_eq!(c.id, 0);
    assert!(started.elapsed() >= Duration::from_secs(1), "waited for Retry-After");
    assert_eq!(fake.count_requests("GET", "Companies/0"), 2);

    // A Retry-After longer than the client may wait comes back at once as RateLimited.
    fake.inject(Fault::RateLimited { retry_after_secs: Some(3600) });
    let err = client.company(0).await.unwrap_err();
    assert_eq!(err, AutotaskError::RateLimited { retry_after: Some(Duration::from_secs(3600)) });
    assert!(err.is_transient());
    assert_eq!(fake.count_requests("GET", "Companies/0"), 3);

    // The thread-limit error is retried too.
    fake.inject(Fault::ThreadLimit);
    assert!(client.company(0).await.is_ok());
}

#[tokio::test]
async fn a_slow_answer_is_a_timeout() {
    let fake = FakeAutotask::start().await;
    let client = AutotaskClient::connect(config(&fake).with_timeout(Duration::from_millis(300)), Arc::new(Unlimited))
        .await
        .unwrap();
    fake.inject(Fault::Slow(Duration::from_secs(2)));
    let started = Instant::now();
    assert_eq!(client.company(0).await.unwrap_err(), AutotaskError::Timeout);
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn ten_concurrent_calls_never_hit_the_thread_limit() {
    let (fake, client) = setup().await;
    fake.set_latency(Duration::from_millis(150));
    let mut tasks = Vec::new();
    for _ in 0..10 {
        let c = client.clone();
        tasks.push(tokio::spawn(async move { c.company(0).await }));
    }
    for t in tasks {
        t.await.unwrap().expect("no thread-limit error");
    }
    assert_eq!(fake.max_in_flight("Companies"), 3, "at most 3 in flight per endpoint, and 3 were used");
    assert_eq!(fake.count_requests("GET", "Companies/0"), 10, "no retries were needed");

    // Without the client's semaphore the fake does refuse the fourth concurrent request.
    let raw = reqwest::Client::new();
    let creds = fake.credentials();
    let url = format!("{}V1.0/Companies/0", fake.zone_url());
    let mut tasks = Vec::new();
    for _ in 0..6 {
        let req = raw
            .get(&url)
            .header("ApiIntegrationCode", &creds.integration_code)
            .header("UserName", &creds.username)
            .header("Secret", &creds.secret);
        tasks.push(tokio::spawn(async move { req.send().await.unwrap() }));
    }
    let mut refused = 0;
    for t in tasks {
        let r = t.await.unwrap();
        if r.status() == 429 {
            assert!(r.text().await.unwrap().contains("Itgenatr005"));
            refused += 1;
        }
    }
    assert!(refused >= 1, "the fake enforces the thread limit");
}

#[tokio::test]
async fn company_renamed_or_deleted() {
    let (fake, client) = setup().await;
    let acme = fake.company_id("Acme Corp").unwrap();
    assert_eq!(client.company(acme).await.unwrap().company_name, "Acme Corp");
    fake.rename_company(acme, "Acme Corporation");
    let c = client.company(acme).await.unwrap();
    assert_eq!((c.id, c.company_name.as_str(), c.is_active), (acme, "Acme Corporation", true));
    assert_eq!(client.search_companies("corporation").await.unwrap().len(), 1);
    fake.delete_company(acme);
    assert_eq!(client.company(acme).await.unwrap_err(), AutotaskError::NotFound { entity: "Companies", id: acme });
    assert!(client.search_companies("acme").await.unwrap().is_empty());
}

#[tokio::test]
async fn permission_errors_and_the_budget() {
    let fake = FakeAutotask::start().await;
    let budget = Arc::new(HourlyBudget::new(2));
    let client = AutotaskClient::connect(config(&fake), budget.clone()).await.unwrap();
    fake.inject(Fault::PermissionDenied);
    assert!(matches!(client.company(0).await.unwrap_err(), AutotaskError::Forbidden(m) if m.contains("permission")));
    fake.inject(Fault::Forbidden);
    assert!(matches!(client.company(0).await.unwrap_err(), AutotaskError::Forbidden(_)));
    assert_eq!(client.company(0).await.unwrap_err(), AutotaskError::BudgetExhausted);
    assert_eq!(fake.count_requests("GET", "Companies/0"), 2, "nothing sent past the budget");
    assert_eq!(budget.used(), 2);
}

fn a_run(run_id: &str) -> TicketRun {
    TicketRun {
        run_id: run_id.into(),
        customer_name: "Acme Corp".into(),
        job_name: "Daily VMs".into(),
        backup_software: Some("Veeam Backup & Replication".into()),
        backup_type: Some("Backup Job".into()),
        status: RunStatus::Failed,
        run_at: Utc::now(),
        overall_remark: None,
        objects: vec![],
    }
}

#[tokio::test]
async fn one_ticket_per_run_even_after_a_timeout() {
    let fake = FakeAutotask::start().await;
    let client = AutotaskClient::connect(config(&fake).with_timeout(Duration::from_millis(400)), Arc::new(Unlimited))
        .await
        .unwrap();
    let acme = fake.company_id("Acme Corp").unwrap();
    let opts = DescriptionOptions::new("https://backupchecks.example.com");
    // Another run whose id starts the same must not be mistaken for ours.
    let other = ticket_description(&a_run("01RUN123"), &opts).unwrap();
    client.create_ticket(&new_ticket(acme, &other)).await.unwrap();

    let description = ticket_description(&a_run("01RUN12"), &opts).unwrap();
    let ticket = new_ticket(acme, &description);
    // The create times out, but Autotask creates the ticket anyway.
    fake.inject_for("Tickets", Fault::Slow(Duration::from_millis(800)));
    assert_eq!(create_ticket_for_run(&client, "01RUN12", &ticket).await.unwrap_err(), AutotaskError::Timeout);
    tokio::time::sleep(Duration::from_millis(1000)).await;
    // The retry finds it instead of creating a second one.
    let found = create_ticket_for_run(&client, "01RUN12", &ticket).await.unwrap();
    assert!(!found.created);
    assert!(found.ticket.description.as_deref().unwrap().contains("bc-run:01RUN12\n"));
    assert_eq!(fake.count_requests("POST", "Tickets"), 2, "ours once, the other run once");
    assert_eq!(find_ticket_for_run(&client, "01RUN12", None).await.unwrap().unwrap().id, found.ticket.id);
    assert_eq!(find_ticket_for_run(&client, "01RUN9", Some(acme)).await.unwrap(), None);

    // A fresh run is created once.
    let d = ticket_description(&a_run("01RUN77"), &opts).unwrap();
    let first = create_ticket_for_run(&client, "01RUN77", &new_ticket(acme, &d)).await.unwrap();
    assert!(first.created);
    let second = create_ticket_for_run(&client, "01RUN77", &new_ticket(acme, &d)).await.unwrap();
    assert_eq!((second.created, second.ticket.id), (false, first.ticket.id));
    // A description without the marker is refused before anything is sent.
    assert!(matches!(
        create_ticket_for_run(&client, "01RUN78", &new_ticket(acme, "no marker")).await.unwrap_err(),
        AutotaskError::Validation(_)
    ));
}

#[tokio::test]
async fn company_mapping_follows_renames_and_breaks_on_delete() {
    use bc_autotask::mapping::{MappingStatus, check_company};
    let (fake, client) = setup().await;
    let globex = fake.company_id("Globex").unwrap();
    assert_eq!(check_company(&client, globex, "Globex").await.unwrap().status, MappingStatus::Ok);
    fake.rename_company(globex, "Globex International");
    let c = check_company(&client, globex, "Globex").await.unwrap();
    assert_eq!((c.status, c.current_name.as_deref()), (MappingStatus::Renamed, Some("Globex International")));
    fake.inject(Fault::PermissionDenied);
    assert_eq!(check_company(&client, globex, "Globex International").await.unwrap().status, MappingStatus::Invalid);
    fake.delete_company(globex);
    assert_eq!(check_company(&client, globex, "Globex International").await.unwrap().status, MappingStatus::Invalid);
    fake.inject(Fault::RateLimited { retry_after_secs: Some(3600) });
    assert!(check_company(&client, globex, "x").await.is_err(), "a transient error is not an invalid mapping");
}

#[tokio::test]
async fn validate_configuration_reads_credentials_and_reference_data() {
    let (fake, client) = setup().await;
    let report = client.validate_configuration().await.unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    assert_eq!(report.zone.url, fake.zone_url());
    assert!(report.picklists.queue.active().len() >= 2);
    for q in ["29682833", "29682969", "29682970", "29683481"] {
        fake.deactivate_picklist_value("queueID", q.parse().unwrap());
    }
    let report = client.validate_configuration().await.unwrap();
    assert_eq!(report.problems, vec!["no active queues are visible to the API user".to_string()]);
}
