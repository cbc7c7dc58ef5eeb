//! One policy: its settings, whether it meets 3-2-1 (and why not), enable
//! and disable, the App Hooks section (the form's seventh, collapsible),
//! its replication rules and its hosts.

use bc_api_types::{AppHookBody, HookTemplate, HookType, KekSource, Permission, PolicyBody, ReplicaRuleBody};
use yew::platform::spawn_local;
use yew::prelude::*;
use yew_router::prelude::*;

use super::policies::PolicyForm;
use super::{BackupTabs, checked, num, opt, set_checked, set_val, val};
use crate::api;
use crate::components::{ConfirmButton, ErrorView, Loading};
use crate::hooks::use_fetch;
use crate::route::Route;
use crate::session::use_session;
use crate::toast::use_notify;

#[derive(Properties, PartialEq)]
pub struct PolicyPageProps {
    pub id: AttrValue,
}

#[component]
pub fn PolicyPage(props: &PolicyPageProps) -> Html {
    let session = use_session();
    let notify = use_notify();
    let navigator = use_navigator();
    let id = props.id.to_string();
    let detail = use_fetch(id.clone(), |id| async move { api::backup::policy(&id).await });
    let targets = use_fetch((), |_| async { api::backup::targets().await });
    let hosts = use_fetch((), |_| async { api::backup::hosts().await });
    let engines = use_fetch((), |_| async { api::backup::engines("", "", "").await });
    let manage = session.can(Permission::ManageBackup);
    let reload = detail.reload.clone();

    // One helper for every action: run it, say how it went, reload.
    let act = {
        let (notify, reload) = (notify.clone(), reload.clone());
        move |ok: String, fut: std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), api::ApiError>>>>| {
            let (notify, reload) = (notify.clone(), reload.clone());
            spawn_local(async move {
                match fut.await {
                    Ok(()) => {
                        notify.ok(ok);
                        reload.emit(());
                    }
                    Err(e) => notify.error(e),
                }
            });
        }
    };

    let run_now = {
        let (act, id) = (act.clone(), id.clone());
        Callback::from(move |_: MouseEvent| {
            let id = id.clone();
            act(
                "Backup dispatched to the policy's active hosts".into(),
                Box::pin(async move { api::backup_runs::run_now(&id).await.map(|_| ()) }),
            );
        })
    };

    let add_hook = {
        let (act, id) = (act.clone(), id.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let body = AppHookBody {
                hook_type: HookType::parse(&val("hk-type")).unwrap_or_default(),
                template: HookTemplate::parse(&val("hk-template")),
                script: opt("hk-script"),
                timeout_seconds: num("hk-timeout"),
                sequence: num("hk-sequence"),
                fail_on_error: Some(checked("hk-fail")),
            };
            let id = id.clone();
            act("Hook added".into(), Box::pin(async move { api::backup::create_hook(&id, &body).await.map(|_| ()) }));
        })
    };
    let add_replica = {
        let (act, id) = (act.clone(), id.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let body = ReplicaRuleBody {
                policy_id: id.clone(),
                storage_target_id: val("rr-target"),
                kek_source: KekSource::parse(&val("rr-kek")),
                replicate_after_full: Some(checked("rr-full")),
                replicate_after_incremental: Some(checked("rr-incr")),
                is_offsite: Some(checked("rr-offsite")),
            };
            act(
                "Replication rule added".into(),
                Box::pin(async move { api::backup::create_replica(&body).await.map(|_| ()) }),
            );
        })
    };
    let assign = {
        let (act, id) = (act.clone(), id.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let (id, host) = (id.clone(), val("as-host"));
            act(
                "Host assigned".into(),
                Box::pin(async move { api::backup::assign_host(&id, &host).await.map(|_| ()) }),
            );
        })
    };

    let (d, error) = (detail.data.clone(), detail.error.clone());
    let Some(d) = d else {
        return match error {
            Some(e) => html! { <ErrorView error={e} onretry={Some(reload)} /> },
            None => html! { <Loading what="the policy" /> },
        };
    };
    let p = d.policy.clone();
    let target_list = targets.data.as_ref().map(|t| (**t).clone()).unwrap_or_default();
    let engine_list = engines.data.as_ref().map(|e| (**e).clone()).unwrap_or_default();
    let target_name =
        |tid: &str| target_list.iter().find(|t| t.id == tid).map(|t| t.name.clone()).unwrap_or_else(|| tid.to_string());
    let toggle = {
        let (act, id, enabled) = (act.clone(), id.clone(), p.enabled);
        Callback::from(move |_: MouseEvent| {
            let body = PolicyBody { enabled: Some(!enabled), ..Default::default() };
            let id = id.clone();
            act(
                if enabled { "Policy disabled" } else { "Policy enabled" }.into(),
                Box::pin(async move { api::backup::update_policy(&id, &body).await.map(|_| ()) }),
            );
        })
    };
    let delete = {
        let (notify, id, navigator) = (notify.clone(), id.clone(), navigator.clone());
        Callback::from(move |_| {
            let (notify, id, navigator) = (notify.clone(), id.clone(), navigator.clone());
            spawn_local(async move {
                match api::backup::delete_policy(&id).await {
                    Ok(()) => {
                        notify.ok("Policy deleted with its hooks, replicas and host assignments");
                        if let Some(n) = navigator {
                            n.push(&Route::BackupPolicies);
                        }
                    }
                    Err(e) => notify.error(e),
                }
            });
        })
    };
    let t321 = &d.three_two_one;
    let host_list = hosts.data.as_ref().map(|h| (**h).clone()).unwrap_or_default();

    html! {
        <section class="page">
            <div class="page-head">
                <h1>{ format!("Policy {}", p.name) }</h1>
                <div class="head-actions">
                    <Link<Route> to={Route::BackupPolicies} classes="btn btn-ghost">{ "← Policies" }</Link<Route>>
                    if manage {
                        <button class="btn btn-primary" onclick={run_now} data-testid="policy-run-now">{ "Run now" }</button>
                        <button class="btn" onclick={toggle} data-testid="policy-toggle">{ if p.enabled { "Disable" } else { "Enable" } }</button>
                        <ConfirmButton label="Delete" confirm="Delete this policy with its hooks, replicas and host assignments?" onconfirm={delete} />
                    }
                </div>
            </div>
            <BackupTabs current={Route::BackupPolicies} />
            <section class="card" data-testid="policy-summary">
                <p>{ format!("Storage target {} · {} backup · full {} ({}) · retention {}/{}/{} · {} · {}",
                    target_name(&p.storage_target_id), p.backup_type.as_str(), p.full_schedule, p.time_zone,
                    p.retention_daily, p.retention_weekly, p.retention_monthly, p.compression.as_str(), p.encryption.as_str()) }</p>
                <p>{ match (&p.paused_reason, p.enabled) {
                    (Some(r), _) => html! { <span class="badge badge-failed">{ format!("paused: {r}") }</span> },
                    (None, true) => html! { <span class="badge badge-success">{ "enabled" }</span> },
                    (None, false) => html! { <span class="badge">{ "disabled" }</span> },
                } }</p>
                <p data-testid="three-two-one">
                    { if t321.meets { "Meets 3-2-1".to_string() } else {
                        format!("Does not meet 3-2-1 ({} copies, {} media types, {}): {}", t321.copies, t321.media_types,
                            if t321.offsite { "offsite" } else { "no offsite" }, t321.reasons.join("; "))
                    } }
                </p>
            </section>

            if manage {
                <details class="card" data-testid="policy-edit">
                    <summary><h2 class="card-title">{ "Edit settings (sections 1-6)" }</h2></summary>
                    <PolicyForm existing={Some(p.clone())} engines={engine_list.clone()} targets={target_list.clone()}
                                onsaved={{ let r = reload.clone(); Callback::from(move |_| r.emit(())) }} />
                </details>
            }
            <details class="card" open=true data-testid="hooks-section">
                <summary><h2 class="card-title">{ format!("7. App hooks ({})", d.hooks.len()) }</h2></summary>
                <table class="table hooks">
                    <thead><tr><th>{ "Type" }</th><th>{ "Template" }</th><th>{ "Script" }</th><th>{ "Timeout" }</th><th>{ "Sequence" }</th><th>{ "Fail on error" }</th><th></th></tr></thead>
                    <tbody>
                        { for d.hooks.iter().map(|h| html! {
                            <HookRow key={h.id.clone()} hook={h.clone()} {manage} reload={reload.clone()} />
                        }) }
                    </tbody>
                </table>
                if manage {
                    <form class="inline-form" onsubmit={add_hook} data-testid="hook-form">
                        <select id="hk-type" aria-label="Hook type"><option value="pre">{ "pre" }</option><option value="post">{ "post" }</option></select>
                        <select id="hk-template" aria-label="Template">
                            <option value="">{ "Custom script" }</option>
                            { for HookTemplate::ALL.iter().map(|t| html! { <option value={t.as_str()}>{ t.describe().0 }</option> }) }
                        </select>
                        <input id="hk-script" type="text" placeholder="script (default: the template's snippet)" aria-label="Script" />
                        <input id="hk-timeout" type="number" min="1" placeholder="300" aria-label="Timeout (seconds)" />
                        <input id="hk-sequence" type="number" placeholder="0" aria-label="Sequence" />
                        <label class="check"><input id="hk-fail" type="checkbox" />{ "Fail on error" }</label>
                        <button class="btn btn-primary" type="submit" data-testid="hook-add">{ "Add hook" }</button>
                    </form>
                }
            </details>

            <section class="card" data-testid="replicas-section">
                <h2 class="card-title">{ "Replication rules" }</h2>
                <ul class="replicas">
                    { for d.replicas.iter().map(|r| html! {
                        <li>{ format!("→ {} (KEK {}; after full {}, after incremental {}{})", target_name(&r.storage_target_id), r.kek_source.as_str(),
                            if r.replicate_after_full { "yes" } else { "no" }, if r.replicate_after_incremental { "yes" } else { "no" },
                            if r.is_offsite { ", offsite" } else { "" }) }</li>
                    }) }
                </ul>
                if manage {
                    <form class="inline-form" onsubmit={add_replica} data-testid="replica-form">
                        <select id="rr-target" aria-label="Secondary storage target">
                            { for target_list.iter().filter(|t| t.id != p.storage_target_id).map(|t| html! { <option value={t.id.clone()}>{ &t.name }</option> }) }
                        </select>
                        <select id="rr-kek" aria-label="KEK source"><option value="account">{ "account" }</option><option value="pam_vault">{ "pam_vault" }</option></select>
                        <label class="check"><input id="rr-full" type="checkbox" checked=true />{ "After full" }</label>
                        <label class="check"><input id="rr-incr" type="checkbox" checked=true />{ "After incremental" }</label>
                        <label class="check"><input id="rr-offsite" type="checkbox" />{ "Offsite" }</label>
                        <button class="btn btn-primary" type="submit" data-testid="replica-add">{ "Add replication rule" }</button>
                    </form>
                }
            </section>

            <section class="card" data-testid="hosts-section">
                <h2 class="card-title">{ "Hosts" }</h2>
                <ul>{ for d.hosts.iter().map(|h| html! { <li>{ format!("{} ({})", h.hostname, h.state.as_str()) }</li> }) }</ul>
                if manage {
                    <form class="inline-form" onsubmit={assign}>
                        <select id="as-host" aria-label="Host">{ for host_list.iter().map(|h| html! { <option value={h.id.clone()}>{ &h.hostname }</option> }) }</select>
                        <button class="btn" type="submit" data-testid="host-assign">{ "Assign host" }</button>
                    </form>
                }
            </section>
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct HookRowProps {
    hook: bc_api_types::AppHook,
    manage: bool,
    reload: Callback<()>,
}

/// A hook in the list; clicking Edit turns the row into its form (inline).
#[component]
fn HookRow(props: &HookRowProps) -> Html {
    let notify = use_notify();
    let editing = use_state(|| false);
    let h = props.hook.clone();
    {
        let h = h.clone();
        use_effect_with((*editing, h.clone()), move |(on, _)| {
            if *on {
                let f = |name: &str| format!("he-{name}-{}", h.id);
                set_val(&f("script"), &h.script);
                set_val(&f("timeout"), &h.timeout_seconds.to_string());
                set_val(&f("sequence"), &h.sequence.to_string());
                set_checked(&f("fail"), h.fail_on_error);
            }
        });
    }
    let del = {
        let (notify, reload, id) = (notify.clone(), props.reload.clone(), h.id.clone());
        Callback::from(move |_| {
            let (notify, reload, id) = (notify.clone(), reload.clone(), id.clone());
            spawn_local(async move {
                match api::backup::delete_hook(&id).await {
                    Ok(()) => {
                        notify.ok("Hook deleted");
                        reload.emit(());
                    }
                    Err(e) => notify.error(e),
                }
            });
        })
    };
    if !*editing {
        let edit = {
            let editing = editing.clone();
            Callback::from(move |_: MouseEvent| editing.set(true))
        };
        return html! {
            <tr data-hook-id={h.id.clone()}>
                <td><span class="badge">{ h.hook_type.as_str() }</span></td>
                <td>{ h.template.map(|t| t.describe().0).unwrap_or("Custom script") }</td>
                <td><code>{ &h.script }</code></td>
                <td>{ format!("{} s", h.timeout_seconds) }</td>
                <td>{ h.sequence }</td>
                <td>{ if h.fail_on_error { "yes" } else { "no" } }</td>
                <td class="actions">
                    if props.manage {
                        <button class="btn btn-small" onclick={edit} data-testid="hook-edit">{ "Edit" }</button>
                        <ConfirmButton label="🗑" confirm="Delete this hook?" onconfirm={del} class="btn btn-small btn-danger" />
                    }
                </td>
            </tr>
        };
    }
    let id = |f: &str| format!("he-{f}-{}", h.id);
    let save = {
        let (notify, reload, editing, hid) = (notify.clone(), props.reload.clone(), editing.clone(), h.id.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let f = |name: &str| format!("he-{name}-{hid}");
            let body = AppHookBody {
                hook_type: HookType::parse(&val(&f("type"))).unwrap_or_default(),
                template: HookTemplate::parse(&val(&f("template"))),
                script: opt(&f("script")),
                timeout_seconds: num(&f("timeout")),
                sequence: num(&f("sequence")),
                fail_on_error: Some(checked(&f("fail"))),
            };
            let (notify, reload, editing, hid) = (notify.clone(), reload.clone(), editing.clone(), hid.clone());
            spawn_local(async move {
                match api::backup::update_hook(&hid, &body).await {
                    Ok(_) => {
                        notify.ok("Hook saved");
                        editing.set(false);
                        reload.emit(());
                    }
                    Err(e) => notify.error(e),
                }
            });
        })
    };
    let cancel = {
        let editing = editing.clone();
        Callback::from(move |_: MouseEvent| editing.set(false))
    };
    let tpl = h.template.map(|t| t.as_str()).unwrap_or("");
    html! {
        <tr class="edit-row"><td colspan="7">
            <form class="inline-form" onsubmit={save} data-testid="hook-edit-form">
                <select id={id("type")} aria-label="Hook type">
                    { for HookType::ALL.iter().map(|t| html! { <option value={t.as_str()} selected={*t == h.hook_type}>{ t.as_str() }</option> }) }
                </select>
                <select id={id("template")} aria-label="Template">
                    <option value="" selected={tpl.is_empty()}>{ "Custom script" }</option>
                    { for HookTemplate::ALL.iter().map(|t| html! { <option value={t.as_str()} selected={t.as_str() == tpl}>{ t.describe().0 }</option> }) }
                </select>
                <input id={id("script")} type="text" aria-label="Script" />
                <input id={id("timeout")} type="number" min="1" aria-label="Timeout (seconds)" />
                <input id={id("sequence")} type="number" aria-label="Sequence" />
                <label class="check"><input id={id("fail")} type="checkbox" />{ "Fail on error" }</label>
                <button class="btn btn-primary" type="submit" data-testid="hook-save">{ "Save" }</button>
                <button class="btn" type="button" onclick={cancel}>{ "Cancel" }</button>
            </form>
        </td></tr>
    }
}
