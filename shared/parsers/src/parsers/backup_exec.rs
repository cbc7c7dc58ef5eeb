//! Veritas Backup Exec job alerts: subject `Backup Exec Alert: Job Success
//! (Server: "<server>") (Job: "<job>")` (also `Job Completed with
//! Exceptions`, `Job Failed`, `Job Cancellation`), body `Job server:`, `Job
//! name:`, `Job start time:`, `Job end time:`, `Job type:`, `Completed
//! status:`, `Final error:`, `Final error category:`.
//!
//! Job name: the job from the subject or `Job name:`.

use bc_api_types::Status;

use crate::Report;
use crate::parse_input::ParseInput;
use crate::parsers::common::{Words, after, complete_times, field, local_time, value};
use crate::registry::{Parser, ParserInfo};
use crate::report::Draft;
use crate::util::duration::parse_duration;
use crate::util::size::parse_size;
use crate::util::text::contains_ci;

pub(crate) const ID: &str = "backup-exec";
const SOFTWARE: &str = "Veritas Backup Exec";

pub(crate) const PARSER: Parser = Parser {
    info: ParserInfo {
        id: ID,
        software: SOFTWARE,
        job_types: &["Backup", "Duplicate", "Verify", "Restore"],
        languages: &["en"],
        match_rules: "Subject contains \"Backup Exec Alert\" (or the body names Backup Exec and has `Job name:` and \
                      `Completed status:`/`Job status:`). Any sender.",
        order: 74,
        job_name_rule: "The job in the subject's `(Job: \"<job>\")`, else the `Job name:` line.",
        fields: "Status from the alert (`Job Success`; `Completed with Exceptions` -> Warning; `Job Failed`, \
                 `Cancellation`, `Missed` -> Failed) or `Completed status:`; job type, start and end times, \
                 elapsed time, byte count; `Final error:` and `Final error category:` as messages",
        fixtures: "Backup Exec's alert subject and job-completion fields as they appear in public forum posts and \
                   monitoring guides; success, exceptions and failure",
        confidence: "low",
        vendor_source: false,
        real_fixtures: &[],
    },
    claims,
    parse,
};

const WORDS: Words = Words {
    failed: &["job failed", "failed", "cancel", "missed", "error"],
    warning: &["with exceptions", "exception", "warning"],
    success: &["job success", "succeeded", "successful", "success", "completed"],
};

fn claims(view: &ParseInput<'_>) -> bool {
    let text = view.text();
    contains_ci(view.subject, "backup exec alert")
        || (view.mentions("backup exec")
            && field(text, &["Job name"]).is_some()
            && field(text, &["Completed status", "Job status"]).is_some())
}

fn parse(view: &ParseInput<'_>) -> Result<Report, String> {
    let text = view.text();
    let mut draft = Draft::new(ID, SOFTWARE);
    let alert = after(view.subject, "alert:", &["(server", "(job"]);
    draft.status = field(text, &["Completed status", "Job status"])
        .and_then(|s| WORDS.status(s))
        .or_else(|| alert.and_then(|a| WORDS.status(a)));
    draft.job_name = after(view.subject, "(job:", &[")"])
        .or_else(|| field(text, &["Job name"]))
        .map(str::to_string)
        .ok_or("no job name (subject `(Job: \"...\")` or `Job name:`)")?;
    draft.job_type = field(text, &["Job type"]).unwrap_or("Backup").to_string();
    draft.started_at = field(text, &["Job start time", "Start time"]).and_then(|v| local_time(view, v));
    draft.ended_at = field(text, &["Job end time", "End time"]).and_then(|v| local_time(view, v));
    draft.duration_secs = field(text, &["Elapsed time"]).and_then(parse_duration);
    complete_times(&mut draft);
    draft.sizes.total_bytes = value(text, &["Byte count", "Bytes"]).and_then(|v| {
        let v = v.split(" (").next().unwrap_or(v);
        v.replace([',', '.'], "").trim().parse::<u64>().ok().or_else(|| parse_size(v))
    });
    if let Some(e) = field(text, &["Final error"]) {
        draft.message(e);
    }
    if let Some(c) = field(text, &["Final error category"]) {
        draft.message(&format!("Category: {c}"));
    }
    if draft.status == Some(Status::Warning) {
        for line in text.lines() {
            if let Some(e) = crate::parsers::common::field_line(line, &["Exception", "Exceptions"]) {
                draft.message(e);
            }
        }
    }
    draft.finish()
}
