//! One run: the Run Checks modal (`/runs/{id}` over the list) and, for
//! roles without Run Checks, the same content as a page. Status, times,
//! sizes, objects, the mail, the job's recent runs, review actions, and the
//! job's remarks and tickets.

use std::rc::Rc;

use bc_api_types::{Permission, RunDetail, Status};
use yew::platform::spawn_local;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::api;
use crate::components::report_summary::sizes_rows;
use crate::components::{ErrorView, Loading, MailBody, Modal, ObjectsTable, RunsTable, StatusBadge, Time};
use crate::format;
use crate::hooks::{use_fetch, use_keys};
use crate::pages::notes::RunNotes;
use crate::route::{AuditQuery, OverridesQuery, Route};
use crate::session::use_session;
use crate::toast::use_notify;

/// What happened in the detail, for whoever shows it.
#[derive(Clone, Copy, PartialEq)]
pub enum Change {
    Reviewed,
    Unreviewed,
    /// A remark or ticket was created, edited, resolved or deleted.
    Notes,
}

#[derive(Properties, PartialEq)]
pub struct RunDetailModalProps {
    pub id: String,
    pub onclose: Callback<()>,
}

/// The Run Checks modal. Marking the run reviewed closes it: the run leaves
/// the list, and the next job is one keypress away.
#[component]
pub fn RunDetailModal(props: &RunDetailModalProps) -> Html {
    let detail = use_fetch(props.id.clone(), |id| async move { api::runs::run_detail(&id).await });
    let onchange = {
        let (onclose, reload) = (props.onclose.clone(), detail.reload.clone());
        Callback::from(move |c: Change| match c {
            Change::Reviewed => onclose.emit(()),
            Change::Unreviewed | Change::Notes => reload.emit(()),
        })
    };
    let title = match &detail.data {
        Some(d) => format!("{} — {}", d.job.customer_name, d.job.job_name),
        None => "Run".to_string(),
    };
    html! {
        <Modal title={title} onclose={props.onclose.clone()}>
            { content(&detail.data, &detail.error, &detail.reload, onchange, true) }
        </Modal>
    }
}

#[derive(Properties, PartialEq)]
pub struct RunPageProps {
    pub id: String,
}

/// The run detail as a page, for roles that see jobs but not Run Checks.
#[component]
pub fn RunPage(props: &RunPageProps) -> Html {
    let detail = use_fetch(props.id.clone(), |id| async move { api::runs::run_detail(&id).await });
    let onchange = {
        let reload = detail.reload.clone();
        Callback::from(move |_| reload.emit(()))
    };
    html! {
        <section class="page">
            if let Some(d) = &detail.data {
                <p class="crumbs"><Link<Route> to={Route::Job { id: d.job.id.clone() }}>{ format!("← {}", d.job.job_name) }</Link<Route>></p>
                <h1>{ format!("{} — {}", d.job.customer_name, d.job.job_name) }</h1>
            } else {
                <h1>{ "Run" }</h1>
            }
            { content(&detail.data, &detail.error, &detail.reload, onchange, false) }
        </section>
    }
}

fn content(
    data: &Option<Rc<RunDetail>>,
    error: &Option<api::ApiError>,
    reload: &Callback<()>,
    onchange: Callback<Change>,
    in_modal: bool,
) -> Html {
    match (data, error) {
        (_, Some(e)) => html! { <ErrorView error={e.clone()} onretry={Some(reload.clone())} /> },
        (Some(d), None) => html! { <RunDetailBody detail={d.clone()} {onchange} {in_modal} /> },
        (None, None) => html! { <Loading what="the run" /> },
    }
}

#[derive(Properties, PartialEq)]
struct BodyProps {
    detail: Rc<RunDetail>,
    onchange: Callback<Change>,
    in_modal: bool,
}

#[component]
fn RunDetailBody(props: &BodyProps) -> Html {
    let session = use_session();
    let notify = use_notify();
    let busy = use_state(|| false);
    let d = &props.detail;
    let run = &d.run;
    let can_review = session.can(Permission::Review) && !run.reviewed;
    let can_unreview = session.can(Permission::Unreview) && run.reviewed;

    let act = {
        let (busy, notify, onchange, id) = (busy.clone(), notify.clone(), props.onchange.clone(), run.id.clone());
        Callback::from(move |change: Change| {
            if *busy {
                return;
            }
            busy.set(true);
            let (busy, notify, onchange, id) = (busy.clone(), notify.clone(), onchange.clone(), id.clone());
            spawn_local(async move {
                let result = match change {
                    Change::Reviewed => api::runs::review(Vec::new(), vec![id], None).await,
                    Change::Unreviewed => api::runs::unreview(vec![id]).await,
                    Change::Notes => return,
                };
                busy.set(false);
                match result {
                    // One run is never large work; should it run in the background, say so.
                    Ok(r) if r.operation.is_some() => {
                        notify.ok("The change runs in the background; the list updates when it is done");
                        onchange.emit(change);
                    }
                    Ok(_) => {
                        notify.ok(match change {
                            Change::Reviewed => "Run marked as reviewed",
                            Change::Unreviewed | Change::Notes => "Run unmarked; it is back in Run Checks",
                        });
                        onchange.emit(change);
                    }
                    Err(e) => notify.error(e),
                }
            });
        })
    };
    {
        let act = act.clone();
        use_keys(
            props.in_modal && can_review,
            Callback::from(move |e: KeyboardEvent| {
                if e.key() == "r" {
                    e.prevent_default();
                    act.emit(Change::Reviewed);
                }
            }),
        );
    }

    let review_state = match (&run.review, run.reviewed) {
        (Some(r), _) => html! { <>{ format!("Reviewed by {} · ", r.by) }<Time at={r.at} relative=true /></> },
        (None, true) => html! { "Reviewed" },
        (None, false) => html! { <strong>{ "Not reviewed" }</strong> },
    };
    let on_review = {
        let act = act.clone();
        Callback::from(move |_| act.emit(Change::Reviewed))
    };
    let on_unreview = {
        let act = act.clone();
        Callback::from(move |_| act.emit(Change::Unreviewed))
    };
    let on_notes = {
        let onchange = props.onchange.clone();
        Callback::from(move |_| onchange.emit(Change::Notes))
    };
    let messages: Vec<String> = d.report.as_ref().map(|r| r.messages.clone()).unwrap_or_default();
    let objects = d.report.as_ref().map(|r| r.objects.clone()).unwrap_or_default();

    html! {
        <div class="run-detail" data-run-id={run.id.clone()}>
            <div class="run-head">
                <StatusBadge status={run.status} overridden={run.overridden.clone()} />
                <span>{ format!("{} · {}", d.job.software, d.job.job_type) }</span>
                <span class="review-state">{ review_state }</span>
                <span class="spacer"></span>
                if can_review {
                    <button class="btn btn-primary" onclick={on_review} disabled={*busy} aria-keyshortcuts="r"
                            data-testid="mark-run-reviewed">{ "Mark as reviewed" }</button>
                }
                if can_unreview {
                    <button class="btn" onclick={on_unreview} disabled={*busy}>{ "Unmark reviewed" }</button>
                }
                if session.can(Permission::ManageOverrides) && run.overridden.is_none() && run.status != Status::Success {
                    <span data-testid="create-override">
                        <Link<Route, OverridesQuery> to={Route::Overrides} query={Some(override_draft(d))} classes="btn">
                            { "Create override from this run" }
                        </Link<Route, OverridesQuery>>
                    </span>
                }
                <Link<Route> to={Route::Job { id: d.job.id.clone() }} classes="btn btn-ghost">{ "Job history" }</Link<Route>>
                if session.can(Permission::ViewAudit) {
                    <Link<Route, AuditQuery> to={Route::Audit} query={Some(AuditQuery::entity("run", &run.id))} classes="btn btn-ghost">
                        { "Audit" }
                    </Link<Route, AuditQuery>>
                }
            </div>
            <div class="grid-2">
                <section aria-labelledby="run-facts">
                    <h3 id="run-facts">{ "Run" }</h3>
                    <dl class="facts">
                        <dt>{ "Status" }</dt><dd><StatusBadge status={run.status} overridden={run.overridden.clone()} /></dd>
                        if let Some(o) = &run.overridden {
                            <dt>{ "Report said" }</dt><dd data-testid="override-text">{ o.describe() }</dd>
                        }
                        if let Some(t) = run.started_at { <dt>{ "Started" }</dt><dd><Time at={t} relative=true /></dd> }
                        if let Some(t) = run.ended_at { <dt>{ "Ended" }</dt><dd><Time at={t} /></dd> }
                        <dt>{ "Received" }</dt><dd><Time at={run.received_at} relative=true /></dd>
                        if let Some(s) = run.duration_secs { <dt>{ "Duration" }</dt><dd>{ format::duration(s) }</dd> }
                        { sizes_rows(&run.sizes) }
                        <dt>{ "Objects" }</dt><dd>{ run.object_count }</dd>
                        <dt>{ "Customer" }</dt><dd>{ &d.job.customer_name }</dd>
                    </dl>
                    if !messages.is_empty() {
                        <ul class="messages" aria-label="Messages">{ for messages.iter().map(|m| html! { <li>{ m }</li> }) }</ul>
                    }
                </section>
                <section aria-labelledby="run-recent">
                    <h3 id="run-recent">{ "Recent runs of this job" }</h3>
                    <RunsTable runs={d.recent_runs.clone()} current={Some(run.id.clone())}
                               show_review={session.can(Permission::ViewReviews)} compact=true />
                </section>
            </div>
            <RunNotes job_id={d.job.id.clone()} run_id={run.id.clone()} remarks={d.remarks.clone()}
                      tickets={d.tickets.clone()} reviewed={run.reviewed} onchange={on_notes} />
            <section aria-labelledby="run-objects">
                <h3 id="run-objects">{ format!("Objects ({})", objects.len()) }</h3>
                <ObjectsTable {objects} />
            </section>
            if let Some(mail) = &d.mail {
                <section aria-labelledby="run-mail">
                    <h3 id="run-mail">{ "Mail" }</h3>
                    <MailBody mail={mail.clone()} />
                </section>
            }
            if let Some(late) = &run.late {
                <p class="late-arrival" data-testid="arrived-late">
                    { format!("Arrived late: the report came at {} as run {}.", late.at.format("%Y-%m-%d %H:%M UTC"), late.run_id) }
                </p>
            }
        </div>
    }
}

/// A new override drafted from a run: its job, its first problem object
/// (when the run has objects) and the first message.
fn override_draft(d: &RunDetail) -> OverridesQuery {
    let problem = d.report.as_ref().and_then(|r| r.objects.iter().find(|o| o.status != Status::Success));
    let message = problem
        .and_then(|o| o.message.clone())
        .or_else(|| d.report.as_ref().and_then(|r| r.messages.first().cloned()))
        .or_else(|| d.run.message.clone())
        .unwrap_or_default();
    OverridesQuery {
        job_id: d.job.id.clone(),
        object: problem.map(|o| o.name.clone()).unwrap_or_default(),
        status: d.run.status.as_str().to_lowercase(),
        message: message.chars().take(200).collect(),
    }
}
