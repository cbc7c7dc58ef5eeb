//! Customers: create, rename, (de)activate, list; names unique
//! (case-insensitive); CSV import and export.

pub mod repo;

use std::collections::HashMap;

use bc_api_types::{self as api, Permission};
use serde_json::json;

use crate::app::App;
use crate::audit::{Change, audit_entry};
use crate::auth::permissions::Actor;
use crate::error::{Error, Result};
use crate::ids::{self, check_id};
use crate::model::Customer;
use crate::ports::PortError;
use crate::present;

pub const MAX_NAME_LEN: usize = 200;
/// Rows one CSV import may hold.
pub const MAX_IMPORT_ROWS: usize = 10_000;

/// Trims and collapses whitespace; rejects empty, overlong and control characters.
pub fn clean_name(name: &str) -> Result<String> {
    let n = name.split_whitespace().collect::<Vec<_>>().join(" ");
    if n.is_empty() {
        return Err(Error::Invalid("a customer needs a name".into()));
    }
    if n.chars().count() > MAX_NAME_LEN {
        return Err(Error::Invalid(format!("a customer name has at most {MAX_NAME_LEN} characters")));
    }
    if n.chars().any(char::is_control) {
        return Err(Error::Invalid("a customer name cannot hold control characters".into()));
    }
    Ok(n)
}

fn name_conflict(e: PortError, name: &str) -> Error {
    match e {
        PortError::Conflict(_) => Error::Conflict(format!("a customer named {name:?} exists already")),
        other => other.into(),
    }
}

impl App {
    /// Customer names by id, for lists.
    pub(crate) async fn customer_names(&self) -> Result<HashMap<String, String>> {
        Ok(self.store.list_customers().await?.into_iter().map(|c| (c.id, c.name)).collect())
    }

    pub async fn customers(&self, actor: &Actor) -> Result<api::CustomerList> {
        actor.require(Permission::ViewCustomers)?;
        let items = self.store.list_customers().await?.iter().map(present::customer).collect();
        Ok(api::CustomerList { items })
    }

    pub async fn customer(&self, actor: &Actor, id: &str) -> Result<api::Customer> {
        actor.require(Permission::ViewCustomers)?;
        check_id(id, "customer")?;
        let c = self.store.get_customer(id).await?.ok_or(Error::NotFound("customer"))?;
        Ok(present::customer(&c))
    }

    pub async fn create_customer(&self, actor: &Actor, name: &str) -> Result<api::Customer> {
        actor.require(Permission::ManageCustomers)?;
        let name = clean_name(name)?;
        let c = Customer {
            id: ids::random_id("c"),
            name: name.clone(),
            active: true,
            created_at: self.clock.now(),
            job_count: 0,
            psa: None,
            version: 0,
        };
        self.store.insert_customer(&c).await.map_err(|e| name_conflict(e, &name))?;
        let change = Change::created(json!({"name": c.name, "active": c.active}));
        self.audit(audit_entry(self, actor, "customer", &c.id, "create", change)).await?;
        Ok(present::customer(&c))
    }

    pub async fn update_customer(
        &self,
        actor: &Actor,
        id: &str,
        name: Option<&str>,
        active: Option<bool>,
    ) -> Result<api::Customer> {
        actor.require(Permission::ManageCustomers)?;
        check_id(id, "customer")?;
        let name = name.map(clean_name).transpose()?;
        if name.is_none() && active.is_none() {
            return Err(Error::Invalid("nothing to change: give name and/or active".into()));
        }
        let mut c = self.store.get_customer(id).await?.ok_or(Error::NotFound("customer"))?;
        let before = c.clone();
        if let Some(n) = &name {
            c.name = n.clone();
        }
        if let Some(a) = active {
            c.active = a;
        }
        self.store.update_customer(&c).await.map_err(|e| name_conflict(e, &c.name))?;
        c.version += 1;
        let change = Change::diff(&before, &c);
        if !change.is_empty() {
            self.audit(audit_entry(self, actor, "customer", &c.id, "update", change)).await?;
        }
        Ok(present::customer(&c))
    }

    /// CSV with a header: `id,name,active,job_count,created_at`. A cell a
    /// spreadsheet would read as a formula (leading `=`, `+`, `-`, `@`, tab
    /// or carriage return) gets a leading `'`.
    pub async fn export_customers_csv(&self, actor: &Actor) -> Result<String> {
        actor.require(Permission::ViewCustomers)?;
        let mut w = csv::Writer::from_writer(Vec::new());
        let io = |e: csv::Error| Error::Backend(format!("csv: {e}"));
        w.write_record(["id", "name", "active", "job_count", "created_at"]).map_err(io)?;
        for c in self.store.list_customers().await? {
            w.write_record(
                [
                    c.id.as_str(),
                    c.name.as_str(),
                    if c.active { "true" } else { "false" },
                    &c.job_count.to_string(),
                    &c.created_at.to_rfc3339(),
                ]
                .map(csv_cell),
            )
            .map_err(io)?;
        }
        let bytes = w.into_inner().map_err(|e| Error::Backend(format!("csv: {e}")))?;
        String::from_utf8(bytes).map_err(|e| Error::Backend(format!("csv: {e}")))
    }

    /// Imports customers from CSV with a `name` column (and optional
    /// `active`). Existing names are skipped; bad rows are reported by line.
    pub async fn import_customers_csv(&self, actor: &Actor, data: &[u8]) -> Result<api::CsvImportResult> {
        actor.require(Permission::ManageCustomers)?;
        let mut r = csv::ReaderBuilder::new().flexible(true).trim(csv::Trim::All).from_reader(data);
        let headers = r.headers().map_err(|e| Error::Invalid(format!("CSV header: {e}")))?.clone();
        let find = |n: &str| headers.iter().position(|h| h.trim_start_matches('\u{feff}').eq_ignore_ascii_case(n));
        let name_col = find("name").ok_or(Error::Invalid("the CSV needs a \"name\" column".into()))?;
        let active_col = find("active");

        // Validate everything first: a bad file changes nothing.
        let mut rows = Vec::new();
        let mut errors = Vec::new();
        for (i, rec) in r.records().enumerate() {
            let line = i + 2;
            if rows.len() + errors.len() >= MAX_IMPORT_ROWS {
                return Err(Error::TooLarge(format!("at most {MAX_IMPORT_ROWS} rows per import")));
            }
            let rec = match rec {
                Ok(r) => r,
                Err(e) => {
                    errors.push(format!("line {line}: {e}"));
                    continue;
                }
            };
            let name = match clean_name(rec.get(name_col).unwrap_or("")) {
                Ok(n) => n,
                Err(e) => {
                    errors.push(format!("line {line}: {e}"));
                    continue;
                }
            };
            let active = match active_col.and_then(|c| rec.get(c)).map(str::to_ascii_lowercase).as_deref() {
                None | Some("") | Some("true") | Some("1") | Some("yes") => true,
                Some("false") | Some("0") | Some("no") => false,
                Some(other) => {
                    errors.push(format!("line {line}: active must be true or false, not {other:?}"));
                    continue;
                }
            };
            rows.push((name, active));
        }
        if !errors.is_empty() {
            return Ok(api::CsvImportResult { created: 0, skipped: 0, errors });
        }
        let existing: std::collections::HashSet<String> =
            self.store.list_customers().await?.into_iter().map(|c| c.name.to_lowercase()).collect();
        let (mut created, mut skipped) = (0, 0);
        let mut seen = std::collections::HashSet::new();
        for (name, active) in rows {
            let key = name.to_lowercase();
            if existing.contains(&key) || !seen.insert(key) {
                skipped += 1;
                continue;
            }
            let c = Customer {
                id: ids::random_id("c"),
                name,
                active,
                created_at: self.clock.now(),
                job_count: 0,
                psa: None,
                version: 0,
            };
            match self.store.insert_customer(&c).await {
                Ok(()) => {
                    created += 1;
                    let change = Change::created(json!({"name": c.name, "active": c.active, "via": "csv import"}));
                    self.audit(audit_entry(self, actor, "customer", &c.id, "create", change)).await?;
                }
                Err(PortError::Conflict(_)) => skipped += 1,
                Err(e) => return Err(e.into()),
            }
        }
        Ok(api::CsvImportResult { created, skipped, errors })
    }
}

/// A CSV cell that no spreadsheet runs as a formula (CSV injection).
pub(crate) fn csv_cell(value: &str) -> String {
    if value.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{value}") } else { value.to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_never_start_a_formula() {
        assert_eq!(csv_cell("=HYPERLINK(\"http://x\")"), "'=HYPERLINK(\"http://x\")");
        assert_eq!(csv_cell("+1"), "'+1");
        assert_eq!(csv_cell("-2+3"), "'-2+3");
        assert_eq!(csv_cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_cell("\tx"), "'\tx");
        assert_eq!(csv_cell("\rx"), "'\rx");
        assert_eq!(csv_cell("Acme = BV"), "Acme = BV");
        assert_eq!(csv_cell("2026-11-30T17:00:00+00:00"), "2026-11-30T17:00:00+00:00");
        assert_eq!(csv_cell(""), "");
    }

    #[test]
    fn names_are_cleaned() {
        assert_eq!(clean_name("  Acme   BV ").unwrap(), "Acme BV");
        assert!(clean_name("   ").is_err());
        assert!(clean_name(&"x".repeat(201)).is_err());
        assert!(clean_name("a\u{7}b").is_err());
    }
}
