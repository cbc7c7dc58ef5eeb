//! Settings (admins): the time zone every time in the UI is shown in, a
//! test mail to check outgoing mail, and the keyword rules for senders no
//! product parser reads; API tokens on their own tab.

mod alerts;
mod api_tokens;
mod intake;
mod integrations;
mod keyword_rules;
mod tapes_access;

pub use alerts::AlertsPage;
pub use api_tokens::ApiTokensPage;
pub use integrations::IntegrationsPage;

use bc_api_types::{Permission, Settings};
use web_sys::HtmlInputElement;
use yew::platform::spawn_local;
use yew::prelude::*;
use yew_router::prelude::*;

use self::intake::IntakeCard;
use self::keyword_rules::KeywordRulesCard;
use self::tapes_access::TapesAccessCard;
use crate::api;
use crate::components::{ErrorView, Loading};
use crate::format;
use crate::hooks::{use_fetch, use_field_value};
use crate::route::Route;
use crate::session::{AuthAction, AuthHandle, use_session};
use crate::toast::use_notify;

#[component]
pub fn SettingsPage() -> Html {
    let notify = use_notify();
    let auth = use_context::<AuthHandle>();
    let settings = use_fetch((), |_| async { api::settings::get().await });
    let zones = use_memo((), |_| format::time_zones());
    let tz_ref = use_node_ref();
    use_field_value(&tz_ref, settings.data.as_ref().map(|s| s.time_zone.clone()).unwrap_or_default());
    let to_ref = use_node_ref();
    let sending = use_state(|| false);

    let save_tz = {
        let (tz_ref, notify, reload) = (tz_ref.clone(), notify.clone(), settings.reload.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let tz = tz_ref.cast::<HtmlInputElement>().map(|i| i.value()).unwrap_or_default();
            let (notify, reload, auth) = (notify.clone(), reload.clone(), auth.clone());
            spawn_local(async move {
                match api::settings::put(&Settings {
                    time_zone: tz.trim().to_string(),
                    require_two_factor: None,
                    trusted_authserv_ids: None,
                    hold_failed_authentication: None,
                    tickets: None,
                    day_cutover: None,
                })
                .await
                {
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
    let send_test_mail = {
        let (to_ref, notify, sending) = (to_ref.clone(), notify.clone(), sending.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let to = to_ref.cast::<HtmlInputElement>().map(|i| i.value()).unwrap_or_default().trim().to_string();
            if to.is_empty() || *sending {
                return;
            }
            sending.set(true);
            let (notify, sending) = (notify.clone(), sending.clone());
            spawn_local(async move {
                match api::settings::test_mail(&to).await {
                    Ok(()) => notify.ok(format!("Test mail to {to} queued")),
                    Err(e) => notify.error(e),
                }
                sending.set(false);
            });
        })
    };
    let set_required = {
        let (notify, reload, data) = (notify.clone(), settings.reload.clone(), settings.data.clone());
        Callback::from(move |e: Event| {
            let on = e.target_unchecked_into::<HtmlInputElement>().checked();
            let Some(s) = data.clone() else { return };
            let (notify, reload) = (notify.clone(), reload.clone());
            spawn_local(async move {
                let body = Settings {
                    time_zone: s.time_zone.clone(),
                    require_two_factor: Some(on),
                    trusted_authserv_ids: None,
                    hold_failed_authentication: None,
                    tickets: None,
                    day_cutover: None,
                };
                match api::settings::put(&body).await {
                    Ok(_) if on => notify.ok("Two-factor sign-in is now required for every user"),
                    Ok(_) => notify.ok("Two-factor sign-in is now optional"),
                    Err(e) => notify.error(e),
                }
                reload.emit(());
            });
        })
    };
    let required = settings.data.as_ref().and_then(|s| s.require_two_factor).unwrap_or(false);
    let time_zone = match (&settings.data, &settings.error) {
        (_, Some(e)) => html! { <ErrorView error={e.clone()} onretry={Some(settings.reload.clone())} /> },
        (None, None) => html! { <Loading what="settings" /> },
        (Some(_), None) => html! {
            <form class="form" onsubmit={save_tz}>
                <label for="s-tz">{ "Show times in" }</label>
                <input id="s-tz" type="text" list="tz-list" ref={tz_ref.clone()} required=true
                       aria-describedby="s-tz-help" />
                <datalist id="tz-list">{ for zones.iter().map(|z| html! { <option value={z.clone()} /> }) }</datalist>
                <p id="s-tz-help" class="hint">{ "An IANA zone such as Europe/Amsterdam. All times in the UI are shown in it." }</p>
                <button class="btn btn-primary" type="submit" data-testid="save-tz">{ "Save time zone" }</button>
            </form>
        },
    };
    html! {
        <section class="page">
            <h1>{ "Settings" }</h1>
            <SettingsTabs current={Route::Settings} />
            <div class="settings-grid">
                <section class="card" aria-labelledby="s-tz-title">
                    <h2 id="s-tz-title" class="card-title">{ "Time zone" }</h2>
                    { time_zone }
                </section>
                <section class="card" aria-labelledby="s-mail-title">
                    <h2 id="s-mail-title" class="card-title">{ "Send a test mail" }</h2>
                    <form class="form" onsubmit={send_test_mail}>
                        <label for="s-mail-to">{ "Send to" }</label>
                        <input id="s-mail-to" type="email" ref={to_ref} required=true placeholder="you@example.com"
                               autocomplete="email" aria-describedby="s-mail-help" />
                        <p id="s-mail-help" class="hint">
                            { "Checks outgoing mail. The mail is queued and goes out within a minute; a local install \
                               (backupchecks serve) writes it to outbox/ in its data folder as an .eml file." }
                        </p>
                        <button class="btn" type="submit" disabled={*sending} data-testid="send-test-mail">{ "Send test mail" }</button>
                    </form>
                </section>
                <CutoverCard />
                <section class="card" aria-labelledby="s-2fa-title">
                    <h2 id="s-2fa-title" class="card-title">{ "Two-factor sign-in" }</h2>
                    <label class="check">
                        <input id="s-require-2fa" type="checkbox" checked={required} onchange={set_required}
                               disabled={settings.data.is_none()} />
                        { " Require two-factor sign-in for every user" }
                    </label>
                    <p class="hint">
                        { "Users without it are sent to set it up after their password and can do nothing else \
                           until they have. Set it up for yourself first (Your account)." }
                    </p>
                </section>
            </div>
            <IntakeCard />
            <KeywordRulesCard />
            <TapesAccessCard />
        </section>
    }
}

#[derive(Properties, PartialEq)]
pub struct SettingsTabsProps {
    pub current: Route,
}

/// The tabs of Settings the role may open.
#[component]
pub fn SettingsTabs(props: &SettingsTabsProps) -> Html {
    let session = use_session();
    let tabs = [
        (Route::Settings, "General", Permission::ManageSettings),
        (Route::ApiTokens, "API tokens", Permission::ManageApiTokens),
        (Route::Integrations, "Integrations", Permission::ManageSettings),
        (Route::Alerts, "Alerts", Permission::ManageAlerts),
    ];
    html! {
        <nav class="tabs page-tabs" aria-label="Settings">
            { for tabs.into_iter().filter(|(_, _, p)| session.can(*p)).map(|(to, label, _)| {
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

/// The business-day cut-over: a run before it counts for the day before
/// (Daily Jobs, the digest, reports).
#[component]
fn CutoverCard() -> Html {
    let notify = use_notify();
    let settings = use_fetch((), |_| async { api::settings::get().await });
    let cut_ref = use_node_ref();
    use_field_value(
        &cut_ref,
        settings.data.as_ref().and_then(|s| s.day_cutover.clone()).unwrap_or_else(|| "00:00".into()),
    );
    let save = {
        let (cut_ref, notify, reload, data) =
            (cut_ref.clone(), notify.clone(), settings.reload.clone(), settings.data.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let Some(s) = data.as_ref() else { return };
            let cut = cut_ref.cast::<HtmlInputElement>().map(|i| i.value()).unwrap_or_default();
            let body = Settings {
                time_zone: s.time_zone.clone(),
                require_two_factor: None,
                trusted_authserv_ids: None,
                hold_failed_authentication: None,
                tickets: None,
                day_cutover: Some(cut.trim().to_string()),
            };
            let (notify, reload) = (notify.clone(), reload.clone());
            spawn_local(async move {
                match api::settings::put(&body).await {
                    Ok(s) => {
                        notify.ok(format!("A backup day now starts at {}", s.day_cutover.unwrap_or_default()));
                        reload.emit(());
                    }
                    Err(e) => notify.error(e),
                }
            });
        })
    };
    html! {
        <section class="card" aria-labelledby="s-cut-title">
            <h2 id="s-cut-title" class="card-title">{ "Backup day" }</h2>
            <form class="form" onsubmit={save}>
                <label for="s-cutover">{ "A backup day starts at" }</label>
                <input id="s-cutover" type="time" ref={cut_ref} required=true aria-describedby="s-cut-help" />
                <p id="s-cut-help" class="hint">
                    { "A run that starts before this time belongs to the previous evening's backup day, in Daily \
                       Jobs, the morning digest and reports. E.g. 06:00: a run at 01:30 counts for the night before." }
                </p>
                <button class="btn" type="submit" data-testid="save-cutover">{ "Save" }</button>
            </form>
        </section>
    }
}
