//! Engines: every registered BES with its status, version, storage target
//! count, managed bytes and last heartbeat; filters by customer, status and
//! a search over name, hostname and IP; registration secrets (admins);
//! edit name and PXE (a CIDR); delete after a confirmation that lists what
//! goes; the alerts the control plane raised.

use bc_api_types::{Engine, EngineDeletion, EngineStatus, EngineUpdate, Permission, RegistrationSecretBody};
use yew::platform::spawn_local;
use yew::prelude::*;

use super::{BackupTabs, bytes, checked, opt, val};
use crate::api;
use crate::components::{ErrorView, Loading, Time};
use crate::hooks::use_fetch;
use crate::route::Route;
use crate::session::use_session;
use crate::toast::use_notify;

fn status_class(s: EngineStatus) -> &'static str {
    match s {
        EngineStatus::Online => "badge badge-success",
        EngineStatus::Degraded | EngineStatus::Pending => "badge badge-warning",
        EngineStatus::Offline => "badge badge-failed",
    }
}

#[component]
pub fn EnginesPage() -> Html {
    let session = use_session();
    let notify = use_notify();
    let filter = use_state(|| (String::new(), String::new(), String::new()));
    let list = use_fetch((*filter).clone(), |(c, s, q)| async move { api::backup::engines(&c, &s, &q).await });
    let customers = use_fetch((), |_| async { api::customers::list().await });
    let alerts = use_fetch((), |_| async { api::backup::alerts().await });
    let secret = use_state(|| None::<String>);
    let editing = use_state(|| None::<String>);
    let deleting = use_state(|| None::<EngineDeletion>);
    let manage = session.can(Permission::ManageBackup);

    let apply = {
        let filter = filter.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            filter.set((val("eng-customer"), val("eng-status"), val("eng-q").trim().to_string()));
        })
    };
    let rotate = {
        let (secret, notify) = (secret.clone(), notify.clone());
        Callback::from(move |_: MouseEvent| {
            let body = RegistrationSecretBody { customer_id: opt("sec-customer") };
            let (secret, notify) = (secret.clone(), notify.clone());
            spawn_local(async move {
                match api::backup::rotate_secret(&body).await {
                    Ok(s) => {
                        secret.set(Some(s.secret));
                        notify.ok("Registration secret created; the previous one for this scope no longer works");
                    }
                    Err(e) => notify.error(e),
                }
            });
        })
    };
    let save = {
        let (editing, notify, reload) = (editing.clone(), notify.clone(), list.reload.clone());
        Callback::from(move |id: String| {
            let body = EngineUpdate {
                name: opt("eng-name"),
                pxe_enabled: Some(checked("eng-pxe")),
                pxe_network: Some(val("eng-pxe-net").trim().to_string()),
            };
            let (editing, notify, reload) = (editing.clone(), notify.clone(), reload.clone());
            spawn_local(async move {
                match api::backup::update_engine(&id, &body).await {
                    Ok(e) => {
                        notify.ok(format!("Saved {}", e.name));
                        editing.set(None);
                        reload.emit(());
                    }
                    Err(e) => notify.error(e),
                }
            });
        })
    };
    let ask_delete = {
        let (deleting, notify) = (deleting.clone(), notify.clone());
        Callback::from(move |id: String| {
            let (deleting, notify) = (deleting.clone(), notify.clone());
            spawn_local(async move {
                match api::backup::engine_deletion(&id).await {
                    Ok(d) => deleting.set(Some(d)),
                    Err(e) => notify.error(e),
                }
            });
        })
    };
    let confirm_delete = {
        let (deleting, notify, reload) = (deleting.clone(), notify.clone(), list.reload.clone());
        Callback::from(move |_: MouseEvent| {
            let Some(d) = (*deleting).clone() else { return };
            let (deleting, notify, reload) = (deleting.clone(), notify.clone(), reload.clone());
            spawn_local(async move {
                match api::backup::delete_engine(&d.engine_id).await {
                    Ok(_) => {
                        notify.ok("Engine deregistered with its storage targets and policies");
                        deleting.set(None);
                        reload.emit(());
                    }
                    Err(e) => notify.error(e),
                }
            });
        })
    };

    let customer_options = customers.data.as_ref().map(|c| c.items.clone()).unwrap_or_default();
    let secrets = session.can(Permission::EnrollEngines).then(|| html! {
        <section class="card" aria-labelledby="sec-title">
            <h2 id="sec-title" class="card-title">{ "Registration secrets" }</h2>
            <p class="hint">{ "An engine registers itself with its customer's secret (or the MSP's, for an engine of your own). \
                               The secret is shown once; creating a new one makes the old one stop working." }</p>
            <div class="field">
                <label for="sec-customer">{ "For" }</label>
                <select id="sec-customer">
                    <option value="">{ "The MSP (account-scoped engines)" }</option>
                    { for customer_options.iter().map(|c| html! { <option value={c.id.clone()}>{ &c.name }</option> }) }
                </select>
            </div>
            <button class="btn btn-primary" onclick={rotate} data-testid="secret-create">{ "Create or rotate secret" }</button>
            if let Some(s) = (*secret).clone() {
                <div class="alert" data-testid="new-secret">
                    <p>{ "Copy it now; you will not see it again:" }</p>
                    <input type="text" readonly=true value={s} data-testid="new-secret-value" size="60" />
                </div>
            }
        </section>
    });

    let confirm = (*deleting).clone().map(|d| html! {
        <div class="alert alert-error" data-testid="engine-delete-confirm">
            <p>{ "Deleting the engine deregisters it and deletes, with no undo:" }</p>
            <ul>
                <li>{ format!("storage targets: {}", if d.storage_targets.is_empty() { "none".into() } else { d.storage_targets.join(", ") }) }</li>
                <li>{ format!("policies (with their hooks, replicas and host assignments): {}", if d.policies.is_empty() { "none".into() } else { d.policies.join(", ") }) }</li>
            </ul>
            <button class="btn btn-danger" onclick={confirm_delete}>{ "Delete engine" }</button>
            <button class="btn" onclick={{ let deleting = deleting.clone(); Callback::from(move |_| deleting.set(None)) }}>{ "Cancel" }</button>
        </div>
    });

    let body = match (&list.data, &list.error) {
        (_, Some(e)) => html! { <ErrorView error={e.clone()} onretry={Some(list.reload.clone())} /> },
        (None, None) => html! { <Loading what="engines" /> },
        (Some(l), None) if l.is_empty() => html! {
            <div class="state empty" role="status" data-testid="engines-empty">
                <h2>{ "No engines" }</h2>
                <p>{ "Engines register themselves with a registration secret (see docs/bes-protocol.md)." }</p>
            </div>
        },
        (Some(l), None) => html! {
            <div class="table-wrap">
                <table class="table engines">
                    <thead><tr>
                        <th scope="col">{ "Name" }</th><th scope="col">{ "Customer" }</th>
                        <th scope="col">{ "Hostname" }</th><th scope="col">{ "IP" }</th>
                        <th scope="col">{ "Status" }</th><th scope="col">{ "Version" }</th>
                        <th scope="col">{ "Targets" }</th><th scope="col">{ "Managed" }</th>
                        <th scope="col">{ "Last heartbeat" }</th><th scope="col"><span class="sr-only">{ "Actions" }</span></th>
                    </tr></thead>
                    <tbody>{ for l.iter().map(|e| row(e, manage, &editing, &save, &ask_delete)) }</tbody>
                </table>
            </div>
        },
    };

    let alert_list = match &alerts.data {
        Some(a) if !a.is_empty() => html! {
            <section class="card" aria-labelledby="alerts-title">
                <h2 id="alerts-title" class="card-title">{ "Alerts" }</h2>
                <ul class="backup-alerts">
                    { for a.iter().take(50).map(|a| html! {
                        <li class={format!("alert-{}", a.severity.as_str())}>
                            <span class={if a.severity == bc_api_types::AlertSeverity::Critical { "badge badge-failed" } else { "badge badge-warning" }}>{ a.severity.as_str() }</span>
                            { " " }<Time at={a.at} relative=true />{ " " }{ &a.message }
                        </li>
                    }) }
                </ul>
            </section>
        },
        _ => html! {},
    };

    html! {
        <section class="page">
            <div class="page-head"><h1>{ "Backup engines" }</h1></div>
            <BackupTabs current={Route::BackupEngines} />
            <form class="toolbar" onsubmit={apply}>
                <select id="eng-customer" aria-label="Customer">
                    <option value="">{ "All customers" }</option>
                    { for customer_options.iter().map(|c| html! { <option value={c.id.clone()}>{ &c.name }</option> }) }
                </select>
                <select id="eng-status" aria-label="Status">
                    <option value="">{ "Any status" }</option>
                    { for EngineStatus::ALL.iter().map(|s| html! { <option value={s.as_str()}>{ s.as_str() }</option> }) }
                </select>
                <input id="eng-q" type="search" placeholder="Name, hostname or IP" aria-label="Search" />
                <button class="btn" type="submit">{ "Filter" }</button>
            </form>
            { confirm }
            { body }
            { alert_list }
            { secrets.unwrap_or_default() }
        </section>
    }
}

fn row(
    e: &Engine,
    manage: bool,
    editing: &UseStateHandle<Option<String>>,
    save: &Callback<String>,
    ask_delete: &Callback<String>,
) -> Html {
    let id = e.id.clone();
    let edit = {
        let (editing, id) = (editing.clone(), id.clone());
        Callback::from(move |_: MouseEvent| editing.set(Some(id.clone())))
    };
    let del = {
        let (ask, id) = (ask_delete.clone(), id.clone());
        Callback::from(move |_: MouseEvent| ask.emit(id.clone()))
    };
    let main = html! {
        <tr data-engine-id={e.id.clone()}>
            <td>{ &e.name }</td>
            <td>{ e.customer_name.clone().unwrap_or_else(|| "MSP".into()) }</td>
            <td>{ &e.hostname }</td>
            <td>{ &e.ip }</td>
            <td><span class={status_class(e.status)}>{ e.status.as_str() }</span></td>
            <td>{ e.version.clone().unwrap_or_default() }</td>
            <td>{ e.storage_target_count }</td>
            <td>{ bytes(e.managed_bytes) }</td>
            <td>{ match e.last_heartbeat_at { Some(t) => html! { <Time at={t} relative=true /> }, None => html! { "never" } } }</td>
            <td class="actions">
                if manage {
                    <button class="btn btn-small" onclick={edit}>{ "Edit" }</button>
                    <button class="btn btn-small btn-danger" onclick={del}>{ "Delete…" }</button>
                }
            </td>
        </tr>
    };
    if editing.as_deref() != Some(e.id.as_str()) {
        return main;
    }
    let onsave = {
        let (save, id) = (save.clone(), id.clone());
        Callback::from(move |ev: SubmitEvent| {
            ev.prevent_default();
            save.emit(id.clone());
        })
    };
    let cancel = {
        let editing = editing.clone();
        Callback::from(move |_: MouseEvent| editing.set(None))
    };
    html! {
        <>
            { main }
            <tr class="edit-row"><td colspan="10">
                <form class="inline-form" onsubmit={onsave}>
                    <label for="eng-name">{ "Name" }</label>
                    <input id="eng-name" type="text" value={e.name.clone()} maxlength="200" />
                    <label class="check"><input id="eng-pxe" type="checkbox" checked={e.pxe_enabled} />{ "PXE enabled" }</label>
                    <label for="eng-pxe-net">{ "PXE network (CIDR)" }</label>
                    <input id="eng-pxe-net" type="text" value={e.pxe_network.clone().unwrap_or_default()} placeholder="10.0.0.0/24" />
                    <button class="btn btn-primary" type="submit">{ "Save" }</button>
                    <button class="btn" type="button" onclick={cancel}>{ "Cancel" }</button>
                </form>
            </td></tr>
        </>
    }
}
