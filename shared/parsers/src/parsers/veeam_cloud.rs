//! Veeam Backup for AWS, Microsoft Azure and Google Cloud policy
//! notifications: subject `[Result] <Policy> (<n> instances)`, Veeam's
//! report layout with the header `<Type> policy: <Name>` and one row per
//! instance.

use crate::Report;
use crate::parse_input::ParseInput;
use crate::parsers::veeam_layout::{self, Options, Product};
use crate::registry::{Parser, ParserInfo};
use crate::report::Draft;
use crate::util::text::contains_ci;

pub(crate) const ID: &str = "veeam-cloud";
const SOFTWARE: &str = "Veeam Backup for Public Cloud";
const TYPES: [&str; 5] = ["Backup", "Snapshot", "Archive", "Replica", "Backup Copy"];

pub(crate) const PARSER: Parser = Parser {
    info: ParserInfo {
        id: ID,
        software: SOFTWARE,
        job_types: &["Backup policy", "Snapshot policy", "Archive policy", "Replica policy"],
        languages: &["en"],
        match_rules: "Body names \"Veeam Backup for AWS\", \"... for Microsoft Azure\" or \"... for Google Cloud\" \
                      and has a header \"<Type> policy: <Name>\" (or \"job:\"); or the subject reads \
                      \"[Success|Warning|Failed] <Policy> (<n> instances)\". Any sender.",
        order: 26,
        job_name_rule: "The policy name after \"<Type> policy:\" in the header row.",
        fields: "Result, `n of m instances processed`, start, end, duration, total/backup/transferred size, \
                 warnings and errors; one object per instance (type `Instance` on AWS/Google, `VM` on Azure) \
                 with status, times, size and details",
        fixtures: "Veeam's shared layout with the `(n instances)` subject the VBR default subject uses for \
                   cloud policies; AWS and Azure variants",
        confidence: "low",
        vendor_source: false,
        real_fixtures: &[],
    },
    claims,
    parse,
};

fn claims(view: &ParseInput<'_>) -> bool {
    (veeam_layout::mail_product(view) == Some(Product::Cloud) && veeam_layout::has_header(view, &TYPES))
        || (veeam_layout::subject_result(view.subject).is_some()
            && veeam_layout::subject_count_word(view.subject).is_some_and(|w| w.starts_with("instance")))
}

fn azure(_job_type: &str) -> Option<&'static str> {
    Some("VM")
}

fn instance(_job_type: &str) -> Option<&'static str> {
    Some("Instance")
}

fn parse(view: &ParseInput<'_>) -> Result<Report, String> {
    let mut draft = Draft::new(ID, SOFTWARE);
    let is_azure = contains_ci(view.html_first_text(), "Microsoft Azure");
    veeam_layout::read(
        view,
        &mut draft,
        &Options { types: &TYPES, object_type: if is_azure { azure } else { instance } },
    )?;
    draft.job_type = format!("{} policy", draft.job_type);
    if draft.status.is_none() {
        draft.status = veeam_layout::subject_result(view.subject);
    }
    draft.finish()
}
