//! The review UI in a real browser, end to end: sign in, a report mail
//! arrives in the Inbox, approve its job for a new customer, the next mail
//! of the job lands in Run Checks, open it, mark it reviewed until Run
//! Checks is empty; a run opened from a job's history shows over that page;
//! keyword rules made in Settings parse a script's mail, and a test mail
//! reaches the outbox; customers are renamed, deactivated and imported from
//! a CSV file; a user's role and password are changed and the new password
//! signs in; Run Checks shows totals, pages and keeps its filters in the URL;
//! the admin finds the approvals and reviews in the audit trail, creates an
//! API token (shown once), uses and revokes it; a review too large to do at
//! once runs in the background with its progress shown; a remark and a
//! ticket made in the run modal show 💬 and 🎫 in Run Checks; an override
//! made from a run turns the next matching run into Success with its marker,
//! and only an admin deletes it; the admin's Reviewed view unmarks a run;
//! mails are uploaded on the Inbox page; a job is merged into another and
//! archived on its page; the Autotask integration is set up in Settings, a
//! customer mapped to a company, and a ticket created and resolved from
//! Run Checks against the fake Autotask server; a viewer cannot reach Run Checks or
//! the audit trail; a reporter opens Reports and downloads a month's PDF and
//! CSV; in the Backup section an admin creates a registration secret, an
//! engine registers with it, and the engine gets a storage target and a
//! policy with an app hook and a replication rule; a scripted engine backs
//! up a host after "Run now", the Backup dashboard shows its tiles and four
//! queues, and a restore point is browsed, searched and files restored from
//! it while the page polls the engine's jobs. Screenshots of the main pages go to
//! docs/screenshots/ with `BC_SCREENSHOTS=1`.
//!
//! Needs `frontend/dist` (scripts/build-frontend.sh) and Debian's chromium
//! and chromium-driver; fails with the fix when either is missing.

#[path = "../browser/harness.rs"]
mod harness;

use fantoccini::Locator;
use fantoccini::key::Key;
use harness::{Browser, Server, Ui, require_frontend, workspace_root};
use serde_json::{Value, json};

const FIXTURES: &str = "shared/parsers/tests/fixtures";
/// The job the test walks through the UI (a Warning with two VMs).
const NIGHTLY: &str = "veeam-vbr/backup-warning-plus1-base64.eml";
const JOB: &str = "Nightly SQL";
const CUSTOMER: &str = "Contoso Browser Test";
/// More mails so the lists look like a morning's work: approved through the
/// API (Failed and Success jobs), and one no parser understands.
const OTHERS: [(&str, &str); 3] = [
    ("veeam-vbr/backup-copy-failed-cp1252.eml", "Büro Offsite"),
    ("proxmox-vzdump/success-alternative.eml", "pve1.example.com"),
    ("synology-hyper-backup/en-success-text.eml", "Offsite-C2"),
];
const UNPARSED: &str = "no-parser/newsletter.eml";
const OTHER_CUSTOMER: &str = "Fabrikam";
const VIEWER: (&str, &str) = ("vera", "viewer-password-1");
/// A user made, changed and reset through the Users page.
const OTTO: (&str, &str, &str) = ("otto", "operator-password-1", "reset-password-2");
/// A script's mail that only a keyword rule reads.
const RSYNC_SENDER: &str = "root@nas.example.org";
const RSYNC_SUBJECT: &str = "Nightly rsync OK";

/// A plain-text mail from a script, as cron would send it.
fn rsync_mail() -> Vec<u8> {
    format!(
        "From: {RSYNC_SENDER}\r\nTo: backups@msp.example.com\r\nSubject: {RSYNC_SUBJECT}\r\n\
         Date: {}\r\nMessage-ID: <rsync-1@nas.example.org>\r\nMIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\n\
         sending incremental file list\r\nsent 1,234,567 bytes  received 2,345 bytes  total size 98,765,432\r\n",
        chrono::Utc::now().to_rfc2822()
    )
    .into_bytes()
}

/// Dismisses the notices, so a screenshot shows the page.
async fn dismiss_toasts(ui: &Ui) {
    for _ in 0..8 {
        match ui.c.find(Locator::Css(".toast button")).await {
            Ok(b) => {
                let _ = b.click().await;
            }
            Err(_) => return,
        }
    }
}

/// The button in `row` whose text is `label`.
async fn button_in(row: &fantoccini::elements::Element, label: &str) -> fantoccini::elements::Element {
    for b in row.find_all(Locator::Css("button")).await.unwrap_or_default() {
        if b.text().await.unwrap_or_default().trim() == label {
            return b;
        }
    }
    let text = row.text().await.unwrap_or_default();
    panic!("no button {label:?} in the row {text:?}");
}

/// A fixture with its own Message-ID, so two copies are two mails.
fn report_mail(fixture: &str, n: u32) -> Vec<u8> {
    let raw = std::fs::read(workspace_root().join(FIXTURES).join(fixture))
        .unwrap_or_else(|e| panic!("fixture {fixture} (written by the parser work): {e}"));
    let text = String::from_utf8_lossy(&raw);
    let mut out = String::with_capacity(text.len() + 64);
    let mut replaced = false;
    for line in text.split_inclusive('\n') {
        if !replaced && line.to_ascii_lowercase().starts_with("message-id:") {
            out.push_str(&format!("Message-ID: <browser-test-{n}@example.com>\r\n"));
            replaced = true;
        } else {
            out.push_str(line);
        }
    }
    assert!(replaced, "{fixture} has no Message-ID header");
    out.into_bytes()
}

/// The JSON API with the admin's session, for setting the scene.
struct Api {
    http: reqwest::Client,
    base: String,
}

impl Api {
    async fn login(base: &str, user: &str, password: &str) -> Api {
        let http = reqwest::Client::builder().cookie_store(true).build().expect("http client");
        let api = Api { http, base: base.to_string() };
        api.call(reqwest::Method::POST, "/auth/login", Some(json!({"username": user, "password": password}))).await;
        api
    }

    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut req = self.http.request(method.clone(), format!("{}/api/v1{path}", self.base));
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        let status = resp.status();
        let text = resp.text().await.unwrap_or_default();
        assert!(status.is_success(), "{method} {path}: {status} {text}");
        serde_json::from_str(&text).unwrap_or(Value::Null)
    }

    /// Approves the Inbox mail of `job_name` for the customer.
    async fn approve(&self, job_name: &str, customer_id: &str) {
        let inbox = self.call(reqwest::Method::GET, "/inbox", None).await;
        let items = inbox["items"].as_array().cloned().unwrap_or_default();
        let mail = items
            .iter()
            .find(|m| m["job_name"].as_str() == Some(job_name))
            .unwrap_or_else(|| panic!("{job_name} is not in the Inbox: {inbox}"));
        let id = mail["id"].as_str().unwrap_or_default();
        self.call(reqwest::Method::POST, &format!("/inbox/{id}/approve"), Some(json!({"customer_id": customer_id})))
            .await;
    }
}

/// Waits until the Run Checks row of `job` shows `n` run badges.
async fn wait_badges(ui: &Ui, job: &str, n: usize) {
    let deadline = std::time::Instant::now() + harness::PATIENCE;
    loop {
        let found = match ui.find_text("table.run-checks tr.row", job).await {
            Some(row) => row.find_all(Locator::Css(".badge")).await.map(|b| b.len()).unwrap_or(0),
            None => 0,
        };
        if found == n {
            return;
        }
        assert!(std::time::Instant::now() < deadline, "{job} should show {n} run(s) in Run Checks, shows {found}");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn review_workflow_in_the_browser() {
    let dist = require_frontend();
    // The Autotask integration talks to the fake Autotask server.
    let fake = fake_autotask::FakeAutotask::start().await;
    let server = Server::start_with_env(
        &dist,
        &[
            ("BACKUPCHECKS_AUTOTASK_ZONE_LOOKUP", fake.base_url()),
            // Alerts go to a receiver on this machine; the scheduler ticks every 2 s.
            ("BACKUPCHECKS_ALLOW_LOOPBACK_WEBHOOKS", "true".into()),
            ("BACKUPCHECKS_TICK_SECS", "2".into()),
        ],
    );
    let browser = Browser::start().await;
    let ui = Ui::new(browser.client.clone(), &server.base);
    // Run the flow as its own task so the browser session is closed (and
    // Chromium quits) even when an assertion fails.
    let outcome = tokio::spawn(async move { flow(&ui, &server, &fake).await }).await;
    let _ = browser.client.clone().close().await;
    if let Err(e) = outcome {
        if e.is_panic() {
            std::panic::resume_unwind(e.into_panic());
        }
        panic!("the browser flow did not finish: {e}");
    }
}

async fn flow(ui: &Ui, server: &Server, fake: &fake_autotask::FakeAutotask) {
    // Sign in; Run Checks is the admin's home and starts empty.
    ui.go("/").await;
    ui.wait("#username").await;
    ui.shot("login").await;
    ui.sign_in("admin", &server.admin_password).await;
    ui.wait_text(".user-menu", "admin").await;
    ui.wait_text("[data-testid=run-checks-empty]", "All runs reviewed").await;

    // The morning's mails arrive and wait in the Inbox.
    server.drop_mail("nightly-1", &report_mail(NIGHTLY, 1));
    for (i, (fixture, _)) in OTHERS.iter().enumerate() {
        server.drop_mail(&format!("other-{i}"), &report_mail(fixture, 10 + i as u32));
    }
    server.drop_mail("newsletter", &report_mail(UNPARSED, 20));
    ui.reload_until("/inbox", "table.inbox td", JOB).await;
    for (_, job) in OTHERS {
        ui.reload_until("/inbox", "table.inbox td", job).await;
    }
    ui.reload_until("/inbox", "table.inbox td", "Not understood").await;
    ui.shot("inbox").await;

    // A mail's detail: parse result, objects, the mail; approve it for a new customer.
    ui.wait_text("table.inbox a", JOB).await.click().await.expect("open the mail");
    ui.wait_text(".report", "Veeam Backup & Replication").await;
    ui.wait_text("table.objects", "SQL02").await;
    ui.wait("iframe.mail-html").await;
    ui.type_into("#approve-customer", CUSTOMER).await;
    ui.wait_text(".listbox .option", "Create customer").await;
    ui.shot("inbox-detail").await;
    ui.wait_text(".listbox .option", "Create customer").await.click().await.expect("create the customer");
    ui.wait_text("[data-testid=approve]", &format!("Approve for {CUSTOMER}")).await;
    ui.click("[data-testid=approve]").await;
    ui.wait_text(".toast", &format!("Approved {JOB} for {CUSTOMER}")).await;
    assert_eq!(ui.path().await, "/inbox", "back to the Inbox after approving");
    ui.wait_gone("table.inbox td", JOB).await;

    // The newsletter is no report: delete it, find it among the deleted mails, restore it.
    ui.wait_text("table.inbox a", "newsletter").await.click().await.expect("open the newsletter");
    ui.wait_text(".alert-error", "No parser understood this mail").await;
    ui.wait_text(".actions-row button", "Delete").await.click().await.expect("delete");
    ui.wait_text(".confirm button", "Yes").await.click().await.expect("confirm delete");
    ui.wait_text(".toast", "Mail deleted").await;
    ui.wait_gone("table.inbox a", "newsletter").await;
    ui.wait_text(".page-head a", "Deleted mails").await.click().await.expect("open deleted mails");
    ui.wait_text("table.inbox a", "newsletter").await.click().await.expect("open the deleted mail");
    ui.wait_text(".actions-row button", "Restore to Inbox").await.click().await.expect("restore");
    ui.wait_text(".toast", "Mail restored").await;
    ui.reload_until("/inbox", "table.inbox a", "newsletter").await;

    // The other jobs are approved through the API.
    let api = Api::login(&server.base, "admin", &server.admin_password).await;
    let customer = api.call(reqwest::Method::POST, "/customers", Some(json!({"name": OTHER_CUSTOMER}))).await;
    let customer_id = customer["id"].as_str().unwrap_or_default().to_string();
    for (_, job) in OTHERS {
        api.approve(job, &customer_id).await;
    }

    // The next mail of the job becomes a run by itself and shows in Run Checks, worst first.
    server.drop_mail("nightly-2", &report_mail(NIGHTLY, 2));
    ui.reload_until("/run-checks", "table.run-checks tr.row", JOB).await;
    let deadline = std::time::Instant::now() + harness::PATIENCE;
    while ui.find_text("table.run-checks tr.row", JOB).await.is_none() || {
        let row = ui.wait_text("table.run-checks tr.row", JOB).await;
        row.find_all(Locator::Css(".badge")).await.map(|b| b.len()).unwrap_or(0) < 2
    } {
        assert!(std::time::Instant::now() < deadline, "the second run of {JOB} did not reach Run Checks");
        ui.go("/run-checks").await;
        tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    }
    let rows = ui.c.find_all(Locator::Css("table.run-checks tr.row")).await.expect("rows");
    let mut texts = Vec::new();
    for r in &rows {
        texts.push(r.text().await.unwrap_or_default());
    }
    assert_eq!(texts.len(), 4, "four jobs wait for review: {texts:?}");
    assert!(texts[0].contains("Büro Offsite") && texts[0].contains("Failed"), "the Failed job first: {texts:?}");
    assert!(
        texts[1].contains(JOB) && texts[1].contains(CUSTOMER) && texts[1].contains("Warning"),
        "then the Warning: {texts:?}"
    );
    ui.shot("run-checks").await;
    run_checks_paging(ui).await;
    remarks_and_tickets(ui).await;

    // ? shows the keyboard shortcuts; Escape closes them.
    ui.key('?').await;
    ui.wait_text(".modal h2", "Keyboard shortcuts").await;
    ui.key(Key::Escape.into()).await;
    ui.wait_gone(".modal h2", "Keyboard shortcuts").await;

    // From the keyboard: j to the Warning job, Enter opens its newest run.
    // The detail has its own URL and shows status, objects and the mail.
    ui.key('j').await;
    ui.key(Key::Enter.into()).await;
    ui.wait("[data-testid=mark-run-reviewed]").await;
    assert!(ui.path().await.starts_with("/runs/"), "the run detail has its own URL");
    ui.wait_text(".modal h2", JOB).await;
    ui.wait_text(".modal table.objects", "SQL02").await;
    ui.wait_text(".modal .run-head", "Not reviewed").await;
    let frame = ui.wait(".modal iframe.mail-html").await;
    frame.clone().enter_frame().await.expect("enter the mail frame");
    let mail_body = ui.c.find(Locator::Css("body")).await.expect("mail body").text().await.unwrap_or_default();
    ui.c.clone().enter_parent_frame().await.expect("leave the mail frame");
    assert!(mail_body.contains("Nightly SQL"), "the sandboxed HTML body renders: {mail_body:?}");
    ui.shot("run-detail").await;

    // Mark it reviewed: the modal closes, one run of the job is left.
    ui.click("[data-testid=mark-run-reviewed]").await;
    ui.wait_text(".toast", "Run marked as reviewed").await;
    ui.wait_gone(".modal", JOB).await;
    assert_eq!(ui.path().await, "/run-checks");
    wait_badges(ui, JOB, 1).await;

    // r marks the current job's remaining runs reviewed.
    ui.key('r').await;
    ui.wait_gone("table.run-checks tr.row", JOB).await;

    // The rest in bulk: select all, mark selected. Goal of the day: empty.
    ui.click(".toolbar input[type=checkbox]").await;
    ui.wait_text("[data-testid=mark-selected]", "(3)").await;
    ui.click("[data-testid=mark-selected]").await;
    ui.wait_text("[data-testid=run-checks-empty]", "All runs reviewed").await;
    ui.shot("run-checks-empty").await;

    // Settings: times in the MSP's zone.
    ui.go("/settings").await;
    ui.type_into("#s-tz", "Europe/Amsterdam").await;
    ui.click("[data-testid=save-tz]").await;
    ui.wait_text(".toast", "Times are now shown in Europe/Amsterdam").await;

    // A test mail is queued and lands in the outbox.
    ui.type_into("#s-mail-to", "ops@msp.example.com").await;
    ui.click("[data-testid=send-test-mail]").await;
    ui.wait_text(".toast", "Test mail to ops@msp.example.com queued").await;

    keyword_rules(ui).await;
    wait_outbox(server, "Backupchecks test mail").await;

    // A script's mail only the keyword rule reads: parsed, Success, in the Inbox.
    server.drop_mail("rsync-1", &rsync_mail());
    let row = ui.reload_until("/inbox", "table.inbox tr", RSYNC_SUBJECT).await;
    let text = row.text().await.unwrap_or_default();
    assert!(
        text.contains("Nightly rsync") && text.contains("Keyword rule") && text.contains("Success"),
        "the rsync mail is parsed by the keyword rule as Success: {text:?}"
    );
    ui.wait_text("table.inbox a", RSYNC_SUBJECT).await.click().await.expect("open the rsync mail");
    ui.wait_text(".report", "keyword-rule").await;
    ui.wait_text(".report", "Success").await;

    // Jobs, a job's history (reviewer shown to admins).
    ui.go("/jobs").await;
    ui.wait_text("table.jobs", JOB).await;
    ui.shot("jobs").await;
    ui.wait_text("table.jobs a", JOB).await.click().await.expect("open the job");
    ui.wait_text(".table.runs", "✔ admin").await;
    ui.shot("job").await;

    // A run opened from the history shows over the job's page, not over
    // Run Checks; Escape goes back to the job.
    let job_path = ui.path().await;
    assert!(job_path.starts_with("/jobs/"), "on the job's page: {job_path}");
    ui.click(".table.runs td a").await;
    ui.wait_text(".modal h2", JOB).await;
    assert!(ui.path().await.starts_with("/runs/"), "the run has its own URL");
    let behind = ui.wait("main .page h1").await.text().await.unwrap_or_default();
    assert!(behind.contains(JOB) && behind.contains(CUSTOMER), "the job's page is behind the run: {behind:?}");
    assert!(
        ui.c.find(Locator::Css("table.run-checks, [data-testid=run-checks-empty]")).await.is_err(),
        "no Run Checks behind"
    );
    ui.key(Key::Escape.into()).await;
    ui.wait_gone(".modal h2", JOB).await;
    assert_eq!(ui.path().await, job_path, "closing the run goes back to the job");

    customers(ui, server).await;
    users(ui, server).await;
    audit(ui).await;
    api_tokens(ui, server).await;
    bulk_review(ui, server).await;
    overrides(ui, server, &api).await;
    reviewed(ui).await;
    upload(ui).await;
    job_lifecycle(ui, &api).await;
    autotask(ui, server, &api, fake).await;
    tapes(ui, &api).await;
    backup(ui, server).await;
    backup_runs(ui, server).await;
    platforms(ui).await;

    // A viewer, made through the API with the admin's session.
    api.call(
        reqwest::Method::POST,
        "/users",
        Some(json!({"username": VIEWER.0, "password": VIEWER.1, "role": "viewer"})),
    )
    .await;
    ui.go("/users").await;
    ui.wait_text("table.users", VIEWER.0).await;
    ui.shot("users").await;

    // The viewer sees no Run Checks, and the direct URL is refused clearly.
    ui.sign_out().await;
    ui.sign_in(VIEWER.0, VIEWER.1).await;
    ui.wait_text(".user-menu", "viewer").await;
    let nav = ui.wait(".topbar nav").await.text().await.unwrap_or_default();
    assert!(nav.contains("Jobs"), "a viewer sees Jobs: {nav}");
    assert!(!nav.contains("Run Checks") && !nav.contains("Inbox"), "a viewer sees no Run Checks or Inbox: {nav}");
    assert!(!nav.contains("Audit"), "a viewer sees no Audit: {nav}");
    ui.go("/audit").await;
    ui.wait_text(".state.refused", "may not read the audit trail").await;
    ui.go("/run-checks").await;
    ui.wait_text(".state.refused", "You do not have access").await;
    ui.wait_text(".state.refused", "may not open Run Checks").await;
    ui.shot("viewer-refused").await;
    tapes_read_only(ui).await;
    backup_read_only(ui).await;

    // Tablet width: the same Jobs list still fits.
    ui.c.set_window_size(820, 1100).await.expect("tablet size");
    ui.go("/jobs").await;
    ui.wait_text("table.jobs", JOB).await;
    ui.shot("tablet-jobs").await;

    two_factor(ui).await;
    reports(ui, server).await;
    missed_runs_and_alerts(ui, server).await;
}

/// Keyword rules through Settings: the server's validation message shows
/// and names the rule; a fixed rule, a second one and a removed third are
/// saved as two.
async fn keyword_rules(ui: &Ui) {
    ui.wait("[data-testid=kw-empty]").await;
    ui.click("[data-testid=kw-add]").await;
    ui.type_into("#kw-sender", "nas.example.org").await;
    ui.type_into("#kw-success", "OK").await;
    ui.click("[data-testid=kw-form-submit]").await;
    ui.wait_text("table.keyword-rules td", "nas.example.org").await;
    ui.click("[data-testid=kw-save]").await;
    let error = ui.wait_text("[data-testid=kw-error]", "rule 1:").await.text().await.unwrap_or_default();
    assert!(error.contains("is not an address or @domain"), "the server's message shows: {error:?}");
    ui.wait_text("table.keyword-rules tr.invalid", "nas.example.org").await;

    // Fix it: the sender needs its address.
    ui.click("button[aria-label='Edit rule 1']").await;
    ui.type_into("#kw-sender", RSYNC_SENDER).await;
    ui.type_into("#kw-failure", "FAILED\nrsync error").await;
    ui.click("[data-testid=kw-form-submit]").await;
    ui.wait_text("table.keyword-rules td", RSYNC_SENDER).await;
    ui.wait_gone("[data-testid=kw-error]", "rule 1:").await;

    // A rule for a whole domain: subject only, a fixed job name.
    ui.click("[data-testid=kw-add]").await;
    ui.type_into("#kw-sender", "@monitor.example.net").await;
    ui.type_into("#kw-failure", "CRITICAL").await;
    ui.type_into("#kw-warning", "WARNING").await;
    ui.type_into("#kw-success", "OK").await;
    ui.wait("#kw-scope").await.select_by_value("subject").await.expect("choose the scope");
    ui.type_into("#kw-job", "Appliance health").await;
    ui.click("[data-testid=kw-form-submit]").await;
    ui.wait_text("table.keyword-rules td", "Appliance health").await;

    // One too many: removed again before saving.
    ui.click("[data-testid=kw-add]").await;
    ui.type_into("#kw-sender", "@old.example.com").await;
    ui.type_into("#kw-success", "done").await;
    ui.click("[data-testid=kw-form-submit]").await;
    ui.wait_text("table.keyword-rules td", "@old.example.com").await;
    ui.click("button[aria-label='Remove rule 3']").await;
    ui.wait_gone("table.keyword-rules td", "@old.example.com").await;

    ui.click("[data-testid=kw-save]").await;
    ui.wait_text(".toast", "Saved 2 keyword rule(s)").await;

    // Stored: a fresh page shows both.
    ui.go("/settings").await;
    ui.wait_text("table.keyword-rules td", RSYNC_SENDER).await;
    let second = ui.wait_text("table.keyword-rules tr", "@monitor.example.net").await.text().await.unwrap_or_default();
    assert!(
        second.contains("Subject only") && second.contains("Appliance health") && second.contains("CRITICAL"),
        "the second rule as saved: {second:?}"
    );
    ui.shot("settings").await;
}

/// Waits until an .eml in the data folder's outbox holds `text`.
async fn wait_outbox(server: &Server, text: &str) {
    let dir = server.data.path().join("outbox");
    let deadline = std::time::Instant::now() + harness::PATIENCE;
    loop {
        let found = std::fs::read_dir(&dir).into_iter().flatten().flatten().any(|e| {
            e.path().extension().is_some_and(|x| x == "eml")
                && std::fs::read_to_string(e.path()).is_ok_and(|t| t.contains(text))
        });
        if found {
            return;
        }
        assert!(std::time::Instant::now() < deadline, "no mail with {text:?} in {}", dir.display());
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}

/// Customers: rename and deactivate one, import two more from a CSV file.
async fn customers(ui: &Ui, server: &Server) {
    const RENAMED: &str = "Fabrikam Ltd";
    ui.go("/customers").await;
    ui.wait_text("table.customers", CUSTOMER).await;
    ui.click(&format!("button[aria-label='Rename {OTHER_CUSTOMER}']")).await;
    ui.type_into(&format!("input[aria-label='New name for {OTHER_CUSTOMER}']"), RENAMED).await;
    ui.click("table.customers form button[type=submit]").await;
    ui.wait_text(".toast", &format!("Renamed to {RENAMED}")).await;
    let row = ui.wait_text("table.customers tr", RENAMED).await;
    button_in(&row, "Deactivate").await.click().await.expect("deactivate");
    ui.wait_text(".toast", &format!("Deactivated {RENAMED}")).await;
    let row = ui.wait_text("table.customers tr.inactive", RENAMED).await;
    assert!(row.text().await.unwrap_or_default().contains("Inactive"), "{RENAMED} shows as inactive");

    // The import: one new, one new and inactive, one already there.
    let csv = server.data.path().join("customers-import.csv");
    std::fs::write(&csv, format!("name,active\nNorthwind Traders,true\nAdventure Works,false\n{CUSTOMER},true\n"))
        .expect("writing the CSV");
    let input = ui.c.find(Locator::Css("input[type=file]")).await.expect("the import file input");
    input.send_keys(&csv.display().to_string()).await.expect("choose the CSV file");
    ui.wait_text(".toast", "Imported: 2 created, 1 skipped").await;
    ui.wait_text("table.customers tr", "Northwind Traders").await;
    ui.wait_text("table.customers tr.inactive", "Adventure Works").await;
    dismiss_toasts(ui).await;
    ui.shot("customers").await;
}

/// Users: create one, change the role, reset the password; the new
/// password signs in (through the API) and the old one no longer does.
async fn users(ui: &Ui, server: &Server) {
    let (name, first, second) = OTTO;
    ui.go("/users").await;
    ui.type_into("#u-name", name).await;
    ui.type_into("#u-pass", first).await;
    ui.wait("#u-role").await.select_by_value("operator").await.expect("choose a role");
    ui.click("form[aria-labelledby=new-user] button[type=submit]").await;
    ui.wait_text(".toast", &format!("Created {name} (operator)")).await;
    ui.wait_text("table.users td", name).await;

    ui.wait(&format!("select[aria-label='Role of {name}']"))
        .await
        .select_by_value("reporter")
        .await
        .expect("change the role");
    ui.wait_text(".toast", &format!("{name} is now reporter")).await;

    let row = ui.wait_text("table.users tr", name).await;
    button_in(&row, "Reset password").await.click().await.expect("reset password");
    ui.type_into(&format!("input[aria-label='New password for {name}']"), second).await;
    let row = ui.wait_text("table.users tr", name).await;
    button_in(&row, "Set").await.click().await.expect("set the password");
    ui.wait_text(".toast", &format!("Password of {name} reset")).await;

    let otto = Api::login(&server.base, name, second).await;
    let me = otto.call(reqwest::Method::GET, "/auth/me", None).await;
    assert_eq!(me["role"], "reporter", "{name} signs in with the new password and the new role: {me}");
    let old = reqwest::Client::new()
        .post(format!("{}/api/v1/auth/login", server.base))
        .json(&json!({"username": name, "password": first}))
        .send()
        .await
        .expect("login with the old password");
    assert_eq!(old.status(), reqwest::StatusCode::UNAUTHORIZED, "the old password no longer signs in");
}

/// The texts of the Run Checks rows on screen.
async fn run_checks_rows(ui: &Ui) -> Vec<String> {
    let mut texts = Vec::new();
    for r in ui.c.find_all(Locator::Css("table.run-checks tr.row")).await.unwrap_or_default() {
        texts.push(r.text().await.unwrap_or_default());
    }
    texts
}

/// Waits until Run Checks shows `n` rows.
async fn wait_rows(ui: &Ui, n: usize) -> Vec<String> {
    let deadline = std::time::Instant::now() + harness::PATIENCE;
    loop {
        let rows = run_checks_rows(ui).await;
        if rows.len() == n {
            return rows;
        }
        assert!(std::time::Instant::now() < deadline, "Run Checks should show {n} job(s): {rows:?}");
        tokio::time::sleep(std::time::Duration::from_millis(150)).await;
    }
}

/// Run Checks with the test's five runs in four jobs: the totals, pages of
/// two jobs (a link may set the page size) walked with n and p, and a
/// status filter that stays in the URL.
async fn run_checks_paging(ui: &Ui) {
    let summary = ui.wait("[data-testid=run-checks-summary]").await.text().await.unwrap_or_default();
    assert!(
        summary.contains("5 unreviewed runs in 4 jobs: 1 failed, 2 warning, 2 success"),
        "the totals over every page: {summary:?}"
    );

    ui.go("/run-checks?limit=2").await;
    ui.wait_text(".pager", "Page 1 of 2").await;
    let first = wait_rows(ui, 2).await;
    assert!(first[0].contains("Büro Offsite") && first[1].contains(JOB), "worst first on page 1: {first:?}");
    let summary = ui.wait("[data-testid=run-checks-summary]").await.text().await.unwrap_or_default();
    assert!(summary.contains("5 unreviewed runs in 4 jobs"), "the totals cover every page: {summary:?}");
    ui.key('n').await;
    ui.wait_text(".pager", "Page 2 of 2").await;
    ui.wait_gone("table.run-checks tr.row", JOB).await;
    let second = wait_rows(ui, 2).await;
    assert!(
        second.iter().all(|r| r.contains("Success")) && second.iter().any(|r| r.contains("pve1.example.com")),
        "the successes on page 2: {second:?}"
    );
    ui.click(".pager button:first-child").await;
    ui.wait_text(".pager", "Page 1 of 2").await;
    ui.wait_text("table.run-checks tr.row", JOB).await;

    // A filter goes into the URL, and the URL brings it back.
    ui.go("/run-checks").await;
    ui.wait("#rc-status").await.select_by_value("Failed").await.expect("filter by status");
    let deadline = std::time::Instant::now() + harness::PATIENCE;
    while !ui.c.current_url().await.map(|u| u.query().unwrap_or_default().contains("status=Failed")).unwrap_or(false) {
        assert!(std::time::Instant::now() < deadline, "the status filter is not in the URL");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let url = ui.c.current_url().await.expect("url");
    let link = format!("{}?{}", url.path(), url.query().unwrap_or_default());
    ui.go("/jobs").await;
    ui.wait("table.jobs").await;
    ui.go(&link).await;
    let rows = wait_rows(ui, 1).await;
    assert!(rows[0].contains("Büro Offsite"), "only the Failed job: {rows:?}");
    ui.wait_text("[data-testid=run-checks-summary]", "1 unreviewed run in 1 job").await;
    let status = ui.wait("#rc-status").await.prop("value").await.ok().flatten().unwrap_or_default();
    assert_eq!(status, "Failed", "the link restores the filter");

    // Back to everything, fresh (the keyboard steps start at the top).
    ui.go("/run-checks").await;
    wait_rows(ui, 4).await;
}

/// The audit trail: the approvals and reviews this test made, filtered by
/// action; an entry links to its job, whose page links back to its trail;
/// a reviewed run opens in the run modal over the trail.
async fn audit(ui: &Ui) {
    ui.go("/jobs").await;
    let nav = ui.wait(".topbar nav").await.text().await.unwrap_or_default();
    assert!(nav.contains("Audit"), "an admin sees Audit: {nav}");
    ui.wait_text(".topbar nav a", "Audit").await.click().await.expect("open Audit");
    ui.wait("table.audit, [data-testid=audit-empty]").await;
    ui.type_into("#a-action", "approve").await;
    ui.click("[data-testid=audit-filter]").await;
    let row = ui.wait_text("table.audit tr", JOB).await;
    let text = row.text().await.unwrap_or_default();
    assert!(text.contains("approve") && text.contains("admin"), "the approval of {JOB} by admin: {text:?}");
    let query = ui.c.current_url().await.map(|u| u.query().unwrap_or_default().to_string()).unwrap_or_default();
    assert!(query.contains("action=approve"), "the filter is in the URL: {query}");
    let rows = ui.c.find_all(Locator::Css("table.audit tbody tr")).await.expect("audit rows");
    let mut approvals = Vec::new();
    for r in &rows {
        approvals.push(r.text().await.unwrap_or_default());
    }
    assert_eq!(approvals.len(), 1 + OTHERS.len(), "one approval per job: {approvals:?}");
    assert!(
        approvals.iter().all(|t| t.contains("approve") && t.contains("admin")),
        "approvals by admin: {approvals:?}"
    );
    for (_, job) in OTHERS {
        assert!(approvals.iter().any(|t| t.contains(job)), "the approval of {job}: {approvals:?}");
    }
    dismiss_toasts(ui).await;
    ui.shot("audit").await;

    // The entry's job, and from the job's page its own trail.
    let link = row.find(Locator::Css("td a")).await.expect("the entity link");
    link.click().await.expect("open the job");
    ui.wait_text("main .page h1", JOB).await;
    assert!(ui.path().await.starts_with("/jobs/"), "the entity link opens the job");
    ui.wait_text(".page-head a", "Audit").await.click().await.expect("the job's audit link");
    ui.wait_text("table.audit tr", JOB).await;
    let query = ui.c.current_url().await.map(|u| u.query().unwrap_or_default().to_string()).unwrap_or_default();
    assert!(query.contains("entity_type=job") && query.contains("entity_id="), "filtered to the job: {query}");
    let n = ui.c.find_all(Locator::Css("table.audit tbody tr")).await.map(|r| r.len()).unwrap_or(0);
    assert_eq!(n, 1, "the job's trail is its approval");

    // Days: from today finds them, until yesterday nothing.
    let today = chrono::Utc::now().date_naive();
    ui.go(&format!("/audit?action=approve&from={today}")).await;
    ui.wait_text("table.audit tr", JOB).await;
    ui.go(&format!("/audit?action=approve&until={}", today.pred_opt().expect("yesterday"))).await;
    ui.wait("[data-testid=audit-empty]").await;

    // A customer's trail, from the Customers list: its creation.
    ui.go("/customers").await;
    let row = ui.wait_text("table.customers tr", CUSTOMER).await;
    row.find(Locator::Css(".row-actions a")).await.expect("the customer's audit link").click().await.expect("open");
    let entry = ui.wait_text("table.audit tr", CUSTOMER).await.text().await.unwrap_or_default();
    assert!(entry.contains("create") && entry.contains("Customer"), "the customer's creation: {entry:?}");

    // The reviews: one entry per run reviewed today, each opening the run.
    ui.go("/audit?action=review").await;
    ui.wait_text("table.audit tr", "review").await;
    let rows = ui.c.find_all(Locator::Css("table.audit tbody tr")).await.expect("audit rows");
    let mut reviews = Vec::new();
    for r in &rows {
        reviews.push(r.text().await.unwrap_or_default());
    }
    assert_eq!(reviews.len(), 5, "five runs were reviewed: {reviews:?}");
    assert!(reviews.iter().all(|t| t.contains("Run") && t.contains("admin")), "run reviews by admin: {reviews:?}");
    ui.click("table.audit tbody tr td a").await;
    ui.wait(".modal .run-detail").await;
    assert_eq!(ui.path().await, "/audit", "the run opens over the trail");
    ui.key(Key::Escape.into()).await;
    ui.wait_gone(".modal", "").await;
}

/// API tokens: create one (the secret shows once, with a warning), use it,
/// revoke it after a confirmation, and it no longer works.
async fn api_tokens(ui: &Ui, server: &Server) {
    const NAME: &str = "Reporting script";
    ui.go("/settings").await;
    ui.wait_text(".page-tabs a", "API tokens").await.click().await.expect("the API tokens tab");
    ui.wait("[data-testid=tokens-empty]").await;
    assert_eq!(ui.path().await, "/settings/api-tokens");
    ui.type_into("#t-name", NAME).await;
    ui.wait("#t-role").await.select_by_value("reporter").await.expect("choose a role");
    ui.click("[data-testid=token-create]").await;
    ui.wait_text("[data-testid=new-token]", "you will not see it again").await;
    let token = ui.wait("[data-testid=new-token-value]").await.prop("value").await.ok().flatten().unwrap_or_default();
    assert!(token.len() >= 20, "a token is shown: {token:?}");
    let row = ui.wait_text("table.api-tokens tr", NAME).await.text().await.unwrap_or_default();
    assert!(row.contains("reporter") && row.contains("never"), "the new token in the list: {row:?}");
    let prefix =
        row.split_whitespace().find(|w| w.ends_with('…')).unwrap_or_default().trim_end_matches('…').to_string();
    assert!(!prefix.is_empty() && token.starts_with(&prefix), "the list shows the token's start {prefix:?}");
    dismiss_toasts(ui).await;
    ui.shot("api-tokens").await;

    // The token works as its role.
    let bearer =
        |t: &str| reqwest::Client::new().get(format!("{}/api/v1/jobs", server.base)).bearer_auth(t.to_string()).send();
    let ok = bearer(&token).await.expect("a call with the token");
    assert!(ok.status().is_success(), "the token reads jobs: {}", ok.status());

    // Shown once: gone after "I have copied it", and not on a fresh page.
    ui.click("[data-testid=token-done]").await;
    ui.wait_gone("[data-testid=new-token]", "").await;
    ui.go("/settings/api-tokens").await;
    ui.wait_text("table.api-tokens tr", NAME).await;
    let body = ui.wait("body").await.text().await.unwrap_or_default();
    assert!(!body.contains(&token), "the secret is never shown again");

    // Revoke, after a confirmation.
    let row = ui.wait_text("table.api-tokens tr", NAME).await;
    button_in(&row, "Revoke").await.click().await.expect("revoke");
    ui.wait_text(".confirm", &format!("Revoke {NAME}?")).await;
    ui.wait_text(".confirm button", "Yes").await.click().await.expect("confirm revoke");
    ui.wait_text(".toast", &format!("Revoked {NAME}")).await;
    ui.wait_text("table.api-tokens tr.inactive", "Revoked").await;
    let refused = bearer(&token).await.expect("a call with the revoked token");
    assert_eq!(refused.status(), reqwest::StatusCode::UNAUTHORIZED, "a revoked token no longer works");
}

/// More runs than the server reviews at once (its bulk threshold is 200):
/// marking the job starts a background operation whose progress shows until
/// it is done, then the list reloads, empty.
async fn bulk_review(ui: &Ui, server: &Server) {
    const RUNS: u32 = 210;
    for n in 0..RUNS {
        server.drop_mail(&format!("bulk-{n}"), &report_mail(NIGHTLY, 1000 + n));
    }
    let want = format!("{RUNS} unreviewed runs in 1 job");
    let deadline = std::time::Instant::now() + 3 * harness::PATIENCE;
    loop {
        ui.go("/run-checks").await;
        let found = ui.wait("[data-testid=run-checks-summary], [data-testid=run-checks-empty]").await;
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        let text = ui.c.find(Locator::Css("[data-testid=run-checks-summary]")).await.ok();
        let text = match text {
            Some(t) => t.text().await.unwrap_or_default(),
            None => found.text().await.unwrap_or_default(),
        };
        if text.contains(&want) {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the {RUNS} runs did not all arrive: {text:?}");
        tokio::time::sleep(std::time::Duration::from_millis(700)).await;
    }
    wait_badges(ui, JOB, 8).await;
    ui.wait_text("table.run-checks tr.row", &format!("+{} more", RUNS - 8)).await;

    ui.key('r').await;
    ui.wait_text(".toast", "in the background").await;
    ui.wait_text("[data-testid=operation]", "Reviewing").await;
    let deadline = std::time::Instant::now() + 3 * harness::PATIENCE;
    while ui.find_text(".toast", &format!("Marked {RUNS} run(s) as reviewed")).await.is_none() {
        assert!(std::time::Instant::now() < deadline, "the background review did not finish");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    ui.wait_text("[data-testid=run-checks-empty]", "All runs reviewed").await;
    ui.wait_gone("[data-testid=operation]", "").await;
}

/// The override markers in the Run Checks row of `job`.
async fn override_markers(ui: &Ui, job: &str) -> usize {
    match ui.find_text("table.run-checks tr.row", job).await {
        Some(row) => row.find_all(Locator::Css("[data-testid=override-marker]")).await.map(|b| b.len()).unwrap_or(0),
        None => 0,
    }
}

/// Overrides: a Warning run arrives; the operator's "Create override from
/// this run" opens the form prefilled; saved, the run and the next matching
/// one show Success with the blue marker; an operator sees no Delete, an
/// admin deletes it.
async fn overrides(ui: &Ui, server: &Server, api: &Api) {
    const OPERATOR: (&str, &str) = ("oscar", "operator-password-2");
    api.call(
        reqwest::Method::POST,
        "/users",
        Some(json!({"username": OPERATOR.0, "password": OPERATOR.1, "role": "operator"})),
    )
    .await;
    // Away from Run Checks (and whatever dialog is open there) to sign out.
    ui.go("/jobs").await;
    ui.wait("table.jobs").await;
    ui.sign_out().await;
    ui.sign_in(OPERATOR.0, OPERATOR.1).await;
    ui.wait_text(".user-menu", OPERATOR.0).await;

    server.drop_mail("override-1", &report_mail(NIGHTLY, 3000));
    ui.reload_until("/run-checks", "table.run-checks tr.row", JOB).await;
    let checks = api.call(reqwest::Method::GET, "/run-checks", None).await;
    let run_id = checks["jobs"]
        .as_array()
        .and_then(|jobs| jobs.iter().find(|j| j["job_name"] == JOB))
        .and_then(|j| j["runs"][0]["id"].as_str())
        .unwrap_or_else(|| panic!("the new run of {JOB} in {checks}"))
        .to_string();
    ui.go(&format!("/runs/{run_id}")).await;
    ui.wait_text(".modal .run-head", "Warning").await;
    ui.wait("[data-testid=create-override] a").await.click().await.expect("create override from this run");
    ui.wait("#ov-comment").await;
    assert_eq!(ui.path().await, "/overrides");
    let object = ui.wait("#ov-object").await.prop("value").await.ok().flatten().unwrap_or_default();
    let pattern = ui.wait("#ov-pattern").await.prop("value").await.ok().flatten().unwrap_or_default();
    assert!(!object.is_empty() && !pattern.is_empty(), "prefilled from the run: object {object:?}, text {pattern:?}");
    ui.type_into("#ov-comment", "Known warning on this VM, agreed with the customer").await;
    ui.click("[data-testid=override-save]").await;
    ui.wait_text(".toast", "Now mark the run as reviewed").await;
    ui.wait_text("table.overrides", "Known warning on this VM").await;
    dismiss_toasts(ui).await;
    ui.shot("overrides").await;
    // The operator's table has Edit but no Delete.
    let row = ui.wait_text("table.overrides tr", "Known warning on this VM").await;
    let buttons = row.text().await.unwrap_or_default();
    assert!(buttons.contains("Edit") && !buttons.contains("Delete"), "operators cannot delete: {buttons:?}");

    // The run it was made from, and the next matching one, show Success with the marker.
    server.drop_mail("override-2", &report_mail(NIGHTLY, 3001));
    let deadline = std::time::Instant::now() + harness::PATIENCE;
    while override_markers(ui, JOB).await < 2 {
        assert!(std::time::Instant::now() < deadline, "both runs of {JOB} should show the override marker");
        ui.go("/run-checks").await;
        tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    }
    let row = ui.wait_text("table.run-checks tr.row", JOB).await;
    let warnings = row.find_all(Locator::Css(".badge-warning")).await.map(|b| b.len()).unwrap_or(0);
    let text = row.text().await.unwrap_or_default();
    assert!(text.contains("Success") && warnings == 0, "shown as Success: {text:?}");
    ui.shot("run-checks-override").await;
    ui.go(&format!("/runs/{run_id}")).await;
    ui.wait_text("[data-testid=override-text]", "Warning, overridden by #").await;

    // The admin deletes it.
    ui.go("/jobs").await;
    ui.wait("table.jobs").await;
    ui.sign_out().await;
    ui.sign_in("admin", &server.admin_password).await;
    ui.go("/overrides").await;
    let row = ui.wait_text("table.overrides tr", "Known warning on this VM").await;
    button_in(&row, "Delete").await.click().await.expect("delete");
    ui.wait_text(".confirm button", "Yes").await.click().await.expect("confirm delete");
    ui.wait_text(".toast", "deleted").await;
    ui.wait("[data-testid=overrides-empty]").await;
    // Clean up for the steps after: the two runs are reviewed.
    api.call(reqwest::Method::POST, "/run-checks/review", Some(json!({"job_ids": checks["jobs"].as_array().map(|j| j.iter().map(|j| j["id"].clone()).collect::<Vec<_>>()).unwrap_or_default()}))).await;
}

/// The admin's Reviewed view: the statistics, the reviews just made (by
/// reviewer), and unmarking one puts it back in Run Checks.
async fn reviewed(ui: &Ui) {
    ui.go("/reviewed").await;
    ui.wait_text("[data-testid=review-stats]", "Reviews, last 14 days").await;
    ui.wait_text("table.reviewed", JOB).await;
    ui.type_into("#rv-reviewer", "admin").await;
    ui.click("[data-testid=reviewed-filter]").await;
    let deadline = std::time::Instant::now() + harness::PATIENCE;
    while !ui.c.current_url().await.map(|u| u.query().unwrap_or("").contains("reviewer=admin")).unwrap_or(false) {
        assert!(std::time::Instant::now() < deadline, "the filter is kept in the URL");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let first = ui.wait("table.reviewed tbody tr").await;
    let text = first.text().await.unwrap_or_default();
    assert!(text.contains("admin") && text.contains(JOB), "the newest review, by admin: {text:?}");
    dismiss_toasts(ui).await;
    ui.shot("reviewed").await;
    first.find(Locator::Css("input[type=checkbox]")).await.expect("checkbox").click().await.expect("select");
    ui.wait_text("[data-testid=unmark-selected]", "(1)").await;
    ui.click("[data-testid=unmark-selected]").await;
    ui.wait_text(".toast", "Unmarked 1 run(s)").await;
    ui.reload_until("/run-checks", "table.run-checks tr.row", JOB).await;
}

/// The Inbox's upload control: two .eml files picked at once, a result line
/// each (a new job's mail in the Inbox, a mail no parser understands).
async fn upload(ui: &Ui) {
    let dir = tempfile::tempdir().expect("temp dir");
    let report = dir.path().join("files-job.eml");
    std::fs::write(&report, report_mail(OTHERS[1].0, 5000)).expect("write");
    let junk = dir.path().join("newsletter.eml");
    std::fs::write(&junk, report_mail(UNPARSED, 5001)).expect("write");
    ui.go("/inbox").await;
    let input = ui.wait("[data-testid=mail-upload-input]").await;
    input.send_keys(&format!("{}\n{}", report.display(), junk.display())).await.expect("pick the files");
    ui.wait_text("[data-testid=upload-results]", "files-job.eml: a run of an approved job").await;
    ui.wait_text("[data-testid=upload-results]", "newsletter.eml: in the Inbox, not understood by any parser").await;
    dismiss_toasts(ui).await;
    ui.shot("inbox-upload").await;
}

/// A remark and a ticket made in the run modal: the modal reminds to mark
/// the run reviewed, and Run Checks shows 💬 and 🎫 on the job's row with a
/// tooltip. The run stays unreviewed for the steps after this one.
async fn remarks_and_tickets(ui: &Ui) {
    ui.go("/run-checks").await;
    let row = ui.wait_text("table.run-checks tr.row", JOB).await;
    assert!(row.find(Locator::Css("[data-testid=remark-marker]")).await.is_err(), "no 💬 before a remark");
    row.find(Locator::Css("td.job-name a")).await.expect("the job's link").click().await.expect("open the run");
    ui.wait_text(".modal h2", JOB).await;
    ui.wait_text(".modal .notes", "Active remarks (0)").await;

    ui.type_into("#new-remark", "SQL02 warning: vendor ticket opened, watch tonight").await;
    ui.click("[data-testid=create-remark]").await;
    ui.wait_text(".toast", "Remark created").await;
    ui.wait_text(".modal .notes", "Active remarks (1)").await;
    ui.wait_text(".modal .note-text", "vendor ticket opened").await;
    ui.wait_text("[data-testid=review-reminder]", "Now mark the run as reviewed").await;

    // A URL that is not http(s) is refused with the server's reason.
    ui.type_into("#new-ticket-number", "T20261130.0042").await;
    ui.type_into("[data-testid=ticket-url]", "javascript:alert(1)").await;
    ui.click("[data-testid=create-ticket]").await;
    ui.wait_text(".toast", "must start with http:// or https://").await;
    ui.wait_text(".modal .notes", "Open tickets (0)").await;
    // Errors stay until dismissed; later steps expect no leftover notice.
    dismiss_toasts(ui).await;
    ui.type_into("[data-testid=ticket-url]", "https://psa.example.com/tickets/42").await;
    ui.click("[data-testid=create-ticket]").await;
    ui.wait_text(".toast", "Ticket created").await;
    ui.wait_text(".modal .notes", "Open tickets (1)").await;
    ui.wait_text(".modal .note-text a", "T20261130.0042").await;
    // One open ticket per run: the form is gone for this run.
    assert!(ui.c.find(Locator::Css("[data-testid=create-ticket]")).await.is_err(), "no second ticket for the run");
    ui.shot("run-detail-notes").await;

    // Focus may still be in a form field, where Escape is the field's: close with the button.
    ui.click(".modal button[aria-label='Close (Escape)']").await;
    ui.wait_gone(".modal h2", JOB).await;
    let row = ui.reload_until("/run-checks", "table.run-checks tr.row", "🎫").await;
    assert!(row.text().await.unwrap_or_default().contains(JOB), "the markers are on {JOB}'s row");
    let remark = row.find(Locator::Css("[data-testid=remark-marker]")).await.expect("💬 on the row");
    assert!(remark.text().await.unwrap_or_default().contains('💬'));
    assert_eq!(remark.attr("title").await.ok().flatten().as_deref(), Some("1 active remark"));
    let ticket = row.find(Locator::Css("[data-testid=ticket-marker]")).await.expect("🎫 on the row");
    assert!(ticket.text().await.unwrap_or_default().contains('🎫'));
    assert_eq!(ticket.attr("title").await.ok().flatten().as_deref(), Some("Open ticket: T20261130.0042"));
    for other in ["Büro Offsite", "pve1.example.com"] {
        let r = ui.wait_text("table.run-checks tr.row", other).await;
        assert!(r.find(Locator::Css(".marker")).await.is_err(), "{other} has no remark or ticket");
    }

    // Back to everything, fresh (the keyboard steps start at the top).
    ui.go("/run-checks").await;
    wait_rows(ui, 4).await;
}

/// The reporter's month: Reports in the nav, one customer's month in the
/// table, the PDF and CSV links fetched with the reporter's session (the
/// PDF read back with `pdftotext`) and matching the table; the job page
/// shows its 90-day strip and charts.
async fn reports(ui: &Ui, server: &Server) {
    const REPORTER: (&str, &str) = ("rita", "reporter-password-1");
    let admin = Api::login(&server.base, "admin", &server.admin_password).await;
    admin
        .call(
            reqwest::Method::POST,
            "/users",
            Some(json!({"username": REPORTER.0, "password": REPORTER.1, "role": "reporter"})),
        )
        .await;
    let customers = admin.call(reqwest::Method::GET, "/customers", None).await;
    let customer_id = customers["items"]
        .as_array()
        .and_then(|l| l.iter().find(|c| c["name"] == CUSTOMER))
        .and_then(|c| c["id"].as_str())
        .expect("the customer")
        .to_string();

    ui.c.set_window_size(1366, 900).await.expect("desktop size");
    ui.sign_out().await;
    ui.sign_in(REPORTER.0, REPORTER.1).await;
    ui.wait_text(".user-menu", "reporter").await;
    let nav = ui.wait(".topbar nav").await.text().await.unwrap_or_default();
    assert!(nav.contains("Reports") && !nav.contains("Run Checks"), "a reporter sees Reports, not Run Checks: {nav}");
    ui.wait_text(".topbar nav a", "Reports").await.click().await.expect("open Reports");
    ui.wait("#report-customer").await;
    assert_eq!(ui.path().await, "/reports");
    // The month of the job's last run (the fixture's runs keep their own dates).
    let jobs = admin.call(reqwest::Method::GET, &format!("/jobs?q={}", JOB.replace(' ', "%20")), None).await;
    let last_run = jobs["items"][0]["last_run_at"].as_str().expect("the job has run").to_string();
    let day = &last_run[..10];
    ui.wait("#report-period").await.select_by_value("month").await.expect("a month");
    ui.c.execute(
        "const e = document.querySelector('#report-date'); e.value = arguments[0]; \
         e.dispatchEvent(new Event('change', { bubbles: true }));",
        vec![json!(day)],
    )
    .await
    .expect("choose the month");
    ui.wait("#report-customer").await.select_by_value(&customer_id).await.expect("the customer");
    ui.wait_text(".report-period", &format!("{}-01 to", &day[..7])).await;
    ui.wait_text(".report-period", CUSTOMER).await;
    let row = ui.wait_text("table.reports tbody tr", JOB).await.text().await.unwrap_or_default();
    dismiss_toasts(ui).await;
    ui.shot("reports").await;

    // The downloads, fetched as the browser would (same URL, same session).
    let href = |id: &'static str| async move {
        ui.wait(id).await.attr("href").await.ok().flatten().unwrap_or_else(|| panic!("{id} has a link"))
    };
    let (pdf_href, csv_href) = (href("#report-pdf").await, href("#report-csv").await);
    assert!(
        pdf_href.contains(&customer_id) && pdf_href.contains("period=month") && pdf_href.contains(day),
        "{pdf_href}"
    );
    let rita = Api::login(&server.base, REPORTER.0, REPORTER.1).await;
    let get = |href: String| {
        let http = rita.http.clone();
        let url = format!("{}{href}", server.base);
        async move {
            let resp = http.get(url).send().await.expect("download");
            assert!(resp.status().is_success(), "{href}: {}", resp.status());
            let ct = resp.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
            (ct, resp.bytes().await.expect("body").to_vec())
        }
    };
    let json_href = pdf_href.replace("/export.pdf", "");
    let (_, report) = get(json_href).await;
    let report: Value = serde_json::from_slice(&report).expect("the report");
    let job = report["rows"]
        .as_array()
        .and_then(|r| r.iter().find(|x| x["job_name"] == JOB))
        .expect("the job in the report")
        .clone();
    let counts: Vec<String> = ["success", "warning", "failed"].iter().map(|k| job[k].to_string()).collect();
    assert!(counts.iter().map(|c| c.parse::<u32>().unwrap_or(0)).sum::<u32>() > 0, "the month has runs: {job}");
    let cells: Vec<&str> = row.split_whitespace().collect();
    assert!(counts.iter().all(|c| cells.contains(&c.as_str())), "the table shows {counts:?}: {row:?}");

    let (ct, pdf) = get(pdf_href).await;
    assert_eq!(ct, "application/pdf");
    assert!(pdf.starts_with(b"%PDF-"), "a PDF");
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("month.pdf");
    std::fs::write(&path, &pdf).expect("write the PDF");
    let out = std::process::Command::new("pdftotext")
        .args(["-layout", path.to_str().expect("path"), "-"])
        .output()
        .expect("pdftotext (Debian poppler-utils; scripts/test installs it)");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Backup report") && text.contains(CUSTOMER), "{text}");
    let line = text.lines().find(|l| l.contains(JOB)).unwrap_or_else(|| panic!("{JOB} in the PDF: {text}"));
    // The last two columns are the success rate and the open tickets.
    let numbers: Vec<&str> = line.split_whitespace().rev().skip(2).take(3).collect();
    let mut want = counts.clone();
    want.reverse();
    assert_eq!(numbers, want, "the PDF's counts: {line:?}");

    let (ct, csv) = get(csv_href).await;
    assert!(ct.starts_with("text/csv"), "{ct}");
    let csv = String::from_utf8(csv).expect("UTF-8 CSV");
    let expect = format!("{CUSTOMER},{JOB},");
    let line = csv.lines().find(|l| l.starts_with(&expect)).unwrap_or_else(|| panic!("{expect} in {csv}"));
    assert!(line.contains(&format!(",{},", counts.join(","))), "the CSV's counts: {line:?}");

    // The job's 90 days at a glance.
    ui.wait_text("table.reports a", JOB).await.click().await.expect("open the job");
    ui.wait(".status-strip .strip-cell").await;
    let cells = ui.c.find_all(Locator::Css(".status-strip .strip-cell")).await.map(|c| c.len()).unwrap_or(0);
    assert_eq!(cells, 90, "one cell a day");
    ui.wait_text(".chart figcaption", "Backup size").await;
    ui.shot("job-history").await;
}

/// The signed-in viewer turns on two-factor sign-in on Your account, with a
/// code computed here from the secret the page shows, gets recovery codes,
/// and signs in again: password, then a fresh code.
async fn two_factor(ui: &Ui) {
    use bc_core::auth::two_factor::{base32_decode, step_of, totp_code};
    ui.go("/account").await;
    ui.click("#two-factor-start").await;
    let secret = ui.wait("#two-factor-secret").await.text().await.unwrap_or_default();
    let key = base32_decode(secret.trim()).expect("the page shows a base32 secret");
    assert!(key.len() >= 16, "a secret of at least 128 bits: {secret:?}");
    let uri = ui.wait("#two-factor-uri").await.text().await.unwrap_or_default();
    assert!(uri.starts_with("otpauth://totp/") && uri.contains(secret.trim()), "{uri}");
    let first = step_of(chrono::Utc::now());
    ui.type_into("#tf-code", &totp_code(&key, first)).await;
    ui.click("#two-factor form button[type=submit]").await;
    ui.wait_text(".toast", "Two-factor sign-in is on").await;
    let codes = ui.wait("#recovery-codes").await.text().await.unwrap_or_default();
    assert_eq!(codes.lines().filter(|l| !l.trim().is_empty()).count(), 10, "ten recovery codes: {codes:?}");
    ui.wait_text("#two-factor", "On. 10 recovery codes left.").await;
    ui.shot("two-factor-on").await;

    ui.sign_out().await;
    ui.type_into("#username", VIEWER.0).await;
    ui.type_into("#password", VIEWER.1).await;
    ui.click("form.login-card button[type=submit]").await;
    ui.wait_text("#login-title", "Two-factor sign-in").await;
    // The step used at enrolment is spent; the next one (within the allowed
    // drift) signs in.
    let next = step_of(chrono::Utc::now()).max(first + 1);
    ui.type_into("#two-factor-code", &totp_code(&key, next)).await;
    ui.click("form.login-card button[type=submit]").await;
    ui.wait(".topbar").await;
    ui.wait_text(".user-menu", "viewer").await;
}

/// The job lifecycle on the job page: Offsite-C2 is merged into
/// pve1.example.com (its runs move over, it leaves the Jobs list), then
/// pve1.example.com is archived (it leaves the Jobs list, and shows under
/// "Archived jobs").
async fn job_lifecycle(ui: &Ui, api: &Api) {
    let (kept, merged) = (OTHERS[1].1, OTHERS[2].1);
    let id_of = |page: &Value, name: &str| {
        page["items"]
            .as_array()
            .and_then(|a| a.iter().find(|j| j["job_name"] == name))
            .map(|j| j["id"].as_str().unwrap_or_default().to_string())
    };
    let jobs = api.call(reqwest::Method::GET, "/jobs?archived=all", None).await;
    let merged_id = id_of(&jobs, merged).unwrap_or_else(|| panic!("{merged} in {jobs}"));
    let kept_runs = jobs["items"]
        .as_array()
        .and_then(|a| a.iter().find(|j| j["job_name"] == kept))
        .map(|j| j["run_count"].as_u64().unwrap_or(0))
        .unwrap_or(0);

    ui.go("/jobs").await;
    ui.wait_text("table.jobs a", kept).await.click().await.expect("open the job");
    ui.wait_text("[aria-label='Manage job']", "Merge").await;
    ui.wait(&format!("#job-merge-from option[value='{merged_id}']")).await;
    ui.c.find(Locator::Css("#job-merge-from"))
        .await
        .expect("merge select")
        .select_by_value(&merged_id)
        .await
        .expect("choose the job to merge");
    ui.click_text("[aria-label='Manage job'] button", "Merge into this job").await;
    ui.click_text(".confirm button", "Yes").await;
    ui.wait_text(".toast", "Jobs merged").await;
    ui.wait_text(".facts", "Merged in").await;
    ui.wait_text(".facts", &format!("{}", kept_runs + 1)).await;
    dismiss_toasts(ui).await;
    ui.shot("job-manage").await;

    ui.click_text("[aria-label='Manage job'] button", "Archive job").await;
    ui.wait_text(".toast", "Job archived").await;
    ui.wait_text("main .page h1", "archived").await;
    ui.wait_text("[aria-label='Manage job'] button", "Unarchive").await;

    ui.go("/jobs").await;
    ui.wait_text("table.jobs", JOB).await;
    let listed = ui.wait("table.jobs").await.text().await.unwrap_or_default();
    assert!(!listed.contains(kept) && !listed.contains(merged), "archived and merged jobs are not listed: {listed}");
    ui.c.find(Locator::Css("#f-archived")).await.expect("filter").select_by_value("true").await.expect("archived jobs");
    ui.wait_text("table.jobs", kept).await;
    let archived = ui.wait("table.jobs").await.text().await.unwrap_or_default();
    assert!(archived.contains("archived") && !archived.contains(JOB), "only the archived job: {archived}");
}

/// Autotask (seed 003) against the fake server: the admin enters the
/// credentials and base URL, loads the reference data and tests the
/// connection; maps Fabrikam Ltd to the company "Acme Corp"; a Failed run of
/// Büro Offsite gets an Autotask ticket from the run modal in Run Checks,
/// which the worker creates; resolving it closes it in Autotask. The
/// integration is switched off again for the steps after this one.
async fn autotask(ui: &Ui, server: &Server, api: &Api, fake: &fake_autotask::FakeAutotask) {
    let creds = fake.credentials();
    ui.go("/settings/integrations").await;
    ui.wait("[data-testid=autotask-settings]").await;
    ui.click("#at-enabled").await;
    ui.type_into("#at-base", "https://backupchecks.example.com").await;
    ui.type_into("#at-user", &creds.username).await;
    ui.type_into("#at-password", &creds.secret).await;
    ui.type_into("#at-tracking", &creds.integration_code).await;
    ui.click("[data-testid=autotask-save]").await;
    ui.wait_text(".toast", "Autotask settings saved").await;
    ui.click("[data-testid=autotask-reference]").await;
    ui.wait_text(".toast", "Reference data loaded").await;
    ui.wait_text("#at-queue", "Helpdesk").await;
    ui.click("[data-testid=autotask-test]").await;
    ui.wait_text("[data-testid=autotask-check]", "Test connection: OK").await;
    dismiss_toasts(ui).await;
    ui.shot("settings-autotask").await;

    // Fabrikam -> Acme Corp.
    let customers = api.call(reqwest::Method::GET, "/customers", None).await;
    let fabrikam = customers["items"]
        .as_array()
        .and_then(|l| l.iter().find(|c| c["name"] == "Fabrikam Ltd"))
        .and_then(|c| c["id"].as_str())
        .expect("Fabrikam Ltd (renamed by the customers step)")
        .to_string();
    ui.go("/customers").await;
    ui.wait("[data-testid=autotask-mapper]").await;
    ui.c.find(Locator::Css("#map-customer")).await.expect("select").select_by_value(&fabrikam).await.expect("choose");
    ui.type_into("#map-query", "Acme").await;
    ui.click("[data-testid=autotask-search]").await;
    ui.wait_text("[data-testid=autotask-mapper] li", "Acme Corp").await;
    ui.click_text("[data-testid=autotask-mapper] li button", "Map").await;
    ui.wait_text(".toast", "is mapped to Acme Corp").await;
    ui.wait_text("table.customers tr", "Acme Corp").await;

    // A new Failed run of Büro Offsite; its ticket from the run modal.
    server.drop_mail("offsite-autotask", &report_mail(OTHERS[0].0, 7000));
    let row = ui.reload_until("/run-checks", "table.run-checks tr.row", OTHERS[0].1).await;
    row.find(Locator::Css("td.job-name a")).await.expect("the job's link").click().await.expect("open the run");
    ui.wait_text(".modal h2", OTHERS[0].1).await;
    ui.click_text("[data-testid=create-autotask-ticket]", "Create Autotask ticket").await;
    ui.wait_text(".toast", "Creating the Autotask ticket").await;
    ui.wait_text(".modal [data-testid=autotask-state]", "Autotask: New").await;
    let link = ui.wait(".modal .note-text a").await;
    let href = link.attr("href").await.ok().flatten().unwrap_or_default();
    assert!(href.contains("ExecuteCommand") || href.contains("ticket"), "the ticket opens in Autotask: {href}");
    dismiss_toasts(ui).await;
    let _ =
        ui.c.execute("document.querySelector('.modal [data-testid=autotask-state]').scrollIntoView()", vec![]).await;
    ui.shot("run-detail-autotask").await;
    ui.click("[data-testid=autotask-resolve]").await;
    ui.wait_text(".toast", "Resolving in Autotask").await;
    ui.wait_text(".modal .notes", "Open tickets (0)").await;
    let tickets = fake.requests().into_iter().filter(|r| r.method == "POST" && r.endpoint == "Tickets").count();
    assert_eq!(tickets, 1, "one ticket was created in Autotask");
    ui.click(".modal button[aria-label='Close (Escape)']").await;

    // Off again: the later steps use manual tickets.
    api.call(
        reqwest::Method::PUT,
        "/integrations/autotask",
        Some(json!({"enabled": false, "environment": "sandbox", "base_url": "https://backupchecks.example.com"})),
    )
    .await;
}

/// A job that stopped reporting: four nightly runs (at this time of day
/// three hours ago, on the four days before today) teach it a daily
/// schedule; today's run does not come, so the scheduler puts a Missed run
/// in Run Checks, and the alert rule made on Settings → Alerts sends it to
/// a Slack-style webhook receiver. Daily Jobs shows the day.
async fn missed_runs_and_alerts(ui: &Ui, server: &Server) {
    use bc_tests::webhooks::{bodies, receiver};
    const SCHED_JOB: &str = "Exchange DAG";
    // The receiver, on loopback.
    let (hook, got) = receiver(Vec::new()).await;

    ui.sign_out().await;
    ui.sign_in("admin", &server.admin_password).await;
    ui.wait_text(".user-menu", "admin").await;
    ui.c.set_window_size(1366, 900).await.expect("desktop size");

    // Settings → Alerts: a Slack channel and a rule for Missed and Failed runs.
    ui.go("/settings/alerts").await;
    ui.wait("[data-testid=channel-form]").await;
    ui.type_into("#c-name", "Ops Slack").await;
    ui.wait("#c-kind").await.select_by_value("slack").await.expect("choose Slack");
    ui.type_into("#c-url", &hook).await;
    ui.click("[data-testid=channel-create]").await;
    ui.wait_text(".toast", "Channel “Ops Slack” added").await;
    ui.wait_text("[data-testid=channels]", "Ops Slack").await;
    ui.type_into("#r-name", "Missed and failed to Slack").await;
    ui.click("[data-testid=rule-create]").await;
    ui.wait_text(".toast", "Rule “Missed and failed to Slack” added").await;
    ui.wait_text("[data-testid=rules]", "Failed, Missed").await;
    ui.shot("settings-alerts").await;

    // Four nightly runs, then silence.
    let api = Api::login(&server.base, "admin", &server.admin_password).await;
    let customers = api.call(reqwest::Method::GET, "/customers", None).await;
    let customer_id = customers["items"]
        .as_array()
        .and_then(|l| l.iter().find(|c| c["name"] == CUSTOMER))
        .and_then(|c| c["id"].as_str())
        .expect("the customer")
        .to_string();
    let t0 = (chrono::Utc::now() - chrono::Duration::hours(3)).fixed_offset();
    for k in 1..=4i64 {
        let mail = bc_tests::mails::VeeamMail::new(
            "veeam@dag.example.org",
            SCHED_JOB,
            bc_api_types::Status::Success,
            500 + k as u64,
        )
        .started_at(t0 - chrono::Duration::days(k))
        .eml();
        server.drop_mail(&format!("dag-{k}"), &mail);
    }
    let deadline = std::time::Instant::now() + harness::PATIENCE;
    loop {
        let inbox = api.call(reqwest::Method::GET, "/inbox", None).await;
        let n = inbox["items"].as_array().map_or(0, |a| a.iter().filter(|m| m["job_name"] == SCHED_JOB).count());
        if n == 4 {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the four {SCHED_JOB} mails did not reach the Inbox");
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    }
    api.approve(SCHED_JOB, &customer_id).await;

    // The scheduler notices: a Missed run in Run Checks.
    let row = ui.reload_until("/run-checks", "table.run-checks tr.row", SCHED_JOB).await;
    let deadline = std::time::Instant::now() + harness::PATIENCE;
    let mut text = row.text().await.unwrap_or_default();
    while !text.contains("Missed") {
        assert!(std::time::Instant::now() < deadline, "no Missed run for {SCHED_JOB}: {text}");
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        text =
            ui.reload_until("/run-checks", "table.run-checks tr.row", SCHED_JOB).await.text().await.unwrap_or_default();
    }
    ui.shot("run-checks-missed").await;

    // The alert reached the receiver (once).
    let deadline = std::time::Instant::now() + harness::PATIENCE;
    while !bodies(&got).iter().any(|b| b.contains(SCHED_JOB) && b.contains("Missed")) {
        assert!(std::time::Instant::now() < deadline, "the Missed alert did not reach the webhook");
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    }
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    let sent = bodies(&got).iter().filter(|b| b.contains(SCHED_JOB)).count();
    assert_eq!(sent, 1, "one alert for one Missed run");

    // Daily Jobs of the day it was expected: Missed.
    let tz = chrono_tz::Europe::Amsterdam;
    let day = t0.with_timezone(&tz).date_naive();
    ui.go(&format!("/daily-jobs?date={day}")).await;
    let row = ui.wait_text("table tr", SCHED_JOB).await;
    let text = row.text().await.unwrap_or_default();
    assert!(text.contains("Missed"), "Daily Jobs shows the day as Missed: {text}");
    ui.shot("daily-jobs").await;

    // The job's own schedule: an explicit cron expression instead of the learned one.
    ui.wait_text("table tr a", SCHED_JOB).await.click().await.expect("open the job");
    ui.wait("[data-testid=schedule-card]").await;
    ui.wait("#sched-kind").await.select_by_value("cron").await.expect("choose cron");
    ui.type_into("#sched-cron", "0 22 * * 1-5").await;
    ui.type_into("#sched-tz", "Europe/Amsterdam").await;
    ui.type_into("#sched-grace", "90").await;
    ui.click("[data-testid=schedule-save]").await;
    ui.wait_text(".toast", "Schedule saved").await;
    ui.wait_text("[data-testid=job-schedule]", "grace 90 min").await;
    ui.shot("job-schedule").await;
}

/// LTO tapes (issue 16) through the pages: a box of three Cartridges is
/// registered, a tape job spans them and is reordered; LTO100L8 goes
/// off-site with a hand-off signed on the pad (drawn with the mouse through
/// WebDriver pointer actions) and comes back with a typed signature; each
/// change is in its audit trail; deleting it says first what goes with it,
/// and its audit entries remain.
async fn tapes(ui: &Ui, api: &Api) {
    use fantoccini::actions::{InputSource, MOUSE_BUTTON_LEFT, MouseActions, PointerAction};

    ui.go("/tapes").await;
    ui.wait_text(".card", "No tapes registered yet").await;
    ui.type_into("#tape-barcode", "LTO100L8").await;
    ui.type_into("#tape-count", "3").await;
    ui.type_into("#tape-tags", "weekly").await;
    ui.click("[data-testid=register-submit]").await;
    ui.wait_text(".toast", "Registered LTO100L8, LTO101L8, LTO102L8").await;
    ui.wait_text("table.tapes", "LTO102L8").await;
    dismiss_toasts(ui).await;

    // A tape job on all three (a datetime-local field is set as its value).
    ui.type_into("#job-name", "Weekly full fs01").await;
    ui.c.execute("document.getElementById('job-date').value = '2026-03-01T22:00'", vec![]).await.expect("job date");
    ui.type_into("#job-retention", "30").await;
    for b in ["LTO100L8", "LTO101L8", "LTO102L8"] {
        ui.click(&format!("input[data-barcode={b}]")).await;
    }
    ui.click("[data-testid=log-job-submit]").await;
    ui.wait_text(".toast", "Logged tape job Weekly full fs01 on 3 tape(s)").await;
    ui.wait_text("table.tape-jobs", "LTO100L8 → LTO101L8 → LTO102L8").await;
    ui.shot("tapes").await;

    // Reorder on the job's page: LTO100L8 one down.
    ui.click_text("table.tape-jobs a", "Weekly full fs01").await;
    ui.wait_text("[data-testid=span-order]", "LTO100L8").await;
    ui.click("[data-testid=span-order] li[data-barcode=LTO100L8] [data-testid=move-down]").await;
    ui.wait_text("[data-testid=span-order] li:first-child", "LTO101L8").await;
    ui.click("[data-testid=save-job]").await;
    ui.wait_text(".toast", "Saved").await;
    ui.wait_text(".facts [data-testid=job-barcodes]", "LTO101L8 → LTO100L8 → LTO102L8").await;
    ui.wait_text("[data-testid=tape-audit]", "update").await;
    ui.shot("tape-job").await;
    dismiss_toasts(ui).await;

    // LTO100L8 leaves with the courier, who signs on the pad.
    ui.go("/tapes").await;
    ui.click_text("table.tapes a", "LTO100L8").await;
    ui.wait_text("main .page h1", "Tape LTO100L8").await;
    let tape_path = ui.path().await;
    let tape_id = tape_path.trim_start_matches("/tapes/").to_string();
    ui.type_into("#cus-from", "Admin").await;
    ui.type_into("#cus-to", "Carl Courier").await;
    ui.type_into("#cus-reason", "weekly rotation to the vault").await;
    let pad = ui.wait("[data-testid=signature-pad]").await;
    let mut stroke = MouseActions::new("pen".into())
        .then(PointerAction::MoveToElement { element: pad.clone(), duration: None, x: -150.0, y: 20.0 })
        .then(PointerAction::Down { button: MOUSE_BUTTON_LEFT });
    for (x, y) in [(20.0, -30.0), (20.0, 30.0), (20.0, -40.0), (25.0, 35.0), (30.0, -20.0), (30.0, 10.0)] {
        stroke = stroke.then(PointerAction::MoveBy { duration: Some(std::time::Duration::from_millis(50)), x, y });
    }
    stroke = stroke.then(PointerAction::Up { button: MOUSE_BUTTON_LEFT });
    ui.c.perform_actions(stroke).await.expect("draw the signature");
    ui.wait_text(".signature-pad", "Signed.").await;
    ui.type_into("#cus-signer", "Carl Courier").await;
    ui.shot("tape-signature").await;
    ui.click("[data-testid=record-custody-submit]").await;
    ui.wait_text(".toast", "Hand-off to Carl Courier recorded (signed)").await;
    ui.wait("[data-testid=custody-table] img[data-testid=signature-image]").await;
    let png = ui
        .wait("[data-testid=custody-table] img[data-testid=signature-image]")
        .await
        .attr("src")
        .await
        .expect("src")
        .unwrap_or_default();
    assert!(
        png.starts_with("data:image/png;base64,") && png.len() > 200,
        "the drawing is stored as a PNG: {}",
        png.len()
    );

    ui.c.find(Locator::Css("#loc-kind")).await.expect("kind").select_by_value("off_site").await.expect("off-site");
    ui.type_into("#loc-place", "Vault B, slot 12").await;
    ui.type_into("#loc-custodian", "Iron Vault BV").await;
    ui.click("[data-testid=log-location-submit]").await;
    ui.wait_text(".toast", "Logged: Off-site").await;
    ui.wait_text("[data-testid=current-location]", "Off-site").await;
    dismiss_toasts(ui).await;

    // And back, signed by typing a name.
    ui.click("[data-testid=sign-typed]").await;
    ui.type_into("#cus-from", "Iron Vault BV").await;
    ui.type_into("#cus-to", "Admin").await;
    ui.type_into("#cus-typed", "Admin").await;
    ui.click("[data-testid=record-custody-submit]").await;
    ui.wait_text(".toast", "Hand-off to Admin recorded (signed)").await;
    ui.c.find(Locator::Css("#loc-kind")).await.expect("kind").select_by_value("on_site").await.expect("on-site");
    ui.type_into("#loc-place", "Server room shelf 2").await;
    ui.click("[data-testid=log-location-submit]").await;
    ui.wait_text(".toast", "Logged: On-site").await;
    ui.wait_text("[data-testid=current-location]", "On-site").await;
    ui.wait_text("[data-testid=custody-table]", "/s/ Admin").await;
    let current =
        ui.c.find_all(Locator::Css("[data-testid=locations-table] tr[data-current=true]")).await.expect("rows");
    assert_eq!(current.len(), 1, "one current location");
    for action in ["custody", "location", "job_bound", "create"] {
        ui.wait(&format!("[data-testid=tape-audit] tr[data-action={action}]")).await;
    }
    // Two plain hand-offs (the "corrects" select stayed on "—"), two locations.
    for (action, n) in [("custody", 2), ("location", 2), ("custody_correction", 0)] {
        let rows =
            ui.c.find_all(Locator::Css(&format!("[data-testid=tape-audit] tr[data-action={action}]")))
                .await
                .expect("rows");
        assert_eq!(rows.len(), n, "{n} {action} entries");
    }
    dismiss_toasts(ui).await;
    ui.c.execute("document.querySelector('[data-testid=locations-table]').scrollIntoView()", vec![])
        .await
        .expect("scroll");
    ui.shot("tape-detail").await;

    // Delete it: the dialog says what goes with it.
    ui.click("[data-testid=delete-tape]").await;
    ui.wait_text("[data-testid=delete-preview]", "2 location(s) and 2 custody event(s)").await;
    ui.wait_text("[data-testid=delete-preview]", "1 tape job(s) (Weekly full fs01)").await;
    ui.shot("tape-delete").await;
    ui.click("[data-testid=confirm-delete]").await;
    ui.wait_text(".toast", "Deleted LTO100L8 with 2 location(s), 2 custody event(s) and 1 job binding(s)").await;
    assert_eq!(ui.path().await, "/tapes");
    ui.wait_gone("table.tapes", "LTO100L8").await;
    ui.wait_text("table.tape-jobs", "LTO101L8 → LTO102L8").await;
    let trail = api.call(reqwest::Method::GET, &format!("/tapes/audit/tape/{tape_id}"), None).await;
    let actions: Vec<&str> =
        trail.as_array().map(|a| a.iter().filter_map(|e| e["action"].as_str()).collect()).unwrap_or_default();
    assert_eq!(actions.first(), Some(&"delete"), "{trail}");
    assert!(actions.contains(&"custody") && actions.contains(&"location"), "the earlier entries remain: {actions:?}");
    // Every role writes tapes until an admin says otherwise (seed 002): the
    // admin makes reporters and viewers read-only (the viewer's step checks it).
    api.call(
        reqwest::Method::PUT,
        "/settings/tapes-access",
        Some(json!({"operator_writes": true, "reporter_writes": false, "viewer_writes": false})),
    )
    .await;
    dismiss_toasts(ui).await;
}

/// A viewer sees the tapes and no way to change them.
async fn tapes_read_only(ui: &Ui) {
    let nav = ui.wait(".topbar nav").await.text().await.unwrap_or_default();
    assert!(nav.contains("Tapes"), "a viewer sees Tapes: {nav}");
    ui.go("/tapes").await;
    ui.wait_text("table.tapes", "LTO101L8").await;
    assert!(ui.c.find(Locator::Css("[data-testid=register-tapes]")).await.is_err(), "no register form");
    assert!(ui.c.find(Locator::Css("[data-testid=log-job]")).await.is_err(), "no job form");
    ui.click_text("table.tapes a", "LTO101L8").await;
    ui.wait_text("main .page h1", "Tape LTO101L8").await;
    for css in ["[data-testid=record-custody]", "[data-testid=log-location]", "[data-testid=delete-tape]"] {
        assert!(ui.c.find(Locator::Css(css)).await.is_err(), "a viewer has no {css}");
    }
}
/// The Backup section: a registration secret (shown once) lets an engine
/// register; a host is added by hand; the engine gets two storage targets, a policy made with the
/// sectioned form, an app hook from the MySQL template and a replication
/// rule to the offsite target; the policy page shows 3-2-1's verdict and
/// the host is assigned; the Replicas page lists the rule.
async fn backup(ui: &Ui, server: &Server) {
    use base64::Engine as _;
    ui.go("/backup/engines").await;
    ui.wait("[data-testid=engines-empty]").await;
    ui.wait("#sec-customer").await.select_by_value("").await.expect("the MSP's secret");
    ui.click("[data-testid=secret-create]").await;
    let secret = ui.wait("[data-testid=new-secret-value]").await.prop("value").await.ok().flatten().unwrap_or_default();
    assert!(secret.starts_with("bcr_"), "the secret is shown once: {secret:?}");
    dismiss_toasts(ui).await;

    // The engine registers itself (docs/bes-protocol.md), as a real one would.
    let key = base64::engine::general_purpose::STANDARD.encode([5u8; 32]);
    let resp = reqwest::Client::new()
        .post(format!("{}/bes/v1/register", server.base))
        .json(&json!({"registration_secret": secret, "name": "Browser-BES", "deployment_model": "on_premise",
                      "public_key": key, "hostname": "bes-1.lan", "ip": "10.1.0.5", "port": 8443}))
        .send()
        .await
        .expect("register");
    assert_eq!(resp.status(), reqwest::StatusCode::CREATED, "the engine registers");
    ui.go("/backup/engines").await;
    let row = ui.wait_text("table.engines tr", "Browser-BES").await.text().await.unwrap_or_default();
    assert!(row.contains("pending") && row.contains("bes-1.lan"), "a pending engine: {row:?}");
    ui.shot("backup-engines").await;

    // Two storage targets on it: a local one and an offsite S3 bucket.
    ui.go("/backup/storage").await;
    ui.type_into("#st-name", "Primary NAS").await;
    ui.wait("#st-engine").await.select_by_label("Browser-BES").await.expect("the engine");
    ui.type_into("#st-path", "/srv/backup").await;
    ui.click("[data-testid=storage-save]").await;
    ui.wait_text(".toast", "Storage target Primary NAS created").await;
    dismiss_toasts(ui).await;
    ui.wait("#st-type").await.select_by_value("s3").await.expect("S3");
    ui.type_into("#st-name", "Offsite S3").await;
    ui.type_into("#st-bucket", "msp-offsite").await;
    ui.type_into("#st-region", "eu-west-1").await;
    ui.click("[data-testid=storage-save]").await;
    ui.wait_text(".toast", "Storage target Offsite S3 created").await;
    ui.wait_text("table.storage-targets", "Offsite S3").await;
    ui.wait_text("table.storage-targets button", "Primary NAS").await.click().await.expect("open the target");
    ui.wait_text("[data-testid=capacity]", "has not reported").await;
    dismiss_toasts(ui).await;
    // Edited: a lower alert threshold.
    ui.type_into("#te-alert", "80").await;
    ui.click("[data-testid=target-edit-save]").await;
    ui.wait_text(".toast", "Saved Primary NAS").await;
    ui.wait_text("table.storage-targets", "80 % / 95 %").await;
    dismiss_toasts(ui).await;

    // A managed host of a customer, added by hand.
    ui.go("/backup/hosts").await;
    ui.wait("#ho-customer").await.select_by_label(CUSTOMER).await.expect("the customer");
    ui.type_into("#ho-name", "fs01").await;
    ui.type_into("#ho-ip", "10.1.0.20").await;
    ui.click("[data-testid=host-add]").await;
    ui.wait_text(".toast", "Host fs01 added").await;
    ui.wait_text("table.hosts", "fs01").await;
    dismiss_toasts(ui).await;

    // A policy through the sectioned form; a schedule that never fires is refused first.
    ui.go("/backup/policies").await;
    ui.type_into("#po-name", "File server").await;
    ui.wait("#po-engine").await.select_by_label("Browser-BES").await.expect("the engine");
    ui.wait("#po-target").await.select_by_label("Primary NAS").await.expect("the target");
    ui.type_into("#po-full", "0 0 31 2 *").await;
    ui.click("[data-testid=policy-save]").await;
    ui.wait_text(".toast", "never fires").await;
    dismiss_toasts(ui).await;
    ui.type_into("#po-full", "0 2 * * 0").await;
    ui.type_into("#po-incr", "0 2 * * 1-6").await;
    ui.click("[data-testid=policy-save]").await;
    ui.wait_text(".toast", "Policy File server created").await;
    ui.wait_text(".page h1", "Policy File server").await;
    dismiss_toasts(ui).await;
    // Every field but the engine can change later: a longer daily retention.
    ui.click("[data-testid=policy-edit] summary").await;
    ui.type_into("#po-ret-daily", "14").await;
    ui.click("[data-testid=policy-save]").await;
    ui.wait_text(".toast", "Policy File server saved").await;
    ui.wait_text("[data-testid=policy-summary]", "retention 14/4/12").await;
    dismiss_toasts(ui).await;

    // Section 7: an app hook from the MySQL template.
    ui.wait("#hk-template").await.select_by_value("mysql").await.expect("the MySQL template");
    ui.type_into("#hk-timeout", "120").await;
    ui.click("[data-testid=hook-add]").await;
    ui.wait_text("table.hooks", "MySQL / MariaDB").await;
    ui.wait_text("table.hooks", "mysqldump").await;
    dismiss_toasts(ui).await;
    // Edited inline: a shorter timeout.
    ui.click("[data-testid=hook-edit]").await;
    ui.type_into("[data-testid=hook-edit-form] input[aria-label='Timeout (seconds)']", "90").await;
    ui.click("[data-testid=hook-save]").await;
    ui.wait_text(".toast", "Hook saved").await;
    ui.wait_text("table.hooks", "90 s").await;
    dismiss_toasts(ui).await;

    // A replication rule to the offsite target.
    ui.wait("#rr-target").await.select_by_label("Offsite S3").await.expect("the offsite target");
    ui.click("#rr-offsite").await;
    ui.click("[data-testid=replica-add]").await;
    ui.wait_text("[data-testid=replicas-section] li", "Offsite S3").await;
    ui.wait_text("[data-testid=three-two-one]", "2 copies").await;

    // The host, assigned to the policy.
    ui.wait("#as-host").await.select_by_label("fs01").await.expect("the host");
    ui.click("[data-testid=host-assign]").await;
    ui.wait_text("[data-testid=hosts-section] li", "fs01 (active)").await;
    ui.shot("backup-policy").await;
    ui.go("/backup/replicas").await;
    ui.wait_text("table.replicas", "File server").await;
    ui.wait_text("table.replicas", "Offsite S3").await;
    dismiss_toasts(ui).await;
}

/// What the scripted engine of [`backup_runs`] answers: a backup succeeds
/// with a snapshot, a replication with its copy, browse and search list a
/// small tree, a file restore restores what it was asked for; anything else
/// is refused.
fn scripted_answer(job: &Value, fail_backups: bool, target_id: &str) -> Value {
    let now = chrono::Utc::now();
    let p = &job["payload"];
    let entry =
        |path: &str, is_dir: bool, size: u64| json!({"path": path, "is_dir": is_dir, "size": size, "modified_at": now});
    match p["kind"].as_str().unwrap_or_default() {
        "backup" if fail_backups => json!({
            "status": "failed", "started_at": now, "ended_at": now, "error": "the repository is locked", "retryable": true
        }),
        "backup" => json!({
            "status": "success", "started_at": now - chrono::Duration::seconds(30), "ended_at": now,
            "bytes_transferred": 2_500_000, "protected_bytes": 9_000_000, "retryable": false,
            "snapshot": {"snapshot_id": format!("snap-{}", job["id"].as_str().unwrap_or_default()), "chain_id": "chain-app01",
                         "completed_at": now, "size_bytes": 8_000_000, "file_count": 3, "verification": "passed"}
        }),
        "browse" => {
            let entries = match p["path"].as_str().unwrap_or("/").trim_end_matches('/') {
                "" => vec![entry("/srv", true, 0)],
                "/srv" => vec![entry("/srv/data", true, 0), entry("/srv/readme.txt", false, 12)],
                "/srv/data" => vec![entry("/srv/data/report.docx", false, 4096)],
                _ => vec![],
            };
            json!({"status": "success", "entries": entries})
        }
        "search" => json!({"status": "success", "entries": [entry("/srv/data/report.docx", false, 4096)]}),
        "replicate" => json!({"status": "success", "started_at": now, "ended_at": now,
                              "replica_snapshot_id": format!("copy-{}", p["snapshot_id"].as_str().unwrap_or_default())}),
        "health_check" => json!({"status": "success", "reachable": true, "capacity": {
            "target_id": target_id, "total_bytes": 1_000_000_000_u64, "used_bytes": 400_000_000_u64, "free_bytes": 600_000_000_u64}}),
        "file_restore" => {
            json!({"status": "success", "restored_files": p["paths"].as_array().map(Vec::len).unwrap_or(0)})
        }
        other => {
            json!({"status": "failed", "error": format!("{other} is not supported by the scripted engine"), "retryable": false})
        }
    }
}

/// Native backups in the browser (issue 15): a scripted engine registers,
/// gets a target, a policy and a host; "Run now" on the Policies page
/// dispatches a backup that the engine reports; the Backup dashboard shows
/// its tiles and the four queues (all empty, with their texts); a
/// replication rule copies the backup offsite and the restore point shows
/// the copy; Backup > Restore, opened as the dashboard links it (`?host_id=`), browses the
/// restore point, goes into a folder, searches, and restores two files
/// while the page polls the engine's jobs; Backup > Jobs shows the native
/// job's run and Protected Objects the host.
async fn backup_runs(ui: &Ui, server: &Server) {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    let api = Api::login(&server.base, "admin", &server.admin_password).await;
    let customer = api.call(reqwest::Method::POST, "/customers", Some(json!({"name": "Runs Browser BV"}))).await;
    let customer_id = customer["id"].as_str().unwrap_or_default().to_string();
    let created = api
        .call(reqwest::Method::POST, "/backup/registration-secrets", Some(json!({"customer_id": customer_id})))
        .await;
    let secret = created["secret"].as_str().expect("a registration secret").to_string();
    let clock: Arc<dyn bc_core::ports::Clock> = Arc::new(bc_core::ports::SystemClock);
    let mut bes = bc_tests::bes::ScriptedEngine::register(7, &server.base, &secret, "Runs-BES", clock).await;
    let target = api
        .call(
            reqwest::Method::POST,
            "/backup/storage-targets",
            Some(json!({"name": "Runs repo", "target_type": "local", "engine_id": bes.id, "connection": {"path": "/srv/runs"}})),
        )
        .await;
    let policy = api
        .call(
            reqwest::Method::POST,
            "/backup/policies",
            Some(json!({"name": "App files", "engine_id": bes.id, "storage_target_id": target["id"],
                        "full_schedule": "0 3 1 1 *", "time_zone": "UTC", "include_paths": ["/srv"],
                        "retention_daily": 7, "retention_weekly": 0, "retention_monthly": 0})),
        )
        .await;
    let policy_id = policy["policy"]["id"].as_str().expect("the policy").to_string();
    let host = api
        .call(reqwest::Method::POST, "/backup/hosts", Some(json!({"customer_id": customer_id, "hostname": "app01"})))
        .await;
    let host_id = host["id"].as_str().expect("the host").to_string();
    api.call(reqwest::Method::POST, &format!("/backup/policies/{policy_id}/hosts"), Some(json!({"host_id": host_id})))
        .await;
    // Each backup is copied offsite by a replication rule.
    let replica = api
        .call(
            reqwest::Method::POST,
            "/backup/storage-targets",
            Some(json!({"name": "Runs replica", "target_type": "local", "engine_id": bes.id, "connection": {"path": "/srv/runs-copy"}})),
        )
        .await;
    api.call(
        reqwest::Method::POST,
        "/backup/replicas",
        Some(json!({"policy_id": policy_id, "storage_target_id": replica["id"], "is_offsite": true})),
    )
    .await;

    // The engine, as a task: heartbeats, fetches its jobs and answers each one.
    let (stop, fail) = (Arc::new(AtomicBool::new(false)), Arc::new(AtomicBool::new(false)));
    let engine = {
        let (stop, fail) = (stop.clone(), fail.clone());
        let target_id = target["id"].as_str().expect("the target").to_string();
        tokio::spawn(async move {
            let mut beat = std::time::Instant::now();
            while !stop.load(Ordering::Relaxed) {
                if beat.elapsed() > std::time::Duration::from_secs(5) {
                    bes.heartbeat().await;
                    beat = std::time::Instant::now();
                }
                for job in bes.poll().await {
                    let id = job["id"].as_str().unwrap_or_default().to_string();
                    bes.ack(&id).await;
                    let (s, body) =
                        bes.result(&id, &scripted_answer(&job, fail.load(Ordering::Relaxed), &target_id)).await;
                    assert!(s.is_success(), "the result of {id}: {s} {body}");
                }
                tokio::time::sleep(std::time::Duration::from_millis(300)).await;
            }
        })
    };

    // "Run now" on the Policies page dispatches the backup; the engine reports it.
    ui.go("/backup/policies").await;
    let row = ui.wait_text("table.policies tr", "App files").await;
    button_in(&row, "Run now").await.click().await.expect("run now");
    ui.wait_text(".toast", "Backup dispatched to 1 host(s)").await;
    dismiss_toasts(ui).await;
    let deadline = std::time::Instant::now() + harness::PATIENCE;
    loop {
        let points = api.call(reqwest::Method::GET, &format!("/backup/restore-points?host_id={host_id}"), None).await;
        // The restore point, and its offsite copy made.
        if points["items"][0]["replicas"][0]["status"] == "success" {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "no restore point copied for app01: {points}");
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    }

    // The dashboard: tiles, and four queues that each load on their own (all empty here).
    ui.go("/backup/dashboard").await;
    let tile = |name: &'static str| async move {
        let deadline = std::time::Instant::now() + harness::PATIENCE;
        loop {
            let v = ui.wait(&format!("[data-testid=tile-{name}] .tile-value")).await.text().await.unwrap_or_default();
            if let Ok(n) = v.trim().parse::<u64>() {
                return n;
            }
            assert!(std::time::Instant::now() < deadline, "the {name} tile shows no number: {v:?}");
            tokio::time::sleep(std::time::Duration::from_millis(150)).await;
        }
    };
    assert!(tile("success").await >= 1, "the backup counts in the last 24 hours");
    assert!(tile("bes-online").await >= 1, "the scripted engine is online");
    assert!(tile("protected").await >= 2, "fs01 and app01 are protected");
    assert_eq!(tile("failed").await, 0, "no failed backup");
    ui.wait_text("[data-testid=queue-failed]", "No failed backups").await;
    ui.wait_text("[data-testid=queue-rpo]", "All objects within RPO").await;
    ui.wait_text("[data-testid=queue-storage]", "All storage healthy").await;
    ui.wait_text("[data-testid=queue-verification]", "All verifications passing").await;
    ui.shot("backup-dashboard").await;

    // Backup > Restore as the dashboard links it: the host's restore point.
    ui.go(&format!("/backup/restore?host_id={host_id}")).await;
    ui.wait_text("table.restore-points", "App files").await;
    ui.wait_text("table.restore-points [data-testid=point-copies]", "offsite success").await;
    ui.click("table.restore-points [data-testid=point-select]").await;
    ui.wait("[data-testid=restore-panel]").await;
    let path = ui.wait("#rs-browse-path").await.prop("value").await.ok().flatten().unwrap_or_default();
    assert_eq!(path, "/", "browse starts at the root");
    ui.click("[data-testid=browse]").await;
    // The engine answers the browse job while the page polls it.
    ui.wait_text("[data-testid=browse-entries] button", "/srv/").await.click().await.expect("into /srv");
    ui.wait_text("[data-testid=browse-entries]", "Contents of /srv").await;
    ui.wait_text("[data-testid=browse-entries]", "readme.txt").await;
    ui.click("tr[data-path='/srv/readme.txt'] input[type=checkbox]").await;
    ui.wait_text("[data-testid=picked]", "/srv/readme.txt").await;
    ui.type_into("#rs-search", "report").await;
    ui.click("[data-testid=search]").await;
    ui.wait_text("[data-testid=browse-entries]", "Search results for report").await;
    ui.click("tr[data-path='/srv/data/report.docx'] input[type=checkbox]").await;
    ui.wait_text("[data-testid=picked]", "report.docx").await;
    ui.type_into("#rs-target", "/restore").await;
    let overwrite = ui.wait("#rs-overwrite").await.prop("checked").await.ok().flatten().unwrap_or_default();
    assert_eq!(overwrite, "false", "overwrite is off by default");
    ui.click("[data-testid=restore-files]").await;
    ui.wait_text("[data-testid=restore-files-status]", "Restored 2 files").await;
    ui.shot("backup-restore").await;
    // Bare-metal restore, confirmed first: PXE is refused by the server (the engine has none),
    // ISO reaches the engine, whose refusal is shown.
    ui.click(".restore-more summary").await;
    ui.wait("#rb-method").await.select_by_value("pxe").await.expect("PXE");
    ui.click_text(".restore-more button", "Start bare-metal restore").await;
    ui.click_text(".restore-more .confirm button", "Yes").await;
    ui.wait_text("[data-testid=bmr-status]", "does not have PXE enabled").await;
    ui.wait("#rb-method").await.select_by_value("iso").await.expect("ISO");
    ui.click_text(".restore-more button", "Start bare-metal restore").await;
    ui.click_text(".restore-more .confirm button", "Yes").await;
    ui.wait_text("[data-testid=bmr-status]", "not supported by the scripted engine").await;

    // A health check from the Storage page: queued, answered, shown on the target.
    ui.go("/backup/storage").await;
    let row = ui.wait_text("table.storage-targets tr", "Runs repo").await;
    button_in(&row, "Health check").await.click().await.expect("health check");
    ui.wait_text(".toast", "Health check queued").await;
    dismiss_toasts(ui).await;
    let row = ui.reload_until("/backup/storage", "table.storage-targets tr", "40.0 %").await;
    let text = row.text().await.unwrap_or_default();
    assert!(text.contains("Runs repo") && text.contains("success"), "the check's result on the target: {text:?}");

    // Backup > Jobs: the native job with its run; Protected Objects: the host.
    ui.go("/backup/jobs?source=native").await;
    ui.click_text("table.backup-jobs button", "App files").await;
    ui.wait_text("[data-testid=job-history] table.native-runs", "success").await;
    ui.wait_text("[data-testid=job-history] table.native-runs", "run_now").await;
    ui.shot("backup-jobs").await;
    ui.go("/backup/objects?q=app01").await;
    ui.wait_text("table.protected-objects", "app01").await;
    ui.wait_text("[data-testid=objects-total]", "1 object").await;
    ui.shot("backup-objects").await;

    // A failed backup (automatic retries off): the dashboard's red queue shows it with Retry;
    // the retry, answered with a success, empties the queue.
    let settings = api.call(reqwest::Method::GET, "/backup/settings", None).await;
    api.call(reqwest::Method::PUT, "/backup/settings", Some(json!({"auto_retry_max": 0}))).await;
    fail.store(true, Ordering::Relaxed);
    api.call(reqwest::Method::POST, &format!("/backup/policies/{policy_id}/run-now"), Some(json!({}))).await;
    let row = ui.reload_until("/backup/dashboard", "[data-testid=queue-failed] tr", "the repository is locked").await;
    let text = row.text().await.unwrap_or_default();
    assert!(text.contains("App files") && text.contains("app01"), "policy and host in the failed row: {text:?}");
    assert!(tile("failed").await >= 1, "the failure counts in the last 24 hours");
    ui.shot("backup-dashboard-failed").await;
    fail.store(false, Ordering::Relaxed);
    ui.click("[data-testid=queue-failed] [data-testid=dashboard-retry]").await;
    ui.wait_text(".toast", "Retry dispatched").await;
    ui.reload_until("/backup/dashboard", "[data-testid=queue-failed]", "No failed backups").await;
    dismiss_toasts(ui).await;
    api.call(reqwest::Method::PUT, "/backup/settings", Some(settings)).await;

    stop.store(true, Ordering::Relaxed);
    engine.await.expect("the scripted engine ran without a failure");
}

/// A viewer (backup.view only) sees the Backup dashboard and objects, but
/// Restore fails closed and nothing offers Retry, Run now or an RPO edit.
async fn backup_read_only(ui: &Ui) {
    ui.go("/backup/dashboard").await;
    ui.wait_text("[data-testid=queue-verification]", "All verifications passing").await;
    ui.wait_text(".page .hint", "need the backup.restore permission").await;
    ui.go("/backup/restore").await;
    ui.wait_text("[data-testid=restore-refused]", "You need backup.restore").await;
    assert!(ui.find_text("table", "App files").await.is_none(), "no restore point is shown");
    ui.go("/backup/objects?q=app01").await;
    ui.wait_text("table.protected-objects", "app01").await;
    assert!(ui.find_text("table.protected-objects button", "Save").await.is_none(), "a viewer cannot edit the RPO");
    ui.go("/backup/policies").await;
    ui.wait_text("table.policies", "App files").await;
    assert!(ui.find_text("table.policies button", "Run now").await.is_none(), "a viewer cannot run a policy");
}

/// Backup > Platforms: a Veeam B&R server (the fake, on loopback) registered
/// for the customer, its connection tested, a sync run, and its jobs shown
/// on the Platforms page and on the Jobs page.
async fn platforms(ui: &Ui) {
    let veeam = fake_platforms::FakeVeeam::start().await;
    let now = chrono::Utc::now();
    let job = veeam.add_job("Browser Daily VMs", "VSphereBackup");
    veeam.add_session(&job, now - chrono::Duration::hours(20), 30, "Success", &[("vm-web01", "Success")]);
    veeam.add_session(&job, now - chrono::Duration::hours(44), 30, "Warning", &[("vm-web01", "Warning")]);

    ui.go("/backup/platforms").await;
    ui.wait("[data-testid=platforms-empty]").await;
    ui.type_into("#pf-name", "Browser Veeam").await;
    ui.wait("#pf-customer").await.select_by_label(CUSTOMER).await.expect("the customer");
    ui.type_into("#pf-host", &veeam.base_url()).await;
    ui.type_into("#pf-username", veeam.username()).await;
    ui.type_into("#pf-password", veeam.password()).await;
    ui.click("[data-testid=platform-register]").await;
    ui.wait_text(".toast", "Platform Browser Veeam registered").await;
    dismiss_toasts(ui).await;
    ui.wait_text("[data-testid=platform-row]", "Browser Veeam").await;
    ui.click("[data-testid=platform-test]").await;
    ui.wait_text("[data-testid=platform-test-result]", "Connection OK").await;
    ui.click("[data-testid=platform-sync]").await;
    ui.wait_text(".toast", "Sync queued").await;
    dismiss_toasts(ui).await;
    ui.reload_until("/backup/platforms", "[data-testid=platform-jobs]", "Browser Daily VMs").await;
    ui.wait_text("[data-testid=platform-status]", "ok").await;
    assert!(!ui.c.source().await.unwrap_or_default().contains(veeam.password()), "the password never comes back");
    ui.shot("backup-platforms").await;
    ui.reload_until("/jobs", "table.jobs", "Browser Daily VMs").await;
}
