//! The table's shape: attribute names, the three overloaded GSIs, key
//! prefixes and the key encodings. `docs/data-model.md` is the prose of this
//! file; `provision` creates the table from it.

use chrono::{DateTime, Utc};

/// Partition and sort key of the table.
pub const PK: &str = "pk";
pub const SK: &str = "sk";
/// The entity kind of an item (`mail`, `job`, `customer_name`, ...).
pub const ENTITY: &str = "entity";
/// Optimistic concurrency; written by serde from the model's `version`.
pub const VERSION: &str = "version";
/// Epoch seconds after which DynamoDB may delete the item (sessions,
/// counters, claims, audit entries past their retention).
pub const TTL: &str = "ttl";
/// The shape version an item was written in (`sv`). Readers accept every
/// older shape (new model fields have serde defaults); see
/// `docs/data-model.md`, "Changing the data model".
pub const ITEM_SCHEMA: &str = "sv";
/// The shape version this release writes.
pub const SCHEMA_VERSION: u32 = 2;

/// One of the table's global secondary indexes. All project every attribute,
/// and all are overloaded: each entity puts its own kind of value in them,
/// and an item without the index's key attributes is not in the index
/// (sparse).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Index {
    /// Lists: mails per view, jobs, customers, users, a job's runs, sessions by expiry.
    Gsi1,
    /// Inbox mails per job identity (sparse), jobs per customer.
    Gsi2,
    /// Work lists, sparse: unreviewed runs, mails stuck in `received`, jobs by next due time.
    Gsi3,
}

impl Index {
    pub const ALL: [Index; 3] = [Index::Gsi1, Index::Gsi2, Index::Gsi3];

    pub fn name(self) -> &'static str {
        match self {
            Index::Gsi1 => "gsi1",
            Index::Gsi2 => "gsi2",
            Index::Gsi3 => "gsi3",
        }
    }

    pub fn pk(self) -> &'static str {
        match self {
            Index::Gsi1 => "gsi1pk",
            Index::Gsi2 => "gsi2pk",
            Index::Gsi3 => "gsi3pk",
        }
    }

    pub fn sk(self) -> &'static str {
        match self {
            Index::Gsi1 => "gsi1sk",
            Index::Gsi2 => "gsi2sk",
            Index::Gsi3 => "gsi3sk",
        }
    }
}

/// Partition values of the index lists (the per-entity ones are built in
/// `items`).
pub const MAILS_INBOX: &str = "MAILS#INBOX";
pub const MAILS_DELETED: &str = "MAILS#DELETED";
/// GSI1 partition of quarantined mails (ingest kept failing, or a virus verdict).
pub const MAILS_QUARANTINED: &str = "MAILS#QUARANTINED";
pub const MAILS_RECEIVED: &str = "MAILS#RECEIVED";
pub const JOBS: &str = "JOBS";
pub const CUSTOMERS: &str = "CUSTOMERS";
pub const USERS: &str = "USERS";
pub const SESSIONS: &str = "SESSIONS";
pub const UNREVIEWED: &str = "UNREVIEWED";
pub const AUDIT: &str = "AUDIT";
pub const API_TOKENS: &str = "APITOKENS";
pub const OVERRIDES: &str = "OVERRIDES";
/// GSI3 work lists of active remarks and open tickets (sparse).
pub const REMARKS_ACTIVE: &str = "REMARKS#ACTIVE";
pub const TICKETS_OPEN: &str = "TICKETS#OPEN";
/// GSI3 list of jobs with an expected run, by due time (sparse).
pub const JOBS_DUE: &str = "JOBS#DUE";
/// GSI1 lists of Cartridges (by barcode) and tape jobs (by job date).
pub const TAPES: &str = "TAPES";
pub const TAPE_JOBS: &str = "TAPEJOBS";

/// Sorts below every printable character: `name SEP id` orders by name, then
/// id, even when one name is a prefix of another.
pub const NAME_SEP: char = '\u{1}';

/// Times in key attributes: RFC 3339 in UTC with a fixed nine-digit fraction,
/// so string order is time order. (Entity attributes keep chrono's serde form.)
pub fn key_time(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.9fZ").to_string()
}

/// Key attribute values are limited (2048 bytes for a partition key, 1024 for
/// a sort key). A long user-given part keeps a readable prefix, for order,
/// and a hash of the whole, for uniqueness.
pub fn key_part(s: &str) -> String {
    const MAX: usize = 400;
    const KEEP: usize = 300;
    if s.len() <= MAX {
        return s.to_string();
    }
    let mut cut = KEEP;
    while !s.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}~{}", &s[..cut], bc_core::ids::sha256_hex(s.as_bytes()))
}

/// Case-insensitive names (uniqueness, ordering, search) use this form.
pub fn fold(s: &str) -> String {
    s.to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn key_times_sort_as_strings() {
        let a = Utc.with_ymd_and_hms(2025, 1, 2, 3, 4, 5).single().expect("valid");
        let b = a + chrono::Duration::milliseconds(500);
        assert_eq!(key_time(a), "2025-01-02T03:04:05.000000000Z");
        assert!(key_time(a) < key_time(b));
    }

    #[test]
    fn long_key_parts_stay_bounded_and_distinct() {
        let a = "é".repeat(400);
        let b = format!("{a}x");
        assert!(key_part(&a).len() < 400);
        assert_ne!(key_part(&a), key_part(&b));
        assert_eq!(key_part("short"), "short");
    }

    #[test]
    fn name_separator_orders_prefixes_first() {
        let k = |name: &str| format!("{name}{NAME_SEP}j1");
        assert!(k("backup") < k("backup!"));
        assert!(k("backup") < k("backup job"));
    }
}
