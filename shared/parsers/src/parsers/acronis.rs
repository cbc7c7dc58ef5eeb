//! Acronis Cyber Protect (Cloud) backup notifications: one mail per
//! workload and protection plan, `Backup succeeded` / `Backup succeeded with
//! warnings` / `Backup failed` (German: `erfolgreich`, `mit Warnungen`,
//! `fehlgeschlagen`), a two-column table of details. Daily recaps
//! (`Daily recap`, `Statusbericht`) are not runs and are left alone.
//!
//! Job name: `<plan> - <workload>` (a plan runs on many workloads, each with
//! its own mail).

use bc_api_types::ReportObject;

use crate::Report;
use crate::parse_input::ParseInput;
use crate::parsers::common::{Words, complete_times, field, local_time, sender_domain, spaced_field};
use crate::registry::{Parser, ParserInfo};
use crate::report::Draft;
use crate::util::duration::parse_duration;
use crate::util::size::parse_size;
use crate::util::text::contains_ci;

pub(crate) const ID: &str = "acronis";
const SOFTWARE: &str = "Acronis Cyber Protect";
const JOB_TYPE: &str = "Backup";

pub(crate) const PARSER: Parser = Parser {
    info: ParserInfo {
        id: ID,
        software: SOFTWARE,
        job_types: &[JOB_TYPE],
        languages: &["en", "de"],
        match_rules: "Sender at `acronis.com` or the body names \"Acronis Cyber Protect\" / \"Acronis Cyber \
                      Backup\" / \"Acronis Backup\"; and the subject says \"Backup succeeded\", \"Backup succeeded \
                      with warnings\", \"Backup failed\" (German \"Backup erfolgreich\", \"... mit Warnungen\", \"... \
                      fehlgeschlagen\"). Not daily recaps (\"recap\", \"Statusbericht\", \"Zusammenfassung\").",
        order: 50,
        job_name_rule: "`<plan> - <workload>` from the `Plan name`/`Plan-Name` and `Workload`/`Device`/`Gerät` \
                        rows (the plan alone when it already names the workload).",
        fields: "Result from the subject (failure, then warnings, then success); workload as the one object; \
                 start, end, duration (`Backup duration`/`Backup-Dauer` `HH:MM:SS`); backup size; warning and \
                 error rows as messages",
        fixtures: "The notification kinds and German wording in report-formats.md and \
                   `Herbertholzkopf/backup-monitor3` (`Backup-Dauer 00:10:04`, `Plan-Name ...`, `erfolgreich`, \
                   `WARNUNGEN`, recaps skipped); a white-labelled sender",
        confidence: "low",
        vendor_source: false,
        real_fixtures: &[],
    },
    claims,
    parse,
};

const WORDS: Words = Words {
    failed: &["backup failed", "fehlgeschlagen", "backup error", "nicht erfolgreich"],
    warning: &["with warnings", "mit warnungen", "warnungen", "warning"],
    success: &["backup succeeded", "succeeded", "erfolgreich", "successful"],
};

fn is_recap(subject: &str) -> bool {
    ["recap", "statusbericht", "zusammenfassung", "summary report"].iter().any(|w| contains_ci(subject, w))
}

fn claims(view: &ParseInput<'_>) -> bool {
    let acronis = sender_domain(view).is_some_and(|d| d == "acronis.com" || d.ends_with(".acronis.com"))
        || ["acronis cyber protect", "acronis cyber backup", "acronis backup"].iter().any(|p| view.mentions(p));
    acronis && !is_recap(view.subject) && contains_ci(view.subject, "backup") && WORDS.status(view.subject).is_some()
}

fn parse(view: &ParseInput<'_>) -> Result<Report, String> {
    let text = view.text();
    let mut draft = Draft::new(ID, SOFTWARE);
    draft.job_type = JOB_TYPE.to_string();
    draft.status = WORDS.status(view.subject);

    let value = |labels: &[&str]| field(text, labels).or_else(|| spaced_field(text, labels));
    let plan = value(&["Plan name", "Protection plan", "Plan-Name", "Schutzplan", "Plan"])
        .ok_or("no plan name (\"Plan name\" / \"Plan-Name\")")?;
    let workload = value(&["Workload", "Device", "Machine", "Gerät", "Workload-Name", "Maschine"]);
    draft.job_name = match workload {
        Some(w) if !contains_ci(plan, w) => format!("{plan} - {w}"),
        _ => plan.to_string(),
    };
    draft.started_at = value(&["Start time", "Started", "Startzeit", "Gestartet"]).and_then(|v| local_time(view, v));
    draft.ended_at = value(&["End time", "Finished", "Endzeit", "Beendet"]).and_then(|v| local_time(view, v));
    draft.duration_secs = value(&["Backup duration", "Duration", "Backup-Dauer", "Dauer"]).and_then(parse_duration);
    complete_times(&mut draft);
    draft.sizes.backup_bytes = value(&["Backup size", "Backup-Größe", "Größe"]).and_then(parse_size);
    draft.sizes.transferred_bytes =
        value(&["Transferred", "Data transferred", "Übertragene Daten"]).and_then(parse_size);

    for line in text.lines() {
        if let Some(v) = crate::parsers::common::field_line(
            line,
            &[
                "Error",
                "Errors",
                "Warning",
                "Warnings",
                "Fehler",
                "Warnung",
                "Warnungen",
                "Details",
                "Reason",
                "Ursache",
            ],
        ) {
            draft.message(v);
        }
    }
    if let (Some(w), Some(status)) = (workload, draft.status) {
        draft.object(ReportObject {
            name: w.to_string(),
            object_type: Some("Workload".to_string()),
            status,
            message: None,
            started_at: draft.started_at,
            ended_at: draft.ended_at,
            size_bytes: draft.sizes.backup_bytes,
        });
    }
    draft.finish()
}
