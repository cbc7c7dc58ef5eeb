//! Backup > Jobs (seed 001, "Backup Job Management"): one list of every
//! backup job (from report mails, native policies and platforms) with the
//! seed's filters in the URL; a native job opens its run history (the
//! engines' runs) with Retry when the latest run failed or warned and is
//! retryable; a mail or platform job links to its page under Jobs.

use bc_api_types::{AgentJob, AgentJobStatus, Job, JobSource, Permission, Status};
use serde::{Deserialize, Serialize};
use yew::platform::spawn_local;
use yew::prelude::*;
use yew_router::prelude::*;

use super::{BackupTabs, bytes, val};
use crate::api;
use crate::api::backup_runs::BackupJobFilter;
use crate::components::{ErrorView, Loading, PagerNav, StatusBadge, Time};
use crate::hooks::{use_fetch, use_pager};
use crate::route::Route;
use crate::session::use_session;
use crate::toast::use_notify;

/// The filters as they stand in the URL; `from` and `to` are days (both included).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BackupJobsQuery {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub source: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub status: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub job_type: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub customer_id: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub from: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub to: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub q: String,
    /// The job whose run history is open.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub job: String,
}

const JOB_TYPES: [&str; 5] = ["Full", "Incremental", "Differential", "Snapshot", "Log"];

fn day(s: &str) -> Option<&str> {
    let s = s.trim();
    (s.len() == 10 && s.as_bytes()[4] == b'-' && s.as_bytes()[7] == b'-').then_some(s)
}

fn source_label(s: &JobSource) -> &'static str {
    match s {
        JobSource::Mail => "Mail",
        JobSource::Native { .. } => "Native BES",
        JobSource::Platform { .. } => "Platform",
    }
}

#[component]
pub fn BackupJobsPage() -> Html {
    let location = use_location();
    let navigator = use_navigator();
    let query: BackupJobsQuery = location.as_ref().and_then(|l| l.query::<BackupJobsQuery>().ok()).unwrap_or_default();
    let pager = use_pager();
    let customers = use_fetch((), |_| async { api::customers::list().await });
    let filter = BackupJobFilter {
        source: query.source.clone(),
        status: query.status.clone(),
        job_type: query.job_type.clone(),
        customer_id: query.customer_id.clone(),
        from: day(&query.from).map(|d| format!("{d}T00:00:00Z")).unwrap_or_default(),
        to: day(&query.to).map(|d| format!("{d}T23:59:59.999Z")).unwrap_or_default(),
        q: query.q.clone(),
    };
    let jobs = use_fetch((filter, pager.cursor()), |(f, cursor)| async move {
        api::backup_runs::jobs(&f, cursor.as_deref()).await
    });

    let apply = {
        let (navigator, pager) = (navigator.clone(), pager.clone());
        Callback::from(move |(q, reset): (BackupJobsQuery, bool)| {
            if reset {
                pager.reset();
            }
            if let Some(n) = &navigator {
                crate::route::push_with(n, &Route::BackupJobs, &q);
            }
        })
    };
    let on_select = |field: fn(&mut BackupJobsQuery, String)| {
        let apply = apply.reform(|mut q: BackupJobsQuery| {
            q.job.clear();
            (q, true)
        });
        crate::route::select_filter(&query, &apply, field)
    };
    let onsubmit = {
        let (apply, query) = (apply.clone(), query.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let mut q = query.clone();
            q.q = val("bj-q").trim().to_string();
            q.from = val("bj-from");
            q.to = val("bj-to");
            q.job.clear();
            apply.emit((q, true));
        })
    };
    {
        let q = query.clone();
        use_effect_with((q.q.clone(), q.from.clone(), q.to.clone()), |(s, f, t)| {
            super::set_val("bj-q", s);
            super::set_val("bj-from", f);
            super::set_val("bj-to", t);
        });
    }
    let clear = {
        let apply = apply.clone();
        Callback::from(move |_| apply.emit((BackupJobsQuery::default(), true)))
    };
    let open = {
        let (apply, query) = (apply.clone(), query.clone());
        Callback::from(move |id: String| {
            let mut q = query.clone();
            q.job = if q.job == id { String::new() } else { id };
            apply.emit((q, false));
        })
    };
    let customer_options = customers.data.as_ref().map(|l| l.items.clone()).unwrap_or_default();
    let filtered = BackupJobsQuery { job: String::new(), ..query.clone() } != BackupJobsQuery::default();

    let body = match (&jobs.data, &jobs.error) {
        (_, Some(e)) => html! { <ErrorView error={e.clone()} onretry={Some(jobs.reload.clone())} /> },
        (None, None) => html! { <Loading what="backup jobs" /> },
        (Some(p), None) if p.items.is_empty() => html! {
            <div class="state empty" role="status" data-testid="backup-jobs-empty">
                <h2>{ if filtered { "No jobs match these filters" } else { "No backup jobs yet" } }</h2>
                <p>{ "Jobs come from approved report mails, native backup policies and platform syncs." }</p>
            </div>
        },
        (Some(p), None) => html! {
            <div class="table-wrap">
                <table class="table backup-jobs">
                    <thead><tr>
                        <th scope="col">{ "Job" }</th><th scope="col">{ "Source" }</th><th scope="col">{ "Organization" }</th>
                        <th scope="col" class="hide-narrow">{ "Job type" }</th><th scope="col">{ "Last run" }</th><th scope="col">{ "Runs" }</th>
                    </tr></thead>
                    <tbody>
                        { for p.items.iter().map(|j| {
                            let here = query.job == j.id;
                            let onclick = { let (o, id) = (open.clone(), j.id.clone()); Callback::from(move |_: MouseEvent| o.emit(id.clone())) };
                            html! {
                                <>
                                <tr data-job-id={j.id.clone()} class={classes!(here.then_some("selected"))}>
                                    <td><button class="link" type="button" {onclick} aria-expanded={here.to_string()}>{ &j.job_name }</button></td>
                                    <td><span class="tag">{ source_label(&j.source) }</span></td>
                                    <td>{ &j.customer_name }</td>
                                    <td class="hide-narrow">{ &j.job_type }</td>
                                    <td>
                                        if let Some(s) = j.last_status { <StatusBadge status={s} />{ " " } }
                                        if let Some(t) = j.last_run_at { <Time at={t} relative=true /> } else { <span class="muted">{ "never" }</span> }
                                    </td>
                                    <td>{ j.run_count }</td>
                                </tr>
                                if here {
                                    <tr class="run-history-row"><td colspan="6"><JobHistory key={j.id.clone()} job={j.clone()} /></td></tr>
                                }
                                </>
                            }
                        }) }
                    </tbody>
                </table>
            </div>
        },
    };
    let next_cursor = jobs.data.as_ref().and_then(|p| p.next_cursor.clone());
    let (onprev, onnext) = pager.nav_callbacks(next_cursor.clone());

    html! {
        <section class="page">
            <div class="page-head"><h1>{ "Backup jobs" }</h1></div>
            <BackupTabs current={Route::BackupJobs} />
            <form class="filters" {onsubmit} role="search" aria-label="Filter backup jobs">
                <div class="field">
                    <label for="bj-source">{ "Source" }</label>
                    <select id="bj-source" onchange={on_select(|q, v| q.source = v)}>
                        <option value="" selected={query.source.is_empty()}>{ "All sources" }</option>
                        <option value="native" selected={query.source == "native"}>{ "Native BES" }</option>
                        <option value="platform" selected={query.source == "platform"}>{ "Platform" }</option>
                        <option value="mail" selected={query.source == "mail"}>{ "Mail" }</option>
                    </select>
                </div>
                <div class="field">
                    <label for="bj-status">{ "Last run" }</label>
                    <select id="bj-status" onchange={on_select(|q, v| q.status = v)}>
                        <option value="" selected={query.status.is_empty()}>{ "Any status" }</option>
                        { for Status::ALL.iter().map(|s| html! { <option value={s.as_str()} selected={s.as_str() == query.status}>{ s.as_str() }</option> }) }
                    </select>
                </div>
                <div class="field">
                    <label for="bj-type">{ "Job type" }</label>
                    <select id="bj-type" onchange={on_select(|q, v| q.job_type = v)}>
                        <option value="" selected={query.job_type.is_empty()}>{ "Any type" }</option>
                        { for JOB_TYPES.iter().map(|t| html! { <option value={*t} selected={*t == query.job_type}>{ *t }</option> }) }
                    </select>
                </div>
                <div class="field">
                    <label for="bj-customer">{ "Organization" }</label>
                    <select id="bj-customer" onchange={on_select(|q, v| q.customer_id = v)}>
                        <option value="" selected={query.customer_id.is_empty()}>{ "All organizations" }</option>
                        { for customer_options.iter().map(|c| html! { <option value={c.id.clone()} selected={c.id == query.customer_id}>{ &c.name }</option> }) }
                    </select>
                </div>
                <div class="field"><label for="bj-from">{ "Last run from" }</label><input id="bj-from" type="date" /></div>
                <div class="field"><label for="bj-to">{ "to" }</label><input id="bj-to" type="date" /></div>
                <div class="field grow">
                    <label for="bj-q">{ "Policy or job name" }</label>
                    <input id="bj-q" type="search" placeholder="Search policy or job names" />
                </div>
                <div class="field buttons">
                    <button class="btn btn-primary" type="submit">{ "Search" }</button>
                    if filtered { <button class="btn btn-ghost" type="button" onclick={clear}>{ "Clear" }</button> }
                </div>
            </form>
            if let Some(e) = &customers.error { <ErrorView error={e.clone()} /> }
            { body }
            <PagerNav page={pager.number()} has_prev={pager.has_prev()} has_next={next_cursor.is_some()} {onprev} {onnext} />
        </section>
    }
}

fn run_badge(s: AgentJobStatus) -> &'static str {
    match s {
        AgentJobStatus::Success => "badge badge-success",
        AgentJobStatus::Warning => "badge badge-warning",
        AgentJobStatus::Failed => "badge badge-failed",
        AgentJobStatus::Running | AgentJobStatus::Pending => "badge",
    }
}

fn duration(secs: Option<u64>) -> String {
    match secs {
        None => String::new(),
        Some(s) if s < 60 => format!("{s} s"),
        Some(s) if s < 3600 => format!("{} min {} s", s / 60, s % 60),
        Some(s) => format!("{} h {} min", s / 3600, (s % 3600) / 60),
    }
}

#[derive(Properties, PartialEq)]
struct HistoryProps {
    job: Job,
}

/// A job's run history: the engines' runs of a native job; a link for the others.
#[component]
fn JobHistory(props: &HistoryProps) -> Html {
    let session = use_session();
    let notify = use_notify();
    let job = props.job.clone();
    let native = matches!(job.source, JobSource::Native { .. });
    let cursor = use_state(|| None::<String>);
    let runs = use_fetch((job.id.clone(), native, (*cursor).clone()), |(id, native, cursor)| async move {
        if native { api::backup_runs::job_runs(&id, cursor.as_deref()).await.map(Some) } else { Ok(None) }
    });
    if !native {
        return html! {
            <p data-testid="job-history-link">
                { format!("{} job: its runs come from {}. ", source_label(&job.source), if matches!(job.source, JobSource::Mail) { "report mails" } else { "the platform's sync" }) }
                <Link<Route> to={Route::Job { id: job.id.clone() }}>{ "Open the job's run history" }</Link<Route>>
            </p>
        };
    }
    let retry = {
        let (notify, reload, id) = (notify.clone(), runs.reload.clone(), job.id.clone());
        Callback::from(move |_: MouseEvent| {
            let (notify, reload, id) = (notify.clone(), reload.clone(), id.clone());
            spawn_local(async move {
                match api::backup_runs::retry(&id).await {
                    Ok(d) => {
                        notify.ok(format!("Retry dispatched ({} job(s))", d.agent_job_ids.len()));
                        reload.emit(());
                    }
                    Err(e) => notify.error(e),
                }
            });
        })
    };
    let row = |r: &AgentJob| {
        html! {
            <tr data-run-id={r.id.clone()}>
                <td><span class={run_badge(r.status)}>{ r.status.as_str() }</span></td>
                <td>{ match r.started_at { Some(at) => html! { <Time {at} /> }, None => html! { <span class="muted">{ "not started" }</span> } } }</td>
                <td>{ match r.ended_at { Some(at) => html! { <Time {at} /> }, None => html! {} } }</td>
                <td>{ duration(r.duration_secs) }</td>
                <td>{ bytes(r.bytes_transferred) }</td>
                <td>{ bytes(r.protected_bytes) }</td>
                <td>{ r.restore_point_id.clone().map(|p| html! { <code>{ p }</code> }).unwrap_or_default() }</td>
                <td>{ r.hostname.clone().unwrap_or_default() }</td>
                <td>{ format!("{} #{}", r.reason.as_str(), r.attempt) }</td>
                <td>{ if r.retryable { "yes" } else { "no" } }</td>
                <td class="message">{ r.error.clone().unwrap_or_default() }</td>
            </tr>
        }
    };
    let body = match (&runs.data, &runs.error) {
        (_, Some(e)) => html! { <ErrorView error={e.clone()} onretry={Some(runs.reload.clone())} /> },
        (None, None) => html! { <Loading what="runs" /> },
        (Some(p), None) => {
            let items = p.as_ref().as_ref().map(|p| p.items.clone()).unwrap_or_default();
            let next = p.as_ref().as_ref().and_then(|p| p.next_cursor.clone());
            let latest = items.first();
            let can_retry = cursor.is_none()
                && latest.is_some_and(|r| {
                    matches!(r.status, AgentJobStatus::Failed | AgentJobStatus::Warning) && r.retryable
                });
            let more = next.map(|n| {
                let c = cursor.clone();
                Callback::from(move |_: MouseEvent| c.set(Some(n.clone())))
            });
            let first = cursor.is_some().then(|| {
                let c = cursor.clone();
                Callback::from(move |_: MouseEvent| c.set(None))
            });
            html! {
                <>
                    <div class="actions-row">
                        <strong>{ "Run history" }</strong>
                        <span class="spacer"></span>
                        if can_retry && session.can(Permission::ManageBackup) {
                            <button class="btn btn-small btn-primary" onclick={retry} data-testid="job-retry">{ "Retry" }</button>
                        }
                        <Link<Route> to={Route::Job { id: job.id.clone() }}>{ "Open in Jobs" }</Link<Route>>
                    </div>
                    if items.is_empty() {
                        <p class="muted" role="status">{ "No runs yet: the policy has not run." }</p>
                    } else {
                        <div class="table-wrap"><table class="table native-runs">
                            <thead><tr>
                                <th scope="col">{ "Status" }</th><th scope="col">{ "Start" }</th><th scope="col">{ "End" }</th>
                                <th scope="col">{ "Duration" }</th><th scope="col">{ "Transferred" }</th><th scope="col">{ "Protected" }</th>
                                <th scope="col">{ "Restore point" }</th><th scope="col">{ "Host" }</th><th scope="col">{ "Reason" }</th>
                                <th scope="col">{ "Retryable" }</th><th scope="col">{ "Error" }</th>
                            </tr></thead>
                            <tbody>{ for items.iter().map(row) }</tbody>
                        </table></div>
                    }
                    <div class="actions-row">
                        if let Some(onclick) = first { <button class="btn btn-small" {onclick}>{ "Newest runs" }</button> }
                        if let Some(onclick) = more { <button class="btn btn-small" {onclick}>{ "Older runs" }</button> }
                    </div>
                </>
            }
        }
    };
    html! { <div class="job-history" data-testid="job-history">{ body }</div> }
}
