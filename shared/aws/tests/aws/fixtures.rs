//! Entities with sensible defaults, and a fresh store per test.

use std::sync::Arc;

use bc_api_types::{MailState, Role, Sizes, Status};
use bc_aws::{AwsAdapters, DynamoStore};
use bc_core::model::{Customer, Job, LastRun, Mail, ParseSummary, Run, Session, User};
use chrono::{DateTime, Duration, TimeZone, Utc};

pub async fn adapters(label: &str) -> AwsAdapters {
    match bc_aws::testing::adapters(label).await {
        Ok(a) => a,
        Err(e) => panic!("moto: {e}"),
    }
}

pub async fn store(label: &str) -> Arc<DynamoStore> {
    adapters(label).await.store
}

/// 2025-01-01T00:00:00Z plus `minutes`.
pub fn at(minutes: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).single().expect("valid") + Duration::minutes(minutes)
}

pub fn mail(id: &str, state: MailState, received_minute: i64) -> Mail {
    Mail {
        sender_name: Some("Backup Server".into()),
        recipients: vec!["reports@msp.example".into()],
        subject: format!("Backup report {id}"),
        message_id: Some(format!("<{id}@example.com>")),
        size: 1234,
        text_key: Some(format!("text/{id}")),
        state,
        parse: ParseSummary { ok: true, status: Some(Status::Success), object_count: 2, ..Default::default() },
        ..Mail::received(id, format!("sha256:{id}"), format!("raw/{id}.eml"), "backup@example.com", at(received_minute))
    }
}

pub fn customer(id: &str, name: &str) -> Customer {
    Customer { id: id.into(), name: name.into(), active: true, created_at: at(0), job_count: 0, psa: None, version: 0 }
}

pub fn job(id: &str, customer_id: &str, name: &str) -> Job {
    Job {
        id: id.into(),
        identity: format!("backup@example.com|veeam|{}", name.to_lowercase()),
        customer_id: customer_id.into(),
        sender: "backup@example.com".into(),
        software: "Veeam".into(),
        job_type: "Backup".into(),
        job_name: name.into(),
        parser: "veeam".into(),
        approved_at: at(0),
        approved_by: "admin".into(),
        last_run: None,
        run_count: 0,
        lifecycle: Default::default(),
        schedule: Default::default(),
        ping: None,
        source: Default::default(),
        version: 0,
    }
}

pub fn with_last(mut job: Job, status: Status) -> Job {
    job.last_run = Some(LastRun { run_id: format!("r-{}", job.id), at: at(1), status });
    job
}

pub fn run(id: &str, job_id: &str, minute: i64) -> Run {
    Run {
        mail_id: format!("m-{id}"),
        started_at: Some(at(minute)),
        ended_at: Some(at(minute + 5)),
        duration_secs: Some(300),
        sizes: Sizes { total_bytes: Some(10), ..Default::default() },
        object_count: 1,
        message: Some("1 warning".into()),
        ..Run::new(id, job_id, "c1", Status::Warning, at(minute + 6))
    }
}

pub fn user(id: &str, username: &str) -> User {
    User {
        id: id.into(),
        username: username.into(),
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
        role: Role::Operator,
        active: true,
        created_at: at(0),
        sessions_valid_after: None,
        two_factor: None,
        version: 0,
    }
}

pub fn session(hash: &str, user_id: &str, expires_minute: i64) -> Session {
    Session { token_hash: hash.into(), user_id: user_id.into(), created_at: at(0), expires_at: at(expires_minute) }
}

pub fn ids<T>(items: &[T], id: impl Fn(&T) -> &str) -> Vec<String> {
    items.iter().map(|i| id(i).to_string()).collect()
}
