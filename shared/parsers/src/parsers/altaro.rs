//! Altaro VM Backup / Hornetsecurity VM Backup notifications: one mail per
//! virtual machine, subject `<product>: Backup Successful | Backup Completed
//! With Warnings | Backup Failed - <VM> (<host>)`, body `Virtual Machine`,
//! `Host`, `Backup Location`, `Backup Type`, `Start Time`, `End Time`,
//! `Duration`, `Transfer Size`, `Error`.
//!
//! Job name: the virtual machine (Altaro schedules and reports per VM).

use bc_api_types::ReportObject;

use crate::Report;
use crate::parse_input::ParseInput;
use crate::parsers::common::{Labels, Words, after, read_labels, value};
use crate::registry::{Parser, ParserInfo};
use crate::report::Draft;
use crate::util::text::contains_ci;

pub(crate) const ID: &str = "altaro";
const SOFTWARE: &str = "Hornetsecurity VM Backup (Altaro)";

pub(crate) const PARSER: Parser = Parser {
    info: ParserInfo {
        id: ID,
        software: SOFTWARE,
        job_types: &["Backup", "Offsite copy", "Restore test"],
        languages: &["en"],
        match_rules: "Subject or body names \"Altaro\" or \"Hornetsecurity VM Backup\" and the subject carries a \
                      result (Successful, Completed With Warnings, Failed). Any sender.",
        order: 82,
        job_name_rule: "The `Virtual Machine` row, else the name after \" - \" in the subject (without the \
                        `(<host>)` suffix).",
        fields: "Result from the subject (or `Result`/`Status`); job type (backup, offsite copy, restore test); \
                 host, start, end, duration, transfer size; the VM as the one object; `Error`/`Warning` rows",
        fixtures: "Altaro's per-VM notification as described in its documentation and public monitors' subject \
                   rules; Altaro- and Hornetsecurity-branded variants",
        confidence: "low",
        vendor_source: false,
        real_fixtures: &[],
    },
    claims,
    parse,
};

const WORDS: Words = Words {
    failed: &["failed", "failure", "error"],
    warning: &["with warnings", "warning"],
    success: &["successful", "succeeded", "completed"],
};

const LABELS: Labels = Labels {
    start: &["Start Time", "Started"],
    end: &["End Time", "Finished"],
    duration: &["Duration", "Time Taken"],
    total: &["Total Size", "VM Size"],
    backup: &[],
    transferred: &["Transfer Size", "Transferred", "Compressed Transfer Size"],
    messages: &["Error", "Errors", "Warning", "Warnings", "Reason"],
};

fn claims(view: &ParseInput<'_>) -> bool {
    (view.subject_or_body_mentions("altaro") || view.subject_or_body_mentions("hornetsecurity vm backup"))
        && WORDS.status(view.subject).is_some()
}

fn parse(view: &ParseInput<'_>) -> Result<Report, String> {
    let text = view.text();
    let mut draft = Draft::new(ID, SOFTWARE);
    draft.status =
        value(text, &["Result", "Status"]).and_then(|s| WORDS.status(s)).or_else(|| WORDS.status(view.subject));
    let vm = value(text, &["Virtual Machine", "VM Name", "VM"])
        .map(str::to_string)
        .or_else(|| {
            let tail = view.subject.rsplit(" - ").next()?;
            let name = tail.split(" (").next()?.trim();
            (!name.is_empty() && name.len() < 128).then(|| name.to_string())
        })
        .ok_or("no virtual machine named")?;
    draft.job_name = vm.clone();
    draft.job_type = if contains_ci(view.subject, "offsite") {
        "Offsite copy"
    } else if contains_ci(view.subject, "restore test") || contains_ci(view.subject, "sandbox") {
        "Restore test"
    } else {
        "Backup"
    }
    .to_string();
    read_labels(view, text, &LABELS, &mut draft);
    if let Some(host) = value(text, &["Host", "Hyper-V Host", "ESXi Host"]).or_else(|| after(view.subject, "(", &[")"]))
    {
        draft.note(&format!("Host: {host}"));
    }
    if let Some(status) = draft.status {
        draft.object(ReportObject {
            name: vm,
            object_type: Some("VM".to_string()),
            status,
            message: None,
            started_at: draft.started_at,
            ended_at: draft.ended_at,
            size_bytes: draft.sizes.transferred_bytes,
        });
    }
    draft.finish()
}
