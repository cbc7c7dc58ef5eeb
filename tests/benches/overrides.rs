//! Creating an override with 5,000 unreviewed runs stored (default;
//! `BENCH_RUNS`), spread over 50 jobs, every run a Warning the override
//! matches by text: the time from the request to the last run re-evaluated
//! (the first batch in the request, the rest by the worker), and the same for
//! deleting it again. On the embedded runtime (SQLite, release build).
//!
//! `cargo bench -p bc-tests --bench overrides`

use std::time::Instant;

use bc_api_types::{MailState, OverrideScope, OverrideSpec, Status, StatusMatch, TextMatch};
use bc_core::Actor;
use bc_core::model::{Customer, Job, Mail, Run};
use bc_core::repos::RecordRun;
use bc_tests::Runtime;
use chrono::{Duration as CDuration, TimeZone, Utc};

fn main() {
    let total: u64 = std::env::var("BENCH_RUNS").ok().and_then(|v| v.parse().ok()).unwrap_or(5_000);
    let jobs = 50u64;
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    rt.block_on(async move {
        let r = Runtime::embedded().with_users().await;
        let store = r.app.store.clone();
        let base = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).single().expect("time");
        store
            .insert_customer(&Customer { id: "c1".into(), name: "Acme".into(), active: true, created_at: base, job_count: 0, psa: None, version: 0 })
            .await
            .expect("customer");
        for j in 0..jobs {
            let job = Job {
                id: format!("j{j:03}"), identity: format!("s|veeam|job {j}"), customer_id: "c1".into(),
                sender: "s".into(), software: "Veeam Backup & Replication".into(), job_type: "Backup".into(),
                job_name: format!("Job {j}"), parser: "veeam-vbr".into(), approved_at: base, approved_by: "admin".into(),
                last_run: None, run_count: 0, lifecycle: Default::default(), schedule: Default::default(), ping: None, source: Default::default(), version: 0,
            };
            store.insert_job(&job).await.expect("job");
        }
        for i in 0..total {
            let at = base + CDuration::minutes(i as i64);
            let mail = Mail {
                subject: "s".into(),
                size: 1,
                state: MailState::Processed,
                ..Mail::received(format!("m{i:07}"), format!("k{i}"), format!("inbound/{i}"), "s", at)
            };
            store.insert_mail(&mail).await.expect("mail");
            let run = Run {
                mail_id: mail.id.clone(),
                started_at: Some(at),
                ended_at: Some(at),
                duration_secs: Some(60),
                object_count: 1,
                message: Some("Changed block tracking is disabled".into()),
                ..Run::new(format!("r{i:07}"), format!("j{:03}", i % jobs), "c1", Status::Warning, at)
            };
            let mut job = store.get_job(&run.job_id).await.expect("get").expect("job");
            job.run_count += 1;
            assert!(store.record_run(RecordRun { run: &run, job: &job, mail: &mail }).await.expect("record"));
        }
        let admin = Actor { user_id: "u".into(), username: "admin".into(), role: bc_api_types::Role::Admin };
        let spec = OverrideSpec {
            scope: OverrideScope::Global,
            object: None,
            status: StatusMatch::Warning,
            message: Some(TextMatch::Contains("block tracking".into())),
            valid_from: None,
            valid_until: None,
            comment: "CBT is off by design".into(),
        };
        let drain = || async {
            while r.app.drain_queue_once(10).await.expect("worker") > 0 {}
        };
        let t = Instant::now();
        let ov = r.app.create_override(&admin, &spec).await.expect("create");
        let in_request = t.elapsed();
        drain().await;
        let created = t.elapsed();
        let shown = store.unreviewed_by_job().await.expect("counts");
        assert_eq!(shown.iter().map(|u| u64::from(u.success)).sum::<u64>(), total, "every run re-evaluated");
        let t = Instant::now();
        r.app.delete_override(&admin, &ov.id).await.expect("delete");
        drain().await;
        let deleted = t.elapsed();
        let shown = store.unreviewed_by_job().await.expect("counts");
        assert_eq!(shown.iter().map(|u| u64::from(u.warning)).sum::<u64>(), total, "every run back to Warning");
        println!(
            "override over {total} unreviewed runs (embedded): create {:.0} ms to the last run ({:.0} ms in the request, \
             {:.1} µs per run), delete {:.0} ms",
            created.as_secs_f64() * 1e3,
            in_request.as_secs_f64() * 1e3,
            created.as_secs_f64() * 1e6 / total as f64,
            deleted.as_secs_f64() * 1e3,
        );
    });
}
