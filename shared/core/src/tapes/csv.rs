//! Cartridges as CSV: the export an auditor asks for, and the import of a
//! spreadsheet of tapes (columns `barcode,generation,capacity_gb,status,tags,notes`;
//! tags separated by `;`). An import is checked whole (barcodes, labels,
//! duplicates) before anything is written, then written row by row.

use bc_api_types::{self as api, Permission};

use super::labels;
use crate::app::App;
use crate::auth::permissions::Actor;
use crate::error::{Error, Result};

/// Most rows of one import.
pub const MAX_IMPORT_ROWS: usize = 2_000;

const HEADER: [&str; 9] =
    ["barcode", "generation", "capacity_gb", "status", "tags", "location", "place", "custodian", "notes"];

impl App {
    pub async fn tapes_csv(&self, actor: &Actor) -> Result<String> {
        actor.require(Permission::ViewTapes)?;
        let mut w = csv::Writer::from_writer(Vec::new());
        let io = |e: csv::Error| Error::Backend(format!("csv: {e}"));
        w.write_record(HEADER).map_err(io)?;
        for t in self.store.list_tapes().await? {
            let (kind, place, custodian) = t
                .location
                .as_ref()
                .map(|l| (l.kind.as_str().to_string(), l.place.clone(), l.custodian.clone()))
                .unwrap_or_default();
            w.write_record([
                t.barcode,
                t.generation.to_string(),
                t.capacity_gb.to_string(),
                t.status.as_str().to_string(),
                t.tags.join(";"),
                kind,
                place,
                custodian,
                t.notes,
            ])
            .map_err(io)?;
        }
        let bytes = w.into_inner().map_err(|e| Error::Backend(format!("csv: {e}")))?;
        String::from_utf8(bytes).map_err(|e| Error::Backend(format!("csv: {e}")))
    }

    /// Registers the Cartridges of a CSV file; every row is checked first.
    pub async fn import_tapes_csv(&self, actor: &Actor, data: &[u8]) -> Result<api::RegisteredTapes> {
        self.require_tapes_write(actor).await?;
        let mut r = csv::ReaderBuilder::new().flexible(true).trim(csv::Trim::All).from_reader(data);
        let headers = r.headers().map_err(|e| Error::Invalid(format!("CSV: {e}")))?.clone();
        let col = |name: &str| headers.iter().position(|h| h.eq_ignore_ascii_case(name));
        let barcode_col = col("barcode").ok_or_else(|| Error::Invalid("the CSV needs a barcode column".into()))?;
        let generation_col =
            col("generation").ok_or_else(|| Error::Invalid("the CSV needs a generation column".into()))?;
        let mut requests = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for (i, row) in r.records().enumerate() {
            let line = i + 2;
            let row = row.map_err(|e| Error::Invalid(format!("CSV line {line}: {e}")))?;
            let get = |c: Option<usize>| c.and_then(|c| row.get(c)).unwrap_or("").to_string();
            let barcode = get(Some(barcode_col));
            if barcode.is_empty() {
                continue;
            }
            let generation: u8 = get(Some(generation_col))
                .trim_start_matches(|c: char| !c.is_ascii_digit())
                .parse()
                .map_err(|_| Error::Invalid(format!("CSV line {line}: generation is a number 1 to 10")))?;
            let capacity = get(col("capacity_gb"));
            let status = get(col("status"));
            let req = api::RegisterTapes {
                barcode,
                count: None,
                generation,
                capacity_gb: if capacity.is_empty() {
                    None
                } else {
                    Some(
                        capacity
                            .parse()
                            .map_err(|_| Error::Invalid(format!("CSV line {line}: capacity_gb is a number")))?,
                    )
                },
                status: if status.is_empty() {
                    None
                } else {
                    Some(api::TapeStatus::parse(&status).ok_or_else(|| {
                        Error::Invalid(format!("CSV line {line}: status is empty, in_use, full or pending_destruction"))
                    })?)
                },
                tags: get(col("tags")).split(';').map(str::trim).filter(|t| !t.is_empty()).map(String::from).collect(),
                notes: get(col("notes")),
            };
            labels::check_generation(req.generation).map_err(|e| Error::Invalid(format!("CSV line {line}: {e}")))?;
            let b =
                labels::normalise_barcode(&req.barcode).map_err(|e| Error::Invalid(format!("CSV line {line}: {e}")))?;
            labels::check_label(&b, req.generation).map_err(|e| Error::Invalid(format!("CSV line {line}: {e}")))?;
            if !seen.insert(b.clone()) {
                return Err(Error::Invalid(format!("CSV line {line}: barcode {b} appears twice")));
            }
            requests.push(req);
            if requests.len() > MAX_IMPORT_ROWS {
                return Err(Error::Invalid(format!("at most {MAX_IMPORT_ROWS} tapes per import")));
            }
        }
        if requests.is_empty() {
            return Err(Error::Invalid("the CSV has no tapes".into()));
        }
        let existing: std::collections::HashSet<String> =
            self.store.list_tapes().await?.into_iter().map(|t| t.barcode).collect();
        if let Some(dup) = seen.iter().find(|b| existing.contains(*b)) {
            return Err(Error::Conflict(format!("barcode {dup} is registered already")));
        }
        let mut out = api::RegisteredTapes { tapes: Vec::new(), warnings: Vec::new() };
        for req in &requests {
            let one = self.register_tapes(actor, req).await?;
            out.tapes.extend(one.tapes);
            out.warnings.extend(one.warnings);
        }
        Ok(out)
    }
}
