//! SQL Server Agent job notifications sent through Database Mail: subject
//! `SQL Server Job System: '<job>' completed on \\<server>`, body
//! `JOB RUN: '<job>' was run on <date> at <time>`, `DURATION: 0 hours, 12
//! minutes, 34 seconds`, `STATUS: Succeeded|Failed|Cancelled`, `MESSAGES:`.
//!
//! Job name: `<job> on <server>` (maintenance jobs such as Ola Hallengren's
//! `DatabaseBackup - USER_DATABASES - FULL` have the same name on every
//! server).

use bc_api_types::Status;

use crate::Report;
use crate::parse_input::ParseInput;
use crate::parsers::common::{complete_times, field, local_time, quoted};
use crate::registry::{Parser, ParserInfo};
use crate::report::Draft;
use crate::util::duration::parse_duration;
use crate::util::text::{contains_ci, eq_ci, find_ci, strip_prefix_ci};

pub(crate) const ID: &str = "sql-server-agent";
const SOFTWARE: &str = "Microsoft SQL Server Agent";
const JOB_TYPE: &str = "SQL Agent job";
const SUBJECT_PREFIX: &str = "SQL Server Job System:";

pub(crate) const PARSER: Parser = Parser {
    info: ParserInfo {
        id: ID,
        software: SOFTWARE,
        job_types: &[JOB_TYPE],
        languages: &["en"],
        match_rules: "Subject starts with \"SQL Server Job System:\", or the body has the `JOB RUN:` and `STATUS:` \
                      lines of an Agent notification. Any sender.",
        order: 70,
        job_name_rule: "`<job> on <server>`: the quoted job name from `JOB RUN:` (or the subject) and the server \
                        after `completed on \\\\` in the subject; the job alone without a server.",
        fields: "STATUS (Succeeded -> Success, Failed/Cancelled -> Failed, Retry/In progress -> Warning; Retry as \
                 `final_attempt` false); start \
                 from `was run on <date> at <time>`; DURATION (`0 hours, 12 minutes, 34 seconds`) and the end \
                 derived; MESSAGES as a message when not successful",
        fixtures: "The fixed text of SQL Server Agent's notification (JOB RUN / DURATION / STATUS / MESSAGES), \
                   as documented and widely quoted; plain text and HTML-wrapped Database Mail",
        confidence: "low",
        vendor_source: false,
        real_fixtures: &[],
    },
    claims,
    parse,
};

fn claims(view: &ParseInput<'_>) -> bool {
    strip_prefix_ci(view.subject, SUBJECT_PREFIX).is_some()
        || (field(view.text(), &["JOB RUN"]).is_some() && field(view.text(), &["STATUS"]).is_some())
}

fn parse(view: &ParseInput<'_>) -> Result<Report, String> {
    let text = view.text();
    let mut draft = Draft::new(ID, SOFTWARE);
    draft.job_type = JOB_TYPE.to_string();

    let run = field(text, &["JOB RUN"]);
    let job = run
        .and_then(quoted)
        .or_else(|| strip_prefix_ci(view.subject, SUBJECT_PREFIX).and_then(quoted))
        .ok_or("no job name (JOB RUN: '<job>' ...)")?;
    let server = find_ci(view.subject, "completed on ")
        .map(|i| view.subject[i + "completed on ".len()..].trim().trim_start_matches('\\'))
        .filter(|s| !s.is_empty());
    draft.job_name = match server {
        Some(s) => format!("{job} on {s}"),
        None => job.to_string(),
    };

    let status = field(text, &["STATUS"]).unwrap_or("");
    draft.status = if contains_ci(status, "succeeded") {
        Some(Status::Success)
    } else if contains_ci(status, "failed") || contains_ci(status, "cancel") {
        Some(Status::Failed)
    } else if contains_ci(status, "retry") {
        // The Agent retries the step: another attempt follows.
        draft.final_attempt = Some(false);
        Some(Status::Warning)
    } else if contains_ci(status, "progress") {
        Some(Status::Warning)
    } else {
        None
    };
    draft.started_at =
        run.and_then(|r| find_ci(r, " was run on ").map(|i| &r[i..])).and_then(|when| local_time(view, when));
    draft.duration_secs = field(text, &["DURATION"]).and_then(parse_duration);
    complete_times(&mut draft);
    if draft.status != Some(Status::Success)
        && let Some(messages) = field(text, &["MESSAGES"])
    {
        draft.message(messages);
    }
    if draft.status.is_none() && !status.is_empty() && !eq_ci(status, "unknown") {
        draft.message(&format!("unknown STATUS \"{status}\""));
    }
    draft.finish()
}
