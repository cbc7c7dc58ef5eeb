//! Tickets: a number (and optionally a link) in an outside system, linked to
//! a job and the run it was created for; open until resolved. The manual
//! workflow the Autotask integration builds on. One run never has two open
//! tickets (the store enforces it atomically). Operators and admins create
//! and resolve; admins delete. Every change is audited.

use bc_api_types::{self as api, Permission};

use crate::app::App;
use crate::audit::{Change, audit_entry};
use crate::auth::permissions::Actor;
use crate::error::{Error, Result};
use crate::ids::{self, check_id};
use crate::ports::PortError;
use crate::review::notes_repo::Ticket;

pub const MAX_NUMBER_LEN: usize = 64;
pub const MAX_URL_LEN: usize = 2_000;
/// Tickets a job's list shows at most, newest first.
pub const MAX_JOB_TICKETS: usize = 200;

/// Trims; 1 to 64 characters of letters, digits, space and `.-_/#:`.
pub fn clean_number(number: &str) -> Result<String> {
    let n = number.trim();
    if n.is_empty() {
        return Err(Error::Invalid("a ticket needs a number".into()));
    }
    if n.chars().count() > MAX_NUMBER_LEN {
        return Err(Error::Invalid(format!("a ticket number has at most {MAX_NUMBER_LEN} characters")));
    }
    if !n.chars().all(|c| c.is_alphanumeric() || " .-_/#:".contains(c)) {
        return Err(Error::Invalid("a ticket number holds only letters, digits, spaces and . - _ / # :".into()));
    }
    Ok(n.to_string())
}

/// An absolute http(s) link with a host, up to 2,000 characters, without
/// spaces or control characters; empty means none.
pub fn clean_url(url: Option<&str>) -> Result<Option<String>> {
    let Some(u) = url.map(str::trim).filter(|u| !u.is_empty()) else { return Ok(None) };
    if u.len() > MAX_URL_LEN {
        return Err(Error::Invalid(format!("a ticket URL has at most {MAX_URL_LEN} characters")));
    }
    let lower = u.to_ascii_lowercase();
    let rest = ["https://", "http://"]
        .iter()
        .find_map(|s| lower.strip_prefix(s))
        .ok_or_else(|| Error::Invalid("a ticket URL must start with http:// or https://".into()))?;
    if u.chars().any(|c| c.is_whitespace() || c.is_control() || c == '\\' || c == '"' || c == '<' || c == '>') {
        return Err(Error::Invalid("a ticket URL cannot hold spaces, quotes, angle brackets or backslashes".into()));
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = authority.rsplit('@').next().unwrap_or("");
    if host.is_empty() || host.starts_with(':') {
        return Err(Error::Invalid("a ticket URL needs a host".into()));
    }
    Ok(Some(u.to_string()))
}

pub(crate) fn present(t: &Ticket) -> api::Ticket {
    api::Ticket {
        id: t.id.clone(),
        job_id: t.job_id.clone(),
        run_id: t.run_id.clone(),
        number: t.number.clone(),
        url: t.url.clone(),
        created_by: t.created_by.clone(),
        created_at: t.created_at,
        open: t.open(),
        resolved_at: t.resolved_at,
        resolved_by: t.resolved_by.clone(),
        autotask: t.psa.clone(),
    }
}

fn audited(t: &Ticket) -> serde_json::Value {
    serde_json::json!({"job_id": t.job_id, "run_id": t.run_id, "number": t.number, "url": t.url, "open": t.open()})
}

impl App {
    /// A job's tickets, newest first, resolved ones included (bounded).
    pub async fn job_tickets(&self, actor: &Actor, job_id: &str) -> Result<api::TicketList> {
        actor.require(Permission::ViewJobs)?;
        check_id(job_id, "job")?;
        self.store.get_job(job_id).await?.ok_or(Error::NotFound("job"))?;
        let mut items = self.store.list_job_tickets(job_id, MAX_JOB_TICKETS + 1).await?;
        let truncated = items.len() > MAX_JOB_TICKETS;
        items.truncate(MAX_JOB_TICKETS);
        Ok(api::TicketList { items: items.iter().map(present).collect(), truncated })
    }

    /// A ticket for one run of the job; `409` if the run has an open one.
    pub async fn create_ticket(&self, actor: &Actor, job_id: &str, req: &api::CreateTicket) -> Result<api::Ticket> {
        actor.require(Permission::ManageTickets)?;
        check_id(job_id, "job")?;
        if !self.manual_tickets_allowed().await? {
            return Err(Error::Invalid(
                "the Autotask integration is on: use \"Create Autotask ticket\" or link an existing one \
                 (manual numbers need the compatibility mode)"
                    .into(),
            ));
        }
        let number = clean_number(&req.number)?;
        let url = clean_url(req.url.as_deref())?;
        check_id(&req.run_id, "run")?;
        self.store.get_job(job_id).await?.ok_or(Error::NotFound("job"))?;
        let run = self.store.get_run(&req.run_id).await?.ok_or(Error::NotFound("run"))?;
        if run.job_id != job_id {
            return Err(Error::Invalid("that run belongs to another job".into()));
        }
        let t = Ticket {
            id: ids::random_id("tk"),
            job_id: job_id.to_string(),
            run_id: run.id.clone(),
            number,
            url,
            created_by: actor.username.clone(),
            created_at: self.clock.now(),
            resolved_at: None,
            resolved_by: None,
            psa: None,
            version: 0,
        };
        self.store.insert_ticket(&t).await.map_err(|e| match e {
            PortError::Conflict(_) => Error::Conflict("this run has an open ticket already; resolve it first".into()),
            other => other.into(),
        })?;
        self.audit(audit_entry(self, actor, "ticket", &t.id, "create", Change::created(audited(&t)))).await?;
        Ok(present(&t))
    }

    /// Resolves an open ticket (`409` if it is resolved already).
    pub async fn resolve_ticket(&self, actor: &Actor, id: &str) -> Result<api::Ticket> {
        actor.require(Permission::ManageTickets)?;
        check_id(id, "ticket")?;
        let mut t = self.store.get_ticket(id).await?.ok_or(Error::NotFound("ticket"))?;
        if !t.open() {
            return Err(Error::Conflict("the ticket is resolved already".into()));
        }
        if t.psa.as_ref().is_some_and(|l| l.ticket_id.is_some() || l.pending.is_some()) {
            return Err(Error::Invalid("this is an Autotask ticket: resolve it through Autotask".into()));
        }
        t.resolved_at = Some(self.clock.now());
        t.resolved_by = Some(actor.username.clone());
        self.store.update_ticket(&t).await?;
        t.version += 1;
        let change = Change::fields(
            serde_json::json!({"open": true}),
            serde_json::json!({"open": false, "resolved_at": t.resolved_at, "resolved_by": t.resolved_by}),
        );
        self.audit(audit_entry(self, actor, "ticket", &t.id, "resolve", change)).await?;
        Ok(present(&t))
    }

    /// Admins: deletes a ticket (nothing refers to a ticket; its run is
    /// freed for a new one). The trail keeps what it was.
    pub async fn delete_ticket(&self, actor: &Actor, id: &str) -> Result<()> {
        actor.require(Permission::DeleteTickets)?;
        check_id(id, "ticket")?;
        let t = self.store.get_ticket(id).await?.ok_or(Error::NotFound("ticket"))?;
        self.store.delete_ticket(&t).await?;
        self.audit(audit_entry(self, actor, "ticket", &t.id, "delete", Change::deleted(audited(&t)))).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_checked() {
        assert_eq!(clean_number("  T20261130.0042 ").unwrap(), "T20261130.0042");
        assert!(clean_number("").is_err());
        assert!(clean_number(&"1".repeat(65)).is_err());
        assert!(clean_number("<script>").is_err());
        assert!(clean_number("INC#12/a:b_c-d").is_ok());
    }

    #[test]
    fn urls_are_http_or_https_with_a_host() {
        assert_eq!(clean_url(None).unwrap(), None);
        assert_eq!(clean_url(Some("  ")).unwrap(), None);
        assert!(clean_url(Some("https://psa.example.com/t/1?x=2#y")).unwrap().is_some());
        assert!(clean_url(Some("HTTP://psa.example.com")).unwrap().is_some());
        for bad in ["javascript:alert(1)", "ftp://x", "https://", "https:///path", "http://a b", "data:text/html,x"] {
            assert!(clean_url(Some(bad)).is_err(), "{bad}");
        }
        assert!(clean_url(Some(&format!("https://x.example/{}", "a".repeat(2000)))).is_err());
    }
}
