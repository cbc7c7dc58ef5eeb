//! Platforms: third-party backup platforms (Veeam Backup & Replication's
//! REST API, N-able Cove) registered for a customer. Register (credentials
//! are write-only), test the connection, see the last sync's time, status
//! and error, enable or disable, trigger a sync, delete after a
//! confirmation that lists what it imported; and the jobs each imported.

use bc_api_types::{
    JobSource, Permission, Platform, PlatformBody, PlatformDeletion, PlatformKind, PlatformSyncStatus, PlatformUpdate,
};
use yew::platform::spawn_local;
use yew::prelude::*;

use super::{BackupTabs, num, opt, val};
use crate::api;
use crate::components::{ErrorView, Loading};
use crate::hooks::use_fetch;
use crate::route::Route;
use crate::session::use_session;
use crate::toast::use_notify;

fn status_label(p: &Platform) -> &'static str {
    match p.last_sync_status {
        PlatformSyncStatus::Never => "never synced",
        PlatformSyncStatus::Ok => "ok",
        PlatformSyncStatus::Partial => "partial",
        PlatformSyncStatus::Failed => "failed",
    }
}

#[component]
pub fn PlatformsPage() -> Html {
    let session = use_session();
    let notify = use_notify();
    let list = use_fetch((), |_| async { api::platforms::list().await });
    let jobs = use_fetch((), |_| async { api::platforms::jobs().await });
    let customers = use_fetch((), |_| async { api::customers::list().await });
    let kind = use_state(|| PlatformKind::VeeamVbr);
    let tested = use_state(|| None::<(String, bool, String)>);
    let deleting = use_state(|| None::<(PlatformDeletion, String)>);
    let manage = session.can(Permission::ManageBackup);
    let customer_list = customers.data.as_ref().map(|c| c.items.clone()).unwrap_or_default();
    let reload = {
        let (a, b) = (list.reload.clone(), jobs.reload.clone());
        Callback::from(move |_: ()| {
            a.emit(());
            b.emit(());
        })
    };

    let on_kind = {
        let kind = kind.clone();
        Callback::from(move |_: Event| {
            kind.set(if val("pf-kind") == "cove" { PlatformKind::Cove } else { PlatformKind::VeeamVbr });
        })
    };
    let register = {
        let (notify, reload, kind) = (notify.clone(), reload.clone(), kind.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let body = PlatformBody {
                name: val("pf-name"),
                kind: *kind,
                customer_id: opt("pf-customer"),
                host: val("pf-host"),
                port: num("pf-port"),
                cert_sha256: opt("pf-cert"),
                partner: opt("pf-partner"),
                username: val("pf-username"),
                password: val("pf-password"),
                sync_interval_minutes: num("pf-interval"),
                enabled: Some(true),
            };
            let (notify, reload) = (notify.clone(), reload.clone());
            spawn_local(async move {
                match api::platforms::register(&body).await {
                    Ok(p) => {
                        notify.ok(format!("Platform {} registered; its first sync is queued by the scheduler", p.name));
                        reload.emit(());
                    }
                    Err(e) => notify.error(e),
                }
            });
        })
    };
    let test = {
        let (notify, tested, reload) = (notify.clone(), tested.clone(), reload.clone());
        Callback::from(move |id: String| {
            let (notify, tested, reload) = (notify.clone(), tested.clone(), reload.clone());
            spawn_local(async move {
                match api::platforms::test(&id).await {
                    Ok(r) => {
                        tested.set(Some((id, r.ok, r.message)));
                        reload.emit(());
                    }
                    Err(e) => notify.error(e),
                }
            });
        })
    };
    let sync = {
        let (notify, reload) = (notify.clone(), reload.clone());
        Callback::from(move |id: String| {
            let (notify, reload) = (notify.clone(), reload.clone());
            spawn_local(async move {
                match api::platforms::sync(&id).await {
                    Ok(()) => {
                        notify.ok("Sync queued; reload in a moment to see its result");
                        reload.emit(());
                    }
                    Err(e) => notify.error(e),
                }
            });
        })
    };
    let toggle = {
        let (notify, reload) = (notify.clone(), reload.clone());
        Callback::from(move |(id, enabled): (String, bool)| {
            let (notify, reload) = (notify.clone(), reload.clone());
            spawn_local(async move {
                let body = PlatformUpdate { enabled: Some(enabled), ..Default::default() };
                match api::platforms::update(&id, &body).await {
                    Ok(p) => {
                        notify.ok(format!("{} {}", p.name, if p.enabled { "enabled" } else { "disabled" }));
                        reload.emit(());
                    }
                    Err(e) => notify.error(e),
                }
            });
        })
    };
    let ask_delete = {
        let (notify, deleting) = (notify.clone(), deleting.clone());
        Callback::from(move |(id, name): (String, String)| {
            let (notify, deleting) = (notify.clone(), deleting.clone());
            spawn_local(async move {
                match api::platforms::deletion(&id).await {
                    Ok(d) => deleting.set(Some((d, name))),
                    Err(e) => notify.error(e),
                }
            });
        })
    };
    let confirm_delete = {
        let (notify, deleting, reload) = (notify.clone(), deleting.clone(), reload.clone());
        Callback::from(move |_: MouseEvent| {
            let Some((d, name)) = (*deleting).clone() else { return };
            let typed = val("pf-delete-confirm");
            if typed.trim() != name {
                notify.error(format!("type the platform's name, {name:?}, to confirm"));
                return;
            }
            let (notify, deleting, reload) = (notify.clone(), deleting.clone(), reload.clone());
            spawn_local(async move {
                match api::platforms::delete(&d.platform_id, &typed).await {
                    Ok(_) => {
                        notify.ok("Platform deleted with the jobs and protected objects it imported");
                        deleting.set(None);
                        reload.emit(());
                    }
                    Err(e) => notify.error(e),
                }
            });
        })
    };

    let cname = |id: &Option<String>| match id {
        Some(id) => customer_list.iter().find(|c| &c.id == id).map(|c| c.name.clone()).unwrap_or_else(|| id.clone()),
        None => "the MSP".into(),
    };
    let job_items = jobs.data.as_ref().map(|j| j.items.clone()).unwrap_or_default();
    let confirm = (*deleting).clone().map(|(d, name)| html! {
        <div class="alert alert-error" data-testid="platform-delete-confirm">
            <p>{ format!("Deleting {name} removes, with no undo:") }</p>
            <ul>
                <li>{ format!("{} imported jobs with their runs", d.jobs.len()) }</li>
                <li>{ format!("{} protected objects", d.protected_objects) }</li>
                <li>{ format!("{} linked mail-derived jobs are kept", d.linked_jobs.len()) }</li>
            </ul>
            <label for="pf-delete-confirm">{ "Type the platform's name to confirm" }</label>
            <input id="pf-delete-confirm" type="text" />
            <button class="btn btn-danger" onclick={confirm_delete}>{ "Delete platform" }</button>
            <button class="btn" onclick={{ let deleting = deleting.clone(); Callback::from(move |_| deleting.set(None)) }}>{ "Cancel" }</button>
        </div>
    });

    let body = match (&list.data, &list.error) {
        (_, Some(e)) => html! { <ErrorView error={e.clone()} onretry={Some(list.reload.clone())} /> },
        (None, None) => html! { <Loading what="platforms" /> },
        (Some(l), None) if l.is_empty() => html! {
            <div class="state empty" role="status" data-testid="platforms-empty">
                <h2>{ "No platforms" }</h2>
                <p>{ "Register a Veeam Backup & Replication server or a Cove partner below; see docs/platforms.md." }</p>
            </div>
        },
        (Some(l), None) => html! {
            <div class="table-wrap">
                <table class="table platforms" data-testid="platforms-table">
                    <thead><tr><th>{ "Name" }</th><th>{ "Type" }</th><th>{ "Customer" }</th><th>{ "Address" }</th>
                        <th>{ "Last sync" }</th><th>{ "Status" }</th><th>{ "Jobs" }</th><th></th></tr></thead>
                    <tbody>{ for l.iter().map(|p| {
                        let id = p.id.clone();
                        let mine: Vec<_> = job_items.iter().filter(|j| matches!(&j.source, JobSource::Platform { platform_id, .. } if *platform_id == p.id)).collect();
                        let linked = p.links.iter().filter(|l| l.job_id.is_some()).count();
                        let tested_row = (*tested).clone().filter(|(tid, _, _)| *tid == p.id);
                        html! {
                            <tr data-testid="platform-row" data-platform={p.id.clone()}>
                                <td>{ &p.name }{ if p.enabled { html! {} } else { html! { <span class="badge">{ " disabled" }</span> } } }</td>
                                <td>{ match p.kind { PlatformKind::VeeamVbr => "Veeam B&R", PlatformKind::Cove => "Cove" } }</td>
                                <td>{ cname(&p.customer_id) }</td>
                                <td>{ &p.host }{ p.port.filter(|_| !p.host.contains("://")).map(|x| format!(":{x}")).unwrap_or_default() }</td>
                                <td>{ p.last_sync_at.map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string()).unwrap_or_else(|| "never".into()) }</td>
                                <td data-testid="platform-status">
                                    <strong>{ status_label(p) }</strong>
                                    if let Some(e) = &p.last_error { <div class="hint error" data-testid="platform-error">{ e }</div> }
                                    if let Some(s) = &p.last_sync_summary { <div class="hint">{ s }</div> }
                                    if !p.pending_retries.is_empty() { <div class="hint">{ format!("{} retries pending", p.pending_retries.len()) }</div> }
                                    if let Some((_, ok, m)) = tested_row {
                                        <div class={classes!("hint", (!ok).then_some("error"))} data-testid="platform-test-result">
                                            { if ok { format!("Connection OK: {m}") } else { format!("Connection failed: {m}") } }
                                        </div>
                                    }
                                </td>
                                <td data-testid="platform-jobs">
                                    { for mine.iter().map(|j| html! { <div>{ format!("{} ({})", j.job_name, j.job_type) }</div> }) }
                                    if linked > 0 { <div class="hint">{ format!("{linked} linked to mail-derived jobs") }</div> }
                                </td>
                                <td class="actions">
                                    if manage {
                                        <button class="btn btn-sm" data-testid="platform-test" onclick={{ let (t, id) = (test.clone(), id.clone()); Callback::from(move |_| t.emit(id.clone())) }}>{ "Test connection" }</button>
                                        <button class="btn btn-sm" data-testid="platform-sync" disabled={!p.enabled} onclick={{ let (s, id) = (sync.clone(), id.clone()); Callback::from(move |_| s.emit(id.clone())) }}>{ "Sync now" }</button>
                                        <button class="btn btn-sm" onclick={{ let (t, id, en) = (toggle.clone(), id.clone(), !p.enabled); Callback::from(move |_| t.emit((id.clone(), en))) }}>{ if p.enabled { "Disable" } else { "Enable" } }</button>
                                        <button class="btn btn-sm btn-danger" onclick={{ let (d, id, n) = (ask_delete.clone(), id.clone(), p.name.clone()); Callback::from(move |_| d.emit((id.clone(), n.clone()))) }}>{ "Delete" }</button>
                                    }
                                </td>
                            </tr>
                        }
                    }) }</tbody>
                </table>
            </div>
        },
    };
    let veeam = *kind == PlatformKind::VeeamVbr;
    html! {
        <section class="page">
            <div class="page-head"><h1>{ "Platforms" }</h1></div>
            <BackupTabs current={Route::BackupPlatforms} />
            <p class="hint">{ "Jobs, runs and protected objects of Veeam Backup & Replication servers and Cove partners, synced over their APIs. Their jobs also appear on the Jobs page (source: platform)." }</p>
            { body }
            { confirm.unwrap_or_default() }
            if manage {
                <section class="card">
                    <h2 class="card-title">{ "Register a platform" }</h2>
                    <form class="stack-form" onsubmit={register} data-testid="platform-form">
                        <div class="field"><label for="pf-kind">{ "Type" }</label>
                            <select id="pf-kind" onchange={on_kind}>
                                <option value="veeam_vbr" selected={veeam}>{ "Veeam Backup & Replication (REST API, v12+)" }</option>
                                <option value="cove" selected={!veeam}>{ "N-able Cove Data Protection" }</option>
                            </select></div>
                        <div class="field"><label for="pf-name">{ "Name" }</label><input id="pf-name" type="text" /></div>
                        <div class="field"><label for="pf-customer">{ "Customer" }</label>
                            // Keyed on the list, so the first customer is chosen once the list arrives.
                            <select id="pf-customer" key={customer_list.len()}>
                                { for customer_list.iter().map(|c| html! { <option value={c.id.clone()}>{ &c.name }</option> }) }
                                <option value="">{ "The MSP (Cove: each device to the customer of its Cove customer name)" }</option>
                            </select></div>
                        <div class="field"><label for="pf-host">{ if veeam { "Host (name or address)" } else { "API URL (empty: https://api.backup.management/jsonapi)" } }</label><input id="pf-host" type="text" /></div>
                        if veeam {
                            <div class="field"><label for="pf-port">{ "Port" }</label><input id="pf-port" type="number" placeholder="9419" /></div>
                            <div class="field"><label for="pf-cert">{ "Trusted certificate SHA-256 fingerprint (for a self-signed certificate)" }</label><input id="pf-cert" type="text" placeholder="AB:CD:…" /></div>
                        } else {
                            <div class="field"><label for="pf-partner">{ "Partner name (exactly as in the Cove console)" }</label><input id="pf-partner" type="text" /></div>
                        }
                        <div class="field"><label for="pf-username">{ "Username" }</label><input id="pf-username" type="text" autocomplete="off" /></div>
                        <div class="field"><label for="pf-password">{ if veeam { "Password" } else { "Password or API token" } }</label><input id="pf-password" type="password" autocomplete="new-password" /></div>
                        <div class="field"><label for="pf-interval">{ "Sync every (minutes)" }</label><input id="pf-interval" type="number" placeholder="60" /></div>
                        <button class="btn btn-primary" type="submit" data-testid="platform-register">{ "Register" }</button>
                    </form>
                </section>
            }
        </section>
    }
}
