//! One Cartridge: its facts and edit form, Location log, Custody chain with
//! signatures (drawn on the pad or typed), the tape jobs on it, its audit
//! trail, and a delete that says first what goes with it.

use bc_api_types::{
    CustodyEvent, LocationKind, LogLocation, RecordCustody, Signature, TapeCascade, TapeStatus, TapeUpdate,
};
use yew::platform::spawn_local;
use yew::prelude::*;
use yew_router::prelude::*;

use super::audit_view::TapeAudit;
use super::form::{capacity, reset, set_val, tags, utc_day, utc_time, val};
use super::{generation_options, jobs_table, status_options, tape_flags};
use crate::api;
use crate::components::{ErrorView, Loading, Modal, SignaturePad, Time, signature_drawing};
use crate::hooks::use_fetch;
use crate::route::Route;
use crate::toast::use_notify;

#[derive(Properties, PartialEq)]
pub struct TapePageProps {
    pub id: AttrValue,
}

#[component]
pub fn TapePage(props: &TapePageProps) -> Html {
    let notify = use_notify();
    let navigator = use_navigator();
    let tick = use_state(|| 0u32);
    let data = use_fetch((props.id.to_string(), *tick), |(id, _)| async move { api::tapes::detail(&id).await });
    let busy = use_state(|| false);
    let pad = use_node_ref();
    let inked = use_state(|| false);
    let sign_mode = use_state(|| "drawn".to_string());
    let preview = use_state(|| None::<TapeCascade>);
    let id = props.id.to_string();
    {
        let loaded = data.data.as_ref().map(|d| d.summary.tape.clone());
        use_effect_with(loaded, move |t| {
            if let Some(t) = t {
                set_val("edit-status", t.status.as_str());
                set_val("edit-generation", &t.generation.to_string());
                set_val("edit-capacity", &t.capacity_gb.to_string());
                set_val("edit-tags", &t.tags.join(", "));
                set_val("edit-notes", &t.notes);
            }
        });
    }

    // Each write bumps the tick: the page and its audit trail load again.
    let done = {
        let tick = tick.clone();
        Callback::from(move |_: ()| tick.set(*tick + 1))
    };

    let save = {
        let (notify, done, busy, data, id) =
            (notify.clone(), done.clone(), busy.clone(), data.data.clone(), id.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let Some(d) = data.as_ref() else { return };
            let edit = TapeUpdate {
                generation: val("edit-generation").parse().unwrap_or(d.summary.tape.generation),
                capacity_gb: val("edit-capacity").trim().parse().unwrap_or(d.summary.tape.capacity_gb),
                tags: tags(&val("edit-tags")),
                status: TapeStatus::ALL
                    .into_iter()
                    .find(|s| s.as_str() == val("edit-status"))
                    .unwrap_or(d.summary.tape.status),
                notes: val("edit-notes"),
                version: d.summary.tape.version,
            };
            busy.set(true);
            let (notify, done, busy, id) = (notify.clone(), done.clone(), busy.clone(), id.clone());
            spawn_local(async move {
                match api::tapes::update(&id, &edit).await {
                    Ok(_) => {
                        notify.ok("Saved");
                        done.emit(());
                    }
                    Err(e) => notify.error(e),
                }
                busy.set(false);
            });
        })
    };

    let log_location = {
        let (notify, done, busy, data, id) =
            (notify.clone(), done.clone(), busy.clone(), data.data.clone(), id.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let Some(d) = data.as_ref() else { return };
            let req = LogLocation {
                kind: LocationKind::ALL
                    .into_iter()
                    .find(|k| k.as_str() == val("loc-kind"))
                    .unwrap_or(LocationKind::OnSite),
                place: val("loc-place"),
                custodian: val("loc-custodian"),
                provider: val("loc-provider"),
                at: utc_time(&val("loc-at")),
                return_due: utc_day(&val("loc-return")),
                notes: val("loc-notes"),
                version: d.summary.tape.version,
            };
            busy.set(true);
            let (notify, done, busy, id) = (notify.clone(), done.clone(), busy.clone(), id.clone());
            spawn_local(async move {
                match api::tapes::log_location(&id, &req).await {
                    Ok(l) => {
                        notify.ok(format!("Logged: {}", l.kind.label()));
                        reset(&["loc-place", "loc-custodian", "loc-provider", "loc-at", "loc-return", "loc-notes"]);
                        done.emit(());
                    }
                    Err(e) => notify.error(e),
                }
                busy.set(false);
            });
        })
    };

    let record_custody = {
        let (notify, done, busy, id, pad, inked, mode) =
            (notify.clone(), done.clone(), busy.clone(), id.clone(), pad.clone(), inked.clone(), sign_mode.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let signature = match mode.as_str() {
                "drawn" if *inked => match signature_drawing(&pad) {
                    Some(image) => Some(Signature::Drawn { image, signer: val("cus-signer") }),
                    None => {
                        notify.error("The drawing could not be read.");
                        return;
                    }
                },
                "drawn" => None,
                _ if val("cus-typed").trim().is_empty() => None,
                _ => Some(Signature::Typed { name: val("cus-typed") }),
            };
            let corrects = Some(val("cus-corrects")).filter(|c| !c.is_empty());
            let req = RecordCustody {
                from: val("cus-from"),
                to: val("cus-to"),
                at: utc_time(&val("cus-at")),
                reason: val("cus-reason"),
                signature,
                corrects,
                version: None,
            };
            busy.set(true);
            let (notify, done, busy, id, inked) =
                (notify.clone(), done.clone(), busy.clone(), id.clone(), inked.clone());
            spawn_local(async move {
                match api::tapes::record_custody(&id, &req).await {
                    Ok(ev) => {
                        let signed = if ev.signature.is_some() { "signed" } else { "unsigned" };
                        notify.ok(format!("Hand-off to {} recorded ({signed})", ev.to));
                        reset(&["cus-from", "cus-to", "cus-at", "cus-reason", "cus-signer", "cus-typed"]);
                        inked.set(false);
                        done.emit(());
                    }
                    Err(e) => notify.error(e),
                }
                busy.set(false);
            });
        })
    };

    let ask_delete = {
        let (notify, preview, id) = (notify.clone(), preview.clone(), id.clone());
        Callback::from(move |_: MouseEvent| {
            let (notify, preview, id) = (notify.clone(), preview.clone(), id.clone());
            spawn_local(async move {
                match api::tapes::delete_preview(&id).await {
                    Ok(p) => preview.set(Some(p)),
                    Err(e) => notify.error(e),
                }
            });
        })
    };
    let confirm_delete = {
        let (notify, preview, id, navigator) = (notify.clone(), preview.clone(), id.clone(), navigator.clone());
        Callback::from(move |_: MouseEvent| {
            let (notify, preview, id, navigator) = (notify.clone(), preview.clone(), id.clone(), navigator.clone());
            spawn_local(async move {
                match api::tapes::delete(&id).await {
                    Ok(c) => {
                        notify.ok(format!(
                            "Deleted {} with {} location(s), {} custody event(s) and {} job binding(s)",
                            c.barcode, c.locations, c.custody_events, c.job_bindings
                        ));
                        preview.set(None);
                        if let Some(n) = navigator {
                            n.push(&Route::Tapes);
                        }
                    }
                    Err(e) => notify.error(e),
                }
            });
        })
    };
    let close_preview = {
        let preview = preview.clone();
        Callback::from(move |_: ()| preview.set(None))
    };
    let oninked = {
        let inked = inked.clone();
        Callback::from(move |v: bool| inked.set(v))
    };
    let set_mode = |m: &'static str| {
        let sign_mode = sign_mode.clone();
        Callback::from(move |_: Event| sign_mode.set(m.to_string()))
    };

    let d = match (&data.data, &data.error) {
        (_, Some(e)) => {
            return html! { <section class="page"><ErrorView error={e.clone()} onretry={Some(data.reload.clone())} /></section> };
        }
        (None, None) => return html! { <section class="page"><Loading what="the tape" /></section> },
        (Some(d), None) => d.clone(),
    };
    let t = &d.summary.tape;
    html! {
        <section class="page" data-testid="tape-page">
            <div class="page-head">
                <h1>{ format!("Tape {}", t.barcode) }</h1>
                <div class="head-actions">
                    <Link<Route> to={Route::Tapes} classes="btn btn-ghost">{ "← Tapes" }</Link<Route>>
                    if d.can_delete {
                        <button class="btn btn-danger" onclick={ask_delete} data-testid="delete-tape">{ "Delete tape…" }</button>
                    }
                </div>
            </div>
            if let Some(p) = (*preview).clone() {
                <Modal title="Delete this tape?" onclose={close_preview.clone()}>
                    <p data-testid="delete-preview">{ format!(
                        "Deleting {} also deletes {} location(s) and {} custody event(s), and takes it out of {} tape job(s){}. Its audit entries stay.",
                        p.barcode, p.locations, p.custody_events, p.job_bindings,
                        if p.jobs.is_empty() { String::new() } else { format!(" ({})", p.jobs.join(", ")) }
                    ) }</p>
                    <div class="form-actions">
                        <button class="btn btn-danger" onclick={confirm_delete} data-testid="confirm-delete">{ "Delete" }</button>
                        <button class="btn" onclick={let c = close_preview.clone(); move |_| c.emit(())}>{ "Cancel" }</button>
                    </div>
                </Modal>
            }
            <div class="grid-2">
                <section class="card" aria-labelledby="tape-facts">
                    <h2 id="tape-facts" class="card-title">{ "Cartridge" }</h2>
                    <dl class="facts">
                        <dt>{ "Generation" }</dt><dd>{ format!("LTO-{}", t.generation) }</dd>
                        <dt>{ "Capacity" }</dt><dd>{ capacity(t.capacity_gb) }</dd>
                        <dt>{ "Status" }</dt><dd data-testid="tape-status">{ t.status.label() }</dd>
                        <dt>{ "Tags" }</dt><dd>{ t.tags.join(", ") }</dd>
                        <dt>{ "Location" }</dt>
                        <dd data-testid="current-location">{ t.location.as_ref().map(|l| {
                            let mut s = l.kind.label().to_string();
                            if !l.place.is_empty() { s.push_str(&format!(" — {}", l.place)); }
                            if !l.custodian.is_empty() { s.push_str(&format!(" ({})", l.custodian)); }
                            s
                        }).unwrap_or_else(|| "Not logged".into()) }</dd>
                        if let Some(due) = t.location.as_ref().and_then(|l| l.return_due) { <dt>{ "Return due" }</dt><dd><Time at={due} /></dd> }
                        <dt>{ "Notes" }</dt><dd>{ &t.notes }</dd>
                        <dt>{ "Registered" }</dt><dd><Time at={t.created_at} />{ format!(" by {}", t.created_by) }</dd>
                    </dl>
                    { tape_flags(&d.summary) }
                </section>
                if d.can_write {
                    <section class="card" aria-labelledby="tape-edit">
                        <h2 id="tape-edit" class="card-title">{ "Edit" }</h2>
                        <form class="form-grid" onsubmit={save}>
                            <div class="field"><label for="edit-status">{ "Status" }</label><select id="edit-status">{ status_options(TapeStatus::Empty) }</select></div>
                            <div class="field"><label for="edit-generation">{ "Generation" }</label><select id="edit-generation">{ generation_options(8) }</select></div>
                            <div class="field"><label for="edit-capacity">{ "Capacity (GB)" }</label><input id="edit-capacity" type="number" min="1" /></div>
                            <div class="field"><label for="edit-tags">{ "Tags" }</label><input id="edit-tags" type="text" /></div>
                            <div class="field field-wide"><label for="edit-notes">{ "Notes" }</label><input id="edit-notes" type="text" /></div>
                            <div class="form-actions"><button class="btn btn-primary" type="submit" disabled={*busy}>{ "Save" }</button></div>
                        </form>
                    </section>
                }
            </div>
            if d.can_write {
                <div class="grid-2">
                    <section class="card" aria-labelledby="tape-log-location">
                        <h2 id="tape-log-location" class="card-title">{ "Log location" }</h2>
                        <form class="form-grid" onsubmit={log_location} data-testid="log-location">
                            <div class="field"><label for="loc-kind">{ "Where" }</label>
                                <select id="loc-kind">{ for LocationKind::ALL.iter().map(|k| html! { <option value={k.as_str()} selected={*k == LocationKind::OnSite}>{ k.label() }</option> }) }</select></div>
                            <div class="field"><label for="loc-place">{ "Shelf or locker" }</label><input id="loc-place" type="text" maxlength="200" /></div>
                            <div class="field"><label for="loc-custodian">{ "Custodian" }</label><input id="loc-custodian" type="text" maxlength="200" /></div>
                            <div class="field"><label for="loc-provider">{ "Service provider" }</label><input id="loc-provider" type="text" maxlength="200" /></div>
                            <div class="field"><label for="loc-at">{ "Since (UTC; default now)" }</label><input id="loc-at" type="datetime-local" /></div>
                            <div class="field"><label for="loc-return">{ "Return due (off-site)" }</label><input id="loc-return" type="date" /></div>
                            <div class="field field-wide"><label for="loc-notes">{ "Notes" }</label><input id="loc-notes" type="text" maxlength="2000" /></div>
                            <div class="form-actions"><button class="btn btn-primary" type="submit" disabled={*busy} data-testid="log-location-submit">{ "Log location" }</button></div>
                        </form>
                    </section>
                    <section class="card" aria-labelledby="tape-custody-form">
                        <h2 id="tape-custody-form" class="card-title">{ "Record custody hand-off" }</h2>
                        <form class="form-grid" onsubmit={record_custody} data-testid="record-custody">
                            <div class="field"><label for="cus-from">{ "From" }</label><input id="cus-from" type="text" maxlength="100" required=true /></div>
                            <div class="field"><label for="cus-to">{ "To (receiving person)" }</label><input id="cus-to" type="text" maxlength="100" required=true /></div>
                            <div class="field"><label for="cus-at">{ "When (UTC; default now)" }</label><input id="cus-at" type="datetime-local" /></div>
                            <div class="field"><label for="cus-reason">{ "Reason" }</label><input id="cus-reason" type="text" maxlength="500" /></div>
                            <div class="field field-wide"><label for="cus-corrects">{ "Corrects an earlier event (optional)" }</label>
                                <select id="cus-corrects">
                                    <option value="" selected=true>{ "—" }</option>
                                    { for d.custody.iter().map(|c| html! { <option value={c.id.clone()} selected=false>{ format!("{} → {} ({})", c.from, c.to, c.at.format("%Y-%m-%d %H:%M")) }</option> }) }
                                </select></div>
                            <fieldset class="field field-wide">
                                <legend>{ "Signature of the receiving person" }</legend>
                                <label class="check"><input type="radio" name="cus-mode" checked={*sign_mode == "drawn"} onchange={set_mode("drawn")} data-testid="sign-drawn" />{ " Draw" }</label>
                                <label class="check"><input type="radio" name="cus-mode" checked={*sign_mode == "typed"} onchange={set_mode("typed")} data-testid="sign-typed" />{ " Type the name" }</label>
                                if *sign_mode == "drawn" {
                                    <SignaturePad key={format!("pad-{}", *tick)} canvas={pad.clone()} oninked={oninked} />
                                    <div class="field"><label for="cus-signer">{ "Signer's name" }</label><input id="cus-signer" type="text" maxlength="100" /></div>
                                } else {
                                    <div class="field"><label for="cus-typed">{ "Typed signature (full name)" }</label><input id="cus-typed" type="text" maxlength="100" /></div>
                                }
                                <p class="hint">{ "A signed hand-off cannot be edited afterwards; record a correcting one instead." }</p>
                            </fieldset>
                            <div class="form-actions"><button class="btn btn-primary" type="submit" disabled={*busy} data-testid="record-custody-submit">{ "Record hand-off" }</button></div>
                        </form>
                    </section>
                </div>
            }
            <section class="card" aria-labelledby="tape-locations">
                <h2 id="tape-locations" class="card-title">{ "Locations" }</h2>
                if d.locations.is_empty() { <p class="muted">{ "None logged." }</p> } else {
                    <div class="table-wrap"><table class="table" data-testid="locations-table">
                        <thead><tr><th scope="col">{ "Since" }</th><th scope="col">{ "Where" }</th><th scope="col">{ "Shelf / locker" }</th>
                            <th scope="col">{ "Custodian" }</th><th scope="col" class="hide-narrow">{ "Provider" }</th><th scope="col">{ "Return due" }</th><th scope="col">{ "" }</th></tr></thead>
                        <tbody>{ for d.locations.iter().map(|l| html! {
                            <tr data-kind={l.kind.as_str()} data-current={l.current.to_string()}>
                                <td><Time at={l.at} /></td><td>{ l.kind.label() }</td><td>{ &l.place }</td><td>{ &l.custodian }</td>
                                <td class="hide-narrow">{ &l.provider }</td>
                                <td>{ l.return_due.map(|d| html! { <Time at={d} /> }).unwrap_or_default() }</td>
                                <td>if l.current { <span class="badge badge-success">{ "current" }</span> }</td>
                            </tr>
                        }) }</tbody>
                    </table></div>
                }
            </section>
            <section class="card" aria-labelledby="tape-custody">
                <h2 id="tape-custody" class="card-title">{ "Custody chain" }</h2>
                if d.custody.is_empty() { <p class="muted">{ "No hand-offs recorded." }</p> } else {
                    <div class="table-wrap"><table class="table" data-testid="custody-table">
                        <thead><tr><th scope="col">{ "When" }</th><th scope="col">{ "From" }</th><th scope="col">{ "To" }</th>
                            <th scope="col">{ "Reason" }</th><th scope="col">{ "Signature" }</th></tr></thead>
                        <tbody>{ for d.custody.iter().map(custody_row) }</tbody>
                    </table></div>
                }
            </section>
            <section class="card" aria-labelledby="tape-jobs">
                <h2 id="tape-jobs" class="card-title">{ "Tape jobs on this cartridge" }</h2>
                { jobs_table(&d.jobs) }
            </section>
            <TapeAudit entity_type="tape" id={props.id.clone()} tick={*tick} />
        </section>
    }
}

fn custody_row(c: &CustodyEvent) -> Html {
    let signature = match &c.signature {
        Some(Signature::Drawn { image, signer }) => html! {
            <figure class="signature">
                <img src={image.clone()} alt={format!("Signature of {signer}")} width="200" height="75" data-testid="signature-image" />
                <figcaption class="small">{ signer }</figcaption>
            </figure>
        },
        Some(Signature::Typed { name }) => {
            html! { <span data-testid="signature-typed">{ format!("/s/ {name}") }</span> }
        }
        None => html! { <span class="muted">{ "unsigned" }</span> },
    };
    html! {
        <tr data-signed={c.signature.is_some().to_string()}>
            <td><Time at={c.at} /></td><td>{ &c.from }</td><td>{ &c.to }</td>
            <td>{ &c.reason }{ if c.corrects.is_some() { " (correction)" } else { "" } }</td>
            <td>{ signature }</td>
        </tr>
    }
}
