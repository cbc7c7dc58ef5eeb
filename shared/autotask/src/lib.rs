//! The Autotask PSA REST client Backupchecks uses behind its PSA port (seed 003, phase 1), and the pure rules
//! of what goes into a ticket.
//!
//! - [`Config`] and [`AutotaskClient`]: zone discovery from the API user, the auth headers, typed get / query
//!   (following `nextPageUrl`) / create / patch for the entities phase 1 needs, picklists, ThresholdInformation.
//! - Limits by construction: at most 3 requests in flight per entity endpoint (a semaphore each), an hourly
//!   [`RequestBudget`] the caller supplies, `429 Retry-After` honoured a bounded number of times, a timeout.
//! - [`content`]: the ticket subject and description (seed §4.3, §5A) and the run marker.
//! - [`resolve`]: the fixed notes and the resolve flow (seed §6), and finding the ticket of a run after a retry.
//!
//! What is known about the API, and what this follows, is `shared/docs/autotask-api.md` beside the project.

pub mod budget;
mod client;
pub mod content;
mod entities;
mod error;
pub mod query;
pub mod resolve;

pub use budget::{HourlyBudget, RequestBudget, Unlimited};
pub use client::{AutotaskClient, Config, DEFAULT_ZONE_LOOKUP_URL, ZoneInfo, ticket_web_url, web_url_from_zone_url};
pub use entities::*;
pub use error::{AutotaskError, Result};
pub use query::{Filter, Query};
