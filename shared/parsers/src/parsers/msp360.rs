//! MSP360 (CloudBerry) Backup plan notifications: subject `[MSP360] Backup
//! Plan "<plan>" on <computer>: Success|Warning|Failed`, body `Plan`,
//! `Computer`, `Status`, `Start Time`, `End Time`, `Duration`, file counts,
//! `Uploaded`, `Total Size`, and failed files.
//!
//! Job name: `<plan> on <computer>` (MSP360 sends every customer's mails
//! from the same address).

use crate::Report;
use crate::parse_input::ParseInput;
use crate::parsers::common::{Columns, Labels, Words, after, quoted, read_labels, read_objects, value};
use crate::registry::{Parser, ParserInfo};
use crate::report::Draft;
use crate::util::text::contains_ci;

pub(crate) const ID: &str = "msp360";
const SOFTWARE: &str = "MSP360 Backup";

pub(crate) const PARSER: Parser = Parser {
    info: ParserInfo {
        id: ID,
        software: SOFTWARE,
        job_types: &["Backup plan", "Image-based backup", "Restore plan"],
        languages: &["en"],
        match_rules: "Subject or body names \"MSP360\", \"CloudBerry\" or \"mspbackups\", and the subject names a \
                      plan with a result. Any sender.",
        order: 86,
        job_name_rule: "`<plan> on <computer>` from the quoted plan in the subject (or the `Plan` row) and the \
                        `Computer` row (or the subject's `on <computer>`).",
        fields: "Status (Success; Warning; Failed/Error); start, end, duration; total and uploaded size; failed \
                 files as objects (table `File`/`Status`/`Error`) and `Error` rows as messages",
        fixtures: "MSP360's plan notification fields as listed in its documentation; success, warning with \
                   skipped files, failure",
        confidence: "low",
        vendor_source: false,
        real_fixtures: &[],
    },
    claims,
    parse,
};

const WORDS: Words = Words {
    failed: &["failed", "error", "fail"],
    warning: &["warning", "skipped"],
    success: &["success", "completed"],
};

const LABELS: Labels = Labels {
    start: &["Start Time", "Started"],
    end: &["End Time", "Finished", "Finish Time"],
    duration: &["Duration"],
    total: &["Total Size", "Size Scanned", "Scanned Size"],
    backup: &[],
    transferred: &["Uploaded", "Uploaded Size", "Data Uploaded"],
    messages: &["Error", "Errors", "Warning", "Warnings"],
};

const COLUMNS: Columns = Columns {
    name: &["File", "Path", "Item"],
    status: &["Status", "Result"],
    kind: &[],
    start: &[],
    end: &[],
    size: &["Size"],
    message: &["Error", "Reason", "Details"],
};

fn claims(view: &ParseInput<'_>) -> bool {
    ["msp360", "cloudberry", "mspbackups"].iter().any(|b| view.subject_or_body_mentions(b))
        && contains_ci(view.subject, "plan")
        && WORDS.status(view.subject).is_some()
}

fn parse(view: &ParseInput<'_>) -> Result<Report, String> {
    let text = view.text();
    let mut draft = Draft::new(ID, SOFTWARE);
    let plan = quoted(view.subject).or_else(|| value(text, &["Plan", "Plan Name"])).ok_or("no plan name")?;
    let computer =
        value(text, &["Computer", "Computer Name", "Endpoint"]).or_else(|| after(view.subject, "\" on ", &[":"]));
    draft.job_name = match computer {
        Some(c) => format!("{plan} on {c}"),
        None => plan.to_string(),
    };
    draft.job_type = value(text, &["Plan Type", "Type"]).unwrap_or("Backup plan").to_string();
    draft.status = value(text, &["Status", "Result"])
        .and_then(|s| WORDS.status(s))
        .or_else(|| WORDS.status(view.subject.rsplit(':').next().unwrap_or("")));
    read_labels(view, text, &LABELS, &mut draft);
    read_objects(view, &COLUMNS, &WORDS, Some("File"), &mut draft);
    if let Some(failed) = value(text, &["Files Failed", "Failed Files"]).filter(|f| f.trim() != "0") {
        draft.note(&format!("Files failed: {failed}"));
    }
    draft.finish()
}
