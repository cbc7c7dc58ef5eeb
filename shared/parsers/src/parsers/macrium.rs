//! Macrium Reflect e-mail notifications: subject `Macrium Reflect - Backup
//! Succeeded | Backup Failed | Backup Completed with Warnings - <definition>
//! (<computer>)`, body with `Backup Definition`, `Computer`, `Backup Type`,
//! `Result`, `Start Time`, `End Time`, `Duration`, `Image Size`,
//! `Destination`.
//!
//! Job name: `<definition> on <computer>`.

use crate::Report;
use crate::parse_input::ParseInput;
use crate::parsers::common::{Labels, Words, after, read_labels, value};
use crate::registry::{Parser, ParserInfo};
use crate::report::Draft;
use crate::util::text::contains_ci;

pub(crate) const ID: &str = "macrium-reflect";
const SOFTWARE: &str = "Macrium Reflect";

pub(crate) const PARSER: Parser = Parser {
    info: ParserInfo {
        id: ID,
        software: SOFTWARE,
        job_types: &["Full", "Differential", "Incremental", "File and Folder"],
        languages: &["en"],
        match_rules: "Subject or body names \"Macrium\", with a backup result (Succeeded, Completed \
                      with Warnings, Failed, Aborted) and the body has a `Backup Definition` row or the subject \
                      names one. Any sender.",
        order: 88,
        job_name_rule: "`<definition> on <computer>`: the `Backup Definition` row (file name without `.xml`) or the \
                        subject's part after the result, and the `Computer` row or the subject's `(<computer>)`.",
        fields: "Result (Succeeded/completed successfully; warnings; Failed/Aborted/Error); backup type as job \
                 type; start, end, duration; image size (`backup_bytes`); `Error`/`Warning` rows; destination as \
                 a note",
        fixtures: "Macrium Reflect's notification and log fields as documented in its knowledge base; success, \
                   warning, abort",
        confidence: "low",
        vendor_source: false,
        real_fixtures: &[],
    },
    claims,
    parse,
};

const WORDS: Words = Words {
    failed: &["failed", "aborted", "error"],
    warning: &["with warnings", "warning"],
    success: &["succeeded", "completed successfully", "success"],
};

const LABELS: Labels = Labels {
    start: &["Start Time", "Backup Start", "Started"],
    end: &["End Time", "Backup End", "Finished"],
    duration: &["Duration", "Total Duration"],
    total: &["Data Size", "Source Size"],
    backup: &["Image Size", "Backup Size", "File Size"],
    transferred: &[],
    messages: &["Error", "Errors", "Warning", "Warnings"],
};

fn claims(view: &ParseInput<'_>) -> bool {
    view.subject_or_body_mentions("macrium")
        && (WORDS.status(view.subject).is_some() || value(view.text(), &["Result"]).is_some())
        && (value(view.text(), &["Backup Definition", "Definition File"]).is_some() || contains_ci(view.subject, " - "))
}

fn parse(view: &ParseInput<'_>) -> Result<Report, String> {
    let text = view.text();
    let mut draft = Draft::new(ID, SOFTWARE);
    draft.status =
        value(text, &["Result", "Status"]).and_then(|s| WORDS.status(s)).or_else(|| WORDS.status(view.subject));
    let definition = value(text, &["Backup Definition", "Definition File", "Definition"])
        .map(|d| {
            let file = d.rsplit(['\\', '/']).next().unwrap_or(d);
            file.strip_suffix(".xml").unwrap_or(file).to_string()
        })
        .or_else(|| {
            let tail = view.subject.rsplit(" - ").next()?;
            let name = tail.split(" (").next()?.trim();
            (!name.is_empty()).then(|| name.to_string())
        })
        .ok_or("no backup definition named")?;
    let computer = value(text, &["Computer", "Computer Name", "Machine"])
        .or_else(|| after(view.subject.rsplit(" - ").next().unwrap_or(""), "(", &[")"]));
    draft.job_name = match computer {
        Some(c) => format!("{definition} on {c}"),
        None => definition,
    };
    draft.job_type = value(text, &["Backup Type", "Type"]).unwrap_or("Image").to_string();
    read_labels(view, text, &LABELS, &mut draft);
    if let Some(dest) = value(text, &["Destination", "Backup Destination"]) {
        draft.note(&format!("Destination: {dest}"));
    }
    if draft.status != Some(bc_api_types::Status::Success)
        && let Some(result) = value(text, &["Result"])
    {
        draft.message(result);
    }
    draft.finish()
}
