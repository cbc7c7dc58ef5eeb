//! An address no page answers to.

use yew::prelude::*;
use yew_router::prelude::*;

use crate::route::Route;

#[component]
pub fn NotFoundPage() -> Html {
    html! {
        <div class="state error" role="alert">
            <h1>{ "Page not found" }</h1>
            <p>{ "No page has this address." }</p>
            <Link<Route> to={Route::Home} classes="btn">{ "Go to the start page" }</Link<Route>>
        </div>
    }
}
