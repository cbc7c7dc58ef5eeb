//! The HTML layout of Veeam job reports, shared by Backup & Replication
//! and the Agent: a header row `"{Type} job: {Name}"` with the result, a
//! session date line, a grid of bold labels and values, and a table of
//! objects `Name | Status | Start time | End time | Size | Read |
//! Transferred | Duration | Details`.
//!
//! Built from Veeam's own report layout as reproduced by
//! `VeeamHub/powershell` `BR-MimicReport` and `grufocom/vee-mail`.

use std::ops::ControlFlow;

use bc_api_types::{ReportObject, Status};
use chrono::{DateTime, Duration, FixedOffset, NaiveDate, NaiveDateTime};

use crate::parse_input::ParseInput;
use crate::parsers::common::{processed_count, take_retry};
use crate::report::{Draft, status_word};
use crate::util::datetime::{ClockTime, at_offset, find_date, latest_before, local_date, parse_clock_time, plausible};
use crate::util::duration::parse_duration;
use crate::util::html::{Row, for_each_row};
use crate::util::size::parse_size;
use crate::util::text::{eq_ci, strip_prefix_ci};

/// Session suffixes Veeam adds to the job's name: `(Retry 2)` becomes a
/// run message; `(Full)`, `(Incremental)`, `(Active Full)` go, so that every
/// session of a job is one Job.
pub(crate) fn take_session_suffixes(name: &str, draft: &mut Draft) -> String {
    let mut name = name.trim().to_string();
    // Bounded: each round removes a suffix or stops.
    loop {
        let before = name.len();
        name = take_retry(&name, draft);
        for suffix in ["(Full)", "(Incremental)", "(Active Full)", "(Synthetic Full)"] {
            if name.len() > suffix.len()
                && let Some(head) = name.get(..name.len() - suffix.len())
                && eq_ci(&name[head.len()..], suffix)
            {
                name = head.trim_end().to_string();
            }
        }
        if name.len() == before {
            return name;
        }
    }
}

/// Job types Backup & Replication names in the header row.
pub(crate) const VBR_TYPES: [&str; 11] = [
    "Backup Copy",
    "Backup to Tape",
    "Backup",
    "Replication",
    "Configuration Backup",
    "File to Tape",
    "File Backup Copy",
    "File Backup",
    "Object Storage Backup",
    "SureBackup",
    "VM Copy",
];

/// Job types of Veeam Agent reports.
pub(crate) const AGENT_TYPES: [&str; 1] = ["Agent Backup"];

/// Reads `"{Type} job: {Name}"` (also `policy:`) for one of `types`;
/// returns the type as spelt in `types` and the name.
pub(crate) fn header_line<'a>(line: &'a str, types: &[&'static str]) -> Option<(&'static str, &'a str)> {
    let line = line.trim();
    types.iter().find_map(|ty| {
        let rest = strip_prefix_ci(line, ty)?;
        let rest = strip_prefix_ci(rest, " job:").or_else(|| strip_prefix_ci(rest, " policy:"))?;
        let name = rest.trim();
        (!name.is_empty()).then_some((*ty, name))
    })
}

/// Policy types of Veeam Backup for AWS/Azure/Google (`veeam_cloud.rs`) not
/// already among the types above.
const OTHER_TYPES: [&str; 3] = ["Snapshot", "Archive", "Replica"];

/// Every header type any Veeam parser knows, longest first where one is
/// the start of another; the match rules look the mail's type up here once.
static ALL_TYPES: std::sync::LazyLock<Vec<&'static str>> =
    std::sync::LazyLock::new(|| AGENT_TYPES.iter().chain(&VBR_TYPES).chain(&OTHER_TYPES).copied().collect());

/// Whether a mail carries a Veeam header for one of `types` and a summary
/// grid (`Start time`): the body-based match rule. The header's type is
/// found once per mail (the four Veeam parsers share it); with an HTML body
/// only the rows down to the grid are read (the header is at the top), so
/// asking costs a few KB of tokenizing, not the whole report.
pub(crate) fn has_header(view: &ParseInput<'_>, types: &[&'static str]) -> bool {
    view.veeam_header
        .get_or_init(|| match view.mail.html.as_deref() {
            // An HTML part without the report (a gateway put a stub in its
            // place) beside a text part with it: the text part decides.
            Some(html) => html_header(html)
                .or_else(|| view.mail.text.as_deref().filter(|_| view.mentions("start time")).and_then(text_header)),
            None => text_header(view.text()),
        })
        .is_some_and(|ty| types.contains(&ty))
}

fn html_header(html: &str) -> Option<&'static str> {
    // The header row is among the first rows to close (after a forwarding
    // client's quoted-header table at most); the grid follows right after.
    const HEADER_WITHIN_ROWS: usize = 12;
    const GRID_WITHIN_ROWS: usize = 16;
    let mut header: Option<&'static str> = None;
    let mut found = false;
    let mut rows = 0;
    for_each_row(html, |row| {
        rows += 1;
        if header.is_none() {
            header = row
                .cells
                .iter()
                .find_map(|c| c.split(['\n', '\t']).find_map(|seg| header_line(seg, &ALL_TYPES).map(|(ty, _)| ty)));
            if header.is_some() {
                rows = 0;
            }
            return if header.is_none() && rows >= HEADER_WITHIN_ROWS {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            };
        }
        if row.cells.iter().any(|c| crate::util::text::contains_ci(c, "start time")) {
            found = true;
            return ControlFlow::Break(());
        }
        if rows > GRID_WITHIN_ROWS { ControlFlow::Break(()) } else { ControlFlow::Continue(()) }
    });
    header.filter(|_| found)
}

fn text_header(text: &str) -> Option<&'static str> {
    let ty = text.split(['\n', '\t']).find_map(|seg| header_line(seg, &ALL_TYPES).map(|(ty, _)| ty))?;
    crate::util::text::contains_ci(text, "start time").then_some(ty)
}

/// Veeam products that share the layout but are not Backup & Replication,
/// told apart by the product name the body carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Product {
    Microsoft365,
    Cloud,
}

/// [`other_product`] of a mail: its raw HTML and its text part (the
/// product names hold no markup), without rendering the HTML.
pub(crate) fn mail_product(view: &ParseInput<'_>) -> Option<Product> {
    *view.veeam_product.get_or_init(|| {
        let mail = view.mail;
        mail.html.as_deref().and_then(other_product).or_else(|| mail.text.as_deref().and_then(other_product))
    })
}

pub(crate) fn other_product(text: &str) -> Option<Product> {
    use crate::util::text::strip_prefix_ci;
    // Veeam spells its product names one way: find "Veeam Backup for " fast,
    // then read what follows.
    const STEM: &str = "Veeam Backup for ";
    memchr::memmem::find_iter(text.as_bytes(), STEM.as_bytes()).find_map(|at| {
        let rest = text.get(at + STEM.len()..)?;
        if strip_prefix_ci(rest, "Microsoft 365").is_some() || strip_prefix_ci(rest, "Microsoft Office 365").is_some() {
            Some(Product::Microsoft365)
        } else if ["AWS", "Microsoft Azure", "Google Cloud"].iter().any(|p| strip_prefix_ci(rest, p).is_some()) {
            Some(Product::Cloud)
        } else {
            None
        }
    })
}

/// `(3 objects)`, `(1 VM)`, `(12 instances)` in a subject: the counted word.
pub(crate) fn subject_count_word(subject: &str) -> Option<&str> {
    subject.match_indices('(').find_map(|(i, _)| {
        let rest = &subject[i + 1..];
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        let word = rest[digits..].strip_prefix(' ')?;
        let (word, _) = word.split_once(')')?;
        matches!(word, "objects" | "object" | "VMs" | "VM" | "instances" | "instance" | "machines" | "machine")
            .then_some(word)
    })
}

/// `[Success] ...` / `[Warning] ...` / `[Failed] ...` at the start of a subject.
pub(crate) fn subject_result(subject: &str) -> Option<Status> {
    let inner = subject.trim_start().strip_prefix('[')?;
    let (word, _) = inner.split_once(']')?;
    status_word(word)
}

/// What a Veeam report's grid can hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Label {
    SuccessCount,
    WarningCount,
    ErrorCount,
    StartTime,
    EndTime,
    Duration,
    TotalSize,
    BackupSize,
    DataRead,
    Transferred,
    /// Dedupe, compression, bottleneck, processing rate: read, not kept.
    Other,
}

fn label(cell: &str) -> Option<Label> {
    let c = cell.trim().trim_end_matches(':').trim_end();
    const LABELS: [(&str, Label); 17] = [
        ("Success", Label::SuccessCount),
        ("Warning", Label::WarningCount),
        ("Warnings", Label::WarningCount),
        ("Error", Label::ErrorCount),
        ("Errors", Label::ErrorCount),
        ("Start time", Label::StartTime),
        ("End time", Label::EndTime),
        ("Duration", Label::Duration),
        ("Total size", Label::TotalSize),
        ("Data size", Label::TotalSize),
        ("Processed", Label::Other),
        ("Backup size", Label::BackupSize),
        ("Data read", Label::DataRead),
        ("Transferred", Label::Transferred),
        ("Dedupe", Label::Other),
        ("Compression", Label::Other),
        ("Bottleneck", Label::Other),
    ];
    if eq_ci(c, "Processing rate") {
        return Some(Label::Other);
    }
    LABELS.iter().find(|(name, _)| eq_ci(c, name)).map(|(_, l)| *l)
}

#[derive(Debug, Default)]
struct Columns {
    name: usize,
    status: usize,
    start: Option<usize>,
    end: Option<usize>,
    size: Option<usize>,
    transferred: Option<usize>,
    details: Option<usize>,
    /// `Type` (Microsoft 365: User, Site, Team, Group).
    kind: Option<usize>,
}

impl Columns {
    fn from_header(row: &Row) -> Option<Self> {
        let find = |label: &str| row.cells.iter().position(|c| eq_ci(c.trim(), label));
        let name = find("Name")?;
        let status = find("Status")?;
        let start = find("Start time");
        if start.is_none() && find("Duration").is_none() {
            return None;
        }
        Some(Self {
            name,
            status,
            start,
            end: find("End time"),
            size: find("Size"),
            transferred: find("Transferred"),
            details: find("Details"),
            kind: find("Type"),
        })
    }
}

#[derive(Debug, PartialEq, Eq)]
enum Phase {
    Header,
    Summary,
    Objects,
}

/// Where dates come from: the run's start, as a local date and time.
#[derive(Debug, Clone, Copy)]
struct Anchor {
    start: NaiveDateTime,
    offset: FixedOffset,
}

impl Anchor {
    /// An object's start and end, given as clock times on the run's days.
    fn object_times(
        &self,
        start: Option<ClockTime>,
        end: Option<ClockTime>,
    ) -> (Option<DateTime<FixedOffset>>, Option<DateTime<FixedOffset>>) {
        let Some(start) = start else {
            return (None, None);
        };
        let mut date = self.start.date();
        // Objects start after the run; an earlier clock time is the next day.
        if start.time < self.start.time() {
            date += Duration::days(1);
        }
        date += Duration::days(i64::from(start.plus_days));
        let started = date.and_time(start.time);
        let ended = end.map(|end| {
            let mut end_date = started.date() + Duration::days(i64::from(end.plus_days));
            if end.plus_days == 0 && end.time < start.time {
                end_date += Duration::days(1);
            }
            end_date.and_time(end.time)
        });
        (at_offset(started, self.offset), ended.and_then(|e| at_offset(e, self.offset)))
    }
}

/// How a parser wants the common layout read.
pub(crate) struct Options {
    pub types: &'static [&'static str],
    /// `type` of the objects (`VM`, `Computer`), by job type.
    pub object_type: fn(&str) -> Option<&'static str>,
}

/// Reads the Veeam layout into `draft`. Errors when there is no header
/// row: then the mail is not a Veeam report we can read. An HTML part
/// without a header row (a mail gateway replaced the report with a stub)
/// beside a text part is read from the text part.
pub(crate) fn read(view: &ParseInput<'_>, draft: &mut Draft, options: &Options) -> Result<(), String> {
    match read_from(view, view.mail.html.as_deref(), draft, options) {
        // Without a header row nothing was written to the draft yet.
        Err(e) if view.mail.html.is_some() && view.mail.text.is_some() => {
            read_from(view, None, draft, options).map_err(|text_error| format!("{e}; {text_error}"))
        }
        result => result,
    }
}

fn read_from(view: &ParseInput<'_>, html: Option<&str>, draft: &mut Draft, options: &Options) -> Result<(), String> {
    let text_rows = match html {
        Some(_) => None,
        None => Some(text_rows(view.text()).ok_or_else(|| {
            let columns = "table columns (cells apart by tabs or aligned by spaces) to read";
            if view.mail.html.is_some() {
                format!("its text part has no {columns}")
            } else {
                format!("the mail has no HTML body, and its text part has no {columns}")
            }
        })?),
    };
    let mail_date = view.mail.date;
    let near = mail_date.map(local_date);

    let mut phase = Phase::Header;
    let mut session_line: Option<String> = None;
    let mut grid: Vec<(Label, String)> = Vec::new();
    let mut columns: Option<Columns> = None;
    let mut anchor: Option<Anchor> = None;
    let mut object_type: Option<&'static str> = None;
    let mut after_details_band = false;
    let text_mode = html.is_none();
    let mut text_result_pending = false;

    let mut on_row = |row: Row| {
        match phase {
            Phase::Header => {
                let Some(i) = row.cells.iter().position(|c| header_line(first_line(c), options.types).is_some()) else {
                    return ControlFlow::Continue(());
                };
                if let Some((ty, name)) = header_line(first_line(&row.cells[i]), options.types) {
                    draft.job_type = ty.to_string();
                    draft.job_name = take_session_suffixes(name, draft);
                    object_type = (options.object_type)(ty);
                }
                let result = row.cells.get(i + 1);
                draft.status = result.and_then(|c| status_word(first_line(c)));
                if let Some(cell) = result {
                    processed_count(cell, draft);
                }
                // In a text rendering the header cell's second line (the
                // job's description) shares a line with the result cell.
                text_result_pending = result.is_none() && text_mode;
                phase = Phase::Summary;
            }
            Phase::Summary if text_result_pending => {
                text_result_pending = false;
                let cells: Vec<&str> = row.non_empty().collect();
                if let Some(status) = cells.last().and_then(|c| status_word(c)).filter(|_| cells.len() <= 2) {
                    draft.status = Some(status);
                    return ControlFlow::Continue(());
                }
                read_grid_row(&row, &mut grid, &mut session_line, draft);
            }
            Phase::Summary if text_mode && row.cells.len() == 1 && row.cells[0].ends_with("processed") => {
                processed_count(&row.cells[0], draft);
            }
            Phase::Summary => {
                if let Some(cols) = Columns::from_header(&row) {
                    anchor = run_anchor(draft, &grid, session_line.as_deref(), mail_date, near);
                    columns = Some(cols);
                    phase = Phase::Objects;
                    return ControlFlow::Continue(());
                }
                read_grid_row(&row, &mut grid, &mut session_line, draft);
            }
            Phase::Objects => {
                let Some(cols) = columns.as_ref() else {
                    return ControlFlow::Continue(());
                };
                let non_empty: Vec<&str> = row.non_empty().collect();
                // vee-mail puts the session's log after the objects: one
                // row under a "Details" band.
                if after_details_band && non_empty.len() <= 1 {
                    after_details_band = false;
                    for line in non_empty.first().map(|t| t.lines()).into_iter().flatten() {
                        draft.message(line);
                    }
                    return ControlFlow::Continue(());
                }
                after_details_band = false;
                if let [only] = non_empty.as_slice() {
                    after_details_band = eq_ci(only, "Details");
                    return ControlFlow::Continue(());
                }
                if let Some(object) = read_object(&row, cols, anchor.as_ref(), object_type) {
                    draft.object(object);
                }
            }
        }
        ControlFlow::Continue(())
    };
    match (html, text_rows) {
        (Some(html), _) => for_each_row(html, &mut on_row),
        (None, Some(rows)) => {
            for row in rows {
                if on_row(row).is_break() {
                    break;
                }
            }
        }
        (None, None) => {}
    }

    if phase == Phase::Header {
        return Err(format!(
            "no Veeam header row (\"<type> job: <name>\") in the {} body",
            if html.is_some() { "HTML" } else { "text" }
        ));
    }
    if phase == Phase::Summary {
        // No object table: still take the grid's times.
        run_anchor(draft, &grid, session_line.as_deref(), mail_date, near);
    }
    apply_grid(draft, &grid);
    Ok(())
}

/// The rows of a Veeam report's text rendering (the HTML dropped on the
/// way, the text part kept): one row a line, cells separated by tabs as
/// mail clients render table cells, or, without a tab anywhere, by runs of
/// two or more spaces as text browsers (`lynx -dump`, `w3m`) and relays'
/// HTML-to-text converters align them (empty cells are then lost, so a
/// column after an empty one shifts). `None` when neither is there: text
/// that glues the cells together cannot be split reliably. Lazy: one line
/// at a time, so a huge text costs no copy of itself.
fn text_rows(text: &str) -> Option<impl Iterator<Item = Row> + '_> {
    let tabs = text.contains('\t');
    (tabs || aligned_columns(text)).then(move || {
        text.lines().filter(|l| !l.trim().is_empty()).map(move |line| Row {
            cells: if tabs {
                line.split('\t').map(crate::util::text::collapse_ws).collect()
            } else {
                line.split("  ").map(str::trim).filter(|c| !c.is_empty()).map(crate::util::text::collapse_ws).collect()
            },
            depth: 1,
        })
    })
}

/// Whether a tab-less text lays a table out in columns: at least three
/// lines with two cells apart by two or more spaces.
fn aligned_columns(text: &str) -> bool {
    text.lines().filter(|l| l.trim().contains("  ")).nth(2).is_some()
}

fn first_line(cell: &str) -> &str {
    cell.lines().next().unwrap_or("")
}

/// One row of the summary grid: labels pair with the next cell; other
/// non-empty cells of a grid row are the session's warning and error text.
fn read_grid_row(row: &Row, grid: &mut Vec<(Label, String)>, session_line: &mut Option<String>, draft: &mut Draft) {
    let has_label = row.cells.iter().any(|c| label(c).is_some());
    if !has_label {
        let cells: Vec<&str> = row.non_empty().collect();
        if let [only] = cells.as_slice()
            && session_line.is_none()
            && !eq_ci(only, "Details")
        {
            *session_line = Some((*only).to_string());
        }
        return;
    }
    let mut i = 0;
    while i < row.cells.len() {
        let cell = &row.cells[i];
        if let Some(l) = label(cell) {
            let value = row.cells.get(i + 1).map(String::as_str).unwrap_or("");
            if l == Label::Other || !grid.iter().any(|(seen, _)| *seen == l) {
                grid.push((l, value.to_string()));
            }
            i += 2;
        } else if i % 2 == 0 && i + 1 < row.cells.len() && looks_like_label(cell) {
            // A label this reader does not know (`Media pool`, `Catalog`):
            // skip it with its value rather than report it as a message.
            i += 2;
        } else {
            if !cell.is_empty() {
                for line in cell.lines() {
                    draft.message(line);
                }
            }
            i += 1;
        }
    }
}

/// A short, one-line cell without sentence punctuation: a grid label.
fn looks_like_label(cell: &str) -> bool {
    !cell.is_empty() && cell.len() <= 40 && !cell.contains('\n') && !cell.ends_with(['.', '!']) && !cell.contains(": ")
}

fn grid_value(grid: &[(Label, String)], l: Label) -> Option<&str> {
    grid.iter().find(|(seen, _)| *seen == l).map(|(_, v)| v.as_str()).filter(|v| !v.is_empty())
}

fn apply_grid(draft: &mut Draft, grid: &[(Label, String)]) {
    draft.duration_secs = grid_value(grid, Label::Duration).and_then(parse_duration).or(draft.duration_secs);
    draft.sizes.total_bytes = grid_value(grid, Label::TotalSize).and_then(parse_size);
    draft.sizes.backup_bytes = grid_value(grid, Label::BackupSize).and_then(parse_size);
    draft.sizes.read_bytes = grid_value(grid, Label::DataRead).and_then(parse_size);
    draft.sizes.transferred_bytes = grid_value(grid, Label::Transferred).and_then(parse_size);
    if draft.status.is_none() {
        // Counts in the grid, when the header gave no result.
        let count = |l| grid_value(grid, l).and_then(|v| v.trim().parse::<u64>().ok()).unwrap_or(0);
        draft.status = if count(Label::ErrorCount) > 0 {
            Some(Status::Failed)
        } else if count(Label::WarningCount) > 0 {
            Some(Status::Warning)
        } else if count(Label::SuccessCount) > 0 {
            Some(Status::Success)
        } else {
            None
        };
    }
}

/// Sets the run's start and end from the grid, and returns where object
/// times are counted from.
fn run_anchor(
    draft: &mut Draft,
    grid: &[(Label, String)],
    session_line: Option<&str>,
    mail_date: Option<DateTime<FixedOffset>>,
    near: Option<NaiveDate>,
) -> Option<Anchor> {
    let offset = *mail_date?.offset();
    let session_date = session_line.and_then(|l| find_date(l, near)).filter(|d| plausible(*d));
    let start = grid_value(grid, Label::StartTime)
        .and_then(parse_clock_time)
        .or_else(|| session_line.and_then(parse_clock_time));
    let end = grid_value(grid, Label::EndTime).and_then(parse_clock_time);

    let start_local = match (session_date, start, end) {
        (Some(date), Some(start), _) => Some(date.and_time(start.time)),
        (None, Some(start), Some(end)) => {
            let ended = latest_before(mail_date?, end.time)?;
            let mut date = local_date(ended) - Duration::days(i64::from(end.plus_days));
            if end.plus_days == 0 && start.time > end.time {
                date -= Duration::days(1);
            }
            Some(date.and_time(start.time))
        }
        (None, Some(start), None) => latest_before(mail_date?, start.time).map(|s| s.naive_local()),
        (_, None, _) => None,
    };
    let anchor = start_local.map(|start| Anchor { start, offset });
    if let Some(a) = anchor {
        draft.started_at = at_offset(a.start, offset);
        let (_, ended) = a.object_times(start, end);
        draft.ended_at = ended;
    } else if let Some(end) = end {
        draft.ended_at = latest_before(mail_date?, end.time);
    }
    anchor
}

fn read_object(
    row: &Row,
    cols: &Columns,
    anchor: Option<&Anchor>,
    object_type: Option<&'static str>,
) -> Option<ReportObject> {
    let name = first_line(row.cells.get(cols.name)?).trim();
    let status = status_word(row.cells.get(cols.status)?)?;
    if name.is_empty() {
        return None;
    }
    let cell = |i: Option<usize>| i.and_then(|i| row.cells.get(i)).map(String::as_str).filter(|c| !c.is_empty());
    let start = cell(cols.start).and_then(parse_clock_time);
    let end = cell(cols.end).and_then(parse_clock_time);
    let (started_at, ended_at) = anchor.map(|a| a.object_times(start, end)).unwrap_or((None, None));
    let size_bytes = cell(cols.size).and_then(parse_size).or_else(|| cell(cols.transferred).and_then(parse_size));
    Some(ReportObject {
        name: name.to_string(),
        object_type: cell(cols.kind).map(str::to_string).or_else(|| object_type.map(str::to_string)),
        status,
        message: cell(cols.details).map(str::to_string),
        started_at,
        ended_at,
        size_bytes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_lines() {
        assert_eq!(header_line("Backup job: Daily VMs", &VBR_TYPES), Some(("Backup", "Daily VMs")));
        assert_eq!(header_line("Backup Copy job: Offsite\\Daily", &VBR_TYPES), Some(("Backup Copy", "Offsite\\Daily")));
        assert_eq!(header_line("backup to tape JOB: Weekly", &VBR_TYPES), Some(("Backup to Tape", "Weekly")));
        assert_eq!(header_line("Agent Backup job: Backup Job PC01", &VBR_TYPES), None);
        assert_eq!(
            header_line("Agent Backup job: Backup Job PC01", &AGENT_TYPES),
            Some(("Agent Backup", "Backup Job PC01"))
        );
        assert_eq!(header_line("Backup job:", &VBR_TYPES), None);
        assert_eq!(header_line("Backupjob: x", &VBR_TYPES), None);
    }

    #[test]
    fn subject_results() {
        assert_eq!(subject_result("[Success] Daily (3 objects)"), Some(Status::Success));
        assert_eq!(subject_result("[Warning] Daily (3 VMs) 1 warning"), Some(Status::Warning));
        assert_eq!(subject_result("[Error] x"), Some(Status::Failed));
        assert_eq!(subject_result("Success x"), None);
    }

    #[test]
    fn labels() {
        assert_eq!(label(" Start time "), Some(Label::StartTime));
        assert_eq!(label("Processing rate:"), Some(Label::Other));
        assert_eq!(label("Backup size"), Some(Label::BackupSize));
        assert_eq!(label("VM01"), None);
    }
}
