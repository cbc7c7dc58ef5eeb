//! Veeam Backup & Replication job notifications (HTML).
//!
//! The body is the reliable signal: the subject is editable per job. The
//! header row names the job type and job; the grid gives the run's times
//! and sizes; one row per VM or other object follows.

use crate::Report;
use crate::parse_input::ParseInput;
use crate::parsers::veeam_layout::{self, AGENT_TYPES, Options, VBR_TYPES};
use crate::registry::{Parser, ParserInfo};
use crate::report::Draft;

pub(crate) const ID: &str = "veeam-vbr";
const SOFTWARE: &str = "Veeam Backup & Replication";

pub(crate) const PARSER: Parser = Parser {
    info: ParserInfo {
        id: ID,
        software: SOFTWARE,
        job_types: &VBR_TYPES,
        languages: &["en"],
        match_rules: "Body (HTML or text) has a header \"<Type> job: <Name>\" for a Backup & Replication job type \
                      and a \"Start time\" label; or the subject reads \"[Success|Warning|Failed] <Job> (<n> \
                      objects|VMs)\". Not when the body is a Veeam Agent report or names Veeam Backup for \
                      Microsoft 365 / AWS / Azure / Google Cloud. Any sender.",
        order: 30,
        job_name_rule: "The name after \"<Type> job:\" in the body's header row, e.g. \"Daily VMs\".",
        fields: "Header row (job type, job name, result, `n of m VMs processed`), session date, grid (start, end with `(+1)`, duration, total/backup size, data read, transferred, session warnings and errors), one object per table row (name, status, start, end, size, details); `(Retry N)` off the name as a message and as `attempt`; without an HTML part, or with one that holds no report (a mail gateway's stub in its place), the same layout is read from the text part's cells (apart by tabs, or aligned by two or more spaces as text browsers and relays render tables)",
        fixtures: "Veeam's report layout as `VeeamHub/powershell` BR-MimicReport renders it and `Herbertholzkopf/backup-monitor3` reads real mails; one fixture per job type (Backup, Backup Copy, Replication, Configuration Backup, Backup to Tape, File to Tape, SureBackup; the configuration backup also in text form with a session warning), `objects`/`VMs` and customised subjects, a retry, QP/base64/HTML-only/cp1252/forwarded variants; damaged MIME (no closing boundary, lying charset, base64 without a transfer encoding), a gateway-tagged subject, forwards with the subject rewritten or lost in English (Thunderbird; Outlook 365's line of underscores), German (Outlook), Dutch (Outlook's `Oorspronkelijk bericht`) and French (Thunderbird), and text-only renderings (HTML dropped by a relay: tab-separated cells; a relay's HTML-to-text with space-aligned columns; the HTML part replaced by a gateway's stub beside the text part). Job types are read in English only: Veeam ships localized editions (Japanese since v11, as `VeeamHub/Veeam-Japan` notes; Simplified Chinese), but no mail from one was found in public, so their job-type words are not guessed",
        confidence: "low",
        vendor_source: false,
        real_fixtures: &[],
    },
    claims,
    parse,
};

fn claims(view: &ParseInput<'_>) -> bool {
    if veeam_layout::mail_product(view).is_some() || veeam_layout::has_header(view, &AGENT_TYPES) {
        return false;
    }
    veeam_layout::has_header(view, &VBR_TYPES)
        || (veeam_layout::subject_result(view.subject).is_some()
            && veeam_layout::subject_count_word(view.subject).is_some_and(|w| !w.starts_with("instance")))
}

fn object_type(job_type: &str) -> Option<&'static str> {
    matches!(job_type, "Backup" | "Replication" | "VM Copy" | "SureBackup").then_some("VM")
}

fn parse(view: &ParseInput<'_>) -> Result<Report, String> {
    let mut draft = Draft::new(ID, SOFTWARE);
    veeam_layout::read(view, &mut draft, &Options { types: &VBR_TYPES, object_type })?;
    if draft.status.is_none() {
        draft.status = veeam_layout::subject_result(view.subject);
    }
    draft.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subject_object_counts() {
        use veeam_layout::subject_count_word as w;
        assert_eq!(w("[Success] Daily (3 objects)"), Some("objects"));
        assert_eq!(w("[Warning] Daily (1 VM) 1 warning"), Some("VM"));
        assert_eq!(w("[Failed] EC2 (12 instances) 2 errors"), Some("instances"));
        assert_eq!(w("[Success] Daily (three objects)"), None);
        assert_eq!(w("[Success] Daily (3 apples)"), None);
        assert_eq!(w("[Success] Daily ("), None);
    }
}
