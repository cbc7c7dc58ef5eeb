//! Settings → Extensions & Integrations → Autotask (admins, seed 003 §7):
//! enable, environment, credentials (write-only: blank keeps them), the
//! Backupchecks base URL, ticket defaults from Autotask's reference data,
//! resolve and compatibility switches, API logging; Test connection,
//! Validate configuration and Load reference data with their findings.

use bc_api_types::{AutotaskCheck, AutotaskSettings, PicklistEntry, UpdateAutotaskSettings};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::platform::spawn_local;
use yew::prelude::*;

use super::SettingsTabs;
use crate::api::{self, ApiError};
use crate::components::{ErrorView, Loading, Time};
use crate::hooks::{set_value, use_fetch};
use crate::route::Route;
use crate::toast::use_notify;

fn options(list: &[PicklistEntry], chosen: Option<i64>) -> Html {
    html! {
        <>
            <option value="" selected={chosen.is_none()}>{ "—" }</option>
            { for list.iter().filter(|e| e.active || Some(e.id) == chosen).map(|e| html! {
                <option value={e.id.to_string()} selected={Some(e.id) == chosen}>
                    { if e.active { e.label.clone() } else { format!("{} (inactive)", e.label) } }
                </option>
            }) }
        </>
    }
}

#[component]
pub fn IntegrationsPage() -> Html {
    let notify = use_notify();
    let settings = use_fetch((), |_| async { api::autotask::settings().await });
    let shown = use_state(|| None::<AutotaskSettings>);
    let check = use_state(|| None::<(String, AutotaskCheck)>);
    let busy = use_state(|| false);
    let refs: Vec<NodeRef> = (0..15).map(|_| NodeRef::default()).collect();
    let refs = use_memo((), move |_| refs);
    // 0 enabled, 1 environment, 2 base_url, 3 username, 4 password, 5 tracking id, 6 queue, 7 source,
    // 8 status, 9 priority warning, 10 priority failed, 11 allow resolve, 12 compatibility, 13 log level
    {
        let (setter, refs) = (shown.clone(), refs.clone());
        use_effect_with(settings.data.clone(), move |d| {
            if let Some(s) = d.as_ref() {
                setter.set(Some((**s).clone()));
            }
        });
        let data = (*shown).clone();
        use_effect_with(data, move |d| {
            if let Some(s) = d {
                for (i, on) in [(0, s.enabled), (11, s.allow_resolve), (12, s.compatibility_mode)] {
                    if let Some(c) = refs[i].cast::<HtmlInputElement>() {
                        c.set_checked(on);
                    }
                }
                set_value(&refs[1], &s.environment);
                set_value(&refs[2], &s.base_url);
                set_value(&refs[13], &s.log_level);
            }
        });
    }

    let run = {
        let (busy, notify, shown, check) = (busy.clone(), notify.clone(), shown.clone(), check.clone());
        move |what: &'static str,
              fut: std::pin::Pin<Box<dyn std::future::Future<Output = Result<Outcome, ApiError>>>>| {
            if *busy {
                return;
            }
            busy.set(true);
            let (busy, notify, shown, check) = (busy.clone(), notify.clone(), shown.clone(), check.clone());
            spawn_local(async move {
                let r = fut.await;
                busy.set(false);
                match r {
                    Ok(Outcome::Saved(s)) => {
                        notify.ok(what);
                        shown.set(Some(s));
                    }
                    Ok(Outcome::Checked(c)) => check.set(Some((what.to_string(), c))),
                    Err(e) => notify.error(e),
                }
            });
        }
    };
    let save = {
        let (run, refs) = (run.clone(), refs.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let text = |i: usize| -> String {
                refs[i]
                    .cast::<HtmlInputElement>()
                    .map(|e| e.value())
                    .or_else(|| refs[i].cast::<HtmlSelectElement>().map(|e| e.value()))
                    .unwrap_or_default()
            };
            let on = |i: usize| refs[i].cast::<HtmlInputElement>().is_some_and(|c| c.checked());
            let id = |i: usize| text(i).trim().parse::<i64>().ok();
            let opt = |i: usize| Some(text(i)).filter(|v| !v.trim().is_empty());
            let body = UpdateAutotaskSettings {
                enabled: on(0),
                environment: text(1),
                base_url: text(2),
                username: opt(3),
                password: opt(4),
                tracking_identifier: opt(5),
                queue_id: id(6),
                ticket_source_id: id(7),
                status_id: id(8),
                priority_warning_id: id(9),
                priority_failed_id: id(10),
                allow_resolve: on(11),
                compatibility_mode: on(12),
                log_level: opt(13),
            };
            // The password field empties once sent; it is never shown again.
            set_value(&refs[4], "");
            run(
                "Autotask settings saved",
                Box::pin(async move { api::autotask::save(&body).await.map(Outcome::Saved) }),
            );
        })
    };
    let test = {
        let run = run.clone();
        Callback::from(move |_| {
            run("Test connection", Box::pin(async { api::autotask::test().await.map(Outcome::Checked) }))
        })
    };
    let validate = {
        let run = run.clone();
        Callback::from(move |_| {
            run("Validate configuration", Box::pin(async { api::autotask::validate().await.map(Outcome::Checked) }))
        })
    };
    let reference = {
        let run = run.clone();
        Callback::from(move |_| {
            run("Reference data loaded", Box::pin(async { api::autotask::reference().await.map(Outcome::Saved) }))
        })
    };

    let body = match (&*shown, &settings.error) {
        (_, Some(e)) => html! { <ErrorView error={e.clone()} onretry={Some(settings.reload.clone())} /> },
        (None, None) => html! { <Loading what="the Autotask settings" /> },
        (Some(s), None) => {
            let r = s.reference.clone();
            let list = |f: fn(&bc_api_types::AutotaskReference) -> &Vec<PicklistEntry>| {
                r.as_ref().map(|r| f(r).clone()).unwrap_or_default()
            };
            html! {
                <form class="card form-grid" onsubmit={save} aria-label="Autotask settings" data-testid="autotask-settings">
                    <label class="check"><input type="checkbox" id="at-enabled" ref={refs[0].clone()} />{ " Enable the Autotask integration" }</label>
                    <label for="at-env">{ "Environment" }</label>
                    <select id="at-env" ref={refs[1].clone()}>
                        <option value="production">{ "Production" }</option>
                        <option value="sandbox">{ "Sandbox" }</option>
                    </select>
                    <label for="at-base">{ "Backupchecks base URL (tickets link their run under it)" }</label>
                    <input id="at-base" type="url" ref={refs[2].clone()} placeholder="https://backupchecks.example.com" />
                    <fieldset>
                        <legend>{ if s.credentials_set { "API credentials (stored; fill all three to replace them)" } else { "API credentials" } }</legend>
                        <input id="at-user" ref={refs[3].clone()} placeholder="API user name" autocomplete="off" aria-label="API user name" />
                        <input id="at-password" type="password" ref={refs[4].clone()} placeholder="API password" autocomplete="new-password" aria-label="API password" />
                        <input id="at-tracking" ref={refs[5].clone()} placeholder="Tracking identifier" autocomplete="off" aria-label="Tracking identifier" />
                    </fieldset>
                    <fieldset>
                        <legend>
                            { "Ticket defaults " }
                            if let Some(r) = &r { <span class="muted">{ "(loaded " }<Time at={r.loaded_at} relative=true />{ ")" }</span> }
                        </legend>
                        <label for="at-queue">{ "Queue" }</label>
                        <select id="at-queue" ref={refs[6].clone()}>{ options(&list(|r| &r.queues), s.queue_id) }</select>
                        <label for="at-source">{ "Ticket source" }</label>
                        <select id="at-source" ref={refs[7].clone()}>{ options(&list(|r| &r.sources), s.ticket_source_id) }</select>
                        <label for="at-status">{ "Status" }</label>
                        <select id="at-status" ref={refs[8].clone()}>{ options(&list(|r| &r.statuses), s.status_id) }</select>
                        <label for="at-prio-w">{ "Priority for Warning" }</label>
                        <select id="at-prio-w" ref={refs[9].clone()}>{ options(&list(|r| &r.priorities), s.priority_warning_id) }</select>
                        <label for="at-prio-f">{ "Priority for Failed" }</label>
                        <select id="at-prio-f" ref={refs[10].clone()}>{ options(&list(|r| &r.priorities), s.priority_failed_id) }</select>
                        <button class="btn btn-small" type="button" onclick={reference} disabled={*busy} data-testid="autotask-reference">
                            { "Load reference data from Autotask" }
                        </button>
                    </fieldset>
                    <label class="check"><input type="checkbox" ref={refs[11].clone()} />{ " Allow resolving tickets from Backupchecks" }</label>
                    <p class="muted">
                        { "Resolving adds a fixed internal note, then sets the status Complete — only when the ticket has no time entries; otherwise another fixed note tells its owner and it stays open. If the API user cannot see non-billable time entries, a ticket with only those counts as having none." }
                    </p>
                    <label class="check"><input type="checkbox" ref={refs[12].clone()} />{ " Allow manual ticket numbers while the integration is on (compatibility mode)" }</label>
                    <label for="at-log">{ "API logging" }</label>
                    <select id="at-log" ref={refs[13].clone()}>
                        <option value="off">{ "Off" }</option>
                        <option value="errors">{ "Errors" }</option>
                        <option value="all">{ "All calls" }</option>
                    </select>
                    <div class="buttons">
                        <button class="btn btn-primary" type="submit" disabled={*busy} data-testid="autotask-save">{ "Save" }</button>
                        <button class="btn" type="button" onclick={test} disabled={*busy || !s.credentials_set} data-testid="autotask-test">{ "Test connection" }</button>
                        <button class="btn" type="button" onclick={validate} disabled={*busy || !s.credentials_set}>{ "Validate configuration" }</button>
                    </div>
                    if let Some((what, c)) = &*check {
                        <div class={classes!("check-result", if c.ok { "ok" } else { "failed" })} role="status" data-testid="autotask-check">
                            <strong>{ format!("{what}: {}", if c.ok { "OK" } else { "problems found" }) }</strong>
                            <ul>{ for c.messages.iter().map(|m| html! { <li>{ m }</li> }) }</ul>
                        </div>
                    }
                </form>
            }
        }
    };
    html! {
        <section class="page">
            <div class="page-head"><h1>{ "Settings" }</h1></div>
            <SettingsTabs current={Route::Integrations} />
            <h2>{ "Autotask" }</h2>
            { body }
        </section>
    }
}

enum Outcome {
    Saved(AutotaskSettings),
    Checked(AutotaskCheck),
}
