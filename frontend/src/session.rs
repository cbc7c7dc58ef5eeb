//! Who is signed in, what their role may do (the `Permission`s of
//! `/auth/me`, the enum the server checks), and the MSP's time zone for
//! showing times.

use std::rc::Rc;

use bc_api_types::{Me, Permission, Role};
use yew::prelude::*;

use crate::api::ApiError;

/// The signed-in user and the settings every page needs.
#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    pub me: Me,
    /// IANA zone all times are shown in.
    pub time_zone: String,
}

impl Session {
    pub fn can(&self, permission: Permission) -> bool {
        self.me.permissions.contains(&permission)
    }

    /// Stands in when a component renders outside the signed-in tree: it may do nothing.
    fn nobody() -> Session {
        Session {
            me: Me { id: String::new(), username: String::new(), role: Role::Viewer, permissions: Vec::new() },
            time_zone: "UTC".into(),
        }
    }
}

/// Where sign-in stands.
#[derive(Debug, Clone, PartialEq)]
pub enum AuthState {
    Checking,
    SignedOut,
    SignedIn(Rc<Session>),
    /// The server could not tell (down, or answering nonsense).
    Failed(ApiError),
}

pub enum AuthAction {
    Checking,
    SignedIn(Session),
    SignedOut,
    Failed(ApiError),
    SetTimeZone(String),
}

impl Reducible for AuthState {
    type Action = AuthAction;

    fn reduce(self: Rc<Self>, action: AuthAction) -> Rc<Self> {
        Rc::new(match action {
            AuthAction::Checking => AuthState::Checking,
            AuthAction::SignedIn(s) => AuthState::SignedIn(Rc::new(s)),
            AuthAction::SignedOut => AuthState::SignedOut,
            AuthAction::Failed(e) => AuthState::Failed(e),
            AuthAction::SetTimeZone(tz) => match &*self {
                AuthState::SignedIn(s) => AuthState::SignedIn(Rc::new(Session { time_zone: tz, ..(**s).clone() })),
                other => other.clone(),
            },
        })
    }
}

/// The handle pages use to sign out or change the time zone.
pub type AuthHandle = UseReducerHandle<AuthState>;

/// The signed-in session (a session that may do nothing outside the signed-in tree).
#[hook]
pub fn use_session() -> Rc<Session> {
    match use_context::<AuthHandle>() {
        Some(h) => match &*h {
            AuthState::SignedIn(s) => s.clone(),
            _ => Rc::new(Session::nobody()),
        },
        None => Rc::new(Session::nobody()),
    }
}
