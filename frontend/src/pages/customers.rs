//! Customers: list, create, rename, (de)activate, CSV export and import.

use bc_api_types::{Customer, Permission, UpdateCustomer};
use web_sys::HtmlInputElement;
use yew::platform::spawn_local;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::api;
use crate::components::{ErrorView, Loading, PagerNav, Time};
use crate::hooks::{use_fetch, use_field_value};
use crate::route::{AuditQuery, JobsQuery, Route};
use crate::session::use_session;
use crate::toast::use_notify;

const PAGE: usize = 100;

#[component]
pub fn CustomersPage() -> Html {
    let session = use_session();
    let notify = use_notify();
    let list = use_fetch((), |_| async { api::customers::list().await });
    let search = use_state(String::new);
    let page = use_state(|| 0usize);
    let new_name = use_node_ref();
    let file = use_node_ref();
    let can_manage = session.can(Permission::ManageCustomers);
    let can_audit = session.can(Permission::ViewAudit);

    let create = {
        let (new_name, notify, reload) = (new_name.clone(), notify.clone(), list.reload.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let Some(input) = new_name.cast::<HtmlInputElement>() else { return };
            let name = input.value();
            if name.trim().is_empty() {
                notify.error("Enter a name for the new customer.");
                return;
            }
            let (notify, reload) = (notify.clone(), reload.clone());
            spawn_local(async move {
                match api::customers::create(name.trim()).await {
                    Ok(c) => {
                        notify.ok(format!("Created customer {}", c.name));
                        input.set_value("");
                        reload.emit(());
                    }
                    Err(e) => notify.error(e),
                }
            });
        })
    };
    let import = {
        let (n, reload) = (notify.clone(), list.reload.clone());
        crate::components::on_text_file(&file, &notify, move |text| {
            let (notify, reload) = (n.clone(), reload.clone());
            async move {
                match api::customers::import_csv(text).await {
                    // The server checks the whole file first: with any error, nothing changed.
                    Ok(r) if !r.errors.is_empty() => notify.error(format!(
                        "Nothing imported; fix {} line(s) and try again: {}",
                        r.errors.len(),
                        r.errors.join("; ")
                    )),
                    Ok(r) => {
                        notify.ok(format!("Imported: {} created, {} skipped (already there)", r.created, r.skipped));
                        reload.emit(());
                    }
                    Err(e) => notify.error(e),
                }
            }
        })
    };
    let on_search = {
        let (search, page) = (search.clone(), page.clone());
        Callback::from(move |e: InputEvent| {
            search.set(e.target_unchecked_into::<HtmlInputElement>().value());
            page.set(0);
        })
    };

    let body = match (&list.data, &list.error) {
        (_, Some(e)) => html! { <ErrorView error={e.clone()} onretry={Some(list.reload.clone())} /> },
        (None, None) => html! { <Loading what="customers" /> },
        (Some(l), None) => {
            let needle = search.trim().to_lowercase();
            let matching: Vec<&Customer> =
                l.items.iter().filter(|c| needle.is_empty() || c.name.to_lowercase().contains(&needle)).collect();
            let pages = matching.len().div_ceil(PAGE).max(1);
            let at = (*page).min(pages - 1);
            if matching.is_empty() {
                html! {
                    <div class="state empty" role="status">
                        <h2>{ if l.items.is_empty() { "No customers yet" } else { "No customer matches" } }</h2>
                        <p>{ if l.items.is_empty() { "Create one here, or while approving a job in the Inbox." } else { "Try another search." } }</p>
                    </div>
                }
            } else {
                let to = |p: usize| {
                    let page = page.clone();
                    Callback::from(move |_| page.set(p))
                };
                html! {
                    <>
                        <div class="table-wrap">
                            <table class="table customers">
                                <thead><tr>
                                    <th scope="col">{ "Name" }</th><th scope="col">{ "Jobs" }</th>
                                    <th scope="col">{ "Status" }</th><th scope="col" class="hide-narrow">{ "Created" }</th>
                                    <th scope="col">{ "Autotask company" }</th>
                                    if can_manage || can_audit { <th scope="col"><span class="sr-only">{ "Actions" }</span></th> }
                                </tr></thead>
                                <tbody>
                                    { for matching.iter().skip(at * PAGE).take(PAGE).map(|c| html! {
                                        <CustomerRow key={c.id.clone()} customer={(*c).clone()} {can_manage} {can_audit} reload={list.reload.clone()} />
                                    }) }
                                </tbody>
                            </table>
                        </div>
                        <PagerNav page={at + 1} total_pages={Some(pages)} has_prev={at > 0} has_next={at + 1 < pages}
                                  onprev={to(at.saturating_sub(1))} onnext={to(at + 1)} />
                    </>
                }
            }
        }
    };

    html! {
        <section class="page">
            <div class="page-head">
                <h1>{ "Customers" }</h1>
                <div class="head-actions">
                    <a class="btn btn-ghost" href={api::customers::export_url()} download="customers.csv">{ "Export CSV" }</a>
                    if can_manage {
                        <label class="btn btn-ghost file-button">
                            { "Import CSV" }
                            <input type="file" accept=".csv,text/csv" ref={file} onchange={import} class="sr-only" />
                        </label>
                    }
                </div>
            </div>
            <div class="toolbar">
                <div class="field grow">
                    <label for="c-search">{ "Search" }</label>
                    <input id="c-search" type="search" value={(*search).clone()} oninput={on_search} placeholder="Customer name" />
                </div>
                if can_manage {
                    <form class="inline-form" onsubmit={create} aria-label="New customer">
                        <div class="field">
                            <label for="c-new">{ "New customer" }</label>
                            <input id="c-new" type="text" ref={new_name} placeholder="Name" />
                        </div>
                        <button class="btn btn-primary" type="submit">{ "Create" }</button>
                    </form>
                }
            </div>
            <p class="hint">{ "CSV import takes a header row with name (and optionally active); existing names are skipped, and a file with an error changes nothing." }</p>
            { body }
            if can_manage {
                <AutotaskMapper customers={list.data.as_ref().map(|l| l.items.clone()).unwrap_or_default()} reload={list.reload.clone()} />
            }
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct MapperProps {
    customers: Vec<Customer>,
    reload: Callback<()>,
}

/// Maps a customer to an Autotask company (seed 003 §3): search the
/// companies, pick one; the company ID is kept, its name is a cache.
#[component]
fn AutotaskMapper(props: &MapperProps) -> Html {
    let notify = crate::toast::use_notify();
    let settings = crate::hooks::use_fetch((), |_| async { api::settings::get().await });
    let found = use_state(Vec::<bc_api_types::AutotaskCompany>::new);
    let customer_ref = use_node_ref();
    let query_ref = use_node_ref();
    let on = settings.data.as_ref().and_then(|s| s.tickets.clone()).is_some_and(|t| t.autotask);
    if !on {
        return html! {};
    }
    let search = {
        let (found, notify, node) = (found.clone(), notify.clone(), query_ref.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let q = node.cast::<web_sys::HtmlInputElement>().map(|i| i.value()).unwrap_or_default();
            let (found, notify) = (found.clone(), notify.clone());
            yew::platform::spawn_local(async move {
                match api::autotask::companies(&q).await {
                    Ok(list) => found.set(list),
                    Err(e) => notify.error(e),
                }
            });
        })
    };
    let map = |company: i64, name: String| {
        let (notify, node, reload) = (notify.clone(), customer_ref.clone(), props.reload.clone());
        Callback::from(move |_| {
            let customer = node.cast::<web_sys::HtmlSelectElement>().map(|s| s.value()).unwrap_or_default();
            if customer.is_empty() {
                notify.error("Choose the customer first");
                return;
            }
            let (notify, reload, name) = (notify.clone(), reload.clone(), name.clone());
            yew::platform::spawn_local(async move {
                match api::autotask::map(&customer, company).await {
                    Ok(c) => {
                        notify.ok(format!("{} is mapped to {name}", c.name));
                        reload.emit(());
                    }
                    Err(e) => notify.error(e),
                }
            });
        })
    };
    html! {
        <section class="card" aria-label="Map a customer to an Autotask company" data-testid="autotask-mapper">
            <h2 class="card-title">{ "Autotask company mapping" }</h2>
            <form class="inline-form" onsubmit={search}>
                <div class="field">
                    <label for="map-customer">{ "Customer" }</label>
                    <select id="map-customer" ref={customer_ref.clone()}>
                        <option value="" selected=true>{ "Choose…" }</option>
                        { for props.customers.iter().map(|c| html! { <option value={c.id.clone()}>{ &c.name }</option> }) }
                    </select>
                </div>
                <div class="field grow">
                    <label for="map-query">{ "Autotask company" }</label>
                    <input id="map-query" ref={query_ref} type="search" placeholder="Part of the company name" />
                </div>
                <button class="btn" type="submit" data-testid="autotask-search">{ "Search Autotask" }</button>
            </form>
            <ul class="plain-list">
                { for found.iter().map(|c| html! {
                    <li>
                        { format!("{} (#{}){} ", c.name, c.id, if c.active { "" } else { ", inactive" }) }
                        <button class="btn btn-small" onclick={map(c.id, c.name.clone())}>{ "Map" }</button>
                    </li>
                }) }
            </ul>
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct RowProps {
    customer: Customer,
    can_manage: bool,
    can_audit: bool,
    reload: Callback<()>,
}

#[component]
fn CustomerRow(props: &RowProps) -> Html {
    let notify = use_notify();
    let editing = use_state(|| false);
    let name_ref = use_node_ref();
    let c = &props.customer;
    use_field_value(&name_ref, if *editing { c.name.clone() } else { String::new() });
    let update = {
        let (notify, reload, id) = (notify.clone(), props.reload.clone(), c.id.clone());
        Callback::from(move |(change, what): (UpdateCustomer, String)| {
            let (notify, reload, id) = (notify.clone(), reload.clone(), id.clone());
            spawn_local(async move {
                match api::customers::update(&id, &change).await {
                    Ok(_) => {
                        notify.ok(what);
                        reload.emit(());
                    }
                    Err(e) => notify.error(e),
                }
            });
        })
    };
    let save = {
        let (update, editing, name_ref) = (update.clone(), editing.clone(), name_ref.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let name = name_ref.cast::<HtmlInputElement>().map(|i| i.value()).unwrap_or_default();
            editing.set(false);
            update.emit((
                UpdateCustomer { name: Some(name.trim().to_string()), active: None },
                format!("Renamed to {}", name.trim()),
            ));
        })
    };
    let toggle_active = {
        let (update, active, name) = (update.clone(), c.active, c.name.clone());
        Callback::from(move |_| {
            let what = if active { format!("Deactivated {name}") } else { format!("Activated {name}") };
            update.emit((UpdateCustomer { name: None, active: Some(!active) }, what));
        })
    };
    let edit = {
        let editing = editing.clone();
        Callback::from(move |_| editing.set(true))
    };
    let cancel = {
        let editing = editing.clone();
        Callback::from(move |_| editing.set(false))
    };
    html! {
        <tr class={classes!((!c.active).then_some("inactive"))}>
            <td>
                if *editing {
                    <form class="inline-form" onsubmit={save}>
                        <input type="text" ref={name_ref.clone()} aria-label={format!("New name for {}", c.name)} />
                        <button class="btn btn-small btn-primary" type="submit">{ "Save" }</button>
                        <button class="btn btn-small" type="button" onclick={cancel}>{ "Cancel" }</button>
                    </form>
                } else {
                    <Link<Route, JobsQuery> to={Route::Jobs} query={Some(JobsQuery { customer_id: c.id.clone(), ..JobsQuery::default() })}>
                        { &c.name }
                    </Link<Route, JobsQuery>>
                }
            </td>
            <td>{ c.job_count }</td>
            <td>{ if c.active { "Active" } else { "Inactive" } }</td>
            <td class="hide-narrow"><Time at={c.created_at} /></td>
            <td data-testid="autotask-company">
                if let Some(a) = &c.autotask {
                    { format!("{} (#{}) ", a.company_name, a.company_id) }
                    <span class={classes!("tag", (a.status == bc_api_types::MappingStatus::Invalid).then_some("tag-bad"))}>
                        { match a.status {
                            bc_api_types::MappingStatus::Ok => "ok",
                            bc_api_types::MappingStatus::Renamed => "renamed in Autotask",
                            bc_api_types::MappingStatus::Missing => "missing",
                            bc_api_types::MappingStatus::Invalid => "missing or inaccessible: tickets blocked",
                        } }
                    </span>
                } else { <span class="muted">{ "—" }</span> }
            </td>
            if props.can_manage || props.can_audit {
                <td><div class="row-actions">
                    if props.can_manage {
                        if !*editing { <button class="btn btn-small" onclick={edit} aria-label={format!("Rename {}", c.name)}>{ "Rename" }</button> }
                        <button class="btn btn-small" onclick={toggle_active}>{ if c.active { "Deactivate" } else { "Activate" } }</button>
                    }
                    if props.can_audit {
                        <Link<Route, AuditQuery> to={Route::Audit} query={Some(AuditQuery::entity("customer", &c.id))}
                                classes="btn btn-small btn-ghost">
                            <span aria-hidden="true">{ "Audit" }</span><span class="sr-only">{ format!("Audit of {}", c.name) }</span>
                        </Link<Route, AuditQuery>>
                    }
                </div></td>
            }
        </tr>
    }
}
