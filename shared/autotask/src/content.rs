//! What Backupchecks writes into an Autotask ticket (seed §4.3 and §5A). Pure functions of plain inputs, so the
//! core can call them without knowing Autotask and tests need no server.
//!
//! The description follows a fixed hierarchy: the run's overall remark leads when there is one (then objects
//! are summarised in one line); otherwise the failing objects are listed, at most [`DescriptionOptions::max_objects`]
//! of them, identical messages once, followed by "And X additional objects reported similar errors." Messages
//! are cut to their first meaningful line (no stack traces, no raw dumps). The description always ends with the
//! run reference ([`run_marker`]) and the link to the run's page in Backupchecks.

use chrono::{DateTime, Utc};

/// A run's (or an object's) result, as Backupchecks shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunStatus {
    Success,
    Warning,
    Failed,
}

impl RunStatus {
    pub fn label(self) -> &'static str {
        match self {
            RunStatus::Success => "Success",
            RunStatus::Warning => "Warning",
            RunStatus::Failed => "Failed",
        }
    }
}

/// One object of a run (a VM, a disk, a mailbox...).
#[derive(Debug, Clone, PartialEq)]
pub struct ObjectResult {
    pub name: String,
    pub status: RunStatus,
    pub message: Option<String>,
}

/// The run a ticket is created for.
#[derive(Debug, Clone, PartialEq)]
pub struct TicketRun {
    /// The Backupchecks run id (a ULID); goes into the link and the [`run_marker`].
    pub run_id: String,
    pub customer_name: String,
    pub job_name: String,
    /// e.g. "Veeam Backup & Replication".
    pub backup_software: Option<String>,
    /// e.g. "Backup Job".
    pub backup_type: Option<String>,
    pub status: RunStatus,
    pub run_at: DateTime<Utc>,
    pub overall_remark: Option<String>,
    pub objects: Vec<ObjectResult>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DescriptionOptions {
    /// The Backupchecks base URL (Settings §7.3A), e.g. `https://backupchecks.example.com`.
    pub base_url: String,
    /// At most this many objects are listed (clamped to 1..=10). Default 5.
    pub max_objects: usize,
}

impl DescriptionOptions {
    pub fn new(base_url: impl Into<String>) -> Self {
        DescriptionOptions { base_url: base_url.into(), max_objects: 5 }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ContentError {
    #[error("the Backupchecks base URL must be an absolute http(s) URL without query or fragment: {0:?}")]
    InvalidBaseUrl(String),
}

/// Autotask's limits on the ticket fields.
pub const MAX_TITLE: usize = 255;
pub const MAX_DESCRIPTION: usize = 8000;
const MAX_MESSAGE: usize = 300;
const MAX_NAME: usize = 100;
const MAX_REMARK: usize = 2000;

/// The informational line of scenario A (§5A.3).
pub const OBJECTS_SUMMARY_LINE: &str = "Multiple objects reported errors. See Backupchecks for full details.";

/// `[Backupchecks] <customer> - <job> - <status>`, on one line, at most 255 characters (the job name is
/// shortened first).
pub fn ticket_subject(customer: &str, job: &str, status: RunStatus) -> String {
    let customer = one_line(customer);
    let job = one_line(job);
    let fixed = format!("[Backupchecks] {customer} -  - {}", status.label());
    let room = MAX_TITLE.saturating_sub(fixed.chars().count());
    let subject = format!("[Backupchecks] {customer} - {} - {}", truncate(&job, room.max(1)), status.label());
    truncate(&subject, MAX_TITLE)
}

/// Checks and normalises the base URL (no trailing slash).
pub fn validate_base_url(base_url: &str) -> Result<String, ContentError> {
    let b = base_url.trim().trim_end_matches('/');
    let bad = || ContentError::InvalidBaseUrl(base_url.to_string());
    let rest = b.strip_prefix("https://").or_else(|| b.strip_prefix("http://")).ok_or_else(bad)?;
    let host = rest.split('/').next().unwrap_or("");
    if host.is_empty() || b.contains(['?', '#', ' ', '\n']) {
        return Err(bad());
    }
    Ok(b.to_string())
}

/// The run's page in Backupchecks: `{base}/runs/{run id}`.
pub fn run_url(base_url: &str, run_id: &str) -> Result<String, ContentError> {
    Ok(format!("{}/runs/{}", validate_base_url(base_url)?, urlencoding::encode(run_id)))
}

/// The token every ticket description carries, `bc-run:<run id>`, so that a retry after a timeout can find the
/// ticket it may already have created ([`crate::resolve::find_ticket_for_run`]). No `[`, `%` or `_`: Autotask's
/// `contains` is a SQL LIKE underneath, where those are wildcards.
pub fn run_marker(run_id: &str) -> String {
    format!("bc-run:{run_id}")
}

/// Whether `description` carries exactly this run's marker (`bc-run:12` does not match `bc-run:123`).
pub fn has_run_marker(description: &str, run_id: &str) -> bool {
    let marker = run_marker(run_id);
    description.match_indices(&marker).any(|(i, _)| {
        description[i + marker.len()..].chars().next().is_none_or(|c| !(c.is_alphanumeric() || c == '-' || c == '_'))
    })
}

/// The ticket description (§5A). Fails only on an invalid base URL (a ticket without the link is not allowed).
pub fn ticket_description(run: &TicketRun, opts: &DescriptionOptions) -> Result<String, ContentError> {
    let link = run_url(&opts.base_url, &run.run_id)?;
    let mut out = String::new();
    let status = run.status.label();
    out.push_str(&format!("Backupchecks reported status {status} for a backup run.\n\n"));
    out.push_str(&format!("Customer: {}\n", one_line(&run.customer_name)));
    out.push_str(&format!("Job: {}\n", one_line(&run.job_name)));
    let backup: Vec<String> = [&run.backup_software, &run.backup_type]
        .into_iter()
        .flatten()
        .map(|s| one_line(s))
        .filter(|s| !s.is_empty())
        .collect();
    if !backup.is_empty() {
        out.push_str(&format!("Backup: {}\n", backup.join(" / ")));
    }
    out.push_str(&format!("Run date/time: {}\n", run.run_at.format("%Y-%m-%d %H:%M UTC")));
    out.push_str(&format!("Status: {status}\n\n"));

    let problems: Vec<&ObjectResult> = run.objects.iter().filter(|o| o.status != RunStatus::Success).collect();
    let remark = run.overall_remark.as_deref().map(clean_block).filter(|r| !r.is_empty());
    match remark {
        Some(remark) => {
            out.push_str("Remark:\n");
            out.push_str(&truncate(&remark, MAX_REMARK));
            out.push_str("\n\n");
            match problems.len() {
                0 => {}
                1 => out.push_str("One object reported an error. See Backupchecks for full details.\n\n"),
                _ => out.push_str(&format!("{OBJECTS_SUMMARY_LINE}\n\n")),
            }
        }
        None if problems.is_empty() => {
            out.push_str("No object-level messages were reported. See Backupchecks for full details.\n\n");
        }
        None => {
            let max = opts.max_objects.clamp(1, 10);
            let listed = &problems[..problems.len().min(max)];
            // Group the listed objects by (status, message): identical messages appear once.
            let mut groups: Vec<(RunStatus, Option<String>, Vec<String>)> = Vec::new();
            for o in listed {
                let msg = o.message.as_deref().map(first_line).filter(|m| !m.is_empty());
                let name = truncate(&one_line(&o.name), MAX_NAME);
                match groups.iter_mut().find(|(s, m, _)| *s == o.status && *m == msg) {
                    Some(g) => g.2.push(name),
                    None => groups.push((o.status, msg, vec![name])),
                }
            }
            out.push_str("Objects with errors or warnings:\n");
            for (s, msg, names) in groups {
                match msg {
                    Some(m) => out.push_str(&format!("- {} ({}): {m}\n", names.join(", "), s.label())),
                    None => out.push_str(&format!("- {} ({})\n", names.join(", "), s.label())),
                }
            }
            let more = problems.len() - listed.len();
            if more > 0 {
                out.push_str(&format!("And {more} additional objects reported similar errors.\n"));
            }
            out.push('\n');
        }
    }
    out.push_str(&format!("Backupchecks run reference: {}\n", run_marker(&run.run_id)));
    out.push_str(&format!("Full details (Job Details in Backupchecks): {link}"));
    Ok(out)
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
    t.push('…');
    t
}

/// A line that belongs to a stack trace or a dump rather than to a message.
fn is_noise(line: &str) -> bool {
    let t = line.trim_start();
    t.starts_with("at ")
        || t.starts_with("--- End of")
        || t.starts_with("Traceback")
        || t.starts_with("File \"")
        || t.starts_with("Stack trace")
        || t.starts_with("StackTrace")
        || t.starts_with("0x")
}

/// The first meaningful line of an object message, whitespace collapsed, at most 300 characters.
fn first_line(msg: &str) -> String {
    let line = msg.lines().map(str::trim).find(|l| !l.is_empty() && !is_noise(l)).unwrap_or("");
    truncate(&one_line(line), MAX_MESSAGE)
}

/// A remark without trace lines and without runs of blank lines.
fn clean_block(s: &str) -> String {
    let mut out: Vec<String> = Vec::new();
    for l in s.lines() {
        if is_noise(l) {
            continue;
        }
        let l = l.trim_end().to_string();
        if l.trim().is_empty() && out.last().is_none_or(|p: &String| p.trim().is_empty()) {
            continue;
        }
        out.push(l);
    }
    while out.last().is_some_and(|l| l.trim().is_empty()) {
        out.pop();
    }
    out.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn run(remark: Option<&str>, objects: Vec<ObjectResult>) -> TicketRun {
        TicketRun {
            run_id: "01JDRUN".into(),
            customer_name: "Acme Corp".into(),
            job_name: "Daily VMs".into(),
            backup_software: Some("Veeam Backup & Replication".into()),
            backup_type: Some("Backup Job".into()),
            status: RunStatus::Failed,
            run_at: Utc.with_ymd_and_hms(2026, 11, 30, 3, 0, 0).unwrap(),
            overall_remark: remark.map(str::to_string),
            objects,
        }
    }

    fn obj(name: &str, status: RunStatus, msg: &str) -> ObjectResult {
        ObjectResult { name: name.into(), status, message: (!msg.is_empty()).then(|| msg.to_string()) }
    }

    fn opts() -> DescriptionOptions {
        DescriptionOptions::new("https://backupchecks.example.com/")
    }

    #[test]
    fn subject() {
        assert_eq!(
            ticket_subject("Acme Corp", "Daily VMs", RunStatus::Failed),
            "[Backupchecks] Acme Corp - Daily VMs - Failed"
        );
        assert_eq!(
            ticket_subject("Acme\nCorp", "  Job ", RunStatus::Warning),
            "[Backupchecks] Acme Corp - Job - Warning"
        );
        let long = ticket_subject("Acme", &"x".repeat(400), RunStatus::Failed);
        assert_eq!(long.chars().count(), MAX_TITLE);
        assert!(long.ends_with("… - Failed"));
    }

    #[test]
    fn overall_remark_leads_and_objects_are_summarised() {
        let r = run(
            Some("Repository full; all VMs failed.\n   at Veeam.Backup.Core.Foo()\n"),
            vec![obj("HV01", RunStatus::Failed, "No space"), obj("HV02", RunStatus::Failed, "No space")],
        );
        let d = ticket_description(&r, &opts()).unwrap();
        assert!(d.contains("Remark:\nRepository full; all VMs failed."));
        assert!(!d.contains("Veeam.Backup.Core"), "no stack traces");
        assert!(d.contains(OBJECTS_SUMMARY_LINE));
        assert!(!d.contains("HV01"), "objects not listed when a remark exists");
        assert!(
            d.contains("Job: Daily VMs")
                && d.contains("Run date/time: 2026-11-30 03:00 UTC")
                && d.contains("Status: Failed")
        );
        assert!(d.ends_with("https://backupchecks.example.com/runs/01JDRUN"));
    }

    #[test]
    fn objects_listed_limited_and_identical_messages_once() {
        let mut objects = vec![obj("OK1", RunStatus::Success, "")];
        for i in 1..=8 {
            objects.push(obj(&format!("HV0{i}"), RunStatus::Failed, "Cannot create snapshot\nat X.Y()\nat Z()"));
        }
        objects.insert(2, obj("USB Disk", RunStatus::Warning, "Low disk space"));
        let d = ticket_description(&run(None, objects), &opts()).unwrap();
        assert!(d.contains("- HV01, HV02, HV03, HV04 (Failed): Cannot create snapshot\n"), "{d}");
        assert!(d.contains("- USB Disk (Warning): Low disk space\n"));
        assert_eq!(d.matches("Cannot create snapshot").count(), 1);
        assert!(d.contains("And 4 additional objects reported similar errors."));
        assert!(!d.contains("OK1") && !d.contains("X.Y()"));
        assert!(d.contains("bc-run:01JDRUN"));
        assert!(d.lines().last().unwrap().starts_with("Full details (Job Details in Backupchecks): https://"));
    }

    #[test]
    fn long_messages_are_cut_and_the_description_fits() {
        let big = "E".repeat(5000);
        let objects = (0..50)
            .map(|i| obj(&format!("VM{i:03}{}", "n".repeat(300)), RunStatus::Failed, &format!("{i}{big}")))
            .collect();
        let mut o = opts();
        o.max_objects = 1000;
        let d = ticket_description(&run(Some(""), objects), &o).unwrap();
        assert!(d.chars().count() <= MAX_DESCRIPTION, "{}", d.len());
        assert!(d.contains("And 40 additional objects"));
    }

    #[test]
    fn base_url_is_mandatory_and_checked() {
        let mut o = opts();
        o.base_url = "backupchecks.example.com".into();
        assert!(ticket_description(&run(None, vec![]), &o).is_err());
        assert!(validate_base_url("https://x.example/?a=1").is_err());
        assert_eq!(validate_base_url(" http://127.0.0.1:8080/ ").unwrap(), "http://127.0.0.1:8080");
    }

    #[test]
    fn marker_matches_exactly() {
        assert!(has_run_marker("ref: bc-run:12\nlink", "12"));
        assert!(has_run_marker("ref: bc-run:12", "12"));
        assert!(!has_run_marker("ref: bc-run:123", "12"));
    }
}
