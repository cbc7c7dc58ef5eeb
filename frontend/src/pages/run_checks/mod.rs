//! Run Checks: jobs with unreviewed runs, worst first. The goal of the day
//! is an empty page. Works from the keyboard: j/k or arrows to move, Enter
//! to open, r or Space to mark reviewed, x to select.

mod row;

use std::cell::RefCell;
use std::collections::HashSet;
use std::rc::Rc;

use bc_api_types::{RunChecks, RunChecksJob};
use wasm_bindgen::JsCast;
use web_sys::HtmlElement;
use yew::platform::spawn_local;
use yew::prelude::*;
use yew_router::prelude::*;


use self::row::{row_id, JobRow};
use crate::api;
use crate::components::{ErrorView, Loading, PagerNav, ShortcutsHelp};
use crate::hooks::{on_control, use_fetch, use_keys};
use crate::pages::run_detail::RunDetailModal;
use crate::route::{self, Route};
use crate::session::{perm, use_session};
use crate::toast::use_notify;

/// Jobs per screen; the list may hold thousands.
const PAGE: usize = 100;

#[derive(Properties, PartialEq)]
pub struct RunChecksProps {
    /// The run whose detail is open over the list (`/runs/{id}`).
    pub open_run: Option<AttrValue>,
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
    let checks = use_fetch((), |_| async { api::runs::run_checks().await });
    let selected = use_state(HashSet::<String>::new);
    let cursor = Cursor { shown: use_state(|| 0usize), live: use_mut_ref(|| 0usize) };
    let busy = use_state(|| false);
    let help = use_state(|| false);
    let focus_pending = use_mut_ref(|| false);
    let can_review = session.can(perm::REVIEW);

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
    let page = at / PAGE;
    let pages = count.div_ceil(PAGE).max(1);

    // Keep focus on the current row after keyboard moves and reloads.
    {
        let focus_pending = focus_pending.clone();
        use_effect_with((at, count), move |(at, _)| {
            if *focus_pending.borrow() {
                *focus_pending.borrow_mut() = false;
                focus_row(*at);
            }
        });
    }

    let mark = {
        let (busy, selected, notify, reload) = (busy.clone(), selected.clone(), notify.clone(), checks.reload.clone());
        let focus_pending = focus_pending.clone();
        Callback::from(move |job_ids: Vec<String>| {
            if job_ids.is_empty() || *busy {
                return;
            }
            busy.set(true);
            let (busy, selected, notify, reload) = (busy.clone(), selected.clone(), notify.clone(), reload.clone());
            let focus_pending = focus_pending.clone();
            spawn_local(async move {
                match api::runs::review(job_ids.clone(), Vec::new()).await {
                    Ok(r) => {
                        let jobs = if job_ids.len() == 1 { "1 job".to_string() } else { format!("{} jobs", job_ids.len()) };
                        notify.ok(format!("Marked {} run(s) of {jobs} as reviewed", r.changed));
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
                    "n" if n > 0 => go(((at / PAGE + 1) * PAGE).min(n - 1)),
                    "p" if n > 0 => go((at / PAGE).saturating_sub(1) * PAGE),
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
                n.push(&route::return_route());
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

    let body = match (&data, &checks.error) {
        (_, Some(e)) => html! { <ErrorView error={e.clone()} onretry={Some(checks.reload.clone())} /> },
        (None, None) => html! { <Loading what="Run Checks" /> },
        (Some(_), None) if jobs.is_empty() => html! {
            <div class="state goal" role="status" data-testid="run-checks-empty">
                <div class="big-check" aria-hidden="true">{ "✔" }</div>
                <h2>{ "All runs reviewed" }</h2>
                <p>{ "Nothing is waiting for review. That is the goal of the day." }</p>
            </div>
        },
        (Some(d), None) => {
            let start = page * PAGE;
            let shown: Vec<(usize, &RunChecksJob)> = jobs.iter().enumerate().skip(start).take(PAGE).collect();
            let all_on_page = shown.iter().all(|(_, j)| selected.contains(&j.id));
            let select_page = {
                let selected = selected.clone();
                let ids: Vec<String> = shown.iter().map(|(_, j)| j.id.clone()).collect();
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
            let to_page = |p: usize| {
                let cursor = cursor.clone();
                Callback::from(move |_| cursor.set(p * PAGE))
            };
            html! {
                <>
                    <p class="summary" data-testid="run-checks-summary">
                        { format!("{} unreviewed run(s) in {} job(s). Worst first.", d.run_count, count) }
                    </p>
                    if can_review {
                        <div class="toolbar" role="toolbar" aria-label="Run Checks actions">
                            <label class="check">
                                <input type="checkbox" checked={all_on_page} onchange={select_page} />
                                { " Select all on this page" }
                            </label>
                            <button class="btn btn-primary" disabled={selected.is_empty() || *busy} onclick={mark_selected}
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
                                { for shown.iter().map(|(i, job)| html! {
                                    <JobRow index={*i} job={(*job).clone()} current={*i == at} selected={selected.contains(&job.id)}
                                            {can_review} busy={*busy} onpick={pick.clone()} ontoggle={toggle.clone()} onmark={mark.clone()} />
                                }) }
                            </tbody>
                        </table>
                    </div>
                    <PagerNav page={page + 1} total_pages={Some(pages)} has_prev={page > 0} has_next={page + 1 < pages}
                              onprev={to_page(page.saturating_sub(1))} onnext={to_page(page + 1)} />
                </>
            }
        }
    };

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
            { body }
            { for modal }
            { for help_modal }
        </section>
    }
}
