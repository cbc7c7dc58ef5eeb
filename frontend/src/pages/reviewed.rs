//! Reviewed (admins): every reviewed run, newest review first, with who and
//! when; filters kept in the URL (days, reviewer, customer, status); select
//! runs and unmark them (they go back to Run Checks). Above the list, what
//! the admin monitors: runs reviewed per day and by whom, and how old the
//! oldest unreviewed run is.

use std::collections::BTreeSet;

use bc_api_types::{Permission, ReviewStats, ReviewedPage as Page};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::platform::spawn_local;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::api;
use crate::api::reviewed::ReviewedFilter;
use crate::components::{ErrorView, Loading, PagerNav, StatusBadge, Time};
use crate::hooks::{use_fetch, use_field_value, use_pager};
use crate::pages::audit::day_start;
use crate::pages::run_detail::RunDetailModal;
use crate::route::{ReviewedQuery, Route};
use crate::session::use_session;
use crate::toast::use_notify;

/// Days the statistics cover.
const STATS_DAYS: u32 = 14;

fn filter_of(q: &ReviewedQuery) -> ReviewedFilter {
    ReviewedFilter {
        from: day_start(&q.from, false),
        until: day_start(&q.until, true),
        reviewer: q.reviewer.trim().to_string(),
        customer_id: q.customer_id.clone(),
        status: q.status.clone(),
    }
}

#[derive(Properties, PartialEq)]
pub struct ReviewedProps {
    pub query: ReviewedQuery,
}

#[component]
pub fn ReviewedPage(props: &ReviewedProps) -> Html {
    let session = use_session();
    let notify = use_notify();
    let navigator = use_navigator();
    let pager = use_pager();
    let filter = filter_of(&props.query);
    let page = use_fetch((filter.clone(), pager.cursor()), |(f, cursor)| async move {
        api::reviewed::page(&f, cursor.as_deref()).await
    });
    let stats = use_fetch((), |_| async { api::reviewed::stats(STATS_DAYS).await });
    let customers = use_fetch((), |_| async { api::customers::list().await });
    let selected = use_state(BTreeSet::<String>::new);
    let open_run = use_state(|| None::<String>);
    let busy = use_state(|| false);
    let refs: [NodeRef; 3] = [use_node_ref(), use_node_ref(), use_node_ref()];
    let selects: [NodeRef; 2] = [use_node_ref(), use_node_ref()];
    use_field_value(&refs[0], props.query.from.clone());
    use_field_value(&refs[1], props.query.until.clone());
    use_field_value(&refs[2], props.query.reviewer.clone());
    {
        let (pager, selected) = (pager.clone(), selected.clone());
        use_effect_with(filter.clone(), move |_| {
            pager.reset();
            selected.set(BTreeSet::new());
        });
    }

    let apply = {
        let pager = pager.clone();
        crate::route::filter_apply::<ReviewedQuery>(navigator.clone(), Route::Reviewed, move || pager.reset())
    };
    // The filters as the fields hold them now; a submit applies them, and a
    // choice in a list applies at once (the URL is then what it shows).
    let from_fields = {
        let (apply, refs, selects) = (apply.clone(), refs.clone(), selects.clone());
        Callback::from(move |()| {
            let v =
                |r: &NodeRef| r.cast::<HtmlInputElement>().map(|i| i.value().trim().to_string()).unwrap_or_default();
            let sel = |r: &NodeRef| r.cast::<HtmlSelectElement>().map(|s| s.value()).unwrap_or_default();
            apply.emit(ReviewedQuery {
                from: v(&refs[0]),
                until: v(&refs[1]),
                reviewer: v(&refs[2]),
                customer_id: sel(&selects[0]),
                status: sel(&selects[1]),
            });
        })
    };
    let onsubmit = from_fields.reform(|e: SubmitEvent| e.prevent_default());
    let on_select = from_fields.reform(|_: Event| ());
    let clear = {
        let apply = apply.clone();
        Callback::from(move |_| apply.emit(ReviewedQuery::default()))
    };
    let unmark = {
        let (selected, busy, notify, reload, reload_stats) =
            (selected.clone(), busy.clone(), notify.clone(), page.reload.clone(), stats.reload.clone());
        Callback::from(move |_| {
            if *busy || selected.is_empty() {
                return;
            }
            busy.set(true);
            let ids: Vec<String> = selected.iter().cloned().collect();
            let (selected, busy, notify, reload, reload_stats) =
                (selected.clone(), busy.clone(), notify.clone(), reload.clone(), reload_stats.clone());
            spawn_local(async move {
                match api::runs::unreview(ids).await {
                    Ok(r) if r.operation.is_some() => notify.ok("Unmarking runs in the background"),
                    Ok(r) => notify.ok(format!("Unmarked {} run(s); they are back in Run Checks", r.changed)),
                    Err(e) => notify.error(e),
                }
                busy.set(false);
                selected.set(BTreeSet::new());
                reload.emit(());
                reload_stats.emit(());
            });
        })
    };
    let toggle = {
        let selected = selected.clone();
        Callback::from(move |id: String| {
            let mut s = (*selected).clone();
            if !s.remove(&id) {
                s.insert(id);
            }
            selected.set(s);
        })
    };
    let open = {
        let open_run = open_run.clone();
        Callback::from(move |id: String| open_run.set(Some(id)))
    };

    let q = &props.query;
    let filtered = *q != ReviewedQuery::default();
    let can_unmark = session.can(Permission::Unreview);
    let body = match (&page.data, &page.error) {
        (_, Some(e)) => html! { <ErrorView error={e.clone()} onretry={Some(page.reload.clone())} /> },
        (None, None) => html! { <Loading what="reviewed runs" /> },
        (Some(p), None) if p.items.is_empty() => html! {
            <div class="state empty" role="status" data-testid="reviewed-empty">
                <h2>{ if filtered { "No reviewed runs match these filters" } else { "Nothing reviewed in the last 90 days" } }</h2>
            </div>
        },
        (Some(p), None) => table(p, &selected, &toggle, &open, can_unmark),
    };
    let next_cursor = page.data.as_ref().and_then(|p| p.next_cursor.clone());
    let (onprev, onnext) = pager.nav_callbacks(next_cursor.clone());
    let modal = (*open_run).clone().map(|id| {
        let (open_run, reload) = (open_run.clone(), page.reload.clone());
        html! { <RunDetailModal {id} onclose={Callback::from(move |_| { open_run.set(None); reload.emit(()); })} /> }
    });
    let customer_options = customers.data.as_ref().map(|c| c.items.clone()).unwrap_or_default();

    html! {
        <section class="page">
            <div class="page-head">
                <h1>{ "Reviewed" }</h1>
            </div>
            { stats_view(&stats.data, &stats.error) }
            <form class="filters" {onsubmit} role="search" aria-label="Filter reviewed runs">
                <div class="field">
                    <label for="rv-from">{ "Reviewed from (UTC day)" }</label>
                    <input id="rv-from" type="date" ref={refs[0].clone()} />
                </div>
                <div class="field">
                    <label for="rv-until">{ "until (UTC day)" }</label>
                    <input id="rv-until" type="date" ref={refs[1].clone()} />
                </div>
                <div class="field">
                    <label for="rv-reviewer">{ "Reviewer" }</label>
                    <input id="rv-reviewer" type="text" ref={refs[2].clone()} placeholder="Username" />
                </div>
                <div class="field">
                    <label for="rv-customer">{ "Customer" }</label>
                    <select id="rv-customer" ref={selects[0].clone()} onchange={on_select.clone()}>
                        <option value="" selected={q.customer_id.is_empty()}>{ "All customers" }</option>
                        { for customer_options.iter().map(|c| html! {
                            <option value={c.id.clone()} selected={c.id == q.customer_id}>{ &c.name }</option>
                        }) }
                    </select>
                </div>
                <div class="field">
                    <label for="rv-status">{ "Status" }</label>
                    <select id="rv-status" ref={selects[1].clone()} onchange={on_select}>
                        { for [("", "Any status"), ("Failed", "Failed"), ("Warning", "Warning"), ("Success", "Success")].iter().map(|(v, l)| html! {
                            <option value={*v} selected={q.status == *v}>{ *l }</option>
                        }) }
                    </select>
                </div>
                <div class="field buttons">
                    <button class="btn btn-primary" type="submit" data-testid="reviewed-filter">{ "Filter" }</button>
                    if filtered { <button class="btn btn-ghost" type="button" onclick={clear}>{ "Clear" }</button> }
                </div>
            </form>
            if can_unmark {
                <div class="toolbar">
                    <button class="btn" onclick={unmark} disabled={selected.is_empty() || *busy} data-testid="unmark-selected">
                        { format!("Unmark selected ({})", selected.len()) }
                    </button>
                </div>
            }
            { body }
            <PagerNav page={pager.number()} has_prev={pager.has_prev()} has_next={next_cursor.is_some()} {onprev} {onnext} />
            { for modal }
        </section>
    }
}

fn stats_view(data: &Option<std::rc::Rc<ReviewStats>>, error: &Option<api::ApiError>) -> Html {
    let Some(s) = data else {
        return match error {
            Some(e) => html! { <p class="alert alert-error">{ format!("Statistics: {e}") }</p> },
            None => html! {},
        };
    };
    let max = s.days.iter().map(|d| d.runs).max().unwrap_or(0).max(1);
    let total: u32 = s.days.iter().map(|d| d.runs).sum();
    let mut by: std::collections::BTreeMap<&str, u32> = std::collections::BTreeMap::new();
    for d in &s.days {
        for b in &d.by {
            *by.entry(b.reviewer.as_str()).or_default() += b.runs;
        }
    }
    let mut by: Vec<(&str, u32)> = by.into_iter().collect();
    by.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    // Oldest day on the left.
    let days: Vec<_> = s.days.iter().rev().collect();
    html! {
        <section class="card review-stats" aria-labelledby="rs-title" data-testid="review-stats">
            <h2 id="rs-title" class="card-title">{ format!("Reviews, last {STATS_DAYS} days") }</h2>
            <div class="day-bars" role="img" aria-label={days.iter().map(|d| format!("{}: {}", d.day, d.runs)).collect::<Vec<_>>().join(", ")}>
                { for days.iter().map(|d| {
                    let title = format!("{}: {} reviewed{}", d.day, d.runs,
                        if d.by.is_empty() { String::new() } else {
                            format!(" ({})", d.by.iter().map(|b| format!("{} {}", b.reviewer, b.runs)).collect::<Vec<_>>().join(", "))
                        });
                    let height = format!("height: {}%", (d.runs * 100) / max);
                    html! {
                        <div class="day" key={d.day.clone()} {title}>
                            <div class="bar" style={height}></div>
                            <div class="label">{ d.day.get(8..).unwrap_or("") }</div>
                        </div>
                    }
                }) }
            </div>
            <p>
                { format!("{total} reviewed") }
                if !by.is_empty() { { format!(" — {}", by.iter().map(|(r, n)| format!("{r} {n}")).collect::<Vec<_>>().join(", ")) } }
                { format!(". Open now: {} unreviewed run(s)", s.unreviewed_runs) }
                if let Some(at) = s.oldest_unreviewed_at { { "; the oldest ran " }<Time {at} relative=true /> }
                { "." }
            </p>
        </section>
    }
}

fn table(
    page: &Page,
    selected: &UseStateHandle<BTreeSet<String>>,
    toggle: &Callback<String>,
    open: &Callback<String>,
    can_unmark: bool,
) -> Html {
    html! {
        <div class="table-wrap">
            <table class="table reviewed" data-testid="reviewed-table">
                <thead><tr>
                    if can_unmark { <th scope="col"><span class="sr-only">{ "Select" }</span></th> }
                    <th scope="col">{ "Reviewed" }</th>
                    <th scope="col">{ "By" }</th>
                    <th scope="col">{ "Customer" }</th>
                    <th scope="col">{ "Job" }</th>
                    <th scope="col">{ "Run" }</th>
                    <th scope="col">{ "Status" }</th>
                </tr></thead>
                <tbody>
                    { for page.items.iter().map(|i| {
                        let r = &i.run;
                        let id = r.id.clone();
                        let on_check = { let (toggle, id) = (toggle.clone(), id.clone()); Callback::from(move |_| toggle.emit(id.clone())) };
                        let onclick = {
                            let (open, id) = (open.clone(), id.clone());
                            Callback::from(move |ev: MouseEvent| {
                                if ev.ctrl_key() || ev.meta_key() || ev.shift_key() || ev.button() != 0 { return; }
                                ev.prevent_default();
                                open.emit(id.clone());
                            })
                        };
                        html! {
                            <tr key={id.clone()} data-run-id={id.clone()}>
                                if can_unmark {
                                    <td><input type="checkbox" checked={selected.contains(&id)} onchange={on_check}
                                               aria-label={format!("Select the run of {} for unmarking", i.job_name)} /></td>
                                }
                                <td class="nowrap">{ match &r.review { Some(v) => html! { <Time at={v.at} relative=true /> }, None => html! {} } }</td>
                                <td>{ r.review.as_ref().map(|v| v.by.clone()).unwrap_or_default() }</td>
                                <td>{ &i.customer_name }</td>
                                <td><Link<Route> to={Route::Job { id: r.job_id.clone() }}>{ &i.job_name }</Link<Route>></td>
                                <td><a href={Route::Run { id: id.clone() }.to_path()} {onclick}>
                                    <Time at={r.started_at.unwrap_or(r.received_at)} />
                                </a></td>
                                <td><StatusBadge status={r.status} overridden={r.overridden.clone()} /></td>
                            </tr>
                        }
                    }) }
                </tbody>
            </table>
        </div>
    }
}
