//! Every page has its own URL; a run's detail too (`/runs/{id}`), so links
//! can be shared. Pages the role may not open show a clear refusal instead
//! of asking the server for a 403.

use std::cell::RefCell;

use serde::{Deserialize, Serialize};
use yew::prelude::*;
use yew_router::prelude::*;

use crate::components::Refused;
use crate::pages;
use crate::session::{perm, use_session};

#[derive(Debug, Clone, PartialEq, Routable)]
pub enum Route {
    #[at("/")]
    Home,
    #[at("/login")]
    Login,
    #[at("/run-checks")]
    RunChecks,
    #[at("/runs/:id")]
    Run { id: String },
    #[at("/inbox")]
    Inbox,
    #[at("/inbox/deleted")]
    DeletedMails,
    #[at("/inbox/:id")]
    InboxMail { id: String },
    #[at("/jobs")]
    Jobs,
    #[at("/jobs/:id")]
    Job { id: String },
    #[at("/customers")]
    Customers,
    #[at("/users")]
    Users,
    #[at("/settings")]
    Settings,
    #[at("/account")]
    Account,
    #[not_found]
    #[at("/404")]
    NotFound,
}

/// The Jobs filters as they stand in the URL (`/jobs?customer_id=…`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct JobsQuery {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub customer_id: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub software: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub status: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub q: String,
}

thread_local! {
    /// The last page shown that is not a run detail: where closing the
    /// detail returns to (Run Checks, a job's history, ...).
    static LAST_PAGE: RefCell<Option<Route>> = const { RefCell::new(None) };
}

/// Notes the page on screen (called on every route change).
pub fn remember(route: &Route) {
    if !matches!(route, Route::Run { .. } | Route::Login | Route::Home | Route::NotFound) {
        LAST_PAGE.with(|p| *p.borrow_mut() = Some(route.clone()));
    }
}

/// Where closing a run detail goes: the page it was opened from, else Run Checks.
pub fn return_route() -> Route {
    LAST_PAGE.with(|p| p.borrow().clone()).unwrap_or(Route::RunChecks)
}

pub fn switch(route: Route) -> Html {
    html! { <RoutePage {route} /> }
}

#[derive(Properties, PartialEq)]
struct RoutePageProps {
    route: Route,
}

/// The permission a route needs, and how the refusal names it.
fn requirement(route: &Route) -> Option<(&'static str, &'static str)> {
    match route {
        Route::RunChecks => Some((perm::VIEW_RUN_CHECKS, "open Run Checks")),
        Route::Inbox | Route::InboxMail { .. } => Some((perm::VIEW_INBOX, "open the Inbox")),
        Route::DeletedMails => Some((perm::VIEW_DELETED_MAIL, "see deleted mails")),
        Route::Jobs | Route::Job { .. } | Route::Run { .. } => Some((perm::VIEW_JOBS, "see jobs and runs")),
        Route::Customers => Some((perm::VIEW_CUSTOMERS, "see customers")),
        Route::Users => Some((perm::MANAGE_USERS, "manage users")),
        Route::Settings => Some((perm::MANAGE_SETTINGS, "change settings")),
        Route::Home | Route::Login | Route::Account | Route::NotFound => None,
    }
}

#[component]
fn RoutePage(props: &RoutePageProps) -> Html {
    let session = use_session();
    if let Some((p, what)) = requirement(&props.route)
        && !session.can(p)
    {
        return html! { <Refused what={what} /> };
    }
    match &props.route {
        Route::Home | Route::Login => {
            let to = if session.can(perm::VIEW_RUN_CHECKS) { Route::RunChecks } else { Route::Jobs };
            html! { <Redirect<Route> {to} /> }
        }
        // The run detail is a modal for those who use Run Checks: over a job's
        // history when opened from there, else over the Run Checks list (a
        // deep link too); the page behind stays where it was.
        Route::RunChecks => html! { <pages::RunChecksPage open_run={None::<AttrValue>} /> },
        Route::Run { id } if session.can(perm::VIEW_RUN_CHECKS) => match return_route() {
            Route::Job { id: job } => {
                html! { <pages::JobPage key={job.clone()} id={job.clone()} open_run={Some(AttrValue::from(id.clone()))} /> }
            }
            _ => html! { <pages::RunChecksPage open_run={Some(AttrValue::from(id.clone()))} /> },
        },
        Route::Run { id } => html! { <pages::RunPage id={id.clone()} /> },
        // Keyed, so the Inbox and the deleted list never share paging or selection.
        Route::Inbox => html! { <pages::InboxPage key="inbox" deleted=false /> },
        Route::DeletedMails => html! { <pages::InboxPage key="deleted" deleted=true /> },
        Route::InboxMail { id } => html! { <pages::InboxMailPage id={id.clone()} /> },
        Route::Jobs => html! { <pages::JobsPage /> },
        Route::Job { id } => html! { <pages::JobPage key={id.clone()} id={id.clone()} open_run={None::<AttrValue>} /> },
        Route::Customers => html! { <pages::CustomersPage /> },
        Route::Users => html! { <pages::UsersPage /> },
        Route::Settings => html! { <pages::SettingsPage /> },
        Route::Account => html! { <pages::AccountPage /> },
        Route::NotFound => html! { <pages::NotFoundPage /> },
    }
}
