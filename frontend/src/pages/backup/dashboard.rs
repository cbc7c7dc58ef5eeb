//! Backup > Dashboard (seed 001, "Monitoring and Dashboard"): the summary
//! tiles, then the four exception queues, each loaded by its own request
//! with its own loading, empty and error state. Actions show only with
//! `backup.manage`; the links to the restore page only with
//! `backup.restore` (they fail closed), and the server checks each call.

use bc_api_types::{ObjectSource, Permission, StorageHealth};
use yew::platform::spawn_local;
use yew::prelude::*;
use yew_router::prelude::*;

use super::{BackupTabs, restore::RestoreQuery};
use crate::api;
use crate::components::{ErrorView, Loading, Time};
use crate::hooks::use_fetch;
use crate::route::Route;
use crate::session::use_session;
use crate::toast::use_notify;

/// A queue's fetch: its data, its error and its reload.
type QueueState<'a, T> = (&'a Option<std::rc::Rc<Vec<T>>>, &'a Option<api::ApiError>, &'a Callback<()>);

/// One queue's body: loading, error, empty text or the rows.
fn queue<T>(f: QueueState<'_, T>, what: &str, empty: &str, testid: &str, rows: impl FnOnce(&[T]) -> Html) -> Html {
    match (f.0, f.1) {
        (_, Some(e)) => html! { <ErrorView error={e.clone()} onretry={Some(f.2.clone())} /> },
        (None, None) => html! { <Loading what={what.to_string()} /> },
        (Some(l), None) if l.is_empty() => html! {
            <p class="queue-empty" role="status" data-testid={format!("{testid}-empty")}>{ empty }</p>
        },
        (Some(l), None) => rows(l),
    }
}

fn tile(label: &str, value: Option<u64>, testid: &str, alert: bool) -> Html {
    let cls = classes!("tile", (alert && value.unwrap_or(0) > 0).then_some("tile-alert"));
    html! {
        <div class={cls} data-testid={testid.to_string()}>
            <div class="tile-value">{ value.map(|v| v.to_string()).unwrap_or_else(|| "…".into()) }</div>
            <div class="tile-label">{ label }</div>
        </div>
    }
}

#[component]
pub fn BackupDashboardPage() -> Html {
    let session = use_session();
    let notify = use_notify();
    let navigator = use_navigator();
    let manage = session.can(Permission::ManageBackup);
    let restore = session.can(Permission::RestoreBackup);
    let summary = use_fetch((), |_| async { api::backup_runs::summary().await });
    let failed = use_fetch((), |_| async { api::backup_runs::failed().await });
    let rpo = use_fetch((), |_| async { api::backup_runs::rpo_breaches().await });
    let storage = use_fetch((), |_| async { api::backup_runs::storage_alerts().await });
    let verification = use_fetch((), |_| async { api::backup_runs::verification_failures().await });

    let s = summary.data.as_deref();
    let tiles = match &summary.error {
        Some(e) => html! { <ErrorView error={e.clone()} onretry={Some(summary.reload.clone())} /> },
        None => html! {
            <div class="tiles" data-testid="dashboard-summary" aria-busy={summary.loading.to_string()}>
                { tile("Protected", s.map(|s| s.protected_count), "tile-protected", false) }
                { tile("At risk", s.map(|s| s.at_risk_count), "tile-at-risk", true) }
                { tile("RPO breaches", s.map(|s| s.rpo_breach_count), "tile-rpo", true) }
                { tile("Unprotected hosts", s.map(|s| s.unprotected_host_count), "tile-unprotected", true) }
                { tile("BES online", s.map(|s| s.engines_online), "tile-bes-online", false) }
                { tile("BES offline", s.map(|s| s.engines_offline), "tile-bes-offline", true) }
                { tile("Success (24 h)", s.map(|s| s.success_24h), "tile-success", false) }
                { tile("Failed (24 h)", s.map(|s| s.failed_24h), "tile-failed", true) }
                { tile("Warning (24 h)", s.map(|s| s.warning_24h), "tile-warning", true) }
            </div>
        },
    };

    // Opens the restore page of a host (only with backup.restore).
    let to_restore = {
        let navigator = navigator.clone();
        Callback::from(move |(host_id, point): (String, String)| {
            if let Some(n) = &navigator {
                let q = RestoreQuery { host_id, point, ..RestoreQuery::default() };
                crate::route::push_with(n, &Route::BackupRestore, &q);
            }
        })
    };

    let retry = {
        let (notify, failed_reload, summary_reload) = (notify.clone(), failed.reload.clone(), summary.reload.clone());
        Callback::from(move |job_id: String| {
            let (notify, a, b) = (notify.clone(), failed_reload.clone(), summary_reload.clone());
            spawn_local(async move {
                match api::backup_runs::retry(&job_id).await {
                    Ok(d) => {
                        notify.ok(format!("Retry dispatched ({} job(s))", d.agent_job_ids.len()));
                        a.emit(());
                        b.emit(());
                    }
                    Err(e) => notify.error(e),
                }
            });
        })
    };
    let failed_rows = queue(
        (&failed.data, &failed.error, &failed.reload),
        "failed backups",
        "No failed backups",
        "queue-failed",
        |l| {
            html! {
                <div class="table-wrap"><table class="table queue-table failed-backups">
                    <thead><tr>
                        <th scope="col">{ "Policy" }</th><th scope="col">{ "Host" }</th><th scope="col">{ "Status" }</th>
                        <th scope="col">{ "Failed" }</th><th scope="col">{ "Error" }</th>
                        <th scope="col"><span class="sr-only">{ "Actions" }</span></th>
                    </tr></thead>
                    <tbody>
                        { for l.iter().map(|f| {
                            let on_retry = f.job_id.clone().map(|id| { let r = retry.clone(); Callback::from(move |_: MouseEvent| r.emit(id.clone())) });
                            html! {
                                <tr data-agent-job-id={f.agent_job_id.clone()}>
                                    <td>{ &f.policy_name }</td>
                                    <td>{ f.hostname.clone().unwrap_or_default() }</td>
                                    <td><span class="badge badge-failed">{ f.status.as_str() }</span></td>
                                    <td><Time at={f.failed_at} /></td>
                                    <td class="message">{ f.error.clone().unwrap_or_default() }</td>
                                    <td class="actions">
                                        if manage {
                                            if let Some(onclick) = on_retry {
                                                <button class="btn btn-small" {onclick} data-testid="dashboard-retry"
                                                    title={(!f.retryable).then_some("The latest run is not marked retryable; the server may refuse")}>{ "Retry" }</button>
                                            }
                                        }
                                    </td>
                                </tr>
                            }
                        }) }
                    </tbody>
                </table></div>
            }
        },
    );

    let rpo_rows = queue(
        (&rpo.data, &rpo.error, &rpo.reload),
        "RPO breaches",
        "All objects within RPO",
        "queue-rpo",
        |l| {
            html! {
                <div class="table-wrap"><table class="table queue-table rpo-breaches">
                    <thead><tr>
                        <th scope="col">{ "Object" }</th><th scope="col">{ "Host" }</th><th scope="col">{ "Last backup" }</th>
                        <th scope="col">{ "RPO" }</th><th scope="col">{ "Breached for" }</th>
                    </tr></thead>
                    <tbody>
                        { for l.iter().map(|o| {
                            let host_id = match &o.object.source { ObjectSource::Native { host_id, .. } => Some(host_id.clone()), _ => None };
                            let link = host_id.filter(|_| restore);
                            let onclick = link.clone().map(|h| { let t = to_restore.clone(); Callback::from(move |_: MouseEvent| t.emit((h.clone(), String::new()))) });
                            html! {
                                <tr class={classes!(onclick.is_some().then_some("clickable"))} onclick={onclick.clone()}
                                    title={onclick.is_some().then_some("Open Backup > Restore for this host")}>
                                    <td>
                                        if link.is_some() { <button class="link" type="button">{ &o.object.name }</button> } else { { &o.object.name } }
                                    </td>
                                    <td>{ o.object.hostname.clone().unwrap_or_default() }</td>
                                    <td>{ match o.object.last_backup_at { Some(at) => html! { <Time {at} /> }, None => html! { <span class="muted">{ "never" }</span> } } }</td>
                                    <td>{ format!("{} h", o.object.rpo_hours) }</td>
                                    <td>{ format!("{} h", o.breach_hours) }</td>
                                </tr>
                            }
                        }) }
                    </tbody>
                </table></div>
            }
        },
    );

    let check = super::target_check(&notify, &storage.reload);
    let storage_rows = queue(
        (&storage.data, &storage.error, &storage.reload),
        "storage alerts",
        "All storage healthy",
        "queue-storage",
        |l| {
            html! {
                <ul class="storage-alerts">
                    { for l.iter().map(|t| {
                        let open = { let n = navigator.clone(); Callback::from(move |_: MouseEvent| if let Some(n) = &n { n.push(&Route::BackupStorage) }) };
                        let stop = |cb: Callback<MouseEvent>| Callback::from(move |e: MouseEvent| { e.stop_propagation(); cb.emit(e) });
                        let hc = { let (c, id) = (check.clone(), t.target_id.clone()); stop(Callback::from(move |_| c.emit((id.clone(), false)))) };
                        let vf = { let (c, id) = (check.clone(), t.target_id.clone()); stop(Callback::from(move |_| c.emit((id.clone(), true)))) };
                        let badge = match t.health { StorageHealth::Critical => "badge badge-failed", StorageHealth::Warning => "badge badge-warning", _ => "badge" };
                        html! {
                            <li class="alert-card clickable" onclick={open} data-target-id={t.target_id.clone()} title="Open Backup > Storage">
                                <strong>{ &t.name }</strong>{ " " }<span class="muted">{ t.target_type.as_str() }</span>{ " " }
                                <span class={badge}>{ t.health.as_str() }</span>{ " " }
                                { t.usage_percent.map(|u| format!("{u:.1} % used")).unwrap_or_else(|| "usage not reported".into()) }
                                { " · last check " }
                                { match t.last_check_at { Some(at) => html! { <Time {at} /> }, None => html! { "never" } } }
                                if manage {
                                    <span class="inline-actions">
                                        <button class="btn btn-small" type="button" onclick={hc}>{ "Health check" }</button>
                                        <button class="btn btn-small" type="button" onclick={vf}>{ "Verify" }</button>
                                    </span>
                                }
                            </li>
                        }
                    }) }
                </ul>
            }
        },
    );

    let verification_rows = queue(
        (&verification.data, &verification.error, &verification.reload),
        "verification failures",
        "All verifications passing",
        "queue-verification",
        |l| {
            html! {
                <div class="table-wrap"><table class="table queue-table verification-failures">
                    <thead><tr>
                        <th scope="col">{ "Restore point" }</th><th scope="col">{ "Host" }</th><th scope="col">{ "Policy" }</th>
                        <th scope="col">{ "Backup type" }</th><th scope="col">{ "Completed" }</th>
                    </tr></thead>
                    <tbody>
                        { for l.iter().map(|p| {
                            let onclick = restore.then(|| { let (t, h, id) = (to_restore.clone(), p.host_id.clone(), p.id.clone()); Callback::from(move |_: MouseEvent| t.emit((h.clone(), id.clone()))) });
                            html! {
                                <tr class={classes!(onclick.is_some().then_some("clickable"))} {onclick}>
                                    <td><code>{ &p.id }</code></td>
                                    <td>{ &p.hostname }</td>
                                    <td>{ &p.policy_name }</td>
                                    <td>{ p.level.as_str() }</td>
                                    <td><Time at={p.completed_at} /></td>
                                </tr>
                            }
                        }) }
                    </tbody>
                </table></div>
            }
        },
    );

    let section = |title: &str, color: &str, testid: &str, count: Option<usize>, body: Html| {
        html! {
            <section class={classes!("card", "queue", format!("queue-{color}"))} data-testid={testid.to_string()} aria-label={title.to_string()}>
                <h2 class="card-title">{ title }{ count.map(|n| format!(" ({n})")).unwrap_or_default() }</h2>
                { body }
            </section>
        }
    };

    html! {
        <section class="page">
            <div class="page-head"><h1>{ "Backup dashboard" }</h1></div>
            <BackupTabs current={Route::BackupDashboard} />
            { tiles }
            <div class="queues">
                { section("Failed Backups", "red", "queue-failed", failed.data.as_ref().map(|l| l.len()), failed_rows) }
                { section("RPO Breaches", "orange", "queue-rpo", rpo.data.as_ref().map(|l| l.len()), rpo_rows) }
                { section("Storage Health Alerts", "yellow", "queue-storage", storage.data.as_ref().map(|l| l.len()), storage_rows) }
                { section("Verification Failures", "yellow", "queue-verification", verification.data.as_ref().map(|l| l.len()), verification_rows) }
            </div>
            if !restore {
                <p class="hint">{ "Links to Backup > Restore need the backup.restore permission." }</p>
            }
        </section>
    }
}
