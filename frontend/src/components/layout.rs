//! The frame around every signed-in page: skip link, navigation limited to
//! what the role may open, and the user menu.

use bc_api_types::Permission;
use wasm_bindgen::JsCast;
use yew::platform::spawn_local;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::api;
use crate::route::{self, Route};
use crate::session::{AuthAction, AuthHandle, use_session};
use crate::toast::use_notify;

#[derive(Properties, PartialEq)]
pub struct LayoutProps {
    pub children: Html,
}

/// Whether `route` belongs to the nav entry `entry` (for `aria-current`).
fn section_of(route: &Route) -> Option<Route> {
    Some(match route {
        // A run's modal belongs to the page it opens over.
        Route::Run { .. } => match route::return_route() {
            Route::Job { .. } => Route::Jobs,
            _ => Route::RunChecks,
        },
        Route::RunChecks => Route::RunChecks,
        Route::Inbox | Route::DeletedMails | Route::Quarantine | Route::InboxMail { .. } => Route::Inbox,
        Route::Jobs | Route::Job { .. } => Route::Jobs,
        Route::Customers => Route::Customers,
        Route::Users => Route::Users,
        Route::Settings | Route::ApiTokens => Route::Settings,
        Route::Audit => Route::Audit,
        Route::Overrides => Route::Overrides,
        Route::Reviewed => Route::Reviewed,
        Route::Reports => Route::Reports,
        Route::DailyJobs => Route::DailyJobs,
        Route::Tapes | Route::Tape { .. } | Route::TapeJob { .. } => Route::Tapes,
        Route::BackupEngines
        | Route::BackupStorage
        | Route::BackupPolicies
        | Route::BackupPolicy { .. }
        | Route::BackupHosts
        | Route::BackupReplicas
        | Route::BackupDashboard
        | Route::BackupJobs
        | Route::BackupRestore
        | Route::BackupObjects
        | Route::BackupPlatforms => Route::BackupDashboard,
        _ => return None,
    })
}

#[component]
pub fn Layout(props: &LayoutProps) -> Html {
    let session = use_session();
    let route = use_route::<Route>();
    let query = route::use_query_pairs();
    use_effect_with((route.clone(), query), |(r, q)| {
        if let Some(r) = r {
            route::remember(r, q.clone());
        }
    });
    let current = route.and_then(|r| section_of(&r));
    let entries: Vec<(Route, &str, Permission)> = vec![
        (Route::RunChecks, "Run Checks", Permission::ViewRunChecks),
        (Route::Reviewed, "Reviewed", Permission::ViewReviews),
        (Route::Inbox, "Inbox", Permission::ViewInbox),
        (Route::Jobs, "Jobs", Permission::ViewJobs),
        (Route::Overrides, "Overrides", Permission::ViewOverrides),
        (Route::Customers, "Customers", Permission::ViewCustomers),
        (Route::Reports, "Reports", Permission::ViewReports),
        (Route::DailyJobs, "Daily Jobs", Permission::ViewDailyJobs),
        (Route::Tapes, "Tapes", Permission::ViewTapes),
        (Route::BackupDashboard, "Backup", Permission::ViewBackup),
        (Route::Users, "Users", Permission::ManageUsers),
        (Route::Settings, "Settings", Permission::ManageSettings),
        (Route::Audit, "Audit", Permission::ViewAudit),
    ];
    let navigator = use_navigator();
    let nav = entries.into_iter().filter(|(_, _, p)| session.can(*p)).map(|(route, label, _)| {
        let here = current.as_ref() == Some(&route);
        let href = route.to_path();
        // A plain link (so aria-current sits on it) that navigates in-app.
        let onclick = {
            let navigator = navigator.clone();
            Callback::from(move |e: MouseEvent| {
                if e.ctrl_key() || e.meta_key() || e.shift_key() || e.button() != 0 {
                    return;
                }
                if let Some(n) = &navigator {
                    e.prevent_default();
                    n.push(&route);
                }
            })
        };
        html! {
            <li>
                <a {href} {onclick} class={classes!("nav-link", here.then_some("active"))}
                   aria-current={here.then_some("page")}>{ label }</a>
            </li>
        }
    });
    html! {
        <>
            <a class="skip-link" href="#main">{ "Skip to content" }</a>
            <header class="topbar">
                <Link<Route> to={Route::Home} classes="brand">{ "Backupchecks" }</Link<Route>>
                <nav aria-label="Main">
                    <ul class="nav">{ for nav }</ul>
                </nav>
                <UserMenu />
            </header>
            <main id="main" tabindex="-1">{ props.children.clone() }</main>
        </>
    }
}

#[component]
fn UserMenu() -> Html {
    let session = use_session();
    let auth = use_context::<AuthHandle>();
    let notify = use_notify();
    let open = use_state(|| false);
    let toggle = {
        let open = open.clone();
        Callback::from(move |_| open.set(!*open))
    };
    let close_on_escape = {
        let open = open.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Escape" {
                open.set(false);
            }
        })
    };
    let sign_out = {
        let open = open.clone();
        Callback::from(move |_| {
            open.set(false);
            let auth = auth.clone();
            let notify = notify.clone();
            spawn_local(async move {
                match api::auth::logout().await {
                    Ok(()) => {
                        if let Some(a) = auth {
                            a.dispatch(AuthAction::SignedOut);
                        }
                    }
                    Err(e) => notify.error(e),
                }
            });
        })
    };
    let close = {
        let open = open.clone();
        Callback::from(move |_| open.set(false))
    };
    // Close when focus leaves the menu (a click elsewhere, or Tab out).
    let menu_ref = use_node_ref();
    let on_focus_out = {
        let (open, menu_ref) = (open.clone(), menu_ref.clone());
        Callback::from(move |e: FocusEvent| {
            let next = e.related_target().and_then(|t| t.dyn_into::<web_sys::Node>().ok());
            let inside = menu_ref.cast::<web_sys::Element>().is_some_and(|m| m.contains(next.as_ref()));
            if !inside {
                open.set(false);
            }
        })
    };
    html! {
        <div class="user-menu" ref={menu_ref} onkeydown={close_on_escape} onfocusout={on_focus_out}>
            <button class="user-button" aria-haspopup="true" aria-expanded={(*open).to_string()} onclick={toggle}
                    data-testid="user-menu">
                <span class="user-name">{ &session.me.username }</span>
                <span class="role-chip">{ session.me.role.as_str() }</span>
            </button>
            if *open {
                <div class="menu" role="menu">
                    <p class="menu-head">{ format!("Signed in as {} ({})", session.me.username, session.me.role) }</p>
                    <div onclick={close.clone()}>
                        <Link<Route> to={Route::Account} classes="menu-item">{ "Change password" }</Link<Route>>
                    </div>
                    <button class="menu-item" role="menuitem" onclick={sign_out}>{ "Sign out" }</button>
                </div>
            }
        </div>
    }
}
