//! Property tests: no input makes `read_mail` + `parse_report` (or the
//! helpers under them) panic: arbitrary bytes, mail-shaped noise built
//! from report fragments, and randomly damaged fixtures.

use std::fs;
use std::path::Path;
use std::sync::LazyLock;

use bc_parsers::util::{datetime, duration, html, size};
use bc_parsers::{matching_parsers, parse_report, read_mail};
use proptest::prelude::*;

fn run(raw: &[u8]) {
    if let Ok(mail) = read_mail(raw) {
        let _ = matching_parsers(&mail);
        if let Ok(report) = parse_report(&mail) {
            assert!(report.objects.len() <= bc_parsers::MAX_OBJECTS);
            assert!(!report.job_name.is_empty());
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
        (any::<usize>(), prop::collection::vec(any::<u8>(), 1..16))
            .prop_map(|(p, b)| Mutation::Insert(p, b)),
        (any::<usize>(), 1usize..512).prop_map(|(p, n)| Mutation::Delete(p, n)),
        any::<usize>().prop_map(Mutation::Truncate),
        (any::<usize>(), 1usize..2048).prop_map(|(p, n)| Mutation::Duplicate(p, n)),
        (any::<usize>(), 0..FRAGMENTS.len())
            .prop_map(|(p, i)| Mutation::Insert(p, FRAGMENTS[i].as_bytes().to_vec())),
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

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

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
        for (i, _) in raw
            .iter()
            .enumerate()
            .filter(|(_, b)| **b == b'\n')
            .step_by(3)
        {
            run(&raw[..i]);
        }
    }
}
