//! A job's schedule on its page (operators and admins): keep the learned
//! schedule, or set a cron expression with a time zone, an interval, or
//! "no schedule" (ad-hoc, never missed), with a grace period; and pause
//! expectations with a maintenance window (listed, removable).

use bc_api_types::{Job, MaintenanceWindowBody, Permission, ScheduleBody, ScheduleSpec};
use chrono::{NaiveDateTime, TimeZone, Utc};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::api;
use crate::components::{ConfirmButton, Time};
use crate::hooks::use_fetch;
use crate::session::use_session;
use crate::toast::use_notify;

#[derive(Properties, PartialEq)]
pub struct ScheduleCardProps {
    pub job: Job,
    pub onchange: Callback<()>,
}

fn value(r: &NodeRef) -> String {
    r.cast::<HtmlInputElement>()
        .map(|e| e.value())
        .or_else(|| r.cast::<HtmlSelectElement>().map(|e| e.value()))
        .unwrap_or_default()
}

/// `datetime-local` input (the browser's local time) to UTC.
fn local_to_utc(v: &str) -> Option<chrono::DateTime<Utc>> {
    let naive = NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M").ok()?;
    let offset_min = -(js_sys::Date::new_0().get_timezone_offset() as i64);
    Some(Utc.from_utc_datetime(&(naive - chrono::Duration::minutes(offset_min))))
}

#[component]
pub fn ScheduleCard(props: &ScheduleCardProps) -> Html {
    let session = use_session();
    let notify = use_notify();
    let current = props.job.schedule.as_ref().and_then(|s| s.explicit.clone());
    let initial = match &current {
        Some(ScheduleSpec::Cron { .. }) => "cron",
        Some(ScheduleSpec::Interval { .. }) => "interval",
        Some(ScheduleSpec::None) => "none",
        None => "learned",
    };
    let kind = use_state(|| initial.to_string());
    let refs: Vec<NodeRef> = (0..8).map(|_| NodeRef::default()).collect();
    let refs = use_memo((), move |_| refs);
    // 0 cron, 1 time zone, 2 interval, 3 grace, 4 from, 5 until, 6 reason
    let job_id = props.job.id.clone();
    let windows = use_fetch(job_id.clone(), |_| async { api::schedules::windows().await });
    if !session.can(Permission::ManageSchedules) {
        return html! {};
    }
    let on_kind = {
        let kind = kind.clone();
        Callback::from(move |e: Event| kind.set(e.target_unchecked_into::<HtmlSelectElement>().value()))
    };
    let save = {
        let (kind, refs, notify, onchange, id) =
            (kind.clone(), refs.clone(), notify.clone(), props.onchange.clone(), job_id.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let spec = match kind.as_str() {
                "cron" => Some(ScheduleSpec::Cron {
                    expression: value(&refs[0]).trim().to_string(),
                    time_zone: value(&refs[1]).trim().to_string(),
                }),
                "interval" => Some(ScheduleSpec::Interval { minutes: value(&refs[2]).trim().parse().unwrap_or(0) }),
                "none" => Some(ScheduleSpec::None),
                _ => None,
            };
            let grace = value(&refs[3]).trim().parse::<u32>().ok();
            let body = ScheduleBody { spec, grace_minutes: grace };
            let (notify, onchange, id) = (notify.clone(), onchange.clone(), id.clone());
            spawn_local(async move {
                match api::schedules::put_schedule(&id, &body).await {
                    Ok(_) => {
                        notify.ok("Schedule saved");
                        onchange.emit(());
                    }
                    Err(e) => notify.error(e),
                }
            });
        })
    };
    let pause = {
        let (refs, notify, reload, id) = (refs.clone(), notify.clone(), windows.reload.clone(), job_id.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let (Some(from), Some(until)) = (local_to_utc(&value(&refs[4])), local_to_utc(&value(&refs[5]))) else {
                notify.error("Give the window's start and end.");
                return;
            };
            let body = MaintenanceWindowBody {
                job_id: Some(id.clone()),
                customer_id: None,
                from,
                until,
                reason: value(&refs[6]),
            };
            let (notify, reload) = (notify.clone(), reload.clone());
            spawn_local(async move {
                match api::schedules::add_window(&body).await {
                    Ok(_) => {
                        notify.ok("Maintenance window added: nothing is missed in it");
                        reload.emit(());
                    }
                    Err(e) => notify.error(e),
                }
            });
        })
    };
    let (cron, tz, minutes) = match &current {
        Some(ScheduleSpec::Cron { expression, time_zone }) => (expression.clone(), time_zone.clone(), String::new()),
        Some(ScheduleSpec::Interval { minutes }) => (String::new(), String::new(), minutes.to_string()),
        _ => (String::new(), session.time_zone.clone(), String::new()),
    };
    let grace = props.job.schedule.as_ref().map(|s| s.grace_minutes.to_string()).unwrap_or_else(|| "60".into());
    let mine: Vec<_> = windows
        .data
        .as_ref()
        .map(|w| w.iter().filter(|w| w.job_id.as_deref() == Some(job_id.as_str())).cloned().collect())
        .unwrap_or_default();
    html! {
        <section class="card" aria-labelledby="sched-title" data-testid="schedule-card">
            <h2 id="sched-title" class="card-title">{ "Schedule" }</h2>
            <form class="inline-form" onsubmit={save}>
                <div class="field">
                    <label for="sched-kind">{ "Expected" }</label>
                    <select id="sched-kind" onchange={on_kind}>
                        <option value="learned" selected={*kind == "learned"}>{ "As learned from its runs" }</option>
                        <option value="cron" selected={*kind == "cron"}>{ "Cron expression" }</option>
                        <option value="interval" selected={*kind == "interval"}>{ "Every N minutes" }</option>
                        <option value="none" selected={*kind == "none"}>{ "No schedule (ad hoc, never missed)" }</option>
                    </select>
                </div>
                if *kind == "cron" {
                    <div class="field">
                        <label for="sched-cron">{ "Cron (min hour day month weekday)" }</label>
                        <input id="sched-cron" type="text" ref={refs[0].clone()} value={cron} placeholder="0 22 * * 1-5" />
                    </div>
                    <div class="field">
                        <label for="sched-tz">{ "Time zone" }</label>
                        <input id="sched-tz" type="text" ref={refs[1].clone()} value={tz} placeholder="Europe/Amsterdam" />
                    </div>
                }
                if *kind == "interval" {
                    <div class="field">
                        <label for="sched-min">{ "Minutes" }</label>
                        <input id="sched-min" type="number" min="5" ref={refs[2].clone()} value={minutes} />
                    </div>
                }
                <div class="field">
                    <label for="sched-grace">{ "Grace (minutes)" }</label>
                    <input id="sched-grace" type="number" min="0" ref={refs[3].clone()} value={grace} />
                </div>
                <button class="btn btn-primary" type="submit" data-testid="schedule-save">{ "Save schedule" }</button>
            </form>
            <h3>{ "Maintenance windows" }</h3>
            if mine.is_empty() {
                <p class="hint">{ "None: a pause for this job (a migration, a hardware swap) means nothing is missed in it." }</p>
            } else {
                <ul class="plain">
                    { for mine.iter().map(|w| {
                        let del = {
                            let (id, notify, reload) = (w.id.clone(), notify.clone(), windows.reload.clone());
                            Callback::from(move |_| {
                                let (id, notify, reload) = (id.clone(), notify.clone(), reload.clone());
                                spawn_local(async move {
                                    match api::schedules::delete_window(&id).await {
                                        Ok(()) => { notify.ok("Window removed"); reload.emit(()); }
                                        Err(e) => notify.error(e),
                                    }
                                });
                            })
                        };
                        html! {
                            <li key={w.id.clone()}>
                                <Time at={w.from} />{ " – " }<Time at={w.until} />
                                { if w.reason.is_empty() { String::new() } else { format!(" · {}", w.reason) } }
                                { " " }<ConfirmButton label="Remove" confirm="Remove this window?" onconfirm={del} />
                            </li>
                        }
                    }) }
                </ul>
            }
            <form class="inline-form" onsubmit={pause}>
                <div class="field">
                    <label for="mw-from">{ "From" }</label>
                    <input id="mw-from" type="datetime-local" ref={refs[4].clone()} />
                </div>
                <div class="field">
                    <label for="mw-until">{ "Until" }</label>
                    <input id="mw-until" type="datetime-local" ref={refs[5].clone()} />
                </div>
                <div class="field">
                    <label for="mw-reason">{ "Reason" }</label>
                    <input id="mw-reason" type="text" ref={refs[6].clone()} maxlength="200" placeholder="e.g. storage migration" />
                </div>
                <button class="btn" type="submit">{ "Add window" }</button>
            </form>
        </section>
    }
}
