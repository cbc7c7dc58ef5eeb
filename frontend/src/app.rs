//! The root: the router, the sign-in check, and the layout around the page.
//! Signed out, every URL shows the sign-in form, so a deep link still
//! lands where it pointed after signing in.

use yew::platform::spawn_local;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::api::{self, ApiError};
use crate::components::{ErrorView, Layout, Loading};
use crate::pages::LoginPage;
use crate::route::{Route, switch};
use crate::session::{AuthAction, AuthHandle, AuthState, Session};
use crate::toast::ToastProvider;

#[component]
pub fn App() -> Html {
    html! {
        <BrowserRouter>
            <ToastProvider>
                <Root />
            </ToastProvider>
        </BrowserRouter>
    }
}

/// Reads the user and the settings every page needs.
pub async fn load_session() -> Result<Session, ApiError> {
    let me = api::auth::me().await?;
    // Settings are readable by every signed-in role; fall back to UTC rather
    // than locking someone out when they fail.
    let time_zone = api::settings::get().await.map(|s| s.time_zone).unwrap_or_else(|_| "UTC".into());
    Ok(Session { me, time_zone })
}

fn check_session(auth: AuthHandle) {
    spawn_local(async move {
        match load_session().await {
            Ok(s) => auth.dispatch(AuthAction::SignedIn(s)),
            Err(ApiError::Unauthorized) => auth.dispatch(AuthAction::SignedOut),
            Err(e) => auth.dispatch(AuthAction::Failed(e)),
        }
    });
}

#[component]
fn Root() -> Html {
    let auth = use_reducer(|| AuthState::Checking);
    {
        let auth = auth.clone();
        use_effect_with((), move |_| {
            let on_401 = auth.clone();
            api::on_unauthorized(Callback::from(move |_| on_401.dispatch(AuthAction::SignedOut)));
            check_session(auth);
        });
    }
    let body = match &*auth {
        AuthState::Checking => html! { <main class="center"><Loading what="Backupchecks" /></main> },
        AuthState::Failed(e) => {
            let auth = auth.clone();
            let retry = Callback::from(move |_| {
                auth.dispatch(AuthAction::Checking);
                check_session(auth.clone());
            });
            html! { <main class="center"><ErrorView error={e.clone()} onretry={Some(retry)} /></main> }
        }
        AuthState::SignedOut => html! { <LoginPage /> },
        AuthState::SignedIn(_) => html! {
            <Layout>
                <Switch<Route> render={switch} />
            </Layout>
        },
    };
    html! {
        <ContextProvider<AuthHandle> context={auth.clone()}>
            { body }
        </ContextProvider<AuthHandle>>
    }
}
