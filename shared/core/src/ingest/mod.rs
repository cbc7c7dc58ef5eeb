//! Mail intake: every mail is stored first, then parsed, then either becomes
//! a run of its approved job or waits in the Inbox. Safe under redelivery: the
//! mail id derives from Message-ID + sender (or the bytes), the run id from
//! the mail id, and each write is conditional.

use bc_api_types::{MailState, Report};
use bc_parsers::{MAX_MAIL_BYTES, MailMessage, parse_report_with, read_mail};
use chrono::{DateTime, Utc};

pub mod guard;
pub mod keys;
pub mod verdicts;

/// Ingest attempts of one mail (first delivery, redeliveries, resumes)
/// before a mail whose ingest keeps failing is quarantined. Below the
/// mail-ingest queue's `maxReceiveCount` (5), so it is quarantined before
/// its message would reach the dead-letter queue.
pub const MAX_INGEST_ATTEMPTS: u32 = 4;

use bc_api_types::Permission;
use serde_json::json;

use crate::app::App;
use crate::audit::{Change, audit_entry};
use crate::auth::permissions::Actor;
use crate::error::{Error, Result};
use crate::ids;
use crate::model::{Job, LastRun, Mail, MailIntake, MissedMark, ParseSummary, Run, StoredAttachment};
use crate::ports::PortError;
use crate::retry::{self, Attempt};
use crate::review::repo::RecordRun;
use crate::schedules;

/// What happened to one ingested mail.
#[derive(Debug, Clone)]
pub struct IngestOutcome {
    pub mail: Mail,
    /// The mail was already known: nothing new was written.
    pub duplicate: bool,
    pub run: Option<Run>,
}

/// Normalised job identity: sender + software + job name, case- and
/// whitespace-insensitive.
pub fn job_identity(sender: &str, software: &str, job_name: &str) -> String {
    fn norm(s: &str) -> String {
        s.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
    }
    format!("{}|{}|{}", norm(sender), norm(software), norm(job_name))
}

/// The MIME decoder, isolated: a panic is an unreadable mail.
pub(crate) fn decode(raw: &[u8]) -> std::result::Result<MailMessage, String> {
    guard::guarded("the MIME decoder", || read_mail(raw).map_err(|e| e.to_string()))
}

/// Best-effort header read for mails the full decoder refuses (too large,
/// broken bodies): decode only the header block.
fn read_headers_only(raw: &[u8]) -> Option<MailMessage> {
    let limit = raw.len().min(256 * 1024);
    let head = &raw[..limit];
    let end = find(head, b"\r\n\r\n").map(|i| i + 4).or_else(|| find(head, b"\n\n").map(|i| i + 2))?;
    let mut block = head[..end].to_vec();
    block.extend_from_slice(b"\r\n");
    read_mail(&block).ok().map(|mut m| {
        m.size = raw.len();
        m.text = None;
        m.html = None;
        m.attachments.clear();
        m
    })
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Whose job a report is: the original sender of a forwarded report (a
/// customer forwarding their backup mail), else the mail's own sender.
pub(crate) fn job_sender<'a>(mail: &'a Mail, report: &'a Report) -> &'a str {
    report.original_sender.as_deref().filter(|s| s.contains('@')).unwrap_or(&mail.sender)
}

/// The first line of a run's messages, or of its first non-successful object.
pub(crate) fn summary_message(report: &Report) -> Option<String> {
    let m = report.messages.first().cloned().or_else(|| {
        report
            .objects
            .iter()
            .find(|o| o.status != bc_api_types::Status::Success)
            .and_then(|o| o.message.clone().map(|m| format!("{}: {m}", o.name)))
    })?;
    let line = m.lines().next().unwrap_or("").trim().to_string();
    Some(line.chars().take(300).collect())
}

/// A run of `job` made from a report: its status, times (the duration
/// from them when the report has none), sizes and object count. Mail runs
/// and runs of native engines and platforms are made alike.
pub(crate) fn report_run(id: String, job: &Job, report: &Report, received_at: DateTime<Utc>) -> Run {
    let started_at = report.started_at.map(|t| t.with_timezone(&Utc));
    let ended_at = report.ended_at.map(|t| t.with_timezone(&Utc));
    let duration_secs = report.duration_secs.or_else(|| match (started_at, ended_at) {
        (Some(s), Some(e)) if e >= s => Some((e - s).num_seconds() as u64),
        _ => None,
    });
    Run {
        started_at,
        ended_at,
        duration_secs,
        sizes: report.sizes.clone(),
        object_count: report.objects.len() as u32,
        ..Run::new(id, &job.id, &job.customer_id, report.status, received_at)
    }
}

impl App {
    /// A mail uploaded by a user (the UI's drag and drop, `POST /mails`).
    pub async fn upload_mail(&self, actor: &Actor, raw: Vec<u8>) -> Result<IngestOutcome> {
        actor.require(Permission::IngestMail)?;
        let out = self.ingest_bytes(raw).await?;
        if !out.duplicate {
            let change = Change::created(
                json!({"subject": out.mail.subject, "sender": out.mail.sender, "state": out.mail.state}),
            );
            self.audit(audit_entry(self, actor, "mail", &out.mail.id, "upload", change)).await?;
        }
        Ok(out)
    }

    /// Stores raw bytes (upload, drop folder, CLI) under the inbound prefix,
    /// then ingests them.
    pub async fn ingest_bytes(&self, raw: Vec<u8>) -> Result<IngestOutcome> {
        if raw.iter().all(u8::is_ascii_whitespace) {
            return Err(Error::Invalid("the mail is empty".into()));
        }
        if raw.len() > MAX_MAIL_BYTES {
            return Err(Error::TooLarge(format!("the mail is {} bytes; the limit is {MAX_MAIL_BYTES}", raw.len())));
        }
        let key = format!("{}{}.eml", self.config.inbound_prefix, ids::sha256_hex(&raw));
        self.blobs.put(&key, raw.clone(), "message/rfc822").await?;
        self.ingest_with_bytes(&key, raw).await
    }

    /// Ingests a raw mail that is already in the blob store (SES -> S3).
    pub async fn ingest_stored(&self, raw_key: &str) -> Result<IngestOutcome> {
        let raw = self.blobs.get(raw_key).await?.ok_or(Error::NotFound("raw mail"))?;
        self.ingest_with_bytes(raw_key, raw).await
    }

    async fn ingest_with_bytes(&self, raw_key: &str, raw: Vec<u8>) -> Result<IngestOutcome> {
        let decoded = decode(&raw);
        let fallback = match &decoded {
            Ok(_) => None,
            Err(_) => guard::guarded("the header reader", || Ok(read_headers_only(&raw))).ok().flatten(),
        };
        let m: Option<&MailMessage> = decoded.as_ref().ok().or(fallback.as_ref());
        let sender = m.and_then(|m| m.from_address.clone()).unwrap_or_default();
        let dedupe_key = match m.and_then(|m| m.message_id.as_deref()) {
            Some(mid) if !mid.trim().is_empty() => format!("mid:{sender}:{}", mid.trim()),
            _ => format!("sha256:{}", ids::sha256_hex(&raw)),
        };
        let raw_sha256 = ids::sha256_hex(&raw);
        let policy = self.intake_policy().await?;
        let verdicts = verdicts::read_verdicts(&raw, &policy.trusted);
        let mut id = ids::mail_id(&dedupe_key);
        let mut dedupe_key = dedupe_key;
        let mut conflict_of = None;

        if let Some(existing) = self.store.get_mail(&id).await? {
            if self.same_content(&existing, raw_key, &raw_sha256).await? {
                if existing.state != MailState::Received {
                    return Ok(IngestOutcome { run: None, mail: existing, duplicate: true });
                }
            } else {
                // Same sender and Message-ID, other bytes: a forged or a
                // rewritten report. Kept beside the first, flagged, and never
                // processed by itself; its own redelivery is a duplicate.
                tracing::warn!(mail = %existing.id, "a mail reuses another's Message-ID with other content; kept as a conflict");
                dedupe_key = format!("conflict:{dedupe_key}:{raw_sha256}");
                id = ids::mail_id(&dedupe_key);
                conflict_of = Some(existing.id.clone());
                if let Some(again) = self.store.get_mail(&id).await?
                    && again.state != MailState::Received
                {
                    return Ok(IngestOutcome { run: None, mail: again, duplicate: true });
                }
            }
        }

        let now = self.clock.now();
        let subject = m.map(|m| m.subject.clone()).unwrap_or_default();
        let mut mail = Mail {
            sender_name: m.and_then(|m| m.from_name.clone()),
            recipients: m.map(|m| m.to.clone()).unwrap_or_default(),
            subject: if subject.is_empty() && decoded.is_err() { "(unreadable mail)".to_string() } else { subject },
            date: m.and_then(|m| m.date),
            message_id: m.and_then(|m| m.message_id.clone()),
            size: raw.len() as u64,
            raw_sha256: Some(raw_sha256),
            conflict_of,
            intake: MailIntake { verdicts: Some(verdicts.clone()), attempts: 1, ..Default::default() },
            ..Mail::received(id.clone(), dedupe_key, raw_key, sender, now)
        };
        if verdicts.virus == bc_api_types::Verdict::Fail {
            // Never parsed, its parts never stored: the raw mail waits for an admin.
            let source = verdicts.source.clone().unwrap_or_else(|| verdicts::SES_AUTHSERV_ID.into());
            mail.state = MailState::Quarantined;
            mail.intake.quarantine = Some(bc_api_types::QuarantineInfo {
                reason: format!("virus verdict FAIL from {source}"),
                at: now,
                attempts: 0,
            });
            if !self.store.insert_mail(&mail).await? {
                let existing = self.store.get_mail(&id).await?.ok_or(Error::NotFound("mail"))?;
                return Ok(IngestOutcome { run: None, mail: existing, duplicate: true });
            }
            tracing::warn!(mail = %mail.id, "virus verdict FAIL: quarantined");
            self.audit_quarantine(&mail).await?;
            return Ok(IngestOutcome { mail, duplicate: false, run: None });
        }
        // The record first, so a failure of any later step is counted on it.
        if !self.store.insert_mail(&mail).await? {
            // A concurrent or earlier delivery stored it first.
            let mut existing = self.store.get_mail(&id).await?.ok_or(Error::NotFound("mail"))?;
            if existing.state != MailState::Received {
                return Ok(IngestOutcome { run: None, mail: existing, duplicate: true });
            }
            // A redelivery of a mail whose ingest did not finish: one more
            // attempt. A concurrent delivery changing it first is working on
            // it: go on with the mail as it now stands, without counting.
            existing.intake.attempts += 1;
            match self.store.update_mail(&existing).await {
                Ok(()) => existing.version += 1,
                Err(PortError::Conflict(_)) => {
                    existing = self.store.get_mail(&id).await?.ok_or(Error::NotFound("mail"))?;
                    if existing.state != MailState::Received {
                        let run = match &existing.run_id {
                            Some(r) => self.store.get_run(r).await?,
                            None => None,
                        };
                        return Ok(IngestOutcome { run, mail: existing, duplicate: true });
                    }
                }
                Err(e) => return Err(e.into()),
            }
            mail = existing;
        }
        let (mail, run) = self.finish_ingest(mail, &decoded).await?;
        Ok(IngestOutcome { mail, duplicate: false, run })
    }

    /// Stores the parts of a recorded mail (if not stored yet), parses and
    /// routes it. A failure is recorded on the mail; the last allowed
    /// attempt's failure quarantines it instead of failing again.
    pub(crate) async fn finish_ingest(
        &self,
        mail: Mail,
        decoded: &std::result::Result<MailMessage, String>,
    ) -> Result<(Mail, Option<Run>)> {
        let id = mail.id.clone();
        let attempt = async move {
            let mut mail = mail;
            if let Ok(m) = decoded
                && mail.text_key.is_none()
                && mail.html_key.is_none()
                && mail.attachments.is_empty()
            {
                self.store_parts(&mut mail, m).await?;
            }
            let report = self.apply_parse(&mut mail, decoded.as_ref().map_err(String::as_str)).await?;
            self.route(mail, report).await
        };
        match attempt.await {
            Ok(done) => Ok(done),
            Err(e) => self.ingest_failed(&id, e).await,
        }
    }

    /// Records a failed ingest attempt on the mail; at
    /// [`MAX_INGEST_ATTEMPTS`] the mail is quarantined and the failure ends
    /// here. Otherwise the error goes back to the caller, which retries
    /// (SQS redelivery, the scheduler's resume).
    pub(crate) async fn ingest_failed(&self, id: &str, error: Error) -> Result<(Mail, Option<Run>)> {
        let Some(mut mail) = self.store.get_mail(id).await? else { return Err(error) };
        if mail.state != MailState::Received {
            return Err(error);
        }
        let text: String = error.to_string().chars().take(1000).collect();
        mail.intake.last_error = Some(text.clone());
        let quarantine = mail.intake.attempts >= MAX_INGEST_ATTEMPTS;
        if quarantine {
            mail.state = MailState::Quarantined;
            mail.intake.quarantine = Some(bc_api_types::QuarantineInfo {
                reason: format!("ingest failed {} times; last error: {text}", mail.intake.attempts),
                at: self.clock.now(),
                attempts: mail.intake.attempts,
            });
        }
        match self.store.update_mail(&mail).await {
            Ok(()) => mail.version += 1,
            Err(e) => {
                tracing::warn!(mail = %id, error = %e, "could not record a failed ingest attempt");
                return Err(error);
            }
        }
        if quarantine {
            tracing::error!(mail = %id, attempts = mail.intake.attempts, error = %text, "ingest keeps failing: quarantined");
            self.audit_quarantine(&mail).await?;
            return Ok((mail, None));
        }
        tracing::warn!(mail = %id, attempt = mail.intake.attempts, error = %text, "ingest attempt failed");
        Err(error)
    }

    /// The audit entry of a quarantine the system made.
    async fn audit_quarantine(&self, mail: &Mail) -> Result<()> {
        let change = Change::fields(
            json!({"state": MailState::Received}),
            json!({"state": mail.state, "reason": mail.intake.quarantine.as_ref().map(|q| q.reason.clone())}),
        );
        self.audit(audit_entry(self, &Actor::system(), "mail", &mail.id, "quarantine", change)).await
    }

    /// Why a mail of an approved job is held from becoming a run, if it is:
    /// it failed authentication and the hold switch is on.
    pub(crate) async fn hold_reason(&self, mail: &Mail) -> Result<Option<String>> {
        let Some(v) = &mail.intake.verdicts else { return Ok(None) };
        if !v.failed_authentication() || !self.intake_policy().await?.hold_failed_authentication {
            return Ok(None);
        }
        Ok(Some(format!(
            "failed authentication (SPF {}, DKIM {}, DMARC {})",
            v.spf.as_str(),
            v.dkim.as_str(),
            v.dmarc.as_str()
        )))
    }

    /// Whether a stored mail holds these bytes: the same blob, or the same
    /// hash (mails stored before hashes were kept are hashed from their blob).
    async fn same_content(&self, existing: &Mail, raw_key: &str, raw_sha256: &str) -> Result<bool> {
        if existing.raw_key == raw_key {
            return Ok(true);
        }
        match &existing.raw_sha256 {
            Some(h) => Ok(h == raw_sha256),
            None => match self.blobs.get(&existing.raw_key).await? {
                Some(bytes) => Ok(ids::sha256_hex(&bytes) == raw_sha256),
                None => Ok(true),
            },
        }
    }

    /// Stores text, HTML and attachments as blobs and records their keys.
    pub(crate) async fn store_parts(&self, mail: &mut Mail, m: &MailMessage) -> Result<()> {
        if let Some(text) = &m.text {
            let key = keys::text(&mail.id);
            self.blobs.put(&key, text.as_bytes().to_vec(), "text/plain; charset=utf-8").await?;
            mail.text_key = Some(key);
        }
        if let Some(html) = &m.html {
            let key = keys::html(&mail.id);
            self.blobs.put(&key, html.as_bytes().to_vec(), "text/html; charset=utf-8").await?;
            mail.html_key = Some(key);
        }
        for (i, a) in m.attachments.iter().enumerate().take(100) {
            let key = keys::attachment(&mail.id, i, &a.filename);
            self.blobs.put(&key, a.data.clone(), &a.content_type).await?;
            mail.attachments.push(StoredAttachment {
                filename: a.filename.chars().take(255).collect(),
                content_type: a.content_type.chars().take(100).collect(),
                size: a.data.len() as u64,
                key,
            });
        }
        Ok(())
    }

    /// Runs the parsers over a decoded mail and records the outcome on it
    /// (summary, report blob, job identity). Does not write the mail.
    pub(crate) async fn apply_parse(
        &self,
        mail: &mut Mail,
        decoded: std::result::Result<&MailMessage, &str>,
    ) -> Result<Option<Report>> {
        mail.identity = None;
        let msg = match decoded {
            Ok(m) => m,
            Err(e) => {
                mail.parse = ParseSummary { ok: false, error: Some(e.to_string()), ..Default::default() };
                return Ok(None);
            }
        };
        let options = self.parse_options().await?;
        match guard::guarded("the parser", || parse_report_with(msg, &options).map_err(|e| e.to_string())) {
            Ok(report) if report.job_name.trim().is_empty() => {
                mail.parse = ParseSummary {
                    ok: false,
                    error: Some(format!("{}: the report names no job", report.parser)),
                    parser: Some(report.parser.clone()),
                    software: Some(report.software.clone()),
                    ..Default::default()
                };
                Ok(None)
            }
            Ok(report) => {
                let key = keys::report(&mail.id);
                let json =
                    serde_json::to_vec(&report).map_err(|e| Error::Backend(format!("report serialisation: {e}")))?;
                self.blobs.put(&key, json, "application/json").await?;
                mail.report_key = Some(key);
                mail.identity = Some(job_identity(job_sender(mail, &report), &report.software, &report.job_name));
                mail.parse = ParseSummary {
                    ok: true,
                    error: None,
                    parser: Some(report.parser.clone()),
                    software: Some(report.software.clone()),
                    job_type: Some(report.job_type.clone()),
                    job_name: Some(report.job_name.clone()),
                    status: Some(report.status),
                    object_count: report.objects.len() as u32,
                };
                Ok(Some(report))
            }
            Err(e) => {
                mail.parse = ParseSummary { ok: false, error: Some(e.to_string()), ..Default::default() };
                Ok(None)
            }
        }
    }

    /// After a parse: a mail of an approved job becomes a run; anything else
    /// waits in the Inbox.
    /// A mail that failed authentication waits in the Inbox, held, while the
    /// hold switch is on.
    pub(crate) async fn route(&self, mut mail: Mail, report: Option<Report>) -> Result<(Mail, Option<Run>)> {
        mail.intake.held = None;
        if mail.conflict_of.is_none()
            && let (Some(report), Some(identity)) = (&report, mail.identity.clone())
            && let Some(job) = self.resolve_job(&ids::job_id(&identity)).await?
        {
            match self.hold_reason(&mail).await? {
                None => {
                    let run = self.new_run(&mail, &job, report).await?;
                    return self.record_run(mail, run, Some(job)).await;
                }
                Some(reason) => mail.intake.held = Some(reason),
            }
        }
        mail.state = MailState::Inbox;
        match self.store.update_mail(&mail).await {
            Ok(()) => {
                mail.version += 1;
                Ok((mail, None))
            }
            // A concurrent delivery of the same mail routed it first.
            Err(PortError::Conflict(_)) => {
                let current = self.store.get_mail(&mail.id).await?.ok_or(Error::NotFound("mail"))?;
                let run = match &current.run_id {
                    Some(id) => self.store.get_run(id).await?,
                    None => None,
                };
                Ok((current, run))
            }
            Err(e) => Err(e.into()),
        }
    }

    /// The run a mail of an approved job becomes, with the overrides in
    /// effect applied.
    pub(crate) async fn new_run(&self, mail: &Mail, job: &Job, report: &Report) -> Result<Run> {
        let mut run = self.run_from(mail, job, report);
        self.apply_overrides(&mut run, job, report).await?;
        Ok(run)
    }

    pub(crate) fn run_from(&self, mail: &Mail, job: &Job, report: &Report) -> Run {
        Run {
            mail_id: mail.id.clone(),
            message: summary_message(report),
            report_key: mail.report_key.clone(),
            while_archived: job.is_archived(),
            ..report_run(ids::run_id(&mail.id), job, report, mail.received_at)
        }
    }

    /// Writes run + job + mail in one atomic step, re-reading on a version
    /// conflict (another mail of the same job landed at the same time).
    /// `job` is the job as just read, if the caller has it (saves a read).
    pub(crate) async fn record_run(&self, mail: Mail, run: Run, job: Option<Job>) -> Result<(Mail, Option<Run>)> {
        // Shared with each attempt: the mail as last read, the job if the
        // caller had it (used once; later attempts re-read it).
        let mail = std::sync::Mutex::new(mail);
        let job = std::sync::Mutex::new(job);
        let run = &run;
        let ctx = self.schedule_context().await?;
        // A Missed run of this run's backup day, found by the schedule step.
        let late_for: std::sync::Mutex<Option<MissedMark>> = std::sync::Mutex::new(None);
        let out = retry::on_conflict("the job", || async {
            let cached = job.lock().unwrap_or_else(|p| p.into_inner()).take();
            let mut job = match cached {
                Some(j) => j,
                None => self.store.get_job(&run.job_id).await?.ok_or(Error::NotFound("job"))?,
            };
            job.run_count += 1;
            let newer = job.last_run.as_ref().is_none_or(|l| l.at <= run.sort_at());
            if newer {
                job.last_run = Some(LastRun { run_id: run.id.clone(), at: run.sort_at(), status: run.status });
            }
            let mark = schedules::on_run(&mut job, run, &ctx);
            let mut next = mail.lock().unwrap_or_else(|p| p.into_inner()).clone();
            next.state = MailState::Processed;
            next.job_id = Some(run.job_id.clone());
            next.run_id = Some(run.id.clone());
            next.deleted = None;
            match self.store.record_run(RecordRun { run, job: &job, mail: &next }).await {
                Ok(true) => {
                    next.version += 1;
                    *late_for.lock().unwrap_or_else(|p| p.into_inner()) = mark;
                    Ok(Attempt::Done((next, Some(run.clone()))))
                }
                Ok(false) => {
                    // Already recorded by an earlier delivery.
                    let m = self.store.get_mail(&next.id).await?.unwrap_or(next);
                    let r = self.store.get_run(&run.id).await?;
                    Ok(Attempt::Done((m, r)))
                }
                Err(PortError::Conflict(_)) => {
                    let fresh = self.store.get_mail(&next.id).await?.ok_or(Error::NotFound("mail"))?;
                    if fresh.state == MailState::Processed {
                        let r = self.store.get_run(&run.id).await?;
                        return Ok(Attempt::Done((fresh, r)));
                    }
                    *mail.lock().unwrap_or_else(|p| p.into_inner()) = fresh;
                    Ok(Attempt::Conflict)
                }
                Err(e) => Err(e.into()),
            }
        })
        .await?;
        let mark = late_for.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(mark) = mark {
            self.attach_late(&mark, run).await?;
        }
        // A redelivery alerts again; the delivery's claim sends it once.
        if let Some(r) = &out.1 {
            self.alert_for_run(r).await;
        }
        Ok(out)
    }

    /// Loads the stored report of a mail (or run).
    pub(crate) async fn load_report(&self, key: Option<&str>) -> Result<Option<Report>> {
        let Some(key) = key else { return Ok(None) };
        let Some(bytes) = self.blobs.get(key).await? else { return Ok(None) };
        serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| Error::Backend(format!("stored report {key} is unreadable: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_ignores_case_and_spacing() {
        assert_eq!(
            job_identity("Backup@Example.com", "Veeam  Backup", " Daily  Job "),
            job_identity("backup@example.com", "veeam backup", "daily job")
        );
        assert_ne!(job_identity("a@x", "s", "j1"), job_identity("a@x", "s", "j2"));
    }

    #[test]
    fn header_only_read_survives_garbage() {
        assert!(read_headers_only(b"").is_none());
        assert!(read_headers_only(&[0xff; 100]).is_none());
        let m = read_headers_only(b"From: a@b.example\r\nSubject: hi\r\n\r\nbody").unwrap();
        assert_eq!(m.subject, "hi");
    }
}
