//! Syncovery profile notifications: subject `Syncovery: Profile "<name>"
//! completed | completed with errors | failed`, body `Profile`, `Result`,
//! `Started`, `Finished`/`Duration`, copy counts and sizes (`Copied L->R:
//! 12 files (45.2 MB)`), `Errors`, error lines.
//!
//! Job name: the profile.

use bc_api_types::Status;

use crate::Report;
use crate::parse_input::ParseInput;
use crate::parsers::common::{Labels, Words, quoted, read_labels, value};
use crate::registry::{Parser, ParserInfo};
use crate::report::Draft;
use crate::util::size::parse_size;

pub(crate) const ID: &str = "syncovery";
const SOFTWARE: &str = "Syncovery";

pub(crate) const PARSER: Parser = Parser {
    info: ParserInfo {
        id: ID,
        software: SOFTWARE,
        job_types: &["Profile"],
        languages: &["en"],
        match_rules: "Subject or body names \"Syncovery\" (or \"Super Flexible File Synchronizer\") and a profile \
                      (quoted in the subject or a `Profile` row) with a result. Any sender.",
        order: 98,
        job_name_rule: "The profile: the quoted name in the subject, else the `Profile` row.",
        fields: "Result (`Result` row, else the subject): completed -> Success; with warnings/skipped -> \
                 Warning; with errors/failed/aborted -> Failed; started, finished, duration; the sizes in \
                 parentheses of the `Copied` rows summed (`transferred_bytes`); `Errors` count and error lines as \
                 messages",
        fixtures: "Syncovery's profile result mail as described in its documentation (e-mail notification \
                   settings, log summary lines); success, errors, failure",
        confidence: "low",
        vendor_source: false,
        real_fixtures: &[],
    },
    claims,
    parse,
};

const WORDS: Words = Words {
    failed: &["with errors", "failed", "aborted", "error"],
    warning: &["with warnings", "warning", "skipped"],
    success: &["completed", "success", "finished"],
};

const LABELS: Labels = Labels {
    start: &["Started", "Start Time"],
    end: &["Finished", "End Time", "Completed at"],
    duration: &["Duration", "Elapsed"],
    total: &[],
    backup: &[],
    transferred: &[],
    messages: &["Error", "Last Error"],
};

fn claims(view: &ParseInput<'_>) -> bool {
    let text = view.text();
    (view.subject_or_body_mentions("syncovery") || view.subject_or_body_mentions("super flexible file synchronizer"))
        && (quoted(view.subject).is_some() || value(text, &["Profile"]).is_some())
        && (WORDS.status(view.subject).is_some() || value(text, &["Result"]).is_some())
}

fn parse(view: &ParseInput<'_>) -> Result<Report, String> {
    let text = view.text();
    let mut draft = Draft::new(ID, SOFTWARE);
    draft.job_type = "Profile".to_string();
    draft.job_name = quoted(view.subject)
        .or_else(|| value(text, &["Profile", "Profile Name"]))
        .map(str::to_string)
        .ok_or("no profile named")?;
    draft.status =
        value(text, &["Result", "Status"]).and_then(|s| WORDS.status(s)).or_else(|| WORDS.status(view.subject));
    read_labels(view, text, &LABELS, &mut draft);
    let mut copied: Option<u64> = None;
    for line in text.lines().map(str::trim).filter(|l| l.starts_with("Copied")) {
        if let (Some(open), Some(close)) = (line.rfind('('), line.rfind(')'))
            && open < close
            && let Some(bytes) = parse_size(&line[open + 1..close])
        {
            copied = Some(copied.unwrap_or(0).saturating_add(bytes));
        }
    }
    draft.sizes.transferred_bytes = copied;
    if let Some(n) = value(text, &["Errors"]).filter(|n| n.trim() != "0") {
        draft.message(&format!("Errors: {n}"));
    }
    if draft.status != Some(Status::Success)
        && !draft.has_messages()
        && let Some(r) = value(text, &["Result"])
    {
        draft.message(r);
    }
    draft.finish()
}
