//! The Inbox: mails of jobs not approved yet. List, detail, approve (which
//! creates the job and turns the mail into its first run), soft delete and
//! restore, re-parse.

pub mod repo;

use bc_api_types::{self as api, MailState, Permission};
use serde_json::json;

use crate::app::App;
use crate::audit::{Change, audit_entry};
use crate::auth::permissions::Actor;
use crate::error::{Error, Result};
use crate::ids::{self, check_cursor, check_id, check_ids};
use crate::model::{Deletion, Job, Mail};
use crate::present;
use crate::retry;
use crate::tasks::task::Task;
use repo::MailList;

/// What a request for a mail whose raw object expired is told (404).
const EXPIRED: &str = "raw mail (expired under the mail retention)";
/// Why such a mail cannot be approved (409).
const EXPIRED_APPROVE: &str = "the raw mail expired under the mail retention: it can be deleted, not approved";

impl App {
    pub async fn inbox(&self, actor: &Actor, cursor: Option<&str>, limit: usize) -> Result<api::InboxPage> {
        actor.require(Permission::ViewInbox)?;
        check_cursor(cursor)?;
        let page = self.store.list_mails(MailList::Inbox, cursor, limit.clamp(1, api::PAGE_SIZE)).await?;
        Ok(api::InboxPage {
            items: page.items.iter().map(present::inbox_item).collect(),
            next_cursor: page.next_cursor,
        })
    }

    pub async fn deleted_mails(&self, actor: &Actor, cursor: Option<&str>, limit: usize) -> Result<api::InboxPage> {
        actor.require(Permission::ViewDeletedMail)?;
        check_cursor(cursor)?;
        let page = self.store.list_mails(MailList::Deleted, cursor, limit.clamp(1, api::PAGE_SIZE)).await?;
        Ok(api::InboxPage {
            items: page.items.iter().map(present::inbox_item).collect(),
            next_cursor: page.next_cursor,
        })
    }

    /// A mail the actor may see: Inbox mails need the Inbox right, deleted
    /// ones the right to see deleted mail, processed ones the right to see jobs.
    pub(crate) async fn visible_mail(&self, actor: &Actor, id: &str) -> Result<Mail> {
        check_id(id, "mail")?;
        let mail = self.store.get_mail(id).await?.ok_or(Error::NotFound("mail"))?;
        let need = match mail.state {
            MailState::Received | MailState::Inbox => Permission::ViewInbox,
            MailState::Deleted => Permission::ViewDeletedMail,
            MailState::Processed => Permission::ViewJobs,
            MailState::Quarantined => Permission::ManageQuarantine,
        };
        actor.require(need)?;
        Ok(mail)
    }

    pub async fn mail_detail(&self, actor: &Actor, id: &str) -> Result<api::MailDetail> {
        let mail = self.visible_mail(actor, id).await?;
        let report = self.load_report(mail.report_key.as_deref()).await?;
        Ok(present::mail_detail(&mail, report))
    }

    /// The raw .eml bytes and a download file name.
    pub async fn mail_raw(&self, actor: &Actor, id: &str) -> Result<(Vec<u8>, String)> {
        let mut mail = self.visible_mail(actor, id).await?;
        let raw = self.raw_or_mark_expired(&mut mail).await?.ok_or(Error::NotFound(EXPIRED))?;
        Ok((raw, format!("{}.eml", mail.id)))
    }

    /// The HTML body (served under a sandboxing CSP) or the text body.
    pub async fn mail_body(&self, actor: &Actor, id: &str, html: bool) -> Result<Option<String>> {
        let mail = self.visible_mail(actor, id).await?;
        let key = if html { mail.html_key } else { mail.text_key };
        let Some(key) = key else { return Ok(None) };
        let bytes = self.blobs.get(&key).await?.ok_or(Error::NotFound(if mail.expired_at.is_some() {
            EXPIRED
        } else {
            "mail body"
        }))?;
        Ok(Some(String::from_utf8_lossy(&bytes).into_owned()))
    }

    /// Approves the job a mail names and assigns it to a customer. The mail
    /// becomes the job's first run, and other Inbox mails of the same job
    /// become runs with it.
    pub async fn approve(&self, actor: &Actor, mail_id: &str, customer_id: &str) -> Result<api::ApproveResponse> {
        actor.require(Permission::Approve)?;
        check_id(mail_id, "mail")?;
        check_id(customer_id, "customer")?;
        let mail = self.store.get_mail(mail_id).await?.ok_or(Error::NotFound("mail"))?;
        let mut customer = self.store.get_customer(customer_id).await?.ok_or(Error::NotFound("customer"))?;
        match mail.state {
            MailState::Inbox | MailState::Received => {}
            MailState::Processed => {
                return Err(Error::Conflict("this mail is already a run of an approved job".into()));
            }
            MailState::Deleted => return Err(Error::Conflict("this mail is deleted; restore it first".into())),
            MailState::Quarantined => {
                return Err(Error::Conflict("this mail is quarantined; an admin must release it first".into()));
            }
        }
        if mail.expired_at.is_some() {
            return Err(Error::Conflict(EXPIRED_APPROVE.into()));
        }
        if !customer.active {
            return Err(Error::Invalid(format!("customer {:?} is deactivated", customer.name)));
        }
        let (Some(identity), true) = (mail.identity.clone(), mail.parse.ok) else {
            return Err(Error::Invalid(
                "this mail was not understood by any parser; re-parse it after a parser update, or delete it".into(),
            ));
        };
        let report = match self.load_report(mail.report_key.as_deref()).await? {
            Some(r) => r,
            None => {
                // Gone with the raw mail (retention), or lost on its own.
                let mut m = mail.clone();
                if self.raw_or_mark_expired(&mut m).await?.is_none() {
                    return Err(Error::Conflict(EXPIRED_APPROVE.into()));
                }
                return Err(Error::Backend("the parsed report of this mail is missing; re-parse it".into()));
            }
        };

        let now = self.clock.now();
        let job = Job {
            id: ids::job_id(&identity),
            identity: identity.clone(),
            customer_id: customer.id.clone(),
            sender: crate::ingest::job_sender(&mail, &report).to_string(),
            software: report.software.clone(),
            job_type: report.job_type.clone(),
            job_name: report.job_name.clone(),
            parser: report.parser.clone(),
            approved_at: now,
            approved_by: actor.username.clone(),
            last_run: None,
            run_count: 0,
            lifecycle: Default::default(),
            schedule: Default::default(),
            ping: None,
            source: Default::default(),
            version: 0,
        };
        if self.store.insert_job(&job).await? {
            // Keep the customer's job count.
            customer = retry::on_conflict("the customer", || async {
                let mut c = self.store.get_customer(customer_id).await?.ok_or(Error::NotFound("customer"))?;
                c.job_count += 1;
                let r = self.store.update_customer(&c).await;
                c.version += 1;
                retry::written(r, c)
            })
            .await?;
            let change = Change::created(json!({
                "identity": job.identity, "customer_id": job.customer_id, "software": job.software,
                "job_type": job.job_type, "job_name": job.job_name, "mail_id": mail.id,
            }));
            self.audit(audit_entry(self, actor, "job", &job.id, "approve", change)).await?;
        }
        // The identity may be an alias left by a merge: its mails go to the kept job.
        let job = self.resolve_job(&job.id).await?.ok_or(Error::NotFound("job"))?;

        let run = self.new_run(&mail, &job, &report).await?;
        let (_, run) = self.record_run(mail.clone(), run, Some(job.clone())).await?;
        let run = run.ok_or(Error::Backend("the run was not recorded".into()))?;

        let mut also = 0u32;
        for other in self.store.inbox_mails_for_identity(&identity).await? {
            // A conflicting mail (same Message-ID, other content) waits for a person.
            if other.id == mail.id || other.state != MailState::Inbox || other.conflict_of.is_some() {
                continue;
            }
            // A mail that failed authentication is held, not processed with it.
            if let Some(reason) = self.hold_reason(&other).await? {
                if other.intake.held.is_none() {
                    let mut held = other;
                    held.intake.held = Some(reason);
                    if let Err(e) = self.store.update_mail(&held).await {
                        tracing::warn!(mail = %held.id, error = %e, "could not flag a held mail");
                    }
                }
                continue;
            }
            if let Some(r) = self.load_report(other.report_key.as_deref()).await? {
                let run = self.new_run(&other, &job, &r).await?;
                if self.record_run(other, run, None).await?.1.is_some() {
                    also += 1;
                }
            }
        }
        let job = self.resolve_job(&job.id).await?.ok_or(Error::NotFound("job"))?;
        Ok(api::ApproveResponse {
            job: present::job(&job, &customer.name),
            run: present::run(&run, actor.can(Permission::ViewReviews)),
            also_processed: also,
        })
    }

    /// Soft delete: the mail leaves the Inbox; admins can list and restore it.
    pub async fn delete_mail(&self, actor: &Actor, id: &str) -> Result<()> {
        actor.require(Permission::DeleteMail)?;
        check_id(id, "mail")?;
        let mut mail = self.store.get_mail(id).await?.ok_or(Error::NotFound("mail"))?;
        match mail.state {
            MailState::Inbox | MailState::Received => {}
            MailState::Deleted => return Ok(()),
            MailState::Quarantined => {
                return Err(Error::Conflict("this mail is quarantined; an admin releases or keeps it".into()));
            }
            MailState::Processed => {
                return Err(Error::Conflict(
                    "this mail is a run of an approved job; it cannot be deleted from the Inbox".into(),
                ));
            }
        }
        let before = mail.state;
        mail.state = MailState::Deleted;
        mail.deleted = Some(Deletion { by: actor.username.clone(), at: self.clock.now() });
        self.store.update_mail(&mail).await?;
        let change = Change::fields(json!({"state": before}), json!({"state": mail.state}));
        self.audit(audit_entry(self, actor, "mail", &mail.id, "delete", change)).await
    }

    pub async fn restore_mail(&self, actor: &Actor, id: &str) -> Result<()> {
        actor.require(Permission::RestoreMail)?;
        check_id(id, "mail")?;
        let mut mail = self.store.get_mail(id).await?.ok_or(Error::NotFound("mail"))?;
        if mail.state != MailState::Deleted {
            return Ok(());
        }
        mail.state = MailState::Inbox;
        mail.deleted = None;
        self.store.update_mail(&mail).await?;
        let change = Change::fields(json!({"state": MailState::Deleted}), json!({"state": mail.state}));
        self.audit(audit_entry(self, actor, "mail", &mail.id, "restore", change)).await
    }

    /// Re-parses the given Inbox mails now; with `all`, queues every Inbox
    /// mail in batches. Idempotent: the same bytes give the same result.
    pub async fn reparse(&self, actor: &Actor, mail_ids: &[String], all: bool) -> Result<api::ReparseResponse> {
        actor.require(Permission::Reparse)?;
        if all {
            self.enqueue(&Task::ReparseInbox { cursor: None }).await?;
            self.audit(audit_entry(self, actor, "inbox", "all", "reparse", Change::default())).await?;
            return Ok(api::ReparseResponse { reparsed: 0, queued: 1 });
        }
        if mail_ids.is_empty() {
            return Err(Error::Invalid("name the mails to re-parse, or set \"all\"".into()));
        }
        check_ids(mail_ids, "mail")?;
        let mut mails = Vec::with_capacity(mail_ids.len());
        for id in mail_ids {
            mails.push(self.store.get_mail(id).await?.ok_or(Error::NotFound("mail"))?);
        }
        let mut n = 0;
        for mail in mails {
            let before = (mail.state, mail.parse.ok, mail.identity.clone());
            let id = mail.id.clone();
            if self.reparse_mail(mail).await? {
                n += 1;
                let after = self.store.get_mail(&id).await?.map(|m| (m.state, m.parse.ok, m.identity));
                let change = Change::fields(
                    json!({"state": before.0, "parsed": before.1, "identity": before.2}),
                    json!({"state": after.as_ref().map(|a| a.0), "parsed": after.as_ref().map(|a| a.1), "identity": after.and_then(|a| a.2)}),
                );
                self.audit(audit_entry(self, actor, "mail", &id, "reparse", change)).await?;
            }
        }
        Ok(api::ReparseResponse { reparsed: n, queued: 0 })
    }

    /// The raw mail, or `None` when its object is gone: the mail is then
    /// marked expired (once; a concurrent write wins and the mark waits for
    /// the next look).
    pub(crate) async fn raw_or_mark_expired(&self, mail: &mut Mail) -> Result<Option<Vec<u8>>> {
        if let Some(raw) = self.blobs.get(&mail.raw_key).await? {
            return Ok(Some(raw));
        }
        if mail.expired_at.is_none() {
            tracing::info!(mail = %mail.id, raw_key = %mail.raw_key, "raw mail gone (retention); marked expired");
            mail.expired_at = Some(self.clock.now());
            match self.store.update_mail(mail).await {
                Ok(()) => mail.version += 1,
                Err(crate::ports::PortError::Conflict(_)) => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok(None)
    }

    /// Re-parses one mail if it is still in the Inbox. Returns whether it
    /// did; a mail whose raw object expired is skipped (and marked), so
    /// "re-parse all" goes on past it.
    pub(crate) async fn reparse_mail(&self, mut mail: Mail) -> Result<bool> {
        if !matches!(mail.state, MailState::Inbox | MailState::Received) || mail.expired_at.is_some() {
            return Ok(false);
        }
        let Some(raw) = self.raw_or_mark_expired(&mut mail).await? else { return Ok(false) };
        let decoded = crate::ingest::decode(&raw);
        // Bodies and attachments are missing if the ingest was cut off.
        if let Ok(m) = &decoded
            && mail.text_key.is_none()
            && mail.html_key.is_none()
            && mail.attachments.is_empty()
        {
            self.store_parts(&mut mail, m).await?;
        }
        let report = self.apply_parse(&mut mail, decoded.as_ref().map_err(String::as_str)).await?;
        self.route(mail, report).await?;
        Ok(true)
    }

    /// One batch of "re-parse all": a page of the Inbox, then the next page queued.
    pub(crate) async fn reparse_inbox_batch(&self, cursor: Option<&str>) -> Result<()> {
        let page = self.store.list_mails(MailList::Inbox, cursor, self.config.reparse_batch).await?;
        for mail in page.items {
            self.reparse_mail(mail).await?;
        }
        if let Some(next) = page.next_cursor {
            self.enqueue(&Task::ReparseInbox { cursor: Some(next) }).await?;
        }
        Ok(())
    }
}
