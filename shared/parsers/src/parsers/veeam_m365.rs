//! Veeam Backup for Microsoft 365 job notifications: Veeam's report layout
//! (header `Backup job: <Name>`, grid, object table with a `Type` column:
//! User, Group, Site, Team) with the product named in the body.

use crate::Report;
use crate::parse_input::ParseInput;
use crate::parsers::veeam_layout::{self, Options, Product};
use crate::registry::{Parser, ParserInfo};
use crate::report::Draft;

pub(crate) const ID: &str = "veeam-m365";
const SOFTWARE: &str = "Veeam Backup for Microsoft 365";
const TYPES: [&str; 2] = ["Backup Copy", "Backup"];

pub(crate) const PARSER: Parser = Parser {
    info: ParserInfo {
        id: ID,
        software: SOFTWARE,
        job_types: &TYPES,
        languages: &["en"],
        match_rules: "Body names \"Veeam Backup for Microsoft 365\" (or \"... Office 365\") and has a header \
                      \"Backup job: <Name>\" / \"Backup Copy job: <Name>\". Any sender, any subject.",
        order: 24,
        job_name_rule: "The name after \"<Type> job:\" in the header row, e.g. \"Exchange Online Daily\".",
        fields: "As the Veeam layout: result, `n of m objects processed`, start, end, duration, transferred, \
                 session warnings and errors; one object per table row with its `Type` (User, Group, Site, \
                 Team), status, times and details",
        fixtures: "Veeam's shared report layout with the Microsoft 365 object types and the product footer; \
                   the VB365 notification settings documented in Veeam's REST/PowerShell references",
        confidence: "low",
        vendor_source: false,
        real_fixtures: &[],
    },
    claims,
    parse,
};

fn claims(view: &ParseInput<'_>) -> bool {
    veeam_layout::mail_product(view) == Some(Product::Microsoft365) && veeam_layout::has_header(view, &TYPES)
}

fn object_type(_job_type: &str) -> Option<&'static str> {
    None
}

fn parse(view: &ParseInput<'_>) -> Result<Report, String> {
    let mut draft = Draft::new(ID, SOFTWARE);
    veeam_layout::read(view, &mut draft, &Options { types: &TYPES, object_type })?;
    if draft.status.is_none() {
        draft.status = veeam_layout::subject_result(view.subject);
    }
    draft.finish()
}
