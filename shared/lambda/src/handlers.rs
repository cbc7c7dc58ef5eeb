//! The event handlers of the functions, free of the Lambda runtime so tests
//! drive them with real payloads.
//!
//! SES stores each raw mail in S3; the bucket's `ObjectCreated` events go
//! through an SQS queue (buffering, retries with backoff, a DLQ with an
//! alarm) to `mail-ingest`. Every SQS handler reports partial batch failures,
//! so one bad message does not redeliver the batch.

use aws_lambda_events::event::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent};
use bc_core::App;
use bc_core::scheduler::TickReport;

/// S3 event keys arrive URL-encoded, with `+` for spaces.
pub fn decode_s3_key(key: &str) -> Result<String, String> {
    let plus = key.replace('+', " ");
    urlencoding::decode(&plus).map(|k| k.into_owned()).map_err(|e| format!("undecodable S3 key {key:?}: {e}"))
}

/// The keys of created objects in an S3 event notification body. S3's
/// `s3:TestEvent` (sent when the notification is configured) has none. Only
/// `Records[].eventName` and `Records[].s3.object.key` are read, so a
/// notification missing fields this handler does not need still works.
pub fn created_keys(body: &str) -> Result<Vec<String>, String> {
    let v: serde_json::Value = serde_json::from_str(body).map_err(|e| format!("not JSON: {e}"))?;
    if v.get("Event").and_then(|e| e.as_str()) == Some("s3:TestEvent") {
        return Ok(Vec::new());
    }
    let records = v.get("Records").and_then(|r| r.as_array()).ok_or("not an S3 event: no Records")?;
    records
        .iter()
        .filter(|r| r.get("eventName").and_then(|n| n.as_str()).is_some_and(|n| n.starts_with("ObjectCreated:")))
        .map(|r| {
            r.pointer("/s3/object/key")
                .and_then(|k| k.as_str())
                .ok_or_else(|| "an ObjectCreated record without s3.object.key".to_string())
                .and_then(decode_s3_key)
        })
        // SES writes this object once when the receipt rule's S3 action is
        // set up; it is not a mail.
        .filter(|k| !matches!(k, Ok(k) if k.rsplit('/').next() == Some(SES_SETUP_NOTIFICATION)))
        .collect()
}

/// The object SES stores to test a receipt rule's S3 action.
pub const SES_SETUP_NOTIFICATION: &str = "AMAZON_SES_SETUP_NOTIFICATION";

fn failures(ids: Vec<String>) -> SqsBatchResponse {
    let mut resp = SqsBatchResponse::default();
    resp.batch_item_failures = ids
        .into_iter()
        .map(|id| {
            let mut f = BatchItemFailure::default();
            f.item_identifier = id;
            f
        })
        .collect();
    resp
}

/// `mail-ingest`: SQS messages carrying S3 `ObjectCreated` notifications.
pub async fn mail_ingest(app: &App, event: SqsEvent) -> SqsBatchResponse {
    let mut failed = Vec::new();
    let mut metrics = crate::metrics::IngestMetrics::default();
    for msg in event.records {
        let id = msg.message_id.clone().unwrap_or_default();
        let keys = match created_keys(msg.body.as_deref().unwrap_or("")) {
            Ok(k) => k,
            Err(e) => {
                // Not retryable, but never dropped: it goes to the DLQ.
                tracing::error!(message = %id, error = %e, "unreadable ingest message");
                failed.push(id);
                continue;
            }
        };
        for key in keys {
            match app.ingest_stored(&key).await {
                Ok(out) => {
                    metrics.record(&out);
                    tracing::info!(key = %key, mail = %out.mail.id, state = ?out.mail.state,
                        duplicate = out.duplicate, parsed = out.mail.parse.ok, "ingested")
                }
                Err(e) => {
                    metrics.failed();
                    tracing::error!(key = %key, error = %e, "ingest failed");
                    failed.push(id.clone());
                    break;
                }
            }
        }
    }
    metrics.emit(); // embedded metrics: MailsReceived (the no-mail alarm), parse failures, runs by status
    failures(failed)
}

/// `worker`: queued tasks (re-parse batches, outgoing mail, PSA calls).
pub async fn worker(app: &App, event: SqsEvent) -> SqsBatchResponse {
    let mut failed = Vec::new();
    for msg in event.records {
        let id = msg.message_id.clone().unwrap_or_default();
        if let Err(e) = app.run_task(msg.body.as_deref().unwrap_or("")).await {
            tracing::error!(message = %id, error = %e, "task failed");
            failed.push(id);
        }
    }
    failures(failed)
}

/// `scheduler`: the one-minute tick.
pub async fn scheduler(app: &App) -> Result<TickReport, bc_core::Error> {
    let r = app.tick().await?;
    tracing::info!(sessions_purged = r.sessions_purged, mails_resumed = r.mails_resumed, "tick");
    Ok(r)
}

/// What the `scheduler` function is invoked with: EventBridge's tick, or an
/// operator's one-off admin command (`aws lambda invoke`, which IAM guards).
#[derive(Debug, PartialEq)]
pub enum SchedulerEvent {
    Tick,
    /// `{"admin_command": "bootstrap-admin"}`: create the first admin if the
    /// store has no users, and return its one-time password to the invoker.
    BootstrapAdmin,
}

impl SchedulerEvent {
    pub fn from_json(v: &serde_json::Value) -> Result<SchedulerEvent, String> {
        match v.get("admin_command").and_then(|c| c.as_str()) {
            None => Ok(SchedulerEvent::Tick),
            Some("bootstrap-admin") => Ok(SchedulerEvent::BootstrapAdmin),
            Some(other) => Err(format!("unknown admin_command {other:?} (known: bootstrap-admin)")),
        }
    }
}

/// Handles one invocation of the `scheduler` function; the JSON it returns
/// is the invocation's response.
pub async fn scheduler_invocation(app: &App, event: &serde_json::Value) -> Result<serde_json::Value, String> {
    match SchedulerEvent::from_json(event)? {
        SchedulerEvent::Tick => {
            let r = scheduler(app).await.map_err(|e| e.to_string())?;
            Ok(serde_json::json!({
                "sessions_purged": r.sessions_purged, "mails_resumed": r.mails_resumed,
                "missed_runs": r.missed_runs, "engines_offline": r.engines_offline,
                "backups_dispatched": r.backups_dispatched, "agent_jobs_timed_out": r.agent_jobs_timed_out,
                "rpo_breaches": r.rpo_breaches,
            }))
        }
        SchedulerEvent::BootstrapAdmin => match app.bootstrap_admin().await.map_err(|e| e.to_string())? {
            Some((username, password)) => {
                // Never log the password; it goes only to the invoker.
                tracing::warn!(%username, "first admin created by bootstrap-admin");
                Ok(serde_json::json!({"created": true, "username": username, "password": password}))
            }
            None => Ok(serde_json::json!({"created": false, "reason": "users exist already"})),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_url_decoded() {
        assert_eq!(decode_s3_key("inbound/a+b%2Bc%3D.eml").unwrap(), "inbound/a b+c=.eml");
        assert_eq!(decode_s3_key("inbound/plain").unwrap(), "inbound/plain");
    }

    #[test]
    fn test_events_have_no_keys() {
        let body = r#"{"Service":"Amazon S3","Event":"s3:TestEvent","Time":"2026-11-22T00:00:00Z","Bucket":"b","RequestId":"r","HostId":"h"}"#;
        assert_eq!(created_keys(body).unwrap(), Vec::<String>::new());
        assert!(created_keys("nope").is_err());
        assert!(created_keys("{}").is_err());
        let minimal = r#"{"Records":[{"eventName":"ObjectCreated:Put","s3":{"object":{"key":"inbound/a+b"}}},
                                     {"eventName":"ObjectRemoved:Delete","s3":{"object":{"key":"inbound/gone"}}}]}"#;
        assert_eq!(created_keys(minimal).unwrap(), vec!["inbound/a b".to_string()]);
    }
}
