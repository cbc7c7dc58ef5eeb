//! Inbound mail: whose verdicts are trusted (the authserv-id of the
//! receiving server's `Authentication-Results` header) and whether mails
//! that fail authentication are held from becoming runs.

use bc_api_types::Settings;
use web_sys::HtmlInputElement;
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::api;
use crate::hooks::{use_fetch, use_field_value};
use crate::toast::use_notify;

#[component]
pub fn IntakeCard() -> Html {
    let notify = use_notify();
    let settings = use_fetch((), |_| async { api::settings::get().await });
    let ids_ref = use_node_ref();
    let ids = settings.data.as_ref().and_then(|s| s.trusted_authserv_ids.clone()).unwrap_or_default();
    use_field_value(&ids_ref, ids.join(", "));
    let hold = settings.data.as_ref().and_then(|s| s.hold_failed_authentication).unwrap_or(true);

    let put = {
        let (notify, reload, data) = (notify.clone(), settings.reload.clone(), settings.data.clone());
        move |trusted: Option<Vec<String>>, hold: Option<bool>, done: &'static str| {
            let Some(s) = data.clone() else { return };
            let (notify, reload) = (notify.clone(), reload.clone());
            spawn_local(async move {
                let body = Settings {
                    time_zone: s.time_zone.clone(),
                    require_two_factor: None,
                    trusted_authserv_ids: trusted,
                    hold_failed_authentication: hold,
                    tickets: None,
                    day_cutover: None,
                };
                match api::settings::put(&body).await {
                    Ok(_) => notify.ok(done),
                    Err(e) => notify.error(e),
                }
                reload.emit(());
            });
        }
    };
    let save_ids = {
        let (ids_ref, put) = (ids_ref.clone(), put.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let text = ids_ref.cast::<HtmlInputElement>().map(|i| i.value()).unwrap_or_default();
            let list: Vec<String> =
                text.split([',', ' ']).map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect();
            put(Some(list), None, "Trusted receiving servers saved");
        })
    };
    let set_hold = Callback::from(move |e: Event| {
        let on = e.target_unchecked_into::<HtmlInputElement>().checked();
        put(
            None,
            Some(on),
            if on { "Mails that fail authentication are held" } else { "Mails that fail authentication are processed" },
        );
    });
    html! {
        <section class="card" aria-labelledby="s-intake-title">
            <h2 id="s-intake-title" class="card-title">{ "Inbound mail" }</h2>
            <form class="form" onsubmit={save_ids}>
                <label for="s-authserv">{ "Trusted receiving servers (authserv-ids)" }</label>
                <input id="s-authserv" type="text" ref={ids_ref} placeholder="mx.example.com"
                       aria-describedby="s-authserv-help" disabled={settings.data.is_none()} />
                <p id="s-authserv-help" class="hint">
                    { "SPF, DKIM and DMARC verdicts are read from the topmost Authentication-Results header only \
                       when it names one of these servers. On AWS amazonses.com is trusted by default (it also \
                       gives the spam and virus verdicts); locally none is until you name your mail server." }
                </p>
                <button class="btn" type="submit" data-testid="save-authserv">{ "Save trusted servers" }</button>
            </form>
            <label class="check">
                <input id="s-hold-auth" type="checkbox" checked={hold} onchange={set_hold}
                       disabled={settings.data.is_none()} />
                { " Hold mails that fail authentication" }
            </label>
            <p class="hint">
                { "On by default. A mail whose DMARC check failed (or, without a DMARC result, whose SPF and DKIM \
                   checks both failed) then waits in the Inbox, flagged, instead of becoming a run of its approved \
                   job; an operator can process it by hand. A virus verdict always quarantines the mail." }
            </p>
        </section>
    }
}
