//! The documented generic CSV format: any tool or script reports by mail
//! with a subject starting `Backup Report CSV` and a CSV attachment with
//! the columns `Device`, `Status`, `Backup Date` (required) and `Job`,
//! `Client`, `Data Size`, `Message` (optional).
//!
//! One mail is one Run of one Job; each row is an Object. The job name is
//! the `Job` column when every row agrees, else the subject after the
//! prefix, else the attachment's file name.

use bc_api_types::{ReportObject, Status};
use chrono::{DateTime, FixedOffset};

use crate::MailAttachment;
use crate::Report;
use crate::parse_input::ParseInput;
use crate::parsers::common::local_time;
use crate::registry::{Parser, ParserInfo};
use crate::report::Draft;
use crate::util::size::parse_size;
use crate::util::text::{decode_text, eq_ci, strip_prefix_ci};

pub(crate) const ID: &str = "generic-csv";
const SOFTWARE: &str = "Generic CSV";
const JOB_TYPE: &str = "CSV report";
const PREFIX: &str = "Backup Report CSV";

pub(crate) const PARSER: Parser = Parser {
    info: ParserInfo {
        id: ID,
        software: SOFTWARE,
        job_types: &[JOB_TYPE],
        languages: &["any"],
        match_rules: "The subject starts with \"Backup Report CSV\" (any case, after Fwd:/Re: prefixes) and the mail \
                      has a CSV attachment (`.csv`, `text/csv`, `application/csv`). Any sender.",
        order: 900,
        job_name_rule: "The `Job` column when every row agrees; else the subject after \"Backup Report CSV\" \
                        (separators trimmed); else the attachment's file name without `.csv`.",
        fields: "One object per row: `Device` (name), `Status`, `Backup Date` (start), `Data Size`, `Message`; \
                 `Client` (and `Job` when rows differ) in the object's message; run status = worst row; run \
                 start/end = earliest/latest Backup Date; `total_bytes` = sum of Data Size",
        fixtures: "The format as documented (a commercial peer's convention): comma and semicolon separators, \
                   UTF-8 with BOM, Windows-1252, quoted fields, base64 and quoted-printable attachments",
        confidence: "high",
        vendor_source: true,
        real_fixtures: &[],
    },
    claims,
    parse,
};

fn claims(view: &ParseInput<'_>) -> bool {
    strip_prefix_ci(view.subject, PREFIX).is_some() && first_csv(view).is_some()
}

fn first_csv<'a>(view: &ParseInput<'a>) -> Option<&'a MailAttachment> {
    view.mail.attachments.iter().find(|a| {
        let name = a.filename.to_ascii_lowercase();
        name.ends_with(".csv")
            || matches!(a.content_type.as_str(), "text/csv" | "application/csv" | "text/comma-separated-values")
    })
}

/// Column positions found in the header line.
struct Header {
    device: usize,
    status: usize,
    date: usize,
    job: Option<usize>,
    client: Option<usize>,
    size: Option<usize>,
    message: Option<usize>,
}

impl Header {
    fn read(record: &csv::StringRecord) -> Result<Self, String> {
        let pos = |names: &[&str]| {
            record.iter().position(|h| {
                let h = h.trim().trim_start_matches('\u{feff}').trim();
                names.iter().any(|n| eq_ci(h, n))
            })
        };
        let required = |name: &str, names: &[&str]| pos(names).ok_or_else(|| format!("the CSV has no `{name}` column"));
        Ok(Self {
            device: required("Device", &["Device"])?,
            status: required("Status", &["Status"])?,
            date: required("Backup Date", &["Backup Date", "BackupDate", "Backup_Date"])?,
            job: pos(&["Job", "Job Name"]),
            client: pos(&["Client", "Customer"]),
            size: pos(&["Data Size", "DataSize", "Data_Size", "Size"]),
            message: pos(&["Message", "Details", "Error"]),
        })
    }
}

fn row_status(word: &str) -> Option<Status> {
    let w = word.trim();
    const SUCCESS: [&str; 6] = ["Success", "Successful", "Finished", "Normal", "Completed", "OK"];
    const WARNING: [&str; 2] = ["Warning", "Warnings"];
    const FAILED: [&str; 5] = ["Failure", "Failed", "Error", "Fatal", "Errors"];
    if SUCCESS.iter().any(|s| eq_ci(w, s)) {
        Some(Status::Success)
    } else if WARNING.iter().any(|s| eq_ci(w, s)) {
        Some(Status::Warning)
    } else if FAILED.iter().any(|s| eq_ci(w, s)) {
        Some(Status::Failed)
    } else {
        None
    }
}

/// The separator the header line uses most: `,`, `;` or a tab.
fn delimiter(text: &str) -> u8 {
    let header = text.lines().next().unwrap_or("");
    [b',', b';', b'\t']
        .into_iter()
        .max_by_key(|d| (header.bytes().filter(|b| b == d).count(), *d == b','))
        .unwrap_or(b',')
}

fn parse(view: &ParseInput<'_>) -> Result<Report, String> {
    let attachment = first_csv(view).ok_or("no CSV attachment")?;
    let text = decode_text(&attachment.data);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter(&text))
        .flexible(true)
        .has_headers(false)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    // One record, reused for every row: no allocation per row.
    let mut record = csv::StringRecord::new();
    let header = loop {
        match reader.read_record(&mut record) {
            Ok(true) if record.iter().all(|c| c.is_empty()) => continue,
            Ok(true) => break Header::read(&record)?,
            Ok(false) => return Err("the CSV attachment is empty".into()),
            Err(e) => return Err(format!("the CSV header cannot be read: {e}")),
        }
    };

    let mut draft = Draft::new(ID, SOFTWARE);
    draft.job_type = JOB_TYPE.to_string();
    let mut job: Option<String> = None;
    let mut jobs_agree = true;
    let mut first: Option<DateTime<FixedOffset>> = None;
    let mut last: Option<DateTime<FixedOffset>> = None;
    let mut total: Option<u64> = None;
    let mut rows = 0usize;
    let mut unknown = 0usize;
    let mut pending: Vec<(ReportObject, Option<String>)> = Vec::new();
    let mut i = 0usize;
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            // A malformed row (bad UTF-8, say) is skipped.
            Err(_) if i < 10_000_000 => {
                i += 1;
                continue;
            }
            Err(_) => break,
        }
        i += 1;
        let get = |i: Option<usize>| i.and_then(|i| record.get(i)).filter(|v| !v.is_empty());
        let Some(device) = get(Some(header.device)) else {
            continue;
        };
        rows += 1;
        let status_text = get(Some(header.status)).unwrap_or("");
        let status = row_status(status_text).unwrap_or_else(|| {
            unknown += 1;
            if unknown <= 10 {
                draft.message(&format!("row {}: unknown status \"{status_text}\", read as Warning", i + 1));
            }
            Status::Warning
        });
        let when = get(Some(header.date)).and_then(|d| local_time(view, d));
        if let Some(t) = when {
            first = Some(first.map_or(t, |f| f.min(t)));
            last = Some(last.map_or(t, |l| l.max(t)));
        }
        let size = get(header.size).and_then(|s| s.parse::<u64>().ok().or_else(|| parse_size(s)));
        if let Some(s) = size {
            total = Some(total.unwrap_or(0).saturating_add(s));
        }
        let row_job = get(header.job);
        match (&job, row_job) {
            (None, Some(j)) if rows == 1 => job = Some(j.to_string()),
            (Some(seen), Some(j)) if seen == j => {}
            _ => jobs_agree = false,
        }
        let mut message: Vec<String> = Vec::new();
        if let Some(m) = get(header.message) {
            message.push(m.to_string());
        }
        if let Some(c) = get(header.client) {
            message.push(format!("Client: {c}"));
        }
        let object = ReportObject {
            name: device.to_string(),
            object_type: None,
            status,
            message: (!message.is_empty()).then(|| message.join("\n")),
            started_at: when,
            ended_at: None,
            size_bytes: size,
        };
        // The Job goes into the message only when rows name different jobs,
        // which is known at the end; hold the first rows until then.
        if pending.len() < crate::MAX_OBJECTS {
            pending.push((object, row_job.map(str::to_string)));
        } else {
            draft.object_left_out(object.status);
        }
    }
    if rows == 0 {
        return Err("the CSV has no rows with a Device".into());
    }
    let jobs_agree = jobs_agree && job.is_some();
    for (mut object, row_job) in pending {
        if !jobs_agree && let Some(j) = row_job {
            let line = format!("Job: {j}");
            object.message = Some(match object.message {
                Some(m) => format!("{m}\n{line}"),
                None => line,
            });
        }
        draft.object(object);
    }
    draft.job_name = job
        .filter(|_| jobs_agree)
        .or_else(|| {
            strip_prefix_ci(view.subject, PREFIX)
                .map(|rest| rest.trim_matches(|c: char| c.is_whitespace() || matches!(c, '-' | ':' | '|' | '–')))
                .filter(|rest| !rest.is_empty())
                .map(str::to_string)
        })
        .or_else(|| {
            let name = attachment.filename.trim();
            let stem = name
                .len()
                .checked_sub(4)
                .filter(|&i| name.is_char_boundary(i) && eq_ci(&name[i..], ".csv"))
                .map_or(name, |i| &name[..i]);
            (!stem.is_empty()).then(|| stem.to_string())
        })
        .unwrap_or_else(|| "CSV report".to_string());
    draft.started_at = first;
    draft.ended_at = last;
    draft.sizes.total_bytes = total;
    draft.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses() {
        assert_eq!(row_status(" finished "), Some(Status::Success));
        assert_eq!(row_status("NORMAL"), Some(Status::Success));
        assert_eq!(row_status("Warning"), Some(Status::Warning));
        assert_eq!(row_status("fatal"), Some(Status::Failed));
        assert_eq!(row_status("Running"), None);
    }

    #[test]
    fn delimiters() {
        assert_eq!(delimiter("Device;Status;Backup Date\n"), b';');
        assert_eq!(delimiter("Device,Status,Backup Date\n"), b',');
        assert_eq!(delimiter("Device\tStatus\tBackup Date\n"), b'\t');
        assert_eq!(delimiter(""), b',');
    }
}
