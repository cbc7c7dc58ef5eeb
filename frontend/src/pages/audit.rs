//! The audit trail (admins): who changed what and when, newest first,
//! filtered by entity, actor, action and days (kept in the URL, so a link
//! such as a job's "Audit" opens the trail of that job). Each entry shows
//! the changed fields compactly and links to the entity where it has a
//! page; a run opens in the run modal over the trail.

use bc_api_types::{AuditEntry, AuditPage as Page};
use chrono::{Datelike, NaiveDate};
use serde_json::Value;
use web_sys::HtmlInputElement;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::api;
use crate::api::audit::AuditFilter;
use crate::components::{ErrorView, Loading, PagerNav, Time};
use crate::format;
use crate::hooks::{use_fetch, use_field_value, use_pager};
use crate::pages::run_detail::RunDetailModal;
use crate::route::{AuditQuery, JobsQuery, Route};

/// Entity types the server records, with how the filter names them.
const ENTITY_TYPES: [(&str, &str); 10] = [
    ("override", "Override"),
    ("job", "Job"),
    ("run", "Run"),
    ("customer", "Customer"),
    ("user", "User"),
    ("mail", "Mail"),
    ("api_token", "API token"),
    ("operation", "Bulk operation"),
    ("settings", "Settings"),
    ("inbox", "Inbox"),
];

/// Actions the server records (the filter takes any text).
const ACTIONS: [&str; 12] = [
    "approve",
    "review",
    "unreview",
    "create",
    "update",
    "delete",
    "restore",
    "reparse",
    "revoke",
    "change_password",
    "start",
    "send",
];

/// Changed fields shown per entry before "+N more".
const MAX_FIELDS: usize = 6;

/// `2026-05-01` → the instant the day starts (UTC); `next` → the day after.
/// (By hand: chrono's parser and formatter would add to the bundle.)
pub(crate) fn day_start(day: &str, next: bool) -> String {
    let mut parts = day.trim().splitn(3, '-').map(|p| p.parse::<u32>().ok());
    let (Some(Some(y)), Some(Some(m)), Some(Some(d))) = (parts.next(), parts.next(), parts.next()) else {
        return String::new();
    };
    let Some(date) = NaiveDate::from_ymd_opt(y as i32, m, d) else { return String::new() };
    let date = if next { date.succ_opt().unwrap_or(date) } else { date };
    format!("{:04}-{:02}-{:02}T00:00:00Z", date.year(), date.month(), date.day())
}

fn filter_of(q: &AuditQuery) -> AuditFilter {
    // An id alone names nothing: it goes with its type.
    let entity_id = if q.entity_type.is_empty() { String::new() } else { q.entity_id.clone() };
    AuditFilter {
        entity_type: q.entity_type.clone(),
        entity_id,
        actor: q.actor.trim().to_string(),
        action: q.action.trim().to_string(),
        from: day_start(&q.from, false),
        // Until a day includes that day.
        until: day_start(&q.until, true),
    }
}

#[derive(Properties, PartialEq)]
pub struct AuditProps {
    pub query: AuditQuery,
}

#[component]
pub fn AuditPage(props: &AuditProps) -> Html {
    let navigator = use_navigator();
    let pager = use_pager();
    let filter = filter_of(&props.query);
    let page = use_fetch((filter.clone(), pager.cursor()), |(f, cursor)| async move {
        api::audit::page(&f, cursor.as_deref()).await
    });
    let open_run = use_state(|| None::<String>);
    let refs: [NodeRef; 5] = [use_node_ref(), use_node_ref(), use_node_ref(), use_node_ref(), use_node_ref()];
    // Filled from the URL, then the browser's while typing (see `use_field_value`).
    use_field_value(&refs[0], props.query.entity_id.clone());
    use_field_value(&refs[1], props.query.actor.clone());
    use_field_value(&refs[2], props.query.action.clone());
    use_field_value(&refs[3], props.query.from.clone());
    use_field_value(&refs[4], props.query.until.clone());
    // Other filters (a "trail" link, Back): the first page, no run open.
    {
        let (pager, open_run) = (pager.clone(), open_run.clone());
        use_effect_with(filter.clone(), move |_| {
            pager.reset();
            open_run.set(None);
        });
    }

    let apply = {
        let pager = pager.clone();
        crate::route::filter_apply::<AuditQuery>(navigator.clone(), Route::Audit, move || pager.reset())
    };
    let on_type = crate::route::select_filter(&props.query, &apply, |q, v| q.entity_type = v);
    let onsubmit = {
        let (apply, query, refs) = (apply.clone(), props.query.clone(), refs.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let v =
                |r: &NodeRef| r.cast::<HtmlInputElement>().map(|i| i.value().trim().to_string()).unwrap_or_default();
            let q = AuditQuery {
                entity_type: query.entity_type.clone(),
                entity_id: v(&refs[0]),
                actor: v(&refs[1]),
                action: v(&refs[2]),
                from: v(&refs[3]),
                until: v(&refs[4]),
            };
            apply.emit(q);
        })
    };
    let clear = {
        let apply = apply.clone();
        Callback::from(move |_| apply.emit(AuditQuery::default()))
    };
    let q = &props.query;
    let filtered = *q != AuditQuery::default();
    let open = {
        let open_run = open_run.clone();
        Callback::from(move |id: String| open_run.set(Some(id)))
    };

    let body = match (&page.data, &page.error) {
        (_, Some(e)) => html! { <ErrorView error={e.clone()} onretry={Some(page.reload.clone())} /> },
        (None, None) => html! { <Loading what="the audit trail" /> },
        (Some(p), None) if p.items.is_empty() => html! {
            <div class="state empty" role="status" data-testid="audit-empty">
                <h2>{ if filtered { "No entries match these filters" } else { "Nothing recorded yet" } }</h2>
                <p>{ if filtered { "Clear a filter to see more." } else { "Changes by people and by the system are recorded here." } }</p>
            </div>
        },
        (Some(p), None) => table(p, &open),
    };
    let next_cursor = page.data.as_ref().and_then(|p| p.next_cursor.clone());
    let (onprev, onnext) = pager.nav_callbacks(next_cursor.clone());
    let modal = (*open_run).clone().map(|id| {
        let open_run = open_run.clone();
        html! { <RunDetailModal {id} onclose={Callback::from(move |_| open_run.set(None))} /> }
    });

    html! {
        <section class="page">
            <div class="page-head">
                <h1>{ "Audit" }</h1>
                <div class="head-actions">
                    if page.loading && page.data.is_some() { <span class="muted" role="status">{ "Refreshing…" }</span> }
                </div>
            </div>
            <form class="filters" {onsubmit} role="search" aria-label="Filter the audit trail">
                <div class="field">
                    <label for="a-type">{ "Entity" }</label>
                    <select id="a-type" onchange={on_type}>
                        <option value="" selected={q.entity_type.is_empty()}>{ "Any" }</option>
                        { for ENTITY_TYPES.iter().map(|(v, label)| html! {
                            <option value={*v} selected={*v == q.entity_type}>{ *label }</option>
                        }) }
                    </select>
                </div>
                <div class="field">
                    <label for="a-id">{ "Entity id" }</label>
                    <input id="a-id" type="text" ref={refs[0].clone()}
                           disabled={q.entity_type.is_empty()} placeholder={if q.entity_type.is_empty() { "Pick the entity first" } else { "Any" }} />
                </div>
                <div class="field">
                    <label for="a-actor">{ "Who" }</label>
                    <input id="a-actor" type="text" ref={refs[1].clone()} placeholder="Username, system, token:…" />
                </div>
                <div class="field">
                    <label for="a-action">{ "Action" }</label>
                    <input id="a-action" type="text" list="a-actions" ref={refs[2].clone()} placeholder="e.g. approve" />
                    <datalist id="a-actions">{ for ACTIONS.iter().map(|a| html! { <option value={*a} /> }) }</datalist>
                </div>
                <div class="field">
                    <label for="a-from">{ "From (UTC day)" }</label>
                    <input id="a-from" type="date" ref={refs[3].clone()} />
                </div>
                <div class="field">
                    <label for="a-until">{ "Until (UTC day)" }</label>
                    <input id="a-until" type="date" ref={refs[4].clone()} />
                </div>
                <div class="field buttons">
                    <button class="btn btn-primary" type="submit" data-testid="audit-filter">{ "Filter" }</button>
                    if filtered { <button class="btn btn-ghost" type="button" onclick={clear}>{ "Clear" }</button> }
                </div>
            </form>
            { body }
            <PagerNav page={pager.number()} has_prev={pager.has_prev()} has_next={next_cursor.is_some()} {onprev} {onnext} />
            { for modal }
        </section>
    }
}

fn table(page: &Page, open_run: &Callback<String>) -> Html {
    html! {
        <div class="table-wrap">
            <table class="table audit">
                <thead><tr>
                    <th scope="col">{ "When" }</th>
                    <th scope="col">{ "Who" }</th>
                    <th scope="col">{ "Action" }</th>
                    <th scope="col">{ "Entity" }</th>
                    <th scope="col">{ "Changes" }</th>
                </tr></thead>
                <tbody>
                    { for page.items.iter().map(|e| html! {
                        <tr key={e.id.clone()} data-audit-id={e.id.clone()}>
                            <td class="nowrap"><Time at={e.at} relative=true /></td>
                            <td>{ &e.actor }</td>
                            <td><code>{ &e.action }</code></td>
                            <td>{ entity(e, open_run) }</td>
                            <td>{ changes(e) }</td>
                        </tr>
                    }) }
                </tbody>
            </table>
        </div>
    }
}

/// The entity's type and id, linked to its page where it has one, and a
/// link to its whole trail.
fn entity(e: &AuditEntry, open_run: &Callback<String>) -> Html {
    let label =
        ENTITY_TYPES.iter().find(|(t, _)| *t == e.entity_type).map(|(_, l)| *l).unwrap_or(e.entity_type.as_str());
    let id = e.entity_id.clone();
    // Its name when the change carries one; else a short id (the whole one in the tooltip).
    let name = [&e.after, &e.before].into_iter().flatten().find_map(|v| {
        ["job_name", "name", "username"].iter().find_map(|k| v.get(*k).and_then(Value::as_str).map(str::to_string))
    });
    let text = match name {
        Some(n) => html! { <span title={id.clone()}>{ format!("{label} {n}") }</span> },
        None => {
            let short: String = if id.chars().count() > 14 {
                format!("{}…", id.chars().take(12).collect::<String>())
            } else {
                id.clone()
            };
            html! { <>{ format!("{label} ") }<code title={id.clone()}>{ short }</code></> }
        }
    };
    let link = match e.entity_type.as_str() {
        "job" => html! { <Link<Route> to={Route::Job { id: id.clone() }}>{ text }</Link<Route>> },
        // A run opens in the modal over the trail; the href still names its page.
        "run" => {
            let (open_run, run) = (open_run.clone(), id.clone());
            let onclick = Callback::from(move |ev: MouseEvent| {
                if ev.ctrl_key() || ev.meta_key() || ev.shift_key() || ev.button() != 0 {
                    return;
                }
                ev.prevent_default();
                open_run.emit(run.clone());
            });
            html! { <a href={Route::Run { id: id.clone() }.to_path()} {onclick}>{ text }</a> }
        }
        "customer" => html! {
            <Link<Route, JobsQuery> to={Route::Jobs} query={Some(JobsQuery { customer_id: id.clone(), ..JobsQuery::default() })}>
                { text }
            </Link<Route, JobsQuery>>
        },
        "user" => html! { <Link<Route> to={Route::Users}>{ text }</Link<Route>> },
        "mail" => html! { <Link<Route> to={Route::InboxMail { id: id.clone() }}>{ text }</Link<Route>> },
        "api_token" => html! { <Link<Route> to={Route::ApiTokens}>{ text }</Link<Route>> },
        "settings" => html! { <Link<Route> to={Route::Settings}>{ text }</Link<Route>> },
        _ => text,
    };
    html! {
        <>
            { link }
            { " " }
            <Link<Route, AuditQuery> to={Route::Audit} query={Some(AuditQuery::entity(&e.entity_type, &e.entity_id))}
                    classes="muted small">
                <span aria-hidden="true">{ "trail" }</span>
                <span class="sr-only">{ format!("Audit trail of this {label}") }</span>
            </Link<Route, AuditQuery>>
        </>
    }
}

/// The changed fields: `field: before → after`, `field: value` when
/// created, struck through when removed.
fn changes(e: &AuditEntry) -> Html {
    let obj = |v: &Option<Value>| v.as_ref().and_then(|v| v.as_object().cloned());
    let (before, after) = (obj(&e.before), obj(&e.after));
    if before.is_none() && after.is_none() {
        // Not field maps: show whatever there is.
        let side = |v: &Option<Value>| v.as_ref().map(|v| format::json_short(v, 80)).unwrap_or_default();
        let (b, a) = (side(&e.before), side(&e.after));
        return match (b.is_empty(), a.is_empty()) {
            (true, true) => html! { <span class="muted">{ "—" }</span> },
            (true, false) => html! { { a } },
            (false, true) => html! { <del>{ b }</del> },
            (false, false) => html! { { format!("{b} → {a}") } },
        };
    }
    let mut keys: Vec<String> = after.as_ref().map(|m| m.keys().cloned().collect()).unwrap_or_default();
    for k in before.as_ref().map(|m| m.keys().cloned().collect::<Vec<_>>()).unwrap_or_default() {
        if !keys.contains(&k) {
            keys.push(k);
        }
    }
    if keys.is_empty() {
        return html! { <span class="muted">{ "—" }</span> };
    }
    let more = keys.len().saturating_sub(MAX_FIELDS);
    let get = |m: &Option<serde_json::Map<String, Value>>, k: &str| m.as_ref().and_then(|m| m.get(k).cloned());
    html! {
        <ul class="changes">
            { for keys.iter().take(MAX_FIELDS).map(|k| {
                let (b, a) = (get(&before, k), get(&after, k));
                let value = match (b, a, before.is_some()) {
                    (Some(b), Some(a), _) => html! {
                        <><del>{ format::json_short(&b, 60) }</del>{ " → " }<ins>{ format::json_short(&a, 60) }</ins></>
                    },
                    // Created (no before at all), or a field only the after has.
                    (None, Some(a), false) => html! { { format::json_short(&a, 60) } },
                    (None, Some(a), true) => html! { <>{ "— → " }<ins>{ format::json_short(&a, 60) }</ins></> },
                    (Some(b), None, _) => html! { <del>{ format::json_short(&b, 60) }</del> },
                    (None, None, _) => html! {},
                };
                html! { <li><span class="field-name">{ format!("{k}: ") }</span>{ value }</li> }
            }) }
            if more > 0 { <li class="muted">{ format!("+{more} more") }</li> }
        </ul>
    }
}
