//! Alert delivery. An event (a run with an alerting status, a batch slot,
//! the digest, a test) becomes one queued task per channel. The worker
//! builds the message, **claims** `alert:{channel}:{event}` and only then
//! sends: a redelivered task finds the claim and sends nothing, so each
//! event reaches each channel once. A send that fails gives the claim back
//! and fails the task: the queue retries it with backoff, then
//! dead-letters it (the Operations page lists and retries dead letters).

use std::collections::{BTreeSet, HashMap};

use bc_api_types::{ChannelKind, Status};
use chrono::{DateTime, Duration};

pub use super::event::AlertEvent;
use super::message::{self, AlertItem, AlertMessage, MAX_ITEMS};
use super::{AlertsDoc, StoredChannel, url};
use crate::app::App;
use crate::error::{Error, Result};
use crate::model::Run;
use crate::ports::{OutboundMail, PortError};
use crate::tasks::task::Task;

/// How long a delivery's claim is kept: longer than any redelivery.
const CLAIM_DAYS: i64 = 7;
/// Unreviewed runs a batch looks through at most.
const BATCH_SCAN: usize = 5000;

/// Alerting statuses.
pub fn alerts_on(status: Status) -> bool {
    matches!(status, Status::Failed | Status::Missed | Status::Warning)
}

impl App {
    pub(crate) async fn enqueue_alert(&self, channel_id: &str, event: AlertEvent) -> Result<()> {
        self.enqueue(&Task::Alert { channel_id: channel_id.to_string(), event }).await
    }

    /// After a run was recorded (from a mail, a ping or the scheduler): the
    /// at-once alerts it raises. Never fails the caller: an alert that
    /// cannot be queued is logged.
    pub(crate) async fn alert_for_run(&self, run: &Run) {
        if let Err(e) = self.try_alert_for_run(run).await {
            tracing::warn!(run = %run.id, error = %e, "queueing the run's alerts failed");
        }
    }

    async fn try_alert_for_run(&self, run: &Run) -> Result<()> {
        if !alerts_on(run.status) || run.while_archived || run.review.is_some() {
            return Ok(());
        }
        let doc = self.alerts_cached().await?;
        if doc.muted(&run.job_id, &run.customer_id) {
            return Ok(());
        }
        let channels: BTreeSet<&String> = doc
            .rules
            .iter()
            .filter(|r| r.enabled && r.batch_minutes == 0 && r.statuses.contains(&run.status))
            .filter(|r| r.customer_ids.is_empty() || r.customer_ids.contains(&run.customer_id))
            .flat_map(|r| r.channel_ids.iter())
            .collect();
        for c in channels {
            self.enqueue_alert(c, AlertEvent::Run { run_id: run.id.clone() }).await?;
        }
        Ok(())
    }

    /// A control-plane alert, once recorded: to the channels of the at-once
    /// rules for every customer that name its weight (critical as Failed,
    /// warning as Warning; informational ones alert nobody). Never fails the
    /// caller.
    pub(crate) async fn alert_for_backup(&self, alert: &bc_api_types::BackupAlert) {
        let status = match alert.severity {
            bc_api_types::AlertSeverity::Critical => Status::Failed,
            bc_api_types::AlertSeverity::Warning => Status::Warning,
            _ => return,
        };
        let queued = async {
            let doc = self.alerts_cached().await?;
            let channels: BTreeSet<&String> = doc
                .rules
                .iter()
                .filter(|r| {
                    r.enabled && r.batch_minutes == 0 && r.statuses.contains(&status) && r.customer_ids.is_empty()
                })
                .flat_map(|r| r.channel_ids.iter())
                .collect();
            for c in channels {
                self.enqueue_alert(c, AlertEvent::Backup { alert_id: alert.id.clone() }).await?;
            }
            Ok::<(), Error>(())
        };
        if let Err(e) = queued.await {
            tracing::warn!(alert = %alert.id, error = %e, "queueing the control-plane alert failed");
        }
    }

    /// The scheduler's duty for batched rules: at the end of each rule's
    /// slot, one task per channel (claimed per slot, so a doubled tick
    /// queues nothing twice). Returns how many tasks it queued.
    pub(crate) async fn alert_batches(&self) -> Result<u32> {
        let doc = self.alerts_cached().await?;
        let now = self.clock.now();
        let mut queued = 0;
        for r in doc.rules.iter().filter(|r| r.enabled && r.batch_minutes > 0) {
            let slot = i64::from(r.batch_minutes) * 60;
            let until_ts = now.timestamp().div_euclid(slot) * slot;
            let (Some(until), Some(from)) =
                (DateTime::from_timestamp(until_ts, 0), DateTime::from_timestamp(until_ts - slot, 0))
            else {
                continue;
            };
            if !self.store.claim(&format!("alert-batch:{}:{until_ts}", r.id), now, now + Duration::days(2)).await? {
                continue;
            }
            for c in &r.channel_ids {
                self.enqueue_alert(c, AlertEvent::Batch { rule_id: r.id.clone(), from, until }).await?;
                queued += 1;
            }
        }
        Ok(queued)
    }

    /// The worker: one event to one channel, once.
    pub(crate) async fn deliver_alert(&self, channel_id: &str, event: &AlertEvent) -> Result<()> {
        let doc = self.alerts_doc().await?;
        let Some(channel) = doc.channel(channel_id).cloned() else {
            tracing::info!(channel = channel_id, "the alert's channel was deleted; nothing sent");
            return Ok(());
        };
        let Some(msg) = self.alert_message(&doc, event).await? else {
            return Ok(());
        };
        let key = format!("alert:{channel_id}:{}", event.key());
        let now = self.clock.now();
        if !self.store.claim(&key, now, now + Duration::days(CLAIM_DAYS)).await? {
            tracing::info!(claim = %key, "alert already delivered; redelivery ignored");
            return Ok(());
        }
        match self.send_to_channel(&channel, &msg, &key).await {
            Ok(()) => {
                tracing::info!(claim = %key, "alert delivered");
                Ok(())
            }
            Err(e) => {
                self.store.release_claim(&key).await?;
                Err(e)
            }
        }
    }

    /// Sends a message to a channel now (the worker, after its claim).
    async fn send_to_channel(&self, channel: &StoredChannel, msg: &AlertMessage, key: &str) -> Result<()> {
        if channel.kind == ChannelKind::Email {
            let mail = OutboundMail {
                to: channel.recipients.clone(),
                subject: msg.title.clone(),
                text: msg.text(),
                html: None,
            };
            self.mailer.send(&mail).await?;
            return Ok(());
        }
        let Some(target) = channel.url.as_deref() else {
            return Err(Error::Invalid(format!("channel {:?} has no URL", channel.name)));
        };
        let allow = self.config.allow_loopback_webhooks;
        url::check_url(target, allow).map_err(|e| Error::Invalid(format!("webhook URL refused: {e}")))?;
        let now = self.clock.now();
        let delivery_id = crate::ids::sha256_hex(key.as_bytes())[..32].to_string();
        let mut headers = vec![
            (message::EVENT_HEADER.to_string(), msg.kind.clone()),
            (message::DELIVERY_HEADER.to_string(), delivery_id.clone()),
        ];
        let body = match channel.kind {
            ChannelKind::Webhook => {
                let body = msg.generic_json(&delivery_id, now);
                if let Some(secret) = &channel.signing_secret {
                    headers.push((
                        message::SIGNATURE_HEADER.to_string(),
                        message::signature(secret, now.timestamp(), &body),
                    ));
                }
                body
            }
            ChannelKind::Slack => msg.slack_json(),
            ChannelKind::Teams => msg.teams_json(),
            ChannelKind::Email => unreachable!("handled above"),
        };
        match self.webhooks.post_json(target, &headers, &body, allow).await {
            Ok(status) if (200..300).contains(&status) => Ok(()),
            Ok(status) => Err(Error::Backend(format!("the {} receiver answered HTTP {status}", channel.kind.label()))),
            Err(PortError::Invalid(e)) => Err(Error::Invalid(format!("webhook URL refused: {e}"))),
            Err(e) => Err(e.into()),
        }
    }

    async fn alert_item(&self, run: &Run, names: &HashMap<String, String>) -> Result<AlertItem> {
        let job = self.store.get_job(&run.job_id).await?;
        Ok(AlertItem {
            run_id: run.id.clone(),
            job_id: run.job_id.clone(),
            job_name: job.map(|j| j.job_name).unwrap_or_else(|| run.job_id.clone()),
            customer_id: run.customer_id.clone(),
            customer_name: names.get(&run.customer_id).cloned().unwrap_or_default(),
            status: run.status,
            original_status: run.overridden.as_ref().map(|o| o.original_status),
            at: run.sort_at(),
            message: run.message.clone(),
            url: self.run_url(&run.id),
        })
    }

    pub(crate) fn run_url(&self, run_id: &str) -> String {
        format!("{}/runs/{run_id}", self.config.public_url.trim_end_matches('/'))
    }

    /// The message of an event; `None` when there is nothing to say (an
    /// empty batch, a run that is gone).
    async fn alert_message(&self, doc: &AlertsDoc, event: &AlertEvent) -> Result<Option<AlertMessage>> {
        match event {
            AlertEvent::Run { run_id } => {
                let Some(run) = self.store.get_run(run_id).await? else { return Ok(None) };
                let names = self.customer_names().await?;
                let item = self.alert_item(&run, &names).await?;
                Ok(Some(AlertMessage {
                    kind: "run.alert".into(),
                    title: format!("{}: {} - {}", item.status, item.customer_name, item.job_name),
                    lines: Vec::new(),
                    items: vec![item],
                    more: 0,
                    digest: None,
                }))
            }
            AlertEvent::Batch { rule_id, from, until } => {
                let Some(rule) = doc.rules.iter().find(|r| r.id == *rule_id) else { return Ok(None) };
                let mut runs = Vec::new();
                let mut cursor: Option<String> = None;
                let mut scanned = 0;
                loop {
                    let page = self.store.list_unreviewed_runs(None, cursor.as_deref(), 500).await?;
                    scanned += page.items.len();
                    runs.extend(page.items.into_iter().filter(|r| {
                        r.received_at >= *from
                            && r.received_at < *until
                            && rule.statuses.contains(&r.status)
                            && !r.while_archived
                            && (rule.customer_ids.is_empty() || rule.customer_ids.contains(&r.customer_id))
                            && !doc.muted(&r.job_id, &r.customer_id)
                    }));
                    cursor = page.next_cursor;
                    if cursor.is_none() || scanned >= BATCH_SCAN {
                        break;
                    }
                }
                if runs.is_empty() {
                    return Ok(None);
                }
                runs.sort_by(|a, b| b.status.severity().cmp(&a.status.severity()).then(a.sort_at().cmp(&b.sort_at())));
                let names = self.customer_names().await?;
                let total = runs.len();
                let mut items = Vec::new();
                for r in runs.iter().take(MAX_ITEMS) {
                    items.push(self.alert_item(r, &names).await?);
                }
                Ok(Some(AlertMessage {
                    kind: "run.batch".into(),
                    title: format!(
                        "{total} backup run{} to look at ({}, {} - {} UTC)",
                        if total == 1 { "" } else { "s" },
                        rule.name,
                        from.format("%H:%M"),
                        until.format("%H:%M")
                    ),
                    lines: Vec::new(),
                    items,
                    more: total.saturating_sub(MAX_ITEMS),
                    digest: None,
                }))
            }
            AlertEvent::Digest { day } => Ok(Some(self.digest_message(*day).await?)),
            AlertEvent::Backup { alert_id } => {
                let Some(a) = self.bk_get::<bc_api_types::BackupAlert>(alert_id).await? else { return Ok(None) };
                let a = a.value;
                let weight = match a.severity {
                    bc_api_types::AlertSeverity::Critical => "Critical",
                    bc_api_types::AlertSeverity::Warning => "Warning",
                    _ => "Info",
                };
                Ok(Some(AlertMessage {
                    kind: "backup.alert".into(),
                    title: format!("{weight}: {}", a.message),
                    lines: vec![
                        format!(
                            "{} {} ({}) at {}",
                            a.subject_type,
                            a.subject_id,
                            a.kind,
                            a.at.format("%Y-%m-%d %H:%M UTC")
                        ),
                        format!("{}/backup/engines", self.config.public_url.trim_end_matches('/')),
                    ],
                    items: Vec::new(),
                    more: 0,
                    digest: None,
                }))
            }
            AlertEvent::Test { by, .. } => Ok(Some(AlertMessage {
                kind: "test".into(),
                title: "Backupchecks test alert".into(),
                lines: vec![format!("Sent by {by} from Settings > Alerts. If you read this, the channel works.")],
                items: Vec::new(),
                more: 0,
                digest: None,
            })),
        }
    }
}
