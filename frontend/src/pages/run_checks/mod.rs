//! Run Checks: jobs with unreviewed runs, worst first, a page at a time
//! (the server pages with a stable cursor) with totals over all pages, and
//! filters by customer, status and software kept in the URL. The goal of the
//! day is an empty page. Works from the keyboard: j/k or arrows to move,
//! Enter to open, r or Space to mark reviewed, x to select, n/p to page.
//!
//! Marking whole jobs sends the `as_of` of the page on screen, so a run that
//! arrived after the operator looked stays unreviewed. Large work runs in
//! the background: its progress shows until it ends, then the list reloads.

mod row;

use std::cell::RefCell;
use std::collections::HashSet;
use std::rc::Rc;

use bc_api_types::{
    Operation, OperationState, PAGE_SIZE, Permission, RunChecks, RunChecksJob, RunChecksTotals, Status,
};
use wasm_bindgen::JsCast;
use web_sys::{HtmlElement, HtmlInputElement};
use yew::platform::spawn_local;
use yew::prelude::*;
use yew_router::prelude::*;

use self::row::{JobRow, row_id};
use crate::api;
use crate::api::runs::RunChecksFilter;
use crate::components::{ErrorView, Loading, OperationProgress, PagerNav, ShortcutsHelp};
use crate::format;
use crate::hooks::{on_control, use_fetch, use_field_value, use_keys, use_pager};
use crate::pages::run_detail::RunDetailModal;
use crate::route::{self, Route, RunChecksQuery};
use crate::session::use_session;
use crate::toast::use_notify;

#[derive(Properties, PartialEq)]
pub struct RunChecksProps {
    /// The run whose detail is open over the list (`/runs/{id}`).
    pub open_run: Option<AttrValue>,
    /// The filters (from the URL, or of the list behind an open run).
    pub query: RunChecksQuery,
}

fn filter_of(q: &RunChecksQuery) -> RunChecksFilter {
    RunChecksFilter {
        customer_id: q.customer_id.clone(),
        status: q.status.clone(),
        software: q.software.clone(),
        limit: q.limit.clone(),
    }
}

/// "5 unreviewed runs in 4 jobs: 1 failed, 3 warning, 1 success."
fn totals_text(t: &RunChecksTotals) -> String {
    let n = |k: u32, one: &str, many: &str| format!("{} {}", format::count(k), if k == 1 { one } else { many });
    let missed = if t.missed > 0 { format!("{} missed, ", format::count(t.missed)) } else { String::new() };
    format!(
        "{} in {}: {missed}{} failed, {} warning, {} success. Worst first.",
        n(t.runs, "unreviewed run", "unreviewed runs"),
        n(t.jobs, "job", "jobs"),
        format::count(t.failed),
        format::count(t.warning),
        format::count(t.success)
    )
}

fn focus_row(index: usize) {
    let el = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(&row_id(index)))
        .and_then(|e| e.dyn_into::<HtmlElement>().ok());
    if let Some(el) = el {
        let _ = el.focus();
    }
}

/// The current row: `live` changes at once (key repeat may outrun renders),
/// `shown` re-renders.
#[derive(Clone)]
struct Cursor {
    shown: UseStateHandle<usize>,
    live: Rc<RefCell<usize>>,
}

impl Cursor {
    fn get(&self) -> usize {
        *self.live.borrow()
    }

    fn set(&self, v: usize) {
        *self.live.borrow_mut() = v;
        self.shown.set(v);
    }
}

#[component]
pub fn RunChecksPage(props: &RunChecksProps) -> Html {
    let session = use_session();
    let notify = use_notify();
    let navigator = use_navigator();
    let filter = filter_of(&props.query);
    let pager = use_pager();
    let checks = use_fetch((filter.clone(), pager.cursor()), |(f, cursor)| async move {
        api::runs::run_checks(&f, cursor.as_deref()).await
    });
    let customers = use_fetch((), |_| async { api::customers::list().await });
    let selected = use_state(HashSet::<String>::new);
    let operation = use_state(|| None::<Operation>);
    let software_ref = use_node_ref();
    use_field_value(&software_ref, props.query.software.clone());
    let cursor = Cursor { shown: use_state(|| 0usize), live: use_mut_ref(|| 0usize) };
    let busy = use_state(|| false);
    let help = use_state(|| false);
    let focus_pending = use_mut_ref(|| false);
    let can_review = session.can(Permission::Review);

    // Another page or other filters: start at the top, with nothing selected.
    {
        let (selected, cursor, pager) = (selected.clone(), cursor.clone(), pager.clone());
        let first = use_mut_ref(|| true);
        use_effect_with((filter.clone(), pager.cursor()), move |(f, _)| {
            let _ = f;
            if !std::mem::replace(&mut *first.borrow_mut(), false) {
                selected.set(HashSet::new());
                cursor.set(0);
            }
            || ()
        });
        // Filters changed under a later page (a link, Back): from the first page.
        use_effect_with(filter.clone(), move |_| pager.reset());
    }

    // A run may have been reviewed in the detail: refresh when it closes.
    {
        let reload = checks.reload.clone();
        let was_open = use_mut_ref(|| props.open_run.is_some());
        use_effect_with(props.open_run.clone(), move |open| {
            if open.is_none() && *was_open.borrow() {
                reload.emit(());
            }
            *was_open.borrow_mut() = open.is_some();
        });
    }

    // The list may hold thousands of jobs: borrow it, never copy it per render.
    let data: Option<Rc<RunChecks>> = checks.data.clone();
    let jobs: &[RunChecksJob] = data.as_ref().map(|d| d.jobs.as_slice()).unwrap_or(&[]);
    let count = jobs.len();
    let at = (*cursor.shown).min(count.saturating_sub(1));
    let page_len = props.query.limit.parse::<usize>().ok().filter(|n| *n > 0).unwrap_or(PAGE_SIZE);
    let next_cursor = data.as_ref().and_then(|d| d.next_cursor.clone());
    let (onprev, onnext) = pager.nav_callbacks(next_cursor.clone());

    // Everything on a later page was reviewed: back to the first.
    {
        let pager = pager.clone();
        let emptied = data.is_some() && count == 0 && pager.has_prev() && !checks.loading;
        use_effect_with(emptied, move |e| {
            if *e {
                pager.reset();
            }
        });
    }

    // Keep focus on the current row after keyboard moves and reloads.
    {
        let focus_pending = focus_pending.clone();
        use_effect_with((at, count), move |(at, count)| {
            // Not while a page loads: the row is not there yet.
            if *focus_pending.borrow() && *count > 0 {
                *focus_pending.borrow_mut() = false;
                focus_row(*at);
            }
        });
    }

    // Whole jobs, as far as the page on screen showed them (its `as_of`).
    let as_of = data.as_ref().map(|d| d.as_of);
    let working = *busy || operation.is_some();
    let mark = {
        let (busy, selected, notify, reload) = (busy.clone(), selected.clone(), notify.clone(), checks.reload.clone());
        let (focus_pending, operation) = (focus_pending.clone(), operation.clone());
        Callback::from(move |job_ids: Vec<String>| {
            if job_ids.is_empty() || working {
                return;
            }
            busy.set(true);
            let (busy, selected, notify, reload) = (busy.clone(), selected.clone(), notify.clone(), reload.clone());
            let (focus_pending, operation) = (focus_pending.clone(), operation.clone());
            spawn_local(async move {
                match api::runs::review(job_ids.clone(), Vec::new(), as_of).await {
                    Ok(r) => {
                        let jobs =
                            if job_ids.len() == 1 { "1 job".to_string() } else { format!("{} jobs", job_ids.len()) };
                        match r.operation {
                            Some(op) => {
                                notify.ok(format!("Reviewing the runs of {jobs} in the background"));
                                operation.set(Some(op));
                            }
                            None => notify.ok(format!("Marked {} run(s) of {jobs} as reviewed", r.changed)),
                        }
                        let mut s = (*selected).clone();
                        for id in &job_ids {
                            s.remove(id);
                        }
                        selected.set(s);
                        *focus_pending.borrow_mut() = true;
                        reload.emit(());
                    }
                    Err(e) => notify.error(e),
                }
                busy.set(false);
            });
        })
    };

    let open_job = {
        let navigator = navigator.clone();
        move |job: &RunChecksJob| {
            if let (Some(n), Some(run)) = (&navigator, job.runs.first()) {
                n.push(&Route::Run { id: run.id.clone() });
            }
        }
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

    {
        let (cursor, data, mark, toggle, help, focus_pending) =
            (cursor.clone(), data.clone(), mark.clone(), toggle.clone(), help.clone(), focus_pending.clone());
        let (onprev, onnext, has_next, has_prev) =
            (onprev.clone(), onnext.clone(), next_cursor.is_some(), pager.has_prev());
        let open_job = open_job.clone();
        let enabled = props.open_run.is_none() && !*help;
        use_keys(
            enabled,
            Callback::from(move |e: KeyboardEvent| {
                let jobs: &[RunChecksJob] = data.as_ref().map(|d| d.jobs.as_slice()).unwrap_or(&[]);
                let n = jobs.len();
                // From the live value, so keys faster than renders still count.
                let at = cursor.get().min(n.saturating_sub(1));
                let go = |to: usize| {
                    *focus_pending.borrow_mut() = true;
                    cursor.set(to);
                };
                match e.key().as_str() {
                    "j" | "ArrowDown" if n > 0 => {
                        e.prevent_default();
                        go((at + 1).min(n - 1));
                    }
                    "k" | "ArrowUp" if n > 0 => {
                        e.prevent_default();
                        go(at.saturating_sub(1));
                    }
                    "n" if has_next => {
                        *focus_pending.borrow_mut() = true;
                        onnext.emit(());
                    }
                    "p" if has_prev => {
                        *focus_pending.borrow_mut() = true;
                        onprev.emit(());
                    }
                    "Enter" if !on_control(&e) => {
                        if let Some(job) = jobs.get(at) {
                            e.prevent_default();
                            open_job(job);
                        }
                    }
                    "r" | " " if can_review && !(e.key() == " " && on_control(&e)) => {
                        if let Some(job) = jobs.get(at) {
                            e.prevent_default();
                            mark.emit(vec![job.id.clone()]);
                        }
                    }
                    "x" => {
                        if let Some(job) = jobs.get(at) {
                            toggle.emit(job.id.clone());
                        }
                    }
                    "?" => help.set(true),
                    _ => {}
                }
            }),
        );
    }

    let close_detail = {
        let navigator = navigator.clone();
        Callback::from(move |_| {
            if let Some(n) = &navigator {
                route::go_back(n);
            }
        })
    };
    let modal = props.open_run.as_ref().map(|id| {
        html! { <RunDetailModal id={id.to_string()} onclose={close_detail.clone()} /> }
    });
    let help_modal = (*help).then(|| {
        let help = help.clone();
        html! { <ShortcutsHelp onclose={Callback::from(move |_| help.set(false))} /> }
    });

    let filtered = props.query != RunChecksQuery::default()
        && props.query != RunChecksQuery { limit: props.query.limit.clone(), ..RunChecksQuery::default() };
    let body = match (&data, &checks.error) {
        (_, Some(e)) => html! { <ErrorView error={e.clone()} onretry={Some(checks.reload.clone())} /> },
        (None, None) => html! { <Loading what="Run Checks" /> },
        (Some(_), None) if jobs.is_empty() && filtered => html! {
            <div class="state empty" role="status" data-testid="run-checks-none">
                <h2>{ "No jobs match these filters" }</h2>
                <p>{ "Clear a filter to see more." }</p>
            </div>
        },
        (Some(_), None) if jobs.is_empty() => html! {
            <div class="state goal" role="status" data-testid="run-checks-empty">
                <div class="big-check" aria-hidden="true">{ "✔" }</div>
                <h2>{ "All runs reviewed" }</h2>
                <p>{ "Nothing is waiting for review. That is the goal of the day." }</p>
            </div>
        },
        (Some(d), None) => {
            let all_on_page = jobs.iter().all(|j| selected.contains(&j.id));
            let select_page = {
                let selected = selected.clone();
                let ids: Vec<String> = jobs.iter().map(|j| j.id.clone()).collect();
                Callback::from(move |_| {
                    let mut s = (*selected).clone();
                    if all_on_page {
                        for id in &ids {
                            s.remove(id);
                        }
                    } else {
                        s.extend(ids.iter().cloned());
                    }
                    selected.set(s);
                })
            };
            let mark_selected = {
                let mark = mark.clone();
                let ids: Vec<String> = selected.iter().cloned().collect();
                Callback::from(move |_| mark.emit(ids.clone()))
            };
            let pick = {
                let cursor = cursor.clone();
                Callback::from(move |i: usize| cursor.set(i))
            };
            let pages = (d.totals.jobs as usize).div_ceil(page_len).max(pager.number());
            html! {
                <>
                    <p class="summary" data-testid="run-checks-summary">{ totals_text(&d.totals) }</p>
                    if can_review {
                        <div class="toolbar" role="toolbar" aria-label="Run Checks actions">
                            <label class="check">
                                <input type="checkbox" checked={all_on_page} onchange={select_page} />
                                { " Select all on this page" }
                            </label>
                            <button class="btn btn-primary" disabled={selected.is_empty() || working} onclick={mark_selected}
                                    data-testid="mark-selected">
                                { format!("Mark selected as reviewed ({})", selected.len()) }
                            </button>
                        </div>
                    }
                    <div class="table-wrap">
                        <table class="table run-checks" aria-describedby="rc-help">
                            <thead><tr>
                                if can_review { <th scope="col"><span class="sr-only">{ "Select" }</span></th> }
                                <th scope="col">{ "Customer" }</th>
                                <th scope="col" class="hide-narrow">{ "Software" }</th>
                                <th scope="col" class="hide-narrow">{ "Job type" }</th>
                                <th scope="col">{ "Job" }</th>
                                <th scope="col">{ "Unreviewed runs" }</th>
                                if can_review { <th scope="col"><span class="sr-only">{ "Actions" }</span></th> }
                            </tr></thead>
                            <tbody>
                                { for jobs.iter().enumerate().map(|(i, job)| html! {
                                    <JobRow key={job.id.clone()} index={i} job={job.clone()} current={i == at} selected={selected.contains(&job.id)}
                                            {can_review} busy={working} onpick={pick.clone()} ontoggle={toggle.clone()} onmark={mark.clone()} />
                                }) }
                            </tbody>
                        </table>
                    </div>
                    <PagerNav page={pager.number()} total_pages={Some(pages)} has_prev={pager.has_prev()}
                              has_next={next_cursor.is_some()} onprev={onprev.clone()} onnext={onnext.clone()} />
                </>
            }
        }
    };

    // Filters: applying one starts from the first page.
    let apply = {
        let pager = pager.clone();
        crate::route::filter_apply::<RunChecksQuery>(navigator.clone(), Route::RunChecks, move || pager.reset())
    };
    let on_select = |field: fn(&mut RunChecksQuery, String)| crate::route::select_filter(&props.query, &apply, field);
    let on_filter_submit = {
        let (apply, query, software_ref) = (apply.clone(), props.query.clone(), software_ref.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let mut q = query.clone();
            q.software =
                software_ref.cast::<HtmlInputElement>().map(|i| i.value().trim().to_string()).unwrap_or_default();
            apply.emit(q);
        })
    };
    let clear = {
        let (apply, limit) = (apply.clone(), props.query.limit.clone());
        Callback::from(move |_| apply.emit(RunChecksQuery { limit: limit.clone(), ..RunChecksQuery::default() }))
    };
    let customer_options = customers.data.as_ref().map(|l| l.items.clone()).unwrap_or_default();
    let q = &props.query;
    let filters = html! {
        <form class="filters" onsubmit={on_filter_submit} role="search" aria-label="Filter Run Checks">
            <div class="field">
                <label for="rc-customer">{ "Customer" }</label>
                <select id="rc-customer" onchange={on_select(|q, v| q.customer_id = v)}>
                    <option value="" selected={q.customer_id.is_empty()}>{ "All customers" }</option>
                    { for customer_options.iter().map(|c| html! {
                        <option value={c.id.clone()} selected={c.id == q.customer_id}>{ &c.name }</option>
                    }) }
                </select>
            </div>
            <div class="field">
                <label for="rc-status">{ "Worst status" }</label>
                <select id="rc-status" onchange={on_select(|q, v| q.status = v)}>
                    <option value="" selected={q.status.is_empty()}>{ "Any status" }</option>
                    { for Status::ALL.iter().rev().map(|s| html! {
                        <option value={s.as_str()} selected={s.as_str() == q.status}>{ s.as_str() }</option>
                    }) }
                </select>
            </div>
            <div class="field">
                <label for="rc-software">{ "Software" }</label>
                <input id="rc-software" type="text" ref={software_ref.clone()} placeholder="Exact name, e.g. Proxmox VE" />
            </div>
            <div class="field buttons">
                <button class="btn" type="submit">{ "Filter" }</button>
                if filtered { <button class="btn btn-ghost" type="button" onclick={clear}>{ "Clear" }</button> }
            </div>
        </form>
    };
    let progress = (*operation).clone().map(|op| {
        let (operation, notify, reload) = (operation.clone(), notify.clone(), checks.reload.clone());
        let onfinish = Callback::from(move |op: Operation| {
            match op.state {
                OperationState::Failed => notify.error(format!(
                    "The review stopped after {} run(s): {}",
                    format::count(op.done),
                    op.error.clone().unwrap_or_else(|| "unknown error".into())
                )),
                _ => notify.ok(format!("Marked {} run(s) as reviewed", format::count(op.done))),
            }
            operation.set(None);
            reload.emit(());
        });
        html! { <OperationProgress operation={op} {onfinish} /> }
    });

    let show_help = {
        let help = help.clone();
        Callback::from(move |_| help.set(true))
    };
    html! {
        <section class="page">
            <div class="page-head">
                <h1>{ "Run Checks" }</h1>
                <div class="head-actions">
                    if checks.loading && data.is_some() { <span class="muted" role="status">{ "Refreshing…" }</span> }
                    <button class="btn btn-ghost" onclick={Callback::from({ let r = checks.reload.clone(); move |_| r.emit(()) })}>{ "Reload" }</button>
                    <button class="btn btn-ghost" onclick={show_help} aria-keyshortcuts="?">{ "Keyboard shortcuts" }</button>
                </div>
            </div>
            <p id="rc-help" class="hint">
                <kbd>{ "j" }</kbd>{ "/" }<kbd>{ "k" }</kbd>{ " move · " }<kbd>{ "Enter" }</kbd>{ " open · " }
                <kbd>{ "r" }</kbd>{ " mark reviewed · " }<kbd>{ "x" }</kbd>{ " select · " }<kbd>{ "?" }</kbd>{ " help" }
            </p>
            { filters }
            if let Some(e) = &customers.error { <ErrorView error={e.clone()} /> }
            { for progress }
            { body }
            { for modal }
            { for help_modal }
        </section>
    }
}
