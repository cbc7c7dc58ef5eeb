//! Duplicati result mails: `Key: Value` lines (`ParsedResult`,
//! `MainOperation`, `BeginTime`, `EndTime`, `Duration`, file counts and
//! sizes, nested results indented), then `Warnings: [...]` and `Errors:
//! [...]`; a run that threw ends in `Failed: <message>` / `Details:`.
//! Default subject `Duplicati <operation> report for <backup-name>`.
//!
//! Job name: the backup's name from the subject.

use bc_api_types::Status;

use crate::Report;
use crate::parse_input::ParseInput;
use crate::parsers::common::{complete_times, local_time, top_field};
use crate::registry::{Parser, ParserInfo, RealFixture};
use crate::report::Draft;
use crate::util::duration::parse_duration;
use crate::util::text::{contains_ci, eq_ci, find_ci};

pub(crate) const ID: &str = "duplicati";
const SOFTWARE: &str = "Duplicati";

pub(crate) const PARSER: Parser = Parser {
    info: ParserInfo {
        id: ID,
        software: SOFTWARE,
        job_types: &["Backup", "Restore", "Verify", "Compact", "Repair"],
        languages: &["en"],
        match_rules: "Body has the top-level `ParsedResult:` and `MainOperation:` lines of a Duplicati result, or \
                      the subject names Duplicati and the body has `Failed:`. Any sender.",
        order: 72,
        job_name_rule: "The backup's name after \"report for\" in the subject (`Duplicati Backup report for \
                        Documents` -> `Documents`); else the text after \"Duplicati\"; else the sender.",
        fields: "ParsedResult (Success; Warning; Error/Fatal -> Failed; `Failed:` -> Failed), MainOperation as the \
                 job type, BeginTime/EndTime (the Unix time in parentheses wins), Duration, SizeOfExaminedFiles \
                 (`total_bytes`), BackendStatistics BytesUploaded (`transferred_bytes`) and KnownFileSize \
                 (`backup_bytes`), the Warnings and Errors lists and the `Failed:` text as messages",
        fixtures: "Duplicati's result format as listed field by field in `HandyGuySoftware/dupReport` \
                   (`dremail.py`, written against real mails), with nested results, a warning list and an \
                   exception",
        confidence: "medium",
        vendor_source: false,
        real_fixtures: &[
            RealFixture {
                file: "real-dupreport-issue-147-warning.eml",
                source: "the report body quoted in `HandyGuySoftware/dupReport` issue #147 (2020) as Duplicati \
                     2.0.5.1 mailed it; its message list cut after four entries (as quoted); sender, subject \
                     and Date reconstructed",
            },
            RealFixture {
                file: "real-dupreport-issue-99-success-gmail.eml",
                source: "the raw multipart mail quoted in `HandyGuySoftware/dupReport` issue #99 (2018, a Gmail \
                     mailbox): every field, the message list and the HTML part's `<br>` lines and \
                     `gmail_quote` div as quoted; the text part's line breaks (collapsed in the quote), the \
                     subject (from dupReport's `Media`/`Media` source and destination), sender and Date \
                     reconstructed",
            },
        ],
    },
    claims,
    parse,
};

fn claims(view: &ParseInput<'_>) -> bool {
    let text = view.text();
    (top_field(text, &["ParsedResult"]).is_some() && top_field(text, &["MainOperation"]).is_some())
        || (contains_ci(view.subject, "duplicati") && top_field(text, &["Failed"]).is_some())
}

fn parse(view: &ParseInput<'_>) -> Result<Report, String> {
    let text = view.text();
    let mut draft = Draft::new(ID, SOFTWARE);
    draft.job_type = top_field(text, &["MainOperation"]).unwrap_or("Backup").to_string();
    let result = top_field(text, &["ParsedResult"]).unwrap_or("");
    let failed = top_field(text, &["Failed"]);
    draft.status = if failed.is_some() {
        Some(Status::Failed)
    } else if eq_ci(result, "Success") {
        Some(Status::Success)
    } else if eq_ci(result, "Warning") {
        Some(Status::Warning)
    } else if eq_ci(result, "Error") || eq_ci(result, "Fatal") {
        Some(Status::Failed)
    } else {
        None
    };
    draft.job_name = find_ci(view.subject, "report for")
        .map(|i| view.subject[i + "report for".len()..].trim().to_string())
        .or_else(|| {
            find_ci(view.subject, "duplicati").map(|i| view.subject[i + "duplicati".len()..].trim().to_string())
        })
        .filter(|n| !n.is_empty())
        .or_else(|| view.mail.from_address.clone())
        .ok_or("no backup name in the subject")?;

    draft.started_at = top_field(text, &["BeginTime"]).and_then(|v| local_time(view, v));
    draft.ended_at = top_field(text, &["EndTime"]).and_then(|v| local_time(view, v));
    draft.duration_secs = top_field(text, &["Duration"]).and_then(parse_duration);
    complete_times(&mut draft);
    let bytes = |label: &str| nested_number(text, label);
    draft.sizes.total_bytes = top_field(text, &["SizeOfExaminedFiles"]).and_then(|v| v.trim().parse().ok());
    draft.sizes.transferred_bytes = bytes("BytesUploaded");
    draft.sizes.backup_bytes = bytes("KnownFileSize");

    if let Some(f) = failed {
        draft.message(f);
    }
    for list in ["Errors", "LimitedErrors", "Warnings", "LimitedWarnings"] {
        for item in list_items(text, list).take(50) {
            draft.message(item);
        }
    }
    draft.finish()
}

/// `    BytesUploaded: 123` anywhere (BackendStatistics is nested).
fn nested_number(text: &str, label: &str) -> Option<u64> {
    text.lines().find_map(|l| {
        let v = crate::parsers::common::field_line(l, &[label])?;
        v.trim().parse().ok()
    })
}

/// The items of a top-level `Label: [ ... ]` list, without their
/// timestamp and log-tag prefix.
fn list_items<'a>(text: &'a str, label: &'a str) -> impl Iterator<Item = &'a str> {
    let mut lines = text.lines();
    let found = lines.by_ref().any(|l| {
        !l.starts_with([' ', '\t']) && crate::parsers::common::field_line(l, &[label]).is_some_and(|v| v == "[")
    });
    lines
        .take_while(move |l| found && l.trim() != "]")
        .map(|l| {
            let l = l.trim().trim_end_matches(',');
            // `2026-03-03 22:00:05 +01 - [Warning-...-FileAccessError]: text`
            match l.find("]: ") {
                Some(i) if l[..i].contains(" - [") => &l[i + 3..],
                _ => l,
            }
        })
        .filter(|l| !l.is_empty())
}
