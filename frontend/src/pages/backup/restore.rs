//! Backup > Restore (seed 001, "Restore Operations"): restore points with
//! their filters in the URL (host, policy, BES, chain id, status,
//! verification; `/backup/restore?host_id=…` is how the dashboard links
//! here), and for the selected point: browse (a path, default `/`) and
//! search, both asynchronous jobs on the engine that this page polls, then
//! file restore, image restore and bare-metal restore. All of it needs
//! `backup.restore`; without it the page says so and loads nothing.

use std::collections::BTreeSet;

use bc_api_types::{
    AgentJob, AgentJobStatus, BmrBody, BmrMethod, FileRestoreBody, ImageRestoreBody, Permission, RestorePoint,
    RestorePointStatus, SnapshotEntry, VerificationStatus,
};
use serde::{Deserialize, Serialize};
use yew::platform::spawn_local;
use yew::prelude::*;
use yew_router::prelude::*;

use super::{BackupTabs, bytes, checked, opt, val};
use crate::api;
use crate::api::backup_runs::PointFilter;
use crate::components::{ConfirmButton, ErrorView, Loading, PagerNav, Time};
use crate::hooks::{use_fetch, use_pager};
use crate::route::Route;
use crate::session::use_session;

/// The restore page's filters as they stand in the URL.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RestoreQuery {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub host_id: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub policy_id: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub engine_id: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub chain_id: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub status: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub verification: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub customer_id: String,
    /// A restore point to select once the list shows it (the dashboard's links).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub point: String,
}

fn point_badge(s: RestorePointStatus) -> &'static str {
    match s {
        RestorePointStatus::Complete => "badge badge-success",
        RestorePointStatus::Running => "badge",
        RestorePointStatus::Failed => "badge badge-failed",
        RestorePointStatus::Expired => "badge badge-missed",
    }
}

/// A restore point's copies on replica targets: each as a badge with its
/// outcome (the error as its title), "—" without replication rules.
fn copies(replicas: &[bc_api_types::ReplicaCopy]) -> Html {
    use bc_api_types::AgentJobStatus as S;
    if replicas.is_empty() {
        return html! { <span class="muted">{ "—" }</span> };
    }
    html! {
        { for replicas.iter().map(|c| {
            let class = match c.status {
                S::Success => "badge badge-success",
                S::Warning => "badge badge-warning",
                S::Failed => "badge badge-failed",
                _ => "badge",
            };
            let label = format!("{}{}", if c.is_offsite { "offsite " } else { "" }, c.status.as_str());
            html! { <span {class} title={c.error.clone().unwrap_or_default()}>{ label }</span> }
        }) }
    }
}

fn verification_badge(v: VerificationStatus) -> &'static str {
    match v {
        VerificationStatus::Passed => "badge badge-success",
        VerificationStatus::Failed => "badge badge-failed",
        VerificationStatus::Partial => "badge badge-warning",
        VerificationStatus::Pending => "badge",
    }
}

#[component]
pub fn BackupRestorePage() -> Html {
    let session = use_session();
    if !session.can(Permission::RestoreBackup) {
        return html! {
            <section class="page">
                <div class="page-head"><h1>{ "Restore" }</h1></div>
                <BackupTabs current={Route::BackupRestore} />
                <div class="state refused" role="alert" data-testid="restore-refused">
                    <h2>{ "You need backup.restore" }</h2>
                    <p>{ "Restore points, browsing, searching and every restore need the backup.restore permission. Ask an admin if you need it." }</p>
                </div>
            </section>
        };
    }
    html! { <RestoreList /> }
}

#[component]
fn RestoreList() -> Html {
    let location = use_location();
    let navigator = use_navigator();
    let query: RestoreQuery = location.as_ref().and_then(|l| l.query::<RestoreQuery>().ok()).unwrap_or_default();
    let pager = use_pager();
    let hosts = use_fetch((), |_| async { api::backup_runs::hosts("").await });
    let policies = use_fetch((), |_| async { api::backup::policies().await });
    let engines = use_fetch((), |_| async { api::backup::engines("", "", "").await });
    let filter = PointFilter {
        customer_id: query.customer_id.clone(),
        host_id: query.host_id.clone(),
        policy_id: query.policy_id.clone(),
        engine_id: query.engine_id.clone(),
        chain_id: query.chain_id.clone(),
        status: query.status.clone(),
        verification: query.verification.clone(),
    };
    let points = use_fetch((filter, pager.cursor()), |(f, cursor)| async move {
        api::backup_runs::restore_points(&f, cursor.as_deref()).await
    });
    let selected = use_state(|| None::<RestorePoint>);
    {
        // A link's `point`: selected when the list shows it.
        let (selected, want) = (selected.clone(), query.point.clone());
        let items = points.data.as_ref().map(|p| p.items.clone());
        use_effect_with((want, items), move |(want, items)| {
            if !want.is_empty()
                && selected.is_none()
                && let Some(rp) = items.as_ref().and_then(|l| l.iter().find(|p| &p.id == want))
            {
                selected.set(Some(rp.clone()));
            }
        });
    }

    let apply = {
        let (pager, selected) = (pager.clone(), selected.clone());
        crate::route::filter_apply::<RestoreQuery>(navigator.clone(), Route::BackupRestore, move || {
            pager.reset();
            selected.set(None);
        })
        .reform(|mut q: RestoreQuery| {
            q.point.clear();
            q
        })
    };
    let on_select = |field: fn(&mut RestoreQuery, String)| crate::route::select_filter(&query, &apply, field);
    let on_chain = {
        let (apply, query) = (apply.clone(), query.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let mut q = query.clone();
            q.chain_id = val("rp-chain").trim().to_string();
            apply.emit(q);
        })
    };
    let clear = {
        let apply = apply.clone();
        Callback::from(move |_| apply.emit(RestoreQuery::default()))
    };
    {
        let chain = query.chain_id.clone();
        use_effect_with(chain, |c| super::set_val("rp-chain", c));
    }
    let host_list = hosts.data.as_ref().map(|l| (**l).clone()).unwrap_or_default();
    let policy_list = policies.data.as_ref().map(|l| (**l).clone()).unwrap_or_default();
    let engine_list = engines.data.as_ref().map(|l| (**l).clone()).unwrap_or_default();
    let filtered = RestoreQuery { point: String::new(), ..query.clone() } != RestoreQuery::default();

    let body = match (&points.data, &points.error) {
        (_, Some(e)) => html! { <ErrorView error={e.clone()} onretry={Some(points.reload.clone())} /> },
        (None, None) => html! { <Loading what="restore points" /> },
        (Some(p), None) if p.items.is_empty() => html! {
            <div class="state empty" role="status" data-testid="restore-points-empty">
                <h2>{ if filtered { "No restore points match these filters" } else { "No restore points yet" } }</h2>
                <p>{ "Restore points appear when an engine reports a completed backup." }</p>
            </div>
        },
        (Some(p), None) => html! {
            <div class="table-wrap">
                <table class="table restore-points">
                    <thead><tr>
                        <th scope="col">{ "Completed" }</th><th scope="col">{ "Host" }</th><th scope="col">{ "Policy" }</th>
                        <th scope="col">{ "Type" }</th><th scope="col">{ "Status" }</th><th scope="col">{ "Verification" }</th>
                        <th scope="col">{ "Size" }</th><th scope="col">{ "Copies" }</th><th scope="col">{ "Chain" }</th>
                        <th scope="col"><span class="sr-only">{ "Select" }</span></th>
                    </tr></thead>
                    <tbody>
                        { for p.items.iter().map(|rp| {
                            let here = selected.as_ref().is_some_and(|s| s.id == rp.id);
                            let pick = { let (s, rp) = (selected.clone(), rp.clone()); Callback::from(move |_: MouseEvent| s.set(Some(rp.clone()))) };
                            html! {
                                <tr data-point-id={rp.id.clone()} class={classes!(here.then_some("selected"))}>
                                    <td><Time at={rp.completed_at} /></td>
                                    <td>{ &rp.hostname }</td>
                                    <td>{ &rp.policy_name }</td>
                                    <td>{ rp.level.as_str() }</td>
                                    <td><span class={point_badge(rp.status)}>{ rp.status.as_str() }</span>
                                        if rp.archived { { " " }<span class="tag">{ "archived" }</span> }</td>
                                    <td><span class={verification_badge(rp.verification)}>{ rp.verification.as_str() }</span></td>
                                    <td>{ format!("{} · {} files", bytes(rp.size_bytes), rp.file_count) }</td>
                                    <td data-testid="point-copies">{ copies(&rp.replicas) }</td>
                                    <td><code>{ &rp.chain_id }</code></td>
                                    <td class="actions">
                                        <button class={classes!("btn", "btn-small", here.then_some("btn-primary"))} onclick={pick}
                                            aria-pressed={here.to_string()} data-testid="point-select">{ if here { "Selected" } else { "Select" } }</button>
                                    </td>
                                </tr>
                            }
                        }) }
                    </tbody>
                </table>
            </div>
        },
    };
    let next_cursor = points.data.as_ref().and_then(|p| p.next_cursor.clone());
    let (onprev, onnext) = pager.nav_callbacks(next_cursor.clone());

    html! {
        <section class="page">
            <div class="page-head"><h1>{ "Restore" }</h1></div>
            <BackupTabs current={Route::BackupRestore} />
            <form class="filters" onsubmit={on_chain} role="search" aria-label="Filter restore points">
                <div class="field">
                    <label for="rp-host">{ "Host" }</label>
                    <select id="rp-host" onchange={on_select(|q, v| q.host_id = v)}>
                        <option value="" selected={query.host_id.is_empty()}>{ "All hosts" }</option>
                        { for host_list.iter().map(|h| html! { <option value={h.id.clone()} selected={h.id == query.host_id}>{ &h.hostname }</option> }) }
                        if !query.host_id.is_empty() && !host_list.iter().any(|h| h.id == query.host_id) {
                            <option value={query.host_id.clone()} selected=true>{ format!("host {}", query.host_id) }</option>
                        }
                    </select>
                </div>
                <div class="field">
                    <label for="rp-policy">{ "Policy" }</label>
                    <select id="rp-policy" onchange={on_select(|q, v| q.policy_id = v)}>
                        <option value="" selected={query.policy_id.is_empty()}>{ "All policies" }</option>
                        { for policy_list.iter().map(|p| html! { <option value={p.id.clone()} selected={p.id == query.policy_id}>{ &p.name }</option> }) }
                    </select>
                </div>
                <div class="field">
                    <label for="rp-engine">{ "BES" }</label>
                    <select id="rp-engine" onchange={on_select(|q, v| q.engine_id = v)}>
                        <option value="" selected={query.engine_id.is_empty()}>{ "All engines" }</option>
                        { for engine_list.iter().map(|e| html! { <option value={e.id.clone()} selected={e.id == query.engine_id}>{ &e.name }</option> }) }
                    </select>
                </div>
                <div class="field">
                    <label for="rp-status">{ "Status" }</label>
                    <select id="rp-status" onchange={on_select(|q, v| q.status = v)}>
                        <option value="" selected={query.status.is_empty()}>{ "Any status" }</option>
                        { for RestorePointStatus::ALL.iter().map(|s| html! { <option value={s.as_str()} selected={s.as_str() == query.status}>{ s.as_str() }</option> }) }
                    </select>
                </div>
                <div class="field">
                    <label for="rp-verification">{ "Verification" }</label>
                    <select id="rp-verification" onchange={on_select(|q, v| q.verification = v)}>
                        <option value="" selected={query.verification.is_empty()}>{ "Any" }</option>
                        { for VerificationStatus::ALL.iter().map(|s| html! { <option value={s.as_str()} selected={s.as_str() == query.verification}>{ s.as_str() }</option> }) }
                    </select>
                </div>
                <div class="field">
                    <label for="rp-chain">{ "Chain ID" }</label>
                    <input id="rp-chain" type="text" maxlength="256" />
                </div>
                <div class="field buttons">
                    <button class="btn btn-primary" type="submit">{ "Filter" }</button>
                    if filtered { <button class="btn btn-ghost" type="button" onclick={clear}>{ "Clear" }</button> }
                </div>
            </form>
            { body }
            <PagerNav page={pager.number()} has_prev={pager.has_prev()} has_next={next_cursor.is_some()} {onprev} {onnext} />
            if let Some(rp) = (*selected).clone() {
                <PointPanel key={rp.id.clone()} point={rp.clone()} />
            }
        </section>
    }
}

/// Where an asynchronous engine job stands on screen.
#[derive(Clone, PartialEq)]
enum JobView {
    Idle,
    Waiting(String),
    Done(Box<AgentJob>),
    Refused(String),
}

impl JobView {
    fn busy(&self) -> bool {
        matches!(self, JobView::Waiting(_))
    }
}

/// Starts `start`, then polls the job until it ends, showing each stage in `view`.
fn run_job<F>(view: UseStateHandle<JobView>, what: &'static str, start: F)
where
    F: std::future::Future<Output = Result<AgentJob, api::ApiError>> + 'static,
{
    view.set(JobView::Waiting(format!("{what}: sent to the engine…")));
    spawn_local(async move {
        match start.await {
            Err(e) => view.set(JobView::Refused(e.to_string())),
            Ok(job) => {
                view.set(JobView::Waiting(format!("{what}: waiting for the engine (job {})…", job.id)));
                match api::backup_runs::wait_job(job, 600).await {
                    Ok(j) if j.status.is_final() => view.set(JobView::Done(Box::new(j))),
                    Ok(j) => view
                        .set(JobView::Refused(format!("{what}: still {} after 10 minutes (job {})", j.status, j.id))),
                    Err(e) => view.set(JobView::Refused(e.to_string())),
                }
            }
        }
    });
}

fn job_status(view: &JobView, done: impl Fn(&AgentJob) -> String, testid: &'static str) -> Html {
    match view {
        JobView::Idle => html! {},
        JobView::Waiting(m) => {
            html! { <p class="job-status" role="status" aria-live="polite" data-testid={testid}><span class="spinner" aria-hidden="true"></span>{ m }</p> }
        }
        JobView::Refused(m) => html! { <p class="job-status error" role="alert" data-testid={testid}>{ m }</p> },
        JobView::Done(j) if j.status == AgentJobStatus::Failed => html! {
            <p class="job-status error" role="alert" data-testid={testid}>
                { format!("Failed: {}", j.error.clone().or_else(|| j.result.as_ref().and_then(|r| r.error.clone())).unwrap_or_else(|| "no reason given".into())) }
            </p>
        },
        JobView::Done(j) => html! {
            <p class={classes!("job-status", (j.status == AgentJobStatus::Warning).then_some("warning"))} role="status" data-testid={testid}>{ done(j) }</p>
        },
    }
}

#[derive(Properties, PartialEq)]
struct PointProps {
    point: RestorePoint,
}

/// One restore point: browse, search, and the three kinds of restore.
#[component]
fn PointPanel(props: &PointProps) -> Html {
    let rp = props.point.clone();
    let browse = use_state(|| JobView::Idle);
    let listing_title = use_state(String::new);
    let picked = use_state(BTreeSet::<String>::new);
    let files = use_state(|| JobView::Idle);
    let image = use_state(|| JobView::Idle);
    let bmr = use_state(|| JobView::Idle);
    let customer = rp.customer_id.clone().unwrap_or_default();
    let hosts = use_fetch(customer, |c| async move { api::backup_runs::hosts(&c).await });
    let host_list = hosts.data.as_ref().map(|l| (**l).clone()).unwrap_or_default();
    {
        use_effect_with(rp.id.clone(), |_| super::set_val("rs-browse-path", "/"));
    }

    let do_browse = {
        let (browse, title, id) = (browse.clone(), listing_title.clone(), rp.id.clone());
        Callback::from(move |path: String| {
            let path = if path.trim().is_empty() { "/".to_string() } else { path.trim().to_string() };
            super::set_val("rs-browse-path", &path);
            title.set(format!("Contents of {path}"));
            let id = id.clone();
            run_job(browse.clone(), "Browse", async move { api::backup_runs::browse(&id, &path).await });
        })
    };
    let on_browse = {
        let b = do_browse.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            b.emit(val("rs-browse-path"));
        })
    };
    let on_up = {
        let b = do_browse.clone();
        Callback::from(move |_: MouseEvent| {
            let cur = val("rs-browse-path");
            let trimmed = cur.trim_end_matches('/');
            let parent = match trimmed.rfind('/') {
                Some(0) | None => "/".to_string(),
                Some(i) => trimmed[..i].to_string(),
            };
            b.emit(parent);
        })
    };
    let on_search = {
        let (browse, title, id) = (browse.clone(), listing_title.clone(), rp.id.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let q = val("rs-search").trim().to_string();
            if q.is_empty() {
                browse.set(JobView::Refused("Enter a file name, part of one, or a pattern such as *.docx".into()));
                return;
            }
            title.set(format!("Search results for {q}"));
            let id = id.clone();
            run_job(browse.clone(), "Search", async move { api::backup_runs::search(&id, &q).await });
        })
    };

    let entries: Vec<SnapshotEntry> = match &*browse {
        JobView::Done(j) => j.result.as_ref().map(|r| r.entries.clone()).unwrap_or_default(),
        _ => Vec::new(),
    };
    let listing = match &*browse {
        JobView::Done(j) if j.status != AgentJobStatus::Failed => html! {
            <div class="table-wrap" data-testid="browse-entries">
                <h3>{ (*listing_title).clone() }{ format!(" ({} entries)", entries.len()) }</h3>
                if entries.is_empty() { <p class="muted" role="status">{ "Nothing here." }</p> } else {
                    <table class="table snapshot-entries">
                        <thead><tr>
                            <th scope="col"><span class="sr-only">{ "Restore" }</span></th>
                            <th scope="col">{ "Path" }</th><th scope="col">{ "Size" }</th><th scope="col">{ "Modified" }</th>
                        </tr></thead>
                        <tbody>
                            { for entries.iter().map(|en| {
                                let on = picked.contains(&en.path);
                                let toggle = { let (p, path) = (picked.clone(), en.path.clone()); Callback::from(move |_: Event| {
                                    let mut s = (*p).clone();
                                    if !s.remove(&path) { s.insert(path.clone()); }
                                    p.set(s);
                                }) };
                                let into = { let (b, path) = (do_browse.clone(), en.path.clone()); Callback::from(move |_: MouseEvent| b.emit(path.clone())) };
                                html! {
                                    <tr data-path={en.path.clone()}>
                                        <td><input type="checkbox" checked={on} onchange={toggle} aria-label={format!("Restore {}", en.path)} /></td>
                                        <td>
                                            if en.is_dir {
                                                <button class="link" type="button" onclick={into} title="Browse into this folder">{ format!("{}/", en.path.trim_end_matches('/')) }</button>
                                            } else { { &en.path } }
                                        </td>
                                        <td>{ if en.is_dir { String::new() } else { bytes(en.size) } }</td>
                                        <td>{ match en.modified_at { Some(at) => html! { <Time {at} /> }, None => html! {} } }</td>
                                    </tr>
                                }
                            }) }
                        </tbody>
                    </table>
                }
            </div>
        },
        _ => html! {},
    };

    let on_restore_files = {
        let (files, picked, id) = (files.clone(), picked.clone(), rp.id.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let mut paths: Vec<String> = picked.iter().cloned().collect();
            for l in val("rs-paths").lines().map(str::trim).filter(|l| !l.is_empty()) {
                if !paths.iter().any(|p| p == l) {
                    paths.push(l.to_string());
                }
            }
            if paths.is_empty() {
                files.set(JobView::Refused("Select files in the listing or type paths, one per line.".into()));
                return;
            }
            let body = FileRestoreBody {
                paths,
                target_path: val("rs-target").trim().to_string(),
                overwrite: checked("rs-overwrite"),
                target_host_id: opt("rs-host"),
            };
            let id = id.clone();
            run_job(files.clone(), "File restore", async move { api::backup_runs::restore_files(&id, &body).await });
        })
    };
    let on_image = {
        let (image, id) = (image.clone(), rp.id.clone());
        Callback::from(move |_| {
            let body = ImageRestoreBody {
                target_host_id: val("ri-host"),
                target_path: val("ri-target").trim().to_string(),
                overwrite: checked("ri-overwrite"),
            };
            if body.target_host_id.is_empty() || body.target_path.is_empty() {
                image.set(JobView::Refused("An image restore needs a target host and a target path.".into()));
                return;
            }
            let id = id.clone();
            run_job(image.clone(), "Image restore", async move { api::backup_runs::restore_image(&id, &body).await });
        })
    };
    let on_bmr =
        {
            let (bmr, id) = (bmr.clone(), rp.id.clone());
            Callback::from(move |_| {
                let method = BmrMethod::parse(&val("rb-method")).unwrap_or(BmrMethod::Iso);
                let id = id.clone();
                run_job(bmr.clone(), "Bare-metal restore", async move {
                    api::backup_runs::bmr(&id, &BmrBody { method }).await
                });
            })
        };

    let host_options = |id: &str, none: Option<String>| {
        html! {
            <select id={id.to_string()}>
                if let Some(label) = none { <option value="">{ label }</option> }
                { for host_list.iter().map(|h| html! { <option value={h.id.clone()}>{ &h.hostname }</option> }) }
            </select>
        }
    };

    html! {
        <section class="card restore-panel" aria-labelledby="rs-title" data-testid="restore-panel">
            <h2 id="rs-title" class="card-title">
                { format!("{} · {} · ", rp.hostname, rp.policy_name) }<Time at={rp.completed_at} />
            </h2>
            <p class="hint">{ format!("Restore point {} (snapshot {}, chain {})", rp.id, rp.snapshot_id, rp.chain_id) }</p>
            <div class="restore-tools">
                <form class="inline-form" onsubmit={on_browse} data-testid="browse-form">
                    <label for="rs-browse-path">{ "Path" }</label>
                    <input id="rs-browse-path" type="text" />
                    <button class="btn btn-primary" type="submit" disabled={browse.busy()} data-testid="browse">{ "Browse" }</button>
                    <button class="btn" type="button" onclick={on_up} disabled={browse.busy()}>{ "Up" }</button>
                </form>
                <form class="inline-form" onsubmit={on_search} data-testid="search-form">
                    <label for="rs-search">{ "Search" }</label>
                    <input id="rs-search" type="search" placeholder="file name or *.docx" />
                    <button class="btn" type="submit" disabled={browse.busy()} data-testid="search">{ "Search" }</button>
                </form>
            </div>
            { job_status(&browse, |j| format!("Found {} entries", j.result.as_ref().map(|r| r.entries.len()).unwrap_or(0)), "browse-status") }
            { listing }

            <h3>{ "Restore files" }</h3>
            <form class="grid-form" onsubmit={on_restore_files} data-testid="restore-files-form">
                <div class="field">
                    <span class="label">{ "Selected" }</span>
                    <p data-testid="picked">{ if picked.is_empty() { "none".to_string() } else { picked.iter().cloned().collect::<Vec<_>>().join(", ") } }</p>
                </div>
                <div class="field"><label for="rs-paths">{ "More paths (one per line)" }</label><textarea id="rs-paths" rows="3" /></div>
                <div class="field"><label for="rs-target">{ "Target path" }</label><input id="rs-target" type="text" placeholder="/restore" /></div>
                <div class="field"><label for="rs-host">{ "Target host" }</label>{ host_options("rs-host", Some(format!("Original host ({})", rp.hostname))) }</div>
                <div class="field checkbox"><label><input id="rs-overwrite" type="checkbox" />{ " Overwrite existing files" }</label></div>
                <div class="form-actions"><button class="btn btn-primary" type="submit" disabled={files.busy()} data-testid="restore-files">{ "Restore files" }</button></div>
            </form>
            { job_status(&files, |j| format!("Restored {} files ({})", j.result.as_ref().and_then(|r| r.restored_files).unwrap_or(0), j.status), "restore-files-status") }

            <details class="restore-more">
                <summary>{ "Image restore and bare-metal restore" }</summary>
                <h3>{ "Restore image" }</h3>
                <div class="grid-form">
                    <div class="field"><label for="ri-host">{ "Target host (required)" }</label>{ host_options("ri-host", Some("Choose a host".into())) }</div>
                    <div class="field"><label for="ri-target">{ "Target path (required)" }</label><input id="ri-target" type="text" /></div>
                    <div class="field checkbox"><label><input id="ri-overwrite" type="checkbox" />{ " Overwrite image data at the target" }</label></div>
                    <div class="form-actions">
                        <ConfirmButton label="Restore image" confirm="Restore this image onto the target? This runs at critical priority." onconfirm={on_image} disabled={image.busy()} class="btn btn-danger" />
                    </div>
                </div>
                { job_status(&image, |j| format!("Image restore {}", j.status), "restore-image-status") }
                <h3>{ "Bare-metal restore" }</h3>
                <div class="grid-form">
                    <div class="field">
                        <label for="rb-method">{ "Method" }</label>
                        <select id="rb-method">
                            <option value="iso">{ "ISO (boot media)" }</option>
                            <option value="pxe">{ "PXE (network boot)" }</option>
                        </select>
                    </div>
                    <div class="form-actions">
                        <ConfirmButton label="Start bare-metal restore" confirm="Start a bare-metal restore of this point? A one-time token valid for 4 hours is issued to the engine." onconfirm={on_bmr} disabled={bmr.busy()} class="btn btn-danger" />
                    </div>
                </div>
                <p class="hint">{ "Needs a complete restore point and an online engine; PXE needs PXE enabled on the engine." }</p>
                { job_status(&bmr, |j| format!("Bare-metal restore {}", j.status), "bmr-status") }
            </details>
        </section>
    }
}
