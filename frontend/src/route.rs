//! Every page has its own URL; a run's detail too (`/runs/{id}`), so links
//! can be shared. Pages the role may not open show a clear refusal instead
//! of asking the server for a 403.

use bc_api_types::Permission;
use std::cell::RefCell;

use serde::{Deserialize, Serialize};
use yew::prelude::*;
use yew_router::prelude::*;

use crate::components::Refused;
use crate::pages;
use crate::session::use_session;

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
    #[at("/inbox/quarantine")]
    Quarantine,
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
    #[at("/settings/api-tokens")]
    ApiTokens,
    #[at("/settings/integrations")]
    Integrations,
    #[at("/settings/alerts")]
    Alerts,
    #[at("/audit")]
    Audit,
    #[at("/overrides")]
    Overrides,
    #[at("/reviewed")]
    Reviewed,
    #[at("/reports")]
    Reports,
    #[at("/daily-jobs")]
    DailyJobs,
    #[at("/tapes")]
    Tapes,
    #[at("/tapes/:id")]
    Tape { id: String },
    #[at("/tape-jobs/:id")]
    TapeJob { id: String },
    #[at("/account")]
    Account,
    #[at("/backup/engines")]
    BackupEngines,
    #[at("/backup/storage")]
    BackupStorage,
    #[at("/backup/policies")]
    BackupPolicies,
    #[at("/backup/policies/:id")]
    BackupPolicy { id: String },
    #[at("/backup/hosts")]
    BackupHosts,
    #[at("/backup/replicas")]
    BackupReplicas,
    #[at("/backup/dashboard")]
    BackupDashboard,
    #[at("/backup/jobs")]
    BackupJobs,
    #[at("/backup/restore")]
    BackupRestore,
    #[at("/backup/objects")]
    BackupObjects,
    #[at("/backup/platforms")]
    BackupPlatforms,
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
    /// "" (jobs not archived), "true" (archived ones) or "all".
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub archived: String,
}

/// The Run Checks filters as they stand in the URL
/// (`/run-checks?status=Failed&customer_id=…`). `limit` (jobs per page) is
/// not offered in the UI; a link may set it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RunChecksQuery {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub customer_id: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub status: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub software: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub limit: String,
}

/// A new override prefilled from a run (`/overrides?job_id=…&object=…`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct OverridesQuery {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub job_id: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub object: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub status: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub message: String,
}

/// The Reviewed filters as they stand in the URL; `from` and `until` are
/// days, both included.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ReviewedQuery {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub from: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub until: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reviewer: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub customer_id: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub status: String,
}

/// The Daily Jobs filters as they stand in the URL
/// (`/daily-jobs?date=2026-03-05&status=Missed`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DailyJobsQuery {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub date: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub customer: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub status: String,
}

/// The audit filters as they stand in the URL (`/audit?action=approve`);
/// `from` and `until` are days (`2026-05-01`), both included.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AuditQuery {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub entity_type: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub entity_id: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub actor: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub action: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub from: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub until: String,
}

impl AuditQuery {
    /// The trail of one entity.
    pub fn entity(entity_type: &str, entity_id: &str) -> AuditQuery {
        AuditQuery { entity_type: entity_type.into(), entity_id: entity_id.into(), ..AuditQuery::default() }
    }
}

/// A URL query as pairs, in order.
pub type QueryPairs = Vec<(String, String)>;

thread_local! {
    /// The last page shown that is not a run detail, with its query: where
    /// closing the detail returns to (Run Checks with its filters, a job's
    /// history, ...), and what the page behind the detail shows.
    static LAST_PAGE: RefCell<Option<(Route, QueryPairs)>> = const { RefCell::new(None) };
}

/// Notes the page on screen (called on every route change).
pub fn remember(route: &Route, query: QueryPairs) {
    if !matches!(route, Route::Run { .. } | Route::Login | Route::Home | Route::NotFound) {
        LAST_PAGE.with(|p| *p.borrow_mut() = Some((route.clone(), query)));
    }
}

/// Where closing a run detail goes: the page it was opened from, else Run Checks.
pub fn return_route() -> Route {
    LAST_PAGE.with(|p| p.borrow().as_ref().map(|(r, _)| r.clone())).unwrap_or(Route::RunChecks)
}

/// The query of the page a run detail was opened from.
pub fn return_query() -> QueryPairs {
    LAST_PAGE.with(|p| p.borrow().as_ref().map(|(_, q)| q.clone())).unwrap_or_default()
}

/// Goes back to the page a run detail was opened from, filters included.
pub fn go_back(navigator: &Navigator) {
    let (route, query) = (return_route(), return_query());
    if query.is_empty() {
        navigator.push(&route);
    } else {
        push_with(navigator, &route, &query);
    }
}

/// Shows `route` with `query` (a list page's filters) in the URL; the route
/// alone when the query cannot be written.
pub fn push_with<Q: Serialize>(navigator: &Navigator, route: &Route, query: &Q) {
    if navigator.push_with_query(route, query).is_err() {
        navigator.push(route);
    }
}

/// A list page's `apply`: shows `route` with the filters given, from the
/// first page of results (`reset`, the page's pager reset).
pub fn filter_apply<Q: Serialize + 'static>(
    navigator: Option<Navigator>,
    route: Route,
    reset: impl Fn() + 'static,
) -> Callback<Q> {
    Callback::from(move |q: Q| {
        reset();
        if let Some(n) = &navigator {
            push_with(n, &route, &q);
        }
    })
}

/// A filter `<select>`'s change: the page's query with one field set to the
/// choice, applied at once (the URL is then what the form shows).
pub fn select_filter<Q: Clone + 'static>(query: &Q, apply: &Callback<Q>, field: fn(&mut Q, String)) -> Callback<Event> {
    let (query, apply) = (query.clone(), apply.clone());
    Callback::from(move |e: Event| {
        let mut q = query.clone();
        field(&mut q, e.target_unchecked_into::<web_sys::HtmlSelectElement>().value());
        apply.emit(q);
    })
}

/// The query of the URL on screen, as pairs.
#[hook]
pub fn use_query_pairs() -> QueryPairs {
    use_location().and_then(|l| l.query::<QueryPairs>().ok()).unwrap_or_default()
}

/// A query struct from pairs (the remembered query of the page behind a run).
pub fn from_pairs<Q: serde::de::DeserializeOwned + Default>(pairs: &QueryPairs) -> Q {
    let map: std::collections::BTreeMap<String, String> = pairs.iter().cloned().collect();
    serde_json::to_value(map).ok().and_then(|v| serde_json::from_value(v).ok()).unwrap_or_default()
}

pub fn switch(route: Route) -> Html {
    html! { <RoutePage {route} /> }
}

#[derive(Properties, PartialEq)]
struct RoutePageProps {
    route: Route,
}

#[derive(Properties, PartialEq)]
struct RouteBodyProps {
    route: Route,
    query: QueryPairs,
}

/// The permission a route needs, and how the refusal names it.
fn requirement(route: &Route) -> Option<(Permission, &'static str)> {
    match route {
        Route::RunChecks => Some((Permission::ViewRunChecks, "open Run Checks")),
        Route::Inbox | Route::InboxMail { .. } => Some((Permission::ViewInbox, "open the Inbox")),
        Route::DeletedMails => Some((Permission::ViewDeletedMail, "see deleted mails")),
        Route::Quarantine => Some((Permission::ManageQuarantine, "see quarantined mails")),
        Route::Jobs | Route::Job { .. } | Route::Run { .. } => Some((Permission::ViewJobs, "see jobs and runs")),
        Route::Customers => Some((Permission::ViewCustomers, "see customers")),
        Route::Users => Some((Permission::ManageUsers, "manage users")),
        Route::Settings => Some((Permission::ManageSettings, "change settings")),
        Route::ApiTokens => Some((Permission::ManageApiTokens, "manage API tokens")),
        Route::Integrations => Some((Permission::ManageSettings, "change settings")),
        Route::Alerts => Some((Permission::ManageAlerts, "configure alerts")),
        Route::Audit => Some((Permission::ViewAudit, "read the audit trail")),
        Route::Overrides => Some((Permission::ViewOverrides, "see overrides")),
        Route::Reviewed => Some((Permission::ViewReviews, "see reviewed runs")),
        Route::Reports => Some((Permission::ViewReports, "see reports")),
        Route::DailyJobs => Some((Permission::ViewDailyJobs, "see Daily Jobs")),
        Route::Tapes | Route::Tape { .. } | Route::TapeJob { .. } => Some((Permission::ViewTapes, "see tapes")),
        Route::BackupEngines
        | Route::BackupStorage
        | Route::BackupPolicies
        | Route::BackupPolicy { .. }
        | Route::BackupHosts
        | Route::BackupReplicas
        | Route::BackupPlatforms => Some((Permission::ViewBackup, "see backup engines, storage and policies")),
        Route::BackupDashboard | Route::BackupJobs | Route::BackupRestore | Route::BackupObjects => {
            Some((Permission::ViewBackup, "see the backup dashboard, jobs and protected objects"))
        }
        Route::Home | Route::Login | Route::Account | Route::NotFound => None,
    }
}

/// Adds the URL's query to the route, so pages with filters in the URL
/// re-render when only the query changes.
#[component]
fn RoutePage(props: &RoutePageProps) -> Html {
    let query = use_query_pairs();
    html! { <RouteBody route={props.route.clone()} {query} /> }
}

#[component]
fn RouteBody(props: &RouteBodyProps) -> Html {
    let session = use_session();
    if let Some((p, what)) = requirement(&props.route)
        && !session.can(p)
    {
        return html! { <Refused what={what} /> };
    }
    match &props.route {
        Route::Home | Route::Login => {
            let to = if session.can(Permission::ViewRunChecks) { Route::RunChecks } else { Route::Jobs };
            html! { <Redirect<Route> {to} /> }
        }
        // The run detail is a modal for those who use Run Checks: over a job's
        // history when opened from there, else over the Run Checks list (a
        // deep link too); the page behind stays where it was.
        Route::RunChecks => {
            let query: RunChecksQuery = from_pairs(&props.query);
            html! { <pages::RunChecksPage open_run={None::<AttrValue>} {query} /> }
        }
        Route::Run { id } if session.can(Permission::ViewRunChecks) => match return_route() {
            Route::Job { id: job } => {
                html! { <pages::JobPage key={job.clone()} id={job.clone()} open_run={Some(AttrValue::from(id.clone()))} /> }
            }
            _ => {
                let query: RunChecksQuery = from_pairs(&return_query());
                html! { <pages::RunChecksPage open_run={Some(AttrValue::from(id.clone()))} {query} /> }
            }
        },
        Route::Run { id } => html! { <pages::RunPage id={id.clone()} /> },
        // Keyed, so the Inbox and the deleted list never share paging or selection.
        Route::Inbox => html! { <pages::InboxPage key="inbox" deleted=false /> },
        Route::DeletedMails => html! { <pages::InboxPage key="deleted" deleted=true /> },
        Route::InboxMail { id } => html! { <pages::InboxMailPage id={id.clone()} /> },
        Route::Quarantine => html! { <pages::QuarantinePage /> },
        Route::Jobs => html! { <pages::JobsPage /> },
        Route::Job { id } => html! { <pages::JobPage key={id.clone()} id={id.clone()} open_run={None::<AttrValue>} /> },
        Route::Customers => html! { <pages::CustomersPage /> },
        Route::Users => html! { <pages::UsersPage /> },
        Route::Settings => html! { <pages::SettingsPage /> },
        Route::ApiTokens => html! { <pages::ApiTokensPage /> },
        Route::Integrations => html! { <pages::IntegrationsPage /> },
        Route::Alerts => html! { <pages::AlertsPage /> },
        Route::Audit => html! { <pages::AuditPage query={from_pairs::<AuditQuery>(&props.query)} /> },
        Route::Overrides => html! { <pages::OverridesPage query={from_pairs::<OverridesQuery>(&props.query)} /> },
        Route::Reviewed => html! { <pages::ReviewedPage query={from_pairs::<ReviewedQuery>(&props.query)} /> },
        Route::Account => html! { <pages::AccountPage /> },
        Route::Reports => html! { <pages::ReportsPage /> },
        Route::DailyJobs => html! { <pages::DailyJobsPage query={from_pairs::<DailyJobsQuery>(&props.query)} /> },
        Route::Tapes => html! { <pages::TapesPage /> },
        Route::Tape { id } => html! { <pages::TapePage key={id.clone()} id={id.clone()} /> },
        Route::TapeJob { id } => html! { <pages::TapeJobPage key={id.clone()} id={id.clone()} /> },
        Route::BackupEngines => html! { <pages::EnginesPage /> },
        Route::BackupStorage => html! { <pages::StoragePage /> },
        Route::BackupPolicies => html! { <pages::PoliciesPage /> },
        Route::BackupPolicy { id } => html! { <pages::PolicyPage key={id.clone()} id={id.clone()} /> },
        Route::BackupHosts => html! { <pages::HostsPage /> },
        Route::BackupPlatforms => html! { <pages::PlatformsPage /> },
        Route::BackupReplicas => html! { <pages::ReplicasPage /> },
        Route::BackupDashboard => html! { <pages::BackupDashboardPage /> },
        Route::BackupJobs => html! { <pages::BackupJobsPage /> },
        // Its own permission is checked on the page (backup.restore), which says so.
        Route::BackupRestore => html! { <pages::BackupRestorePage /> },
        Route::BackupObjects => html! { <pages::BackupObjectsPage /> },
        Route::NotFound => html! { <pages::NotFoundPage /> },
    }
}
