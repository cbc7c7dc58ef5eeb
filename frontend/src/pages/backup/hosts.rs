//! Hosts: the managed hosts of each customer; reported by the customer's
//! engines or added by hand here, and assigned on a policy's page.

use bc_api_types::{ManagedHostBody, Permission};
use yew::platform::spawn_local;
use yew::prelude::*;

use super::{BackupTabs, opt, val};
use crate::api;
use crate::components::{ErrorView, Loading};
use crate::hooks::use_fetch;
use crate::route::Route;
use crate::session::use_session;
use crate::toast::use_notify;

#[component]
pub fn HostsPage() -> Html {
    let session = use_session();
    let notify = use_notify();
    let list = use_fetch((), |_| async { api::backup::hosts().await });
    let customers = use_fetch((), |_| async { api::customers::list().await });
    let manage = session.can(Permission::ManageBackup);
    let customer_list = customers.data.as_ref().map(|c| c.items.clone()).unwrap_or_default();
    let create = {
        let (notify, reload) = (notify.clone(), list.reload.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let body = ManagedHostBody {
                customer_id: val("ho-customer"),
                hostname: val("ho-name").trim().to_string(),
                ip: opt("ho-ip"),
                os: opt("ho-os"),
            };
            let (notify, reload) = (notify.clone(), reload.clone());
            spawn_local(async move {
                match api::backup::create_host(&body).await {
                    Ok(h) => {
                        notify.ok(format!("Host {} added", h.hostname));
                        reload.emit(());
                    }
                    Err(e) => notify.error(e),
                }
            });
        })
    };
    let cname = |id: &str| customer_list.iter().find(|c| c.id == id).map(|c| c.name.clone()).unwrap_or_default();
    let body = match (&list.data, &list.error) {
        (_, Some(e)) => html! { <ErrorView error={e.clone()} onretry={Some(list.reload.clone())} /> },
        (None, None) => html! { <Loading what="hosts" /> },
        (Some(l), None) if l.is_empty() => {
            html! { <div class="state empty" role="status"><h2>{ "No hosts" }</h2></div> }
        }
        (Some(l), None) => html! {
            <div class="table-wrap">
                <table class="table hosts">
                    <thead><tr><th>{ "Hostname" }</th><th>{ "Customer" }</th><th>{ "IP" }</th><th>{ "OS" }</th><th>{ "Source" }</th></tr></thead>
                    <tbody>{ for l.iter().map(|h| html! {
                        <tr><td>{ &h.hostname }</td><td>{ cname(&h.customer_id) }</td><td>{ h.ip.clone().unwrap_or_default() }</td>
                            <td>{ h.os.clone().unwrap_or_default() }</td><td>{ &h.source }</td></tr>
                    }) }</tbody>
                </table>
            </div>
        },
    };
    html! {
        <section class="page">
            <div class="page-head"><h1>{ "Hosts" }</h1></div>
            <BackupTabs current={Route::BackupHosts} />
            { body }
            if manage {
                <section class="card">
                    <h2 class="card-title">{ "Add host" }</h2>
                    <form class="inline-form" onsubmit={create}>
                        <select id="ho-customer" aria-label="Customer">{ for customer_list.iter().map(|c| html! { <option value={c.id.clone()}>{ &c.name }</option> }) }</select>
                        <input id="ho-name" type="text" placeholder="hostname" aria-label="Hostname" />
                        <input id="ho-ip" type="text" placeholder="IP (optional)" aria-label="IP" />
                        <input id="ho-os" type="text" placeholder="OS (optional)" aria-label="OS" />
                        <button class="btn btn-primary" type="submit" data-testid="host-add">{ "Add host" }</button>
                    </form>
                </section>
            }
        </section>
    }
}
