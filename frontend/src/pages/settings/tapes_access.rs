//! Settings → Tapes: which roles may write tapes (register, edit, log jobs,
//! locations and custody). Admins always may; only admins delete; the
//! others read.

use bc_api_types::TapesAccess;
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::api;
use crate::components::{ErrorView, Loading};
use crate::hooks::use_fetch;
use crate::toast::use_notify;

#[component]
pub fn TapesAccessCard() -> Html {
    let notify = use_notify();
    let access = use_fetch((), |_| async { api::tapes::access().await });
    let toggle = |which: &'static str| {
        let (notify, reload, current) = (notify.clone(), access.reload.clone(), access.data.clone());
        Callback::from(move |_: Event| {
            let Some(a) = current.as_deref().copied() else { return };
            let next = match which {
                "operator" => TapesAccess { operator_writes: !a.operator_writes, ..a },
                "reporter" => TapesAccess { reporter_writes: !a.reporter_writes, ..a },
                _ => TapesAccess { viewer_writes: !a.viewer_writes, ..a },
            };
            let (notify, reload) = (notify.clone(), reload.clone());
            spawn_local(async move {
                match api::tapes::set_access(&next).await {
                    Ok(_) => notify.ok("Tape access saved"),
                    Err(e) => notify.error(e),
                }
                reload.emit(());
            });
        })
    };
    let body = match (&access.data, &access.error) {
        (_, Some(e)) => html! { <ErrorView error={e.clone()} onretry={Some(access.reload.clone())} /> },
        (None, None) => html! { <Loading what="tape access" /> },
        (Some(a), None) => html! {
            <fieldset>
                <legend>{ "Roles that may write tapes (admins always may)" }</legend>
                <label class="check"><input type="checkbox" id="tapes-operator" checked={a.operator_writes} onchange={toggle("operator")} />{ " Operators" }</label>
                <label class="check"><input type="checkbox" id="tapes-reporter" checked={a.reporter_writes} onchange={toggle("reporter")} />{ " Reporters" }</label>
                <label class="check"><input type="checkbox" id="tapes-viewer" checked={a.viewer_writes} onchange={toggle("viewer")} />{ " Viewers" }</label>
            </fieldset>
        },
    };
    html! {
        <section class="card" aria-labelledby="tapes-access-title">
            <h2 id="tapes-access-title" class="card-title">{ "Tapes" }</h2>
            { body }
            <p class="hint">{ "Roles not ticked see every tape, job, location and hand-off but change nothing. Deleting tapes and tape jobs stays with admins." }</p>
        </section>
    }
}
