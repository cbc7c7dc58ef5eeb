//! One job: a status strip of its last 90 days, charts of its backup size
//! and duration with anomaly markers, and its run history, newest first;
//! admins see who reviewed each run and when; below, the job's remarks and
//! tickets. For those who use Run Checks, a run opened from the
//! history shows as a modal over this page (`/runs/{id}`).

use bc_api_types::Permission;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::api;
use crate::components::{
    ErrorView, HistoryChart, Loading, Measure, PagerNav, RunsTable, StatusBadge, StatusStrip, Time,
};
use crate::hooks::{use_fetch, use_pager};
use crate::pages::job_actions::JobActions;
use crate::pages::notes::JobNotes;
use crate::pages::run_detail::RunDetailModal;
use crate::route::{self, AuditQuery, Route};
use crate::session::use_session;

#[derive(Properties, PartialEq)]
pub struct JobProps {
    pub id: String,
    /// The run whose detail is open over the history.
    pub open_run: Option<AttrValue>,
}

/// Days the status strip and the charts cover.
const HISTORY_DAYS: u32 = 90;

#[component]
pub fn JobPage(props: &JobProps) -> Html {
    let session = use_session();
    let job = use_fetch(props.id.clone(), |id| async move { api::jobs::get(&id).await });
    let pager = use_pager();
    let runs = use_fetch((props.id.clone(), pager.cursor()), |(id, cursor)| async move {
        api::runs::job_runs(&id, cursor.as_deref()).await
    });
    let glance = use_fetch(props.id.clone(), |id| async move { api::reports::job_history(&id, HISTORY_DAYS).await });
    let navigator = use_navigator();

    // A run may have been reviewed in the detail: refresh the history when it closes.
    {
        let (reload_job, reload_runs) = (job.reload.clone(), runs.reload.clone());
        let was_open = use_mut_ref(|| props.open_run.is_some());
        use_effect_with(props.open_run.clone(), move |open| {
            if open.is_none() && *was_open.borrow() {
                reload_job.emit(());
                reload_runs.emit(());
            }
            *was_open.borrow_mut() = open.is_some();
        });
    }
    let modal = props.open_run.as_ref().map(|run| {
        let onclose = Callback::from(move |_| {
            if let Some(n) = &navigator {
                route::go_back(n);
            }
        });
        html! { <RunDetailModal id={run.to_string()} {onclose} /> }
    });

    let audit = session.can(Permission::ViewAudit).then(|| {
        html! {
            <Link<Route, AuditQuery> to={Route::Audit} query={Some(AuditQuery::entity("job", &props.id))} classes="btn btn-ghost">
                { "Audit" }
            </Link<Route, AuditQuery>>
        }
    });
    let head = match (&job.data, &job.error) {
        (_, Some(e)) => html! { <ErrorView error={e.clone()} onretry={Some(job.reload.clone())} /> },
        (None, None) => html! { <Loading what="the job" /> },
        (Some(j), None) => html! {
            <>
                <div class="page-head">
                    <h1>
                        { format!("{} — {}", j.customer_name, j.job_name) }
                        if j.archived_at.is_some() { { " " }<span class="tag">{ "archived" }</span> }
                    </h1>
                    <div class="head-actions">{ for audit }</div>
                </div>
                <dl class="facts card">
                    <dt>{ "Customer" }</dt><dd>{ &j.customer_name }</dd>
                    <dt>{ "Software" }</dt><dd>{ &j.software }</dd>
                    <dt>{ "Job type" }</dt><dd>{ &j.job_type }</dd>
                    <dt>{ "Sender" }</dt><dd>{ &j.sender }</dd>
                    if let Some(o) = &j.original_name { <dt>{ "Name in reports" }</dt><dd>{ o }</dd> }
                    if let (Some(at), Some(by)) = (j.archived_at, &j.archived_by) {
                        <dt>{ "Archived" }</dt><dd><Time at={at} />{ format!(" by {by}") }</dd>
                    }
                    if !j.merged_from.is_empty() {
                        <dt>{ "Merged in" }</dt><dd>{ format!("{} earlier job(s); their mails come here", j.merged_from.len()) }</dd>
                    }
                    <dt>{ "Last run" }</dt>
                    <dd>
                        if let Some(s) = j.last_status { <StatusBadge status={s} />{ " " } }
                        if let Some(t) = j.last_run_at { <Time at={t} relative=true /> } else { { "never" } }
                    </dd>
                    <dt>{ "Runs" }</dt><dd>{ j.run_count }</dd>
                    <dt>{ "Schedule" }</dt>
                    <dd data-testid="job-schedule">{ match &j.schedule {
                        Some(s) => html! { <>
                            { s.summary.clone() }
                            { format!(" · grace {} min", s.grace_minutes) }
                            if let Some(n) = &s.next {
                                { " · next expected " }<Time at={n.at} />
                            }
                        </> },
                        None => html! { "not learned yet (from three runs on)" },
                    } }</dd>
                    <dt>{ "Approved" }</dt><dd><Time at={j.approved_at} />{ format!(" by {}", j.approved_by) }</dd>
                </dl>
            </>
        },
    };
    let history = match (&runs.data, &runs.error) {
        (_, Some(e)) => html! { <ErrorView error={e.clone()} onretry={Some(runs.reload.clone())} /> },
        (None, None) => html! { <Loading what="the run history" /> },
        (Some(p), None) => {
            html! { <RunsTable runs={p.items.clone()} show_review={session.can(Permission::ViewReviews)} /> }
        }
    };
    let at_a_glance = match (&glance.data, &glance.error) {
        (_, Some(e)) => html! { <ErrorView error={e.clone()} onretry={Some(glance.reload.clone())} /> },
        (None, None) => html! { <Loading what="the last 90 days" /> },
        (Some(h), None) => match (h.days.first(), h.days.last()) {
            (Some(first), Some(last)) => html! {
                <div class="glance">
                    <StatusStrip days={h.days.clone()} />
                    <div class="charts">
                        <HistoryChart measure={Measure::Size} points={h.points.clone()} from={first.date} to={last.date} />
                        <HistoryChart measure={Measure::Duration} points={h.points.clone()} from={first.date} to={last.date} />
                    </div>
                </div>
            },
            _ => html! {},
        },
    };
    let next_cursor = runs.data.as_ref().and_then(|p| p.next_cursor.clone());
    let (onprev, onnext) = pager.nav_callbacks(next_cursor.clone());
    html! {
        <section class="page">
            <p class="crumbs"><Link<Route> to={Route::Jobs}>{ "← Jobs" }</Link<Route>></p>
            { head }
            <h2>{ "Last 90 days" }</h2>
            { at_a_glance }
            <h2>{ "Run history" }</h2>
            { history }
            <PagerNav page={pager.number()} has_prev={pager.has_prev()} has_next={next_cursor.is_some()} {onprev} {onnext} />
            <JobNotes job_id={props.id.clone()} />
            if let Some(j) = &job.data {
                <crate::pages::ping::PingCard job={(**j).clone()} onchange={job.reload.clone()} />
                <crate::pages::ping::MuteToggle job_id={j.id.clone()} />
                <crate::pages::schedule_card::ScheduleCard job={(**j).clone()} onchange={job.reload.clone()} />
                <h2>{ "Manage job" }</h2>
                <JobActions job={(**j).clone()} onchange={
                    let (rj, rr) = (job.reload.clone(), runs.reload.clone());
                    Callback::from(move |()| { rj.emit(()); rr.emit(()); })
                } />
            }
            { for modal }
        </section>
    }
}
