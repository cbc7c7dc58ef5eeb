//! One job and its run history, newest first; admins see who reviewed
//! each run and when.

use yew::prelude::*;

use crate::api;
use crate::components::{ErrorView, Loading, PagerNav, RunsTable, StatusBadge, Time};
use crate::hooks::{use_fetch, use_pager};
use crate::session::{perm, use_session};

#[derive(Properties, PartialEq)]
pub struct JobProps {
    pub id: String,
}

#[component]
pub fn JobPage(props: &JobProps) -> Html {
    let session = use_session();
    let job = use_fetch(props.id.clone(), |id| async move { api::jobs::get(&id).await });
    let pager = use_pager();
    let runs = use_fetch((props.id.clone(), pager.cursor()), |(id, cursor)| async move {
        api::runs::job_runs(&id, cursor.as_deref()).await
    });

    let head = match (&job.data, &job.error) {
        (_, Some(e)) => html! { <ErrorView error={e.clone()} onretry={Some(job.reload.clone())} /> },
        (None, None) => html! { <Loading what="the job" /> },
        (Some(j), None) => html! {
            <>
                <h1>{ format!("{} — {}", j.customer_name, j.job_name) }</h1>
                <dl class="facts card">
                    <dt>{ "Customer" }</dt><dd>{ &j.customer_name }</dd>
                    <dt>{ "Software" }</dt><dd>{ &j.software }</dd>
                    <dt>{ "Job type" }</dt><dd>{ &j.job_type }</dd>
                    <dt>{ "Sender" }</dt><dd>{ &j.sender }</dd>
                    <dt>{ "Last run" }</dt>
                    <dd>
                        if let Some(s) = j.last_status { <StatusBadge status={s} />{ " " } }
                        if let Some(t) = j.last_run_at { <Time at={t} relative=true /> } else { { "never" } }
                    </dd>
                    <dt>{ "Runs" }</dt><dd>{ j.run_count }</dd>
                    <dt>{ "Approved" }</dt><dd><Time at={j.approved_at} />{ format!(" by {}", j.approved_by) }</dd>
                </dl>
            </>
        },
    };
    let history = match (&runs.data, &runs.error) {
        (_, Some(e)) => html! { <ErrorView error={e.clone()} onretry={Some(runs.reload.clone())} /> },
        (None, None) => html! { <Loading what="the run history" /> },
        (Some(p), None) => html! { <RunsTable runs={p.items.clone()} show_review={session.can(perm::VIEW_REVIEWS)} /> },
    };
    let next_cursor = runs.data.as_ref().and_then(|p| p.next_cursor.clone());
    let onprev = {
        let pager = pager.clone();
        Callback::from(move |_| pager.prev())
    };
    let onnext = {
        let (pager, next) = (pager.clone(), next_cursor.clone());
        Callback::from(move |_| {
            if let Some(c) = next.clone() {
                pager.next(c);
            }
        })
    };
    html! {
        <section class="page">
            <p class="crumbs"><yew_router::components::Link<crate::route::Route> to={crate::route::Route::Jobs}>{ "← Jobs" }</yew_router::components::Link<crate::route::Route>></p>
            { head }
            <h2>{ "Run history" }</h2>
            { history }
            <PagerNav page={pager.number()} has_prev={pager.has_prev()} has_next={next_cursor.is_some()} {onprev} {onnext} />
        </section>
    }
}
