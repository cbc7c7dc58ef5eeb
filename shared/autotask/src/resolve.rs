//! The ticket flows of seed §6, §6B and §4.2: the state of a linked ticket, resolving it, and creating the one
//! ticket of a run without ever creating two.

use crate::client::AutotaskClient;
use crate::content::{has_run_marker, run_marker};
use crate::entities::{DeletedTicketLog, NewTicket, NewTicketNote, Ticket, publish};
use crate::error::{AutotaskError, Result};
use crate::query::{Filter, Query};

/// The internal note added before Backupchecks closes a ticket (§6.3). Fixed text.
pub const RESOLVED_NOTE: &str =
    "Ticket resolved via Backupchecks after verification that the backup issue is no longer present.";

/// The internal note added instead of closing when the ticket has time entries (§6.2). Fixed text.
pub const TIME_ENTRIES_NOTE: &str =
    "Ticket marked as resolved in Backupchecks, but not closed automatically because time entries are present.";

/// The title of both notes.
pub const NOTE_TITLE: &str = "Backupchecks";

/// Status "Complete" on default tenants; prefer `TicketPicklists::complete_status()` of the tenant.
pub const DEFAULT_COMPLETE_STATUS: i64 = 5;

#[derive(Debug, Clone, PartialEq)]
pub struct ResolveOptions {
    /// The status that closes a ticket (and that counts as closed).
    pub complete_status: i64,
    /// `noteType` of the notes (1 task summary, 2 task detail, 3 task notes). Default 3.
    pub note_type: i64,
    /// `publish` of the notes: internal only ([`publish::INTERNAL_PROJECT_TEAM`]), never customer-facing.
    pub publish: i64,
}

impl Default for ResolveOptions {
    fn default() -> Self {
        ResolveOptions {
            complete_status: DEFAULT_COMPLETE_STATUS,
            note_type: 3,
            publish: publish::INTERNAL_PROJECT_TEAM,
        }
    }
}

/// A linked ticket as Autotask has it now (§9.3: validated on every ticket action).
#[derive(Debug, Clone, PartialEq)]
pub enum TicketState {
    Open(Ticket),
    /// Complete (or completed some other way: `completedDate` is set).
    Closed(Ticket),
    /// `GET Tickets/{id}` answered `{"item": null}`. `log` is the DeletedTicketLog when Autotask has one (then it
    /// was deleted; without one it is missing or out of the API user's reach). Either way: "Missing in Autotask".
    Deleted {
        ticket_id: i64,
        log: Option<DeletedTicketLog>,
    },
}

pub async fn ticket_state(client: &AutotaskClient, ticket_id: i64, complete_status: i64) -> Result<TicketState> {
    match client.ticket(ticket_id).await {
        Ok(t) if t.status == complete_status || t.completed_date.is_some() => Ok(TicketState::Closed(t)),
        Ok(t) => Ok(TicketState::Open(t)),
        Err(AutotaskError::NotFound { .. }) => {
            // The log is a confirmation only; without the right to read it, the ticket is still missing.
            let log = client.deleted_ticket_log(ticket_id).await.unwrap_or(None);
            Ok(TicketState::Deleted { ticket_id, log })
        }
        Err(e) => Err(e),
    }
}

/// What [`resolve_ticket`] did.
#[derive(Debug, Clone, PartialEq)]
pub enum ResolveOutcome {
    /// The [`RESOLVED_NOTE`] is on the ticket and its status is Complete. `note_id` is `None` when the note was
    /// already there (a retry after a failed status update).
    Resolved { ticket_id: i64, note_id: Option<i64> },
    /// Time entries exist: the [`TIME_ENTRIES_NOTE`] is on the ticket, which stays open for its owner.
    LeftOpen { ticket_id: i64, time_entries: u64, note_id: Option<i64> },
    /// Nothing done: the ticket was already closed.
    AlreadyClosed { ticket_id: i64, status: i64 },
    /// Nothing done: the ticket is gone; mark the link broken (§6B), keep it for audit.
    Deleted { ticket_id: i64, log: Option<DeletedTicketLog> },
}

/// Resolve from Backupchecks (§6): get the ticket (deleted? closed? -> nothing to do), count its time entries,
/// then either add [`RESOLVED_NOTE`] and set status Complete, or add [`TIME_ENTRIES_NOTE`] and leave it open.
///
/// Safe to retry: a fixed note already on the ticket is not added again, and a closed ticket is left alone.
/// A count of 0 time entries can be a false negative when the API user may not see non-billable entries.
pub async fn resolve_ticket(client: &AutotaskClient, ticket_id: i64, opts: &ResolveOptions) -> Result<ResolveOutcome> {
    let ticket = match ticket_state(client, ticket_id, opts.complete_status).await? {
        TicketState::Deleted { ticket_id, log } => return Ok(ResolveOutcome::Deleted { ticket_id, log }),
        TicketState::Closed(t) => return Ok(ResolveOutcome::AlreadyClosed { ticket_id, status: t.status }),
        TicketState::Open(t) => t,
    };
    let time_entries = client.count_time_entries(ticket.id).await?;
    let text = if time_entries > 0 { TIME_ENTRIES_NOTE } else { RESOLVED_NOTE };
    let note_id = add_note_once(client, ticket.id, text, opts).await?;
    if time_entries > 0 {
        return Ok(ResolveOutcome::LeftOpen { ticket_id, time_entries, note_id });
    }
    client.update_ticket_status(ticket.id, opts.complete_status).await?;
    Ok(ResolveOutcome::Resolved { ticket_id, note_id })
}

/// Adds an internal note with this text unless the ticket already has one; returns the new note's id.
async fn add_note_once(
    client: &AutotaskClient,
    ticket_id: i64,
    text: &str,
    opts: &ResolveOptions,
) -> Result<Option<i64>> {
    let notes = client.ticket_notes(ticket_id).await?;
    if notes.iter().any(|n| n.description.as_deref().is_some_and(|d| d.trim() == text)) {
        return Ok(None);
    }
    let note = NewTicketNote {
        title: NOTE_TITLE.into(),
        description: text.into(),
        note_type: opts.note_type,
        publish: opts.publish,
    };
    client.create_ticket_note(ticket_id, &note).await.map(Some)
}

/// The ticket Backupchecks created for this run, found by the run marker in its description.
///
/// Why: `POST Tickets` can time out after Autotask created the ticket. The run then has no ticket id, and
/// creating again would make a second ticket for the run (§4.2 forbids that). Before creating, and always after
/// a timeout, look the ticket up by the marker [`crate::content::ticket_description`] puts in every description.
/// The query is narrowed to the company (descriptions are not indexed; a company's tickets are few) and the
/// marker is checked exactly on the answer (`bc-run:12` must not match `bc-run:123`). The lowest id wins.
pub async fn find_ticket_for_run(
    client: &AutotaskClient,
    run_id: &str,
    company_id: Option<i64>,
) -> Result<Option<Ticket>> {
    let mut q = Query::new(Filter::contains("description", run_marker(run_id)));
    if let Some(c) = company_id {
        q = q.and(Filter::eq("companyID", c));
    }
    let mut found: Vec<Ticket> = client
        .tickets(&q)
        .await?
        .into_iter()
        .filter(|t| t.description.as_deref().is_some_and(|d| has_run_marker(d, run_id)))
        .collect();
    found.sort_by_key(|t| t.id);
    Ok(found.into_iter().next())
}

/// A ticket of a run and whether this call created it.
#[derive(Debug, Clone, PartialEq)]
pub struct RunTicket {
    pub ticket: Ticket,
    pub created: bool,
}

/// Creates the run's ticket unless it already exists ([`find_ticket_for_run`] first). The description must carry
/// the run marker (use [`crate::content::ticket_description`]). On [`AutotaskError::Timeout`] call this again
/// later: it finds the ticket if the timed-out create went through.
pub async fn create_ticket_for_run(client: &AutotaskClient, run_id: &str, ticket: &NewTicket) -> Result<RunTicket> {
    if !has_run_marker(&ticket.description, run_id) {
        return Err(AutotaskError::Validation(format!(
            "the ticket description must contain the run marker {}",
            run_marker(run_id)
        )));
    }
    if let Some(t) = find_ticket_for_run(client, run_id, Some(ticket.company_id)).await? {
        return Ok(RunTicket { ticket: t, created: false });
    }
    let id = client.create_ticket(ticket).await?;
    let t = client.ticket(id).await?;
    Ok(RunTicket { ticket: t, created: true })
}
