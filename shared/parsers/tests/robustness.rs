//! Property tests: no input makes `read_mail` + `parse_report` (or the
//! helpers under them) panic: arbitrary bytes, mail-shaped noise built
//! from report fragments, randomly damaged fixtures, and report-like mails
//! generated per parser from each fixture's decoded body with damaged,
//! duplicated, reordered and rewritten lines (so the damage reaches the
//! parsers instead of stopping at a broken base64 or QP encoding).

use std::fs;
use std::path::Path;
use std::sync::LazyLock;

use bc_parsers::util::{datetime, duration, html, size};
use bc_parsers::{
    KeywordRule, ParseError, ParseOptions, Scope, matching_parsers, parse_report, parse_report_with, read_mail,
};
use proptest::prelude::*;

/// A keyword rule for every sender the fragments and fixtures use.
static RULES: LazyLock<ParseOptions> = LazyLock::new(|| ParseOptions {
    keyword_rules: ["@example.com", "@example.net", "@example.org", "a@example.com"]
        .iter()
        .map(|s| KeywordRule {
            sender: (*s).to_string(),
            failure: vec!["Failed".into(), "ERROR".into(), String::new()],
            warning: vec!["Warning".into()],
            success: vec!["Success".into(), "OK".into()],
            scope: Scope::Both,
            job_name: None,
        })
        .collect(),
});

fn run(raw: &[u8]) {
    if let Ok(mail) = read_mail(raw) {
        let _ = matching_parsers(&mail);
        for result in [parse_report(&mail), parse_report_with(&mail, &RULES)] {
            match result {
                Ok(report) => {
                    assert!(report.objects.len() <= bc_parsers::MAX_OBJECTS);
                    assert!(report.messages.len() <= bc_parsers::MAX_MESSAGES + 1);
                    assert!(!report.job_name.trim().is_empty());
                    assert!(report.job_name.len() <= bc_parsers::MAX_NAME_LEN + 3);
                    assert!(report.messages.iter().all(|m| m.len() <= bc_parsers::MAX_MESSAGE_LEN + 3));
                }
                Err(ParseError::Failed { reason, .. }) => assert!(!reason.is_empty()),
                Err(ParseError::NoParser) => {}
            }
        }
    }
}

static FIXTURES: LazyLock<Vec<Vec<u8>>> = LazyLock::new(|| {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut out = Vec::new();
    for dir in fs::read_dir(root).expect("fixtures folder").flatten() {
        for file in fs::read_dir(dir.path()).into_iter().flatten().flatten() {
            if file.path().extension().is_some_and(|e| e == "eml") {
                out.push(fs::read(file.path()).expect("readable fixture"));
            }
        }
    }
    out.sort();
    out
});

/// Pieces of real reports and MIME, to build inputs that reach deep into
/// the parsers rather than failing at the first header.
const FRAGMENTS: &[&str] = &[
    "From: a@example.com\r\n",
    "Subject: [Success] Job (3 objects)\r\n",
    "Subject: vzdump backup status (pve.example.com): backup failed: x\r\n",
    "Subject: [NAS] Backup task T partially completed\r\n",
    "Date: Tue, 03 Mar 2026 22:31:52 +0100\r\n",
    "Content-Type: text/html; charset=utf-8\r\n",
    "Content-Type: multipart/alternative; boundary=\"b\"\r\n",
    "Content-Transfer-Encoding: quoted-printable\r\n",
    "Content-Transfer-Encoding: base64\r\n",
    "\r\n",
    "--b\r\n",
    "--b--\r\n",
    "=?utf-8?q?=C3=A4?=",
    "=3D",
    "<table>",
    "</table>",
    "<tr>",
    "</tr>",
    "<td>",
    "</td>",
    "<br>",
    "<div>",
    "<!--",
    "-->",
    "<script>",
    "&amp;",
    "&#x110000;",
    "Backup job: Daily",
    "Agent Backup job: Backup Job PC",
    "Success",
    "Warning",
    "Failed",
    "Start time",
    "End time",
    "Duration",
    "22:00:14",
    "03:15:10 (+1)",
    "10:00:14 PM",
    "0:31:26",
    "1.02:03:04",
    "29,8 GB",
    "9.313 GiB",
    "Name",
    "Status",
    "Details",
    "VMID    Name    Status    Time    Size    Filename\n",
    "100     vm      ok        1m 2s   1 GiB   vm/100/x\n",
    "100: 2026-03-03 22:00:02 ERROR: Backup of VM 100 failed - x\n",
    "Total running time: 5m\n",
    "Task: T\n",
    "Startzeit: 03.03.2026 01:00\n",
    "Dauer: 1 Stunde(n) 2 Minute(n)\n",
    "Erhöhte Zielgröße: 1,2 GB\n",
    "Synology",
    "Hyper Backup",
    "Active Backup for Business - Backup task T on NAS completed\n",
    "A new system event occurred on your nas on 03-03-2026 at 02:14.\n",
    "Data backup task [x] on nas partially completed.\n",
    "Subject: Garbage Collect Datastore 'store1' failed\r\n",
    "Subject: Tape Backup 'w' datastore 's' successful\r\n",
    "Verification failed on these snapshots/groups:\n\n    vm/100/2026-03-03T22:00:02Z\n",
    "Task ID: UPID:pbs:0:0:0:69A6A9C0:gc:s:root@pam:\n",
    "Subject: Backup Report CSV\r\n",
    "Content-Type: text/csv; name=\"r.csv\"\r\nContent-Disposition: attachment; filename=\"r.csv\"\r\n",
    "Device,Status,Backup Date,Job,Client,Data Size\n",
    "PC1,Failed,2026-03-03 22:00,J,C,1.5 GB\n",
    "\"a,\"\"b\",",
    "Veeam Backup for Microsoft 365",
    "Veeam Backup for AWS",
    "Backup policy: EC2",
    "(3 instances)",
    "(Retry 2)",
    "3 of 4 VMs processed",
    "Plan name: P\nWorkload: W\n",
    "Subject: Backup failed: W - P\r\n",
    "Microsoft-Windows-Backup",
    "The backup operation that started at '\u{200e}2026\u{200e}-\u{200e}03\u{200e}-\u{200e}04T21:00:14.5Z' has failed with following error code '0x8078015B'.\n",
    "has encountered errors for the volume(s) 'E:'. Detailed error: x\n",
    "Subject: SQL Server Job System: 'j' completed on \\\\S\r\n",
    "JOB RUN:\t'j' was run on 3/3/2026 at 10:00:00 PM\nDURATION:\t0 hours, 1 minutes, 2 seconds\nSTATUS: \tFailed\n",
    "ParsedResult: Warning\nMainOperation: Backup\nLimitedWarnings: [\n  x - [W-y]: z\n",
    "EndTime: 3/3/2026 2:05:06 AM (1772503506)\n",
    "Subject: Backup Exec Alert: Job Failed (Server: \"B\") (Job: \"J\")\r\n",
    "+ Normal backup using S at 3/3/2026 10:00 PM\n    - 3/3/2026 10:00:05 PM: Copying V on C\n    !err\n",
    "Execution incomplete\n",
    "NAKIVO",
    "Job name: J\nStatus: Failed\n",
    "Altaro VM Backup: Backup Failed - VM (H)",
    "[Datto] Backup Failed: A on D",
    "[MSP360] Backup Plan \"P\" on C: Failed",
    "Macrium Reflect - Backup Failed - D (C)",
    "Arcserve UDP Alert: Backup Job Failed on N",
    "Iperius Backup",
    "Backup abgeschlossen: 03.03.2026 22:31:12 (0 Stunden, 31 Minuten, 11 Sekunden)\n",
    "ShadowProtect: J on C - Failure",
    "Message: [Hybrid Backup Sync] Failed to complete backup job: \"J\".\n",
    "Syncovery: Profile \"P\" completed with errors",
    "<tr><th>TimeCreated</th><th>Id</th><th>Message</th></tr>",
    "\u{a0}",
    "ä",
    "\n",
    " ",
];

fn fragments() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(0..FRAGMENTS.len(), 0..200)
        .prop_map(|ids| ids.into_iter().flat_map(|i| FRAGMENTS[i].bytes()).collect())
}

#[derive(Debug, Clone)]
enum Mutation {
    Flip(usize, u8),
    Insert(usize, Vec<u8>),
    Delete(usize, usize),
    Truncate(usize),
    Duplicate(usize, usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(p, b)| Mutation::Flip(p, b)),
        (any::<usize>(), prop::collection::vec(any::<u8>(), 1..16)).prop_map(|(p, b)| Mutation::Insert(p, b)),
        (any::<usize>(), 1usize..512).prop_map(|(p, n)| Mutation::Delete(p, n)),
        any::<usize>().prop_map(Mutation::Truncate),
        (any::<usize>(), 1usize..2048).prop_map(|(p, n)| Mutation::Duplicate(p, n)),
        (any::<usize>(), 0..FRAGMENTS.len()).prop_map(|(p, i)| Mutation::Insert(p, FRAGMENTS[i].as_bytes().to_vec())),
    ]
}

fn apply(mut raw: Vec<u8>, mutations: &[Mutation]) -> Vec<u8> {
    for m in mutations {
        let len = raw.len().max(1);
        match m {
            Mutation::Flip(p, b) => {
                if let Some(x) = raw.get_mut(p % len) {
                    *x ^= b | 1;
                }
            }
            Mutation::Insert(p, bytes) => {
                let at = (p % len).min(raw.len());
                raw.splice(at..at, bytes.iter().copied());
            }
            Mutation::Delete(p, n) => {
                let at = (p % len).min(raw.len());
                let end = (at + n).min(raw.len());
                raw.drain(at..end);
            }
            Mutation::Truncate(p) => raw.truncate(p % len),
            Mutation::Duplicate(p, n) => {
                let at = (p % len).min(raw.len());
                let end = (at + n).min(raw.len());
                let copy = raw[at..end].to_vec();
                raw.splice(at..at, copy);
            }
        }
    }
    raw
}

/// One fixture, decoded: what a generated mail keeps of it.
struct Decoded {
    from: String,
    subject: String,
    date: String,
    text: Option<String>,
    html: Option<String>,
    csv: Option<String>,
}

static DECODED: LazyLock<Vec<Decoded>> = LazyLock::new(|| {
    FIXTURES
        .iter()
        .filter_map(|raw| read_mail(raw).ok())
        .map(|m| Decoded {
            from: m.from_address.clone().unwrap_or_else(|| "a@example.com".into()),
            subject: m.subject.clone(),
            date: m.date.map(|d| d.to_rfc2822()).unwrap_or_else(|| "Tue, 03 Mar 2026 22:31:52 +0100".into()),
            text: m.text.clone(),
            html: m.html.clone(),
            csv: m
                .attachments
                .iter()
                .find(|a| a.filename.ends_with(".csv"))
                .map(|a| String::from_utf8_lossy(&a.data).into_owned()),
        })
        .collect()
});

/// What happens to the lines of a decoded body.
#[derive(Debug, Clone)]
enum LineEdit {
    Delete(usize),
    Duplicate(usize, usize),
    Swap(usize, usize),
    Truncate(usize, usize),
    /// Every digit of the line becomes this digit (dates, sizes, counts).
    Digits(usize, u8),
    Insert(usize, usize),
    Repeat(usize, u16),
}

fn line_edit() -> impl Strategy<Value = LineEdit> {
    prop_oneof![
        any::<usize>().prop_map(LineEdit::Delete),
        (any::<usize>(), 1usize..64).prop_map(|(a, n)| LineEdit::Duplicate(a, n)),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| LineEdit::Swap(a, b)),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| LineEdit::Truncate(a, b)),
        (any::<usize>(), 0u8..10).prop_map(|(a, d)| LineEdit::Digits(a, d)),
        (any::<usize>(), 0..FRAGMENTS.len()).prop_map(|(a, f)| LineEdit::Insert(a, f)),
        (any::<usize>(), 1u16..2000).prop_map(|(a, n)| LineEdit::Repeat(a, n)),
    ]
}

fn edit_lines(body: &str, edits: &[LineEdit]) -> String {
    let mut lines: Vec<String> = body.lines().map(str::to_string).collect();
    for e in edits {
        if lines.is_empty() {
            lines.push(String::new());
        }
        let n = lines.len();
        match e {
            LineEdit::Delete(a) => {
                lines.remove(a % n);
            }
            LineEdit::Duplicate(a, k) => {
                let copy: Vec<String> = lines[a % n..(a % n + k).min(n)].to_vec();
                let at = (a % n + k).min(n);
                lines.splice(at..at, copy);
            }
            LineEdit::Swap(a, b) => lines.swap(a % n, b % n),
            LineEdit::Truncate(a, b) => {
                let l = &mut lines[a % n];
                let mut cut = b % (l.len() + 1);
                while !l.is_char_boundary(cut) {
                    cut -= 1;
                }
                l.truncate(cut);
            }
            LineEdit::Digits(a, d) => {
                let l = &mut lines[a % n];
                *l = l.chars().map(|c| if c.is_ascii_digit() { char::from(b'0' + d) } else { c }).collect();
            }
            LineEdit::Insert(a, f) => lines.insert(a % n, FRAGMENTS[*f].to_string()),
            LineEdit::Repeat(a, k) => {
                let l = lines[a % n].clone();
                lines.insert(a % n, l.repeat(usize::from(*k).min(4000 / (l.len() + 1) + 1)));
            }
        }
    }
    lines.join("\n")
}

/// A mail with the fixture's headers and the edited bodies: text and HTML
/// as 8bit UTF-8, a CSV attachment as a plain part.
fn rebuild(d: &Decoded, edits: &[LineEdit], which: u8) -> Vec<u8> {
    let mut out = format!(
        "From: {}\r\nSubject: {}\r\nDate: {}\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"gen\"\r\n\r\n",
        d.from,
        d.subject.replace(['\r', '\n'], " "),
        d.date
    );
    let mut part = |ctype: &str, body: &str| {
        out.push_str(&format!(
            "--gen\r\nContent-Type: {ctype}\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{}\r\n",
            body.replace("--gen", "--g-n")
        ));
    };
    if let Some(t) = &d.text {
        part("text/plain; charset=utf-8", &if which & 1 == 0 { edit_lines(t, edits) } else { t.clone() });
    }
    if let Some(h) = &d.html {
        part("text/html; charset=utf-8", &if which & 2 == 0 { edit_lines(h, edits) } else { h.clone() });
    }
    if let Some(c) = &d.csv {
        part("text/csv; name=\"r.csv\"\r\nContent-Disposition: attachment; filename=\"r.csv\"", &edit_lines(c, edits));
    }
    out.push_str("--gen--\r\n");
    out.into_bytes()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn report_like_mails_per_parser_never_panic(
        index in any::<prop::sample::Index>(),
        edits in prop::collection::vec(line_edit(), 1..12),
        which in 0u8..4,
    ) {
        let d = &DECODED[index.index(DECODED.len())];
        run(&rebuild(d, &edits, which));
    }

    #[test]
    fn arbitrary_bytes_never_panic(raw in prop::collection::vec(any::<u8>(), 0..4096)) {
        run(&raw);
    }

    #[test]
    fn mail_shaped_noise_never_panics(raw in fragments()) {
        run(&raw);
        let text = String::from_utf8_lossy(&raw);
        let _ = html::html_to_text(&text);
        let _ = html::rows(&text, 1000);
    }

    #[test]
    fn damaged_fixtures_never_panic(
        index in any::<prop::sample::Index>(),
        mutations in prop::collection::vec(mutation(), 1..8),
    ) {
        let raw = FIXTURES[index.index(FIXTURES.len())].clone();
        run(&apply(raw, &mutations));
    }

    #[test]
    fn helpers_never_panic(s in "\\PC{0,64}") {
        let _ = size::parse_size(&s);
        let _ = duration::parse_duration(&s);
        let _ = datetime::parse_clock_time(&s);
        let _ = datetime::find_date(&s, None);
        let _ = datetime::find_datetime(&s, None);
        let _ = html::html_to_text(&s);
    }
}

#[test]
fn fixtures_cut_at_every_line_never_panic() {
    for raw in FIXTURES.iter() {
        for (i, _) in raw.iter().enumerate().filter(|(_, b)| **b == b'\n').step_by(3) {
            run(&raw[..i]);
        }
    }
}

/// The generator keeps what the parsers key on: rebuilt without edits,
/// nearly every fixture is still claimed (the rest are the no-parser mails
/// and the keyword-rule fixtures, which need their rules).
#[test]
fn generated_mails_reach_the_parsers() {
    let claimed = DECODED
        .iter()
        .filter(|d| {
            let raw = rebuild(d, &[], 3);
            read_mail(&raw).is_ok_and(|m| !matching_parsers(&m).is_empty())
        })
        .count();
    assert!(claimed * 10 >= DECODED.len() * 8, "{claimed} of {} rebuilt fixtures are claimed", DECODED.len());
}
