//! The Backup section (seed 001): Engines, Storage (with the capacity
//! chart), Policies (the form in its sections, hooks, replicas, hosts),
//! Hosts and Replicas; and the native backups' Dashboard, Jobs, Restore
//! and Protected Objects (issue 15). Every role with `backup.view` looks; forms and
//! buttons show only with `backup.manage` (registration secrets with
//! `backup.enroll`), and the server checks each call again.

mod dashboard;
mod engines;
mod hosts;
mod jobs;
mod objects;
mod platforms;
mod policies;
mod policy;
mod replicas;
pub(crate) mod restore;
mod storage;

pub use dashboard::BackupDashboardPage;
pub use engines::EnginesPage;
pub use hosts::HostsPage;
pub use jobs::BackupJobsPage;
pub use objects::BackupObjectsPage;
pub use platforms::PlatformsPage;
pub use policies::PoliciesPage;
pub use policy::PolicyPage;
pub use replicas::ReplicasPage;
pub use restore::BackupRestorePage;
pub use storage::StoragePage;

use bc_api_types::Permission;
use wasm_bindgen::JsCast;
use web_sys::{HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;
use yew_router::prelude::*;

use crate::route::Route;
use crate::session::use_session;

/// A storage target's health check or integrity verify (`(target id,
/// verify)`): queued as an engine job, its result lands on the target,
/// which `reload` then shows.
pub(crate) fn target_check(notify: &crate::toast::Notify, reload: &Callback<()>) -> Callback<(String, bool)> {
    let (notify, reload) = (notify.clone(), reload.clone());
    Callback::from(move |(id, verify): (String, bool)| {
        let (notify, reload) = (notify.clone(), reload.clone());
        wasm_bindgen_futures::spawn_local(async move {
            let r = if verify {
                crate::api::backup_runs::verify(&id).await
            } else {
                crate::api::backup_runs::health_check(&id).await
            };
            match r {
                Ok(_) => {
                    notify.ok(if verify { "Integrity verify queued" } else { "Health check queued" });
                    reload.emit(());
                }
                Err(e) => notify.error(e),
            }
        });
    })
}

/// The value of the input, select or textarea with this id ("" if none).
pub(crate) fn val(id: &str) -> String {
    let Some(el) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id(id)) else {
        return String::new();
    };
    if let Some(i) = el.dyn_ref::<HtmlInputElement>() {
        i.value()
    } else if let Some(s) = el.dyn_ref::<HtmlSelectElement>() {
        s.value()
    } else if let Some(t) = el.dyn_ref::<HtmlTextAreaElement>() {
        t.value()
    } else {
        String::new()
    }
}

fn element(id: &str) -> Option<web_sys::Element> {
    web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id(id))
}

/// Sets a field's starting value (forms read at submit set them once this
/// way, never through `value`, which a redraw would put back while someone
/// types; see hooks/field_value.rs).
pub(crate) fn set_val(id: &str, value: &str) {
    if let Some(el) = element(id) {
        if let Some(i) = el.dyn_ref::<HtmlInputElement>() {
            i.set_value(value);
        } else if let Some(s) = el.dyn_ref::<HtmlSelectElement>() {
            s.set_value(value);
        } else if let Some(t) = el.dyn_ref::<HtmlTextAreaElement>() {
            t.set_value(value);
        }
    }
}

pub(crate) fn set_checked(id: &str, on: bool) {
    if let Some(i) = element(id).and_then(|e| e.dyn_into::<HtmlInputElement>().ok()) {
        i.set_checked(on);
    }
}

/// Whether the checkbox with this id is ticked.
pub(crate) fn checked(id: &str) -> bool {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
        .and_then(|e| e.dyn_into::<HtmlInputElement>().ok())
        .is_some_and(|i| i.checked())
}

/// A trimmed value, `None` when empty.
pub(crate) fn opt(id: &str) -> Option<String> {
    Some(val(id).trim().to_string()).filter(|s| !s.is_empty())
}

/// A number field, `None` when empty or not a number.
pub(crate) fn num<T: std::str::FromStr>(id: &str) -> Option<T> {
    val(id).trim().parse().ok()
}

/// Bytes for people: 1.5 TB.
pub(crate) fn bytes(n: u64) -> String {
    let units = ["B", "KB", "MB", "GB", "TB", "PB"];
    let mut v = n as f64;
    let mut i = 0;
    while v >= 1000.0 && i < units.len() - 1 {
        v /= 1000.0;
        i += 1;
    }
    if i == 0 { format!("{n} B") } else { format!("{v:.1} {}", units[i]) }
}

#[derive(Properties, PartialEq)]
pub struct TabsProps {
    pub current: Route,
}

/// The Backup section's tabs.
#[component]
pub fn BackupTabs(props: &TabsProps) -> Html {
    let session = use_session();
    let tabs = [
        (Route::BackupDashboard, "Dashboard"),
        (Route::BackupJobs, "Jobs"),
        (Route::BackupRestore, "Restore"),
        (Route::BackupObjects, "Protected Objects"),
        (Route::BackupEngines, "Engines"),
        (Route::BackupStorage, "Storage"),
        (Route::BackupPolicies, "Policies"),
        (Route::BackupHosts, "Hosts"),
        (Route::BackupReplicas, "Replicas"),
        (Route::BackupPlatforms, "Platforms"),
    ];
    if !session.can(Permission::ViewBackup) {
        return html! {};
    }
    html! {
        <nav class="tabs page-tabs" aria-label="Backup">
            { for tabs.into_iter().map(|(to, label)| {
                let here = to == props.current;
                html! {
                    <Link<Route> {to} classes={classes!("tab", here.then_some("active"))}>
                        <span aria-current={here.then_some("page")}>{ label }</span>
                    </Link<Route>>
                }
            }) }
        </nav>
    }
}
