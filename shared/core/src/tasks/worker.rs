//! The worker: runs one queued message; an error means "retry later" (the
//! queue redelivers with backoff, then dead-letters).

use chrono::Duration;

use crate::app::App;
use crate::error::{Error, Result};
use crate::tasks::task::{Task, backoff_from};

/// How long the claim of a sent mail is kept: longer than any redelivery.
const SENT_CLAIM_DAYS: i64 = 7;

impl App {
    /// Runs one queued message. An error means "retry later".
    pub async fn run_task(&self, body: &str) -> Result<()> {
        let task: Task = serde_json::from_str(body).map_err(|e| Error::Invalid(format!("unreadable task: {e}")))?;
        match task {
            Task::IngestStored { raw_key } => {
                self.ingest_stored(&raw_key).await?;
            }
            Task::ReparseInbox { cursor } => self.reparse_inbox_batch(cursor.as_deref()).await?,
            Task::SendMail { idempotency_key, mail } => {
                // Claim first: of two deliveries, only the one holding the
                // claim sends. A send that surely failed gives it back.
                let key = format!("sent:{idempotency_key}");
                let now = self.clock.now();
                if self.store.claim(&key, now, now + Duration::days(SENT_CLAIM_DAYS)).await? {
                    match self.mailer.send(&mail).await {
                        Ok(id) => tracing::info!(message_id = %id, to = ?mail.to, "mail sent"),
                        Err(e) => {
                            self.store.release_claim(&key).await?;
                            return Err(e.into());
                        }
                    }
                }
            }
            Task::ContinueOperation { operation_id, step } => self.continue_operation(&operation_id, step).await?,
            Task::ReapplyOverrides { cursor } => self.reapply_overrides_batch(cursor.as_deref()).await?,
            Task::PsaTicket { ticket_id, action } => self.run_psa_ticket_task(&ticket_id, action).await?,
            Task::PsaCompanySync { hour } => {
                let changed = self.sync_autotask_companies().await?;
                tracing::info!(hour = %hour, changed, "Autotask company names synced");
            }
            Task::Alert { channel_id, event } => self.deliver_alert(&channel_id, &event).await?,
            Task::Digest { day } => self.send_digest(day).await?,
            Task::PlatformSync { platform_id } => self.run_platform_sync(&platform_id).await?,
            Task::ReindexReviewedRuns { cursor, examined, rewritten } => {
                self.reindex_reviewed_batch(cursor.as_deref(), examined, rewritten).await?
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
            // Each task runs on its own: a panic in one ends that task with
            // an error (retried, then dead-lettered), not the worker.
            let app = self.clone();
            let body = d.body.clone();
            let outcome = match tokio::spawn(async move { app.run_task(&body).await }).await {
                Ok(r) => r,
                Err(e) => Err(Error::Backend(format!("the task panicked: {e}"))),
            };
            match outcome {
                Ok(()) => self.queue.ack(&d).await?,
                Err(e) => {
                    tracing::warn!(message = %d.id, attempts = d.attempts, error = %e, "task failed; will retry");
                    self.queue.release(&d, backoff_from(self.config.retry_base_secs, d.attempts)).await?;
                }
            }
        }
        Ok(n)
    }
}
