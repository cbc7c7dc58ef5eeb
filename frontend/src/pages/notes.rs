//! Remarks and tickets: in the run detail, the job's active remarks and open
//! tickets with Create, Edit, Resolve and (admins) Delete, and the reminder
//! to mark the run reviewed afterwards; on the job page, the job's remarks
//! and tickets with the resolved ones.

use std::future::Future;

use bc_api_types::{Permission, Remark, Ticket};
use web_sys::{HtmlInputElement, HtmlTextAreaElement};
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::api::{self, ApiError};
use crate::components::{ConfirmButton, ErrorView, Loading, Time};
use crate::hooks::use_fetch;
use crate::session::use_session;
use crate::toast::{Notify, use_notify};

/// Runs one change: busy while it runs, a toast with the outcome, and
/// `done` when it succeeded.
fn act<F>(busy: &UseStateHandle<bool>, notify: &Notify, done: Callback<()>, ok: &'static str, fut: F)
where
    F: Future<Output = Result<(), ApiError>> + 'static,
{
    if **busy {
        return;
    }
    busy.set(true);
    let (busy, notify) = (busy.clone(), notify.clone());
    spawn_local(async move {
        let result = fut.await;
        busy.set(false);
        match result {
            Ok(()) => {
                notify.ok(ok);
                done.emit(());
            }
            Err(e) => notify.error(e),
        }
    });
}

#[derive(Properties, PartialEq)]
pub struct RunNotesProps {
    pub job_id: String,
    pub run_id: String,
    /// The job's active remarks.
    pub remarks: Vec<Remark>,
    /// The job's open tickets.
    pub tickets: Vec<Ticket>,
    /// The run is reviewed already (no reminder then).
    pub reviewed: bool,
    /// Something changed: reload the detail.
    pub onchange: Callback<()>,
}

/// The remarks and tickets section of the run detail.
#[component]
pub fn RunNotes(props: &RunNotesProps) -> Html {
    let session = use_session();
    let notify = use_notify();
    let busy = use_state(|| false);
    // Set after a remark or ticket is created: the seed's "Always Mark as
    // Reviewed" — otherwise the run stays in Run Checks.
    let reminder = use_state(|| false);
    let editing = use_state(|| None::<String>);
    let remark_ref = use_node_ref();
    let edit_ref = use_node_ref();
    let number_ref = use_node_ref();
    let url_ref = use_node_ref();
    let can_remark = session.can(Permission::ManageRemarks);
    let can_ticket = session.can(Permission::ManageTickets);
    let can_delete = session.can(Permission::DeleteTickets);
    let run_has_ticket = props.tickets.iter().any(|t| t.run_id == props.run_id);
    let settings = use_fetch((), |_| async { api::settings::get().await });
    let mode = settings.data.as_ref().and_then(|s| s.tickets.clone());
    let autotask = mode.as_ref().is_some_and(|m| m.autotask);
    let manual = mode.as_ref().is_none_or(|m| m.manual);
    let autotask_resolve = mode.as_ref().is_some_and(|m| m.autotask_resolve);
    let link_ref = use_node_ref();
    // While the worker has an Autotask ticket, look again shortly.
    {
        let pending = props.tickets.iter().any(|t| t.autotask.as_ref().is_some_and(|a| a.pending.is_some()));
        let onchange = props.onchange.clone();
        use_effect_with((pending, props.tickets.clone()), move |(pending, _)| {
            let timer = pending.then(|| gloo_timers::callback::Timeout::new(1_200, move || onchange.emit(())));
            move || drop(timer)
        });
    }

    let created = {
        let (reminder, onchange) = (reminder.clone(), props.onchange.clone());
        Callback::from(move |_| {
            reminder.set(true);
            onchange.emit(());
        })
    };
    let create_autotask = {
        let (busy, notify, done, run) = (busy.clone(), notify.clone(), created.clone(), props.run_id.clone());
        Callback::from(move |_| {
            let run = run.clone();
            act(&busy, &notify, done.clone(), "Creating the Autotask ticket…", async move {
                api::autotask::create_ticket(&run).await.map(|_| ())
            });
        })
    };
    let link_autotask = {
        let (busy, notify, done, run, node) =
            (busy.clone(), notify.clone(), created.clone(), props.run_id.clone(), link_ref.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let Some(input) = node.cast::<HtmlInputElement>() else { return };
            let number = input.value();
            let run = run.clone();
            act(&busy, &notify, done.clone(), "Autotask ticket linked", async move {
                api::autotask::link_ticket(&run, number).await?;
                input.set_value("");
                Ok(())
            });
        })
    };
    let create_remark = {
        let (busy, notify, done) = (busy.clone(), notify.clone(), created.clone());
        let (node, job, run) = (remark_ref.clone(), props.job_id.clone(), props.run_id.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let Some(input) = node.cast::<HtmlTextAreaElement>() else { return };
            let text = input.value();
            let (job, run) = (job.clone(), run.clone());
            act(&busy, &notify, done.clone(), "Remark created", async move {
                api::notes::create_remark(&job, text, Some(run)).await?;
                input.set_value("");
                Ok(())
            });
        })
    };
    let create_ticket = {
        let (busy, notify, done) = (busy.clone(), notify.clone(), created.clone());
        let (number_ref, url_ref, job, run) =
            (number_ref.clone(), url_ref.clone(), props.job_id.clone(), props.run_id.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let (Some(number), Some(url)) = (number_ref.cast::<HtmlInputElement>(), url_ref.cast::<HtmlInputElement>())
            else {
                return;
            };
            let (n, u) = (number.value(), url.value());
            let u = (!u.trim().is_empty()).then_some(u);
            let (job, run) = (job.clone(), run.clone());
            act(&busy, &notify, done.clone(), "Ticket created", async move {
                api::notes::create_ticket(&job, run, n, u).await?;
                number.set_value("");
                url.set_value("");
                Ok(())
            });
        })
    };
    let save_edit = {
        let (busy, notify, editing, node) = (busy.clone(), notify.clone(), editing.clone(), edit_ref.clone());
        let onchange = props.onchange.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let (Some(id), Some(input)) = ((*editing).clone(), node.cast::<HtmlTextAreaElement>()) else { return };
            let text = input.value();
            let editing = editing.clone();
            act(&busy, &notify, onchange.clone(), "Remark saved", async move {
                api::notes::edit_remark(&id, text).await?;
                editing.set(None);
                Ok(())
            });
        })
    };

    let remark_row = |r: &Remark| {
        let may_edit = can_remark && (r.author == session.me.username || session.can(Permission::EditAnyRemark));
        let resolve = {
            let (busy, notify, done, id) = (busy.clone(), notify.clone(), props.onchange.clone(), r.id.clone());
            Callback::from(move |_| {
                let id = id.clone();
                act(&busy, &notify, done.clone(), "Remark resolved", async move {
                    api::notes::resolve_remark(&id).await.map(|_| ())
                });
            })
        };
        let start_edit = {
            let (editing, id) = (editing.clone(), r.id.clone());
            Callback::from(move |_| editing.set(Some(id.clone())))
        };
        let cancel_edit = {
            let editing = editing.clone();
            Callback::from(move |_| editing.set(None))
        };
        let here = r.run_id.as_deref() == Some(props.run_id.as_str());
        html! {
            <li class="note" data-remark-id={r.id.clone()}>
                if editing.as_deref() == Some(r.id.as_str()) {
                    <form class="note-form" onsubmit={save_edit.clone()} aria-label="Edit remark">
                        <textarea ref={edit_ref.clone()} rows="3" maxlength="10000" value={r.text.clone()}
                                  aria-label="Remark text" required=true />
                        <div class="note-actions">
                            <button class="btn btn-primary btn-small" type="submit" disabled={*busy}>{ "Save" }</button>
                            <button class="btn btn-small" type="button" onclick={cancel_edit}>{ "Cancel" }</button>
                        </div>
                    </form>
                } else {
                    <p class="note-text">{ "💬 " }{ &r.text }</p>
                    <p class="muted note-meta">
                        { format!("{}{} · ", r.author, if here { ", on this run" } else { "" }) }
                        <Time at={r.created_at} relative=true />
                        if let Some(by) = &r.edited_by { { format!(" · edited by {by}") } }
                    </p>
                    <div class="note-actions">
                        if may_edit {
                            <button class="btn btn-small" onclick={start_edit} disabled={*busy}>{ "Edit" }</button>
                        }
                        if can_remark {
                            <button class="btn btn-small" onclick={resolve} disabled={*busy}>{ "Resolve" }</button>
                        }
                    </div>
                }
            </li>
        }
    };
    let ticket_row = |t: &Ticket| {
        let resolve = {
            let (busy, notify, done, id) = (busy.clone(), notify.clone(), props.onchange.clone(), t.id.clone());
            Callback::from(move |_| {
                let id = id.clone();
                act(&busy, &notify, done.clone(), "Ticket resolved", async move {
                    api::notes::resolve_ticket(&id).await.map(|_| ())
                });
            })
        };
        let delete = {
            let (busy, notify, done, id) = (busy.clone(), notify.clone(), props.onchange.clone(), t.id.clone());
            Callback::from(move |_| {
                let id = id.clone();
                act(
                    &busy,
                    &notify,
                    done.clone(),
                    "Ticket deleted",
                    async move { api::notes::delete_ticket(&id).await },
                );
            })
        };
        let here = t.run_id == props.run_id;
        let at = t.autotask.clone();
        let resolve_at = {
            let (busy, notify, done, id) = (busy.clone(), notify.clone(), props.onchange.clone(), t.id.clone());
            Callback::from(move |_| {
                let id = id.clone();
                act(&busy, &notify, done.clone(), "Resolving in Autotask…", async move {
                    api::autotask::resolve_ticket(&id).await.map(|_| ())
                });
            })
        };
        let check_at = {
            let (busy, notify, done, id) = (busy.clone(), notify.clone(), props.onchange.clone(), t.id.clone());
            Callback::from(move |_| {
                let id = id.clone();
                act(&busy, &notify, done.clone(), "Checked in Autotask", async move {
                    api::autotask::check_ticket(&id).await.map(|_| ())
                });
            })
        };
        let linked = at.as_ref().is_some_and(|a| a.ticket_id.is_some() && a.pending.is_none());
        html! {
            <li class="note" data-ticket-id={t.id.clone()}>
                if let Some(a) = &at {
                    <p class="muted note-meta" data-testid="autotask-state">
                        { match (a.pending.as_deref(), a.state) {
                            (Some("create"), _) => "Autotask: creating…".to_string(),
                            (Some(_), _) => "Autotask: resolving…".to_string(),
                            (None, bc_api_types::PsaTicketState::Deleted) => "Deleted in Autotask".to_string(),
                            (None, bc_api_types::PsaTicketState::Failed) => "Autotask: not created".to_string(),
                            (None, _) => format!("Autotask{}", a.status_label.as_ref().map(|l| format!(": {l}")).unwrap_or_default()),
                        } }
                        if let Some(e) = &a.error { { format!(" — {e}") } }
                        if let Some(n) = &a.note { { format!(" — {n}") } }
                    </p>
                }
                <p class="note-text">
                    { "🎫 " }
                    if let Some(url) = &t.url {
                        <a href={url.clone()} target="_blank" rel="noopener noreferrer">{ &t.number }</a>
                    } else { { &t.number } }
                </p>
                <p class="muted note-meta">
                    { format!("{}{} · ", t.created_by, if here { ", for this run" } else { "" }) }
                    <Time at={t.created_at} relative=true />
                </p>
                <div class="note-actions">
                    if can_ticket && at.is_none() {
                        <button class="btn btn-small" onclick={resolve} disabled={*busy}>{ "Resolve" }</button>
                    }
                    if can_ticket && linked && autotask_resolve {
                        <button class="btn btn-small" onclick={resolve_at} disabled={*busy} data-testid="autotask-resolve">
                            { "Resolve in Autotask" }
                        </button>
                    }
                    if can_ticket && linked && autotask {
                        <button class="btn btn-small btn-ghost" onclick={check_at} disabled={*busy}>{ "Check" }</button>
                    }
                    if can_delete {
                        <ConfirmButton label="Delete" confirm="Delete this ticket?" onconfirm={delete}
                                       disabled={*busy} class="btn btn-danger btn-small" />
                    }
                </div>
            </li>
        }
    };

    html! {
        <section class="notes" aria-labelledby="run-notes">
            <h3 id="run-notes">{ "Remarks and tickets" }</h3>
            if *reminder && !props.reviewed {
                <p class="reminder" role="status" data-testid="review-reminder">
                    { "Now mark the run as reviewed — otherwise it stays in Run Checks and can show the wrong status tomorrow." }
                </p>
            }
            <div class="grid-2">
                <div>
                    <h4>{ format!("Active remarks ({})", props.remarks.len()) }</h4>
                    if props.remarks.is_empty() { <p class="muted">{ "None." }</p> }
                    <ul class="note-list" aria-label="Active remarks">{ for props.remarks.iter().map(remark_row) }</ul>
                    if can_remark {
                        <form class="note-form" onsubmit={create_remark} aria-label="Create remark">
                            <label for="new-remark">{ "Create remark" }</label>
                            <textarea id="new-remark" ref={remark_ref} rows="3" maxlength="10000" required=true
                                      placeholder="What is going on with this job?" data-testid="remark-text" />
                            <button class="btn btn-small" type="submit" disabled={*busy} data-testid="create-remark">
                                { "Create remark" }
                            </button>
                        </form>
                    }
                </div>
                <div>
                    <h4>{ format!("Open tickets ({})", props.tickets.len()) }</h4>
                    if props.tickets.is_empty() { <p class="muted">{ "None." }</p> }
                    <ul class="note-list" aria-label="Open tickets">{ for props.tickets.iter().map(ticket_row) }</ul>
                    if can_ticket && !run_has_ticket && autotask {
                        <button class="btn btn-small btn-primary" onclick={create_autotask} disabled={*busy} data-testid="create-autotask-ticket">
                            { "Create Autotask ticket" }
                        </button>
                        <form class="note-form" onsubmit={link_autotask} aria-label="Link existing Autotask ticket">
                            <input ref={link_ref} maxlength="64" required=true placeholder="Existing ticket number"
                                   aria-label="Existing Autotask ticket number" />
                            <button class="btn btn-small" type="submit" disabled={*busy}>{ "Link existing Autotask ticket" }</button>
                        </form>
                    }
                    if can_ticket && !run_has_ticket && manual {
                        <form class="note-form" onsubmit={create_ticket} aria-label="Create ticket">
                            <label for="new-ticket-number">{ "Create ticket for this run" }</label>
                            <input id="new-ticket-number" ref={number_ref} maxlength="64" required=true
                                   placeholder="Ticket number" data-testid="ticket-number" />
                            <input ref={url_ref} type="url" maxlength="2000" placeholder="https://… (optional)"
                                   aria-label="Ticket URL" data-testid="ticket-url" />
                            <button class="btn btn-small" type="submit" disabled={*busy} data-testid="create-ticket">
                                { "Create ticket" }
                            </button>
                        </form>
                    }
                </div>
            </div>
        </section>
    }
}

#[derive(Properties, PartialEq)]
pub struct JobNotesProps {
    pub job_id: String,
}

/// The job page's remarks and tickets, resolved ones included.
#[component]
pub fn JobNotes(props: &JobNotesProps) -> Html {
    let remarks = use_fetch(props.job_id.clone(), |id| async move { api::notes::job_remarks(&id).await });
    let tickets = use_fetch(props.job_id.clone(), |id| async move { api::notes::job_tickets(&id).await });
    let state = |active: bool, at: Option<chrono::DateTime<chrono::Utc>>, by: &Option<String>, open_word: &str| match (
        active, at,
    ) {
        (true, _) | (false, None) => html! { <strong>{ open_word.to_string() }</strong> },
        (false, Some(t)) => {
            html! { <>{ format!("Resolved by {} · ", by.clone().unwrap_or_default()) }<Time at={t} /></> }
        }
    };
    let remark_list = match (&remarks.data, &remarks.error) {
        (_, Some(e)) => html! { <ErrorView error={e.clone()} onretry={Some(remarks.reload.clone())} /> },
        (None, None) => html! { <Loading what="the remarks" /> },
        (Some(l), None) if l.items.is_empty() => html! { <p class="muted">{ "No remarks." }</p> },
        (Some(l), None) => html! {
            <div class="table-wrap"><table class="table" aria-label="Remarks">
                <thead><tr><th>{ "Remark" }</th><th>{ "By" }</th><th>{ "Written" }</th><th>{ "State" }</th></tr></thead>
                <tbody>{ for l.items.iter().map(|r| html! {
                    <tr data-remark-id={r.id.clone()}>
                        <td class="note-text">{ &r.text }</td>
                        <td>{ &r.author }</td>
                        <td><Time at={r.created_at} /></td>
                        <td>{ state(r.active, r.resolved_at, &r.resolved_by, "💬 Active") }</td>
                    </tr>
                }) }</tbody>
            </table></div>
        },
    };
    let ticket_list = match (&tickets.data, &tickets.error) {
        (_, Some(e)) => html! { <ErrorView error={e.clone()} onretry={Some(tickets.reload.clone())} /> },
        (None, None) => html! { <Loading what="the tickets" /> },
        (Some(l), None) if l.items.is_empty() => html! { <p class="muted">{ "No tickets." }</p> },
        (Some(l), None) => html! {
            <div class="table-wrap"><table class="table" aria-label="Tickets">
                <thead><tr><th>{ "Ticket" }</th><th>{ "By" }</th><th>{ "Created" }</th><th>{ "State" }</th></tr></thead>
                <tbody>{ for l.items.iter().map(|t| html! {
                    <tr data-ticket-id={t.id.clone()}>
                        <td>
                            if let Some(url) = &t.url {
                                <a href={url.clone()} target="_blank" rel="noopener noreferrer">{ &t.number }</a>
                            } else { { &t.number } }
                        </td>
                        <td>{ &t.created_by }</td>
                        <td><Time at={t.created_at} /></td>
                        <td>
                            { state(t.open, t.resolved_at, &t.resolved_by, "🎫 Open") }
                            if t.autotask.as_ref().is_some_and(|a| a.state == bc_api_types::PsaTicketState::Deleted) {
                                <span class="tag">{ "Deleted in Autotask" }</span>
                            }
                        </td>
                    </tr>
                }) }</tbody>
            </table></div>
        },
    };
    html! {
        <>
            <h2>{ "Remarks" }</h2>
            { remark_list }
            <h2>{ "Tickets" }</h2>
            { ticket_list }
        </>
    }
}
