//! The core of Backupchecks: domain types, rules and use cases, written once
//! against the ports in [`ports`]. No AWS, no HTTP, no SQL here; the adapters
//! in `bc-aws` and `bc-embedded` plug in underneath, the HTTP router and the
//! Lambda functions sit on top.

pub mod app;
pub mod auth;
pub mod customers;
mod dto;
pub mod error;
pub mod ids;
pub mod inbox;
pub mod ingest;
pub mod jobs;
pub mod model;
pub mod ports;
pub mod runs;
pub mod scheduler;
pub mod settings;
pub mod tasks;
pub mod users;

pub use app::{App, Config};
pub use auth::{Actor, Permission};
pub use error::{Error, Result};
pub use ports::{Blobs, Clock, Mailer, PortError, Queue, SecretName, Secrets, Store, SystemClock};

pub use bc_api_types as api;
pub use bc_parsers as parsers;
