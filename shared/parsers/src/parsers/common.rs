//! The building blocks of label-and-table reports, shared by the parsers of
//! products whose mails are a list of `Label: value` lines (or two-cell HTML
//! rows) and, sometimes, a table of objects: field look-up, result words in
//! order of precedence, local times, retries and processed counts.

use std::ops::ControlFlow;

use bc_api_types::{ReportObject, Status};
use chrono::{DateTime, Duration, FixedOffset, NaiveDateTime, TimeZone, Timelike, Utc};

use crate::parse_input::ParseInput;
use crate::report::{Draft, status_word};
use crate::util::datetime::{at_offset, find_date, find_datetime, local_date, parse_clock_time, plausible};
use crate::util::html::{Row, for_each_row};
use crate::util::size::parse_size;
use crate::util::text::{contains_ci, eq_ci, find_ci, strip_prefix_ci};

/// The value of the first line `Label: value`, `Label<TAB>value` (two HTML
/// cells) or `Label<TAB>: value`, for any of `labels` (case-insensitive).
pub(crate) fn field<'a>(text: &'a str, labels: &[&str]) -> Option<&'a str> {
    text.lines().find_map(|line| field_line(line, labels))
}

/// [`field`] on one line.
pub(crate) fn field_line<'a>(line: &'a str, labels: &[&str]) -> Option<&'a str> {
    let line = line.trim_start_matches(|c: char| c.is_whitespace() || matches!(c, '-' | '*' | '•' | '>'));
    labels.iter().find_map(|label| {
        let rest = strip_prefix_ci(line, label)?;
        let tab = rest.starts_with('\t');
        let rest = rest.trim_start_matches([' ', '\t', '\u{a0}']);
        let rest = match rest.strip_prefix(':') {
            Some(r) => r,
            None if tab => rest,
            None => return None,
        };
        let value = rest.trim_matches(|c: char| c.is_whitespace());
        (!value.is_empty()).then_some(value)
    })
}

/// The value after `label` followed by a space on a line (`Plan-Name Daily`,
/// `ora inizio 26/04/2026 00:02`): for layouts whose text part runs label
/// and value together without a colon.
pub(crate) fn spaced_field<'a>(text: &'a str, labels: &[&str]) -> Option<&'a str> {
    text.lines().find_map(|line| {
        let line = line.trim_start();
        labels.iter().find_map(|label| {
            let rest = strip_prefix_ci(line, label)?;
            if !rest.starts_with([' ', '\t', ':', '\u{a0}']) {
                return None;
            }
            let value = rest.trim_start_matches([' ', '\t', ':', '\u{a0}']).trim_end();
            (!value.is_empty()).then_some(value)
        })
    })
}

/// A row's value: `Label: value`, or the two cells of an HTML row
/// (`Label<TAB>value` in the HTML's text).
pub(crate) fn value<'a>(text: &'a str, labels: &[&str]) -> Option<&'a str> {
    field(text, labels)
}

/// The value of a `Label: value` line that is not indented (top-level
/// keys of nested `Key: value` dumps such as Duplicati's).
pub(crate) fn top_field<'a>(text: &'a str, labels: &[&str]) -> Option<&'a str> {
    text.lines().filter(|l| !l.starts_with([' ', '\t'])).find_map(|l| field_line(l, labels))
}

/// Result phrases of one product, asked failure first, then warning, then
/// success ("completed with errors" must not read as "completed").
pub(crate) struct Words {
    pub failed: &'static [&'static str],
    pub warning: &'static [&'static str],
    pub success: &'static [&'static str],
}

impl Words {
    pub fn status(&self, s: &str) -> Option<Status> {
        let any = |list: &[&str]| list.iter().any(|w| contains_ci(s, w));
        if any(self.failed) {
            Some(Status::Failed)
        } else if any(self.warning) {
            Some(Status::Warning)
        } else if any(self.success) {
            Some(Status::Success)
        } else {
            None
        }
    }
}

/// A date and time as a report prints it, at the mail's UTC offset. An
/// explicit zone (`2026-03-03T21:00:14Z`, `+01:00`) or a Unix time in
/// parentheses (`(1772575506)`) wins over the mail's offset.
pub(crate) fn local_time(view: &ParseInput<'_>, s: &str) -> Option<DateTime<FixedOffset>> {
    let s = s.trim();
    let mail_date = view.mail.date;
    let offset = mail_date.map(|d| *d.offset());
    if let Some(t) = explicit_zone(s) {
        return Some(offset.map_or(t, |o| t.with_timezone(&o)));
    }
    let near = mail_date.map(local_date);
    let local = find_datetime(s, near).filter(|t| plausible(t.date()))?;
    at_offset(local, offset?)
}

fn explicit_zone(s: &str) -> Option<DateTime<FixedOffset>> {
    // Unix seconds in parentheses (Duplicati: `3/3/2026 2:05:06 AM (1772503506)`).
    if let Some(open) = s.rfind('(') {
        let inner = s[open + 1..].trim_end_matches(')').trim();
        if inner.len() == 10
            && inner.bytes().all(|b| b.is_ascii_digit())
            && let Ok(secs) = inner.parse::<i64>()
            && let Some(t) = Utc.timestamp_opt(secs, 0).single()
        {
            return Some(t.fixed_offset());
        }
    }
    // RFC 3339 / ISO 8601 with a zone (`...T21:00:14Z`); Windows puts U+200E
    // marks around the parts. Most strings have no `<digit>T<digit>`: done.
    let b = s.as_bytes();
    if !b.windows(3).any(|w| w[1] == b'T' && w[2].is_ascii_digit() && (w[0].is_ascii_digit() || w[0] >= 0x80)) {
        return None;
    }
    let cleaned: std::borrow::Cow<'_, str> = if s.contains(['\u{200e}', '\u{200f}', '\'', '"']) {
        s.chars().filter(|c| !matches!(c, '\u{200e}' | '\u{200f}' | '\'' | '"')).collect::<String>().into()
    } else {
        s.into()
    };
    let token = cleaned.split_whitespace().find(|t| t.len() >= 20 && t.as_bytes().get(10) == Some(&b'T'))?;
    let token = token.trim_end_matches(['.', ',', ')']);
    DateTime::parse_from_rfc3339(token).ok().filter(|t| plausible(t.date_naive())).and_then(|t| t.with_nanosecond(0))
}

/// Tables with a header row (`<th>` or first row) rendered as `Header:
/// value` lines, one block per data row: reports that scripts build with
/// PowerShell's `ConvertTo-Html` read like `Format-List` output then.
pub(crate) fn table_rows_as_fields(html: &str, max_rows: usize) -> String {
    let mut out = String::new();
    let mut header: Option<(Vec<String>, usize)> = None;
    let mut rows = 0;
    for_each_row(html, |row| {
        match &header {
            Some((names, depth)) if *depth == row.depth && row.cells.len() == names.len() => {
                for (name, cell) in names.iter().zip(&row.cells) {
                    out.push_str(name);
                    out.push_str(": ");
                    out.push_str(&cell.replace('\n', " "));
                    out.push('\n');
                }
                out.push('\n');
                rows += 1;
            }
            _ => {
                if row.cells.len() >= 2 && row.cells.iter().all(|c| !c.is_empty() && c.len() <= 40 && !c.contains('\n'))
                {
                    header = Some((row.cells.clone(), row.depth));
                }
            }
        }
        if rows >= max_rows { ControlFlow::Break(()) } else { ControlFlow::Continue(()) }
    });
    out
}

/// The labels a label-and-value report uses for the run's facts.
pub(crate) struct Labels {
    pub start: &'static [&'static str],
    pub end: &'static [&'static str],
    pub duration: &'static [&'static str],
    pub total: &'static [&'static str],
    pub backup: &'static [&'static str],
    pub transferred: &'static [&'static str],
    /// Lines whose values are warning or error texts.
    pub messages: &'static [&'static str],
}

/// Reads start, end, duration, sizes and message lines by `labels`, and
/// derives what the others give.
pub(crate) fn read_labels(view: &ParseInput<'_>, text: &str, labels: &Labels, draft: &mut Draft) {
    let get = |l: &[&str]| if l.is_empty() { None } else { value(text, l) };
    draft.started_at = get(labels.start).and_then(|v| local_time(view, v)).or(draft.started_at);
    draft.ended_at = get(labels.end).and_then(|v| local_time(view, v)).or(draft.ended_at);
    draft.duration_secs = get(labels.duration)
        .and_then(|d| crate::util::duration::parse_duration(d.split(" (").next().unwrap_or(d)))
        .or(draft.duration_secs);
    complete_times(draft);
    let size = |l: &[&str]| {
        get(l).and_then(|v| {
            let v = v.split(" (").next().unwrap_or(v).trim();
            parse_size(v).or_else(|| v.parse::<u64>().ok())
        })
    };
    draft.sizes.total_bytes = size(labels.total).or(draft.sizes.total_bytes);
    draft.sizes.backup_bytes = size(labels.backup).or(draft.sizes.backup_bytes);
    draft.sizes.transferred_bytes = size(labels.transferred).or(draft.sizes.transferred_bytes);
    if !labels.messages.is_empty() {
        for line in text.lines() {
            if let Some(v) = field_line(line, labels.messages)
                && !matches!(v, "0" | "-" | "None" | "none" | "n/a" | "N/A")
            {
                draft.message(v);
            }
        }
    }
}

/// Fills in the start, end or duration that the other two give.
pub(crate) fn complete_times(draft: &mut Draft) {
    let span = draft.duration_secs.and_then(|d| i64::try_from(d).ok()).and_then(Duration::try_seconds);
    match (draft.started_at, draft.ended_at, span) {
        (Some(s), None, Some(span)) => draft.ended_at = s.checked_add_signed(span),
        (None, Some(e), Some(span)) => draft.started_at = e.checked_sub_signed(span),
        _ => {}
    }
}

/// Text between the first pair of quotes (`"..."`, `'...'`, `“...”`, `„...“`).
pub(crate) fn quoted(s: &str) -> Option<&str> {
    const PAIRS: [(char, char); 5] = [('"', '"'), ('“', '”'), ('„', '“'), ('\'', '\''), ('«', '»')];
    PAIRS
        .iter()
        .filter_map(|(open, close)| {
            let start = s.find(*open)? + open.len_utf8();
            let len = s[start..].find(*close)?;
            Some((start, &s[start..start + len]))
        })
        .filter(|(_, inner)| !inner.trim().is_empty())
        .min_by_key(|(start, _)| *start)
        .map(|(_, inner)| inner.trim())
}

/// The text after `prefix` (case-insensitive) up to the first of `stops`.
pub(crate) fn after<'a>(s: &'a str, prefix: &str, stops: &[&str]) -> Option<&'a str> {
    let at = find_ci(s, prefix)? + prefix.len();
    let rest = &s[at..];
    let end = stops.iter().filter_map(|stop| find_ci(rest, stop)).min().unwrap_or(rest.len());
    let value = rest[..end].trim().trim_matches(|c: char| matches!(c, '"' | '\'' | '“' | '”' | ':'));
    let value = value.trim();
    (!value.is_empty()).then_some(value)
}

/// Takes a retry marker off a job name (`Daily VMs (Retry 2)` -> `Daily VMs`)
/// and reports it as a run message.
pub(crate) fn take_retry(name: &str, draft: &mut Draft) -> String {
    let trimmed = name.trim_end();
    if let Some(open) = trimmed.rfind('(')
        && trimmed.ends_with(')')
    {
        let inner = trimmed[open + 1..trimmed.len() - 1].trim();
        if let Some(n) = strip_prefix_ci(inner, "retry")
            .map(str::trim)
            .filter(|n| !n.is_empty() && n.len() <= 4 && n.bytes().all(|b| b.is_ascii_digit()))
        {
            draft.note(&format!("Retry {n}"));
            draft.attempt = n.parse::<u32>().ok().map(|n| n.saturating_add(1));
            return trimmed[..open].trim_end().to_string();
        }
    }
    trimmed.to_string()
}

/// `3 of 4 VMs processed`: kept as a run message when not every object
/// was processed.
pub(crate) fn processed_count(text: &str, draft: &mut Draft) {
    for line in text.lines() {
        let Some(at) = find_ci(line, " processed") else {
            continue;
        };
        let words: Vec<&str> = line[..at].split_whitespace().collect();
        let [.., done, of, total, _what] = words.as_slice() else {
            continue;
        };
        let (Ok(done), Ok(total)) = (done.parse::<u64>(), total.parse::<u64>()) else {
            continue;
        };
        if eq_ci(of, "of") && done < total {
            let phrase = words[words.len() - 4..].join(" ");
            draft.note(&format!("{phrase} processed"));
        }
        return;
    }
}

/// Which columns of an object table mean what, by header text.
pub(crate) struct Columns {
    pub name: &'static [&'static str],
    pub status: &'static [&'static str],
    pub kind: &'static [&'static str],
    pub start: &'static [&'static str],
    pub end: &'static [&'static str],
    pub size: &'static [&'static str],
    pub message: &'static [&'static str],
}

#[derive(Default)]
struct Found {
    name: usize,
    status: usize,
    kind: Option<usize>,
    start: Option<usize>,
    end: Option<usize>,
    size: Option<usize>,
    message: Option<usize>,
    depth: usize,
}

impl Columns {
    fn find(&self, row: &Row) -> Option<Found> {
        let pos = |labels: &[&str]| {
            row.cells.iter().position(|c| {
                let c = c.trim().trim_end_matches(':').trim_end();
                labels.iter().any(|l| eq_ci(c, l))
            })
        };
        Some(Found {
            name: pos(self.name)?,
            status: pos(self.status)?,
            kind: pos(self.kind),
            start: pos(self.start),
            end: pos(self.end),
            size: pos(self.size),
            message: pos(self.message),
            depth: row.depth,
        })
    }
}

/// Reads the first HTML table whose header row has a name and a status
/// column into objects; returns how many rows were read. Times that are
/// only clock times fall on the run's start day (or the next, when earlier).
pub(crate) fn read_objects(
    view: &ParseInput<'_>,
    columns: &Columns,
    words: &Words,
    object_type: Option<&str>,
    draft: &mut Draft,
) -> usize {
    let Some(html) = view.mail.html.as_deref() else {
        return 0;
    };
    let mut found: Option<Found> = None;
    let mut count = 0;
    for_each_row(html, |row| {
        let Some(cols) = found.as_ref() else {
            found = columns.find(&row);
            return ControlFlow::Continue(());
        };
        if row.depth != cols.depth {
            return ControlFlow::Continue(());
        }
        if columns.find(&row).is_some() {
            return ControlFlow::Continue(());
        }
        let cell = |i: Option<usize>| i.and_then(|i| row.cells.get(i)).map(|c| c.trim()).filter(|c| !c.is_empty());
        let Some(name) = cell(Some(cols.name)).and_then(|n| n.lines().next()) else {
            return ControlFlow::Continue(());
        };
        let Some(status) = cell(Some(cols.status)).and_then(|s| words.status(s).or_else(|| status_word(s))) else {
            return ControlFlow::Continue(());
        };
        let start = cell(cols.start).and_then(|s| object_time(view, draft, s, None));
        let end = cell(cols.end).and_then(|s| object_time(view, draft, s, start));
        count += 1;
        draft.object(ReportObject {
            name: name.to_string(),
            object_type: cell(cols.kind).map(str::to_string).or_else(|| object_type.map(str::to_string)),
            status,
            message: cell(cols.message).map(str::to_string),
            started_at: start,
            ended_at: end,
            size_bytes: cell(cols.size).and_then(parse_size),
        });
        ControlFlow::Continue(())
    });
    count
}

/// A table cell's time: a full date-time, or a clock time on the run's
/// day (after `not_before` when given).
fn object_time(
    view: &ParseInput<'_>,
    draft: &Draft,
    s: &str,
    not_before: Option<DateTime<FixedOffset>>,
) -> Option<DateTime<FixedOffset>> {
    if find_date(s, None).is_some() {
        return local_time(view, s);
    }
    let clock = parse_clock_time(s)?;
    let base = not_before.or(draft.started_at)?;
    let date = base.naive_local().date() + Duration::days(i64::from(clock.plus_days));
    let t = at_offset(NaiveDateTime::new(date, clock.time), *base.offset())?;
    if t < base && clock.plus_days == 0 { t.checked_add_signed(Duration::days(1)) } else { Some(t) }
}

/// The host part of the sender's address (`backup@nas01.example.com` ->
/// `nas01.example.com`).
pub(crate) fn sender_domain<'a>(view: &ParseInput<'a>) -> Option<&'a str> {
    view.mail.from_address.as_deref().and_then(|a| a.rsplit_once('@')).map(|(_, d)| d).filter(|d| !d.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields() {
        let text = "Job name:\tDaily\nStatus\tSuccess\n  - Start time : 2026\nPlan-Name Office\nEmpty:\n";
        assert_eq!(field(text, &["Job name"]), Some("Daily"));
        assert_eq!(field(text, &["Status"]), Some("Success"));
        assert_eq!(field(text, &["start time"]), Some("2026"));
        assert_eq!(field(text, &["Plan-Name"]), None);
        assert_eq!(spaced_field(text, &["Plan-Name"]), Some("Office"));
        assert_eq!(field(text, &["Empty"]), None);
        assert_eq!(field("Jobs: 3", &["Job"]), None);
    }

    #[test]
    fn words_in_order() {
        const WORDS: Words =
            Words { failed: &["with errors", "failed"], warning: &["with warnings"], success: &["completed"] };
        assert_eq!(WORDS.status("Completed with errors"), Some(Status::Failed));
        assert_eq!(WORDS.status("Completed with warnings"), Some(Status::Warning));
        assert_eq!(WORDS.status("Completed"), Some(Status::Success));
        assert_eq!(WORDS.status("Running"), None);
    }

    #[test]
    fn quotes_and_after() {
        assert_eq!(quoted("Job \"Daily VMs\" finished"), Some("Daily VMs"));
        assert_eq!(quoted("Plan „Täglich“ ok"), Some("Täglich"));
        assert_eq!(quoted("no quotes"), None);
        assert_eq!(after("Backup of 'DC01' on HV01 succeeded", "backup of", &[" on "]), Some("DC01"));
    }

    #[test]
    fn retries_and_counts() {
        let mut d = Draft::new("p", "s");
        assert_eq!(take_retry("Daily VMs (Retry 2)", &mut d), "Daily VMs");
        assert_eq!(take_retry("Daily (VMs)", &mut d), "Daily (VMs)");
        processed_count("Warning\n3 of 4 VMs processed", &mut d);
        processed_count("4 of 4 VMs processed", &mut d);
        d.job_name = "x".into();
        d.status = Some(Status::Success);
        let r = d.finish().unwrap();
        assert_eq!(r.messages, vec!["Retry 2", "3 of 4 VMs processed"]);
    }

    #[test]
    fn explicit_zones() {
        let t = explicit_zone("'\u{200e}2026\u{200e}-\u{200e}03\u{200e}-\u{200e}03T21:00:14.508000000Z'").unwrap();
        assert_eq!(t.to_rfc3339(), "2026-03-03T21:00:14+00:00");
        let t = explicit_zone("3/3/2026 2:05:06 AM (1772503506)").unwrap();
        assert_eq!(t.timestamp(), 1_772_503_506);
        assert!(explicit_zone("2026-03-03 21:00").is_none());
    }
}
