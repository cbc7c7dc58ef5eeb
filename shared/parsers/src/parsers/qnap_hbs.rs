//! QNAP Hybrid Backup Sync job mails from the QTS/QuTS Notification
//! Center: `Server Name`, `IP Address`, `Date/Time`, `Level`, `App Name:
//! Hybrid Backup Sync`, `Category`, `Message: [Hybrid Backup Sync] <event>
//! "<job>" ...`.
//!
//! Job name: the quoted job in the message.

use bc_api_types::Status;

use crate::Report;
use crate::parse_input::ParseInput;
use crate::parsers::common::{Words, field, local_time, quoted, value};
use crate::registry::{Parser, ParserInfo};
use crate::report::Draft;
use crate::util::text::{contains_ci, find_ci};

pub(crate) const ID: &str = "qnap-hbs";
const SOFTWARE: &str = "QNAP Hybrid Backup Sync";

pub(crate) const PARSER: Parser = Parser {
    info: ParserInfo {
        id: ID,
        software: SOFTWARE,
        job_types: &["Backup", "Restore", "Sync"],
        languages: &["en"],
        match_rules: "Subject or body names \"Hybrid Backup Sync\" (or \"HBS 3\") and a message line names a job \
                      with a result (finished/completed, completed with warnings/skipped, failed/stopped/error). \
                      Any sender.",
        order: 96,
        job_name_rule: "The quoted job name in the `[Hybrid Backup Sync]` message (`Backup job \"Daily-to-RTRR\" \
                        finished.` -> `Daily-to-RTRR`).",
        fields: "Status from the message (failure, then warning, then success words) or `Level` (Error -> \
                 Failed, Warning -> Warning); the notification's `Date/Time` as the end; the job kind (backup, \
                 restore, sync); the message and its `Error:` text as messages; server name as a note",
        fixtures: "QNAP Notification Center's mail layout (Server Name, IP Address, Date/Time, Level, App Name, \
                   Category, Message) with Hybrid Backup Sync's job messages as they appear in QTS system logs",
        confidence: "low",
        vendor_source: false,
        real_fixtures: &[],
    },
    claims,
    parse,
};

const WORDS: Words = Words {
    failed: &["failed", "failure", "error", "stopped", "aborted", "cancelled", "canceled"],
    warning: &["warning", "skipped", "partially"],
    success: &["finished", "completed", "succeeded", "successfully"],
};

fn claims(view: &ParseInput<'_>) -> bool {
    let text = view.text();
    (view.subject_or_body_mentions("hybrid backup sync") || view.mentions("hbs 3")) && event(text).is_some()
}

/// The `[Hybrid Backup Sync]` message line with a quoted job and a result.
fn event(text: &str) -> Option<(&str, &str, Status)> {
    text.lines().find_map(|l| {
        let at = find_ci(l, "[hybrid backup sync]")?;
        let msg = l[at + "[hybrid backup sync]".len()..].trim();
        let job = quoted(msg)?;
        Some((msg, job, WORDS.status(msg)?))
    })
}

fn parse(view: &ParseInput<'_>) -> Result<Report, String> {
    let text = view.text();
    let mut draft = Draft::new(ID, SOFTWARE);
    let (msg, job, status) = event(text).ok_or("no Hybrid Backup Sync job message")?;
    draft.job_name = job.to_string();
    let level = field(text, &["Level", "Severity"]).unwrap_or("");
    draft.status = Some(if contains_ci(level, "error") {
        status.worst(Status::Failed)
    } else if contains_ci(level, "warning") {
        status.worst(Status::Warning)
    } else {
        status
    });
    draft.job_type = if contains_ci(msg, "restore") {
        "Restore"
    } else if contains_ci(msg, "sync") {
        "Sync"
    } else {
        "Backup"
    }
    .to_string();
    draft.ended_at = field(text, &["Date/Time", "Date", "Time"]).and_then(|d| local_time(view, d));
    if draft.status != Some(Status::Success) {
        draft.message(msg);
    }
    if let Some(server) = value(text, &["Server Name", "NAS Name", "Device Name"]) {
        draft.note(&format!("Server: {server}"));
    }
    draft.finish()
}
