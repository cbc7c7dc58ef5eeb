//! One's own account: change the password; two-factor sign-in.

use web_sys::HtmlInputElement;
use yew::platform::spawn_local;
use yew::prelude::*;

use bc_api_types::{TwoFactorEnrolment, TwoFactorStatus};

use crate::api;
use crate::session::use_session;
use crate::toast::use_notify;

#[component]
pub fn AccountPage() -> Html {
    let session = use_session();
    let notify = use_notify();
    let current = use_node_ref();
    let new = use_node_ref();
    let repeat = use_node_ref();
    let error = use_state(|| None::<String>);
    let onsubmit = {
        let (current, new, repeat, error) = (current.clone(), new.clone(), repeat.clone(), error.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let val = |r: &NodeRef| r.cast::<HtmlInputElement>().map(|i| i.value()).unwrap_or_default();
            let (c, n, r) = (val(&current), val(&new), val(&repeat));
            if n != r {
                error.set(Some("The new passwords differ.".into()));
                return;
            }
            error.set(None);
            let (notify, error, fields) =
                (notify.clone(), error.clone(), [current.clone(), new.clone(), repeat.clone()]);
            spawn_local(async move {
                match api::auth::change_password(&c, &n).await {
                    Ok(()) => {
                        notify.ok("Password changed");
                        for f in fields.iter().filter_map(|f| f.cast::<HtmlInputElement>()) {
                            f.set_value("");
                        }
                    }
                    Err(e) => error.set(Some(e.to_string())),
                }
            });
        })
    };
    html! {
        <section class="page narrow">
            <h1>{ "Your account" }</h1>
            <p>{ format!("Signed in as {} with role {}.", session.me.username, session.me.role) }</p>
            <form class="card form" {onsubmit}>
                <h2>{ "Change password" }</h2>
                if let Some(msg) = &*error { <p class="alert alert-error" role="alert">{ msg }</p> }
                <label for="pw-current">{ "Current password" }</label>
                <input id="pw-current" type="password" autocomplete="current-password" ref={current} required=true />
                <label for="pw-new">{ "New password" }</label>
                <input id="pw-new" type="password" autocomplete="new-password" ref={new} required=true />
                <label for="pw-repeat">{ "New password again" }</label>
                <input id="pw-repeat" type="password" autocomplete="new-password" ref={repeat} required=true />
                <button class="btn btn-primary" type="submit">{ "Change password" }</button>
            </form>
            <TwoFactorSection />
        </section>
    }
}

/// Enrol (secret shown as text once, confirmed by a code; recovery codes
/// shown once) or disable (password and a code).
#[component]
fn TwoFactorSection() -> Html {
    let notify = use_notify();
    let status = use_state(|| None::<TwoFactorStatus>);
    let enrolment = use_state(|| None::<TwoFactorEnrolment>);
    let recovery = use_state(Vec::<String>::new);
    let error = use_state(|| None::<String>);
    let code = use_node_ref();
    let password = use_node_ref();
    let reload = {
        let status = status.clone();
        Callback::from(move |_: ()| {
            let status = status.clone();
            spawn_local(async move {
                if let Ok(s) = api::auth::two_factor().await {
                    status.set(Some(s));
                }
            });
        })
    };
    {
        let reload = reload.clone();
        use_effect_with((), move |_| reload.emit(()));
    }
    let val = |r: &NodeRef| r.cast::<HtmlInputElement>().map(|i| i.value()).unwrap_or_default();
    let start = {
        let (enrolment, error) = (enrolment.clone(), error.clone());
        Callback::from(move |_: MouseEvent| {
            let (enrolment, error) = (enrolment.clone(), error.clone());
            spawn_local(async move {
                match api::auth::enrol_two_factor().await {
                    Ok(e) => enrolment.set(Some(e)),
                    Err(e) => error.set(Some(e.to_string())),
                }
            });
        })
    };
    let confirm = {
        let (code, enrolment, recovery, error, reload, notify) =
            (code.clone(), enrolment.clone(), recovery.clone(), error.clone(), reload.clone(), notify.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let c = val(&code);
            let (enrolment, recovery, error, reload, notify) =
                (enrolment.clone(), recovery.clone(), error.clone(), reload.clone(), notify.clone());
            spawn_local(async move {
                match api::auth::confirm_two_factor(&c).await {
                    Ok(rc) => {
                        enrolment.set(None);
                        recovery.set(rc.codes);
                        error.set(None);
                        notify.ok("Two-factor sign-in is on");
                        reload.emit(());
                    }
                    Err(api::ApiError::Unauthorized) => error.set(Some("Wrong code, or it expired.".into())),
                    Err(e) => error.set(Some(e.to_string())),
                }
            });
        })
    };
    let disable = {
        let (code, password, error, reload, notify, recovery) =
            (code.clone(), password.clone(), error.clone(), reload.clone(), notify.clone(), recovery.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let (c, p) = (val(&code), val(&password));
            let (error, reload, notify, recovery) = (error.clone(), reload.clone(), notify.clone(), recovery.clone());
            spawn_local(async move {
                match api::auth::disable_two_factor(&p, &c).await {
                    Ok(()) => {
                        error.set(None);
                        recovery.set(Vec::new());
                        notify.ok("Two-factor sign-in is off");
                        reload.emit(());
                    }
                    Err(e) => error.set(Some(e.to_string())),
                }
            });
        })
    };
    let Some(st) = (*status).clone() else { return html! {} };
    html! {
        <div class="card form" id="two-factor">
            <h2>{ "Two-factor sign-in" }</h2>
            if let Some(msg) = &*error { <p class="alert alert-error" role="alert">{ msg }</p> }
            if !recovery.is_empty() {
                <p>{ "Recovery codes, shown once. Each signs you in once in place of a code:" }</p>
                <ul id="recovery-codes">{ for recovery.iter().map(|c| html! { <li><code>{ c }</code></li> }) }</ul>
            }
            if st.enrolled {
                <p>{ format!("On. {} recovery codes left.", st.recovery_codes_left) }</p>
                if st.required {
                    <p class="muted">{ "An admin requires two-factor sign-in for every user." }</p>
                } else {
                    <form onsubmit={disable}>
                        <label for="tf-password">{ "Password" }</label>
                        <input id="tf-password" type="password" autocomplete="current-password" ref={password} required=true />
                        <label for="tf-code">{ "Code or recovery code" }</label>
                        <input id="tf-code" type="text" autocomplete="one-time-code" ref={code} required=true />
                        <button class="btn" type="submit">{ "Turn off" }</button>
                    </form>
                }
            } else if let Some(e) = &*enrolment {
                <p>{ "Add this secret to an authenticator app, then enter the code it shows." }</p>
                <p>{ "Secret: " }<code id="two-factor-secret">{ &e.secret }</code></p>
                <p class="muted small">{ "Link: " }<code id="two-factor-uri">{ &e.otpauth_uri }</code></p>
                <form onsubmit={confirm}>
                    <label for="tf-code">{ "Code" }</label>
                    <input id="tf-code" type="text" inputmode="numeric" autocomplete="one-time-code" ref={code} required=true />
                    <button class="btn btn-primary" type="submit">{ "Turn on" }</button>
                </form>
            } else {
                <p>{ "Off. With it on, signing in asks for a code of an authenticator app after the password." }</p>
                <button class="btn btn-primary" type="button" id="two-factor-start" onclick={start}>{ "Set up" }</button>
            }
        </div>
    }
}
