//! The "Manage job" card of the job page: rename, move to another customer,
//! archive or unarchive, merge another job into this one; for admins, undo
//! the approval or delete the job with its runs, confirmed by typing the
//! job's name. What touches every run runs in the worker; its progress
//! shows here.

use bc_api_types::{Job, JobChange, Operation, Permission};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::platform::spawn_local;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::api::jobs::JobFilter;
use crate::api::{self, ApiError};
use crate::components::{ConfirmButton, OperationProgress};
use crate::hooks::use_fetch;
use crate::route::Route;
use crate::session::use_session;
use crate::toast::use_notify;

#[derive(Properties, PartialEq)]
pub struct JobActionsProps {
    pub job: Job,
    /// The job changed: reload the page's data.
    pub onchange: Callback<()>,
}

#[component]
pub fn JobActions(props: &JobActionsProps) -> Html {
    let session = use_session();
    let notify = use_notify();
    let navigator = use_navigator();
    let busy = use_state(|| false);
    let operation = use_state(|| None::<Operation>);
    let can_manage = session.can(Permission::ManageJobs);
    let can_delete = session.can(Permission::DeleteJobs);
    let customers =
        use_fetch(can_manage, |can| async move { if can { api::customers::list().await.map(Some) } else { Ok(None) } });
    let others = use_fetch((can_manage, props.job.id.clone()), |(can, _)| async move {
        if can {
            api::jobs::page(&JobFilter { archived: "all".into(), ..Default::default() }, None).await.map(Some)
        } else {
            Ok(None)
        }
    });
    let name_ref = use_node_ref();
    let customer_ref = use_node_ref();
    let merge_ref = use_node_ref();
    let confirm_ref = use_node_ref();
    if !can_manage && !can_delete {
        return html! {};
    }

    // Runs one change: busy meanwhile, a toast with the outcome, the
    // worker's progress if it started one, and `after` on success.
    let run = {
        let (busy, notify, operation, onchange) =
            (busy.clone(), notify.clone(), operation.clone(), props.onchange.clone());
        move |ok: &'static str,
              fut: std::pin::Pin<Box<dyn std::future::Future<Output = Result<JobChange, ApiError>>>>,
              after: Option<Callback<()>>| {
            if *busy {
                return;
            }
            busy.set(true);
            let (busy, notify, operation, onchange) =
                (busy.clone(), notify.clone(), operation.clone(), onchange.clone());
            spawn_local(async move {
                let result = fut.await;
                busy.set(false);
                match result {
                    Ok(change) => {
                        notify.ok(ok);
                        operation.set(change.operation);
                        match after {
                            Some(a) => a.emit(()),
                            None => onchange.emit(()),
                        }
                    }
                    Err(e) => notify.error(e),
                }
            });
        }
    };
    let id = props.job.id.clone();
    let rename = {
        let (run, id, node) = (run.clone(), id.clone(), name_ref.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let Some(input) = node.cast::<HtmlInputElement>() else { return };
            let name = input.value();
            if name.trim().is_empty() {
                input.focus().ok();
                return;
            }
            input.set_value("");
            let id = id.clone();
            run("Job renamed", Box::pin(async move { api::jobs::rename(&id, name).await }), None);
        })
    };
    let move_to = {
        let (run, id, node) = (run.clone(), id.clone(), customer_ref.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let customer = node.cast::<HtmlSelectElement>().map(|s| s.value()).unwrap_or_default();
            if customer.is_empty() {
                return;
            }
            let id = id.clone();
            run("Job moved", Box::pin(async move { api::jobs::move_to(&id, customer).await }), None);
        })
    };
    // An empty name restores the one the reports give.
    let restore_name = {
        let (run, id) = (run.clone(), id.clone());
        Callback::from(move |_| {
            let id = id.clone();
            run("Name restored", Box::pin(async move { api::jobs::rename(&id, String::new()).await }), None);
        })
    };
    let archived = props.job.archived_at.is_some();
    let toggle_archive = {
        let (run, id) = (run.clone(), id.clone());
        Callback::from(move |_| {
            let id = id.clone();
            let ok = if archived { "Job unarchived" } else { "Job archived" };
            run(ok, Box::pin(async move { api::jobs::set_archived(&id, !archived).await }), None);
        })
    };
    let merge = {
        let (run, id, node) = (run.clone(), id.clone(), merge_ref.clone());
        Callback::from(move |()| {
            let from = node.cast::<HtmlSelectElement>().map(|s| s.value()).unwrap_or_default();
            if from.is_empty() {
                return;
            }
            let id = id.clone();
            run("Jobs merged", Box::pin(async move { api::jobs::merge(&id, from).await }), None);
        })
    };
    let gone = {
        let navigator = navigator.clone();
        Callback::from(move |()| {
            if let Some(n) = &navigator {
                n.push(&Route::Jobs);
            }
        })
    };
    let remove = |unapprove: bool| {
        let (run, id, node, gone) = (run.clone(), id.clone(), confirm_ref.clone(), gone.clone());
        Callback::from(move |()| {
            let confirm = node.cast::<HtmlInputElement>().map(|i| i.value()).unwrap_or_default();
            let id = id.clone();
            let ok = if unapprove { "Approval undone: the mails are back in the Inbox" } else { "Job deleted" };
            run(ok, Box::pin(async move { api::jobs::remove(&id, unapprove, confirm).await }), Some(gone.clone()));
        })
    };

    let (undo, delete) = (remove(true), remove(false));
    let customer_options =
        customers.data.as_ref().and_then(|d| d.as_ref().as_ref().map(|l| l.items.clone())).unwrap_or_default();
    let merge_options: Vec<Job> = others
        .data
        .as_ref()
        .and_then(|d| d.as_ref().as_ref().map(|p| p.items.iter().filter(|j| j.id != props.job.id).cloned().collect()))
        .unwrap_or_default();
    let progress = (*operation).clone().map(|op| {
        let (operation, onchange) = (operation.clone(), props.onchange.clone());
        let onfinish = Callback::from(move |_| {
            operation.set(None);
            onchange.emit(());
        });
        html! { <OperationProgress operation={op} {onfinish} /> }
    });
    html! {
        <section class="job-actions" aria-label="Manage job">
            if can_manage {
                <form class="card" onsubmit={rename}>
                    <h3 class="card-title">{ "Rename" }</h3>
                    <label for="job-rename">{ "Name shown (mails still match by the reports' name)" }</label>
                    <input id="job-rename" type="text" ref={name_ref} maxlength="200" placeholder={props.job.job_name.clone()} />
                    <button class="btn" type="submit" disabled={*busy}>{ "Rename" }</button>
                    if let Some(original) = &props.job.original_name {
                        <button class="btn btn-ghost" type="button" onclick={restore_name} disabled={*busy}>
                            { format!("Back to “{original}”") }
                        </button>
                    }
                </form>
                <form class="card" onsubmit={move_to}>
                    <h3 class="card-title">{ "Move to another customer" }</h3>
                    <label for="job-move-customer">{ "Customer" }</label>
                    <select id="job-move-customer" ref={customer_ref}>
                        <option value="" selected=true>{ "Choose…" }</option>
                        { for customer_options.iter().filter(|c| c.active && c.id != props.job.customer_id).map(|c| html! {
                            <option value={c.id.clone()}>{ &c.name }</option>
                        }) }
                    </select>
                    <button class="btn" type="submit" disabled={*busy}>{ "Move job and its runs" }</button>
                </form>
                <div class="card">
                    <h3 class="card-title">{ "Merge" }</h3>
                    <label for="job-merge-from">{ "Merge this job's runs in from (after a rename in the backup software)" }</label>
                    <select id="job-merge-from" ref={merge_ref}>
                        <option value="" selected=true>{ "Choose a job…" }</option>
                        { for merge_options.iter().map(|j| html! {
                            <option value={j.id.clone()}>{ format!("{} — {}", j.customer_name, j.job_name) }</option>
                        }) }
                    </select>
                    <ConfirmButton label="Merge into this job" confirm="Merge: its runs move here for good?"
                        class="btn" onconfirm={merge} disabled={*busy} />
                </div>
                <div class="card">
                    <h3 class="card-title">{ if archived { "Archived" } else { "Archive" } }</h3>
                    <p class="muted">{
                        if archived { "Out of Run Checks; its mails are still kept and attached." }
                        else { "Leaves Run Checks; later mails are kept but raise nothing." }
                    }</p>
                    <button class="btn" type="button" onclick={toggle_archive} disabled={*busy}>
                        { if archived { "Unarchive" } else { "Archive job" } }
                    </button>
                </div>
            }
            if can_delete {
                <div class="card danger-zone">
                    <h3 class="card-title">{ "Undo approval or delete" }</h3>
                    <label for="job-confirm">{ format!("Type the job's name ({}) to confirm", props.job.job_name) }</label>
                    <input id="job-confirm" type="text" ref={confirm_ref} autocomplete="off" />
                    <div class="buttons">
                        <ConfirmButton label="Undo approval" confirm="Its mails go back to the Inbox. Sure?"
                            onconfirm={undo} disabled={*busy} />
                        <ConfirmButton label="Delete job with its runs" confirm="Delete the job and every run?"
                            onconfirm={delete} disabled={*busy} />
                    </div>
                </div>
            }
            { for progress }
        </section>
    }
}
