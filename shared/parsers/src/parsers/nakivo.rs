//! NAKIVO Backup & Replication job reports: a job summary (`Job name`, `Job
//! type`, `Status`, `Started`, `Finished`, `Duration`, `Transferred`) and a
//! table of VMs or machines (`VM name`/`Source` | `Status` | `Started` |
//! `Finished` | `Transferred` | `Note`).
//!
//! Job name: the job's name.

use crate::Report;
use crate::parse_input::ParseInput;
use crate::parsers::common::{Columns, Labels, Words, quoted, read_labels, read_objects, value};
use crate::registry::{Parser, ParserInfo};
use crate::report::Draft;

pub(crate) const ID: &str = "nakivo";
const SOFTWARE: &str = "NAKIVO Backup & Replication";

pub(crate) const PARSER: Parser = Parser {
    info: ParserInfo {
        id: ID,
        software: SOFTWARE,
        job_types: &[
            "VMware backup",
            "Hyper-V backup",
            "Physical machine backup",
            "Microsoft 365 backup",
            "Backup copy",
            "Replication",
        ],
        languages: &["en"],
        match_rules: "Subject or body names \"NAKIVO\" and the body has a `Job name` (or the subject a quoted job) \
                      and a status. Any sender.",
        order: 80,
        job_name_rule: "The `Job name` row, else the quoted job in the subject.",
        fields: "Status (Successful; Partially successful/warnings -> Warning; Failed/Stopped -> Failed); job \
                 type; started, finished, duration; transferred data; one object per VM/machine row with status, \
                 times, transferred size and note; `Error`/`Warning` rows as messages",
        fixtures: "NAKIVO's job report as described in its user guide (job summary, then one row per VM) and as \
                   public monitors key on it (subject words `Successful`/`Failed`); success, partial, failure",
        confidence: "low",
        vendor_source: false,
        real_fixtures: &[],
    },
    claims,
    parse,
};

const WORDS: Words = Words {
    failed: &["failed", "stopped", "error"],
    warning: &["partially", "warning", "skipped"],
    success: &["successful", "succeeded", "completed"],
};

const LABELS: Labels = Labels {
    start: &["Started", "Start time", "Job started"],
    end: &["Finished", "End time", "Job finished"],
    duration: &["Duration", "Job duration"],
    total: &["Data processed", "Processed"],
    backup: &[],
    transferred: &["Transferred", "Transferred data", "Data transferred"],
    messages: &["Error", "Errors", "Warning", "Warnings", "Alarm"],
};

const COLUMNS: Columns = Columns {
    name: &["VM name", "VM", "Source", "Machine", "Item"],
    status: &["Status", "Result"],
    kind: &["Type"],
    start: &["Started", "Start time"],
    end: &["Finished", "End time"],
    size: &["Transferred", "Data transferred"],
    message: &["Note", "Notes", "Details", "Error"],
};

fn claims(view: &ParseInput<'_>) -> bool {
    let text = view.text();
    view.subject_or_body_mentions("nakivo")
        && (value(text, &["Job name"]).is_some() || quoted(view.subject).is_some())
        && (value(text, &["Status", "Job status"]).is_some() || WORDS.status(view.subject).is_some())
}

fn parse(view: &ParseInput<'_>) -> Result<Report, String> {
    let text = view.text();
    let mut draft = Draft::new(ID, SOFTWARE);
    draft.job_name =
        value(text, &["Job name"]).or_else(|| quoted(view.subject)).map(str::to_string).ok_or("no job name")?;
    draft.job_type = value(text, &["Job type"]).unwrap_or("Backup").to_string();
    draft.status =
        value(text, &["Job status", "Status"]).and_then(|s| WORDS.status(s)).or_else(|| WORDS.status(view.subject));
    read_labels(view, text, &LABELS, &mut draft);
    read_objects(view, &COLUMNS, &WORDS, Some("VM"), &mut draft);
    draft.finish()
}
