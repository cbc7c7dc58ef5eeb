//! What an alert is about: a leaf, so the task messages can carry it.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// What an alert is about.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AlertEvent {
    /// A run with an alerting status (a rule that alerts at once).
    Run { run_id: String },
    /// A batched rule's slot `[from, until)`.
    Batch { rule_id: String, from: DateTime<Utc>, until: DateTime<Utc> },
    /// The morning digest of a backup day.
    Digest { day: NaiveDate },
    /// "Send test" in Settings.
    Test { nonce: String, by: String },
    /// A control-plane alert (an engine offline or recovered, a storage
    /// target at a threshold), recorded in `backup::alerts`.
    Backup { alert_id: String },
}

impl AlertEvent {
    /// Identifies the event for the claim (and the delivery id).
    pub fn key(&self) -> String {
        match self {
            AlertEvent::Run { run_id } => format!("run:{run_id}"),
            AlertEvent::Batch { rule_id, until, .. } => format!("batch:{rule_id}:{}", until.timestamp()),
            AlertEvent::Digest { day } => format!("digest:{day}"),
            AlertEvent::Test { nonce, .. } => format!("test:{nonce}"),
            AlertEvent::Backup { alert_id } => format!("backup:{alert_id}"),
        }
    }
}
