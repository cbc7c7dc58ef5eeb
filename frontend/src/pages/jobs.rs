//! Jobs: every approved job, filtered by customer, software, status of the
//! last run and name; the filters live in the URL so a view can be shared.

use bc_api_types::{JobPage, Status};
use web_sys::HtmlInputElement;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::api;
use crate::api::jobs::JobFilter;
use crate::components::{ErrorView, Loading, PagerNav, StatusBadge, Time};
use crate::hooks::{use_fetch, use_field_value, use_pager};
use crate::route::{JobsQuery, Route};

#[component]
pub fn JobsPage() -> Html {
    let location = use_location();
    let navigator = use_navigator();
    let query: JobsQuery = location.as_ref().and_then(|l| l.query::<JobsQuery>().ok()).unwrap_or_default();
    let pager = use_pager();
    let customers = use_fetch((), |_| async { api::customers::list().await });
    let filter = JobFilter {
        customer_id: query.customer_id.clone(),
        software: query.software.clone(),
        status: query.status.clone(),
        q: query.q.clone(),
        archived: query.archived.clone(),
    };
    let jobs = use_fetch((filter.clone(), pager.cursor()), |(f, cursor)| async move {
        api::jobs::page(&f, cursor.as_deref()).await
    });
    let search_ref = use_node_ref();
    let software_ref = use_node_ref();
    use_field_value(&search_ref, query.q.clone());
    use_field_value(&software_ref, query.software.clone());

    let apply = {
        let pager = pager.clone();
        crate::route::filter_apply::<JobsQuery>(navigator.clone(), Route::Jobs, move || pager.reset())
    };
    let on_select = |field: fn(&mut JobsQuery, String)| crate::route::select_filter(&query, &apply, field);
    let onsubmit = {
        let (apply, query, search_ref, software_ref) =
            (apply.clone(), query.clone(), search_ref.clone(), software_ref.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let mut q = query.clone();
            q.q = search_ref.cast::<HtmlInputElement>().map(|i| i.value()).unwrap_or_default();
            q.software = software_ref.cast::<HtmlInputElement>().map(|i| i.value()).unwrap_or_default();
            apply.emit(q);
        })
    };
    let clear = {
        let apply = apply.clone();
        Callback::from(move |_| apply.emit(JobsQuery::default()))
    };
    let customer_options = customers.data.as_ref().map(|l| l.items.clone()).unwrap_or_default();
    let filtered = query != JobsQuery::default();

    let body = match (&jobs.data, &jobs.error) {
        (_, Some(e)) => html! { <ErrorView error={e.clone()} onretry={Some(jobs.reload.clone())} /> },
        (None, None) => html! { <Loading what="jobs" /> },
        (Some(p), None) if p.items.is_empty() => html! {
            <div class="state empty" role="status">
                <h2>{ if filtered { "No jobs match these filters" } else { "No jobs yet" } }</h2>
                <p>{ if filtered { "Clear a filter to see more." } else { "Jobs appear once a report mail is approved in the Inbox." } }</p>
            </div>
        },
        (Some(p), None) => table(p),
    };
    let next_cursor = jobs.data.as_ref().and_then(|p| p.next_cursor.clone());
    let (onprev, onnext) = pager.nav_callbacks(next_cursor.clone());

    html! {
        <section class="page">
            <div class="page-head"><h1>{ "Jobs" }</h1></div>
            <crate::pages::ping::NewPingJobForm />
            <form class="filters" {onsubmit} role="search" aria-label="Filter jobs">
                <div class="field">
                    <label for="f-customer">{ "Customer" }</label>
                    <select id="f-customer" onchange={on_select(|q, v| q.customer_id = v)}>
                        <option value="" selected={query.customer_id.is_empty()}>{ "All customers" }</option>
                        { for customer_options.iter().map(|c| html! {
                            <option value={c.id.clone()} selected={c.id == query.customer_id}>{ &c.name }</option>
                        }) }
                    </select>
                </div>
                <div class="field">
                    <label for="f-status">{ "Last run" }</label>
                    <select id="f-status" onchange={on_select(|q, v| q.status = v)}>
                        <option value="" selected={query.status.is_empty()}>{ "Any status" }</option>
                        { for Status::ALL.iter().map(|s| html! {
                            <option value={s.as_str()} selected={s.as_str() == query.status}>{ s.as_str() }</option>
                        }) }
                    </select>
                </div>
                <div class="field">
                    <label for="f-archived">{ "Shown" }</label>
                    <select id="f-archived" onchange={on_select(|q, v| q.archived = v)}>
                        <option value="" selected={query.archived.is_empty()}>{ "Active jobs" }</option>
                        <option value="true" selected={query.archived == "true"}>{ "Archived jobs" }</option>
                        <option value="all" selected={query.archived == "all"}>{ "All jobs" }</option>
                    </select>
                </div>
                <div class="field">
                    <label for="f-software">{ "Software" }</label>
                    <input id="f-software" type="text" ref={software_ref.clone()} placeholder="e.g. Veeam" />
                </div>
                <div class="field grow">
                    <label for="f-q">{ "Job name" }</label>
                    <input id="f-q" type="search" ref={search_ref.clone()} placeholder="Search job names" />
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

fn table(page: &JobPage) -> Html {
    html! {
        <div class="table-wrap">
            <table class="table jobs">
                <thead><tr>
                    <th scope="col">{ "Customer" }</th>
                    <th scope="col" class="hide-narrow">{ "Software" }</th>
                    <th scope="col" class="hide-narrow">{ "Job type" }</th>
                    <th scope="col">{ "Job" }</th>
                    <th scope="col">{ "Last run" }</th>
                    <th scope="col">{ "Runs" }</th>
                </tr></thead>
                <tbody>
                    { for page.items.iter().map(|j| html! {
                        <tr>
                            <td>{ &j.customer_name }</td>
                            <td class="hide-narrow">{ &j.software }</td>
                            <td class="hide-narrow">{ &j.job_type }</td>
                            <td>
                                <Link<Route> to={Route::Job { id: j.id.clone() }}>{ &j.job_name }</Link<Route>>
                                if j.archived_at.is_some() { { " " }<span class="tag">{ "archived" }</span> }
                            </td>
                            <td>
                                if let Some(s) = j.last_status { <StatusBadge status={s} />{ " " } }
                                if let Some(t) = j.last_run_at { <Time at={t} relative=true /> } else { <span class="muted">{ "never" }</span> }
                            </td>
                            <td>{ j.run_count }</td>
                        </tr>
                    }) }
                </tbody>
            </table>
        </div>
    }
}
