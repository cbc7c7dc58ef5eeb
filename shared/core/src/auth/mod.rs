//! Signing in and rights: roles and permissions, passwords, sessions, API
//! tokens, and their repositories.

pub mod passwords;
pub mod permissions;
pub mod repo;
pub mod sessions;
pub mod tokens;

pub use passwords::{hash_password, validate_password, validate_username, verify_password};
pub use permissions::{Actor, permissions_of, role_has};
pub use sessions::{NewSession, SESSION_HOURS};
