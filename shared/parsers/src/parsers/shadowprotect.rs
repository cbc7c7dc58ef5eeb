//! StorageCraft ShadowProtect (SPX) job notifications: subject
//! `ShadowProtect: <job> on <computer> - Success|Failure`, body `Job`,
//! `Computer`, `Volume(s)`, `Backup Type`, `Status`, `Start Time`, `End
//! Time`, `Image File`, `Error`.
//!
//! Job name: `<job> on <computer>`. Objects: the volumes.

use bc_api_types::ReportObject;

use crate::Report;
use crate::parse_input::ParseInput;
use crate::parsers::common::{Labels, Words, after, read_labels, value};
use crate::registry::{Parser, ParserInfo};
use crate::report::Draft;
use crate::util::text::contains_ci;

pub(crate) const ID: &str = "shadowprotect";
const SOFTWARE: &str = "ShadowProtect";

pub(crate) const PARSER: Parser = Parser {
    info: ParserInfo {
        id: ID,
        software: SOFTWARE,
        job_types: &["Full", "Incremental", "Continuous incremental"],
        languages: &["en"],
        match_rules: "Subject or body names \"ShadowProtect\" (or \"StorageCraft\" / \"SPX\" with a `Job` row) and a \
                      result (Success, Warning, Failure/Failed, Aborted). Any sender.",
        order: 94,
        job_name_rule: "`<job> on <computer>` from the `Job` and `Computer` rows (the subject's `<job> on \
                        <computer>` otherwise).",
        fields: "Status (`Status`, else the subject); backup type; start, end, duration; image size; one object \
                 per volume with the run's status; `Error`/`Warning` rows; image file as a note",
        fixtures: "ShadowProtect SPX's notification fields as described in StorageCraft's documentation and \
                   public monitors' subject rules; success, warning, failure",
        confidence: "low",
        vendor_source: false,
        real_fixtures: &[],
    },
    claims,
    parse,
};

const WORDS: Words = Words {
    failed: &["failure", "failed", "aborted", "error"],
    warning: &["warning"],
    success: &["success", "succeeded", "completed"],
};

const LABELS: Labels = Labels {
    start: &["Start Time", "Started"],
    end: &["End Time", "Finished"],
    duration: &["Duration", "Elapsed Time"],
    total: &[],
    backup: &["Image Size", "Backup Size"],
    transferred: &[],
    messages: &["Error", "Errors", "Warning", "Warnings"],
};

fn claims(view: &ParseInput<'_>) -> bool {
    let text = view.text();
    let brand = view.subject_or_body_mentions("shadowprotect")
        || ((view.mentions("storagecraft") || contains_ci(view.subject, "spx")) && value(text, &["Job"]).is_some());
    brand && (WORDS.status(view.subject).is_some() || value(text, &["Status"]).is_some())
}

fn parse(view: &ParseInput<'_>) -> Result<Report, String> {
    let text = view.text();
    let mut draft = Draft::new(ID, SOFTWARE);
    draft.status =
        value(text, &["Status", "Result"]).and_then(|s| WORDS.status(s)).or_else(|| WORDS.status(view.subject));
    let job =
        value(text, &["Job", "Job Name"]).or_else(|| after(view.subject, ":", &[" on "])).ok_or("no job named")?;
    let computer = value(text, &["Computer", "Machine"]).or_else(|| after(view.subject, " on ", &[" - "]));
    draft.job_name = match computer {
        Some(c) => format!("{job} on {c}"),
        None => job.to_string(),
    };
    draft.job_type = value(text, &["Backup Type", "Type"]).unwrap_or("Backup").to_string();
    read_labels(view, text, &LABELS, &mut draft);
    if let Some(file) = value(text, &["Image File", "Image"]) {
        draft.note(&format!("Image file: {file}"));
    }
    if let (Some(volumes), Some(status)) = (value(text, &["Volumes", "Volume(s)", "Volume"]), draft.status) {
        for v in volumes.split([',', ';']).map(str::trim).filter(|v| !v.is_empty()).take(64) {
            draft.object(ReportObject {
                name: v.to_string(),
                object_type: Some("Volume".to_string()),
                status,
                message: None,
                started_at: draft.started_at,
                ended_at: draft.ended_at,
                size_bytes: None,
            });
        }
    }
    draft.finish()
}
