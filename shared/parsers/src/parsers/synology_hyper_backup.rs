//! Synology Hyper Backup task notifications (DSM mails, in the NAS's
//! language). Built from public fragments (German wording from
//! `Herbertholzkopf/backup-monitor3`, DSM's notification style); the
//! English and German fixtures follow that structure, Dutch and French
//! words are recognised on the same pattern but untested.
//!
//! Job name: the backup task's name (`Task: Offsite-C2`, or the name in
//! `Backup task <name> on <host>` / `Sicherungsaufgabe <name> auf <host>`).
//! No objects: a Hyper Backup mail reports one task as a whole.

use bc_api_types::Status;
use chrono::Duration;

use crate::Report;
use crate::parse_input::ParseInput;
use crate::registry::{Parser, ParserInfo};
use crate::report::Draft;
use crate::util::datetime::{at_offset, find_datetime, local_date};
use crate::util::duration::parse_duration;
use crate::util::size::parse_size;
use crate::util::text::{contains_ci, find_ci, labeled_value, line_value};

pub(crate) const ID: &str = "synology-hyper-backup";
const SOFTWARE: &str = "Synology Hyper Backup";
const JOB_TYPE: &str = "Hyper Backup";

pub(crate) const PARSER: Parser = Parser {
    info: ParserInfo {
        id: ID,
        software: SOFTWARE,
        job_types: &[JOB_TYPE],
        languages: &["en", "de", "nl", "fr", "it"],
        match_rules: "Subject or body mentions \"Hyper Backup\" or \"Synology\", and the subject names a backup \
                      task (\"Backup task\", \"Sicherungsaufgabe\", \"Back-uptaak\", \"Tâche de sauvegarde\") or a \
                      body line names one with a result word. Not Active Backup for Business mails, not DSM system-event mails. Any sender.",
        order: 40,
        job_name_rule: "The backup task's name: the \"Task:\"/\"Aufgabe:\" line, else the name in \"Backup task \
                        <name> on <host>\" / \"Sicherungsaufgabe <name> auf <host>\".",
        fields: "Result from the subject (then the body line naming the task); task name; start, end, duration (an end is derived from start + duration); increased target size (`backup_bytes`), transferred, source size; error, reason and warning lines",
        fixtures: "German fragments in `Herbertholzkopf/backup-monitor3` and DSM's notification style; English, German, Dutch, French and Italian fixtures follow that structure; forwarded by Apple Mail (English, quoted `> ` lines), Gmail (German), Outlook without a marker or prefix (French) and Thunderbird (Dutch, subject lost); a QP body without a transfer encoding; a German body in Windows-1252 under a UTF-8 label (umlauts in the labels read)",
        confidence: "low",
        vendor_source: false,
        real_fixtures: &[],
    },
    claims,
    parse,
};

/// Words that introduce a task name in subjects and first lines.
const TASK_PHRASES: [&str; 8] = [
    "attività di backup",
    "attivita di backup",
    "backup task",
    "datensicherungsaufgabe",
    "sicherungsaufgabe",
    "back-uptaak",
    "backuptaak",
    "tâche de sauvegarde",
];

fn claims(view: &ParseInput<'_>) -> bool {
    let text = view.text();
    if view.mentions("active backup for business")
        || contains_ci(view.subject, "active backup")
        || crate::parsers::synology_dsm_event::is_system_event(text)
    {
        return false;
    }
    let synology = ["hyper backup", "hyperbackup", "synology"].iter().any(|w| view.subject_or_body_mentions(w));
    synology && (names_task(view.subject) || headline(text).is_some_and(|h| status_in(h).is_some()))
}

fn names_task(s: &str) -> bool {
    TASK_PHRASES.iter().any(|p| contains_ci(s, p))
}

/// The body line that names the task (and usually repeats the result).
fn headline(text: &str) -> Option<&str> {
    text.lines().map(str::trim).find(|l| names_task(l))
}

const FAILED_WORDS: [&str; 8] =
    ["fehlgeschlagen", "failed", "mislukt", "échoué", "echoue", "non riuscit", "has been cancelled", "abgebrochen"];
const WARNING_WORDS: [&str; 8] = [
    "partially completed",
    "parzialmente",
    "teilweise",
    "gedeeltelijk",
    "partiellement",
    "with warnings",
    "mit warnungen",
    "warning",
];
const SUCCESS_WORDS: [&str; 11] = [
    "completat",
    "successfully",
    "succeeded",
    "erfolgreich",
    "succesvol",
    "réussi",
    "avec succès",
    "completed",
    "abgeschlossen",
    "voltooid",
    "terminée",
];

/// Failure words first, then warning, then success (a partial success
/// says "completed" too).
fn status_in(s: &str) -> Option<Status> {
    if FAILED_WORDS.iter().any(|w| contains_ci(s, w)) {
        Some(Status::Failed)
    } else if WARNING_WORDS.iter().any(|w| contains_ci(s, w)) {
        Some(Status::Warning)
    } else if SUCCESS_WORDS.iter().any(|w| contains_ci(s, w)) {
        Some(Status::Success)
    } else {
        None
    }
}

fn parse(view: &ParseInput<'_>) -> Result<Report, String> {
    let text = view.text();
    let mut draft = Draft::new(ID, SOFTWARE);
    draft.job_type = JOB_TYPE.to_string();

    // The subject and the sentence that repeats it carry the result; the
    // rest of the body may mention "failed" in passing.
    let headline = headline(text);
    draft.status = status_in(view.subject).or_else(|| headline.and_then(status_in));

    draft.job_name = labeled_value(
        text,
        &[
            "Task name",
            "Task",
            "Aufgabenname",
            "Aufgabe",
            "Taaknaam",
            "Taak",
            "Nom de la tâche",
            "Tâche",
            "Nome attività",
            "Attività",
        ],
    )
    .map(clean_name)
    .or_else(|| name_after_phrase(view.subject))
    .or_else(|| headline.and_then(name_after_phrase))
    .ok_or("no backup task name (\"Task:\" line or \"Backup task <name>\")")?;

    let near = view.mail.date.map(local_date);
    let offset = view.mail.date.map(|d| *d.offset());
    let when = |labels: &[&str]| {
        labeled_value(text, labels).and_then(|v| find_datetime(v, near)).zip(offset).and_then(|(t, o)| at_offset(t, o))
    };
    draft.started_at = when(&["Start time", "Startzeit", "Starttijd", "Heure de début", "Ora di inizio", "Ora inizio"]);
    draft.ended_at = when(&["End time", "Endzeit", "Eindtijd", "Heure de fin", "Ora di fine", "Ora fine"]);
    draft.duration_secs =
        labeled_value(text, &["Duration", "Dauer", "Duur", "Durée", "Durata"]).and_then(parse_duration);
    let span = draft.duration_secs.and_then(|d| i64::try_from(d).ok()).and_then(Duration::try_seconds);
    if let Some(span) = span {
        match (draft.started_at, draft.ended_at) {
            (Some(s), None) => draft.ended_at = s.checked_add_signed(span),
            (None, Some(e)) => draft.started_at = e.checked_sub_signed(span),
            _ => {}
        }
    }

    let size = |labels: &[&str]| labeled_value(text, labels).and_then(parse_size);
    draft.sizes.backup_bytes = size(&[
        "Increased target size",
        "Erhöhte Zielgröße",
        "Erhöhte Zielgrösse",
        "Toegenomen doelgrootte",
        "Augmentation de la taille de la cible",
        "Taille de la cible augmentée",
        "Dimensione destinazione aumentata",
        "Aumento dimensione destinazione",
    ]);
    draft.sizes.transferred_bytes = size(&["Transferred data", "Transferred", "Übertragene Daten", "Übertragen"]);
    draft.sizes.total_bytes = size(&["Source size", "Quellgröße", "Brongrootte", "Taille de la source"]);

    const REASONS: [&str; 17] = [
        "Error",
        "Reason",
        "Cause",
        "Warning",
        "Fehler",
        "Ursache",
        "Grund",
        "Warnung",
        "Fout",
        "Oorzaak",
        "Erreur",
        "Raison",
        "Avertissement",
        "Waarschuwing",
        "Errore",
        "Causa",
        "Avviso",
    ];
    for line in text.lines() {
        if let Some(v) = line_value(line, &REASONS) {
            draft.message(v);
        }
    }
    if draft.status != Some(Status::Success)
        && !draft.has_messages()
        && let Some(h) = headline
    {
        draft.message(h);
    }
    draft.finish()
}

/// Quotes and brackets around a task name go.
fn clean_name(name: &str) -> String {
    name.trim()
        .trim_matches(|c: char| matches!(c, '"' | '\'' | '[' | ']' | '«' | '»' | '“' | '”' | '„'))
        .trim()
        .to_string()
}

/// `Backup task Offsite-C2 on NAS01 ...` -> `Offsite-C2`.
fn name_after_phrase(s: &str) -> Option<String> {
    let (at, phrase) = TASK_PHRASES.iter().find_map(|p| find_ci(s, p).map(|i| (i, *p)))?;
    let rest = s[at + phrase.len()..].trim_start();
    let rest = rest.strip_prefix(':').unwrap_or(rest).trim_start();
    const STOPS: [&str; 21] = [
        " on ",
        " su ",
        " è ",
        " completat",
        " auf ",
        " op ",
        " sur ",
        " has ",
        " was ",
        " is ",
        " wurde ",
        " ist ",
        " completed",
        " partially",
        " failed",
        " succeeded",
        " erfolgreich",
        " fehlgeschlagen",
        " teilweise",
        " abgeschlossen",
        " mislukt",
    ];
    // Stops match with their leading space, so pad: "completed" alone is no name.
    let padded = format!(" {rest}");
    let end = STOPS.iter().filter_map(|stop| find_ci(&padded, stop)).min().unwrap_or(padded.len());
    let name = clean_name(padded[..end].trim_end_matches(['.', ',']));
    (!name.is_empty() && name.len() <= 128).then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_from_phrases() {
        assert_eq!(
            name_after_phrase("[NAS01] Backup task Offsite-C2 on NAS01 completed").as_deref(),
            Some("Offsite-C2")
        );
        assert_eq!(
            name_after_phrase(
                "Die Sicherungsaufgabe \"Nacht Sicherung\" auf DS-BUERO wurde erfolgreich abgeschlossen."
            )
            .as_deref(),
            Some("Nacht Sicherung")
        );
        assert_eq!(name_after_phrase("[DS] Sicherungsaufgabe USB-Kopie fehlgeschlagen").as_deref(), Some("USB-Kopie"));
        assert_eq!(name_after_phrase("nothing here"), None);
        assert_eq!(name_after_phrase("[NAS] Backup task completed"), None);
    }

    #[test]
    fn result_words() {
        assert_eq!(status_in("Backup task X partially completed"), Some(Status::Warning));
        assert_eq!(status_in("Sicherungsaufgabe X fehlgeschlagen"), Some(Status::Failed));
        assert_eq!(status_in("Sicherungsaufgabe X erfolgreich abgeschlossen"), Some(Status::Success));
        assert_eq!(status_in("Backup task X"), None);
    }
}
