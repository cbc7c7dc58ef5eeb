//! Dead letters: tasks the queue gave up on after its retries (a webhook
//! receiver down for longer than the retry window, a mail server refusing).
//! Admins see them on the Operations page, described without secrets, and
//! put one back on the queue once the cause is fixed.

use bc_api_types::{self as api, Permission};

use crate::app::App;
use crate::audit::{Change, audit_entry};
use crate::auth::permissions::Actor;
use crate::error::{Error, Result};
use crate::tasks::task::Task;

/// Dead letters listed at most.
pub const MAX_LISTED: usize = 100;

/// One line about a task, for people: what it was for, never its secrets
/// (a mail's body, a token).
pub fn describe(body: &str) -> (String, String) {
    let Ok(task) = serde_json::from_str::<Task>(body) else {
        return ("unreadable".into(), format!("an unreadable message ({} bytes)", body.len()));
    };
    let kind = serde_json::to_value(&task)
        .ok()
        .and_then(|v| v.get("type").and_then(|t| t.as_str()).map(str::to_string))
        .unwrap_or_default();
    let summary = match &task {
        Task::IngestStored { raw_key } => format!("ingest the stored mail {raw_key}"),
        Task::ReparseInbox { .. } => "re-parse a page of the Inbox".into(),
        Task::SendMail { mail, .. } => format!("send the mail {:?} to {} recipient(s)", mail.subject, mail.to.len()),
        Task::ContinueOperation { operation_id, step } => format!("step {step} of bulk operation {operation_id}"),
        Task::ReapplyOverrides { .. } => "re-apply the overrides to a page of unreviewed runs".into(),
        Task::PsaTicket { ticket_id, action } => format!("{action:?} the Autotask ticket of {ticket_id}"),
        Task::PsaCompanySync { hour } => format!("sync the Autotask company names ({hour})"),
        Task::Alert { channel_id, event } => format!("deliver alert {} to channel {channel_id}", event.key()),
        Task::Digest { day } => format!("send the morning digest of {day}"),
        Task::PlatformSync { platform_id } => format!("sync the backup platform {platform_id}"),
        Task::ReindexReviewedRuns { .. } => "re-index a batch of reviewed runs".into(),
    };
    (kind, summary)
}

impl App {
    /// `GET /api/v1/dead-letters`.
    pub async fn dead_letters(&self, actor: &Actor) -> Result<Vec<api::DeadLetter>> {
        actor.require(Permission::ManageDeadLetters)?;
        Ok(self
            .queue
            .dead_letters(MAX_LISTED)
            .await?
            .into_iter()
            .map(|d| {
                let (kind, summary) = describe(&d.body);
                api::DeadLetter { id: d.id, kind, summary, attempts: d.attempts }
            })
            .collect())
    }

    /// `POST /api/v1/dead-letters/{id}/retry`: back on the queue, retries afresh.
    pub async fn retry_dead_letter(&self, actor: &Actor, id: &str) -> Result<()> {
        actor.require(Permission::ManageDeadLetters)?;
        if id.is_empty() || id.len() > 128 || !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
            return Err(Error::Invalid("invalid dead-letter id".into()));
        }
        if !self.queue.redrive(id).await? {
            return Err(Error::NotFound("dead letter"));
        }
        self.audit(audit_entry(self, actor, "dead_letter", id, "retry", Change::default())).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ports::OutboundMail;

    #[test]
    fn descriptions_hold_no_mail_body() {
        let t = Task::SendMail {
            idempotency_key: "k".into(),
            mail: OutboundMail {
                to: vec!["a@b.example".into()],
                subject: "Digest".into(),
                text: "SECRET".into(),
                html: None,
            },
        };
        let (kind, s) = describe(&serde_json::to_string(&t).unwrap());
        assert_eq!(kind, "send_mail");
        assert!(s.contains("Digest") && !s.contains("SECRET"), "{s}");
        assert_eq!(describe("{nope").0, "unreadable");
    }
}
