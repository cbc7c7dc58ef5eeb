//! The Autotask PSA integration (seed 003, phase 1): its settings (the
//! credentials are write-only), the customer ↔ company mapping, and the
//! Autotask side of a ticket.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

macro_rules! dto {
    ($($item:item)*) => {
        $(
            #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
            #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
            $item
        )*
    };
}

/// How a customer's company mapping stands (seed §3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MappingStatus {
    /// The company exists under the cached name.
    Ok,
    /// The company was renamed in Autotask; the cached name followed.
    Renamed,
    /// No mapping is configured.
    Missing,
    /// The company is deleted or out of the API user's reach: tickets are blocked.
    Invalid,
}

/// Where an Autotask ticket of a run stands in Backupchecks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PsaTicketState {
    /// Queued for the worker: not created in Autotask yet.
    Pending,
    /// Created in (or linked to) Autotask: `ticket_id` is set.
    Linked,
    /// Autotask no longer has the ticket (seed §6B): kept for audit, no action but "create new".
    Deleted,
    /// Creating it failed for good (the reason is in `error`); nothing exists in Autotask.
    Failed,
}

dto! {
    /// Settings → Extensions & Integrations → Autotask, as the API shows them.
    /// The API user, password and tracking identifier are never returned.
    pub struct AutotaskSettings {
        pub enabled: bool,
        /// `sandbox` or `production`.
        pub environment: String,
        /// The Backupchecks base URL that ticket links point to (required).
        pub base_url: String,
        pub ticket_source_id: Option<i64>,
        pub queue_id: Option<i64>,
        pub status_id: Option<i64>,
        /// Priority of tickets for Warning runs (default: the one labelled Medium).
        pub priority_warning_id: Option<i64>,
        /// Priority of tickets for Failed runs (default: the one labelled High).
        pub priority_failed_id: Option<i64>,
        pub allow_resolve: bool,
        /// Manual ticket numbers stay possible while the integration is on.
        pub compatibility_mode: bool,
        /// `off`, `errors` or `all`.
        pub log_level: String,
        /// Whether API user, password and tracking identifier are stored.
        pub credentials_set: bool,
        /// Queues, sources, statuses and priorities as last loaded from Autotask.
        pub reference: Option<AutotaskReference>,
    }

    /// `PUT /api/v1/integrations/autotask`. Credentials are written only when
    /// given (all three together).
    pub struct UpdateAutotaskSettings {
        pub enabled: bool,
        pub environment: String,
        pub base_url: String,
        #[serde(default)]
        pub ticket_source_id: Option<i64>,
        #[serde(default)]
        pub queue_id: Option<i64>,
        #[serde(default)]
        pub status_id: Option<i64>,
        #[serde(default)]
        pub priority_warning_id: Option<i64>,
        #[serde(default)]
        pub priority_failed_id: Option<i64>,
        #[serde(default)]
        pub allow_resolve: bool,
        #[serde(default)]
        pub compatibility_mode: bool,
        #[serde(default)]
        pub log_level: Option<String>,
        #[serde(default)]
        pub username: Option<String>,
        #[serde(default)]
        pub password: Option<String>,
        #[serde(default)]
        pub tracking_identifier: Option<String>,
    }

    pub struct PicklistEntry {
        pub id: i64,
        pub label: String,
        pub active: bool,
    }

    /// Reference data loaded from Autotask (seed §7.4).
    pub struct AutotaskReference {
        pub queues: Vec<PicklistEntry>,
        pub sources: Vec<PicklistEntry>,
        pub statuses: Vec<PicklistEntry>,
        pub priorities: Vec<PicklistEntry>,
        pub loaded_at: DateTime<Utc>,
    }

    /// The outcome of "Test connection" or "Validate configuration".
    pub struct AutotaskCheck {
        pub ok: bool,
        /// One line per finding, in plain words.
        pub messages: Vec<String>,
    }

    pub struct AutotaskCompany {
        pub id: i64,
        pub name: String,
        pub active: bool,
    }

    /// What the run modal offers: Autotask tickets, manual numbers, or both.
    pub struct TicketMode {
        pub autotask: bool,
        pub manual: bool,
        pub autotask_resolve: bool,
    }

    /// A customer's Autotask company (the ID is leading, the name a cache).
    pub struct CompanyLink {
        pub company_id: i64,
        pub company_name: String,
        pub status: MappingStatus,
        pub last_sync: DateTime<Utc>,
    }

    /// `PUT /api/v1/customers/{id}/autotask`.
    pub struct MapCompany {
        pub company_id: i64,
    }

    /// `POST /api/v1/runs/{id}/autotask-link`: an existing ticket, by number.
    pub struct LinkTicket {
        pub number: String,
    }

    /// The Autotask side of a ticket.
    pub struct PsaTicketLink {
        pub state: PsaTicketState,
        pub ticket_id: Option<i64>,
        /// Autotask's status id and label, as last seen.
        pub status: Option<i64>,
        pub status_label: Option<String>,
        /// `create` or `resolve` while the worker has it.
        pub pending: Option<String>,
        /// Why the last attempt failed, in plain words.
        pub error: Option<String>,
        /// What the last resolve did, e.g. the time-entries note.
        pub note: Option<String>,
        pub checked_at: Option<DateTime<Utc>>,
    }
}
