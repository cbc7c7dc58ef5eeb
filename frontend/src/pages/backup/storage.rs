//! Storage targets: where engines write. The list shows health and usage;
//! "Add storage target" takes the type's connection fields and thresholds;
//! a target's page shows its capacity, growth, time-to-full and the
//! year's usage as a chart. Deleting a target in use is refused with the
//! policies that use it.

use bc_api_types::{
    ConnectionConfig, Permission, StorageCredential, StorageHealth, StorageTargetBody, StorageTargetDetail, TargetType,
};
use yew::platform::spawn_local;
use yew::prelude::*;

use super::{BackupTabs, bytes, num, opt, set_val, val};
use crate::api;
use crate::components::{ConfirmButton, ErrorView, Loading, Time};
use crate::hooks::use_fetch;
use crate::route::Route;
use crate::session::use_session;
use crate::toast::use_notify;

fn health_class(h: StorageHealth) -> &'static str {
    match h {
        StorageHealth::Healthy => "badge badge-success",
        StorageHealth::Warning => "badge badge-warning",
        StorageHealth::Critical => "badge badge-failed",
        StorageHealth::Unknown => "badge",
    }
}

fn type_label(t: TargetType) -> &'static str {
    match t {
        TargetType::S3 => "S3",
        TargetType::S3Compatible => "S3 compatible",
        TargetType::Smb => "SMB",
        TargetType::Nfs => "NFS",
        TargetType::Iscsi => "iSCSI",
        TargetType::Local => "Local",
    }
}

/// The connection fields of a type: (input id, label).
fn fields(t: TargetType) -> &'static [(&'static str, &'static str)] {
    match t {
        TargetType::S3 | TargetType::S3Compatible => &[
            ("st-endpoint", "Endpoint URL"),
            ("st-bucket", "Bucket"),
            ("st-region", "Region"),
            ("st-prefix", "Prefix"),
        ],
        TargetType::Smb => &[("st-server", "Server"), ("st-share", "Share name"), ("st-path", "Path")],
        TargetType::Nfs => &[("st-server", "Server"), ("st-export", "Export path"), ("st-mount", "Mount options")],
        TargetType::Iscsi => &[("st-portal", "Target portal"), ("st-iqn", "IQN"), ("st-lun", "LUN")],
        TargetType::Local => &[("st-path", "Filesystem path")],
    }
}

#[component]
pub fn StoragePage() -> Html {
    let session = use_session();
    let notify = use_notify();
    let list = use_fetch((), |_| async { api::backup::targets().await });
    let engines = use_fetch((), |_| async { api::backup::engines("", "", "").await });
    let kind = use_state(|| TargetType::Local);
    let selected = use_state(|| None::<String>);
    let detail = use_fetch((*selected).clone(), |id| async move {
        match id {
            Some(id) => api::backup::target(&id).await.map(Some),
            None => Ok(None),
        }
    });
    let manage = session.can(Permission::ManageBackup);

    let on_kind = {
        let kind = kind.clone();
        Callback::from(move |_: Event| kind.set(TargetType::parse(&val("st-type")).unwrap_or_default()))
    };
    let create = {
        let (notify, reload, kind) = (notify.clone(), list.reload.clone(), kind.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let body = StorageTargetBody {
                name: val("st-name").trim().to_string(),
                target_type: *kind,
                engine_id: val("st-engine"),
                connection: ConnectionConfig {
                    endpoint_url: opt("st-endpoint"),
                    bucket: opt("st-bucket"),
                    region: opt("st-region"),
                    prefix: opt("st-prefix"),
                    server: opt("st-server"),
                    share: opt("st-share"),
                    path: opt("st-path"),
                    export_path: opt("st-export"),
                    mount_options: opt("st-mount"),
                    portal: opt("st-portal"),
                    iqn: opt("st-iqn"),
                    lun: num("st-lun"),
                },
                alert_threshold: num("st-alert"),
                critical_threshold: num("st-critical"),
                credential: opt("st-cred-user").map(|username| StorageCredential {
                    username,
                    secret: val("st-cred-secret"),
                    credential_type: opt("st-cred-type").unwrap_or_else(|| "password".into()),
                }),
            };
            let (notify, reload) = (notify.clone(), reload.clone());
            spawn_local(async move {
                match api::backup::create_target(&body).await {
                    Ok(t) => {
                        notify.ok(format!("Storage target {} created", t.name));
                        reload.emit(());
                    }
                    Err(e) => notify.error(e),
                }
            });
        })
    };
    let delete = {
        let (notify, reload, selected) = (notify.clone(), list.reload.clone(), selected.clone());
        Callback::from(move |id: String| {
            let (notify, reload, selected) = (notify.clone(), reload.clone(), selected.clone());
            spawn_local(async move {
                match api::backup::delete_target(&id).await {
                    Ok(()) => {
                        notify.ok("Storage target deleted");
                        selected.set(None);
                        reload.emit(());
                    }
                    Err(e) => notify.error(e),
                }
            });
        })
    };

    // Health check and integrity verify: engine jobs; their results land on the target.
    let check = super::target_check(&notify, &list.reload);
    let engine_list = engines.data.as_ref().map(|e| (**e).clone()).unwrap_or_default();
    let engine_name =
        |id: &str| engine_list.iter().find(|e| e.id == id).map(|e| e.name.clone()).unwrap_or_else(|| id.to_string());
    let body = match (&list.data, &list.error) {
        (_, Some(e)) => html! { <ErrorView error={e.clone()} onretry={Some(list.reload.clone())} /> },
        (None, None) => html! { <Loading what="storage targets" /> },
        (Some(l), None) if l.is_empty() => html! {
            <div class="state empty" role="status"><h2>{ "No storage targets" }</h2></div>
        },
        (Some(l), None) => html! {
            <div class="table-wrap">
                <table class="table storage-targets">
                    <thead><tr>
                        <th scope="col">{ "Name" }</th><th scope="col">{ "Type" }</th><th scope="col">{ "Engine" }</th>
                        <th scope="col">{ "Health" }</th><th scope="col">{ "Usage" }</th><th scope="col">{ "Thresholds" }</th>
                        <th scope="col">{ "Last health check" }</th><th scope="col">{ "Last verify" }</th>
                        <th scope="col"><span class="sr-only">{ "Actions" }</span></th>
                    </tr></thead>
                    <tbody>
                        { for l.iter().map(|t| {
                            let open = { let (s, id) = (selected.clone(), t.id.clone()); Callback::from(move |_: MouseEvent| s.set(Some(id.clone()))) };
                            let del = { let (d, id) = (delete.clone(), t.id.clone()); Callback::from(move |_| d.emit(id.clone())) };
                            let hc = { let (c, id) = (check.clone(), t.id.clone()); Callback::from(move |_: MouseEvent| c.emit((id.clone(), false))) };
                            let vf = { let (c, id) = (check.clone(), t.id.clone()); Callback::from(move |_: MouseEvent| c.emit((id.clone(), true))) };
                            html! {
                                <tr data-target-id={t.id.clone()}>
                                    <td><button class="link" onclick={open}>{ &t.name }</button></td>
                                    <td>{ type_label(t.target_type) }</td>
                                    <td>{ engine_name(&t.engine_id) }</td>
                                    <td><span class={health_class(t.health)}>{ t.health.as_str() }</span></td>
                                    <td>{ t.capacity.as_ref().map(|c| format!("{:.1} % of {}", c.usage_percent, bytes(c.total_bytes))).unwrap_or_else(|| "not reported".into()) }</td>
                                    <td>{ format!("{} % / {} %", t.alert_threshold, t.critical_threshold) }</td>
                                    <td>{ check_cell(t.last_health_check.as_ref()) }</td>
                                    <td>{ check_cell(t.last_verify.as_ref()) }</td>
                                    <td class="actions">
                                        if manage {
                                            <button class="btn btn-small" onclick={hc} data-testid="target-health-check">{ "Health check" }</button>
                                            <button class="btn btn-small" onclick={vf} data-testid="target-verify">{ "Verify" }</button>
                                            <ConfirmButton label="Delete" confirm={format!("Delete {}?", t.name)} onconfirm={del} class="btn btn-small btn-danger" />
                                        }
                                    </td>
                                </tr>
                            }
                        }) }
                    </tbody>
                </table>
            </div>
        },
    };

    let detail_view = match detail.data.as_deref() {
        Some(Some(d)) => {
            let reload = {
                let (a, b) = (detail.reload.clone(), list.reload.clone());
                Callback::from(move |_| {
                    a.emit(());
                    b.emit(());
                })
            };
            html! {
                <>
                    { capacity_view(d) }
                    if manage { <TargetEdit key={d.target.id.clone()} target={d.target.clone()} {reload} /> }
                </>
            }
        }
        _ => html! {},
    };

    let form = manage.then(|| html! {
        <section class="card" aria-labelledby="st-form-title">
            <h2 id="st-form-title" class="card-title">{ "Add storage target" }</h2>
            <form class="grid-form" onsubmit={create} data-testid="storage-form">
                <div class="field"><label for="st-name">{ "Name" }</label><input id="st-name" type="text" maxlength="200" /></div>
                <div class="field">
                    <label for="st-type">{ "Target type" }</label>
                    <select id="st-type" onchange={on_kind}>
                        { for TargetType::ALL.iter().map(|t| html! { <option value={t.as_str()} selected={*t == *kind}>{ type_label(*t) }</option> }) }
                    </select>
                </div>
                <div class="field">
                    <label for="st-engine">{ "Engine" }</label>
                    <select id="st-engine">
                        { for engine_list.iter().map(|e| html! { <option value={e.id.clone()}>{ &e.name }</option> }) }
                    </select>
                </div>
                // Keyed by type: switching the type gives fresh, empty inputs
                // instead of reusing the previous type's (and their values).
                { for fields(*kind).iter().map(|(id, label)| html! {
                    <div class="field" key={format!("{}-{id}", kind.as_str())}><label for={*id}>{ *label }</label><input id={*id} type="text" /></div>
                }) }
                <div class="field"><label for="st-alert">{ "Alert threshold %" }</label><input id="st-alert" type="number" min="1" max="100" placeholder="85" /></div>
                <div class="field"><label for="st-critical">{ "Critical threshold %" }</label><input id="st-critical" type="number" min="1" max="100" placeholder="95" /></div>
                <fieldset><legend>{ "Credentials (optional, write-only, stored encrypted)" }</legend>
                    <div class="field"><label for="st-cred-user">{ "Username" }</label><input id="st-cred-user" type="text" autocomplete="off" /></div>
                    <div class="field"><label for="st-cred-secret">{ "Secret" }</label><input id="st-cred-secret" type="password" autocomplete="new-password" /></div>
                    <div class="field"><label for="st-cred-type">{ "Credential type" }</label><input id="st-cred-type" type="text" placeholder="password, access_key" /></div>
                </fieldset>
                <div class="form-actions"><button class="btn btn-primary" type="submit" data-testid="storage-save">{ "Add storage target" }</button></div>
            </form>
            <p class="hint">{ "At the critical threshold every enabled policy on the target is paused until usage is back under the alert threshold. \
                               Credentials need an engine of a customer; they are never shown again." }</p>
        </section>
    });

    html! {
        <section class="page">
            <div class="page-head"><h1>{ "Storage" }</h1></div>
            <BackupTabs current={Route::BackupStorage} />
            { body }
            { detail_view }
            { form.unwrap_or_default() }
        </section>
    }
}

/// A target's capacity and its usage history as a line chart (0..100 %).
fn capacity_view(d: &StorageTargetDetail) -> Html {
    let t = &d.target;
    let (w, h) = (600.0, 160.0);
    let n = d.history.len().max(2) as f64 - 1.0;
    let points: Vec<String> = d
        .history
        .iter()
        .enumerate()
        .map(|(i, p)| format!("{:.1},{:.1}", i as f64 / n * w, h - p.usage_percent.clamp(0.0, 100.0) / 100.0 * h))
        .collect();
    let line = |pct: u8| h - f64::from(pct) / 100.0 * h;
    html! {
        <section class="card" aria-labelledby="cap-title" data-testid="capacity">
            <h2 id="cap-title" class="card-title">{ format!("{}: capacity", t.name) }</h2>
            if let Some(c) = &t.capacity {
                <p>
                    { format!("{} used of {} ({:.1} %), {} free; growth {}/day", bytes(c.used_bytes), bytes(c.total_bytes), c.usage_percent,
                              bytes(c.free_bytes), bytes(c.growth_bytes_per_day.max(0.0) as u64)) }
                    { "; full " }
                    { match c.estimated_full_at { Some(at) => html! { <Time {at} /> }, None => html! { "not at this growth" } } }
                </p>
            } else {
                <p>{ "The engine has not reported this target's capacity yet." }</p>
            }
            <p>{ format!("Used by: {}", if d.policies.is_empty() { "no policy".into() } else { d.policies.join(", ") }) }</p>
            <svg class="capacity-chart" viewBox={format!("0 0 {w} {h}")} role="img" aria-label="Usage % per day, last 365 days" width="100%" height="160">
                <rect x="0" y="0" width={w.to_string()} height={h.to_string()} fill="none" stroke="#ccc" />
                <line x1="0" x2={w.to_string()} y1={line(t.alert_threshold).to_string()} y2={line(t.alert_threshold).to_string()} stroke="#d4a017" stroke-dasharray="4" />
                <line x1="0" x2={w.to_string()} y1={line(t.critical_threshold).to_string()} y2={line(t.critical_threshold).to_string()} stroke="#c0392b" stroke-dasharray="4" />
                <polyline points={points.join(" ")} fill="none" stroke="#1d4ed8" stroke-width="2" />
            </svg>
            <p class="hint">{ format!("{} day(s) of history (one point a day, the day's last report)", d.history.len()) }</p>
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct TargetEditProps {
    target: bc_api_types::StorageTarget,
    reload: Callback<()>,
}

/// Edit a target's name and thresholds, and rotate its credentials (new
/// ones replace the old; empty keeps them). Type, engine and connection stay.
#[component]
fn TargetEdit(props: &TargetEditProps) -> Html {
    let notify = use_notify();
    let t = props.target.clone();
    {
        let t = t.clone();
        use_effect_with(t.clone(), move |_| {
            set_val("te-name", &t.name);
            set_val("te-alert", &t.alert_threshold.to_string());
            set_val("te-critical", &t.critical_threshold.to_string());
        });
    }
    let save = {
        let (notify, reload, t) = (notify.clone(), props.reload.clone(), t.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let body = StorageTargetBody {
                name: val("te-name").trim().to_string(),
                target_type: t.target_type,
                engine_id: t.engine_id.clone(),
                connection: t.connection.clone(),
                alert_threshold: num("te-alert"),
                critical_threshold: num("te-critical"),
                credential: opt("te-cred-user").map(|username| StorageCredential {
                    username,
                    secret: val("te-cred-secret"),
                    credential_type: opt("te-cred-type").unwrap_or_else(|| "password".into()),
                }),
            };
            let (notify, reload, id) = (notify.clone(), reload.clone(), t.id.clone());
            spawn_local(async move {
                match api::backup::update_target(&id, &body).await {
                    Ok(t) => {
                        notify.ok(format!("Saved {}", t.name));
                        reload.emit(());
                    }
                    Err(e) => notify.error(e),
                }
            });
        })
    };
    html! {
        <section class="card" aria-labelledby="te-title">
            <h2 id="te-title" class="card-title">{ format!("Edit {}", t.name) }</h2>
            <form class="inline-form" onsubmit={save} data-testid="target-edit">
                <label for="te-name">{ "Name" }</label>
                <input id="te-name" type="text" maxlength="200" />
                <label for="te-alert">{ "Alert %" }</label>
                <input id="te-alert" type="number" min="1" max="100" />
                <label for="te-critical">{ "Critical %" }</label>
                <input id="te-critical" type="number" min="1" max="100" />
                <label for="te-cred-user">{ if t.has_credential { "New credentials: username" } else { "Credentials: username" } }</label>
                <input id="te-cred-user" type="text" autocomplete="off" />
                <input id="te-cred-secret" type="password" autocomplete="new-password" aria-label="Secret" placeholder="secret" />
                <input id="te-cred-type" type="text" aria-label="Credential type" placeholder="password" />
                <button class="btn btn-primary" type="submit" data-testid="target-edit-save">{ "Save" }</button>
            </form>
            if t.has_credential {
                <p class="hint">{ format!("Credentials are set ({}); they are never shown. Enter new ones to replace them.", t.credential_type.clone().unwrap_or_default()) }</p>
            }
        </section>
    }
}

/// A target's last health check or verification: when, and how it went.
fn check_cell(c: Option<&bc_api_types::TargetCheck>) -> Html {
    use bc_api_types::AgentJobStatus as S;
    match c {
        None => html! { <span class="muted">{ "never" }</span> },
        Some(c) => {
            let badge = match c.status {
                S::Success => "badge badge-success",
                S::Warning => "badge badge-warning",
                S::Failed => "badge badge-failed",
                S::Pending | S::Running => "badge",
            };
            let label = match c.status {
                S::Pending => "queued",
                s => s.as_str(),
            };
            html! {
                <span title={c.message.clone().unwrap_or_default()}>
                    <span class={badge}>{ label }</span>{ " " }<Time at={c.at} />
                </span>
            }
        }
    }
}
