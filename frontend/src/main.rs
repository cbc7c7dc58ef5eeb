//! Backupchecks review UI: a Yew single-page app on the `/api/v1` JSON API.
//! The DTOs come from `bc-api-types`, the same crate the server uses, so the
//! two cannot drift apart.

mod api;
mod app;
mod components;
mod format;
mod hooks;
mod pages;
mod route;
mod session;
mod toast;

fn main() {
    yew::Renderer::<app::App>::new().render();
}
