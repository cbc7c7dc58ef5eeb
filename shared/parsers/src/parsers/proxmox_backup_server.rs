//! Proxmox Backup Server job notifications, from the upstream templates in
//! `proxmox/proxmox-backup` (`templates/default/*.hbs`): garbage
//! collection, prune, sync, verify and tape backup results, and tape
//! load-media requests. (Backups *to* a PBS datastore are reported by
//! Proxmox VE's vzdump mail, parser `proxmox-vzdump`.)
//!
//! Job name: the kind of job and its datastore (`Verify store1`,
//! `Garbage collection store1`, `Sync remote1/store-src -> store1`,
//! `Tape backup weekly`), so each PBS job is one Job.

use bc_api_types::{ReportObject, Status};
use chrono::{TimeZone, Utc};

use crate::Report;
use crate::parse_input::ParseInput;
use crate::parsers::common::field;
use crate::registry::{Parser, ParserInfo};
use crate::report::Draft;
use crate::util::duration::parse_duration;
use crate::util::size::parse_size;
use crate::util::text::{find_ci, strip_prefix_ci};

pub(crate) const ID: &str = "proxmox-backup-server";
const SOFTWARE: &str = "Proxmox Backup Server";

pub(crate) const PARSER: Parser = Parser {
    info: ParserInfo {
        id: ID,
        software: SOFTWARE,
        job_types: &["Garbage collection", "Prune", "Sync", "Verify", "Tape backup", "Load media"],
        languages: &["en"],
        match_rules: "Subject is one of PBS's templates: \"Garbage Collect Datastore '<ds>' successful|failed\", \
                      \"Pruning datastore '<ds>' ...\", \"Sync remote '<r>' datastore '<ds>' ...\" / \"Sync local \
                      datastore '<ds>' ...\", \"Verify Datastore '<ds>' ...\", \"Tape Backup ['<id>'] datastore \
                      '<ds>' ...\", \"Load Media '<label>' request for drive|changer '<dev>'\". Any sender.",
        order: 12,
        job_name_rule: "Kind and datastore: \"Garbage collection <ds>\", \"Prune <ds>\", \"Verify <ds>\", \"Sync \
                        <remote>/<remote-store> -> <ds>\" (\"Sync local <src> -> <ds>\"), \"Tape backup <job id>\" \
                        (or \"<ds>\" without one), \"Load media <device>\".",
        fields: "Result from the subject; the error after \"... failed:\" as a message; start from the task's \
                 UPID; GC: original data usage (`total_bytes`), on-disk usage (`backup_bytes`), removed garbage as \
                 a note; verify: one failed object per snapshot or group listed; tape: duration, one object per \
                 snapshot included, used tapes as a note; load media: Warning with the media, device and reason",
        fixtures: "The upstream Handlebars templates (exact wording and spacing) with values as PBS renders them \
                   (`human-bytes`, UPIDs, snapshot paths); plain text and the HTML `<pre>` rendering",
        confidence: "high",
        vendor_source: true,
        real_fixtures: &[],
    },
    claims,
    parse,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    GarbageCollection,
    Prune,
    Sync,
    Verify,
    TapeBackup,
    LoadMedia,
}

impl Kind {
    fn job_type(self) -> &'static str {
        match self {
            Kind::GarbageCollection => "Garbage collection",
            Kind::Prune => "Prune",
            Kind::Sync => "Sync",
            Kind::Verify => "Verify",
            Kind::TapeBackup => "Tape backup",
            Kind::LoadMedia => "Load media",
        }
    }
}

/// What the subject says: the kind, its quoted values, and the result.
struct Subject<'a> {
    kind: Kind,
    quoted: Vec<&'a str>,
    ok: Option<bool>,
}

fn read_subject(subject: &str) -> Option<Subject<'_>> {
    const KINDS: [(&str, Kind); 7] = [
        ("Garbage Collect Datastore '", Kind::GarbageCollection),
        ("Pruning datastore '", Kind::Prune),
        ("Sync remote '", Kind::Sync),
        ("Sync local datastore '", Kind::Sync),
        ("Verify Datastore '", Kind::Verify),
        ("Tape Backup ", Kind::TapeBackup),
        ("Load Media '", Kind::LoadMedia),
    ];
    let s = subject.trim();
    let kind = KINDS.iter().find(|(prefix, _)| strip_prefix_ci(s, prefix).is_some()).map(|(_, k)| *k)?;
    let quoted: Vec<&str> = s.split('\'').skip(1).step_by(2).collect();
    if quoted.is_empty() || quoted.len() > 3 {
        return None;
    }
    let tail = s.rsplit('\'').next().unwrap_or("").trim();
    let ok = if kind == Kind::LoadMedia {
        None
    } else if tail.eq_ignore_ascii_case("successful") {
        Some(true)
    } else if tail.eq_ignore_ascii_case("failed") {
        Some(false)
    } else {
        return None;
    };
    if kind == Kind::TapeBackup && find_ci(s, "datastore '").is_none() {
        return None;
    }
    if kind == Kind::LoadMedia && find_ci(s, "request for").is_none() {
        return None;
    }
    Some(Subject { kind, quoted, ok })
}

fn claims(view: &ParseInput<'_>) -> bool {
    read_subject(view.subject).is_some()
}

fn parse(view: &ParseInput<'_>) -> Result<Report, String> {
    let subject = read_subject(view.subject).ok_or("not a Proxmox Backup Server subject")?;
    let text = view.text();
    let mut draft = Draft::new(ID, SOFTWARE);
    draft.job_type = subject.kind.job_type().to_string();
    let q = |i: usize| subject.quoted.get(i).copied().unwrap_or("").trim();
    let store = field(text, &["Datastore"]).unwrap_or("");

    draft.job_name = match subject.kind {
        Kind::GarbageCollection => format!("Garbage collection {}", q(0)),
        Kind::Prune => format!("Prune {}", q(0)),
        Kind::Verify => format!("Verify {}", q(0)),
        Kind::Sync if subject.quoted.len() >= 2 => {
            format!("Sync {}/{} -> {}", q(0), q(1), if store.is_empty() { "?" } else { store })
        }
        Kind::Sync => format!("Sync local {} -> {}", q(0), if store.is_empty() { "?" } else { store }),
        Kind::TapeBackup if subject.quoted.len() >= 2 => format!("Tape backup {}", q(0)),
        Kind::TapeBackup => format!("Tape backup {}", q(0)),
        Kind::LoadMedia => format!("Load media {}", q(1)),
    };
    draft.status = Some(match subject.ok {
        Some(true) => Status::Success,
        Some(false) => Status::Failed,
        None => Status::Warning,
    });

    // "Garbage collection failed: ...", "Pruning failed: ...", "Tape Backup failed: ..."
    for line in text.lines() {
        if let Some(at) = find_ci(line, " failed: ") {
            draft.message(line[at + " failed: ".len()..].trim());
        }
    }
    draft.started_at = field(text, &["Task ID"])
        .and_then(upid_start)
        .map(|t| view.mail.date.map_or(t, |d| t.with_timezone(d.offset())));

    // PBS sends the mail when the task ends.
    if subject.kind != Kind::LoadMedia {
        draft.ended_at = view.mail.date;
    }

    match subject.kind {
        Kind::GarbageCollection => {
            draft.sizes.total_bytes = field(text, &["Original Data usage"]).and_then(parse_size);
            draft.sizes.backup_bytes =
                field(text, &["On-Disk usage"]).map(|v| v.split(" (").next().unwrap_or(v)).and_then(parse_size);
            if let Some(removed) = field(text, &["Removed garbage"]) {
                draft.note(&format!("Removed garbage: {removed}"));
            }
            if let Some(bad) = field(text, &["Leftover bad chunks"]).filter(|b| b.trim() != "0") {
                draft.message(&format!("Leftover bad chunks: {bad}"));
            }
        }
        Kind::Verify => {
            let mut lines = text.lines();
            if lines.by_ref().any(|l| l.trim_start().starts_with("Verification failed on these")) {
                let mut failed = 0;
                for line in lines
                    .map(str::trim)
                    .skip_while(|l| l.is_empty())
                    .take_while(|l| !l.is_empty() && !l.starts_with("Please visit"))
                {
                    failed += 1;
                    draft.object(snapshot_object(line, Status::Failed, "verification failed"));
                }
                draft.message(&format!("Verification failed on {failed} snapshots/groups"));
            }
        }
        Kind::TapeBackup => {
            draft.duration_secs = field(text, &["Duration"]).and_then(parse_duration);
            let status = if subject.ok == Some(true) { Status::Success } else { Status::Failed };
            for snapshot in block_after(text, "Snapshots included:") {
                draft.object(snapshot_object(snapshot, status, "on tape"));
            }
            let tapes: Vec<&str> = block_after(text, "Used Tapes:").collect();
            if !tapes.is_empty() {
                draft.note(&format!("Used tapes: {}", tapes.join(", ")));
            }
            if let Some(pool) = field(text, &["Tape Pool"]) {
                draft.note(&format!("Tape pool: {pool}"));
            }
        }
        Kind::LoadMedia => {
            let device = field(text, &["Drive", "Changer"]).unwrap_or(q(1));
            let media = field(text, &["Media"]).unwrap_or(q(0));
            if let Some(at) = text.lines().position(|l| l.trim_end().ends_with("Error:"))
                && let Some(reason) = text.lines().nth(at + 1).map(str::trim).filter(|r| !r.is_empty())
            {
                draft.message(reason);
            }
            draft.message(&format!("Insert media '{media}' into '{device}'"));
        }
        Kind::Prune | Kind::Sync => {}
    }
    if draft.duration_secs.is_none()
        && let (Some(start), Some(end)) = (draft.started_at, draft.ended_at)
    {
        draft.duration_secs = u64::try_from((end - start).num_seconds()).ok();
    }
    crate::parsers::common::complete_times(&mut draft);
    draft.finish()
}

/// An object per backup group (`vm/101`), the snapshot in its message, so
/// the same guest is the same object from run to run.
fn snapshot_object(path: &str, status: Status, what: &str) -> ReportObject {
    let group = match path.rsplit_once('/') {
        Some((head, last)) if last.contains('T') && last.contains(':') => head,
        _ => path,
    };
    ReportObject {
        name: group.to_string(),
        object_type: snapshot_type(path),
        status,
        message: Some(if group == path { what.to_string() } else { format!("{what}: {path}") }),
        started_at: None,
        ended_at: None,
        size_bytes: None,
    }
}

/// Lines of a `Heading:` block up to the next empty line.
fn block_after<'a>(text: &'a str, heading: &str) -> impl Iterator<Item = &'a str> {
    let mut lines = text.lines();
    let found = lines.by_ref().any(|l| l.trim() == heading);
    lines
        .map(str::trim)
        .skip_while(move |l| found && l.is_empty())
        .take_while(move |l| found && !l.is_empty() && !l.ends_with(':') && !l.contains(": "))
}

/// `vm/100/2026-03-03T22:00:02Z` -> VM; `ct/` -> CT; `host/` -> Host.
fn snapshot_type(path: &str) -> Option<String> {
    // A datastore prefix (`store1:vm/100/...`) goes; the time's colons stay.
    let path = match path.split_once('/') {
        Some((head, _)) if head.contains(':') => &path[head.rfind(':').map_or(0, |i| i + 1)..],
        _ => path,
    };
    let kind = match path.split('/').find(|p| matches!(*p, "vm" | "ct" | "host"))? {
        "vm" => "VM",
        "ct" => "CT",
        _ => "Host",
    };
    Some(kind.to_string())
}

/// The start time in a UPID (`UPID:node:pid:pstart:taskid:STARTTIME:type:id:user:`, hex).
fn upid_start(upid: &str) -> Option<chrono::DateTime<chrono::FixedOffset>> {
    let fields: Vec<&str> = upid.trim().split(':').collect();
    if fields.first() != Some(&"UPID") || fields.len() < 8 {
        return None;
    }
    let secs = i64::from_str_radix(fields[5], 16).ok()?;
    Utc.timestamp_opt(secs, 0).single().map(|t| t.fixed_offset())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects() {
        let s = read_subject("Garbage Collect Datastore 'store1' successful").unwrap();
        assert_eq!((s.kind, s.quoted, s.ok), (Kind::GarbageCollection, vec!["store1"], Some(true)));
        let s = read_subject("Sync remote 'pbs2' datastore 'offsite' failed").unwrap();
        assert_eq!((s.kind, s.quoted.len(), s.ok), (Kind::Sync, 2, Some(false)));
        let s = read_subject("Tape Backup datastore 'store1' successful").unwrap();
        assert_eq!(s.kind, Kind::TapeBackup);
        let s = read_subject("Load Media 'CLN001L8' request for changer 'lto-lib'").unwrap();
        assert_eq!((s.kind, s.ok), (Kind::LoadMedia, None));
        assert!(read_subject("Verify Datastore 'x' pending").is_none());
        assert!(read_subject("Tape Backup of my house").is_none());
    }

    #[test]
    fn upids() {
        let t =
            upid_start("UPID:pbs1:0000C3A1:0123ABCD:00000042:69A6A9C0:garbage_collection:store1:root@pam:").unwrap();
        assert_eq!(t.timestamp(), 0x69A6_A9C0);
        assert!(upid_start("nonsense").is_none());
    }

    #[test]
    fn snapshot_types() {
        assert_eq!(snapshot_type("vm/100/2026-03-03T22:00:02Z").as_deref(), Some("VM"));
        assert_eq!(snapshot_type("store1:ns/prod/ct/105").as_deref(), Some("CT"));
        assert_eq!(snapshot_type("something").as_deref(), None);
    }
}
