//! Windows Server Backup: it sends no mail of its own; wrapper scripts and
//! "attach a task to this event" mail the events of the
//! `Microsoft-Windows-Backup` log. Read here: the event texts (English and
//! German Windows), event IDs, the `Computer:` and date lines.
//!
//! Event 4 (`The backup operation has finished successfully.`) and 14 are
//! Success; 7 (`... has completed with errors`), 547 (`... has encountered
//! errors for the volume(s) ...`), 5 (`... has failed with following error
//! code ...`), 8, 9, 517, 521, 546 and the other error events are Failed
//! (Windows logs them all at level Error). Several events in one mail: the
//! worst decides.
//!
//! Job name: the computer (`Computer:` line), else the sender's host.

use bc_api_types::{ReportObject, Status};

use crate::Report;
use crate::parse_input::ParseInput;
use crate::parsers::common::{field, local_time, sender_domain};
use crate::registry::{Parser, ParserInfo};
use crate::report::Draft;
use crate::util::text::{contains_ci, find_ci};

pub(crate) const ID: &str = "windows-server-backup";
const SOFTWARE: &str = "Windows Server Backup";
const JOB_TYPE: &str = "Windows Server Backup";

pub(crate) const PARSER: Parser = Parser {
    info: ParserInfo {
        id: ID,
        software: SOFTWARE,
        job_types: &[JOB_TYPE],
        languages: &["en", "de"],
        match_rules: "Body or subject names \"Microsoft-Windows-Backup\", \"Windows Server Backup\", \
                      \"Windows Server-Sicherung\" or \"wbadmin\", and the body holds a backup event text (\"The \
                      backup operation ...\", \"Backup started at ...\", \"Der Sicherungsvorgang ...\"). Any sender.",
        order: 60,
        job_name_rule: "The computer from the event's `Computer:`/`MachineName` line (`SRV01.corp.example.com`), \
                        else the host part of the sender's address.",
        fields: "Status from the event texts (or IDs): 4/14 Success; 5, 7 (completed with errors), 8, 9, 517, \
                 521, 546, 547 ... Failed; the worst of several events; start from \"started at '<UTC time>'\"; end from the event's date \
                 line; the error text with its code as a message; volumes of event 547 as objects",
        fixtures: "The event texts of the Microsoft-Windows-Backup log as quoted in report-formats.md and in \
                   Microsoft's event documentation (with the U+200E marks Windows puts into the time), in the two \
                   shapes scripts mail: the Event Viewer text and a PowerShell `Get-WinEvent` list; English and \
                   German Windows",
        confidence: "low",
        vendor_source: false,
        real_fixtures: &[],
    },
    claims,
    parse,
};

const PRODUCT: [&str; 5] =
    ["microsoft-windows-backup", "windows server backup", "windows server-sicherung", "wbadmin", "windows-sicherung"];

/// Event sentences, most specific first: (phrase, status).
const EVENTS: [(&str, Status); 14] = [
    ("has failed with following error code", Status::Failed),
    ("failed with following error code", Status::Failed),
    ("ist mit folgendem fehlercode fehlgeschlagen", Status::Failed),
    ("fehlgeschlagen", Status::Failed),
    ("was cancelled", Status::Failed),
    ("has been cancelled", Status::Failed),
    ("has completed with errors", Status::Failed),
    ("has encountered errors for the volume", Status::Failed),
    ("wurde mit fehlern abgeschlossen", Status::Failed),
    ("sind fehler aufgetreten", Status::Failed),
    ("has finished successfully", Status::Success),
    ("has completed successfully", Status::Success),
    ("wurde erfolgreich abgeschlossen", Status::Success),
    ("the backup operation has completed", Status::Success),
];

fn claims(view: &ParseInput<'_>) -> bool {
    PRODUCT.iter().any(|p| view.subject_or_body_mentions(p))
        && (view.mentions("backup operation")
            || view.mentions("backup started at")
            || view.mentions("sicherungsvorgang"))
        && EVENTS.iter().any(|(p, _)| view.mentions(p))
}

fn event_id_status(id: u32) -> Option<Status> {
    match id {
        4 | 14 => Some(Status::Success),
        5 | 7 | 8 | 9 | 17..=22 | 49 | 50 | 52 | 100 | 517..=521 | 527 | 528 | 544..=547 | 561 | 564 => {
            Some(Status::Failed)
        }
        _ => None,
    }
}

fn parse(view: &ParseInput<'_>) -> Result<Report, String> {
    // A `ConvertTo-Html` table reads like `Format-List` output.
    let table = view
        .mail
        .html
        .as_deref()
        .map(|h| crate::parsers::common::table_rows_as_fields(h, 200))
        .filter(|t| !t.is_empty());
    let joined;
    let text = match table {
        Some(t) => {
            joined = t;
            joined.as_str()
        }
        None => view.text(),
    };
    let mut draft = Draft::new(ID, SOFTWARE);
    draft.job_type = JOB_TYPE.to_string();

    let mut status: Option<Status> = None;
    let worse = |status: &mut Option<Status>, s: Status| *status = Some(status.map_or(s, |w| w.worst(s)));
    for line in text.lines() {
        let line = line.trim();
        if let Some((_, s)) = EVENTS.iter().find(|(p, _)| contains_ci(line, p)) {
            worse(&mut status, *s);
            if *s != Status::Success {
                draft.message(line.trim_start_matches("Message").trim_start_matches([' ', ':', '\t']));
            }
            if let Some(start) = started_at(view, line) {
                draft.started_at = Some(draft.started_at.map_or(start, |s| s.min(start)));
            }
            if contains_ci(line, "volume(s)") {
                volumes(line, &mut draft);
            }
        }
    }
    let ids: Vec<u32> = text.lines().filter_map(field_value_id).collect();
    if status.is_none() {
        for id in &ids {
            if let Some(s) = event_id_status(*id) {
                worse(&mut status, s);
            }
        }
    }
    draft.status = status;
    draft.job_name = field(text, &["Computer", "MachineName", "Computername"])
        .map(|c| c.to_string())
        .or_else(|| sender_domain(view).map(str::to_string))
        .ok_or("no computer name and no sender address")?;
    draft.ended_at =
        field(text, &["Date", "TimeCreated", "Datum"]).filter(|d| !d.contains(',')).and_then(|d| local_time(view, d));
    if let (Some(s), Some(e)) = (draft.started_at, draft.ended_at)
        && e < s
    {
        draft.ended_at = None;
    }
    draft.finish()
}

/// `Event ID: 4`, `Id : 4`, `Ereignis-ID: 4`.
fn field_value_id(line: &str) -> Option<u32> {
    crate::parsers::common::field_line(line, &["Event ID", "EventID", "Id", "Ereignis-ID"])?.trim().parse().ok()
}

/// `... started at '‎2026‎-‎03‎-‎04T21:00:14.508000000Z' ...`
fn started_at(view: &ParseInput<'_>, line: &str) -> Option<chrono::DateTime<chrono::FixedOffset>> {
    let at = find_ci(line, "started at")
        .map(|i| i + "started at".len())
        .or_else(|| find_ci(line, "gestartet am").map(|i| i + "gestartet am".len()))
        .or_else(|| find_ci(line, "um '").map(|i| i + 3))?;
    let rest = &line[at..];
    let open = rest.find('\'')?;
    let close = rest[open + 1..].find('\'')? + open + 1;
    local_time(view, &rest[open..=close])
}

/// Event 547: `... errors for the volume(s) 'D:,E:'. Detailed error: ...`
fn volumes(line: &str, draft: &mut Draft) {
    let Some(at) = find_ci(line, "volume(s)") else {
        return;
    };
    let rest = &line[at..];
    let (Some(open), Some(close)) = (rest.find('\''), rest[rest.find('\'').map_or(0, |i| i + 1)..].find('\'')) else {
        return;
    };
    let list = &rest[open + 1..open + 1 + close];
    let detail = find_ci(rest, "detailed error:").map(|i| rest[i + "detailed error:".len()..].trim().to_string());
    for volume in list.split([',', ';']).map(str::trim).filter(|v| !v.is_empty()).take(64) {
        draft.object(ReportObject {
            name: volume.to_string(),
            object_type: Some("Volume".to_string()),
            status: Status::Failed,
            message: detail.clone(),
            started_at: None,
            ended_at: None,
            size_bytes: None,
        });
    }
}
