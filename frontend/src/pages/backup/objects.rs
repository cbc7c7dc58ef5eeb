//! Backup > Protected Objects (seed 001, "Protected Objects"): everything
//! covered by backup with the seed's filters in the URL (organization,
//! type, RPO breach, source, host, last status including "never", search),
//! breaches first; `backup.manage` edits an object's RPO.

use bc_api_types::{LastBackupStatus, ObjectSource, ObjectType, Permission, ProtectedObjectView};
use serde::{Deserialize, Serialize};
use web_sys::HtmlInputElement;
use yew::platform::spawn_local;
use yew::prelude::*;
use yew_router::prelude::*;

use super::{BackupTabs, val};
use crate::api;
use crate::api::backup_runs::ObjectFilter;
use crate::components::{ErrorView, Loading, PagerNav, Time};
use crate::hooks::{use_fetch, use_pager};
use crate::route::Route;
use crate::session::use_session;
use crate::toast::use_notify;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ObjectsQuery {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub customer_id: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub object_type: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub rpo_breach: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub source: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub host: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub last_status: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub q: String,
}

fn type_label(t: ObjectType) -> &'static str {
    match t {
        ObjectType::Vm => "VM",
        ObjectType::Physical => "Physical",
        ObjectType::Fileset => "Fileset",
        ObjectType::CloudResource => "Cloud resource",
        ObjectType::Nas => "NAS",
    }
}

fn status_badge(s: LastBackupStatus) -> &'static str {
    match s {
        LastBackupStatus::Success => "badge badge-success",
        LastBackupStatus::Warning => "badge badge-warning",
        LastBackupStatus::Failed => "badge badge-failed",
        LastBackupStatus::Never => "badge",
    }
}

#[component]
pub fn BackupObjectsPage() -> Html {
    let session = use_session();
    let location = use_location();
    let navigator = use_navigator();
    let query: ObjectsQuery = location.as_ref().and_then(|l| l.query::<ObjectsQuery>().ok()).unwrap_or_default();
    let pager = use_pager();
    let customers = use_fetch((), |_| async { api::customers::list().await });
    let filter = ObjectFilter {
        customer_id: query.customer_id.clone(),
        object_type: query.object_type.clone(),
        rpo_breach: query.rpo_breach.clone(),
        source: query.source.clone(),
        host: query.host.clone(),
        last_status: query.last_status.clone(),
        q: query.q.clone(),
    };
    let objects = use_fetch((filter, pager.cursor()), |(f, cursor)| async move {
        api::backup_runs::objects(&f, cursor.as_deref()).await
    });
    let manage = session.can(Permission::ManageBackup);

    let apply = {
        let pager = pager.clone();
        crate::route::filter_apply::<ObjectsQuery>(navigator.clone(), Route::BackupObjects, move || pager.reset())
    };
    let on_select = |field: fn(&mut ObjectsQuery, String)| crate::route::select_filter(&query, &apply, field);
    let onsubmit = {
        let (apply, query) = (apply.clone(), query.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let mut q = query.clone();
            q.q = val("po-q").trim().to_string();
            q.host = val("po-host").trim().to_string();
            apply.emit(q);
        })
    };
    {
        use_effect_with((query.q.clone(), query.host.clone()), |(q, h)| {
            super::set_val("po-q", q);
            super::set_val("po-host", h);
        });
    }
    let clear = {
        let apply = apply.clone();
        Callback::from(move |_| apply.emit(ObjectsQuery::default()))
    };
    let customer_options = customers.data.as_ref().map(|l| l.items.clone()).unwrap_or_default();
    let filtered = query != ObjectsQuery::default();

    let body = match (&objects.data, &objects.error) {
        (_, Some(e)) => html! { <ErrorView error={e.clone()} onretry={Some(objects.reload.clone())} /> },
        (None, None) => html! { <Loading what="protected objects" /> },
        (Some(p), None) if p.items.is_empty() => html! {
            <div class="state empty" role="status" data-testid="objects-empty">
                <h2>{ if filtered { "No protected objects match these filters" } else { "No protected objects yet" } }</h2>
                <p>{ "Objects appear when a native policy is assigned to a host or a platform sync discovers them." }</p>
            </div>
        },
        (Some(p), None) => html! {
            <>
                <p class="hint" data-testid="objects-total">{ format!("{} object(s)", p.total) }</p>
                <div class="table-wrap">
                    <table class="table protected-objects">
                        <thead><tr>
                            <th scope="col">{ "Name" }</th><th scope="col">{ "Type" }</th><th scope="col">{ "Host" }</th>
                            <th scope="col">{ "Organization" }</th><th scope="col">{ "Source" }</th><th scope="col">{ "RPO" }</th>
                            <th scope="col">{ "Last status" }</th><th scope="col">{ "Last backup" }</th><th scope="col">{ "Last success" }</th>
                            <th scope="col">{ "RPO breach" }</th>
                        </tr></thead>
                        <tbody>
                            { for p.items.iter().map(|o| html! {
                                <ObjectRow key={o.object.id.clone()} object={o.clone()} {manage} reload={objects.reload.clone()} />
                            }) }
                        </tbody>
                    </table>
                </div>
            </>
        },
    };
    let next_cursor = objects.data.as_ref().and_then(|p| p.next_cursor.clone());
    let (onprev, onnext) = pager.nav_callbacks(next_cursor.clone());

    html! {
        <section class="page">
            <div class="page-head"><h1>{ "Protected objects" }</h1></div>
            <BackupTabs current={Route::BackupObjects} />
            <form class="filters" {onsubmit} role="search" aria-label="Filter protected objects">
                <div class="field">
                    <label for="po-customer">{ "Organization" }</label>
                    <select id="po-customer" onchange={on_select(|q, v| q.customer_id = v)}>
                        <option value="" selected={query.customer_id.is_empty()}>{ "All organizations" }</option>
                        { for customer_options.iter().map(|c| html! { <option value={c.id.clone()} selected={c.id == query.customer_id}>{ &c.name }</option> }) }
                    </select>
                </div>
                <div class="field">
                    <label for="po-type">{ "Type" }</label>
                    <select id="po-type" onchange={on_select(|q, v| q.object_type = v)}>
                        <option value="" selected={query.object_type.is_empty()}>{ "All types" }</option>
                        { for ObjectType::ALL.iter().map(|t| html! { <option value={t.as_str()} selected={t.as_str() == query.object_type}>{ type_label(*t) }</option> }) }
                    </select>
                </div>
                <div class="field">
                    <label for="po-breach">{ "RPO breach" }</label>
                    <select id="po-breach" onchange={on_select(|q, v| q.rpo_breach = v)}>
                        <option value="" selected={query.rpo_breach.is_empty()}>{ "Any" }</option>
                        <option value="true" selected={query.rpo_breach == "true"}>{ "In breach" }</option>
                        <option value="false" selected={query.rpo_breach == "false"}>{ "Within RPO" }</option>
                    </select>
                </div>
                <div class="field">
                    <label for="po-source">{ "Source" }</label>
                    <select id="po-source" onchange={on_select(|q, v| q.source = v)}>
                        <option value="" selected={query.source.is_empty()}>{ "All sources" }</option>
                        <option value="native" selected={query.source == "native"}>{ "Native BES" }</option>
                        <option value="platform" selected={query.source == "platform"}>{ "Platform" }</option>
                    </select>
                </div>
                <div class="field">
                    <label for="po-status">{ "Last status" }</label>
                    <select id="po-status" onchange={on_select(|q, v| q.last_status = v)}>
                        <option value="" selected={query.last_status.is_empty()}>{ "Any status" }</option>
                        { for LastBackupStatus::ALL.iter().map(|s| html! { <option value={s.as_str()} selected={s.as_str() == query.last_status}>{ s.as_str() }</option> }) }
                    </select>
                </div>
                <div class="field"><label for="po-host">{ "Host" }</label><input id="po-host" type="text" placeholder="hostname" /></div>
                <div class="field grow">
                    <label for="po-q">{ "Object or host name" }</label>
                    <input id="po-q" type="search" placeholder="Search object or host names" />
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

#[derive(Properties, PartialEq)]
struct RowProps {
    object: ProtectedObjectView,
    manage: bool,
    reload: Callback<()>,
}

#[component]
fn ObjectRow(props: &RowProps) -> Html {
    let notify = use_notify();
    let o = &props.object;
    let input = use_node_ref();
    let save = {
        let (notify, reload, input, id) = (notify.clone(), props.reload.clone(), input.clone(), o.object.id.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let raw = input.cast::<HtmlInputElement>().map(|i| i.value()).unwrap_or_default();
            let Ok(hours) = raw.trim().parse::<u32>() else {
                notify.error(format!("RPO hours: expected a whole number, not {raw:?}"));
                return;
            };
            let (notify, reload, id) = (notify.clone(), reload.clone(), id.clone());
            spawn_local(async move {
                match api::backup_runs::update_object(&id, hours).await {
                    Ok(v) => {
                        notify.ok(format!("RPO of {} set to {} h", v.object.name, v.object.rpo_hours));
                        reload.emit(());
                    }
                    Err(e) => notify.error(e),
                }
            });
        })
    };
    let source = match &o.object.source {
        ObjectSource::Native { .. } => "Native BES",
        ObjectSource::Platform { .. } => "Platform",
    };
    let time = |t: Option<chrono::DateTime<chrono::Utc>>| match t {
        Some(at) => html! { <Time {at} /> },
        None => html! { <span class="muted">{ "never" }</span> },
    };
    html! {
        <tr data-object-id={o.object.id.clone()} class={classes!(o.rpo_breach.then_some("breach"))}>
            <td>{ &o.object.name }</td>
            <td>{ type_label(o.object.object_type) }</td>
            <td>{ o.object.hostname.clone().unwrap_or_default() }</td>
            <td>{ &o.customer_name }</td>
            <td>{ source }</td>
            <td>
                if props.manage {
                    <form class="inline-form rpo-form" onsubmit={save}>
                        <input ref={input} type="number" min="1" value={o.object.rpo_hours.to_string()} aria-label={format!("RPO hours of {}", o.object.name)} style="width: 5rem" />
                        <button class="btn btn-small" type="submit">{ "Save" }</button>
                    </form>
                } else { { format!("{} h", o.object.rpo_hours) } }
            </td>
            <td><span class={status_badge(o.object.last_status)}>{ o.object.last_status.as_str() }</span></td>
            <td>{ time(o.object.last_backup_at) }</td>
            <td>{ time(o.object.last_success_at) }</td>
            <td>{ if o.rpo_breach { html! { <span class="badge badge-failed">{ format!("breach, {} h", o.breach_hours) }</span> } } else { html! { <span class="muted">{ "no" }</span> } } }</td>
        </tr>
    }
}
