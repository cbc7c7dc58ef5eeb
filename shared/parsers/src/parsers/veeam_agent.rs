//! Veeam Agent job reports (Windows; Linux through `vee-mail`), in the same
//! HTML layout as Backup & Replication with the header
//! `Agent Backup job: <Job>`.

use crate::Report;
use crate::parse_input::ParseInput;
use crate::parsers::veeam_layout::{self, AGENT_TYPES, Options};
use crate::registry::{Parser, ParserInfo};
use crate::report::Draft;

pub(crate) const ID: &str = "veeam-agent";
const SOFTWARE: &str = "Veeam Agent";

pub(crate) const PARSER: Parser = Parser {
    info: ParserInfo {
        id: ID,
        software: SOFTWARE,
        job_types: &AGENT_TYPES,
        languages: &["en"],
        match_rules: "Body (HTML or text) has a header \"Agent Backup job: <Name>\" (or \"policy:\") and a \
                      \"Start time\" label. Any sender, any subject.",
        order: 20,
        job_name_rule: "The name after \"Agent Backup job:\", e.g. \"Backup Job PC01\" (vee-mail names the job \
                        after the host).",
        fields: "As for Backup & Replication: header, grid (start, end, duration, sizes), one `Computer` object per table row; vee-mail's session log under the Details band as messages",
        fixtures: "`grufocom/vee-mail`'s template and script (Linux), Veeam's shared layout (Windows, managed by VBR)",
        confidence: "low",
        vendor_source: false,
        real_fixtures: &[],
    },
    claims,
    parse,
};

fn claims(view: &ParseInput<'_>) -> bool {
    veeam_layout::has_header(view, &AGENT_TYPES)
}

fn object_type(_job_type: &str) -> Option<&'static str> {
    Some("Computer")
}

fn parse(view: &ParseInput<'_>) -> Result<Report, String> {
    let mut draft = Draft::new(ID, SOFTWARE);
    veeam_layout::read(view, &mut draft, &Options { types: &AGENT_TYPES, object_type })?;
    if draft.status.is_none() {
        draft.status = veeam_layout::subject_result(view.subject);
    }
    draft.finish()
}
