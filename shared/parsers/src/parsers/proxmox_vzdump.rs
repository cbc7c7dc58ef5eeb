//! Proxmox VE backup (`vzdump`) notifications, from the upstream templates
//! in `proxmox/pve-manager` (`templates/default/vzdump-*.hbs`, PVE 8.1 and
//! later) and the older `PVE::VZDump::sendmail` layout they replaced.
//!
//! Subject `vzdump backup status ({fqdn}): backup successful|backup
//! failed[: {error}]`; body a `Details` table `VMID Name Status Time Size
//! Filename`, `Total running time`, `Total size`, then the task logs
//! (`{vmid}: {date} {time} INFO|WARN|ERROR: ...`), which give each guest's
//! start and end.
//!
//! Job name: the host's FQDN from the subject (`pve1.example.com`). The
//! mail does not name the backup job, so all vzdump jobs of one host are one
//! Job here. Objects: one per guest, named `"{vmid} {name}"` (`"101
//! web01"`), type `VM` (qemu) or `CT` (lxc).

use std::collections::HashMap;
use std::ops::ControlFlow;

use bc_api_types::{ReportObject, Status};
use chrono::{DateTime, FixedOffset, NaiveDateTime};

use crate::Report;
use crate::parse_input::ParseInput;
use crate::registry::{Parser, ParserInfo};
use crate::report::Draft;
use crate::util::datetime::at_offset;
use crate::util::duration::parse_duration;
use crate::util::html::for_each_row;
use crate::util::size::parse_size;
use crate::util::text::{eq_ci, labeled_value, strip_prefix_ci};

pub(crate) const ID: &str = "proxmox-vzdump";
const SOFTWARE: &str = "Proxmox VE";
const JOB_TYPE: &str = "vzdump";

pub(crate) const PARSER: Parser = Parser {
    info: ParserInfo {
        id: ID,
        software: SOFTWARE,
        job_types: &[JOB_TYPE],
        languages: &["en"],
        match_rules: "Subject starts with \"vzdump backup status\", or the sender's display name is \"vzdump \
                      backup tool\" (the author Proxmox VE sets), or, with the subject rewritten or lost, the \
                      body's own markers (the `VMID ... Filename` table, `Total running time:`, the vzdump \
                      command or task log) from the author \"Proxmox VE\" (the PVE 8 notification system's \
                      default). Any address.",
        order: 10,
        job_name_rule: "The host FQDN in the subject's parentheses, e.g. \"pve1.example.com\" (falls back to the \
                        sender address's domain); every vzdump job of that host is one Job.",
        fields: "Host and result from the subject (`backup failed: <error>` as a message); one object per guest (`VMID name`, VM/CT, status, start and end from the task log, size, the failure text); total running time, total size",
        fixtures: "The upstream templates `proxmox/pve-manager` `templates/default/vzdump-*.hbs` and `proxmox-notify` renderers (PVE 8.1+), and the pre-8.1 `PVE::VZDump::sendmail` layout; the notification system's mail as its sendmail target sends it (text and HTML parts in one `multipart/alternative`), HTML only, and text only with the subject replaced; the notification system's other mails from the same author (package updates, a failed replication) are claimed by no parser (`no-parser/pve8-*`)",
        confidence: "high",
        vendor_source: true,
        real_fixtures: &[],
    },
    claims,
    parse,
};

const SUBJECT_PREFIX: &str = "vzdump backup status";

fn claims(view: &ParseInput<'_>) -> bool {
    strip_prefix_ci(view.subject, SUBJECT_PREFIX).is_some()
        || eq_ci(view.sender_name().trim(), "vzdump backup tool")
        || (eq_ci(view.sender_name().trim(), "Proxmox VE") && body_markers(view))
}

/// The body of a vzdump notification on its own (subject rewritten or
/// lost): the guest table's header, the totals and the vzdump command line
/// or task log.
fn body_markers(view: &ParseInput<'_>) -> bool {
    view.mentions("total running time:")
        && view.mentions("vmid")
        && view.mentions("filename")
        && (view.mentions("\nvzdump ") || view.mentions("starting backup of vm"))
}

/// One row of the Details table.
#[derive(Debug, Default)]
struct Guest {
    vmid: u32,
    name: String,
    ok: bool,
    size: Option<u64>,
    filename: Option<String>,
    /// Legacy HTML puts the failure message where size and file would be.
    message: Option<String>,
}

/// What the task logs say about one guest.
#[derive(Debug, Default)]
struct GuestLog {
    started: Option<NaiveDateTime>,
    ended: Option<NaiveDateTime>,
    kind: Option<&'static str>,
    error: Option<String>,
}

fn parse(view: &ParseInput<'_>) -> Result<Report, String> {
    let mut draft = Draft::new(ID, SOFTWARE);
    draft.job_type = JOB_TYPE.to_string();

    let (host, status_text) = read_subject(view.subject);
    draft.job_name = host
        .map(str::to_string)
        .or_else(|| view.mail.from_address.as_deref().and_then(|a| a.rsplit_once('@')).map(|(_, d)| d.to_string()))
        .ok_or("no host name in the subject and no sender address")?;

    let (guests, body) = match view.mail.text.as_deref().and_then(|t| text_table(t).map(|g| (g, t))) {
        Some(found) => found,
        None => {
            let html = view.mail.html.as_deref().ok_or("no Details table (VMID, Name, Status) in the text body")?;
            let guests = html_table(html, &mut draft).ok_or("no Details table (VMID, Name, Status) in the body")?;
            (guests, view.html_text().unwrap_or(""))
        }
    };

    for line in error_lines(body) {
        draft.message(line);
    }
    if let Some(err) = status_text.and_then(|s| strip_prefix_ci(s, "backup failed:")).map(str::trim)
        && !err.is_empty()
        && !eq_ci(err, "multiple problems")
    {
        draft.message(err);
    }

    draft.duration_secs = labeled_value(body, &["Total running time"]).and_then(parse_duration).or(draft.duration_secs);
    let total = labeled_value(body, &["Total size"]).and_then(parse_size);

    let offset = view.mail.date.map(|d| *d.offset());
    let logs = read_logs(body, &guests);
    let mut started: Option<DateTime<FixedOffset>> = None;
    let mut ended: Option<DateTime<FixedOffset>> = None;
    let mut size_sum: Option<u64> = None;
    for guest in &guests {
        let log = logs.get(&guest.vmid);
        let at = |t: Option<NaiveDateTime>| t.zip(offset).and_then(|(t, o)| at_offset(t, o));
        let (s, e) = (at(log.and_then(|l| l.started)), at(log.and_then(|l| l.ended)));
        started = match (started, s) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        ended = match (ended, e) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        let size = if guest.ok { guest.size } else { None };
        if let Some(size) = size {
            size_sum = Some(size_sum.unwrap_or(0).saturating_add(size));
        }
        let kind = guest_kind(guest.filename.as_deref()).or(log.and_then(|l| l.kind));
        let message = if guest.ok { None } else { guest.message.clone().or_else(|| log.and_then(|l| l.error.clone())) };
        draft.object(ReportObject {
            name: if guest.name.is_empty() { guest.vmid.to_string() } else { format!("{} {}", guest.vmid, guest.name) },
            object_type: kind.map(str::to_string),
            status: if guest.ok { Status::Success } else { Status::Failed },
            message,
            started_at: s,
            ended_at: e,
            size_bytes: size,
        });
    }
    draft.started_at = started;
    draft.ended_at = ended;
    draft.sizes.backup_bytes = total.or(draft.sizes.backup_bytes).or(size_sum);

    let failed_subject = status_text.is_some_and(|s| strip_prefix_ci(s, "backup failed").is_some());
    let ok_subject = status_text.is_some_and(|s| strip_prefix_ci(s, "backup successful").is_some());
    draft.status = match draft.worst_object() {
        _ if failed_subject => Some(Status::Failed),
        Some(Status::Failed) => Some(Status::Failed),
        Some(_) => Some(Status::Success),
        None if ok_subject => Some(Status::Success),
        None if draft.has_messages() => Some(Status::Failed),
        None => None,
    };
    draft.finish()
}

/// `vzdump backup status (pve1.example.com): backup failed: reason` ->
/// host and status text. The legacy subject has a space before the colon.
fn read_subject(subject: &str) -> (Option<&str>, Option<&str>) {
    let Some(rest) = strip_prefix_ci(subject, SUBJECT_PREFIX) else {
        return (None, None);
    };
    let Some(rest) = rest.trim_start().strip_prefix('(') else {
        return (None, None);
    };
    let Some((host, rest)) = rest.split_once(')') else {
        return (None, None);
    };
    let host = host.trim();
    let status = rest.trim_start().strip_prefix(':').map(str::trim);
    ((!host.is_empty()).then_some(host), status)
}

/// Lines before the Details table: the job-level error(s), if any.
fn error_lines(body: &str) -> impl Iterator<Item = &str> {
    body.lines()
        .map(str::trim)
        .take_while(|l| !eq_ci(l, "Details") && !is_header_line(l))
        .filter(|l| !l.is_empty() && !l.chars().all(|c| c == '=') && !is_forward_noise(l))
}

const COLUMNS: [&str; 6] = ["VMID", "Name", "Status", "Time", "Size", "Filename"];

fn is_header_line(line: &str) -> bool {
    let mut words = line.split_whitespace();
    COLUMNS.iter().all(|c| words.next().is_some_and(|w| eq_ci(w, c)))
}

/// The Details table of the text body. `None` without a header line.
fn text_table(text: &str) -> Option<Vec<Guest>> {
    let mut lines = text.lines();
    let header = lines.by_ref().find(|l| is_header_line(l.trim()))?;
    let legacy = header.contains("NAME");
    let positions: Vec<usize> = {
        let chars: Vec<char> = header.chars().collect();
        let mut pos = Vec::new();
        let mut i = 0;
        while i < chars.len() {
            if !chars[i].is_whitespace() && (i == 0 || chars[i - 1].is_whitespace()) {
                pos.push(i);
            }
            i += 1;
        }
        pos
    };
    let mut guests = Vec::new();
    for line in lines {
        let trimmed = line.trim();
        if trimmed.is_empty() || strip_prefix_ci(trimmed, "Total running time").is_some() {
            break;
        }
        let guest =
            if legacy || positions.len() != COLUMNS.len() { legacy_row(trimmed) } else { column_row(line, &positions) };
        if let Some(g) = guest {
            guests.push(g);
        }
    }
    Some(guests)
}

/// A row of the padded table the notification system renders: every
/// column left-aligned at the header's positions.
fn column_row(line: &str, positions: &[usize]) -> Option<Guest> {
    // Positions count characters; an ASCII line is sliced by bytes directly.
    let chars: Vec<char> = if line.is_ascii() { Vec::new() } else { line.chars().collect() };
    let len = if line.is_ascii() { line.len() } else { chars.len() };
    let field = |i: usize| -> String {
        let start = positions[i].min(len);
        let end = positions.get(i + 1).map_or(len, |p| (*p).min(len)).max(start);
        if chars.is_empty() {
            line[start..end].trim().to_string()
        } else {
            chars[start..end].iter().collect::<String>().trim().to_string()
        }
    };
    let vmid = field(0).parse().ok()?;
    let status = field(2);
    let filename = field(5);
    Some(Guest {
        vmid,
        name: field(1),
        ok: eq_ci(&status, "ok"),
        size: parse_size(&field(4)),
        filename: (!filename.is_empty() && filename != "null").then_some(filename),
        message: None,
    })
}

/// `100        web01                ok       00:01:23     1.23GB  /path` (PVE
/// before 8.1), where the name may hold spaces (`VM 100`).
fn legacy_row(line: &str) -> Option<Guest> {
    let words: Vec<&str> = line.split_whitespace().collect();
    let vmid = words.first()?.parse().ok()?;
    let status_at = (2..words.len())
        .rev()
        .find(|&i| matches!(words[i].to_ascii_lowercase().as_str(), "ok" | "err" | "todo") && words.len() >= i + 3)?;
    let filename = words[status_at + 3..].join(" ");
    Some(Guest {
        vmid,
        name: words[1..status_at].join(" "),
        ok: eq_ci(words[status_at], "ok"),
        size: parse_size(words[status_at + 2]),
        filename: (!filename.is_empty() && filename != "-").then_some(filename),
        message: None,
    })
}

/// The Details table of an HTML-only mail (the notification template, or
/// the legacy table with OK/FAILED and a TOTAL row).
fn html_table(html: &str, draft: &mut Draft) -> Option<Vec<Guest>> {
    let mut columns: Option<Vec<String>> = None;
    let mut guests = Vec::new();
    for_each_row(html, |row| {
        let Some(cols) = columns.as_ref() else {
            let starts =
                row.cells.len() >= 3 && COLUMNS[..3].iter().zip(&row.cells).all(|(c, cell)| eq_ci(cell.trim(), c));
            if starts {
                columns = Some(row.cells.iter().map(|c| c.trim().to_ascii_lowercase()).collect());
            }
            return ControlFlow::Continue(());
        };
        let cell = |name: &str| cols.iter().position(|c| c == name).and_then(|i| row.cells.get(i)).map(String::as_str);
        let first = row.cells.first().map(String::as_str).unwrap_or("");
        if eq_ci(first.trim(), "TOTAL") {
            draft.duration_secs = row.cells.get(1).and_then(|t| parse_duration(t));
            draft.sizes.backup_bytes = row.cells.get(2).and_then(|s| parse_size(s));
            return ControlFlow::Continue(());
        }
        let Ok(vmid) = first.trim().parse::<u32>() else {
            return ControlFlow::Continue(());
        };
        let status = cell("status").unwrap_or("");
        let ok = eq_ci(status, "ok");
        let legacy_failed = !ok && row.cells.len() < cols.len();
        let filename = cell("filename").filter(|f| !f.is_empty()).map(str::to_string);
        guests.push(Guest {
            vmid,
            name: cell("name").unwrap_or("").to_string(),
            ok,
            size: if legacy_failed { None } else { cell("size").and_then(parse_size) },
            filename: if legacy_failed { None } else { filename },
            message: if legacy_failed { row.cells.last().filter(|m| !m.is_empty()).cloned() } else { None },
        });
        ControlFlow::Continue(())
    });
    columns.map(|_| guests)
}

/// `vzdump-qemu-101-...` / `vm/101/...` -> VM; `vzdump-lxc-` / `ct/` -> CT.
fn guest_kind(filename: Option<&str>) -> Option<&'static str> {
    let f = filename?;
    if f.contains("vzdump-qemu-") || f.starts_with("vm/") {
        Some("VM")
    } else if f.contains("vzdump-lxc-") || f.starts_with("ct/") {
        Some("CT")
    } else {
        None
    }
}

/// Reads `{vmid}: {YYYY-MM-DD HH:MM:SS} {LEVEL}: {text}` log lines of the
/// guests in the table: first line = start, `Finished Backup of VM` = end;
/// a guest that failed ends at its last line, with its first `ERROR:`.
fn read_logs(body: &str, guests: &[Guest]) -> HashMap<u32, GuestLog> {
    let mut logs: HashMap<u32, (GuestLog, Option<NaiveDateTime>)> =
        guests.iter().map(|g| (g.vmid, (GuestLog::default(), None))).collect();
    for line in body.lines() {
        if !line.starts_with(|c: char| c.is_ascii_digit()) {
            continue;
        }
        let Some((id, rest)) = line.split_once(": ") else {
            continue;
        };
        let Ok(vmid) = id.trim().parse::<u32>() else {
            continue;
        };
        let Some((log, last)) = logs.get_mut(&vmid) else {
            continue;
        };
        let Some(stamp) = rest.get(..19).and_then(crate::util::datetime::parse_iso_local) else {
            continue;
        };
        let text = rest[19..].trim_start();
        log.started.get_or_insert(stamp);
        *last = Some(stamp);
        if let Some(msg) = text.strip_prefix("ERROR:").map(str::trim) {
            // "Backup of VM 101 failed - <why>" sums the failure up.
            if log.error.is_none() || msg.starts_with("Backup of VM") {
                log.error = Some(msg.to_string());
            }
        } else if let Some(msg) = text.strip_prefix("INFO:").map(str::trim) {
            if msg.starts_with("Finished Backup of VM") {
                log.ended = Some(stamp);
            } else if msg.starts_with("Starting Backup of VM") {
                log.kind = if msg.ends_with("(qemu)") {
                    Some("VM")
                } else if msg.ends_with("(lxc)") {
                    Some("CT")
                } else {
                    log.kind
                };
            }
        }
    }
    logs.into_iter()
        .map(|(vmid, (mut log, last))| {
            if log.ended.is_none() && log.error.is_some() {
                log.ended = last;
            }
            (vmid, log)
        })
        .collect()
}

/// Header lines a mail client adds when forwarding: not report text.
fn is_forward_noise(line: &str) -> bool {
    const PREFIXES: [&str; 14] = [
        "From:",
        "Sent:",
        "Date:",
        "To:",
        "Cc:",
        "Subject:",
        "Von:",
        "Gesendet:",
        "An:",
        "Betreff:",
        "Datum:",
        "Van:",
        "Verzonden:",
        "Onderwerp:",
    ];
    line.starts_with("---")
        || line.starts_with('>')
        || strip_prefix_ci(line, "Begin forwarded message").is_some()
        || PREFIXES.iter().any(|p| strip_prefix_ci(line, p).is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects() {
        assert_eq!(
            read_subject("vzdump backup status (pve1.example.com): backup successful"),
            (Some("pve1.example.com"), Some("backup successful"))
        );
        assert_eq!(
            read_subject("vzdump backup status (pve1) : backup failed: storage 'nas' is not online"),
            (Some("pve1"), Some("backup failed: storage 'nas' is not online"))
        );
        assert_eq!(read_subject("vzdump backup status"), (None, None));
    }

    #[test]
    fn padded_rows() {
        let text = "Details\n=======\nVMID    Name     Status    Time      Size          Filename    \n\
                    100     web01    ok        1m 23s    1.5 GiB       /mnt/dump/vzdump-qemu-100.vma.zst    \n\
                    101     VM 101   err       2s        0 B           null    \n\nTotal running time: 1m 25s\n";
        let guests = text_table(text).unwrap();
        assert_eq!(guests.len(), 2);
        assert_eq!((guests[0].vmid, guests[0].name.as_str(), guests[0].ok), (100, "web01", true));
        assert_eq!(guests[0].size, Some(1_610_612_736));
        assert_eq!(guests[1].name, "VM 101");
        assert!(!guests[1].ok);
        assert_eq!(guests[1].filename, None);
    }

    #[test]
    fn legacy_rows() {
        let g = legacy_row(
            "100        web01                ok       00:01:23     1.23GB  /var/lib/vz/dump/vzdump-qemu-100.vma.zst",
        )
        .unwrap();
        assert_eq!((g.vmid, g.name.as_str(), g.ok, g.size), (100, "web01", true, Some(1_320_702_444)));
        let g = legacy_row("105        VM 105               err      00:00:02    0.00MB  -").unwrap();
        assert_eq!((g.name.as_str(), g.ok, g.filename), ("VM 105", false, None));
        assert!(legacy_row("TOTAL 00:01:25").is_none());
    }
}
