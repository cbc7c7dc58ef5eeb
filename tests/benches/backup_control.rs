//! The native control plane at scale on the embedded runtime:
//! 1. dispatch: 5,000 policies with 20,000 hosts (4 each), 1,000 of the
//!    policies' slots due in one tick (so 4,000 agent jobs): the time of the
//!    tick's dispatch, and the same tick again (nothing new: the ids are the
//!    slot's);
//! 2. the dashboard with 50,000 protected objects (2 % in breach): p50 and
//!    p99 of each section's call.
//!
//! `cargo bench -p bc-tests --bench backup_control` (`BENCH_OBJECTS`,
//! `BENCH_POLICIES` scale it down). DynamoDB requests per dispatched job
//! are counted in tests/tests/dynamodb_requests.rs.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bc_api_types::Role;
use bc_api_types::{self as api, LastBackupStatus, ObjectSource, ObjectType, ProtectedObject};
use bc_core::Actor;
use bc_core::backup::repo::{BackupDoc, BackupKind};
use bc_core::model::Customer;
use bc_core::ports::ManualClock;
use bc_tests::Runtime;
use chrono::{DateTime, Duration as CDuration, TimeZone, Utc};

fn doc<T: serde::Serialize>(
    kind: BackupKind,
    id: &str,
    parent: Option<&str>,
    due: Option<DateTime<Utc>>,
    v: &T,
) -> BackupDoc {
    BackupDoc {
        kind,
        id: id.to_string(),
        parent: parent.map(str::to_string),
        due_at: due,
        version: 0,
        body: serde_json::to_string(v).expect("json"),
    }
}

fn pct(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1e3
}

fn engine(id: &str, now: DateTime<Utc>) -> api::Engine {
    api::Engine {
        id: id.into(),
        name: id.into(),
        customer_id: Some("c1".into()),
        customer_name: None,
        deployment_model: api::DeploymentModel::OnPremise,
        hostname: format!("{id}.lan"),
        ip: "10.0.0.1".into(),
        port: 8443,
        public_key: String::new(),
        status: api::EngineStatus::Online,
        version: None,
        last_heartbeat_at: Some(now),
        health: None,
        health_history: Vec::new(),
        pxe_enabled: false,
        pxe_network: None,
        storage_target_count: 1,
        managed_bytes: 0,
        registered_at: now,
    }
}

fn main() {
    let policies: usize = std::env::var("BENCH_POLICIES").ok().and_then(|v| v.parse().ok()).unwrap_or(5_000);
    let objects: usize = std::env::var("BENCH_OBJECTS").ok().and_then(|v| v.parse().ok()).unwrap_or(50_000);
    let due = policies / 5;
    let hosts_each = 4;
    let now = Utc.with_ymd_and_hms(2026, 3, 10, 2, 0, 30).single().expect("time");
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    rt.block_on(async move {
        let clock = Arc::new(ManualClock::new(now));
        let r = Runtime::embedded_with_clock(clock.clone());
        let store = r.app.store.clone();
        store
            .insert_customer(&Customer {
                id: "c1".into(),
                name: "Customer".into(),
                active: true,
                created_at: now,
                job_count: 0,
                psa: None,
                version: 0,
            })
            .await
            .expect("customer");
        let t0 = Instant::now();
        let engines = 100;
        for e in 0..engines {
            let eng = engine(&format!("bes{e:04}"), now);
            store.insert_backup_doc(&doc(BackupKind::Engine, &eng.id, None, None, &eng)).await.expect("engine");
            let target = serde_json::json!({
                "id": format!("st{e:04}"), "name": format!("t{e}"), "target_type": "local", "engine_id": eng.id,
                "connection": {"path": "/srv"}, "alert_threshold": 85, "critical_threshold": 95, "has_credential": false,
                "credential_type": null, "health": "healthy", "capacity": null, "created_at": now,
            });
            store
                .insert_backup_doc(&doc(BackupKind::StorageTarget, &format!("st{e:04}"), Some(&eng.id), None, &target))
                .await
                .expect("target");
        }
        for p in 0..policies {
            let e = p % engines;
            let id = format!("pol{p:05}");
            // The due ones at 02:00 UTC (the clock is 02:00:30), the others at 03:00.
            let hour = if p < due { 2 } else { 3 };
            let policy = serde_json::json!({
                "id": id, "name": format!("Policy {p}"), "engine_id": format!("bes{e:04}"), "storage_target_id": format!("st{e:04}"),
                "backup_type": "file", "full_schedule": format!("0 {hour} * * *"), "incremental_schedule": null,
                "synthetic_full_schedule": null, "time_zone": "UTC", "include_paths": ["/data"], "exclude_paths": [],
                "exclude_patterns": [], "exclusion_template": null, "retention_daily": 7, "retention_weekly": 4,
                "retention_monthly": 12, "compression": "zstd", "encryption": "aes-256-gcm", "dedup": true,
                "max_transfer_mbps": null, "io_priority": "normal", "throttle_schedule": null, "vss_enabled": true,
                "catch_up_on_reconnect": true, "verify_after_backup": true, "verify_sample_count": 50,
                "pre_patch_backup": false, "archive_on_host_deactivation": true, "enabled": true, "paused_reason": null,
                "created_at": now,
            });
            store
                .insert_backup_doc(&doc(BackupKind::Policy, &id, Some(&format!("bes{e:04}")), None, &policy))
                .await
                .expect("policy");
            let slot = Utc.with_ymd_and_hms(2026, 3, 10, hour, 0, 0).single().expect("slot");
            let clock_doc = serde_json::json!({"id": id, "next": [["full", slot]]});
            store.insert_backup_doc(&doc(BackupKind::PolicyClock, &id, None, Some(slot), &clock_doc)).await.expect("clock");
            for h in 0..hosts_each {
                let hid = format!("h{p:05}x{h}");
                let host = api::ManagedHost {
                    id: hid.clone(),
                    customer_id: "c1".into(),
                    hostname: format!("host-{p}-{h}"),
                    ip: None,
                    os: None,
                    source: "manual".into(),
                    created_at: now,
                };
                store.insert_backup_doc(&doc(BackupKind::Host, &hid, Some("c1"), None, &host)).await.expect("host");
                let a = serde_json::json!({"id": format!("{id}_{hid}"), "policy_id": id, "host_id": hid, "state": "active", "assigned_at": now});
                store
                    .insert_backup_doc(&doc(BackupKind::Assignment, &format!("{id}_{hid}"), Some(&id), None, &a))
                    .await
                    .expect("assignment");
            }
        }
        println!(
            "(setup: {policies} policies, {} hosts, {engines} engines in {:.1} s)",
            policies * hosts_each,
            t0.elapsed().as_secs_f64()
        );
        let t = Instant::now();
        let n = r.app.dispatch_due().await.expect("dispatch");
        let first = t.elapsed();
        let t = Instant::now();
        let again = r.app.dispatch_due().await.expect("dispatch again");
        let second = t.elapsed();
        assert_eq!(n as usize, due * hosts_each);
        assert_eq!(again, 0);
        println!(
            "dispatch: {due} policy slots due, {n} agent jobs in {:.2} s ({:.2} ms a job); the next tick (nothing due, nothing read but the index) {:.1} ms",
            first.as_secs_f64(),
            first.as_secs_f64() * 1e3 / f64::from(n.max(1)),
            second.as_secs_f64() * 1e3
        );

        // 2. The dashboard over many protected objects.
        let t0 = Instant::now();
        for i in 0..objects {
            let last = if i % 50 == 0 { now - CDuration::hours(48) } else { now - CDuration::hours(2) };
            let o = ProtectedObject {
                id: format!("po{i:06}"),
                customer_id: "c1".into(),
                name: format!("vm-{i:06}"),
                object_type: ObjectType::Vm,
                hostname: Some(format!("esx-{}", i % 40)),
                source: ObjectSource::Platform { platform_id: "pf1".into(), external_id: format!("x{i}") },
                job_id: None,
                rpo_hours: 24,
                last_status: if i % 20 == 0 { LastBackupStatus::Failed } else { LastBackupStatus::Success },
                last_backup_at: Some(last),
                last_success_at: Some(last),
                created_at: now - CDuration::days(30),
                breach_reported_for: None,
                last_run_id: None,
            };
            let due = o.last_success_at.map(|t| t + CDuration::hours(24));
            store
                .insert_backup_doc(&doc(BackupKind::ProtectedObject, &o.id, Some("c1"), due, &o))
                .await
                .expect("object");
        }
        println!("(setup: {objects} protected objects in {:.1} s)", t0.elapsed().as_secs_f64());
        let actor = Actor { user_id: "u".into(), username: "viewer".into(), role: Role::Viewer };
        for (name, which) in [("summary", 0), ("failed backups", 1), ("RPO breaches", 2), ("storage health", 3), ("verification failures", 4)] {
            let mut samples = Vec::new();
            for _ in 0..30 {
                let t = Instant::now();
                match which {
                    0 => drop(r.app.dashboard_summary(&actor).await.expect("summary")),
                    1 => drop(r.app.dashboard_failed(&actor).await.expect("failed")),
                    2 => drop(r.app.dashboard_rpo_breaches(&actor).await.expect("rpo")),
                    3 => drop(r.app.dashboard_storage(&actor).await.expect("storage")),
                    _ => drop(r.app.dashboard_verification_failures(&actor).await.expect("verification")),
                }
                samples.push(t.elapsed());
            }
            samples.sort();
            println!("dashboard {name} ({objects} objects): p50 {:.1} ms, p99 {:.1} ms", pct(&samples, 0.5), pct(&samples, 0.99));
        }
    });
}
