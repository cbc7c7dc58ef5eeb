//! The morning digest: at the set hour in the MSP's time zone, one mail per
//! recipient (and a message to each digest channel) about the backup day
//! that just ended: the day's expected jobs counted by outcome (as Daily
//! Jobs shows them), the failed and missed ones with links to their runs,
//! and what Run Checks still holds (how many runs, the oldest one's age).

use bc_api_types::{DailyState, Status};
use chrono::{Duration, NaiveDate, Timelike};
use serde_json::json;

use super::message::{AlertItem, AlertMessage, MAX_ITEMS};
use crate::app::App;
use crate::auth::permissions::Actor;
use crate::error::Result;
use crate::ports::OutboundMail;
use crate::tasks::task::Task;

/// How long the claim of a day's digest is kept.
const CLAIM_DAYS: i64 = 3;

fn age(d: Duration) -> String {
    let h = d.num_hours();
    if h >= 48 {
        format!("{} days", h / 24)
    } else if h >= 1 {
        format!("{h} h")
    } else {
        format!("{} min", d.num_minutes().max(0))
    }
}

impl App {
    /// The scheduler's duty: once the digest hour has come today (local
    /// time), queue today's digest, once (claimed per local date). Returns
    /// whether it queued it.
    pub(crate) async fn digest_due(&self) -> Result<bool> {
        let doc = self.alerts_cached().await?;
        let d = &doc.digest;
        if !d.enabled || (d.recipients.is_empty() && d.channel_ids.is_empty()) {
            return Ok(false);
        }
        let ctx = self.schedule_context().await?;
        let now = self.clock.now();
        let local = now.with_timezone(&ctx.tz);
        if local.hour() < u32::from(d.hour) {
            return Ok(false);
        }
        let today = local.date_naive();
        if !self.store.claim(&format!("digest:{today}"), now, now + Duration::days(CLAIM_DAYS)).await? {
            return Ok(false);
        }
        // The backup day that ended last night.
        let day = today.pred_opt().unwrap_or(today);
        self.enqueue(&Task::Digest { day }).await?;
        Ok(true)
    }

    /// The worker: the digest to every recipient (one mail each, claimed
    /// per recipient by the mail task) and every digest channel.
    pub(crate) async fn send_digest(&self, day: NaiveDate) -> Result<()> {
        let doc = self.alerts_doc().await?;
        let msg = self.digest_message(day).await?;
        for to in &doc.digest.recipients {
            let mail = OutboundMail { to: vec![to.clone()], subject: msg.title.clone(), text: msg.text(), html: None };
            self.enqueue(&Task::SendMail { idempotency_key: format!("digest:{day}:{}", to.to_lowercase()), mail })
                .await?;
        }
        for c in &doc.digest.channel_ids {
            self.enqueue_alert(c, super::deliver::AlertEvent::Digest { day }).await?;
        }
        Ok(())
    }

    /// What the digest of `day` says.
    pub(crate) async fn digest_message(&self, day: NaiveDate) -> Result<AlertMessage> {
        let daily = self.daily_jobs(&Actor::system(), Some(day), None, None).await?;
        let mut counts = [0u32; 6]; // success, warning, failed, missed, expected, maintenance
        let mut problems = Vec::new();
        for j in &daily.items {
            match (j.state, j.status) {
                (DailyState::Missed, _) | (_, Some(Status::Missed)) => counts[3] += 1,
                (DailyState::Ran, Some(Status::Failed)) => counts[2] += 1,
                (DailyState::Ran, Some(Status::Warning)) => counts[1] += 1,
                (DailyState::Ran, _) => counts[0] += 1,
                (DailyState::Expected, _) => counts[4] += 1,
                (DailyState::Maintenance, _) => counts[5] += 1,
            }
            let bad = matches!(j.status, Some(Status::Failed) | Some(Status::Missed)) || j.state == DailyState::Missed;
            if bad {
                let run = j.runs.iter().max_by_key(|r| r.status.severity());
                problems.push(AlertItem {
                    run_id: run.map(|r| r.id.clone()).unwrap_or_default(),
                    job_id: j.job_id.clone(),
                    job_name: j.job_name.clone(),
                    customer_id: j.customer_id.clone(),
                    customer_name: j.customer_name.clone(),
                    status: j.status.unwrap_or(Status::Missed),
                    original_status: None,
                    at: run.map_or(j.expected_at, |r| r.at),
                    message: None,
                    url: match run {
                        Some(r) => self.run_url(&r.id),
                        None => format!("{}/jobs/{}", self.config.public_url.trim_end_matches('/'), j.job_id),
                    },
                });
            }
        }
        problems.sort_by(|a, b| {
            b.status
                .severity()
                .cmp(&a.status.severity())
                .then(a.customer_name.cmp(&b.customer_name))
                .then(a.job_name.cmp(&b.job_name))
        });
        let unreviewed = self.store.unreviewed_by_job().await?;
        let waiting: u32 = unreviewed.iter().map(|u| u.runs()).sum();
        let oldest = unreviewed.iter().map(|u| u.oldest).min();
        let now = self.clock.now();
        let mut lines = vec![
            format!(
                "Expected jobs: {} successful, {} with warnings, {} failed, {} missed{}{}.",
                counts[0],
                counts[1],
                counts[2],
                counts[3],
                if counts[4] > 0 { format!(", {} still expected", counts[4]) } else { String::new() },
                if counts[5] > 0 { format!(", {} in maintenance", counts[5]) } else { String::new() },
            ),
            match oldest {
                Some(o) => format!("Run Checks: {waiting} runs unreviewed; the oldest is {} old.", age(now - o)),
                None => "Run Checks: nothing unreviewed.".to_string(),
            },
        ];
        if !problems.is_empty() {
            lines.push("Failed and missed:".into());
        }
        let total = problems.len();
        problems.truncate(MAX_ITEMS);
        Ok(AlertMessage {
            kind: "digest".into(),
            title: format!("Backupchecks digest for {day}: {} failed, {} missed", counts[2], counts[3]),
            lines,
            items: problems,
            more: total.saturating_sub(MAX_ITEMS),
            digest: Some(json!({
                "day": day,
                "time_zone": daily.time_zone,
                "success": counts[0],
                "warning": counts[1],
                "failed": counts[2],
                "missed": counts[3],
                "expected": counts[4],
                "maintenance": counts[5],
                "unreviewed": waiting,
                "oldest_unreviewed_at": oldest,
            })),
        })
    }
}
