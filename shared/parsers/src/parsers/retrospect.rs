//! Retrospect script notifications: subject `Retrospect: Script "<script>"
//! completed successfully | completed with N errors | failed`, body the
//! operations log (`+ Normal backup using <script> at <date>`, `- <date>:
//! Copying <volume> on <client>`, `<date>: Execution completed
//! successfully`, `Completed: 1,234 files, 5.6 GB`, `Duration: 00:45:15
//! (00:02:30 idle/loading/preparing)`).
//!
//! Job name: the script. Objects: the volumes copied (`<volume> on <client>`).

use bc_api_types::{ReportObject, Status};

use crate::Report;
use crate::parse_input::ParseInput;
use crate::parsers::common::{Words, complete_times, local_time, quoted};
use crate::registry::{Parser, ParserInfo};
use crate::report::Draft;
use crate::util::duration::parse_duration;
use crate::util::size::parse_size;
use crate::util::text::{contains_ci, find_ci, strip_prefix_ci};

pub(crate) const ID: &str = "retrospect";
const SOFTWARE: &str = "Retrospect";

pub(crate) const PARSER: Parser = Parser {
    info: ParserInfo {
        id: ID,
        software: SOFTWARE,
        job_types: &["Backup", "Proactive backup", "Copy", "Verify", "Groom"],
        languages: &["en"],
        match_rules: "Subject starts with \"Retrospect\" and names a script, or the body holds Retrospect's log \
                      lines (`+ ... using <script> at ...` and `Execution completed` / `execution errors` / \
                      `Execution incomplete`). Any sender.",
        order: 76,
        job_name_rule: "The script: quoted in the subject, else the name after \"using\" in the `+ ... using \
                        <script> at` line.",
        fields: "Status (`Execution completed successfully` -> Success; `N execution errors` / `completed with N \
                 errors`, `Execution incomplete`, `failed`, `stopped` -> Failed); start from the `+ \
                 ... at <date>` line, end from the completion line; `Completed: N files, <size>` \
                 (`transferred_bytes`); `Duration:`; one object per `Copying <volume> on <client>`; `!`-lines \
                 (errors) as messages",
        fixtures: "Retrospect's operations-log format (as shown in its documentation and user posts) in script \
                   notification mails: success, errors, an incomplete run",
        confidence: "low",
        vendor_source: false,
        real_fixtures: &[],
    },
    claims,
    parse,
};

const WORDS: Words = Words {
    failed: &[
        "execution incomplete",
        "failed",
        "stopped",
        "not completed",
        "execution errors",
        "execution error",
        "with errors",
        "with error",
    ],
    warning: &["warning"],
    success: &["completed successfully", "execution completed", "successful"],
};

fn claims(view: &ParseInput<'_>) -> bool {
    let text = view.text();
    (strip_prefix_ci(view.subject, "retrospect").is_some() && quoted(view.subject).is_some())
        || (view.mentions("retrospect")
            && (view.mentions("execution completed")
                || view.mentions("execution error")
                || view.mentions("execution incomplete"))
            && script_line(text).is_some())
}

/// `+ Normal backup using Nightly Backup at 3/3/2026 10:00 PM` -> (kind, script, when).
fn script_line(text: &str) -> Option<(&str, &str, &str)> {
    text.lines().find_map(|l| {
        let l = l.trim().strip_prefix('+')?.trim();
        let using = find_ci(l, " using ")?;
        // After " using " (the two share a space: `using at` has no script).
        let after = using + " using ".len();
        let at = find_ci(&l[after..], " at ").map(|i| i + after)?;
        let script = l[after..at].trim();
        (!script.is_empty()).then(|| (l[..using].trim(), script, l[at + 4..].trim()))
    })
}

fn parse(view: &ParseInput<'_>) -> Result<Report, String> {
    let text = view.text();
    let mut draft = Draft::new(ID, SOFTWARE);
    let script = script_line(text);
    draft.job_name = quoted(view.subject).or(script.map(|(_, s, _)| s)).map(str::to_string).ok_or("no script name")?;
    draft.job_type = script
        .map(|(kind, _, _)| {
            let k = kind.strip_prefix("Normal ").or_else(|| kind.strip_prefix("Recycle ")).unwrap_or(kind);
            let mut c = k.chars();
            c.next().map_or(String::new(), |f| f.to_uppercase().chain(c).collect())
        })
        .filter(|k| !k.is_empty())
        .unwrap_or_else(|| "Backup".to_string());
    draft.started_at = script.and_then(|(_, _, when)| local_time(view, when));

    // The log's verdict lines win over the subject.
    let mut status = None;
    let mut volumes: Vec<ReportObject> = Vec::new();
    for line in text.lines().map(str::trim) {
        if let Some(s) = WORDS.status(line).filter(|_| contains_ci(line, "execution") || contains_ci(line, "script")) {
            status = Some(status.map_or(s, |w: Status| w.worst(s)));
            if let Some(t) = local_time(view, line) {
                draft.ended_at = Some(t);
            }
        }
        if let Some(rest) = line.strip_prefix('!') {
            draft.message(rest.trim());
            // The volume being copied when the error came.
            if let Some(v) = volumes.last_mut() {
                v.status = Status::Failed;
                let text = rest.trim();
                let m = v.message.get_or_insert_with(String::new);
                // Bounded: a report keeps at most MAX_MESSAGE_LEN per message.
                if m.len() < crate::MAX_MESSAGE_LEN {
                    if !m.is_empty() {
                        m.push('\n');
                    }
                    m.push_str(text);
                }
            }
        }
        if let Some(rest) = line.strip_prefix('-')
            && let Some(at) = find_ci(rest, "copying ")
        {
            let what = rest[at + "copying ".len()..].trim();
            if volumes.len() >= crate::MAX_OBJECTS {
                draft.object_left_out(Status::Success);
                continue;
            }
            volumes.push(ReportObject {
                name: what.to_string(),
                object_type: Some("Volume".to_string()),
                status: Status::Success,
                message: None,
                started_at: local_time(view, &rest[..at]),
                ended_at: None,
                size_bytes: None,
            });
        }
    }
    draft.status = status.or_else(|| WORDS.status(view.subject));
    if draft.status == Some(Status::Failed)
        && let Some(v) = volumes.last_mut()
    {
        v.status = Status::Failed;
    }
    for v in volumes {
        draft.object(v);
    }
    if draft.status != Some(Status::Success) && !draft.has_messages() {
        draft.message(view.subject);
    }
    let completed = text.lines().find_map(|l| crate::parsers::common::field_line(l, &["Completed"]));
    draft.sizes.transferred_bytes = completed.and_then(|c| c.rsplit(',').next()).and_then(parse_size);
    if let Some(c) = completed {
        draft.note(&format!("Completed: {c}"));
    }
    if let Some(r) = text.lines().find_map(|l| crate::parsers::common::field_line(l, &["Remaining"])) {
        draft.message(&format!("Remaining: {r}"));
    }
    draft.duration_secs = text
        .lines()
        .find_map(|l| crate::parsers::common::field_line(l, &["Duration"]))
        .map(|d| d.split(" (").next().unwrap_or(d))
        .and_then(parse_duration);
    complete_times(&mut draft);
    draft.finish()
}
