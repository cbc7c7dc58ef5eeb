//! One tape job: its facts, an edit form (retention recalculates the
//! expiry), the Cartridges in spanning order with controls to reorder,
//! add and remove them, its audit trail, and a delete of the job alone.

use bc_api_types::{TapeJobInput, Verification};
use yew::platform::spawn_local;
use yew::prelude::*;
use yew_router::prelude::*;

use super::audit_view::TapeAudit;
use super::form::{set_val, utc_time, val};
use super::verification_label;
use crate::api;
use crate::components::{ConfirmButton, ErrorView, Loading, Time};
use crate::format;
use crate::hooks::use_fetch;
use crate::route::Route;
use crate::toast::use_notify;

#[derive(Properties, PartialEq)]
pub struct TapeJobPageProps {
    pub id: AttrValue,
}

#[component]
pub fn TapeJobPage(props: &TapeJobPageProps) -> Html {
    let notify = use_notify();
    let navigator = use_navigator();
    let tick = use_state(|| 0u32);
    let data = use_fetch((props.id.to_string(), *tick), |(id, _)| async move {
        let detail = api::tapes::job(&id).await?;
        let all = api::tapes::overview().await?;
        Ok((detail, all.tapes.into_iter().map(|t| (t.tape.id, t.tape.barcode)).collect::<Vec<_>>()))
    });
    // The spanning order being edited: (tape id, barcode).
    let order = use_state(Vec::<(String, String)>::new);
    let busy = use_state(|| false);
    {
        let order = order.clone();
        let loaded = data.data.as_ref().map(|d| d.0.clone());
        use_effect_with(loaded, move |d| {
            if let Some(d) = d {
                order.set(d.tapes.iter().map(|t| (t.id.clone(), t.barcode.clone())).collect());
                let j = &d.summary.job;
                set_val("tj-name", &j.name);
                set_val("tj-date", &j.job_date.format("%Y-%m-%dT%H:%M").to_string());
                set_val("tj-retention", &j.retention_days.to_string());
                set_val("tj-files", &j.total_files.to_string());
                set_val("tj-verification", j.verification.as_str());
                set_val("tj-source", &j.source_system);
                set_val("tj-technician", &j.technician);
            }
        });
    }
    let id = props.id.to_string();

    let save = {
        let (notify, busy, tick, order, data, id) =
            (notify.clone(), busy.clone(), tick.clone(), order.clone(), data.data.clone(), id.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let Some(d) = data.as_ref() else { return };
            let j = &d.0.summary.job;
            let input = TapeJobInput {
                name: val("tj-name"),
                job_date: utc_time(&val("tj-date")).unwrap_or(j.job_date),
                retention_days: val("tj-retention").trim().parse().unwrap_or(j.retention_days),
                total_files: val("tj-files").trim().parse().unwrap_or(j.total_files),
                total_bytes: j.total_bytes,
                verification: Verification::ALL
                    .into_iter()
                    .find(|v| v.as_str() == val("tj-verification"))
                    .unwrap_or(j.verification),
                source_system: val("tj-source"),
                technician: val("tj-technician"),
                tape_ids: order.iter().map(|(id, _)| id.clone()).collect(),
                version: Some(j.version),
            };
            busy.set(true);
            let (notify, busy, tick, id) = (notify.clone(), busy.clone(), tick.clone(), id.clone());
            spawn_local(async move {
                match api::tapes::update_job(&id, &input).await {
                    Ok(j) => {
                        notify.ok(format!("Saved; expires {}", j.expires_at.format("%Y-%m-%d")));
                        tick.set(*tick + 1);
                    }
                    Err(e) => notify.error(e),
                }
                busy.set(false);
            });
        })
    };
    let delete = {
        let (notify, navigator, id) = (notify.clone(), navigator.clone(), id.clone());
        Callback::from(move |_: ()| {
            let (notify, navigator, id) = (notify.clone(), navigator.clone(), id.clone());
            spawn_local(async move {
                match api::tapes::delete_job(&id).await {
                    Ok(c) => {
                        notify.ok(format!(
                            "Deleted tape job {} and its {} tape binding(s); the tapes stay",
                            c.name, c.job_bindings
                        ));
                        if let Some(n) = navigator {
                            n.push(&Route::Tapes);
                        }
                    }
                    Err(e) => notify.error(e),
                }
            });
        })
    };
    let mover = |i: usize, delta: isize| {
        let order = order.clone();
        Callback::from(move |_: MouseEvent| {
            let mut v = (*order).clone();
            let j = i as isize + delta;
            if j >= 0 && (j as usize) < v.len() {
                v.swap(i, j as usize);
                order.set(v);
            }
        })
    };
    let remover = |i: usize| {
        let order = order.clone();
        Callback::from(move |_: MouseEvent| {
            let mut v = (*order).clone();
            if v.len() > 1 {
                v.remove(i);
                order.set(v);
            }
        })
    };
    let add = {
        let (order, data) = (order.clone(), data.data.clone());
        Callback::from(move |e: Event| {
            let value = val("tj-add");
            let Some(d) = data.as_ref() else { return };
            if let Some((id, barcode)) = d.1.iter().find(|(id, _)| *id == value) {
                let mut v = (*order).clone();
                if !v.iter().any(|(x, _)| x == id) {
                    v.push((id.clone(), barcode.clone()));
                    order.set(v);
                }
            }
            if let Some(t) = e.target_dyn_into::<web_sys::HtmlSelectElement>() {
                t.set_value("");
            }
        })
    };

    let (d, all) = match (&data.data, &data.error) {
        (_, Some(e)) => {
            return html! { <section class="page"><ErrorView error={e.clone()} onretry={Some(data.reload.clone())} /></section> };
        }
        (None, None) => return html! { <section class="page"><Loading what="the tape job" /></section> },
        (Some(d), None) => (d.0.clone(), d.1.clone()),
    };
    let j = &d.summary.job;
    let n = order.len();
    html! {
        <section class="page" data-testid="tape-job-page">
            <div class="page-head">
                <h1>{ format!("Tape job {}", j.name) }</h1>
                <div class="head-actions">
                    <Link<Route> to={Route::Tapes} classes="btn btn-ghost">{ "← Tapes" }</Link<Route>>
                    if d.can_delete {
                        <ConfirmButton label="Delete job" confirm="Delete this job and its tape bindings? The tapes stay." onconfirm={delete} />
                    }
                </div>
            </div>
            <section class="card" aria-labelledby="tj-facts">
                <h2 id="tj-facts" class="card-title">{ "Job" }</h2>
                <dl class="facts">
                    <dt>{ "Job date" }</dt><dd><Time at={j.job_date} /></dd>
                    <dt>{ "Retention" }</dt><dd>{ format!("{} days", j.retention_days) }</dd>
                    <dt>{ "Expires" }</dt><dd data-testid="job-expires"><Time at={j.expires_at} />{ if d.summary.expired { " (expired)" } else { "" } }</dd>
                    <dt>{ "Files" }</dt><dd>{ j.total_files }</dd>
                    <dt>{ "Size" }</dt><dd>{ format::bytes(j.total_bytes) }</dd>
                    <dt>{ "Verification" }</dt><dd>{ verification_label(j.verification) }</dd>
                    <dt>{ "Source system" }</dt><dd>{ &j.source_system }</dd>
                    <dt>{ "Technician" }</dt><dd>{ &j.technician }</dd>
                    <dt>{ "Tapes" }</dt><dd data-testid="job-barcodes">{ d.summary.barcodes.join(" → ") }</dd>
                </dl>
            </section>
            if d.can_write {
                <section class="card" aria-labelledby="tj-edit">
                    <h2 id="tj-edit" class="card-title">{ "Edit job and spanning order" }</h2>
                    <form class="form-grid" onsubmit={save} data-testid="edit-job">
                        <div class="field"><label for="tj-name">{ "Name" }</label><input id="tj-name" type="text" /></div>
                        <div class="field"><label for="tj-date">{ "Job date (UTC)" }</label><input id="tj-date" type="datetime-local" /></div>
                        <div class="field"><label for="tj-retention">{ "Retention (days)" }</label><input id="tj-retention" type="number" min="0" max="36500" /></div>
                        <div class="field"><label for="tj-files">{ "Total files" }</label><input id="tj-files" type="number" min="0" /></div>
                        <div class="field"><label for="tj-verification">{ "Verification" }</label>
                            <select id="tj-verification">{ for Verification::ALL.iter().map(|v| html! { <option value={v.as_str()} selected={*v == j.verification}>{ verification_label(*v) }</option> }) }</select></div>
                        <div class="field"><label for="tj-source">{ "Source system" }</label><input id="tj-source" type="text" /></div>
                        <div class="field"><label for="tj-technician">{ "Technician" }</label><input id="tj-technician" type="text" /></div>
                        <fieldset class="field field-wide">
                            <legend>{ "Tapes in spanning order" }</legend>
                            <ol data-testid="span-order">
                                { for order.iter().enumerate().map(|(i, (_, barcode))| html! {
                                    <li data-barcode={barcode.clone()}>
                                        { barcode }{ " " }
                                        <button type="button" class="btn btn-small" disabled={i == 0} onclick={mover(i, -1)}
                                                aria-label={format!("Move {barcode} up")} data-testid="move-up">{ "↑" }</button>
                                        <button type="button" class="btn btn-small" disabled={i + 1 == n} onclick={mover(i, 1)}
                                                aria-label={format!("Move {barcode} down")} data-testid="move-down">{ "↓" }</button>
                                        <button type="button" class="btn btn-small" disabled={n == 1} onclick={remover(i)}
                                                aria-label={format!("Remove {barcode}")}>{ "✕" }</button>
                                    </li>
                                }) }
                            </ol>
                            <label for="tj-add">{ "Add a tape " }</label>
                            <select id="tj-add" onchange={add}>
                                <option value="" selected=true>{ "—" }</option>
                                { for all.iter().filter(|(id, _)| !order.iter().any(|(x, _)| x == id)).map(|(id, b)| html! { <option value={id.clone()} selected=false>{ b }</option> }) }
                            </select>
                        </fieldset>
                        <div class="form-actions"><button class="btn btn-primary" type="submit" disabled={*busy} data-testid="save-job">{ "Save" }</button></div>
                    </form>
                </section>
            }
            <TapeAudit entity_type="tape_job" id={props.id.clone()} tick={*tick} />
        </section>
    }
}
