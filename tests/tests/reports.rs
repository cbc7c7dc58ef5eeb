//! Reports and job history on both runtimes: per-job counts of a month for
//! one customer and for all, the CSV and the PDF (read back with
//! `pdftotext`), the exports in the audit trail, the role matrix (admin and
//! reporter yes; operator and viewer no), bad periods and unknown ids, and a
//! job's 90-day strip with an anomaly marker.

use std::sync::Arc;

use bc_api_types::{JobHistory, JobReport, MailState, Sizes, Status};
use bc_core::Store;
use bc_core::model::{Job, Mail, Run};
use bc_core::repos::RecordRun;
use bc_tests::server::{Client, TestServer};
use bc_tests::{ADMIN, OPERATOR, REPORTER, Runtime, VIEWER};
use chrono::{DateTime, Duration, TimeZone, Utc};
use reqwest::StatusCode;
use serde_json::json;

const SENDER: &str = "veeam@acme.example.com";

fn october(day: u32, hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 10, day, hour, 0, 0).single().expect("time")
}

async fn new_job(store: &Arc<dyn Store>, customer_id: &str, job_id: &str, name: &str) {
    let job = Job {
        id: job_id.into(),
        identity: format!("{SENDER}|veeam|{job_id}"),
        customer_id: customer_id.into(),
        sender: SENDER.into(),
        software: "Veeam Backup & Replication".into(),
        job_type: "Backup".into(),
        job_name: name.into(),
        parser: "veeam-vbr".into(),
        approved_at: october(1, 0),
        approved_by: "olga".into(),
        last_run: None,
        run_count: 0,
        lifecycle: Default::default(),
        schedule: Default::default(),
        ping: None,
        source: Default::default(),
        version: 0,
    };
    assert!(store.insert_job(&job).await.expect("job"));
}

/// One run of a job, written as ingest writes it (run, job and mail together).
async fn add_run(
    store: &Arc<dyn Store>,
    job_id: &str,
    n: usize,
    at: DateTime<Utc>,
    status: Status,
    bytes: Option<u64>,
    secs: Option<u64>,
) {
    let job = store.get_job(job_id).await.expect("get").expect("job");
    let mail_id = format!("m{job_id}x{n}");
    let mail = Mail {
        subject: "seed".into(),
        size: 1,
        ..Mail::received(&mail_id, &mail_id, format!("inbound/{mail_id}.eml"), SENDER, at)
    };
    assert!(store.insert_mail(&mail).await.expect("mail"));
    let run = Run {
        mail_id,
        started_at: Some(at),
        duration_secs: secs,
        sizes: Sizes { total_bytes: bytes, ..Sizes::default() },
        ..Run::new(format!("r{job_id}x{n}"), job_id, &job.customer_id, status, at)
    };
    let mut processed = mail.clone();
    processed.state = MailState::Processed;
    let mut j2 = job.clone();
    j2.run_count += 1;
    assert!(store.record_run(RecordRun { run: &run, job: &j2, mail: &processed }).await.expect("run"));
}

async fn get_bytes(c: &Client, path: &str) -> (StatusCode, String, Vec<u8>) {
    let resp = c.http.get(c.url(path)).send().await.expect("GET");
    let status = resp.status();
    let ct = resp.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    (status, ct, resp.bytes().await.expect("body").to_vec())
}

/// The text of a PDF as `pdftotext -layout` reads it.
pub fn pdf_text(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("report.pdf");
    std::fs::write(&path, pdf).expect("write pdf");
    let out = std::process::Command::new("pdftotext")
        .arg("-layout")
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (Debian poppler-utils) must be installed");
    assert!(out.status.success(), "pdftotext: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn row<'a>(r: &'a JobReport, job: &str) -> &'a bc_api_types::ReportRow {
    r.rows.iter().find(|x| x.job_name == job).unwrap_or_else(|| panic!("{job} in {r:?}"))
}

async fn reports_and_history(rt: Runtime) {
    let store = rt.app.store.clone();
    let server = TestServer::start(rt.app.clone()).await;
    let admin = server.login(ADMIN).await;
    let reporter = server.login(REPORTER).await;
    let operator = server.login(OPERATOR).await;
    let viewer = server.login(VIEWER).await;

    let (_, acme) = admin.post("/api/v1/customers", &json!({"name": "Acme BV"})).await;
    let acme = acme["id"].as_str().expect("customer").to_string();
    let (_, globex) = admin.post("/api/v1/customers", &json!({"name": "Globex"})).await;
    let globex = globex["id"].as_str().expect("customer").to_string();
    new_job(&store, &acme, "jnightly", "Nightly SQL").await;
    new_job(&store, &acme, "jformula", "=SUM(A1)").await;
    new_job(&store, &globex, "jweekly", "Weekly Files").await;

    // October: Nightly SQL 5 Success, 2 Warning, 1 Failed; runs on 30
    // September and 1 November stay out of the month.
    let mut n = 0;
    let mut put = |job: &'static str, at, status| {
        n += 1;
        let store = store.clone();
        let k = n;
        async move { add_run(&store, job, k, at, status, Some(1_000), Some(60)).await }
    };
    put("jnightly", october(1, 0) - Duration::hours(1), Status::Failed).await;
    for d in 1..=5 {
        put("jnightly", october(d, 2), Status::Success).await;
    }
    put("jnightly", october(10, 2), Status::Warning).await;
    put("jnightly", october(11, 2), Status::Warning).await;
    put("jnightly", october(31, 23), Status::Failed).await;
    put("jnightly", october(31, 23) + Duration::hours(2), Status::Failed).await;
    put("jweekly", october(7, 4), Status::Success).await;
    put("jweekly", october(14, 4), Status::Failed).await;

    // One open ticket on the nightly job (a resolved one does not count).
    for number in ["T1001", "T1002"] {
        let (s, t) = admin
            .post("/api/v1/jobs/jnightly/tickets", &serde_json::json!({"run_id": "rjnightlyx1", "number": number}))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{t}");
        if number == "T1001" {
            let (s, _) = admin
                .post(&format!("/api/v1/tickets/{}/resolve", t["id"].as_str().expect("id")), &serde_json::json!({}))
                .await;
            assert_eq!(s, StatusCode::OK);
        }
    }

    let month = format!("period=month&date=2026-10-15&customer_id={acme}");
    let (s, body) = reporter.get(&format!("/api/v1/reports?{month}")).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let r: JobReport = serde_json::from_value(body).expect("report");
    assert_eq!((r.from.to_string(), r.to.to_string()), ("2026-10-01".into(), "2026-10-31".into()));
    assert_eq!(r.customer_name.as_deref(), Some("Acme BV"));
    assert_eq!(r.rows.len(), 2, "both of Acme's jobs, one without runs");
    let nightly = row(&r, "Nightly SQL");
    assert_eq!((nightly.success, nightly.warning, nightly.failed), (5, 2, 1));
    assert_eq!(nightly.success_rate, Some(62.5));
    assert_eq!(nightly.open_tickets, 1, "the open ticket, not the resolved one");
    let empty = row(&r, "=SUM(A1)");
    assert_eq!((empty.success, empty.warning, empty.failed, empty.success_rate), (0, 0, 0, None));

    // All customers, and a custom period.
    let (_, body) = admin.get("/api/v1/reports?period=month&date=2026-10-01").await;
    let all: JobReport = serde_json::from_value(body).expect("report");
    assert_eq!(all.rows.len(), 3);
    assert!(all.customer_id.is_none());
    let weekly = row(&all, "Weekly Files");
    assert_eq!((weekly.customer_name.as_str(), weekly.success, weekly.failed), ("Globex", 1, 1));
    let (_, body) = admin.get("/api/v1/reports?period=custom&from=2026-10-02&to=2026-10-10").await;
    let custom: JobReport = serde_json::from_value(body).expect("report");
    let nightly = row(&custom, "Nightly SQL");
    assert_eq!((nightly.success, nightly.warning, nightly.failed), (4, 1, 0));
    let (_, body) = admin.get("/api/v1/reports?period=week&date=2026-10-08").await;
    let week: JobReport = serde_json::from_value(body).expect("report");
    assert_eq!((week.from.to_string(), week.to.to_string()), ("2026-10-05".into(), "2026-10-11".into()));
    assert_eq!(row(&week, "Nightly SQL").warning, 2);

    // CSV: the counts, formula cells defused.
    let (s, ct, csv) = get_bytes(&reporter, &format!("/api/v1/reports/export.csv?{month}")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(ct.starts_with("text/csv"), "{ct}");
    let csv = String::from_utf8(csv).expect("utf-8");
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "customer,job,software,success,warning,failed,success_rate,open_tickets,from,to");
    assert!(
        lines.contains(&"Acme BV,Nightly SQL,Veeam Backup & Replication,5,2,1,62.5,1,2026-10-01,2026-10-31"),
        "{csv}"
    );
    assert!(lines.contains(&"Acme BV,'=SUM(A1),Veeam Backup & Replication,0,0,0,,0,2026-10-01,2026-10-31"), "{csv}");

    // PDF: a real one, with the names and counts in its text.
    let (s, ct, pdf) = get_bytes(&reporter, &format!("/api/v1/reports/export.pdf?{month}")).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(ct, "application/pdf");
    assert!(pdf.starts_with(b"%PDF-"));
    let text = pdf_text(&pdf);
    for want in ["Backup report", "Acme BV", "2026-10-01 to 2026-10-31", "Nightly SQL", "=SUM(A1)", "62.5%"] {
        assert!(text.contains(want), "{want:?} in the PDF text:\n{text}");
    }
    let nightly_line = text.lines().find(|l| l.contains("Nightly SQL")).expect("line");
    let numbers: Vec<&str> = nightly_line.split_whitespace().rev().take(5).collect();
    assert_eq!(numbers, ["1", "62.5%", "1", "2", "5"], "counts, rate and open tickets: {nightly_line}");

    // Both exports are in the audit trail.
    let (s, audit) = admin.get("/api/v1/audit?entity_type=report&action=export").await;
    assert_eq!(s, StatusCode::OK, "{audit}");
    let entries = audit["items"].as_array().expect("items");
    let formats: Vec<&str> = entries.iter().filter_map(|e| e["after"]["format"].as_str()).collect();
    assert!(formats.contains(&"csv") && formats.contains(&"pdf"), "{audit}");
    assert!(entries.iter().all(|e| e["actor"] == "rita" && e["entity_id"] == acme.as_str()), "{audit}");

    // The role matrix: reporter and admin read reports, operator and viewer not.
    for (who, c, want) in [
        ("admin", &admin, StatusCode::OK),
        ("reporter", &reporter, StatusCode::OK),
        ("operator", &operator, StatusCode::FORBIDDEN),
        ("viewer", &viewer, StatusCode::FORBIDDEN),
    ] {
        for path in ["/api/v1/reports", "/api/v1/reports/export.csv", "/api/v1/reports/export.pdf"] {
            let (s, _, _) = get_bytes(c, &format!("{path}?{month}")).await;
            assert_eq!(s, want, "{who} {path}");
        }
    }
    assert_eq!(server.client().get("/api/v1/reports").await.0, StatusCode::UNAUTHORIZED);

    // Bad input says why.
    for (query, want, says) in [
        ("period=year", StatusCode::BAD_REQUEST, "period must be"),
        ("period=custom&from=2026-10-10&to=2026-10-01", StatusCode::BAD_REQUEST, "after"),
        ("period=custom&from=2025-01-01&to=2026-10-01", StatusCode::BAD_REQUEST, "366"),
        ("period=custom&from=2026-10-01", StatusCode::BAD_REQUEST, "needs from and to"),
        ("period=month&date=31-10-2026", StatusCode::BAD_REQUEST, "YYYY-MM-DD"),
        ("customer_id=cnobody", StatusCode::NOT_FOUND, "customer"),
    ] {
        for path in ["/api/v1/reports", "/api/v1/reports/export.pdf"] {
            let (s, body) = reporter.get(&format!("{path}?{query}")).await;
            assert_eq!(s, want, "{path}?{query}: {body}");
            let msg = body["error"]["message"].as_str().unwrap_or_default();
            assert!(msg.contains(says), "{path}?{query}: {msg}");
        }
    }

    // History: 90 cells ending today, empty days explicit, and a run ten
    // times the usual size marked.
    let now = Utc::now();
    for i in 0..8 {
        let at = now - Duration::days(8 - i) - Duration::minutes(5);
        add_run(&store, "jweekly", 100 + i as usize, at, Status::Success, Some(50_000 + i as u64 * 10), Some(600))
            .await;
    }
    add_run(&store, "jweekly", 200, now - Duration::minutes(1), Status::Failed, Some(500_000), Some(610)).await;
    let (s, body) = viewer.get("/api/v1/jobs/jweekly/history?days=90").await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let h: JobHistory = serde_json::from_value(body).expect("history");
    assert_eq!(h.days.len(), 90);
    assert_eq!(h.days.last().expect("today").date, (now - Duration::minutes(1)).date_naive());
    let run_days: std::collections::BTreeSet<_> = h.points.iter().map(|p| p.at.date_naive()).collect();
    let busy: Vec<_> = h.days.iter().filter(|d| d.worst.is_some()).map(|d| d.date).collect();
    assert_eq!(busy, run_days.into_iter().collect::<Vec<_>>(), "a cell a day; empty days are explicit");
    let failed_day = (now - Duration::minutes(1)).date_naive();
    assert_eq!(h.days.iter().find(|d| d.date == failed_day).and_then(|d| d.worst), Some(Status::Failed));
    let last = h.points.last().expect("points");
    assert_eq!((last.total_bytes, last.status), (Some(500_000), Status::Failed));
    assert!(last.size_anomaly && !last.duration_anomaly, "{last:?}");
    assert!(h.points[..h.points.len() - 1].iter().all(|p| !p.size_anomaly), "{:?}", h.points);
    let (_, body) = viewer.get("/api/v1/jobs/jweekly/history").await;
    assert_eq!(body["days"].as_array().map(Vec::len), Some(90), "90 days by default");
    for (path, want) in [
        ("/api/v1/jobs/jweekly/history?days=0", StatusCode::BAD_REQUEST),
        ("/api/v1/jobs/jweekly/history?days=367", StatusCode::BAD_REQUEST),
        ("/api/v1/jobs/jweekly/history?days=ninety", StatusCode::BAD_REQUEST),
        ("/api/v1/jobs/jnobody/history", StatusCode::NOT_FOUND),
    ] {
        assert_eq!(viewer.get(path).await.0, want, "{path}");
    }

    // The OpenAPI document names every new route.
    let (_, doc) = server.client().get("/api/v1/openapi.json").await;
    for p in
        ["/api/v1/reports", "/api/v1/reports/export.csv", "/api/v1/reports/export.pdf", "/api/v1/jobs/{id}/history"]
    {
        assert!(doc["paths"].get(p).is_some(), "{p} in the OpenAPI document");
    }
}

#[tokio::test]
async fn reports_on_the_embedded_store() {
    reports_and_history(Runtime::embedded().with_users().await).await;
}

#[cfg(feature = "aws")]
#[tokio::test]
async fn reports_on_dynamodb() {
    reports_and_history(Runtime::aws("reports").await.with_users().await).await;
}
