//! [`Queue`] on SQS: the task queue, whose RedrivePolicy moves a message to
//! the dead-letter queue after its maximum number of receives.

use async_trait::async_trait;
use aws_sdk_sqs::Client;
use aws_sdk_sqs::types::{MessageSystemAttributeName, QueueAttributeName};
use bc_core::ports::{Delivery, PortError, PortResult, Queue};

use crate::error::backend;

/// SQS takes at most 10 messages per receive.
const MAX_BATCH: usize = 10;
/// A short long-poll: an empty answer is then really empty (short polling
/// samples only some servers), and a drain loop ends quickly.
const RECEIVE_WAIT_SECS: i32 = 1;
/// SQS's upper bound for a visibility timeout (12 hours).
const MAX_VISIBILITY_SECS: u32 = 43_200;

#[derive(Clone, Debug)]
pub struct SqsQueue {
    client: Client,
    url: String,
    dlq_url: String,
}

impl SqsQueue {
    pub fn new(client: Client, queue_url: &str, dlq_url: &str) -> Self {
        SqsQueue { client, url: queue_url.to_string(), dlq_url: dlq_url.to_string() }
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn dlq_url(&self) -> &str {
        &self.dlq_url
    }
}

fn delivery(m: &aws_sdk_sqs::types::Message) -> PortResult<Delivery> {
    let missing = |what: &str| PortError::Backend(format!("SQS ReceiveMessage: a message without {what}"));
    let attempts = m
        .attributes()
        .and_then(|a| a.get(&MessageSystemAttributeName::ApproximateReceiveCount))
        .and_then(|n| n.parse::<u32>().ok())
        .unwrap_or(1);
    Ok(Delivery {
        id: m.message_id().ok_or_else(|| missing("an id"))?.to_string(),
        receipt: m.receipt_handle().ok_or_else(|| missing("a receipt handle"))?.to_string(),
        body: m.body().unwrap_or_default().to_string(),
        attempts,
    })
}

#[async_trait]
impl Queue for SqsQueue {
    async fn send(&self, body: &str) -> PortResult<()> {
        self.client
            .send_message()
            .queue_url(&self.url)
            .message_body(body)
            .send()
            .await
            .map_err(|e| backend("SQS", "SendMessage", e))?;
        Ok(())
    }

    async fn receive(&self, max: usize) -> PortResult<Vec<Delivery>> {
        if max == 0 {
            return Ok(Vec::new());
        }
        let out = self
            .client
            .receive_message()
            .queue_url(&self.url)
            .max_number_of_messages(max.min(MAX_BATCH) as i32)
            .wait_time_seconds(RECEIVE_WAIT_SECS)
            .message_system_attribute_names(MessageSystemAttributeName::ApproximateReceiveCount)
            .send()
            .await
            .map_err(|e| backend("SQS", "ReceiveMessage", e))?;
        out.messages().iter().map(delivery).collect()
    }

    async fn ack(&self, delivery: &Delivery) -> PortResult<()> {
        self.client
            .delete_message()
            .queue_url(&self.url)
            .receipt_handle(&delivery.receipt)
            .send()
            .await
            .map_err(|e| backend("SQS", "DeleteMessage", e))?;
        Ok(())
    }

    async fn release(&self, delivery: &Delivery, delay_secs: u32) -> PortResult<()> {
        self.client
            .change_message_visibility()
            .queue_url(&self.url)
            .receipt_handle(&delivery.receipt)
            .visibility_timeout(delay_secs.min(MAX_VISIBILITY_SECS) as i32)
            .send()
            .await
            .map_err(|e| backend("SQS", "ChangeMessageVisibility", e))?;
        Ok(())
    }

    async fn dead_letter_count(&self) -> PortResult<u64> {
        let out = self
            .client
            .get_queue_attributes()
            .queue_url(&self.dlq_url)
            .attribute_names(QueueAttributeName::ApproximateNumberOfMessages)
            .send()
            .await
            .map_err(|e| backend("SQS", "GetQueueAttributes (dead-letter queue)", e))?;
        let raw = out
            .attributes()
            .and_then(|a| a.get(&QueueAttributeName::ApproximateNumberOfMessages))
            .ok_or_else(|| PortError::Backend("SQS GetQueueAttributes: no ApproximateNumberOfMessages".into()))?;
        raw.parse::<u64>()
            .map_err(|_| PortError::Backend(format!("SQS GetQueueAttributes: ApproximateNumberOfMessages {raw:?}")))
    }

    /// Peeks with a zero visibility timeout, so listing leaves the dead
    /// letters where they are (SQS samples: a listing may miss some).
    async fn dead_letters(&self, max: usize) -> PortResult<Vec<Delivery>> {
        let mut out: Vec<Delivery> = Vec::new();
        for _ in 0..(max / MAX_BATCH + 2) {
            let got = self
                .client
                .receive_message()
                .queue_url(&self.dlq_url)
                .max_number_of_messages(MAX_BATCH as i32)
                .visibility_timeout(0)
                .message_system_attribute_names(MessageSystemAttributeName::ApproximateReceiveCount)
                .send()
                .await
                .map_err(|e| backend("SQS", "ReceiveMessage (dead-letter queue)", e))?;
            let mut fresh = 0;
            for m in got.messages() {
                let d = delivery(m)?;
                if !out.iter().any(|o| o.id == d.id) {
                    out.push(d);
                    fresh += 1;
                }
            }
            if fresh == 0 || out.len() >= max {
                break;
            }
        }
        out.truncate(max);
        Ok(out)
    }

    async fn redrive(&self, id: &str) -> PortResult<bool> {
        // Receive (hidden for a moment) until the message shows up; give the
        // others back at once.
        for _ in 0..20 {
            let got = self
                .client
                .receive_message()
                .queue_url(&self.dlq_url)
                .max_number_of_messages(MAX_BATCH as i32)
                .visibility_timeout(30)
                .send()
                .await
                .map_err(|e| backend("SQS", "ReceiveMessage (dead-letter queue)", e))?;
            if got.messages().is_empty() {
                return Ok(false);
            }
            let mut found = false;
            for m in got.messages() {
                let d = delivery(m)?;
                if d.id == id && !found {
                    found = true;
                    self.send(&d.body).await?;
                    self.client
                        .delete_message()
                        .queue_url(&self.dlq_url)
                        .receipt_handle(&d.receipt)
                        .send()
                        .await
                        .map_err(|e| backend("SQS", "DeleteMessage (dead-letter queue)", e))?;
                } else {
                    self.client
                        .change_message_visibility()
                        .queue_url(&self.dlq_url)
                        .receipt_handle(&d.receipt)
                        .visibility_timeout(0)
                        .send()
                        .await
                        .map_err(|e| backend("SQS", "ChangeMessageVisibility (dead-letter queue)", e))?;
                }
            }
            if found {
                return Ok(true);
            }
        }
        Ok(false)
    }
}
