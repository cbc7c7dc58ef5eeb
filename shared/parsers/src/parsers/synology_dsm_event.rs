//! Synology DSM system-event mails about backup tasks (the older "Backup &
//! Restore" data backup, USB Copy, Snapshot Replication, Hyper Backup Vault):
//! `A new system event occurred on your <host> on <dd-mm-yyyy> at <hh:mm>.`
//! followed by the event, e.g. `Data backup task [Nightly] on host01
//! partially completed.`, in the NAS's language.
//!
//! Job name: the task's name in brackets or quotes, else the kind of task
//! (`Data backup task`). No objects.

use bc_api_types::Status;

use crate::Report;
use crate::parse_input::ParseInput;
use crate::parsers::common::{Words, local_time, quoted};
use crate::registry::{Parser, ParserInfo};
use crate::report::Draft;
use crate::util::text::{contains_ci, find_ci};

pub(crate) const ID: &str = "synology-dsm-event";
const SOFTWARE: &str = "Synology DSM";
const JOB_TYPE: &str = "System event";

pub(crate) const PARSER: Parser = Parser {
    info: ParserInfo {
        id: ID,
        software: SOFTWARE,
        job_types: &[JOB_TYPE],
        languages: &["en", "de", "nl", "fr", "it"],
        match_rules: "Body opens with DSM's system-event sentence (\"A new system event occurred on your\", \
                      \"neues Systemereignis\", \"nieuwe systeemgebeurtenis\", \"nouvel événement système\", \
                      \"nuovo evento di sistema\") and the event names a backup, copy or replication task with a \
                      result. Any sender.",
        order: 44,
        job_name_rule: "The task's name in brackets or quotes in the event (`[Nightly-USB]`), else the kind of \
                        task before \" on <host>\" (`Data backup task`).",
        fields: "Result from the event sentence (failure, then partial, then success words); the event's date \
                 and time as the end; the event and following detail lines as messages when not successful",
        fixtures: "The system-event sentence documented in report-formats.md and DSM's notification style; \
                   English, German and French variants; a French event forwarded from Thunderbird with the subject lost (read from the quoted block)",
        confidence: "low",
        vendor_source: false,
        real_fixtures: &[],
    },
    claims,
    parse,
};

const INTROS: [&str; 6] = [
    "new system event occurred",
    "neues systemereignis",
    "nieuwe systeemgebeurtenis",
    "nouvel événement système",
    "nouvel evenement systeme",
    "nuovo evento di sistema",
];

const TASK_WORDS: [&str; 12] = [
    "backup",
    "sicherung",
    "back-up",
    "sauvegarde",
    "usb copy",
    "usb-kopie",
    "snapshot replication",
    "replication",
    "replikation",
    "replicatie",
    "réplication",
    "copia usb",
];

const WORDS: Words = Words {
    failed: &[
        "failed",
        "fehlgeschlagen",
        "mislukt",
        "échoué",
        "non riuscit",
        "interrupted",
        "unterbrochen",
        "cancelled",
        "abgebrochen",
    ],
    warning: &["partially", "teilweise", "gedeeltelijk", "partiellement", "parzialmente", "with warnings"],
    success: &["completed", "finished", "abgeschlossen", "erfolgreich", "voltooid", "terminé", "réussi", "completat"],
};

pub(crate) fn is_system_event(text: &str) -> bool {
    text.lines().take(40).any(|l| INTROS.iter().any(|i| contains_ci(l, i)))
}

fn claims(view: &ParseInput<'_>) -> bool {
    let text = view.text();
    is_system_event(text) && event_line(text).is_some()
}

/// The first line after the intro that names a task with a result.
fn event_line(text: &str) -> Option<(&str, Status)> {
    let mut lines = text.lines().map(str::trim);
    lines.by_ref().find(|l| INTROS.iter().any(|i| contains_ci(l, i)))?;
    lines.take(12).find_map(|l| {
        let l = l.strip_prefix("Event:").or_else(|| l.strip_prefix("Ereignis:")).unwrap_or(l).trim();
        if !TASK_WORDS.iter().any(|w| contains_ci(l, w)) {
            return None;
        }
        WORDS.status(l).map(|s| (l, s))
    })
}

/// `Data backup task [Nightly] on host01 ...` -> `Nightly`; without a
/// bracketed or quoted name, the words before ` on `.
fn task_name(event: &str) -> Option<String> {
    if let (Some(open), Some(close)) = (event.find('['), event.find(']'))
        && open < close
    {
        let inner = event[open + 1..close].trim();
        if !inner.is_empty() {
            return Some(inner.to_string());
        }
    }
    if let Some(q) = quoted(event) {
        return Some(q.to_string());
    }
    let end = [" on ", " auf ", " op ", " sur ", " su ", " has ", " wurde ", " ist "]
        .iter()
        .filter_map(|s| find_ci(event, s))
        .min()?;
    let kind = event[..end].trim();
    (!kind.is_empty() && kind.len() <= 80).then(|| kind.to_string())
}

fn parse(view: &ParseInput<'_>) -> Result<Report, String> {
    let text = view.text();
    let mut draft = Draft::new(ID, SOFTWARE);
    draft.job_type = JOB_TYPE.to_string();
    let (event, status) = event_line(text).ok_or("no backup task event with a result")?;
    draft.status = Some(status);
    draft.job_name = task_name(event).ok_or("no task named in the event")?;

    let intro = text.lines().find(|l| INTROS.iter().any(|i| contains_ci(l, i))).unwrap_or("");
    draft.ended_at = local_time(view, intro);

    if status != Status::Success {
        draft.message(event);
        let mut after = text.lines().map(str::trim).skip_while(|l| !l.ends_with(event) && *l != event);
        after.next();
        for line in after.take(6) {
            if line.is_empty()
                || ["Sincerely", "Mit freundlichen", "Met vriendelijke", "Cordialement", "Cordiali"]
                    .iter()
                    .any(|s| line.starts_with(s))
            {
                break;
            }
            draft.message(line);
        }
    }
    draft.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(
            task_name("Data backup task [Nightly-USB] on host01 partially completed.").as_deref(),
            Some("Nightly-USB")
        );
        assert_eq!(task_name("Data backup task on host01 partially completed.").as_deref(), Some("Data backup task"));
    }
}
