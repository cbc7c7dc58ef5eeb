//! Datto BCDR (SIRIS, ALTO) alert mails: backup, screenshot verification
//! and off-site synchronisation results per protected machine (agent):
//! subject `[Datto] Backup Failed: <agent> on <device>` and the like, body
//! `Agent`, `Device`, `Time`, `Backup type`, `Error`.
//!
//! Job name: the agent (protected machine) plus the kind of check, so that
//! backups and screenshot verifications are separate Jobs.

use bc_api_types::ReportObject;

use crate::Report;
use crate::parse_input::ParseInput;
use crate::parsers::common::{Labels, Words, after, read_labels, sender_domain, value};
use crate::registry::{Parser, ParserInfo};
use crate::report::Draft;
use crate::util::text::contains_ci;

pub(crate) const ID: &str = "datto";
const SOFTWARE: &str = "Datto BCDR";

pub(crate) const PARSER: Parser = Parser {
    info: ParserInfo {
        id: ID,
        software: SOFTWARE,
        job_types: &["Backup", "Screenshot verification", "Off-site sync"],
        languages: &["en"],
        match_rules: "Sender at `datto.com`/`dattobackup.com`, or the subject starts with \"[Datto]\" / names \
                      \"Datto\"; and the subject carries a result (Successful, Failed, Warning). Any address.",
        order: 84,
        job_name_rule: "`<agent>` for backups, `<agent> screenshot` for screenshot verification, `<agent> \
                        off-site` for off-site sync; the agent from the `Agent` row or the subject's \
                        `: <agent> on <device>`.",
        fields: "Result from the subject (or `Status`); kind of check; time (`Time`/`Started`), duration; the agent \
                 as the one object; device as a note; `Error`/`Reason` rows as messages",
        fixtures: "Datto's alert kinds (backup, screenshot verification, off-site) as public monitors and Datto's \
                   knowledge base describe them; success, screenshot failure, backup failure",
        confidence: "low",
        vendor_source: false,
        real_fixtures: &[],
    },
    claims,
    parse,
};

const WORDS: Words = Words {
    failed: &["failed", "failure", "error", "missed"],
    warning: &["warning", "partial"],
    success: &["successful", "succeeded", "success", "completed"],
};

const LABELS: Labels = Labels {
    start: &["Time", "Started", "Start time", "Backup time"],
    end: &["Finished", "End time"],
    duration: &["Duration"],
    total: &[],
    backup: &[],
    transferred: &["Data transferred", "Transferred"],
    messages: &["Error", "Reason", "Details"],
};

fn claims(view: &ParseInput<'_>) -> bool {
    let datto = sender_domain(view).is_some_and(|d| d.ends_with("datto.com") || d.ends_with("dattobackup.com"))
        || contains_ci(view.subject, "datto");
    datto && WORDS.status(view.subject).is_some()
}

fn parse(view: &ParseInput<'_>) -> Result<Report, String> {
    let text = view.text();
    let mut draft = Draft::new(ID, SOFTWARE);
    let subject = view.subject;
    draft.status = value(text, &["Status", "Result"]).and_then(|s| WORDS.status(s)).or_else(|| WORDS.status(subject));
    let agent = value(text, &["Agent", "Protected machine", "Protected system"])
        .or_else(|| after(subject, ": ", &[" on "]))
        .map(str::to_string)
        .ok_or("no agent named")?;
    let (kind, suffix) = if contains_ci(subject, "screenshot") {
        ("Screenshot verification", " screenshot")
    } else if contains_ci(subject, "off-site") || contains_ci(subject, "offsite") {
        ("Off-site sync", " off-site")
    } else {
        ("Backup", "")
    };
    draft.job_type = kind.to_string();
    draft.job_name = format!("{agent}{suffix}");
    read_labels(view, text, &LABELS, &mut draft);
    if let Some(device) = value(text, &["Device", "Appliance"]).or_else(|| after(subject, " on ", &[])) {
        draft.note(&format!("Device: {device}"));
    }
    if let Some(status) = draft.status {
        draft.object(ReportObject {
            name: agent,
            object_type: Some("Agent".to_string()),
            status,
            message: None,
            started_at: draft.started_at,
            ended_at: draft.ended_at,
            size_bytes: None,
        });
    }
    draft.finish()
}
