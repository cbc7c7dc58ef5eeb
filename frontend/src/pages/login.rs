//! Sign in. Shown for every URL while signed out, so a deep link opens
//! after signing in. With two-factor sign-in a second step follows the
//! password: a code (or recovery code), or enrolment when an admin requires
//! two-factor and the user has none yet.

use bc_api_types::{TwoFactorEnrolment, TwoFactorStep};
use web_sys::HtmlInputElement;
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::api::auth::LoginReply;
use crate::api::{self, ApiError};
use crate::app::load_session;
use crate::session::{AuthAction, AuthHandle};

#[derive(Clone, PartialEq)]
enum Stage {
    Password,
    Code,
    /// Enrolment is required; the secret once fetched.
    Enrol(Option<TwoFactorEnrolment>),
    /// Enrolled during sign-in: the recovery codes, shown once.
    RecoveryCodes(Vec<String>),
}

fn value(r: &NodeRef) -> String {
    r.cast::<HtmlInputElement>().map(|i| i.value()).unwrap_or_default()
}

fn signed_in(auth: Option<AuthHandle>, error: UseStateHandle<Option<String>>) {
    spawn_local(async move {
        match load_session().await {
            Ok(s) => {
                if let Some(a) = auth {
                    a.dispatch(AuthAction::SignedIn(s));
                }
            }
            Err(e) => error.set(Some(e.to_string())),
        }
    });
}

#[component]
pub fn LoginPage() -> Html {
    let auth = use_context::<AuthHandle>();
    let username = use_node_ref();
    let password = use_node_ref();
    let code = use_node_ref();
    let error = use_state(|| None::<String>);
    let busy = use_state(|| false);
    let stage = use_state(|| Stage::Password);
    {
        let (username, code) = (username.clone(), code.clone());
        use_effect_with((*stage).clone(), move |_| {
            for r in [&code, &username] {
                if let Some(el) = r.cast::<HtmlInputElement>() {
                    let _ = el.focus();
                    break;
                }
            }
        });
    }
    let onsubmit = {
        let (username, password, error, busy, stage, auth) =
            (username.clone(), password.clone(), error.clone(), busy.clone(), stage.clone(), auth.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let (user, pass) = (value(&username), value(&password));
            if user.trim().is_empty() || pass.is_empty() {
                error.set(Some("Enter your username and password.".into()));
                return;
            }
            busy.set(true);
            error.set(None);
            let (auth, error, busy, stage) = (auth.clone(), error.clone(), busy.clone(), stage.clone());
            spawn_local(async move {
                let result = api::auth::login(user.trim(), &pass).await;
                busy.set(false);
                match result {
                    Ok(LoginReply::SignedIn(_)) => signed_in(auth, error),
                    Ok(LoginReply::SecondStep(c)) => match c.step {
                        TwoFactorStep::Code => stage.set(Stage::Code),
                        TwoFactorStep::Enrol => match api::auth::enrol_two_factor().await {
                            Ok(e) => stage.set(Stage::Enrol(Some(e))),
                            Err(e) => error.set(Some(e.to_string())),
                        },
                    },
                    Err(ApiError::Unauthorized) => error.set(Some("Wrong username or password.".into())),
                    Err(e) => error.set(Some(e.to_string())),
                }
            });
        })
    };
    let on_code = {
        let (code, error, busy, stage, auth) = (code.clone(), error.clone(), busy.clone(), stage.clone(), auth.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let c = value(&code);
            if c.trim().is_empty() {
                return;
            }
            busy.set(true);
            error.set(None);
            let (auth, error, busy, stage) = (auth.clone(), error.clone(), busy.clone(), stage.clone());
            let enrolling = matches!(*stage, Stage::Enrol(_));
            spawn_local(async move {
                if enrolling {
                    match api::auth::confirm_two_factor(&c).await {
                        Ok(rc) => stage.set(Stage::RecoveryCodes(rc.codes)),
                        Err(ApiError::Unauthorized) => {
                            error.set(Some("Wrong code, or it expired. Try the next one.".into()))
                        }
                        Err(e) => error.set(Some(e.to_string())),
                    }
                } else {
                    match api::auth::login_code(&c).await {
                        Ok(_) => signed_in(auth, error),
                        Err(ApiError::Unauthorized) => error
                            .set(Some("Wrong or already used code. Sign-in steps expire after five minutes.".into())),
                        Err(e) => error.set(Some(e.to_string())),
                    }
                }
                busy.set(false);
            });
        })
    };
    let on_continue = {
        let (auth, error) = (auth.clone(), error.clone());
        Callback::from(move |_: MouseEvent| signed_in(auth.clone(), error.clone()))
    };
    let alert = html! { if let Some(msg) = &*error { <p class="alert alert-error" role="alert">{ msg }</p> } };
    let code_field = html! {
        <>
            <label for="two-factor-code">{ "Code" }</label>
            <input id="two-factor-code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code"
                ref={code.clone()} required=true />
            <button class="btn btn-primary" type="submit" disabled={*busy}>
                { if *busy { "Checking…" } else { "Continue" } }
            </button>
        </>
    };
    let body = match &*stage {
        Stage::Password => html! {
            <form class="card login-card" {onsubmit} aria-labelledby="login-title">
                <h1 id="login-title">{ "Backupchecks" }</h1>
                <p class="muted">{ "Sign in to review today's backup runs." }</p>
                { alert }
                <label for="username">{ "Username" }</label>
                <input id="username" name="username" type="text" autocomplete="username" ref={username} required=true />
                <label for="password">{ "Password" }</label>
                <input id="password" name="password" type="password" autocomplete="current-password" ref={password} required=true />
                <button class="btn btn-primary" type="submit" disabled={*busy}>
                    { if *busy { "Signing in…" } else { "Sign in" } }
                </button>
            </form>
        },
        Stage::Code => html! {
            <form class="card login-card" onsubmit={on_code} aria-labelledby="login-title">
                <h1 id="login-title">{ "Two-factor sign-in" }</h1>
                <p class="muted">{ "Enter the 6-digit code of your authenticator app, or one of your recovery codes." }</p>
                { alert }
                { code_field }
            </form>
        },
        Stage::Enrol(e) => html! {
            <form class="card login-card" onsubmit={on_code} aria-labelledby="login-title">
                <h1 id="login-title">{ "Set up two-factor sign-in" }</h1>
                <p class="muted">{ "An admin requires a second factor for every user. Add this secret to an authenticator app, then enter the code it shows." }</p>
                { alert }
                if let Some(e) = e {
                    <p>{ "Secret: " }<code id="two-factor-secret">{ &e.secret }</code></p>
                    <p class="muted small">{ "Link: " }<code id="two-factor-uri">{ &e.otpauth_uri }</code></p>
                }
                { code_field }
            </form>
        },
        Stage::RecoveryCodes(codes) => html! {
            <div class="card login-card">
                <h1 id="login-title">{ "Recovery codes" }</h1>
                <p>{ "Keep these somewhere safe. Each signs you in once if you lose your phone; they are not shown again." }</p>
                { alert }
                <ul id="recovery-codes">{ for codes.iter().map(|c| html! { <li><code>{ c }</code></li> }) }</ul>
                <button class="btn btn-primary" type="button" onclick={on_continue}>{ "Continue" }</button>
            </div>
        },
    };
    html! { <main class="login" id="main">{ body }</main> }
}
