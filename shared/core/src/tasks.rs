//! Queued work and the worker that runs it. On AWS the messages travel
//! through SQS (the `worker` function); locally through the embedded durable
//! queue (a loop in `backupchecks serve`). Handlers are idempotent: a message
//! may arrive more than once.

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
    /// Send one mail; `idempotency_key` keeps a redelivery from sending twice.
    SendMail { idempotency_key: String, mail: OutboundMail },
}

/// Backoff before the n-th retry of a failed message, in seconds.
pub fn backoff_secs(attempts: u32) -> u32 {
    let exp = attempts.saturating_sub(1).min(10);
    (5u32 << exp).min(900)
}

impl App {
    pub async fn enqueue(&self, task: &Task) -> Result<()> {
        let body = serde_json::to_string(task).map_err(|e| Error::Backend(format!("task serialisation: {e}")))?;
        self.queue.send(&body).await?;
        Ok(())
    }

    /// Runs one queued message. An error means "retry later".
    pub async fn run_task(&self, body: &str) -> Result<()> {
        let task: Task = serde_json::from_str(body).map_err(|e| Error::Invalid(format!("unreadable task: {e}")))?;
        match task {
            Task::IngestStored { raw_key } => {
                self.ingest_stored(&raw_key).await?;
            }
            Task::ReparseInbox { cursor } => self.reparse_inbox_batch(cursor.as_deref()).await?,
            Task::SendMail { idempotency_key, mail } => {
                let key = format!("sent:{idempotency_key}");
                if self.store.get_counter(&key).await? == 0 {
                    let id = self.mailer.send(&mail).await?;
                    tracing::info!(message_id = %id, to = ?mail.to, "mail sent");
                    let keep = self.clock.now() + chrono::Duration::days(7);
                    self.store.bump_counter(&key, keep).await?;
                }
            }
        }
        Ok(())
    }

    /// Takes up to `max` messages from the queue and runs them; failures are
    /// released with backoff (and dead-lettered by the queue after its
    /// maximum receives). Returns how many messages were handled.
    pub async fn drain_queue_once(&self, max: usize) -> Result<usize> {
        let deliveries = self.queue.receive(max).await?;
        let n = deliveries.len();
        for d in deliveries {
            match self.run_task(&d.body).await {
                Ok(()) => self.queue.ack(&d).await?,
                Err(e) => {
                    tracing::warn!(message = %d.id, attempts = d.attempts, error = %e, "task failed; will retry");
                    self.queue.release(&d, backoff_secs(d.attempts)).await?;
                }
            }
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tasks_have_a_stable_wire_form() {
        let t = Task::IngestStored { raw_key: "inbound/x".into() };
        assert_eq!(serde_json::to_string(&t).unwrap(), r#"{"type":"ingest_stored","raw_key":"inbound/x"}"#);
    }

    #[test]
    fn backoff_grows_and_caps() {
        assert_eq!(backoff_secs(1), 5);
        assert_eq!(backoff_secs(2), 10);
        assert_eq!(backoff_secs(50), 900);
    }
}
