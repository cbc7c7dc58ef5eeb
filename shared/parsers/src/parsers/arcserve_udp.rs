//! Arcserve UDP job alerts (Agent and Console): subject `Arcserve UDP Agent
//! Alert: Backup Job Successful|Failed|Incomplete on <node>`, body `Node
//! Name`, `Plan Name`, `Job Type`, `Job Status`, `Start Time`, `End Time`,
//! `Elapsed Time`, `Processed Data Size`, `Backup Destination`, `Error
//! Message`.
//!
//! Job name: `<plan> on <node>` (a plan protects many nodes, each alerting
//! on its own).

use bc_api_types::ReportObject;

use crate::Report;
use crate::parse_input::ParseInput;
use crate::parsers::common::{Labels, Words, after, read_labels, value};
use crate::registry::{Parser, ParserInfo};
use crate::report::Draft;
use crate::util::text::contains_ci;

pub(crate) const ID: &str = "arcserve-udp";
const SOFTWARE: &str = "Arcserve UDP";

pub(crate) const PARSER: Parser = Parser {
    info: ParserInfo {
        id: ID,
        software: SOFTWARE,
        job_types: &["Backup", "Replicate", "Merge", "Copy to tape", "Virtual standby"],
        languages: &["en"],
        match_rules: "Subject or body names \"Arcserve\" and the subject or a `Job Status` row carries a result \
                      (Successful, Incomplete, Failed, Canceled, Crashed). Any sender.",
        order: 90,
        job_name_rule: "`<plan> on <node>` from the `Plan Name` and `Node Name` rows (the subject's `on <node>` \
                        without a Node Name row); the node alone without a plan.",
        fields: "Status (`Job Status`, else the subject): Successful; Incomplete -> Warning; Failed, Canceled, \
                 Crashed -> Failed; job type; start, end, elapsed time; processed data size (`total_bytes`); the \
                 node as the one object; `Error Message`/`Warning` rows",
        fixtures: "Arcserve UDP's e-mail alert fields as listed in its agent and console documentation; success, \
                   incomplete, failure",
        confidence: "low",
        vendor_source: false,
        real_fixtures: &[],
    },
    claims,
    parse,
};

const WORDS: Words = Words {
    failed: &["failed", "canceled", "cancelled", "crashed", "missed"],
    warning: &["incomplete", "warning", "skipped"],
    success: &["successful", "succeeded", "completed", "finished"],
};

const LABELS: Labels = Labels {
    start: &["Start Time", "Job Start Time"],
    end: &["End Time", "Job End Time"],
    duration: &["Elapsed Time", "Duration"],
    total: &["Processed Data Size", "Processed Size", "Protected Data Size"],
    backup: &["Backup Size", "Data Written"],
    transferred: &[],
    messages: &["Error Message", "Error", "Warning Message", "Warning"],
};

fn claims(view: &ParseInput<'_>) -> bool {
    view.subject_or_body_mentions("arcserve")
        && (WORDS.status(view.subject).is_some() || value(view.text(), &["Job Status"]).is_some())
        && (value(view.text(), &["Node Name", "Node"]).is_some() || contains_ci(view.subject, " on "))
}

fn parse(view: &ParseInput<'_>) -> Result<Report, String> {
    let text = view.text();
    let mut draft = Draft::new(ID, SOFTWARE);
    draft.status =
        value(text, &["Job Status", "Status"]).and_then(|s| WORDS.status(s)).or_else(|| WORDS.status(view.subject));
    let node = value(text, &["Node Name", "Node"])
        .or_else(|| after(view.subject, " on ", &[]))
        .map(str::to_string)
        .ok_or("no node named")?;
    draft.job_name = match value(text, &["Plan Name", "Plan"]) {
        Some(plan) => format!("{plan} on {node}"),
        None => node.clone(),
    };
    draft.job_type = value(text, &["Job Type"]).unwrap_or("Backup").to_string();
    read_labels(view, text, &LABELS, &mut draft);
    if let Some(dest) = value(text, &["Backup Destination", "Destination"]) {
        draft.note(&format!("Destination: {dest}"));
    }
    if let Some(status) = draft.status {
        draft.object(ReportObject {
            name: node,
            object_type: Some("Node".to_string()),
            status,
            message: None,
            started_at: draft.started_at,
            ended_at: draft.ended_at,
            size_bytes: draft.sizes.total_bytes,
        });
    }
    draft.finish()
}
