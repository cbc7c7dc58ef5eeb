//! The quarantine (admins): mails whose ingest kept failing, or that carry a
//! virus verdict. Each shows its reason, attempts and time; the admin
//! downloads the raw mail or releases it to be ingested again.

use bc_api_types::QuarantinedMail;
use yew::platform::spawn_local;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::api;
use crate::components::{ErrorView, Loading, PagerNav, Time};
use crate::hooks::{use_fetch, use_pager};
use crate::route::Route;
use crate::toast::use_notify;

#[component]
pub fn QuarantinePage() -> Html {
    let notify = use_notify();
    let pager = use_pager();
    let busy = use_state(|| false);
    let page = use_fetch(pager.cursor(), |cursor| async move { api::quarantine::page(cursor.as_deref()).await });
    let release = {
        let (busy, notify, reload) = (busy.clone(), notify.clone(), page.reload.clone());
        Callback::from(move |id: String| {
            busy.set(true);
            let (busy, notify, reload) = (busy.clone(), notify.clone(), reload.clone());
            spawn_local(async move {
                match api::quarantine::release(&id).await {
                    Ok(r) => match r.error {
                        Some(e) => notify.error(format!("Released, but the ingest failed again: {e}")),
                        None => notify.ok(format!("Released; the mail is now {}", r.state.as_str())),
                    },
                    Err(e) => notify.error(e),
                }
                busy.set(false);
                reload.emit(());
            });
        })
    };
    let body = match (&page.data, &page.error) {
        (_, Some(e)) => html! { <ErrorView error={e.clone()} onretry={Some(page.reload.clone())} /> },
        (None, None) => html! { <Loading what="the quarantine" /> },
        (Some(p), None) if p.items.is_empty() && pager.number() == 1 => html! {
            <div class="state empty" role="status">
                <h2>{ "No quarantined mails" }</h2>
                <p>{ "Mails whose ingest keeps failing, and mails with a virus verdict, show here." }</p>
            </div>
        },
        (Some(p), None) => html! {
            <div class="table-wrap">
                <table class="table quarantine">
                    <thead><tr>
                        <th scope="col">{ "Quarantined" }</th>
                        <th scope="col" class="hide-narrow">{ "From" }</th>
                        <th scope="col">{ "Subject" }</th>
                        <th scope="col">{ "Reason" }</th>
                        <th scope="col">{ "Attempts" }</th>
                        <th scope="col"><span class="sr-only">{ "Actions" }</span></th>
                    </tr></thead>
                    <tbody>{ for p.items.iter().map(|m| row(m, &release, *busy)) }</tbody>
                </table>
            </div>
        },
    };
    let next_cursor = page.data.as_ref().and_then(|p| p.next_cursor.clone());
    let (onprev, onnext) = pager.nav_callbacks(next_cursor.clone());
    html! {
        <section class="page">
            <div class="page-head">
                <h1>{ "Quarantine" }</h1>
                <div class="head-actions">
                    <Link<Route> to={Route::Inbox} classes="btn btn-ghost">{ "← Inbox" }</Link<Route>>
                </div>
            </div>
            <p class="hint">{ "Never parsed into runs until released. Release re-parses the mail now (for example after an upgrade); if it fails again it is retried and comes back here." }</p>
            { body }
            <PagerNav page={pager.number()} has_prev={pager.has_prev()} has_next={next_cursor.is_some()} {onprev} {onnext} />
        </section>
    }
}

fn row(m: &QuarantinedMail, release: &Callback<String>, busy: bool) -> Html {
    let onclick = {
        let (release, id) = (release.clone(), m.id.clone());
        Callback::from(move |_: MouseEvent| release.emit(id.clone()))
    };
    html! {
        <tr data-mail-id={m.id.clone()}>
            <td><Time at={m.quarantine.at} relative=true /></td>
            <td class="hide-narrow">{ &m.sender }</td>
            <td><Link<Route> to={Route::InboxMail { id: m.id.clone() }}>{ if m.subject.is_empty() { "(no subject)" } else { m.subject.as_str() } }</Link<Route>></td>
            <td>{ &m.quarantine.reason }</td>
            <td>{ m.quarantine.attempts }</td>
            <td class="actions">
                <a class="btn btn-small" href={api::inbox::mail_raw_url(&m.id)} download={format!("{}.eml", m.id)}>{ "Download .eml" }</a>
                <button class="btn btn-small btn-primary" disabled={busy} {onclick} data-testid="release">{ "Release" }</button>
            </td>
        </tr>
    }
}
