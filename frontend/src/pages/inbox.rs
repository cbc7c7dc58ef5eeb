//! The Inbox: mails whose job is not approved yet (or that no parser
//! understood), 50 a page, newest first; and, for admins, deleted mails.

use std::collections::HashSet;

use bc_api_types::{InboxItem, InboxPage as Page, Permission};
use yew::platform::spawn_local;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::api;
use crate::components::{ConfirmButton, ErrorView, Loading, MailUpload, PagerNav, StatusBadge, Time};
use crate::hooks::{use_fetch, use_pager};
use crate::route::Route;
use crate::session::use_session;
use crate::toast::use_notify;

#[derive(Properties, PartialEq)]
pub struct InboxProps {
    /// Show deleted mails (admins) instead of the Inbox.
    pub deleted: bool,
}

#[component]
pub fn InboxPage(props: &InboxProps) -> Html {
    let session = use_session();
    let notify = use_notify();
    let pager = use_pager();
    let selected = use_state(HashSet::<String>::new);
    let busy = use_state(|| false);
    let deleted = props.deleted;
    let page = use_fetch((pager.cursor(), deleted), |(cursor, deleted)| async move {
        if deleted {
            api::inbox::deleted_page(cursor.as_deref()).await
        } else {
            api::inbox::page(cursor.as_deref()).await
        }
    });

    // Runs an action on the selected mails (or all), then reloads.
    let run_action = {
        let (busy, notify, reload, selected) = (busy.clone(), notify.clone(), page.reload.clone(), selected.clone());
        move |action: Action| {
            let (busy, notify, reload, selected) = (busy.clone(), notify.clone(), reload.clone(), selected.clone());
            Callback::from(move |_: ()| {
                let ids: Vec<String> = selected.iter().cloned().collect();
                busy.set(true);
                let (busy, notify, reload, selected) = (busy.clone(), notify.clone(), reload.clone(), selected.clone());
                spawn_local(async move {
                    let result = match action {
                        Action::ReparseSelected => {
                            api::inbox::reparse(ids, false).await.map(|r| format!("Re-parsed {} mail(s)", r.reparsed))
                        }
                        Action::ReparseAll => api::inbox::reparse(Vec::new(), true)
                            .await
                            .map(|r| format!("Re-parsed {} mail(s), {} queued", r.reparsed, r.queued)),
                        Action::DeleteSelected => delete_all(&ids).await.map(|n| format!("Deleted {n} mail(s)")),
                        Action::RestoreSelected => restore_all(&ids).await.map(|n| format!("Restored {n} mail(s)")),
                    };
                    match result {
                        Ok(msg) => {
                            notify.ok(msg);
                            selected.set(HashSet::new());
                        }
                        Err(e) => notify.error(e),
                    }
                    busy.set(false);
                    reload.emit(());
                });
            })
        }
    };

    let toggle = {
        let selected = selected.clone();
        Callback::from(move |id: String| {
            let mut s = (*selected).clone();
            if !s.remove(&id) {
                s.insert(id);
            }
            selected.set(s);
        })
    };

    let none_selected = selected.is_empty() || *busy;
    let toolbar = if deleted {
        html! {
            if session.can(Permission::RestoreMail) {
                <button class="btn" disabled={none_selected} onclick={run_action(Action::RestoreSelected).reform(|_: MouseEvent| ())}>
                    { format!("Restore selected ({})", selected.len()) }
                </button>
            }
        }
    } else {
        html! {
            <>
                if session.can(Permission::Reparse) {
                    <button class="btn" disabled={none_selected} onclick={run_action(Action::ReparseSelected).reform(|_: MouseEvent| ())}>
                        { format!("Re-parse selected ({})", selected.len()) }
                    </button>
                    <ConfirmButton label="Re-parse all" confirm="Re-parse every Inbox mail?" class="btn"
                                   disabled={*busy} onconfirm={run_action(Action::ReparseAll)} />
                }
                if session.can(Permission::DeleteMail) {
                    <ConfirmButton label={format!("Delete selected ({})", selected.len())} confirm="Delete the selected mails?"
                                   disabled={none_selected} onconfirm={run_action(Action::DeleteSelected)} />
                }
            </>
        }
    };

    let body = match (&page.data, &page.error) {
        (_, Some(e)) => html! { <ErrorView error={e.clone()} onretry={Some(page.reload.clone())} /> },
        (None, None) => html! { <Loading what="the Inbox" /> },
        (Some(p), None) if p.items.is_empty() && pager.number() == 1 => html! {
            <div class="state empty" role="status">
                <h2>{ if deleted { "No deleted mails" } else { "The Inbox is empty" } }</h2>
                <p>{ if deleted { "Mails deleted from the Inbox show here, and can be restored." }
                     else { "Every report mail belongs to an approved job." } }</p>
            </div>
        },
        (Some(p), None) => list(p, &selected, &toggle, deleted),
    };
    let next_cursor = page.data.as_ref().and_then(|p| p.next_cursor.clone());
    let (onprev, onnext) = {
        // A selection belongs to the page it was made on.
        let (prev, next) = pager.nav_callbacks(next_cursor.clone());
        let (sel1, sel2) = (selected.clone(), selected.clone());
        (
            Callback::from(move |_| {
                sel1.set(HashSet::new());
                prev.emit(())
            }),
            Callback::from(move |_| {
                sel2.set(HashSet::new());
                next.emit(())
            }),
        )
    };
    html! {
        <section class="page">
            <div class="page-head">
                <h1>{ if deleted { "Deleted mails" } else { "Inbox" } }</h1>
                <div class="head-actions">
                    if !deleted && session.can(Permission::ManageQuarantine) {
                        <Link<Route> to={Route::Quarantine} classes="btn btn-ghost">{ "Quarantine" }</Link<Route>>
                    }
                    if session.can(Permission::ViewDeletedMail) {
                        if deleted {
                            <Link<Route> to={Route::Inbox} classes="btn btn-ghost">{ "← Inbox" }</Link<Route>>
                        } else {
                            <Link<Route> to={Route::DeletedMails} classes="btn btn-ghost">{ "Deleted mails" }</Link<Route>>
                        }
                    }
                </div>
            </div>
            <p class="hint">{ if deleted { "Newest first, 50 a page." }
                              else { "Approve a mail's job once; later mails of that job become runs by themselves. Newest first, 50 a page." } }</p>
            <div class="toolbar" role="toolbar" aria-label="Inbox actions">{ toolbar }</div>
            { body }
            <PagerNav page={pager.number()} has_prev={pager.has_prev()} has_next={next_cursor.is_some()} {onprev} {onnext} />
            if !deleted && session.can(Permission::IngestMail) {
                <MailUpload ondone={page.reload.clone()} />
            }
        </section>
    }
}

#[derive(Clone, Copy)]
enum Action {
    ReparseSelected,
    ReparseAll,
    DeleteSelected,
    RestoreSelected,
}

async fn delete_all(ids: &[String]) -> Result<usize, api::ApiError> {
    for id in ids {
        api::inbox::delete(id).await?;
    }
    Ok(ids.len())
}

async fn restore_all(ids: &[String]) -> Result<usize, api::ApiError> {
    for id in ids {
        api::inbox::restore(id).await?;
    }
    Ok(ids.len())
}

fn list(page: &Page, selected: &HashSet<String>, toggle: &Callback<String>, deleted: bool) -> Html {
    html! {
        <div class="table-wrap">
            <table class="table inbox">
                <thead><tr>
                    <th scope="col"><span class="sr-only">{ "Select" }</span></th>
                    <th scope="col">{ "Received" }</th>
                    <th scope="col" class="hide-narrow">{ "From" }</th>
                    <th scope="col">{ "Subject" }</th>
                    <th scope="col">{ "Job" }</th>
                    <th scope="col">{ if deleted { "Deleted" } else { "Status" } }</th>
                </tr></thead>
                <tbody>{ for page.items.iter().map(|m| row(m, selected.contains(&m.id), toggle, deleted)) }</tbody>
            </table>
        </div>
    }
}

fn row(m: &InboxItem, checked: bool, toggle: &Callback<String>, deleted: bool) -> Html {
    let on_check = {
        let (toggle, id) = (toggle.clone(), m.id.clone());
        Callback::from(move |_| toggle.emit(id.clone()))
    };
    let job = match (&m.software, &m.job_name) {
        (Some(s), Some(j)) => {
            html! { <>{ j }<div class="muted">{ format!("{s} · {}", m.job_type.clone().unwrap_or_default()) }</div></> }
        }
        _ => {
            html! { <span class="parse-error">{ format!("Not understood: {}", m.parse_error.clone().unwrap_or_else(|| "no parser matched".into())) }</span> }
        }
    };
    let last = if deleted {
        match (&m.deleted_at, &m.deleted_by) {
            (Some(at), by) => {
                html! { <><Time at={*at} relative=true />{ by.clone().map(|b| format!(" by {b}")).unwrap_or_default() }</> }
            }
            _ => html! {},
        }
    } else {
        match m.status {
            Some(s) => html! { <StatusBadge status={s} /> },
            None => html! { <span class="muted">{ "—" }</span> },
        }
    };
    html! {
        <tr data-mail-id={m.id.clone()}>
            <td><input type="checkbox" checked={checked} onchange={on_check} aria-label={format!("Select {}", m.subject)} /></td>
            <td><Time at={m.received_at} relative=true /></td>
            <td class="hide-narrow">{ &m.sender }</td>
            <td><Link<Route> to={Route::InboxMail { id: m.id.clone() }}>{ if m.subject.is_empty() { "(no subject)" } else { m.subject.as_str() } }</Link<Route>></td>
            <td>{ job }</td>
            <td>{ last }
                if m.held.is_some() { <span class="badge badge-warning" title={m.held.clone().unwrap_or_default()}>{ " held" }</span> }
                else if m.auth_failed { <span class="badge badge-warning">{ " failed authentication" }</span> }
            </td>
        </tr>
    }
}
