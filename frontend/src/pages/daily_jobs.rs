//! Daily Jobs (seed, Stage 4; every role): for one backup day, every job
//! expected that day with its expected time and what came: its run(s),
//! Missed, or Expected (not yet due). Informational: review happens in Run
//! Checks. Filters (date, customer, status) are kept in the URL.

use bc_api_types::{DailyState, Status};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;
use yew_router::prelude::*;

use crate::api;
use crate::components::{ErrorView, Loading, StatusBadge, Time};
use crate::route::{DailyJobsQuery, Route};

#[derive(Properties, PartialEq)]
pub struct DailyJobsProps {
    pub query: DailyJobsQuery,
}

fn state_label(s: DailyState) -> &'static str {
    match s {
        DailyState::Ran => "Ran",
        DailyState::Missed => "Missed",
        DailyState::Expected => "Expected",
        DailyState::Maintenance => "Maintenance",
    }
}

#[component]
pub fn DailyJobsPage(props: &DailyJobsProps) -> Html {
    let navigator = use_navigator();
    let q = props.query.clone();
    let day = crate::hooks::use_fetch(q.clone(), |q| async move {
        api::schedules::daily_jobs(&q.date, &q.customer, &q.status).await
    });
    let customers = crate::hooks::use_fetch((), |_| async { api::customers::list().await });

    let push = {
        let navigator = navigator.clone();
        move |next: DailyJobsQuery| {
            if let Some(n) = &navigator {
                crate::route::push_with(n, &Route::DailyJobs, &next);
            }
        }
    };
    let on_date = {
        let (q, push) = (q.clone(), push.clone());
        Callback::from(move |e: Event| {
            let v = e.target_unchecked_into::<HtmlInputElement>().value();
            push(DailyJobsQuery { date: v, ..q.clone() });
        })
    };
    let on_customer = {
        let (q, push) = (q.clone(), push.clone());
        Callback::from(move |e: Event| {
            let v = e.target_unchecked_into::<HtmlSelectElement>().value();
            push(DailyJobsQuery { customer: v, ..q.clone() });
        })
    };
    let on_status = {
        let (q, push) = (q.clone(), push.clone());
        Callback::from(move |e: Event| {
            let v = e.target_unchecked_into::<HtmlSelectElement>().value();
            push(DailyJobsQuery { status: v, ..q.clone() });
        })
    };
    let customer_options = customers.data.as_ref().map(|c| c.items.clone()).unwrap_or_default();
    let date_value = day.data.as_ref().map(|d| d.date.to_string()).unwrap_or_else(|| q.date.clone());

    let filters = html! {
        <form class="filters" aria-label="Daily Jobs filters" onsubmit={Callback::from(|e: SubmitEvent| e.prevent_default())}>
            <label>{ "Day " }<input type="date" value={date_value} onchange={on_date} data-testid="daily-date" /></label>
            <label>{ "Customer " }
                <select onchange={on_customer}>
                    <option value="" selected={q.customer.is_empty()}>{ "All customers" }</option>
                    { for customer_options.iter().map(|c| html! {
                        <option value={c.id.clone()} selected={q.customer == c.id}>{ c.name.clone() }</option>
                    }) }
                </select>
            </label>
            <label>{ "Status " }
                <select onchange={on_status}>
                    <option value="" selected={q.status.is_empty()}>{ "Any" }</option>
                    { for ["Success", "Warning", "Failed", "Missed", "Expected"].iter().map(|s| html! {
                        <option value={*s} selected={q.status == *s}>{ *s }</option>
                    }) }
                </select>
            </label>
        </form>
    };

    let body = match (&day.data, &day.error) {
        (_, Some(e)) => html! { <ErrorView error={e.clone()} onretry={Some(day.reload.clone())} /> },
        (None, None) => html! { <Loading what="Daily Jobs" /> },
        (Some(d), None) if d.items.is_empty() => html! {
            <div class="state empty" role="status" data-testid="daily-jobs-empty">
                <h2>{ "No jobs expected this day" }</h2>
                <p>{ "Jobs appear here once a schedule is learned from their runs (three or more) or set on the job." }</p>
            </div>
        },
        (Some(d), None) => html! {
            <div class="table-wrap">
                <p class="hint">{ format!("Backup day {} ({}, day starts at {}).", d.date, d.time_zone, d.day_cutover) }</p>
                <table class="table daily-jobs" data-testid="daily-jobs-table">
                    <thead><tr>
                        <th scope="col">{ "Expected" }</th>
                        <th scope="col">{ "Customer" }</th>
                        <th scope="col">{ "Job" }</th>
                        <th scope="col">{ "State" }</th>
                        <th scope="col">{ "Runs" }</th>
                    </tr></thead>
                    <tbody>
                    { for d.items.iter().map(|j| html! {
                        <tr data-testid="daily-job">
                            <td><Time at={j.expected_at} /></td>
                            <td>{ j.customer_name.clone() }</td>
                            <td><Link<Route> to={Route::Job { id: j.job_id.clone() }}>{ j.job_name.clone() }</Link<Route>>
                                <span class="muted">{ format!(" · {} · {}", j.software, j.schedule_source) }</span></td>
                            <td>{ match j.status {
                                Some(s) => html! { <StatusBadge status={s} /> },
                                None => html! { <span class="badge" data-testid="daily-state">{ state_label(j.state) }</span> },
                            } }</td>
                            <td>{ for j.runs.iter().map(|r| html! {
                                <span class="daily-run">
                                    <Link<Route> to={Route::Run { id: r.id.clone() }}>
                                        <StatusBadge status={r.status} />
                                    </Link<Route>>
                                    if r.status == Status::Missed && r.late_run_id.is_some() {
                                        <span class="muted" data-testid="arrived-late">{ " arrived late" }</span>
                                    }
                                    { " " }
                                </span>
                            }) }</td>
                        </tr>
                    }) }
                    </tbody>
                </table>
            </div>
        },
    };

    html! {
        <section class="page" aria-labelledby="daily-jobs-title">
            <h1 id="daily-jobs-title">{ "Daily Jobs" }</h1>
            <p class="hint">{ "Which jobs are expected on a day and what came. Informational: review runs in Run Checks, \
                               where a missed run appears as Missed." }</p>
            { filters }
            { body }
        </section>
    }
}
