//! Iperius Backup job reports (German and English): subject with the job's
//! result (`erfolgreich`, `fehlgeschlagen`, `mit Warnungen`; `completed
//! successfully`, `with errors`, `failed`), body rows `Backup starten:`,
//! `Backup abgeschlossen: <date> (<n> Stunden, <n> Minuten, <n> Sekunden)`,
//! `Größe der kopierten Daten:` (English: `Backup started:`, `Backup
//! completed:`, `Size of copied data:`).
//!
//! Job name: the backup job (`Backup-Job:`/`Backup job:` row, else the
//! quoted name in the subject); `on <computer>` when the row names it.

use bc_api_types::Status;

use crate::Report;
use crate::parse_input::ParseInput;
use crate::parsers::common::{Labels, Words, quoted, read_labels, value};
use crate::registry::{Parser, ParserInfo};
use crate::report::Draft;
use crate::util::duration::parse_duration;

pub(crate) const ID: &str = "iperius";
const SOFTWARE: &str = "Iperius Backup";

pub(crate) const PARSER: Parser = Parser {
    info: ParserInfo {
        id: ID,
        software: SOFTWARE,
        job_types: &["Backup"],
        languages: &["de", "en"],
        match_rules: "Subject or body names \"Iperius\", and the body has `Backup starten:`/`Backup \
                      abgeschlossen:` or `Backup started:`/`Backup completed:` rows (or the subject a result). Any \
                      sender.",
        order: 92,
        job_name_rule: "The `Backup-Job`/`Backup job`/`Job` row, else the quoted name in the subject; `<job> on \
                        <computer>` with a `Computer` row.",
        fields: "Status from `Ergebnis`/`Result`, else the subject (failure, then warning, then success words); \
                 start, end; the duration in parentheses after the end (`(0 Stunden, 31 Minuten, 11 \
                 Sekunden)`); size of copied data (`transferred_bytes`); copied and failed file counts; error \
                 rows as messages",
        fixtures: "The German labels and subject words from `Herbertholzkopf/backup-monitor3` (`iperius.py`, \
                   written against real mails: `Backup starten`, `Backup abgeschlossen ... (1 Stunde, 2 Minuten, 3 \
                   Sekunden)`, `Größe der kopierten Daten`); the English labels translated on the same layout",
        confidence: "low",
        vendor_source: false,
        real_fixtures: &[],
    },
    claims,
    parse,
};

const WORDS: Words = Words {
    failed: &["fehlgeschlagen", "fehler", "failed", "with errors", "error", "abgebrochen", "cancelled"],
    warning: &["warnung", "warning"],
    success: &["erfolgreich", "successfully", "completed", "abgeschlossen", "success"],
};

const LABELS: Labels = Labels {
    start: &["Backup starten", "Backup gestartet", "Backup started", "Backup start"],
    end: &["Backup abgeschlossen", "Backup beendet", "Backup completed", "Backup end"],
    duration: &["Dauer", "Duration"],
    total: &["Größe der zu kopierenden Daten", "Size of data to copy"],
    backup: &[],
    transferred: &["Größe der kopierten Daten", "Size of copied data", "Copied data size"],
    messages: &["Fehler", "Fehlermeldung", "Error", "Errors", "Warnung", "Warning"],
};

fn claims(view: &ParseInput<'_>) -> bool {
    let text = view.text();
    view.subject_or_body_mentions("iperius")
        && (value(text, LABELS.start).is_some()
            || value(text, LABELS.end).is_some()
            || WORDS.status(view.subject).is_some())
}

fn parse(view: &ParseInput<'_>) -> Result<Report, String> {
    let text = view.text();
    let mut draft = Draft::new(ID, SOFTWARE);
    draft.job_type = "Backup".to_string();
    draft.status = value(text, &["Ergebnis", "Result", "Status"])
        .and_then(|s| WORDS.status(s))
        .or_else(|| WORDS.status(view.subject));
    let job = value(text, &["Backup-Job", "Backup job", "Job", "Auftrag"])
        .or_else(|| quoted(view.subject))
        .ok_or("no backup job named")?;
    draft.job_name = match value(text, &["Computer", "Rechner"]) {
        Some(c) => format!("{job} on {c}"),
        None => job.to_string(),
    };
    read_labels(view, text, &LABELS, &mut draft);
    // `Backup abgeschlossen: 03.03.2026 22:31:12 (0 Stunden, 31 Minuten, 11 Sekunden)`
    if let Some(end) = value(text, LABELS.end)
        && let (Some(open), Some(close)) = (end.find('('), end.rfind(')'))
        && open < close
    {
        draft.duration_secs = parse_duration(&end[open + 1..close]).or(draft.duration_secs);
    }
    for (labels, what) in [
        (&["Kopierte Dateien", "Copied files"][..], "Copied files"),
        (&["Fehlgeschlagene Dateien", "Failed files", "Nicht kopierte Dateien"][..], "Failed files"),
    ] {
        if let Some(n) = value(text, labels).filter(|n| n.trim() != "0") {
            draft.note(&format!("{what}: {n}"));
        }
    }
    if draft.status != Some(Status::Success)
        && !draft.has_messages()
        && let Some(r) = value(text, &["Ergebnis", "Result"])
    {
        draft.message(r);
    }
    draft.finish()
}
