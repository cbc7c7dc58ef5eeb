//! Policies: the list, and "Add policy" with the seed's form in its
//! sections (core, schedules, paths, retention, data protection,
//! performance and behaviour). Hooks, replicas and hosts are on a policy's
//! own page, where the seventh section (App Hooks) is.

use bc_api_types::{BackupType, Compression, Encryption, IoPriority, Permission, PolicyBody};
use yew::platform::spawn_local;
use yew::prelude::*;
use yew_router::prelude::*;

use super::{BackupTabs, checked, num, opt, val};
use crate::api;
use crate::components::{ErrorView, Loading};
use crate::hooks::use_fetch;
use crate::route::Route;
use crate::session::use_session;
use crate::toast::use_notify;

fn lines(id: &str) -> Vec<String> {
    val(id).lines().map(|l| l.trim().to_string()).filter(|l| !l.is_empty()).collect()
}

#[component]
pub fn PoliciesPage() -> Html {
    let session = use_session();
    let notify = use_notify();
    let navigator = use_navigator();
    let list = use_fetch((), |_| async { api::backup::policies().await });
    let engines = use_fetch((), |_| async { api::backup::engines("", "", "").await });
    let targets = use_fetch((), |_| async { api::backup::targets().await });
    let engine = use_state(String::new);
    let manage = session.can(Permission::ManageBackup);

    let engine_list = engines.data.as_ref().map(|e| (**e).clone()).unwrap_or_default();
    let target_list = targets.data.as_ref().map(|t| (**t).clone()).unwrap_or_default();
    let chosen = if engine.is_empty() {
        engine_list.first().map(|e| e.id.clone()).unwrap_or_default()
    } else {
        (*engine).clone()
    };

    let on_engine = {
        let engine = engine.clone();
        Callback::from(move |_: Event| engine.set(val("po-engine")))
    };
    let create = {
        let (notify, navigator) = (notify.clone(), navigator.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let body = PolicyBody {
                name: opt("po-name"),
                engine_id: opt("po-engine"),
                storage_target_id: opt("po-target"),
                backup_type: BackupType::parse(&val("po-type")),
                full_schedule: opt("po-full"),
                incremental_schedule: opt("po-incr"),
                synthetic_full_schedule: opt("po-synth"),
                time_zone: opt("po-tz"),
                exclude_paths: Some(lines("po-excl-paths")),
                exclude_patterns: Some(lines("po-excl-patterns")),
                exclusion_template: opt("po-excl-template"),
                retention_daily: num("po-ret-daily"),
                retention_weekly: num("po-ret-weekly"),
                retention_monthly: num("po-ret-monthly"),
                compression: Compression::parse(&val("po-compression")),
                encryption: Encryption::parse(&val("po-encryption")),
                dedup: Some(checked("po-dedup")),
                max_transfer_mbps: num("po-mbps"),
                io_priority: IoPriority::parse(&val("po-io")),
                throttle_schedule: opt("po-throttle"),
                vss_enabled: Some(checked("po-vss")),
                catch_up_on_reconnect: Some(checked("po-catchup")),
                verify_after_backup: Some(checked("po-verify")),
                verify_sample_count: num("po-verify-count"),
                pre_patch_backup: Some(checked("po-prepatch")),
                archive_on_host_deactivation: Some(checked("po-archive")),
                enabled: Some(checked("po-enabled")),
            };
            let (notify, navigator) = (notify.clone(), navigator.clone());
            spawn_local(async move {
                match api::backup::create_policy(&body).await {
                    Ok(p) => {
                        notify.ok(format!("Policy {} created", p.policy.name));
                        if let Some(n) = navigator {
                            n.push(&Route::BackupPolicy { id: p.policy.id });
                        }
                    }
                    Err(e) => notify.error(e),
                }
            });
        })
    };

    let body = match (&list.data, &list.error) {
        (_, Some(e)) => html! { <ErrorView error={e.clone()} onretry={Some(list.reload.clone())} /> },
        (None, None) => html! { <Loading what="policies" /> },
        (Some(l), None) if l.is_empty() => {
            html! { <div class="state empty" role="status"><h2>{ "No policies" }</h2></div> }
        }
        (Some(l), None) => html! {
            <div class="table-wrap">
                <table class="table policies">
                    <thead><tr>
                        <th scope="col">{ "Name" }</th><th scope="col">{ "Engine" }</th><th scope="col">{ "Storage target" }</th>
                        <th scope="col">{ "Full" }</th><th scope="col">{ "State" }</th>
                    </tr></thead>
                    <tbody>
                        { for l.iter().map(|p| html! {
                            <tr data-policy-id={p.id.clone()}>
                                <td><Link<Route> to={Route::BackupPolicy { id: p.id.clone() }}>{ &p.name }</Link<Route>></td>
                                <td>{ engine_list.iter().find(|e| e.id == p.engine_id).map(|e| e.name.clone()).unwrap_or_default() }</td>
                                <td>{ target_list.iter().find(|t| t.id == p.storage_target_id).map(|t| t.name.clone()).unwrap_or_default() }</td>
                                <td><code>{ &p.full_schedule }</code></td>
                                <td>{ match (&p.paused_reason, p.enabled) {
                                    (Some(r), _) => html! { <span class="badge badge-failed">{ format!("paused: {r}") }</span> },
                                    (None, true) => html! { <span class="badge badge-success">{ "enabled" }</span> },
                                    (None, false) => html! { <span class="badge">{ "disabled" }</span> },
                                } }</td>
                            </tr>
                        }) }
                    </tbody>
                </table>
            </div>
        },
    };

    let on_engine_targets: Vec<_> = target_list.iter().filter(|t| t.engine_id == chosen).cloned().collect();
    let form = manage.then(|| html! {
        <section class="card" aria-labelledby="po-form-title">
            <h2 id="po-form-title" class="card-title">{ "Add policy" }</h2>
            <form class="policy-form" onsubmit={create} data-testid="policy-form">
                <fieldset><legend>{ "1. Core settings" }</legend>
                    <div class="field"><label for="po-name">{ "Name" }</label><input id="po-name" type="text" maxlength="200" /></div>
                    <div class="field"><label for="po-engine">{ "Engine" }</label>
                        <select id="po-engine" onchange={on_engine}>
                            { for engine_list.iter().map(|e| html! { <option value={e.id.clone()} selected={e.id == chosen}>{ &e.name }</option> }) }
                        </select></div>
                    <div class="field"><label for="po-target">{ "Storage target (on this engine)" }</label>
                        <select id="po-target">
                            { for on_engine_targets.iter().map(|t| html! { <option value={t.id.clone()}>{ &t.name }</option> }) }
                        </select></div>
                    <div class="field"><label for="po-type">{ "Backup type" }</label>
                        <select id="po-type"><option value="file">{ "file (file-level)" }</option><option value="image">{ "image (full disk image)" }</option></select></div>
                </fieldset>
                <fieldset><legend>{ "2. Schedules (cron)" }</legend>
                    <div class="field"><label for="po-full">{ "Full (required)" }</label><input id="po-full" type="text" placeholder="0 2 * * 0" /></div>
                    <div class="field"><label for="po-incr">{ "Incremental" }</label><input id="po-incr" type="text" placeholder="0 2 * * 1-6" /></div>
                    <div class="field"><label for="po-synth">{ "Synthetic full" }</label><input id="po-synth" type="text" /></div>
                    <div class="field"><label for="po-tz">{ "Time zone" }</label><input id="po-tz" type="text" value="UTC" /></div>
                </fieldset>
                <fieldset><legend>{ "3. Paths" }</legend>
                    <div class="field"><label for="po-excl-paths">{ "Exclude paths (one a line)" }</label><textarea id="po-excl-paths" rows="2" /></div>
                    <div class="field"><label for="po-excl-patterns">{ "Exclude patterns (one a line)" }</label><textarea id="po-excl-patterns" rows="2" placeholder="*.tmp" /></div>
                    <div class="field"><label for="po-excl-template">{ "Exclusion template" }</label><input id="po-excl-template" type="text" /></div>
                </fieldset>
                <fieldset><legend>{ "4. Retention (GFS)" }</legend>
                    <div class="field"><label for="po-ret-daily">{ "Daily (1-365)" }</label><input id="po-ret-daily" type="number" value="7" min="1" max="365" /></div>
                    <div class="field"><label for="po-ret-weekly">{ "Weekly (0-52)" }</label><input id="po-ret-weekly" type="number" value="4" min="0" max="52" /></div>
                    <div class="field"><label for="po-ret-monthly">{ "Monthly (0-120)" }</label><input id="po-ret-monthly" type="number" value="12" min="0" max="120" /></div>
                </fieldset>
                <fieldset><legend>{ "5. Data protection" }</legend>
                    <div class="field"><label for="po-compression">{ "Compression" }</label>
                        <select id="po-compression">{ for Compression::ALL.iter().map(|c| html! { <option value={c.as_str()} selected={*c == Compression::default()}>{ c.as_str() }</option> }) }</select></div>
                    <div class="field"><label for="po-encryption">{ "Encryption" }</label>
                        <select id="po-encryption">{ for Encryption::ALL.iter().map(|c| html! { <option value={c.as_str()} selected={*c == Encryption::default()}>{ c.as_str() }</option> }) }</select></div>
                    <label class="check"><input id="po-dedup" type="checkbox" checked=true />{ "Deduplication" }</label>
                </fieldset>
                <fieldset><legend>{ "6. Performance and behaviour" }</legend>
                    <div class="field"><label for="po-mbps">{ "Max transfer MBps" }</label><input id="po-mbps" type="number" min="0" /></div>
                    <div class="field"><label for="po-io">{ "IO priority" }</label>
                        <select id="po-io">{ for IoPriority::ALL.iter().map(|c| html! { <option value={c.as_str()}>{ c.as_str() }</option> }) }</select></div>
                    <div class="field"><label for="po-throttle">{ "Throttle schedule (cron)" }</label><input id="po-throttle" type="text" /></div>
                    <label class="check"><input id="po-vss" type="checkbox" checked=true />{ "VSS / LVM snapshots" }</label>
                    <label class="check"><input id="po-catchup" type="checkbox" checked=true />{ "Catch up on reconnect" }</label>
                    <label class="check"><input id="po-verify" type="checkbox" checked=true />{ "Verify after backup" }</label>
                    <div class="field"><label for="po-verify-count">{ "Verify sample count (1-10000)" }</label><input id="po-verify-count" type="number" value="50" min="1" max="10000" /></div>
                    <label class="check"><input id="po-prepatch" type="checkbox" />{ "Pre-patch backup" }</label>
                    <label class="check"><input id="po-archive" type="checkbox" checked=true />{ "Archive on host deactivation" }</label>
                    <label class="check"><input id="po-enabled" type="checkbox" checked=true />{ "Enabled" }</label>
                </fieldset>
                <p class="hint">{ "7. App hooks: on the policy's page once it exists." }</p>
                <div class="form-actions"><button class="btn btn-primary" type="submit" data-testid="policy-save">{ "Add policy" }</button></div>
            </form>
        </section>
    });

    html! {
        <section class="page">
            <div class="page-head"><h1>{ "Policies" }</h1></div>
            <BackupTabs current={Route::BackupPolicies} />
            { body }
            { form.unwrap_or_default() }
        </section>
    }
}
