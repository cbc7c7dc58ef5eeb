//! Ingest throughput on the embedded runtime: N generated report mails
//! (default 10,000; `BENCH_MAILS` to change) through parse and store, with
//! a share of them belonging to approved jobs so both routes (Inbox and
//! straight to a run) are exercised. Reports mails per second.
//!
//! `cargo bench -p bc-tests --bench ingest`

use std::time::Instant;

use bc_api_types::Status;
use bc_core::Actor;
use bc_tests::Runtime;
use bc_tests::mails::VeeamMail;

fn main() {
    let n: u64 = std::env::var("BENCH_MAILS").ok().and_then(|v| v.parse().ok()).unwrap_or(10_000);
    let concurrency: usize = std::env::var("BENCH_CONCURRENCY").ok().and_then(|v| v.parse().ok()).unwrap_or(4);
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    rt.block_on(async move {
        let r = Runtime::embedded();
        let app = r.app.clone();
        // 200 jobs; the first 100 approved, so half of the mails become runs.
        let customer = app.create_customer(&Actor::system(), "Bench Customer").await.expect("customer");
        for j in 0..100u64 {
            let first =
                VeeamMail::new(&format!("veeam{}@c{}.example.com", j % 7, j), &format!("Job {j}"), Status::Success, 0);
            let out = app.ingest_bytes(first.eml()).await.expect("seed ingest");
            app.approve(&Actor::system(), &out.mail.id, &customer.id).await.expect("approve");
        }
        let mails: Vec<Vec<u8>> = (0..n)
            .map(|i| {
                let j = i % 200;
                let status = [Status::Success, Status::Success, Status::Warning, Status::Failed][(i % 4) as usize];
                VeeamMail::new(&format!("veeam{}@c{}.example.com", j % 7, j), &format!("Job {j}"), status, 1 + i / 200)
                    .objects(10 + (i % 20) as usize)
                    .eml()
            })
            .collect();
        let bytes: usize = mails.iter().map(Vec::len).sum();
        let start = Instant::now();
        let queue = std::sync::Arc::new(tokio::sync::Mutex::new(mails.into_iter()));
        let mut tasks = Vec::new();
        for _ in 0..concurrency {
            let (app, queue) = (app.clone(), queue.clone());
            tasks.push(tokio::spawn(async move {
                let (mut runs, mut inbox) = (0u64, 0u64);
                loop {
                    let next = queue.lock().await.next();
                    let Some(eml) = next else { break };
                    let out = app.ingest_bytes(eml).await.expect("ingest");
                    if out.run.is_some() { runs += 1 } else { inbox += 1 }
                }
                (runs, inbox)
            }));
        }
        let (mut runs, mut inbox) = (0, 0);
        for t in tasks {
            let (r, i) = t.await.expect("task");
            runs += r;
            inbox += i;
        }
        let secs = start.elapsed().as_secs_f64();
        println!(
            "ingest: {n} mails ({:.1} MB, avg {:.1} KB) in {secs:.2} s = {:.0} mails/s, {:.1} MB/s \
             ({runs} runs, {inbox} to the Inbox; embedded store, {concurrency} concurrent ingests)",
            bytes as f64 / 1e6,
            bytes as f64 / n as f64 / 1e3,
            n as f64 / secs,
            bytes as f64 / 1e6 / secs,
        );
    });
}
