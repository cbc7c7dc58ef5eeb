//! Loading, error and refusal states, so no page is ever blank or silent.

use bc_api_types::Role;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::api::ApiError;
use crate::route::Route;
use crate::session::use_session;

#[derive(Properties, PartialEq)]
pub struct LoadingProps {
    /// What is loading, for the screen reader: "Loading Run Checks…".
    pub what: AttrValue,
}

#[component]
pub fn Loading(props: &LoadingProps) -> Html {
    html! {
        <div class="state loading" role="status" aria-live="polite">
            <span class="spinner" aria-hidden="true"></span>
            { format!("Loading {}…", props.what) }
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct ErrorViewProps {
    pub error: ApiError,
    #[prop_or_default]
    pub onretry: Option<Callback<()>>,
}

#[component]
pub fn ErrorView(props: &ErrorViewProps) -> Html {
    let (title, class) = match &props.error {
        ApiError::Forbidden(_) => ("You do not have access", "state refused"),
        ApiError::NotFound(_) => ("Not found", "state error"),
        ApiError::Unauthorized => ("Signed out", "state error"),
        _ => ("Something went wrong", "state error"),
    };
    let retry = props.onretry.clone().map(|cb| {
        html! { <button class="btn" onclick={Callback::from(move |_| cb.emit(()))}>{ "Try again" }</button> }
    });
    html! {
        <div {class} role="alert">
            <h2>{ title }</h2>
            <p>{ props.error.to_string() }</p>
            { for retry }
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct RefusedProps {
    /// What the role may not do: "open Run Checks".
    pub what: AttrValue,
}

/// Shown instead of a page the role may not open.
#[component]
pub fn Refused(props: &RefusedProps) -> Html {
    let session = use_session();
    let role = session.me.role;
    let home = if role == Role::Viewer || role == Role::Reporter { Route::Jobs } else { Route::Home };
    html! {
        <div class="state refused" role="alert">
            <h1>{ "You do not have access" }</h1>
            <p>{ format!("Your role ({role}) may not {}.", props.what) }</p>
            <p>{ "Ask an admin if you need this." }</p>
            <Link<Route> to={home} classes="btn">{ "Go to a page you can use" }</Link<Route>>
        </div>
    }
}
