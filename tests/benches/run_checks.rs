//! Run Checks latency with a long history: 100,000 runs stored (default;
//! `BENCH_RUNS`), 200 of them unreviewed, spread over 2,000 jobs of 100
//! customers. Reports p50/p99/max of the Run Checks use case, and of
//! `GET /api/v1/run-checks` over loopback HTTP; and of the admin's Reviewed
//! view over the 99,800 reviewed runs.
//!
//! `cargo bench -p bc-tests --bench run_checks`

use std::time::{Duration, Instant};

use bc_api_types::{MailState, Status};
use bc_core::Actor;
use bc_core::model::{Customer, Job, Mail, Review, Run};
use bc_core::repos::RecordRun;
use bc_core::review::reviewed::ReviewedQuery;
use bc_tests::Runtime;
use bc_tests::server::TestServer;
use chrono::{Duration as CDuration, TimeZone, Utc};

fn pct(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1e3
}

fn main() {
    let total: u64 = std::env::var("BENCH_RUNS").ok().and_then(|v| v.parse().ok()).unwrap_or(100_000);
    let unreviewed = 200u64;
    let jobs = 2_000u64;
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    rt.block_on(async move {
        let r = Runtime::embedded().with_users().await;
        let store = r.app.store.clone();
        let base = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).single().expect("time");
        for c in 0..100 {
            store
                .insert_customer(&Customer { id: format!("c{c:03}"), name: format!("Customer {c:03}"), active: true, created_at: base, job_count: 20, psa: None, version: 0 })
                .await
                .expect("customer");
        }
        for j in 0..jobs {
            let job = Job {
                id: format!("j{j:05}"), identity: format!("s|veeam|job {j}"), customer_id: format!("c{:03}", j % 100),
                sender: "s".into(), software: "Veeam Backup & Replication".into(), job_type: "Backup".into(),
                job_name: format!("Job {j}"), parser: "veeam-vbr".into(), approved_at: base, approved_by: "admin".into(),
                last_run: None, run_count: 0, lifecycle: Default::default(), schedule: Default::default(), ping: None, source: Default::default(), version: 0,
            };
            store.insert_job(&job).await.expect("job");
        }
        let seed = Instant::now();
        let mut versions = vec![0u64; jobs as usize];
        for i in 0..total {
            let j = i % jobs;
            let at = base + CDuration::minutes(i as i64);
            let mail = Mail {
                subject: "s".into(),
                size: 1,
                state: MailState::Processed,
                ..Mail::received(format!("m{i:07}"), format!("k{i}"), format!("inbound/{i}"), "s", at)
            };
            store.insert_mail(&mail).await.expect("mail");
            let review = (i < total - unreviewed).then(|| Review { by: "olga".into(), at });
            let run = Run {
                mail_id: mail.id.clone(),
                started_at: Some(at),
                ended_at: Some(at),
                duration_secs: Some(60),
                object_count: 5,
                review,
                ..Run::new(format!("r{i:07}"), format!("j{j:05}"), format!("c{:03}", j % 100), [Status::Success, Status::Warning, Status::Failed][(i % 3) as usize], at)
            };
            let mut job = store.get_job(&run.job_id).await.expect("get").expect("job");
            job.run_count += 1;
            assert!(store.record_run(RecordRun { run: &run, job: &job, mail: &mail }).await.expect("record"));
            versions[j as usize] += 1;
        }
        eprintln!("seeded {total} runs in {:.1} s", seed.elapsed().as_secs_f64());

        let actor = Actor::system();
        let checks = r.app.run_checks(&actor, &Default::default()).await.expect("run checks");
        assert_eq!(checks.totals.runs as u64, unreviewed);
        let mut samples = Vec::with_capacity(1000);
        for _ in 0..1000 {
            let t = Instant::now();
            let c = r.app.run_checks(&actor, &Default::default()).await.expect("run checks");
            samples.push(t.elapsed());
            assert_eq!(c.totals.runs as u64, unreviewed);
        }
        samples.sort();
        println!(
            "run checks (use case): {total} runs stored, {unreviewed} unreviewed in {} jobs: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
            checks.jobs.len(), pct(&samples, 0.5), pct(&samples, 0.99), pct(&samples, 1.0)
        );

        // The admin's Reviewed view over the same history: the first page,
        // pages deep in it (following the cursor), and a filtered page.
        let reviewed = total - unreviewed;
        let period = |cursor: Option<String>, reviewer: Option<&str>| ReviewedQuery {
            from: Some(base),
            until: Some(base + CDuration::minutes(total as i64 + 1)),
            reviewer: reviewer.map(str::to_string),
            cursor,
            ..Default::default()
        };
        let mut first = Vec::with_capacity(500);
        for _ in 0..500 {
            let t = Instant::now();
            let p = r.app.reviewed_runs(&actor, &period(None, None)).await.expect("reviewed");
            first.push(t.elapsed());
            assert_eq!(p.items.len(), 50);
        }
        first.sort();
        let mut deep = Vec::with_capacity(500);
        let mut cursor = None;
        for _ in 0..500 {
            let t = Instant::now();
            let p = r.app.reviewed_runs(&actor, &period(cursor.clone(), None)).await.expect("reviewed");
            deep.push(t.elapsed());
            cursor = p.next_cursor;
        }
        deep.sort();
        let mut filtered = Vec::with_capacity(500);
        for _ in 0..500 {
            let t = Instant::now();
            let p = r.app.reviewed_runs(&actor, &period(None, Some("nobody"))).await.expect("reviewed");
            filtered.push(t.elapsed());
            assert!(p.items.is_empty());
        }
        filtered.sort();
        println!(
            "reviewed view (use case), {reviewed} reviewed runs: first page p50 {:.2} ms, p99 {:.2} ms; \
             500 consecutive pages p50 {:.2} ms, p99 {:.2} ms; a reviewer filter matching none p50 {:.2} ms, p99 {:.2} ms",
            pct(&first, 0.5), pct(&first, 0.99), pct(&deep, 0.5), pct(&deep, 0.99), pct(&filtered, 0.5), pct(&filtered, 0.99)
        );

        let server = TestServer::start(r.app.clone()).await;
        let client = server.login(bc_tests::ADMIN).await;
        let mut samples = Vec::with_capacity(1000);
        for _ in 0..1000 {
            let t = Instant::now();
            let resp = client.http.get(client.url("/api/v1/run-checks")).send().await.expect("GET");
            let body = resp.bytes().await.expect("body");
            samples.push(t.elapsed());
            assert!(body.len() > 1000);
        }
        samples.sort();
        println!(
            "run checks (HTTP, loopback): p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
            pct(&samples, 0.5), pct(&samples, 0.99), pct(&samples, 1.0)
        );
    });
}
