//! Sign in. Shown for every URL while signed out, so a deep link opens
//! after signing in.

use web_sys::HtmlInputElement;
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::api::{self, ApiError};
use crate::app::load_session;
use crate::session::{AuthAction, AuthHandle};

#[component]
pub fn LoginPage() -> Html {
    let auth = use_context::<AuthHandle>();
    let username = use_node_ref();
    let password = use_node_ref();
    let error = use_state(|| None::<String>);
    let busy = use_state(|| false);
    {
        let username = username.clone();
        use_effect_with((), move |_| {
            if let Some(el) = username.cast::<HtmlInputElement>() {
                let _ = el.focus();
            }
        });
    }
    let onsubmit = {
        let (username, password, error, busy) = (username.clone(), password.clone(), error.clone(), busy.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let user = username.cast::<HtmlInputElement>().map(|i| i.value()).unwrap_or_default();
            let pass = password.cast::<HtmlInputElement>().map(|i| i.value()).unwrap_or_default();
            if user.trim().is_empty() || pass.is_empty() {
                error.set(Some("Enter your username and password.".into()));
                return;
            }
            busy.set(true);
            error.set(None);
            let (auth, error, busy) = (auth.clone(), error.clone(), busy.clone());
            spawn_local(async move {
                let result = match api::auth::login(user.trim(), &pass).await {
                    Ok(_) => load_session().await,
                    Err(e) => Err(e),
                };
                busy.set(false);
                match result {
                    Ok(s) => {
                        if let Some(a) = auth {
                            a.dispatch(AuthAction::SignedIn(s));
                        }
                    }
                    Err(ApiError::Unauthorized) => error.set(Some("Wrong username or password.".into())),
                    Err(e) => error.set(Some(e.to_string())),
                }
            });
        })
    };
    html! {
        <main class="login" id="main">
            <form class="card login-card" {onsubmit} aria-labelledby="login-title">
                <h1 id="login-title">{ "Backupchecks" }</h1>
                <p class="muted">{ "Sign in to review today's backup runs." }</p>
                if let Some(msg) = &*error {
                    <p class="alert alert-error" role="alert">{ msg }</p>
                }
                <label for="username">{ "Username" }</label>
                <input id="username" name="username" type="text" autocomplete="username" ref={username} required=true />
                <label for="password">{ "Password" }</label>
                <input id="password" name="password" type="password" autocomplete="current-password" ref={password} required=true />
                <button class="btn btn-primary" type="submit" disabled={*busy}>
                    { if *busy { "Signing in…" } else { "Sign in" } }
                </button>
            </form>
        </main>
    }
}
