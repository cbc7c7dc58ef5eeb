//! Signing in and rights: roles and permissions, passwords, sessions, API
//! tokens, two-factor sign-in, and their repositories.

pub mod passwords;
pub mod permissions;
pub mod repo;
pub mod sessions;
pub mod tokens;
pub mod two_factor;

pub use passwords::{
    hash_off_thread, hash_password, validate_password, validate_username, verify_off_thread, verify_password,
};
pub use permissions::{Actor, permissions_of, role_has};
pub use sessions::{LoginOutcome, NewSession, SESSION_HOURS};
pub use two_factor::Subject;
