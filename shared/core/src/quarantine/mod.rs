//! The quarantine: mails set aside because their ingest kept failing
//! ([`crate::ingest::MAX_INGEST_ATTEMPTS`] attempts) or because they carry a
//! virus verdict. They are never parsed into runs by themselves; an admin
//! lists them, downloads the raw mail and releases (re-parses) one, for
//! example after an upgrade. Also: resuming a stuck ingest (the scheduler)
//! with its attempt counted, and processing a mail held for failed
//! authentication by hand.

use bc_api_types::{self as api, MailState, Permission};
use serde_json::json;

use crate::app::App;
use crate::audit::{Change, audit_entry};
use crate::auth::permissions::Actor;
use crate::error::{Error, Result};
use crate::ids::{check_cursor, check_id};
use crate::inbox::repo::MailList;
use crate::model::{Mail, Run};
use crate::present;

impl App {
    /// `GET /quarantine`: quarantined mails, newest first (admins).
    pub async fn quarantined_mails(
        &self,
        actor: &Actor,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<api::QuarantinePage> {
        actor.require(Permission::ManageQuarantine)?;
        check_cursor(cursor)?;
        let page = self.store.list_mails(MailList::Quarantined, cursor, limit.clamp(1, api::PAGE_SIZE)).await?;
        Ok(api::QuarantinePage {
            items: page.items.iter().filter_map(present::quarantined_mail).collect(),
            next_cursor: page.next_cursor,
        })
    }

    /// Releases a quarantined mail: its attempts start again and it is
    /// ingested now (parts, parse, route). A failure again is answered, and
    /// the mail is retried and quarantined again as any other.
    pub async fn release_quarantined(&self, actor: &Actor, id: &str) -> Result<api::ReleaseResponse> {
        actor.require(Permission::ManageQuarantine)?;
        check_id(id, "mail")?;
        let mut mail = self.store.get_mail(id).await?.ok_or(Error::NotFound("mail"))?;
        if mail.state != MailState::Quarantined {
            return Err(Error::Conflict(format!("this mail is not quarantined (it is {})", mail.state.as_str())));
        }
        let before = json!({
            "state": mail.state,
            "reason": mail.intake.quarantine.as_ref().map(|q| q.reason.clone()),
            "attempts": mail.intake.attempts,
        });
        mail.state = MailState::Received;
        mail.intake.quarantine = None;
        mail.intake.last_error = None;
        mail.intake.attempts = 1;
        self.store.update_mail(&mail).await?;
        mail.version += 1;
        let change = Change::fields(before, json!({"state": mail.state, "attempts": 1}));
        self.audit(audit_entry(self, actor, "mail", &mail.id, "release", change)).await?;
        Ok(match self.attempt_stored(mail).await {
            Ok((m, run)) => api::ReleaseResponse {
                mail_id: m.id,
                state: m.state,
                run_id: run.map(|r| r.id),
                error: m.intake.last_error.filter(|_| m.state == MailState::Quarantined),
            },
            Err(e) => api::ReleaseResponse {
                mail_id: id.to_string(),
                state: MailState::Received,
                run_id: None,
                error: Some(e.to_string()),
            },
        })
    }

    /// One more attempt at a recorded mail still `received` (the
    /// scheduler's resume of an interrupted or failing ingest): counted,
    /// and quarantined when it fails for the last allowed time.
    pub(crate) async fn resume_mail(&self, mut mail: Mail) -> Result<(Mail, Option<Run>)> {
        if mail.state != MailState::Received {
            return Ok((mail, None));
        }
        mail.intake.attempts += 1;
        self.store.update_mail(&mail).await?;
        mail.version += 1;
        self.attempt_stored(mail).await
    }

    /// Reads the raw mail of a recorded mail and finishes its ingest.
    async fn attempt_stored(&self, mail: Mail) -> Result<(Mail, Option<Run>)> {
        let raw = match self.blobs.get(&mail.raw_key).await {
            Ok(Some(raw)) => raw,
            Ok(None) => return self.ingest_failed(&mail.id, Error::NotFound("raw mail")).await,
            Err(e) => return self.ingest_failed(&mail.id, e.into()).await,
        };
        let decoded = crate::ingest::decode(&raw);
        self.finish_ingest(mail, &decoded).await
    }

    /// `POST /inbox/{id}/process`: an operator processes a mail that was
    /// held for failed authentication into a run of its approved job.
    pub async fn process_held(&self, actor: &Actor, id: &str) -> Result<api::ReleaseResponse> {
        actor.require(Permission::Approve)?;
        check_id(id, "mail")?;
        let mut mail = self.store.get_mail(id).await?.ok_or(Error::NotFound("mail"))?;
        if mail.state != MailState::Inbox || mail.intake.held.is_none() {
            return Err(Error::Conflict("this mail is not held in the Inbox".into()));
        }
        let identity = mail.identity.clone().ok_or(Error::Invalid("this mail names no job".into()))?;
        let job = self
            .store
            .get_job(&crate::ids::job_id(&identity))
            .await?
            .ok_or(Error::Conflict("the job of this mail is not approved; approve it instead".into()))?;
        let report = self
            .load_report(mail.report_key.as_deref())
            .await?
            .ok_or(Error::Backend("the parsed report of this mail is missing; re-parse it".into()))?;
        let reason = mail.intake.held.take();
        let run = self.new_run(&mail, &job, &report).await?;
        let (mail, run) = self.record_run(mail, run, Some(job)).await?;
        let run_id = run.map(|r| r.id);
        let change = Change::fields(
            json!({"state": MailState::Inbox, "held": reason}),
            json!({"state": mail.state, "run_id": run_id}),
        );
        self.audit(audit_entry(self, actor, "mail", &mail.id, "process", change)).await?;
        Ok(api::ReleaseResponse { mail_id: mail.id, state: mail.state, run_id, error: None })
    }
}
