//! Veeam Backup & Replication job notifications (HTML).
//!
//! The body is the reliable signal: the subject is editable per job. The
//! header row names the job type and job; the grid gives the run's times
//! and sizes; one row per VM or other object follows.

use crate::Report;
use crate::mail_view::MailView;
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
                      objects|VMs|instances)\" and the body is not a Veeam Agent report. Any sender.",
        order: 30,
        job_name_rule: "The name after \"<Type> job:\" in the body's header row, e.g. \"Daily VMs\".",
        confidence: "medium",
    },
    claims,
    parse,
};

fn claims(view: &MailView<'_>) -> bool {
    let text = view.html_first_text();
    if veeam_layout::text_has_header(text, &AGENT_TYPES) {
        return false;
    }
    veeam_layout::text_has_header(text, &VBR_TYPES)
        || (veeam_layout::subject_result(view.subject).is_some()
            && subject_counts_objects(view.subject))
}

/// `(3 objects)`, `(1 VM)`, `(12 instances)` somewhere in the subject.
fn subject_counts_objects(subject: &str) -> bool {
    subject.match_indices('(').any(|(i, _)| {
        let rest = &subject[i + 1..];
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return false;
        }
        let Some(word) = rest[digits..].strip_prefix(' ') else {
            return false;
        };
        let Some((word, _)) = word.split_once(')') else {
            return false;
        };
        matches!(
            word,
            "objects" | "object" | "VMs" | "VM" | "instances" | "instance" | "machines" | "machine"
        )
    })
}

fn object_type(job_type: &str) -> Option<&'static str> {
    matches!(
        job_type,
        "Backup" | "Replication" | "VM Copy" | "SureBackup"
    )
    .then_some("VM")
}

fn parse(view: &MailView<'_>) -> Result<Report, String> {
    let mut draft = Draft::new(ID, SOFTWARE);
    veeam_layout::read(
        view,
        &mut draft,
        &Options {
            types: &VBR_TYPES,
            object_type,
        },
    )?;
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
        assert!(subject_counts_objects("[Success] Daily (3 objects)"));
        assert!(subject_counts_objects("[Warning] Daily (1 VM) 1 warning"));
        assert!(subject_counts_objects(
            "[Failed] EC2 (12 instances) 2 errors"
        ));
        assert!(!subject_counts_objects("[Success] Daily (three objects)"));
        assert!(!subject_counts_objects("[Success] Daily (3 apples)"));
        assert!(!subject_counts_objects("[Success] Daily ("));
    }
}
