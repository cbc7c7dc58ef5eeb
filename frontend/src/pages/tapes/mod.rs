//! LTO tapes: the overview (totals, status and location distribution, quick
//! actions for those who may write, the Cartridges and recent tape jobs),
//! a Cartridge's detail ([`tape`]) and a tape job's ([`job`]).
//!
//! Every `<option>` list marks its default `selected`: Yew inserts children
//! last first, and a select whose options carry no `selected` ends up
//! showing its last option.

mod audit_view;
mod form;
mod job;
mod tape;

pub use job::TapeJobPage;
pub use tape::TapePage;

use bc_api_types::{
    LocationKind, RegisterTapes, TapeJobInput, TapeJobSummary, TapeStatus, TapeSummary, TapesOverview, Verification,
};
use yew::platform::spawn_local;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::api;
use crate::components::{ErrorView, Loading, Time};
use crate::format;
use crate::hooks::use_fetch;
use crate::route::Route;
use crate::toast::use_notify;
use form::{capacity, checked, reset, tags, utc_time, val};

pub(crate) fn status_options(selected: TapeStatus) -> Html {
    html! { <>{ for TapeStatus::ALL.iter().map(|s| html! {
        <option value={s.as_str()} selected={*s == selected}>{ s.label() }</option>
    }) }</> }
}

pub(crate) fn generation_options(selected: u8) -> Html {
    html! { <>{ for (1..=10u8).map(|g| html! { <option value={g.to_string()} selected={g == selected}>{ format!("LTO-{g}") }</option> }) }</> }
}

pub(crate) fn location_label(key: &str) -> &'static str {
    LocationKind::ALL.iter().find(|k| k.as_str() == key).map_or("Not logged", |k| k.label())
}

pub(crate) fn status_label(key: &str) -> &'static str {
    TapeStatus::ALL.iter().find(|k| k.as_str() == key).map_or("?", |k| k.label())
}

pub(crate) fn verification_label(v: Verification) -> &'static str {
    match v {
        Verification::NotVerified => "Not verified",
        Verification::Passed => "Passed",
        Verification::Failed => "Failed",
    }
}

pub(crate) fn tape_flags(t: &TapeSummary) -> Html {
    html! {
        <>
            if t.reusable { <span class="badge badge-success" title="every job on it has expired">{ "Reusable" }</span> }
            if t.overdue { <span class="badge badge-failed" title="off-site past its return date">{ "Overdue" }</span> }
        </>
    }
}

pub(crate) fn jobs_table(jobs: &[TapeJobSummary]) -> Html {
    if jobs.is_empty() {
        return html! { <p class="muted">{ "No tape jobs." }</p> };
    }
    html! {
        <div class="table-wrap">
            <table class="table tape-jobs">
                <thead><tr>
                    <th scope="col">{ "Job" }</th><th scope="col">{ "Date" }</th><th scope="col">{ "Expires" }</th>
                    <th scope="col">{ "Tapes (spanning order)" }</th><th scope="col" class="hide-narrow">{ "Size" }</th>
                    <th scope="col" class="hide-narrow">{ "Verification" }</th>
                </tr></thead>
                <tbody>
                    { for jobs.iter().map(|j| html! {
                        <tr data-job-id={j.job.id.clone()}>
                            <td><Link<Route> to={Route::TapeJob { id: j.job.id.clone() }}>{ &j.job.name }</Link<Route>></td>
                            <td><Time at={j.job.job_date} /></td>
                            <td>
                                <Time at={j.job.expires_at} />
                                if j.expired { <span class="badge">{ "expired" }</span> }
                            </td>
                            <td data-testid="job-barcodes">{ j.barcodes.join(" → ") }</td>
                            <td class="hide-narrow">{ format::bytes(j.job.total_bytes) }</td>
                            <td class="hide-narrow">{ verification_label(j.job.verification) }</td>
                        </tr>
                    }) }
                </tbody>
            </table>
        </div>
    }
}

#[component]
pub fn TapesPage() -> Html {
    let notify = use_notify();
    let data = use_fetch((), |_| async { api::tapes::overview().await });
    let busy = use_state(|| false);
    let file = use_node_ref();

    let register = {
        let (notify, reload, busy) = (notify.clone(), data.reload.clone(), busy.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let generation: u8 = val("tape-generation").parse().unwrap_or(8);
            let count = val("tape-count").trim().parse::<u32>().ok();
            let capacity_gb = val("tape-capacity").trim().parse::<u64>().ok();
            let req = RegisterTapes {
                barcode: val("tape-barcode"),
                count,
                generation,
                capacity_gb,
                status: TapeStatus::ALL.into_iter().find(|s| s.as_str() == val("tape-status")),
                tags: tags(&val("tape-tags")),
                notes: val("tape-notes"),
            };
            if req.barcode.trim().is_empty() {
                notify.error("Enter the barcode of the (first) tape.");
                return;
            }
            busy.set(true);
            let (notify, reload, busy) = (notify.clone(), reload.clone(), busy.clone());
            spawn_local(async move {
                match api::tapes::register(&req).await {
                    Ok(r) => {
                        let names: Vec<&str> = r.tapes.iter().map(|t| t.barcode.as_str()).collect();
                        notify.ok(format!("Registered {}", names.join(", ")));
                        for w in r.warnings {
                            notify.error(format!("Note: {w}"));
                        }
                        reset(&["tape-barcode", "tape-count", "tape-capacity", "tape-tags", "tape-notes"]);
                        reload.emit(());
                    }
                    Err(e) => notify.error(e),
                }
                busy.set(false);
            });
        })
    };

    let log_job = {
        let (notify, reload, busy, data) = (notify.clone(), data.reload.clone(), busy.clone(), data.data.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let tape_ids: Vec<String> = data
                .as_ref()
                .map(|d| {
                    d.tapes
                        .iter()
                        .filter(|t| checked(&format!("job-tape-{}", t.tape.id)))
                        .map(|t| t.tape.id.clone())
                        .collect()
                })
                .unwrap_or_default();
            let Some(job_date) = utc_time(&val("job-date")) else {
                notify.error("Enter the job's date and time.");
                return;
            };
            let input = TapeJobInput {
                name: val("job-name"),
                job_date,
                retention_days: val("job-retention").trim().parse().unwrap_or(0),
                total_files: val("job-files").trim().parse().unwrap_or(0),
                total_bytes: (val("job-size-gb").trim().parse::<f64>().unwrap_or(0.0) * 1e9) as u64,
                verification: Verification::ALL
                    .into_iter()
                    .find(|v| v.as_str() == val("job-verification"))
                    .unwrap_or_default(),
                source_system: val("job-source"),
                technician: val("job-technician"),
                tape_ids,
                version: None,
            };
            busy.set(true);
            let (notify, reload, busy) = (notify.clone(), reload.clone(), busy.clone());
            spawn_local(async move {
                match api::tapes::create_job(&input).await {
                    Ok(j) => {
                        notify.ok(format!("Logged tape job {} on {} tape(s)", j.name, j.tape_ids.len()));
                        reset(&["job-name", "job-files", "job-size-gb", "job-source", "job-technician"]);
                        reload.emit(());
                    }
                    Err(e) => notify.error(e),
                }
                busy.set(false);
            });
        })
    };

    let import = {
        let (n, reload) = (notify.clone(), data.reload.clone());
        crate::components::on_text_file(&file, &notify, move |text| {
            let (notify, reload) = (n.clone(), reload.clone());
            async move {
                match api::tapes::import_csv(text).await {
                    Ok(r) => {
                        notify.ok(format!("Imported {} tape(s)", r.tapes.len()));
                        reload.emit(());
                    }
                    // Checked whole first: with any error nothing was imported.
                    Err(e) => notify.error(format!("Nothing imported: {e}")),
                }
            }
        })
    };

    let body = match (&data.data, &data.error) {
        (_, Some(e)) => html! { <ErrorView error={e.clone()} onretry={Some(data.reload.clone())} /> },
        (None, None) => html! { <Loading what="tapes" /> },
        (Some(d), None) => overview(d, &register, &log_job, *busy),
    };
    let can_write = data.data.as_ref().is_some_and(|d| d.can_write);
    html! {
        <section class="page">
            <div class="page-head">
                <h1>{ "Tapes" }</h1>
                <div class="head-actions">
                    <a class="btn" href={api::tapes::export_url()} download="tapes.csv">{ "Export CSV" }</a>
                    if can_write {
                        <label class="btn file-button">
                            { "Import CSV" }
                            <input ref={file} type="file" accept=".csv,text/csv" class="sr-only" onchange={import} />
                        </label>
                    }
                </div>
            </div>
            { body }
        </section>
    }
}

fn overview(d: &TapesOverview, register: &Callback<SubmitEvent>, log_job: &Callback<SubmitEvent>, busy: bool) -> Html {
    let dist = |items: &[bc_api_types::CountBy], label: fn(&str) -> &'static str| {
        html! { <>{ for items.iter().filter(|c| c.count > 0).map(|c| html! {
            <li data-key={c.key.clone()}>{ format!("{}: {}", label(&c.key), c.count) }</li>
        }) }</> }
    };
    html! {
        <>
            <div class="grid-2">
                <section class="card" aria-labelledby="tapes-summary">
                    <h2 id="tapes-summary" class="card-title">{ "Summary" }</h2>
                    <dl class="facts">
                        <dt>{ "Tapes" }</dt><dd data-testid="total-tapes">{ d.total_tapes }</dd>
                        <dt>{ "Tape jobs" }</dt><dd data-testid="total-jobs">{ d.total_jobs }</dd>
                        <dt>{ "By status" }</dt><dd><ul class="plain-list">{ dist(&d.by_status, status_label) }</ul></dd>
                        <dt>{ "By location" }</dt><dd><ul class="plain-list" data-testid="by-location">{ dist(&d.by_location, location_label) }</ul></dd>
                    </dl>
                </section>
                if d.can_write {
                    <section class="card" aria-labelledby="tapes-register">
                        <h2 id="tapes-register" class="card-title">{ "Register tape cartridges" }</h2>
                        <form class="form-grid" onsubmit={register.clone()} data-testid="register-tapes">
                            <div class="field"><label for="tape-barcode">{ "Barcode (first of a box)" }</label>
                                <input id="tape-barcode" type="text" maxlength="32" placeholder="ABC100L8" required=true /></div>
                            <div class="field"><label for="tape-count">{ "How many (1–40)" }</label>
                                <input id="tape-count" type="number" min="1" max="40" placeholder="1" /></div>
                            <div class="field"><label for="tape-generation">{ "Generation" }</label>
                                <select id="tape-generation">{ generation_options(8) }</select></div>
                            <div class="field"><label for="tape-capacity">{ "Capacity in GB (default: native)" }</label>
                                <input id="tape-capacity" type="number" min="1" /></div>
                            <div class="field"><label for="tape-status">{ "Status" }</label>
                                <select id="tape-status">{ status_options(TapeStatus::Empty) }</select></div>
                            <div class="field"><label for="tape-tags">{ "Tags (comma separated)" }</label>
                                <input id="tape-tags" type="text" placeholder="weekly, fs01" /></div>
                            <div class="field field-wide"><label for="tape-notes">{ "Notes" }</label>
                                <input id="tape-notes" type="text" maxlength="2000" /></div>
                            <div class="form-actions"><button class="btn btn-primary" type="submit" disabled={busy} data-testid="register-submit">{ "Register" }</button></div>
                        </form>
                    </section>
                }
            </div>
            if d.can_write && !d.tapes.is_empty() {
                <section class="card" aria-labelledby="tapes-log-job">
                    <h2 id="tapes-log-job" class="card-title">{ "Log a tape job" }</h2>
                    <form class="form-grid" onsubmit={log_job.clone()} data-testid="log-job">
                        <div class="field"><label for="job-name">{ "Name" }</label><input id="job-name" type="text" maxlength="200" required=true /></div>
                        <div class="field"><label for="job-date">{ "Job date (UTC)" }</label><input id="job-date" type="datetime-local" required=true /></div>
                        <div class="field"><label for="job-retention">{ "Retention (days)" }</label><input id="job-retention" type="number" min="0" max="36500" value="30" /></div>
                        <div class="field"><label for="job-files">{ "Total files" }</label><input id="job-files" type="number" min="0" /></div>
                        <div class="field"><label for="job-size-gb">{ "Total size (GB)" }</label><input id="job-size-gb" type="number" min="0" step="any" /></div>
                        <div class="field"><label for="job-verification">{ "Verification" }</label>
                            <select id="job-verification">{ for Verification::ALL.iter().map(|v| html! { <option value={v.as_str()} selected={*v == Verification::NotVerified}>{ verification_label(*v) }</option> }) }</select></div>
                        <div class="field"><label for="job-source">{ "Source system" }</label><input id="job-source" type="text" maxlength="200" /></div>
                        <div class="field"><label for="job-technician">{ "Technician" }</label><input id="job-technician" type="text" maxlength="200" /></div>
                        <fieldset class="field field-wide">
                            <legend>{ "Tapes (in barcode order; change the spanning order on the job's page)" }</legend>
                            { for d.tapes.iter().map(|t| html! {
                                <label class="check">
                                    <input type="checkbox" id={format!("job-tape-{}", t.tape.id)} data-barcode={t.tape.barcode.clone()} />
                                    { format!(" {}", t.tape.barcode) }
                                </label>
                            }) }
                        </fieldset>
                        <div class="form-actions"><button class="btn btn-primary" type="submit" disabled={busy} data-testid="log-job-submit">{ "Log job" }</button></div>
                    </form>
                </section>
            }
            <section class="card" aria-labelledby="tapes-list">
                <h2 id="tapes-list" class="card-title">{ "Cartridges" }</h2>
                if d.tapes.is_empty() {
                    <p class="muted">{ "No tapes registered yet." }</p>
                } else {
                    <div class="table-wrap">
                        <table class="table tapes" data-testid="tapes-table">
                            <thead><tr>
                                <th scope="col">{ "Barcode" }</th><th scope="col">{ "Generation" }</th>
                                <th scope="col" class="hide-narrow">{ "Capacity" }</th><th scope="col">{ "Status" }</th>
                                <th scope="col">{ "Location" }</th><th scope="col">{ "Jobs" }</th><th scope="col">{ "" }</th>
                            </tr></thead>
                            <tbody>
                                { for d.tapes.iter().map(|t| html! {
                                    <tr data-barcode={t.tape.barcode.clone()}>
                                        <td><Link<Route> to={Route::Tape { id: t.tape.id.clone() }}>{ &t.tape.barcode }</Link<Route>></td>
                                        <td>{ format!("LTO-{}", t.tape.generation) }</td>
                                        <td class="hide-narrow">{ capacity(t.tape.capacity_gb) }</td>
                                        <td>{ t.tape.status.label() }</td>
                                        <td>{ t.tape.location.as_ref().map(|l| format!("{} {}", l.kind.label(), l.place)).unwrap_or_else(|| "—".into()) }</td>
                                        <td>{ t.jobs }</td>
                                        <td>{ tape_flags(t) }</td>
                                    </tr>
                                }) }
                            </tbody>
                        </table>
                    </div>
                }
            </section>
            <section class="card" aria-labelledby="tapes-jobs">
                <h2 id="tapes-jobs" class="card-title">{ "Recent tape jobs" }</h2>
                { jobs_table(&d.recent_jobs) }
            </section>
        </>
    }
}
