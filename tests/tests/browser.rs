//! The review UI in a real browser, end to end: sign in, a report mail
//! arrives in the Inbox, approve its job for a new customer, the next mail
//! of the job lands in Run Checks, open it, mark it reviewed until Run
//! Checks is empty; a viewer cannot reach Run Checks. Screenshots of the
//! main pages go to docs/screenshots/.
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
    let server = Server::start(&dist);
    let browser = Browser::start().await;
    let ui = Ui::new(browser.client.clone(), &server.base);
    // Run the flow as its own task so the browser session is closed (and
    // Chromium quits) even when an assertion fails.
    let outcome = tokio::spawn(async move { flow(&ui, &server).await }).await;
    let _ = browser.client.clone().close().await;
    if let Err(e) = outcome {
        if e.is_panic() {
            std::panic::resume_unwind(e.into_panic());
        }
        panic!("the browser flow did not finish: {e}");
    }
}

async fn flow(ui: &Ui, server: &Server) {
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
    ui.click("form button[type=submit]").await;
    ui.wait_text(".toast", "Times are now shown in Europe/Amsterdam").await;

    // Jobs, a job's history (reviewer shown to admins), Customers.
    ui.go("/jobs").await;
    ui.wait_text("table.jobs", JOB).await;
    ui.shot("jobs").await;
    ui.wait_text("table.jobs a", JOB).await.click().await.expect("open the job");
    ui.wait_text(".table.runs", "✔ admin").await;
    ui.shot("job").await;
    ui.go("/customers").await;
    ui.wait_text("table.customers", CUSTOMER).await;
    ui.wait_text("table.customers", OTHER_CUSTOMER).await;
    ui.shot("customers").await;

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
    ui.go("/run-checks").await;
    ui.wait_text(".state.refused", "You do not have access").await;
    ui.wait_text(".state.refused", "may not open Run Checks").await;
    ui.shot("viewer-refused").await;

    // Tablet width: the same Jobs list still fits.
    ui.c.set_window_size(820, 1100).await.expect("tablet size");
    ui.go("/jobs").await;
    ui.wait_text("table.jobs", JOB).await;
    ui.shot("tablet-jobs").await;
}
