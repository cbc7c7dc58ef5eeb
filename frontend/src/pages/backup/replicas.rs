//! Replicas: every replication rule, with its policy and secondary target.
//! Rules are added on a policy's page; here they are listed and removed.

use bc_api_types::Permission;
use yew::platform::spawn_local;
use yew::prelude::*;
use yew_router::prelude::*;

use super::BackupTabs;
use crate::api;
use crate::components::{ConfirmButton, ErrorView, Loading};
use crate::hooks::use_fetch;
use crate::route::Route;
use crate::session::use_session;
use crate::toast::use_notify;

#[component]
pub fn ReplicasPage() -> Html {
    let session = use_session();
    let notify = use_notify();
    let list = use_fetch((), |_| async { api::backup::replicas().await });
    let policies = use_fetch((), |_| async { api::backup::policies().await });
    let targets = use_fetch((), |_| async { api::backup::targets().await });
    let manage = session.can(Permission::ManageBackup);
    let pname = |id: &str| {
        policies.data.as_ref().and_then(|l| l.iter().find(|p| p.id == id).map(|p| p.name.clone())).unwrap_or_default()
    };
    let tname = |id: &str| {
        targets.data.as_ref().and_then(|l| l.iter().find(|t| t.id == id).map(|t| t.name.clone())).unwrap_or_default()
    };
    let body = match (&list.data, &list.error) {
        (_, Some(e)) => html! { <ErrorView error={e.clone()} onretry={Some(list.reload.clone())} /> },
        (None, None) => html! { <Loading what="replication rules" /> },
        (Some(l), None) if l.is_empty() => html! {
            <div class="state empty" role="status"><h2>{ "No replication rules" }</h2><p>{ "Add them on a policy's page." }</p></div>
        },
        (Some(l), None) => html! {
            <div class="table-wrap">
                <table class="table replicas">
                    <thead><tr><th>{ "Policy" }</th><th>{ "Secondary target" }</th><th>{ "KEK" }</th><th>{ "After full" }</th><th>{ "After incremental" }</th><th>{ "Offsite" }</th><th></th></tr></thead>
                    <tbody>
                        { for l.iter().map(|r| {
                            let del = { let (id, notify, reload) = (r.id.clone(), notify.clone(), list.reload.clone());
                                Callback::from(move |_| { let (id, notify, reload) = (id.clone(), notify.clone(), reload.clone());
                                    spawn_local(async move { match api::backup::delete_replica(&id).await {
                                        Ok(()) => { notify.ok("Replication rule deleted"); reload.emit(()); }
                                        Err(e) => notify.error(e),
                                    } }); }) };
                            html! {
                                <tr>
                                    <td><Link<Route> to={Route::BackupPolicy { id: r.policy_id.clone() }}>{ pname(&r.policy_id) }</Link<Route>></td>
                                    <td>{ tname(&r.storage_target_id) }</td>
                                    <td>{ r.kek_source.as_str() }</td>
                                    <td>{ if r.replicate_after_full { "yes" } else { "no" } }</td>
                                    <td>{ if r.replicate_after_incremental { "yes" } else { "no" } }</td>
                                    <td>{ if r.is_offsite { "yes" } else { "no" } }</td>
                                    <td>if manage { <ConfirmButton label="Delete" confirm="Delete this rule?" onconfirm={del} class="btn btn-small btn-danger" /> }</td>
                                </tr>
                            }
                        }) }
                    </tbody>
                </table>
            </div>
        },
    };
    html! {
        <section class="page">
            <div class="page-head"><h1>{ "Replicas" }</h1></div>
            <BackupTabs current={Route::BackupReplicas} />
            { body }
        </section>
    }
}
