//! Policies: the list, and "Add policy" with the seed's form in its
//! sections (core, schedules, paths, retention, data protection,
//! performance and behaviour). The same form edits a policy on its own
//! page (every field but the engine), where the seventh section (App
//! Hooks), replicas and hosts are.

use bc_api_types::{
    BackupType, Compression, Encryption, Engine, IoPriority, Permission, Policy, PolicyBody, PolicyDetail,
    StorageTarget,
};
use yew::platform::spawn_local;
use yew::prelude::*;
use yew_router::prelude::*;

use super::{BackupTabs, checked, num, opt, set_checked, set_val, val};
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
    let navigator = use_navigator();
    let list = use_fetch((), |_| async { api::backup::policies().await });
    let engines = use_fetch((), |_| async { api::backup::engines("", "", "").await });
    let targets = use_fetch((), |_| async { api::backup::targets().await });
    let manage = session.can(Permission::ManageBackup);

    let engine_list = engines.data.as_ref().map(|e| (**e).clone()).unwrap_or_default();
    let target_list = targets.data.as_ref().map(|t| (**t).clone()).unwrap_or_default();
    let onsaved = Callback::from(move |p: PolicyDetail| {
        if let Some(n) = &navigator {
            n.push(&Route::BackupPolicy { id: p.policy.id });
        }
    });

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
                        <th scope="col"><span class="sr-only">{ "Actions" }</span></th>
                    </tr></thead>
                    <tbody>
                        { for l.iter().map(|p| html! {
                            <tr data-policy-id={p.id.clone()}>
                                <td><Link<Route> to={Route::BackupPolicy { id: p.id.clone() }}>{ &p.name }</Link<Route>></td>
                                <td>{ engine_list.iter().find(|e| e.id == p.engine_id).map(|e| e.name.clone()).unwrap_or_default() }</td>
                                <td>{ target_list.iter().find(|t| t.id == p.storage_target_id).map(|t| t.name.clone()).unwrap_or_default() }</td>
                                <td><code>{ &p.full_schedule }</code></td>
                                <td>{ state_badge(p) }</td>
                                <td class="actions">
                                    if manage { <RunNow policy_id={p.id.clone()} /> }
                                </td>
                            </tr>
                        }) }
                    </tbody>
                </table>
            </div>
        },
    };

    html! {
        <section class="page">
            <div class="page-head"><h1>{ "Policies" }</h1></div>
            <BackupTabs current={Route::BackupPolicies} />
            { body }
            if manage {
                <section class="card" aria-labelledby="po-form-title">
                    <h2 id="po-form-title" class="card-title">{ "Add policy" }</h2>
                    <PolicyForm existing={None::<Policy>} engines={engine_list.clone()} targets={target_list.clone()} {onsaved} />
                </section>
            }
        </section>
    }
}

pub(crate) fn state_badge(p: &Policy) -> Html {
    match (&p.paused_reason, p.enabled) {
        (Some(r), _) => html! { <span class="badge badge-failed">{ format!("paused: {r}") }</span> },
        (None, true) => html! { <span class="badge badge-success">{ "enabled" }</span> },
        (None, false) => html! { <span class="badge">{ "disabled" }</span> },
    }
}

#[derive(Properties, PartialEq)]
pub(crate) struct PolicyFormProps {
    /// None: a new policy.
    pub existing: Option<Policy>,
    pub engines: Vec<Engine>,
    pub targets: Vec<StorageTarget>,
    pub onsaved: Callback<PolicyDetail>,
}

/// The policy form in its six sections (hooks are the seventh, on the
/// policy's page). Creating takes the seed's defaults; editing keeps the engine.
#[component]
pub(crate) fn PolicyForm(props: &PolicyFormProps) -> Html {
    let notify = use_notify();
    let engine = use_state(String::new);
    let p = props.existing.clone();
    let chosen = match &p {
        Some(p) => p.engine_id.clone(),
        None if engine.is_empty() => props.engines.first().map(|e| e.id.clone()).unwrap_or_default(),
        None => (*engine).clone(),
    };
    let on_engine = {
        let engine = engine.clone();
        Callback::from(move |_: Event| engine.set(val("po-engine")))
    };
    let submit = {
        let (notify, onsaved, existing) = (notify.clone(), props.onsaved.clone(), p.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let body = PolicyBody {
                name: opt("po-name"),
                engine_id: if existing.is_some() { None } else { opt("po-engine") },
                storage_target_id: opt("po-target"),
                backup_type: BackupType::parse(&val("po-type")),
                full_schedule: opt("po-full"),
                // Empty strings clear the optional schedules on an edit.
                incremental_schedule: Some(val("po-incr").trim().to_string()),
                synthetic_full_schedule: Some(val("po-synth").trim().to_string()),
                time_zone: opt("po-tz"),
                include_paths: Some(lines("po-incl-paths")),
                exclude_paths: Some(lines("po-excl-paths")),
                exclude_patterns: Some(lines("po-excl-patterns")),
                exclusion_template: Some(val("po-excl-template").trim().to_string()),
                retention_daily: num("po-ret-daily"),
                retention_weekly: num("po-ret-weekly"),
                retention_monthly: num("po-ret-monthly"),
                compression: Compression::parse(&val("po-compression")),
                encryption: Encryption::parse(&val("po-encryption")),
                dedup: Some(checked("po-dedup")),
                max_transfer_mbps: Some(num("po-mbps").unwrap_or(0)),
                io_priority: IoPriority::parse(&val("po-io")),
                throttle_schedule: Some(val("po-throttle").trim().to_string()),
                vss_enabled: Some(checked("po-vss")),
                catch_up_on_reconnect: Some(checked("po-catchup")),
                verify_after_backup: Some(checked("po-verify")),
                verify_sample_count: num("po-verify-count"),
                pre_patch_backup: Some(checked("po-prepatch")),
                archive_on_host_deactivation: Some(checked("po-archive")),
                enabled: Some(checked("po-enabled")),
            };
            let (notify, onsaved, existing) = (notify.clone(), onsaved.clone(), existing.clone());
            spawn_local(async move {
                let result = match &existing {
                    Some(p) => api::backup::update_policy(&p.id, &body).await,
                    None => api::backup::create_policy(&body).await,
                };
                match result {
                    Ok(d) => {
                        let verb = if existing.is_some() { "saved" } else { "created" };
                        notify.ok(format!("Policy {} {verb}", d.policy.name));
                        onsaved.emit(d);
                    }
                    Err(e) => notify.error(e),
                }
            });
        })
    };

    // Starting values, set once per policy shown (see `set_val`).
    {
        let p = p.clone();
        use_effect_with(p.clone(), move |_| {
            let text =
                |f: fn(&Policy) -> String, default: &str| p.as_ref().map(f).unwrap_or_else(|| default.to_string());
            let flag = |f: fn(&Policy) -> bool, default: bool| p.as_ref().map(f).unwrap_or(default);
            let o = |f: fn(&Policy) -> Option<String>| p.as_ref().and_then(f).unwrap_or_default();
            for (id, v) in [
                ("po-name", text(|p| p.name.clone(), "")),
                ("po-full", text(|p| p.full_schedule.clone(), "")),
                ("po-incr", o(|p| p.incremental_schedule.clone())),
                ("po-synth", o(|p| p.synthetic_full_schedule.clone())),
                ("po-tz", text(|p| p.time_zone.clone(), "UTC")),
                ("po-incl-paths", text(|p| p.include_paths.join("\n"), "")),
                ("po-excl-paths", text(|p| p.exclude_paths.join("\n"), "")),
                ("po-excl-patterns", text(|p| p.exclude_patterns.join("\n"), "")),
                ("po-excl-template", o(|p| p.exclusion_template.clone())),
                ("po-ret-daily", text(|p| p.retention_daily.to_string(), "7")),
                ("po-ret-weekly", text(|p| p.retention_weekly.to_string(), "4")),
                ("po-ret-monthly", text(|p| p.retention_monthly.to_string(), "12")),
                ("po-mbps", o(|p| p.max_transfer_mbps.map(|m| m.to_string()))),
                ("po-throttle", o(|p| p.throttle_schedule.clone())),
                ("po-verify-count", text(|p| p.verify_sample_count.to_string(), "50")),
            ] {
                set_val(id, &v);
            }
            for (id, on) in [
                ("po-dedup", flag(|p| p.dedup, true)),
                ("po-vss", flag(|p| p.vss_enabled, true)),
                ("po-catchup", flag(|p| p.catch_up_on_reconnect, true)),
                ("po-verify", flag(|p| p.verify_after_backup, true)),
                ("po-prepatch", flag(|p| p.pre_patch_backup, false)),
                ("po-archive", flag(|p| p.archive_on_host_deactivation, true)),
                ("po-enabled", flag(|p| p.enabled, true)),
            ] {
                set_checked(id, on);
            }
        });
    }

    let on_engine_targets: Vec<_> = props.targets.iter().filter(|t| t.engine_id == chosen).cloned().collect();
    let compression = p.as_ref().map(|p| p.compression).unwrap_or_default();
    let encryption = p.as_ref().map(|p| p.encryption).unwrap_or_default();
    let io = p.as_ref().map(|p| p.io_priority).unwrap_or_default();
    let backup_type = p.as_ref().map(|p| p.backup_type).unwrap_or_default();
    let target = p.as_ref().map(|p| p.storage_target_id.clone()).unwrap_or_default();
    html! {
        <form class="policy-form" onsubmit={submit} data-testid="policy-form">
            <fieldset><legend>{ "1. Core settings" }</legend>
                <div class="field"><label for="po-name">{ "Name" }</label><input id="po-name" type="text" maxlength="200" /></div>
                <div class="field"><label for="po-engine">{ "Engine" }</label>
                    <select id="po-engine" onchange={on_engine} disabled={p.is_some()}>
                        { for props.engines.iter().map(|e| html! { <option value={e.id.clone()} selected={e.id == chosen}>{ &e.name }</option> }) }
                    </select></div>
                <div class="field"><label for="po-target">{ "Storage target (on this engine)" }</label>
                    <select id="po-target">
                        { for on_engine_targets.iter().map(|t| html! { <option value={t.id.clone()} selected={t.id == target}>{ &t.name }</option> }) }
                    </select></div>
                <div class="field"><label for="po-type">{ "Backup type" }</label>
                    <select id="po-type">
                        <option value="file" selected={backup_type == BackupType::File}>{ "file (file-level)" }</option>
                        <option value="image" selected={backup_type == BackupType::Image}>{ "image (full disk image)" }</option>
                    </select></div>
            </fieldset>
            <fieldset><legend>{ "2. Schedules (cron)" }</legend>
                <div class="field"><label for="po-full">{ "Full (required)" }</label><input id="po-full" type="text" placeholder="0 2 * * 0" /></div>
                <div class="field"><label for="po-incr">{ "Incremental" }</label><input id="po-incr" type="text" placeholder="0 2 * * 1-6" /></div>
                <div class="field"><label for="po-synth">{ "Synthetic full" }</label><input id="po-synth" type="text" /></div>
                <div class="field"><label for="po-tz">{ "Time zone" }</label><input id="po-tz" type="text" /></div>
            </fieldset>
            <fieldset><legend>{ "3. Paths" }</legend>
                <div class="field"><label for="po-incl-paths">{ "Paths to back up (one a line; / when empty)" }</label><textarea id="po-incl-paths" rows="2" /></div>
                <div class="field"><label for="po-excl-paths">{ "Exclude paths (one a line)" }</label><textarea id="po-excl-paths" rows="2" /></div>
                <div class="field"><label for="po-excl-patterns">{ "Exclude patterns (one a line)" }</label><textarea id="po-excl-patterns" rows="2" placeholder="*.tmp" /></div>
                <div class="field"><label for="po-excl-template">{ "Exclusion template" }</label><input id="po-excl-template" type="text" /></div>
            </fieldset>
            <fieldset><legend>{ "4. Retention (GFS)" }</legend>
                <div class="field"><label for="po-ret-daily">{ "Daily (1-365)" }</label><input id="po-ret-daily" type="number" min="1" max="365" /></div>
                <div class="field"><label for="po-ret-weekly">{ "Weekly (0-52)" }</label><input id="po-ret-weekly" type="number" min="0" max="52" /></div>
                <div class="field"><label for="po-ret-monthly">{ "Monthly (0-120)" }</label><input id="po-ret-monthly" type="number" min="0" max="120" /></div>
            </fieldset>
            <fieldset><legend>{ "5. Data protection" }</legend>
                <div class="field"><label for="po-compression">{ "Compression" }</label>
                    <select id="po-compression">{ for Compression::ALL.iter().map(|c| html! { <option value={c.as_str()} selected={*c == compression}>{ c.as_str() }</option> }) }</select></div>
                <div class="field"><label for="po-encryption">{ "Encryption" }</label>
                    <select id="po-encryption">{ for Encryption::ALL.iter().map(|c| html! { <option value={c.as_str()} selected={*c == encryption}>{ c.as_str() }</option> }) }</select></div>
                <label class="check"><input id="po-dedup" type="checkbox" />{ "Deduplication" }</label>
            </fieldset>
            <fieldset><legend>{ "6. Performance and behaviour" }</legend>
                <div class="field"><label for="po-mbps">{ "Max transfer MBps (empty: no cap)" }</label><input id="po-mbps" type="number" min="0" /></div>
                <div class="field"><label for="po-io">{ "IO priority" }</label>
                    <select id="po-io">{ for IoPriority::ALL.iter().map(|c| html! { <option value={c.as_str()} selected={*c == io}>{ c.as_str() }</option> }) }</select></div>
                <div class="field"><label for="po-throttle">{ "Throttle schedule (cron)" }</label><input id="po-throttle" type="text" /></div>
                <label class="check"><input id="po-vss" type="checkbox" />{ "VSS / LVM snapshots" }</label>
                <label class="check"><input id="po-catchup" type="checkbox" />{ "Catch up on reconnect" }</label>
                <label class="check"><input id="po-verify" type="checkbox" />{ "Verify after backup" }</label>
                <div class="field"><label for="po-verify-count">{ "Verify sample count (1-10000)" }</label><input id="po-verify-count" type="number" min="1" max="10000" /></div>
                <label class="check"><input id="po-prepatch" type="checkbox" />{ "Pre-patch backup" }</label>
                <label class="check"><input id="po-archive" type="checkbox" />{ "Archive on host deactivation" }</label>
                <label class="check"><input id="po-enabled" type="checkbox" />{ "Enabled" }</label>
            </fieldset>
            if p.is_none() {
                <p class="hint">{ "7. App hooks: on the policy's page once it exists." }</p>
            }
            <div class="form-actions"><button class="btn btn-primary" type="submit" data-testid="policy-save">
                { if p.is_some() { "Save policy" } else { "Add policy" } }
            </button></div>
        </form>
    }
}

#[derive(Properties, PartialEq)]
struct RunNowProps {
    policy_id: String,
}

/// Dispatches a backup of the policy to its active hosts now (`backup.manage`).
#[component]
fn RunNow(props: &RunNowProps) -> Html {
    let notify = crate::toast::use_notify();
    let busy = use_state(|| false);
    let onclick = {
        let (notify, busy, id) = (notify.clone(), busy.clone(), props.policy_id.clone());
        Callback::from(move |_: MouseEvent| {
            let (notify, busy, id) = (notify.clone(), busy.clone(), id.clone());
            busy.set(true);
            yew::platform::spawn_local(async move {
                match api::backup_runs::run_now(&id).await {
                    Ok(d) => notify.ok(format!("Backup dispatched to {} host(s)", d.agent_job_ids.len())),
                    Err(e) => notify.error(e),
                }
                busy.set(false);
            });
        })
    };
    html! { <button class="btn btn-small" {onclick} disabled={*busy} data-testid="policy-run-now">{ "Run now" }</button> }
}
