//! Settings (admins): the time zone every time in the UI is shown in.

use bc_api_types::Settings;
use web_sys::HtmlInputElement;
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::api;
use crate::components::{ErrorView, Loading};
use crate::format;
use crate::hooks::use_fetch;
use crate::session::{AuthAction, AuthHandle};
use crate::toast::use_notify;

#[component]
pub fn SettingsPage() -> Html {
    let notify = use_notify();
    let auth = use_context::<AuthHandle>();
    let settings = use_fetch((), |_| async { api::settings::get().await });
    let zones = use_memo((), |_| format::time_zones());
    let tz_ref = use_node_ref();

    let onsubmit = {
        let (tz_ref, notify, reload) = (tz_ref.clone(), notify.clone(), settings.reload.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let tz = tz_ref.cast::<HtmlInputElement>().map(|i| i.value()).unwrap_or_default();
            let (notify, reload, auth) = (notify.clone(), reload.clone(), auth.clone());
            spawn_local(async move {
                match api::settings::put(&Settings { time_zone: tz.trim().to_string() }).await {
                    Ok(s) => {
                        notify.ok(format!("Times are now shown in {}", s.time_zone));
                        if let Some(a) = auth {
                            a.dispatch(AuthAction::SetTimeZone(s.time_zone));
                        }
                        reload.emit(());
                    }
                    Err(e) => notify.error(e),
                }
            });
        })
    };
    let body = match (&settings.data, &settings.error) {
        (_, Some(e)) => html! { <ErrorView error={e.clone()} onretry={Some(settings.reload.clone())} /> },
        (None, None) => html! { <Loading what="settings" /> },
        (Some(s), None) => html! {
            <form class="card form" {onsubmit}>
                <label for="s-tz">{ "Time zone" }</label>
                <input id="s-tz" type="text" list="tz-list" ref={tz_ref} value={s.time_zone.clone()} required=true
                       aria-describedby="s-tz-help" />
                <datalist id="tz-list">{ for zones.iter().map(|z| html! { <option value={z.clone()} /> }) }</datalist>
                <p id="s-tz-help" class="hint">{ "An IANA zone such as Europe/Amsterdam. All times in the UI are shown in it." }</p>
                <button class="btn btn-primary" type="submit">{ "Save" }</button>
            </form>
        },
    };
    html! {
        <section class="page narrow">
            <h1>{ "Settings" }</h1>
            { body }
        </section>
    }
}
