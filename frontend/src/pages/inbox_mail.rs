//! One Inbox mail: what the parser made of it, its objects and the mail
//! itself; approve its job for a customer, re-parse, delete or restore.

use std::future::Future;
use std::pin::Pin;

use bc_api_types::{Customer, MailDetail, MailState, Permission};
use yew::platform::spawn_local;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::api;
use crate::components::{
    ConfirmButton, CustomerPicker, ErrorView, Loading, MailBody, ObjectsTable, ReportSummary, Time,
};
use crate::hooks::use_fetch;
use crate::route::Route;
use crate::session::use_session;
use crate::toast::use_notify;

#[derive(Properties, PartialEq)]
pub struct InboxMailProps {
    pub id: String,
}

#[component]
pub fn InboxMailPage(props: &InboxMailProps) -> Html {
    let mail = use_fetch(props.id.clone(), |id| async move { api::inbox::detail(&id).await });
    let body = match (&mail.data, &mail.error) {
        (_, Some(e)) => html! { <ErrorView error={e.clone()} onretry={Some(mail.reload.clone())} /> },
        (None, None) => html! { <Loading what="the mail" /> },
        (Some(m), None) => html! { <MailDetailView mail={(**m).clone()} reload={mail.reload.clone()} /> },
    };
    html! {
        <section class="page">
            <p class="crumbs"><Link<Route> to={Route::Inbox}>{ "← Inbox" }</Link<Route>></p>
            { body }
        </section>
    }
}

type Pending = Pin<Box<dyn Future<Output = Result<String, api::ApiError>>>>;

#[derive(Properties, PartialEq)]
struct DetailProps {
    mail: MailDetail,
    reload: Callback<()>,
}

#[component]
fn MailDetailView(props: &DetailProps) -> Html {
    let session = use_session();
    let notify = use_notify();
    let navigator = use_navigator();
    let customer = use_state(|| None::<Customer>);
    let busy = use_state(|| false);
    let m = &props.mail;
    let report = m.parse.report.clone();

    let approve = {
        let (customer, busy, notify, navigator, id) =
            (customer.clone(), busy.clone(), notify.clone(), navigator.clone(), m.id.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let Some(c) = (*customer).clone() else {
                notify.error("Choose a customer first (or type a new name and pick “Create customer”).");
                return;
            };
            busy.set(true);
            let (busy, notify, navigator, id) = (busy.clone(), notify.clone(), navigator.clone(), id.clone());
            spawn_local(async move {
                match api::inbox::approve(&id, &c.id).await {
                    Ok(r) => {
                        let more = if r.also_processed > 0 {
                            format!(" ({} more mail(s) of this job processed)", r.also_processed)
                        } else {
                            String::new()
                        };
                        notify.ok(format!("Approved {} for {}{more}", r.job.job_name, r.job.customer_name));
                        if let Some(n) = navigator {
                            n.push(&Route::Inbox);
                        }
                    }
                    Err(e) => notify.error(e),
                }
                busy.set(false);
            });
        })
    };
    // One mail action: run it, tell the outcome, then reload or go back.
    let simple = |work: fn(String) -> Pending, back: bool| {
        let (busy, notify, navigator, reload, id) =
            (busy.clone(), notify.clone(), navigator.clone(), props.reload.clone(), m.id.clone());
        Callback::from(move |_: ()| {
            busy.set(true);
            let (busy, notify, navigator, reload, id) =
                (busy.clone(), notify.clone(), navigator.clone(), reload.clone(), id.clone());
            spawn_local(async move {
                match work(id).await {
                    Ok(msg) => {
                        notify.ok(msg);
                        match (&navigator, back) {
                            (Some(n), true) => n.push(&Route::Inbox),
                            _ => reload.emit(()),
                        }
                    }
                    Err(e) => notify.error(e),
                }
                busy.set(false);
            });
        })
    };
    let reparse = simple(
        |id| {
            Box::pin(
                async move { api::inbox::reparse(vec![id], false).await.map(|_| "Re-parsed the mail".to_string()) },
            )
        },
        false,
    );
    let delete = simple(
        |id| {
            Box::pin(
                async move { api::inbox::delete(&id).await.map(|_| "Mail deleted; admins can restore it".to_string()) },
            )
        },
        true,
    );
    let process = simple(
        |id| {
            Box::pin(async move {
                api::quarantine::process_held(&id)
                    .await
                    .map(|_| "Processed: the mail is now a run of its job".to_string())
            })
        },
        false,
    );
    let release = simple(
        |id| {
            Box::pin(async move {
                api::quarantine::release(&id).await.map(|r| match r.error {
                    Some(e) => format!("Released, but the ingest failed again: {e}"),
                    None => format!("Released; the mail is now {}", r.state.as_str()),
                })
            })
        },
        false,
    );
    let restore = simple(
        |id| Box::pin(async move { api::inbox::restore(&id).await.map(|_| "Mail restored to the Inbox".to_string()) }),
        false,
    );

    let in_inbox = matches!(m.state, MailState::Inbox | MailState::Received);
    let state_note = match m.state {
        MailState::Processed => html! {
            <p class="alert alert-info">{ "This mail's job is approved; the mail became a run. " }
                if let Some(run) = &m.run_id { <Link<Route> to={Route::Run { id: run.clone() }}>{ "Open the run" }</Link<Route>> }
            </p>
        },
        MailState::Deleted => html! {
            <p class="alert alert-warn">{ "Deleted" }
                if let Some(at) = m.deleted_at { { " " }<Time at={at} relative=true /> }
                { m.deleted_by.clone().map(|b| format!(" by {b}")).unwrap_or_default() }
                { ". Admins can restore it to the Inbox." }
            </p>
        },
        MailState::Quarantined => html! {
            <p class="alert alert-error" data-testid="quarantined">{ "Quarantined" }
                if let Some(q) = &m.quarantine { { format!(": {} ", q.reason) }<Time at={q.at} relative=true /> }
                { ". It is not parsed into runs until an admin releases it." }
            </p>
        },
        _ => html! {},
    };
    let held_note = match &m.held {
        Some(why) if in_inbox => html! {
            <p class="alert alert-warn" data-testid="held">
                { format!("Held: {why}. It did not become a run of its approved job by itself.") }
            </p>
        },
        _ if m.auth_failed => html! { <p class="alert alert-warn">{ "This mail failed authentication." }</p> },
        _ => html! {},
    };
    let verdicts = m.verdicts.as_ref().map(|v| html! {
        <p class="verdicts muted" data-testid="verdicts">
            { format!("Spam {} · Virus {} · SPF {} · DKIM {} · DMARC {}", v.spam.as_str(), v.virus.as_str(),
                      v.spf.as_str(), v.dkim.as_str(), v.dmarc.as_str()) }
            { v.source.clone().map(|s| format!(" (from {s})")).unwrap_or_else(|| " (no trusted receiving server)".into()) }
        </p>
    });
    let parse = match (&report, m.parse.ok) {
        (Some(r), true) => html! { <ReportSummary report={r.clone()} /> },
        _ => html! {
            <p class="alert alert-error">
                { format!("No parser understood this mail: {}", m.parse.error.clone().unwrap_or_else(|| "unknown format".into())) }
            </p>
        },
    };
    let can_approve = in_inbox && m.parse.ok && session.can(Permission::Approve);
    let set_customer = {
        let customer = customer.clone();
        Callback::from(move |c: Option<Customer>| customer.set(c))
    };

    html! {
        <>
            <h1 class="subject">{ if m.subject.is_empty() { "(no subject)" } else { m.subject.as_str() } }</h1>
            { state_note }
            { held_note }
            { verdicts }
            <div class="actions-row">
                if in_inbox && m.held.is_some() && session.can(Permission::Approve) {
                    <ConfirmButton label="Process anyway" confirm="Make this mail a run of its approved job although it failed authentication?"
                                   disabled={*busy} onconfirm={process} />
                }
                if m.state == MailState::Quarantined && session.can(Permission::ManageQuarantine) {
                    <button class="btn btn-primary" disabled={*busy} onclick={release.reform(|_: MouseEvent| ())}>{ "Release and re-parse" }</button>
                }
                if in_inbox && session.can(Permission::Reparse) {
                    <button class="btn" disabled={*busy} onclick={reparse.reform(|_: MouseEvent| ())}>{ "Re-parse" }</button>
                }
                if in_inbox && session.can(Permission::DeleteMail) {
                    <ConfirmButton label="Delete" confirm="Delete this mail?" disabled={*busy} onconfirm={delete} />
                }
                if m.state == MailState::Deleted && session.can(Permission::RestoreMail) {
                    <button class="btn btn-primary" disabled={*busy} onclick={restore.reform(|_: MouseEvent| ())}>{ "Restore to Inbox" }</button>
                }
            </div>
            if can_approve {
                <form class="card approve" onsubmit={approve} aria-labelledby="approve-title">
                    <h2 id="approve-title">{ "Approve this job" }</h2>
                    <p class="muted">{ "Assign the job to a customer. This mail and later mails of the job become runs in Run Checks." }</p>
                    <label for="approve-customer">{ "Customer" }</label>
                    <div class="approve-row">
                        <CustomerPicker id="approve-customer" onselect={set_customer} />
                        <button class="btn btn-primary" type="submit" disabled={*busy || customer.is_none()} data-testid="approve">
                            { match &*customer { Some(c) => format!("Approve for {}", c.name), None => "Approve".to_string() } }
                        </button>
                    </div>
                </form>
            }
            <div class="grid-2">
                <section aria-labelledby="parse-title">
                    <h2 id="parse-title">{ "Parse result" }</h2>
                    { parse }
                </section>
                <section aria-labelledby="objects-title">
                    <h2 id="objects-title">{ "Objects" }</h2>
                    <ObjectsTable objects={report.as_ref().map(|r| r.objects.clone()).unwrap_or_default()} />
                </section>
            </div>
            <section aria-labelledby="mail-title">
                <h2 id="mail-title">{ "Mail" }</h2>
                <MailBody mail={m.clone()} />
            </section>
        </>
    }
}
