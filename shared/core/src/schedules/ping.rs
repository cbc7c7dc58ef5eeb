//! Ping URLs: jobs that cannot send mail (scripts, rclone, database dumps)
//! check in over HTTP. `GET|POST /ping/{token}` is a successful run,
//! `/ping/{token}/fail` a failed one, `/ping/{token}/start` marks the start
//! (the next result then has a duration). Up to 10 KB of body is kept as the
//! run's message. The token is 32 random bytes; it is found through the
//! settings store under the SHA-256 of the token (`ping_token:<hash>`), so a
//! lookup is one read on both runtimes, and compared in constant time with
//! the job's own. These runs are runs like any other: schedules are learned
//! from them, a missing check-in becomes a Missed run, overrides apply,
//! Run Checks shows them, alerts go out.

use bc_api_types::{self as api, Permission, Report, Sizes, Status};
use chrono::{DateTime, Duration, Utc};
use serde_json::json;
use subtle::ConstantTimeEq;

use crate::app::App;
use crate::audit::{Change, audit_entry};
use crate::auth::permissions::Actor;
use crate::error::{Error, Result};
use crate::ids::{self, check_id};
use crate::ingest::job_identity;
use crate::model::{Job, LastRun, PingEndpoint, Review, Run};
use crate::ports::PortError;
use crate::present;
use crate::retry::{self, Attempt};

/// What a ping job's software is called.
pub const PING_SOFTWARE: &str = "Ping URL";
/// At most this much of a ping's body is kept as the run's message.
pub const MAX_BODY: usize = 10 * 1024;
/// A `/start` older than this is not the start of the next result.
const START_VALID_HOURS: i64 = 24;
const TOKEN_KEY: &str = "ping_token:";

/// What a ping says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PingKind {
    Success,
    Fail,
    Start,
}

/// What the ping endpoint answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PingOutcome {
    /// A run was recorded.
    Run { run_id: String },
    /// A start was noted.
    Started,
}

fn token_key(token: &str) -> String {
    format!("{TOKEN_KEY}{}", ids::sha256_hex(token.as_bytes()))
}

/// A token's shape: 43 URL-safe base64 characters (32 bytes).
pub fn token_shape_ok(token: &str) -> bool {
    token.len() == 43 && token.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The message a ping's body becomes: text, trimmed, at most [`MAX_BODY`] bytes.
pub fn body_message(body: &[u8]) -> Option<String> {
    let cut = &body[..body.len().min(MAX_BODY)];
    let text = String::from_utf8_lossy(cut);
    let text: String = text.chars().filter(|c| !c.is_control() || *c == '\n' || *c == '\t').collect();
    let t = text.trim();
    (!t.is_empty()).then(|| t.to_string())
}

impl App {
    pub(crate) fn ping_url(&self, token: &str) -> String {
        format!("{}/ping/{token}", self.config.public_url.trim_end_matches('/'))
    }

    /// The job as the API shows it, with its ping URL for who may manage jobs.
    pub(crate) fn present_job_for(&self, actor: &Actor, job: &Job, customer_name: &str) -> api::Job {
        let mut j = present::job(job, customer_name);
        if let (Some(p), Some(ping)) = (j.ping.as_mut(), job.ping.as_ref())
            && actor.can(Permission::ManageJobs)
        {
            p.url = Some(self.ping_url(&ping.token));
        }
        j
    }

    /// `POST /api/v1/jobs/ping`: a job of a customer that checks in over a ping URL.
    pub async fn create_ping_job(&self, actor: &Actor, body: &api::NewPingJob) -> Result<api::Job> {
        actor.require(Permission::ManageJobs)?;
        check_id(&body.customer_id, "customer")?;
        let name = body.name.trim();
        if name.is_empty() || name.chars().count() > 200 || name.chars().any(char::is_control) {
            return Err(Error::Invalid("the job name must be 1 to 200 characters, on one line".into()));
        }
        let customer = self.store.get_customer(&body.customer_id).await?.ok_or(Error::NotFound("customer"))?;
        if !customer.active {
            return Err(Error::Invalid(format!("customer {:?} is deactivated", customer.name)));
        }
        // The identity holds the customer: two customers may each have a "nightly-dump".
        let identity = job_identity(&format!("ping@{}", customer.id), PING_SOFTWARE, name);
        let token = ids::random_token(32);
        let now = self.clock.now();
        let job = Job {
            id: ids::job_id(&identity),
            identity,
            customer_id: customer.id.clone(),
            sender: "ping".into(),
            software: PING_SOFTWARE.into(),
            job_type: "Check-in".into(),
            job_name: name.to_string(),
            parser: "ping".into(),
            approved_at: now,
            approved_by: actor.username.clone(),
            last_run: None,
            run_count: 0,
            lifecycle: Default::default(),
            schedule: Default::default(),
            ping: Some(PingEndpoint { token: token.clone(), created_at: now, started_at: None, last_ping_at: None }),
            source: Default::default(),
            version: 0,
        };
        // The lookup first: a job without one could never be pinged.
        self.store.put_setting(&token_key(&token), &job.id).await?;
        if !self.store.insert_job(&job).await? {
            return Err(Error::Conflict(format!("{:?} already has a job named {name:?}", customer.name)));
        }
        self.count_job_on_customer(&customer.id).await?;
        let change = Change::created(json!({
            "identity": job.identity, "customer_id": job.customer_id, "software": job.software, "job_name": job.job_name,
        }));
        self.audit(audit_entry(self, actor, "job", &job.id, "create_ping", change)).await?;
        Ok(self.present_job_for(actor, &job, &customer.name))
    }

    /// `POST /api/v1/jobs/{id}/ping-token`: a new token; the old URL stops working.
    pub async fn regenerate_ping_token(&self, actor: &Actor, job_id: &str) -> Result<api::Job> {
        actor.require(Permission::ManageJobs)?;
        check_id(job_id, "job")?;
        let token = ids::random_token(32);
        let (job, old) = retry::on_conflict("the job", || async {
            let mut job = self.store.get_job(job_id).await?.ok_or(Error::NotFound("job"))?;
            let Some(p) = job.ping.as_mut() else {
                return Err(Error::Invalid("this job does not check in over a ping URL".into()));
            };
            let old = std::mem::replace(&mut p.token, token.clone());
            p.started_at = None;
            let r = self.store.update_job(&job).await;
            job.version += 1;
            retry::written(r, (job, old))
        })
        .await?;
        self.store.put_setting(&token_key(&token), &job.id).await?;
        // Revoked: an empty value is no job.
        self.store.put_setting(&token_key(&old), "").await?;
        self.audit(audit_entry(self, actor, "job", &job.id, "regenerate_ping_token", Change::default())).await?;
        let customer = self.store.get_customer(&job.customer_id).await?;
        Ok(self.present_job_for(actor, &job, customer.as_ref().map(|c| c.name.as_str()).unwrap_or("")))
    }

    /// A ping. No session: the token is the credential. Unknown tokens are
    /// `NotFound` and say nothing more.
    pub async fn ping(&self, token: &str, kind: PingKind, body: &[u8]) -> Result<PingOutcome> {
        if !token_shape_ok(token) {
            return Err(Error::NotFound("ping URL"));
        }
        let job_id = match self.store.get_setting(&token_key(token)).await? {
            Some(id) if !id.is_empty() => id,
            _ => return Err(Error::NotFound("ping URL")),
        };
        let job = self.store.get_job(&job_id).await?.ok_or(Error::NotFound("ping URL"))?;
        let same = job.ping.as_ref().is_some_and(|p| bool::from(p.token.as_bytes().ct_eq(token.as_bytes())));
        if !same {
            return Err(Error::NotFound("ping URL"));
        }
        let now = self.clock.now();
        if kind == PingKind::Start {
            retry::on_conflict("the job", || async {
                let mut job = self.store.get_job(&job_id).await?.ok_or(Error::NotFound("ping URL"))?;
                if let Some(p) = job.ping.as_mut() {
                    p.started_at = Some(now);
                    p.last_ping_at = Some(now);
                }
                retry::written(self.store.update_job(&job).await, ())
            })
            .await?;
            return Ok(PingOutcome::Started);
        }
        let status = if kind == PingKind::Fail { Status::Failed } else { Status::Success };
        let message = body_message(body);
        let run_id = ids::random_id("rp");
        let ctx = self.schedule_context().await?;
        let (run, late) = retry::on_conflict("the job", || async {
            let mut job = self.store.get_job(&job_id).await?.ok_or(Error::NotFound("ping URL"))?;
            let started = job
                .ping
                .as_ref()
                .and_then(|p| p.started_at)
                .filter(|s| *s <= now && now - *s <= Duration::hours(START_VALID_HOURS));
            let mut run = ping_run(&run_id, &job, status, started, now, message.clone());
            let report = ping_report(&job, &run);
            self.apply_overrides(&mut run, &job, &report).await?;
            job.run_count += 1;
            if job.last_run.as_ref().is_none_or(|l| l.at <= run.sort_at()) {
                job.last_run = Some(LastRun { run_id: run.id.clone(), at: run.sort_at(), status: run.status });
            }
            let mark = super::on_run(&mut job, &run, &ctx);
            if let Some(p) = job.ping.as_mut() {
                p.started_at = None;
                p.last_ping_at = Some(now);
            }
            match self.store.record_missed(&run, &job).await {
                Ok(_) => Ok(Attempt::Done((run, mark))),
                Err(PortError::Conflict(_)) => Ok(Attempt::Conflict),
                Err(e) => Err(e.into()),
            }
        })
        .await?;
        if let Some(mark) = late {
            self.attach_late(&mark, &run).await?;
        }
        self.alert_for_run(&run).await;
        Ok(PingOutcome::Run { run_id: run.id })
    }
}

fn ping_run(
    id: &str,
    job: &Job,
    status: Status,
    started: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
    message: Option<String>,
) -> Run {
    Run {
        started_at: Some(started.unwrap_or(now)),
        ended_at: Some(now),
        duration_secs: started.map(|s| (now - s).num_seconds().max(0) as u64),
        message,
        // A ping to an archived job is kept in its history, reviewed by the
        // system: it never reaches Run Checks.
        review: job.is_archived().then(|| Review { by: Actor::system().username, at: now }),
        while_archived: job.is_archived(),
        ..Run::new(id, &job.id, &job.customer_id, status, now)
    }
}

/// The report overrides match against: the run's message, no objects.
fn ping_report(job: &Job, run: &Run) -> Report {
    Report {
        parser: "ping".into(),
        software: job.software.clone(),
        job_type: job.job_type.clone(),
        job_name: job.job_name.clone(),
        status: run.status,
        started_at: run.started_at.map(|t| t.fixed_offset()),
        ended_at: run.ended_at.map(|t| t.fixed_offset()),
        duration_secs: run.duration_secs,
        sizes: Sizes::default(),
        messages: run.message.iter().cloned().collect(),
        objects: Vec::new(),
        attempt: None,
        final_attempt: None,
        original_sender: None,
        original_subject: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_are_cut_and_cleaned() {
        assert_eq!(body_message(b"  dump ok: 3 GB\n"), Some("dump ok: 3 GB".into()));
        assert_eq!(body_message(b""), None);
        assert_eq!(body_message(&[0xff, b'a', 0x07]), Some("\u{fffd}a".into()));
        assert_eq!(body_message(&vec![b'x'; 50_000]).map(|m| m.len()), Some(MAX_BODY));
    }

    #[test]
    fn token_shapes() {
        assert!(token_shape_ok(&ids::random_token(32)));
        assert!(!token_shape_ok("short"));
        assert!(!token_shape_ok(&"a/".repeat(22)[..43]));
    }
}
