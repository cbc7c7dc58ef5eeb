//! The core of Backupchecks: domain types, rules and use cases, written once
//! against ports. No AWS, no HTTP, no SQL here; the adapters in `bc-aws` and
//! `bc-embedded` plug in underneath, the HTTP router and the Lambda
//! functions sit on top.
//!
//! The modules form a tree (a test fails on a cycle): leaves at the bottom
//! (`ids`, `error`, `model`, `ports`, `retry`, `present`, each area's
//! `repo`), then [`store::Store`] and [`app::App`], then the use cases, one
//! folder per area: `inbox`, `ingest`, `jobs`, `review`, `customers`,
//! `users`, `auth`, `settings`, `audit`, `tasks`, `reports`, `schedules`, `tapes`, `backup`, and the
//! `scheduler` tick.

pub mod alerts;
pub mod app;
pub mod audit;
pub mod auth;
pub mod backup;
pub mod claims;
pub mod customers;
pub mod error;
pub mod ids;
pub mod inbox;
pub mod ingest;
pub mod jobs;
pub mod model;
pub mod platforms;
pub mod ports;
mod present;
pub mod psa;
pub mod quarantine;
pub mod reports;
pub mod repos;
pub mod retry;
pub mod review;
pub mod scheduler;
pub mod schedules;
pub mod settings;
pub mod store;
pub mod tapes;
pub mod tasks;
pub mod users;

pub use app::{App, Config};
pub use auth::Actor;
pub use error::{Error, Result};
pub use ports::{Blobs, Clock, Mailer, PortError, Queue, SecretName, Secrets, SystemClock};
pub use store::Store;

pub use bc_api_types as api;
pub use bc_api_types::Permission;
pub use bc_parsers as parsers;
