//! The entities phase 1 uses, as Autotask sends them (camelCase JSON). Only the fields Backupchecks reads are
//! typed; unknown fields are ignored. Datetimes are UTC, with or without a trailing `Z`.

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};

/// The entity endpoints, as path segments.
pub(crate) mod path {
    pub const COMPANIES: &str = "Companies";
    pub const TICKETS: &str = "Tickets";
    pub const TICKET_NOTES: &str = "TicketNotes";
    pub const TIME_ENTRIES: &str = "TimeEntries";
    pub const DELETED_TICKET_LOGS: &str = "DeletedTicketLogs";
}

/// Parses an Autotask datetime: RFC 3339, or without offset (then UTC).
pub fn parse_datetime(s: &str) -> Option<DateTime<Utc>> {
    if let Ok(d) = DateTime::parse_from_rfc3339(s) {
        return Some(d.with_timezone(&Utc));
    }
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f").ok().map(|n| n.and_utc())
}

fn opt_datetime<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
    let s: Option<String> = Option::deserialize(d)?;
    Ok(s.as_deref().and_then(parse_datetime))
}

/// `Companies`. `id` 0 is the MSP's own company.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Company {
    pub id: i64,
    pub company_name: String,
    #[serde(default)]
    pub is_active: bool,
    #[serde(default)]
    pub company_type: Option<i64>,
}

/// `Tickets`, read side.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Ticket {
    pub id: i64,
    pub ticket_number: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(rename = "companyID")]
    pub company_id: i64,
    pub status: i64,
    #[serde(default)]
    pub priority: Option<i64>,
    #[serde(rename = "queueID", default)]
    pub queue_id: Option<i64>,
    #[serde(default)]
    pub source: Option<i64>,
    #[serde(default, deserialize_with = "opt_datetime")]
    pub create_date: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "opt_datetime")]
    pub completed_date: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "opt_datetime")]
    pub last_activity_date: Option<DateTime<Utc>>,
}

/// `POST Tickets`: the fields Backupchecks sets (seed §7.3). Autotask requires `companyID`, `title`, `status`,
/// `priority` and `queueID` (or an assigned resource and role, which Backupchecks never sets).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NewTicket {
    #[serde(rename = "companyID")]
    pub company_id: i64,
    /// At most 255 characters.
    pub title: String,
    /// At most 8,000 characters.
    pub description: String,
    pub status: i64,
    pub priority: i64,
    #[serde(rename = "queueID")]
    pub queue_id: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due_date_time: Option<DateTime<Utc>>,
}

/// Who may read a note (`publish`).
pub mod publish {
    /// All Autotask users.
    pub const ALL_USERS: i64 = 1;
    /// Internal project team only: the one Backupchecks uses for its system notes.
    pub const INTERNAL_PROJECT_TEAM: i64 = 2;
    /// Internal and co-managed.
    pub const INTERNAL_AND_CO_MANAGED: i64 = 4;
}

/// `Tickets/{id}/Notes`, read side.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TicketNote {
    pub id: i64,
    #[serde(rename = "ticketID")]
    pub ticket_id: i64,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub note_type: Option<i64>,
    #[serde(default)]
    pub publish: Option<i64>,
    #[serde(default, deserialize_with = "opt_datetime")]
    pub create_date_time: Option<DateTime<Utc>>,
}

/// `POST Tickets/{id}/Notes`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NewTicketNote {
    pub title: String,
    /// At most 32,000 characters.
    pub description: String,
    /// 1 task summary, 2 task detail, 3 task notes.
    pub note_type: i64,
    /// See [`publish`].
    pub publish: i64,
}

/// `TimeEntries` (only read, only counted in phase 1).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TimeEntry {
    pub id: i64,
    #[serde(rename = "ticketID", default)]
    pub ticket_id: Option<i64>,
    #[serde(default)]
    pub hours_worked: Option<f64>,
}

/// `DeletedTicketLogs`: proof that a ticket was deleted, and by whom.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeletedTicketLog {
    pub id: i64,
    #[serde(rename = "ticketID")]
    pub ticket_id: i64,
    #[serde(default)]
    pub ticket_number: Option<String>,
    #[serde(default)]
    pub ticket_title: Option<String>,
    #[serde(rename = "deletedByResourceID", default)]
    pub deleted_by_resource_id: Option<i64>,
    #[serde(default, deserialize_with = "opt_datetime")]
    pub deleted_date_time: Option<DateTime<Utc>>,
}

/// `GET ThresholdInformation`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ThresholdInformation {
    pub external_request_threshold: i64,
    pub request_threshold_timeframe: i64,
    pub current_timeframe_request_count: i64,
}

/// One picklist value from `entityInformation/fields`. The wire `value` is a string (`"5"`); [`id`](Self::id)
/// gives the integer the entity fields use.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PicklistValue {
    pub value: String,
    pub label: String,
    #[serde(default)]
    pub is_active: bool,
    #[serde(default)]
    pub is_system: bool,
    #[serde(default)]
    pub is_default_value: bool,
    #[serde(default)]
    pub sort_order: i64,
}

impl PicklistValue {
    pub fn id(&self) -> Option<i64> {
        self.value.trim().parse().ok()
    }
}

/// One field of `GET {Entity}/entityInformation/fields`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldInfo {
    pub name: String,
    #[serde(default)]
    pub data_type: String,
    #[serde(default)]
    pub is_required: bool,
    #[serde(default)]
    pub is_pick_list: bool,
    #[serde(default)]
    pub picklist_values: Option<Vec<PicklistValue>>,
}

/// A picklist: every value, inactive ones included (to display settings chosen earlier).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Picklist(pub Vec<PicklistValue>);

impl Picklist {
    /// The values to offer for a new choice: active ones, in sort order.
    pub fn active(&self) -> Vec<&PicklistValue> {
        let mut v: Vec<&PicklistValue> = self.0.iter().filter(|p| p.is_active).collect();
        v.sort_by_key(|p| p.sort_order);
        v
    }
    /// A value by its integer id, active or not.
    pub fn get(&self, id: i64) -> Option<&PicklistValue> {
        self.0.iter().find(|p| p.id() == Some(id))
    }
    /// A value by label, case-insensitive (map priorities by label, never by number).
    pub fn by_label(&self, label: &str) -> Option<&PicklistValue> {
        self.0.iter().find(|p| p.label.eq_ignore_ascii_case(label))
    }
}

/// The ticket picklists Backupchecks uses: queues and sources for Settings (§7.4), statuses and priorities
/// for the defaults and the resolve flow.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TicketPicklists {
    pub status: Picklist,
    pub priority: Picklist,
    pub queue: Picklist,
    pub source: Picklist,
}

impl TicketPicklists {
    pub(crate) fn from_fields(fields: Vec<FieldInfo>) -> TicketPicklists {
        let mut out = TicketPicklists::default();
        for f in fields {
            let list = Picklist(f.picklist_values.unwrap_or_default());
            match f.name.to_ascii_lowercase().as_str() {
                "status" => out.status = list,
                "priority" => out.priority = list,
                "queueid" => out.queue = list,
                "source" => out.source = list,
                _ => {}
            }
        }
        out
    }

    /// The status labelled "Complete" (5 on default tenants).
    pub fn complete_status(&self) -> Option<i64> {
        self.status.by_label("Complete").and_then(PicklistValue::id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datetimes_with_and_without_z() {
        let a = parse_datetime("2026-11-30T10:00:00Z").unwrap();
        let b = parse_datetime("2026-11-30T10:00:00").unwrap();
        let c = parse_datetime("2026-11-30T10:00:00.123").unwrap();
        assert_eq!(a, b);
        assert_eq!(c.timestamp(), a.timestamp());
        assert!(parse_datetime("yesterday").is_none());
    }

    #[test]
    fn picklist_value_is_a_string_on_the_wire() {
        let v: PicklistValue =
            serde_json::from_str(r#"{"value":"5","label":"Complete","isActive":true,"sortOrder":1}"#).unwrap();
        assert_eq!(v.id(), Some(5));
    }
}
