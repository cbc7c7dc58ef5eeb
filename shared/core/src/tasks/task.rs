//! The task messages and how they are queued.

use serde::{Deserialize, Serialize};

use crate::app::App;
use crate::error::{Error, Result};
use crate::ports::OutboundMail;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Task {
    /// Ingest a raw mail already in the blob store.
    IngestStored { raw_key: String },
    /// Re-parse one page of the Inbox, then queue the next page.
    ReparseInbox { cursor: Option<String> },
    /// Send one mail; the claim on `idempotency_key` keeps a redelivery
    /// from sending twice.
    SendMail { idempotency_key: String, mail: OutboundMail },
    /// Run the next batch of a bulk operation (see `tasks::operations`).
    ContinueOperation { operation_id: String, step: u32 },
    /// Re-evaluate one page of unreviewed runs against the overrides, then
    /// queue the next page.
    ReapplyOverrides { cursor: Option<String> },
    /// Create or resolve a run's Autotask ticket (`psa`).
    PsaTicket { ticket_id: String, action: PsaAction },
    /// Re-index one batch of runs reviewed before the Reviewed view's index
    /// existed (see `review::reindex`), then queue the next; the totals so
    /// far travel along for the final audit entry.
    /// The hourly Autotask company name sync (`psa`); `hour` names the slot.
    PsaCompanySync { hour: String },
    /// Deliver one alert event to one channel (`alerts::deliver`).
    Alert { channel_id: String, event: crate::alerts::event::AlertEvent },
    /// Sync one backup platform (`platforms::sync`).
    PlatformSync { platform_id: String },
    /// Send the morning digest of a backup day (`alerts::digest`).
    Digest { day: chrono::NaiveDate },
    ReindexReviewedRuns {
        cursor: Option<String>,
        #[serde(default)]
        examined: u64,
        #[serde(default)]
        rewritten: u64,
    },
}

/// What the worker does to a run's Autotask ticket (`psa`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PsaAction {
    Create,
    Resolve,
}

/// Backoff before the n-th retry of a failed message, in seconds.
pub fn backoff_secs(attempts: u32) -> u32 {
    backoff_from(5, attempts)
}

/// Backoff doubling from `base` seconds, at most 15 minutes.
pub fn backoff_from(base: u32, attempts: u32) -> u32 {
    let exp = attempts.saturating_sub(1).min(10);
    (base.max(1) << exp).min(900)
}

impl App {
    pub async fn enqueue(&self, task: &Task) -> Result<()> {
        let body = serde_json::to_string(task).map_err(|e| Error::Backend(format!("task serialisation: {e}")))?;
        self.queue.send(&body).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tasks_have_a_stable_wire_form() {
        let t = Task::IngestStored { raw_key: "inbound/x".into() };
        assert_eq!(serde_json::to_string(&t).unwrap(), r#"{"type":"ingest_stored","raw_key":"inbound/x"}"#);
        let t = Task::ContinueOperation { operation_id: "o1".into(), step: 2 };
        assert_eq!(serde_json::to_string(&t).unwrap(), r#"{"type":"continue_operation","operation_id":"o1","step":2}"#);
    }

    #[test]
    fn backoff_grows_and_caps() {
        assert_eq!(backoff_secs(1), 5);
        assert_eq!(backoff_secs(2), 10);
        assert_eq!(backoff_secs(50), 900);
    }
}
