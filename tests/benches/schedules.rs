//! Schedules: learned-schedule inference over a job's last 200 runs (pure,
//! in microseconds), and the scheduler tick on the embedded runtime with
//! 50,000 jobs (default; `BENCH_JOBS`) of which 500 are due: the tick reads
//! only the due jobs from the index and makes their Missed runs.
//!
//! `cargo bench -p bc-tests --bench schedules`

use std::sync::Arc;
use std::time::{Duration, Instant};

use bc_api_types::{Cadence, LearnedSchedule};
use bc_core::model::{Customer, Job, JobSchedule};
use bc_core::ports::Clock;
use bc_core::schedules::expect::{Context, Effective};
use bc_core::schedules::learn::learn;
use bc_tests::Runtime;
use chrono::{DateTime, Duration as CDuration, TimeZone, Utc};

struct Fixed(DateTime<Utc>);

impl Clock for Fixed {
    fn now(&self) -> DateTime<Utc> {
        self.0
    }
}

fn pct(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1e6
}

fn main() {
    // 1. Inference over 200 runs: a nightly job with jitter and a few outliers.
    let base = Utc.with_ymd_and_hms(2026, 1, 1, 22, 0, 0).single().expect("time");
    let mut x: u64 = 1;
    let starts: Vec<i64> = (0..200)
        .map(|i| {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let jitter = (x >> 33) as i64 % 21 - 10;
            let outlier = if i % 37 == 0 { 300 } else { 0 };
            (base + CDuration::days(i) + CDuration::minutes(jitter + outlier)).timestamp()
        })
        .collect();
    let tz: chrono_tz::Tz = "Europe/Amsterdam".parse().expect("tz");
    assert!(learn(&starts, tz).is_some());
    let mut samples = Vec::with_capacity(5000);
    for _ in 0..5000 {
        let t = Instant::now();
        std::hint::black_box(learn(std::hint::black_box(&starts), tz));
        samples.push(t.elapsed());
    }
    samples.sort();
    println!(
        "learned-schedule inference over 200 runs: p50 {:.1} µs, p99 {:.1} µs, max {:.1} µs",
        pct(&samples, 0.5),
        pct(&samples, 0.99),
        pct(&samples, 1.0)
    );

    // 2. The tick: 50,000 jobs with a daily schedule, 500 of them due.
    let jobs: usize = std::env::var("BENCH_JOBS").ok().and_then(|v| v.parse().ok()).unwrap_or(50_000);
    let due = 500usize;
    let now = Utc.with_ymd_and_hms(2026, 3, 10, 12, 0, 0).single().expect("time");
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    rt.block_on(async move {
        let r = Runtime::embedded_with_clock(Arc::new(Fixed(now)));
        let store = r.app.store.clone();
        store
            .insert_customer(&Customer {
                id: "c1".into(),
                name: "Customer".into(),
                active: true,
                created_at: base,
                job_count: jobs as u64,
                psa: None,
                version: 0,
            })
            .await
            .expect("customer");
        let learned = LearnedSchedule {
            cadence: Cadence::Daily,
            expected_minute: 60,
            tolerance_minutes: 15,
            confidence: 1.0,
            runs: 30,
        };
        let ctx = Context::default();
        let eff = Effective::Learned(learned.clone());
        let t0 = Instant::now();
        for j in 0..jobs {
            // The due ones expected at 01:00 today (past their grace); the
            // others tomorrow.
            let after = if j < due { now - CDuration::days(1) } else { now };
            let job = Job {
                id: format!("j{j:06}"),
                identity: format!("bench|veeam|job {j}"),
                customer_id: "c1".into(),
                sender: "bench@example.com".into(),
                software: "Veeam".into(),
                job_type: "Backup".into(),
                job_name: format!("Job {j:06}"),
                parser: "veeam".into(),
                approved_at: base,
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
            store.insert_job(&job).await.expect("job");
        }
        println!("(setup: {jobs} jobs in {:.1} s)", t0.elapsed().as_secs_f64());
        let t = Instant::now();
        let report = r.app.tick().await.expect("tick");
        let first = t.elapsed();
        assert_eq!(report.missed_runs as usize, due);
        let t = Instant::now();
        let again = r.app.tick().await.expect("tick");
        let second = t.elapsed();
        assert_eq!(again.missed_runs, 0);
        println!(
            "scheduler tick, {jobs} jobs of which {due} due (embedded): {:.1} ms ({} Missed runs created); \
             the next tick with none due: {:.2} ms",
            first.as_secs_f64() * 1e3,
            report.missed_runs,
            second.as_secs_f64() * 1e3
        );
    });
}
