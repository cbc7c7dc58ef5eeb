//! Synology Active Backup for Business task notifications (DSM mails, in
//! the NAS's language): subject `[<prefix>] Active Backup for Business -
//! <backup task> <task> <on> <NAS> <result>`; body a two-column table
//! (device, start time, end time, transferred size), whose text runs label
//! and value together (`ora inizio 26/04/2026 00:02`).
//!
//! Job name: the backup task. One object: the device the task backs up.

use bc_api_types::{ReportObject, Status};

use crate::Report;
use crate::parse_input::ParseInput;
use crate::parsers::common::{Words, complete_times, local_time, spaced_field};
use crate::registry::{Parser, ParserInfo};
use crate::report::Draft;
use crate::util::duration::parse_duration;
use crate::util::size::parse_size;
use crate::util::text::find_ci;

pub(crate) const ID: &str = "synology-active-backup";
const SOFTWARE: &str = "Synology Active Backup for Business";
const JOB_TYPE: &str = "Active Backup for Business";

pub(crate) const PARSER: Parser = Parser {
    info: ParserInfo {
        id: ID,
        software: SOFTWARE,
        job_types: &[JOB_TYPE],
        languages: &["en", "de", "nl", "fr", "it"],
        match_rules: "Subject or body names \"Active Backup for Business\" and the subject or a body line names a \
                      backup task (\"backup task\", \"Sicherungsaufgabe\", \"back-uptaak\", \"tâche de \
                      sauvegarde\", \"attività di backup\") with a result word. Any sender.",
        order: 42,
        job_name_rule: "The task's name after the task phrase, up to \" on \" / \" auf \" / \" op \" / \" sur \" / \
                        \" su \" (`attività di backup BCK-PC01 su BACKUPNAS` -> `BCK-PC01`).",
        fields: "Result from the subject (failure, then partial, then success words per language); device as the \
                 one object; start, end, duration; transferred size; error and warning lines",
        fixtures: "The Italian sample in `brividich/Security-Center-AI` (subject and label wording); the other \
                   languages follow DSM's wording for Hyper Backup on the same structure; a German report forwarded from Outlook with the subject rewritten (read from the quoted block)",
        confidence: "low",
        vendor_source: false,
        real_fixtures: &[],
    },
    claims,
    parse,
};

const TASK_PHRASES: [&str; 8] = [
    "attività di backup",
    "attivita di backup",
    "backup task",
    "sicherungsaufgabe",
    "back-uptaak",
    "backuptaak",
    "tâche de sauvegarde",
    "tache de sauvegarde",
];

const WORDS: Words = Words {
    failed: &[
        "non riuscit",
        "failed",
        "fehlgeschlagen",
        "mislukt",
        "échoué",
        "a échoué",
        "cancelled",
        "abgebrochen",
        "annullat",
    ],
    warning: &[
        "partially",
        "parzialmente",
        "teilweise",
        "gedeeltelijk",
        "partiellement",
        "warning",
        "avviso",
        "warnung",
    ],
    success: &[
        "completat",
        "completed",
        "succeeded",
        "abgeschlossen",
        "erfolgreich",
        "voltooid",
        "geslaagd",
        "terminée",
        "réussi",
    ],
};

pub(crate) fn is_active_backup(view: &ParseInput<'_>) -> bool {
    view.subject_or_body_mentions("active backup for business")
}

fn claims(view: &ParseInput<'_>) -> bool {
    is_active_backup(view) && (task_line(view.subject).is_some() || view.text().lines().any(|l| task_line(l).is_some()))
}

/// The task name in a line naming a backup task with a result.
fn task_line(line: &str) -> Option<(String, Status)> {
    let (at, phrase) = TASK_PHRASES.iter().find_map(|p| find_ci(line, p).map(|i| (i, *p)))?;
    let status = WORDS.status(line)?;
    let rest = line[at + phrase.len()..].trim_start();
    let end = [" on ", " auf ", " op ", " sur ", " su ", " è ", " has ", " wurde ", " is "]
        .iter()
        .filter_map(|stop| find_ci(rest, stop))
        .min()
        .unwrap_or(rest.len());
    let name = crate::parsers::common::quoted(&rest[..end]).unwrap_or(&rest[..end]).trim().trim_end_matches(['.', ',']);
    (!name.is_empty() && name.len() <= 128).then(|| (name.to_string(), status))
}

fn parse(view: &ParseInput<'_>) -> Result<Report, String> {
    let text = view.text();
    let mut draft = Draft::new(ID, SOFTWARE);
    draft.job_type = JOB_TYPE.to_string();
    let (name, status) = task_line(view.subject)
        .or_else(|| text.lines().find_map(task_line))
        .ok_or("no backup task with a result in the subject or body")?;
    draft.job_name = name;
    draft.status = Some(status);

    let value = |labels: &[&str]| spaced_field(text, labels);
    draft.started_at =
        value(&["Start time", "Startzeit", "Starttijd", "Heure de début", "ora inizio", "ora di inizio"])
            .and_then(|v| local_time(view, v));
    draft.ended_at = value(&["End time", "Endzeit", "Eindtijd", "Heure de fin", "ora fine", "ora di fine"])
        .and_then(|v| local_time(view, v));
    draft.duration_secs = value(&["Duration", "Dauer", "Duur", "Durée", "durata"]).and_then(parse_duration);
    complete_times(&mut draft);
    draft.sizes.transferred_bytes = value(&[
        "Transferred size",
        "Transferred data",
        "Übertragene Größe",
        "Übertragene Datenmenge",
        "Overgedragen grootte",
        "Overgedragen gegevens",
        "Taille transférée",
        "Données transférées",
        "dimensioni trasferite",
        "dati trasferiti",
    ])
    .and_then(parse_size);

    const REASONS: [&str; 14] = [
        "Error",
        "Reason",
        "Warning",
        "Fehler",
        "Ursache",
        "Warnung",
        "Fout",
        "Waarschuwing",
        "Oorzaak",
        "Erreur",
        "Avertissement",
        "Errore",
        "Avviso",
        "Causa",
    ];
    for line in text.lines() {
        if let Some(v) = crate::parsers::common::field_line(line, &REASONS) {
            draft.message(v);
        }
    }
    if let Some(device) = value(&["Device", "Gerät", "Apparaat", "Appareil", "dispositivo"]) {
        draft.object(ReportObject {
            name: device.to_string(),
            object_type: Some("Device".to_string()),
            status,
            message: None,
            started_at: draft.started_at,
            ended_at: draft.ended_at,
            size_bytes: draft.sizes.transferred_bytes,
        });
    }
    draft.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn task_lines() {
        assert_eq!(
            task_line("NAS-BCK Active Backup for Business - attività di backup BCK-PC01 su BACKUPNAS completata"),
            Some(("BCK-PC01".to_string(), Status::Success))
        );
        assert_eq!(
            task_line("[NAS] Active Backup for Business - Backup task PC-Office on NAS01 partially completed"),
            Some(("PC-Office".to_string(), Status::Warning))
        );
        assert_eq!(
            task_line("Sicherungsaufgabe SRV01 auf DS01 ist fehlgeschlagen"),
            Some(("SRV01".to_string(), Status::Failed))
        );
        assert_eq!(task_line("Backup task X on NAS"), None);
    }
}
