//! The Autotask PSA REST client Backupchecks uses behind its PSA port (seed 003, phase 1), and the pure rules
//! of what goes into a ticket.
//!
//! - [`Config`] and [`AutotaskClient`]: zone discovery from the API user, the auth headers, typed get / query
//!   (following `nextPageUrl`) / create / patch for the entities phase 1 needs, picklists, ThresholdInformation.
//! - Limits by construction: at most 3 requests in flight per entity endpoint (a semaphore each), an hourly
//!   [`RequestBudget`] the caller supplies, `429 Retry-After` honoured a bounded number of times, a timeout.
//! - [`content`]: the ticket subject and description (seed §4.3, §5A) and the run marker.
//! - [`resolve`]: the fixed notes and the resolve flow (seed §6), and finding the ticket of a run after a retry.
//! - [`mapping`]: checking a customer's company mapping by ID (seed §3).
//!
//! Retry policy: a 429 (rate limit) or the thread-limit error (`Itgenatr005`) is retried by the client itself,
//! at most [`Config::max_rate_limit_retries`] times, waiting `Retry-After` (or 1, 2, 4 s; 250 ms steps for the
//! thread limit), but never longer than [`Config::max_retry_wait`] per wait: a longer `Retry-After` returns
//! [`AutotaskError::RateLimited`] at once, so the task queue retries later instead of holding a worker. Nothing
//! else is retried here: a timed-out create may have happened (see [`resolve::create_ticket_for_run`]), and the
//! task queue owns backoff for transient errors ([`AutotaskError::is_transient`]).
//!
//! The per-endpoint semaphores hold within one client (clone it to share them). Several processes on the same
//! integration code (Lambdas) can still exceed Autotask's 3 threads together; the thread-limit retry covers that.
//!
//! What is known about the API, and what this follows, is `shared/docs/autotask-api.md` beside the project.

pub mod budget;
mod client;
pub mod content;
mod entities;
mod error;
pub mod mapping;
mod psa;
pub mod query;
pub mod resolve;

pub use budget::{HourlyBudget, RequestBudget, StoreBudget, Unlimited};
pub use client::{
    AutotaskClient, Config, ConfigurationReport, DEFAULT_ZONE_LOOKUP_URL, ZoneInfo, ticket_web_url,
    web_url_from_zone_url,
};
pub use entities::*;
pub use error::{AutotaskError, Result};
pub use psa::AutotaskPsa;
pub use query::{Filter, Query};
