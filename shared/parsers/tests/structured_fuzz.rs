//! Structure-aware fuzzing inside `cargo test`: every fixture mail is
//! decoded, its subject and body lines are mutated the way real mail and
//! hostile senders damage them (duplicate, delete, truncate at a character
//! and at a byte boundary, swap, splice lines from other fixtures, long,
//! Unicode and empty values, label/keyword tokens), and the result is
//! re-wrapped as text, HTML, quoted-printable, forwarded and damaged-MIME
//! mails. Every case runs `read_mail` -> `parse_report(_with)` under
//! `catch_unwind`; a panic is a finding.
//!
//! Deterministic: a fixed seed and a fixed number of cases (`FUZZ_CASES`
//! overrides it; `FUZZ_SEED` picks another seed). A finding is written to
//! `target/structured-fuzz-findings/` and the test fails listing them.

use std::fs;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use bc_parsers::{
    KeywordRule, ParseError, ParseOptions, Scope, matching_parsers, parse_report, parse_report_with, read_mail,
};

/// A small xorshift generator: deterministic and dependency-free.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 { 0 } else { (self.next() % n as u64) as usize }
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

struct Seed {
    name: String,
    subject: String,
    from: String,
    date: String,
    body_lines: Vec<String>,
    html: bool,
    raw: Vec<u8>,
}

fn fixture_paths() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut out = Vec::new();
    for dir in fs::read_dir(root).expect("fixtures folder").flatten() {
        for file in fs::read_dir(dir.path()).into_iter().flatten().flatten() {
            if file.path().extension().is_some_and(|e| e == "eml") {
                out.push(file.path());
            }
        }
    }
    out.sort();
    out
}

static SEEDS: LazyLock<Vec<Seed>> = LazyLock::new(|| {
    fixture_paths()
        .into_iter()
        .filter_map(|path| {
            let raw = fs::read(&path).ok()?;
            let mail = read_mail(&raw).ok()?;
            let (body, html) = match (&mail.text, &mail.html) {
                (_, Some(h)) => (h.clone(), true),
                (Some(t), None) => (t.clone(), false),
                (None, None) => (String::new(), false),
            };
            Some(Seed {
                name: path.display().to_string(),
                subject: mail.subject.clone(),
                from: match (&mail.from_name, &mail.from_address) {
                    (Some(n), Some(a)) => format!("\"{n}\" <{a}>"),
                    (None, Some(a)) => a.clone(),
                    _ => "someone@example.com".into(),
                },
                date: mail.date.map(|d| d.to_rfc2822()).unwrap_or_else(|| "Tue, 3 Mar 2026 22:31:52 +0100".into()),
                body_lines: body.lines().map(str::to_string).collect(),
                html,
                raw,
            })
        })
        .collect()
});

/// Every line of every fixture, to splice into others.
static ALL_LINES: LazyLock<Vec<String>> =
    LazyLock::new(|| SEEDS.iter().flat_map(|s| s.body_lines.iter().cloned()).filter(|l| !l.is_empty()).collect());

/// Every short string literal in the library's source: the labels, words
/// and separators the parsers key on, so mutations reach their slicing
/// code (a dictionary, as libFuzzer's `-dict`, built from the code).
static SOURCE_TOKENS: LazyLock<Vec<String>> = LazyLock::new(|| {
    let mut out = Vec::new();
    let mut dirs = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("src")];
    while let Some(dir) = dirs.pop() {
        for entry in fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let code = fs::read_to_string(&path).unwrap_or_default();
                for (i, piece) in code.split('"').enumerate() {
                    if i % 2 == 1
                        && !piece.is_empty()
                        && piece.len() <= 40
                        && !piece.contains('\\')
                        && !piece.contains('\n')
                    {
                        out.push(piece.to_string());
                    }
                }
            }
        }
    }
    out.sort();
    out.dedup();
    out
});

/// Tokens the parsers key on, so mutations land on their slicing code.
const TOKENS: &[&str] = &[
    " using ",
    " at ",
    " on ",
    "+",
    "-",
    "!",
    ":",
    ": ",
    "(",
    ")",
    "[",
    "]",
    "'",
    "\"",
    "<",
    ">",
    "/",
    "\\",
    "Copying ",
    "Execution completed",
    "Execution incomplete",
    "execution errors",
    "Completed:",
    "Duration:",
    "Remaining:",
    "Retry",
    "(Retry 3)",
    "Job name:",
    "Status:",
    "Start time",
    "End time",
    "(+1)",
    "of",
    " - ",
    "backup failed:",
    "vzdump backup status (",
    "Fwd: ",
    "WG: ",
    "From:",
    "Von:",
    "Subject:",
    "Betreff:",
    "-------- Forwarded Message --------",
    "---------- Forwarded message ---------",
    "Original Message",
    "UPID:",
    "Task ID:",
    "VMID",
    "Name",
    "Size",
    "TOTAL",
    "GB",
    "1,5 GB",
    "0:",
    "00:00:00",
    "12:34:56",
    "25:61:61",
    "3/3/2026",
    "31.02.2026",
    "2026-13-45",
    "10:00 PM",
    "\u{200e}",
    "\u{a0}",
    "\t",
    "é",
    "İ",
    "ß",
    "ﬀ",
    "𝔘",
    "\u{301}",
    "Σ",
    "日本",
    "\u{feff}",
    "at",
    "using",
    "on",
    "of",
    "&amp;",
    "<td>",
    "</td>",
    "<tr>",
    "<br>",
    "=",
    "=3D",
    "%",
    ",",
    ";",
    "....",
    "\r",
];

const VALUES: &[&str] = &[
    "at",
    "using",
    "on",
    "of",
    "to",
    "(",
    ":",
    "",
    " ",
    "0",
    "-1",
    "18446744073709551616",
    "NaN",
    "ÄÖÜ",
    "İİİ",
    "\u{200e}\u{200f}",
    "𝔘𝔘",
];

fn char_floor(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// One mutation of the line list. Lines are bytes so a cut may split a
/// character (the mail then carries invalid UTF-8, as damaged mail does).
fn mutate_lines(rng: &mut Rng, lines: &mut Vec<Vec<u8>>) {
    if lines.is_empty() {
        lines.push(Vec::new());
    }
    let i = rng.below(lines.len());
    match rng.below(14) {
        0 => {
            let l = lines[i].clone();
            lines.insert(i, l);
        }
        1 => {
            lines.remove(i);
        }
        2 => {
            // Truncate at a character boundary.
            let s = String::from_utf8_lossy(&lines[i]).into_owned();
            let cut = char_floor(&s, rng.below(s.len() + 1));
            lines[i] = s.as_bytes()[..cut].to_vec();
        }
        3 => {
            // Truncate at any byte.
            let cut = rng.below(lines[i].len() + 1);
            lines[i].truncate(cut);
        }
        4 => {
            let j = rng.below(lines.len());
            lines.swap(i, j);
        }
        5 => {
            let other = rng.pick(&ALL_LINES).as_bytes().to_vec();
            lines.insert(i, other);
        }
        6 => {
            // A long value after the label (or the whole line).
            let s = String::from_utf8_lossy(&lines[i]).into_owned();
            let unit = *rng.pick(&["x", "é", " ", "9", "𝔘", "ab cd ", ":", " at ", "<td>"]);
            let long = unit.repeat(1 + rng.below(4_000));
            let head = s.find(':').map_or(s.as_str(), |c| &s[..=c]);
            lines[i] = format!("{head} {long}").into_bytes();
        }
        7 => {
            // An empty or odd value after the label.
            let s = String::from_utf8_lossy(&lines[i]).into_owned();
            let head = s.find(':').map_or(s.as_str(), |c| &s[..=c]);
            lines[i] = format!("{head}{}", rng.pick(VALUES)).into_bytes();
        }
        8 | 9 => {
            // A token at any character position.
            let s = String::from_utf8_lossy(&lines[i]).into_owned();
            let at = char_floor(&s, rng.below(s.len() + 1));
            let token = if rng.chance(50) { rng.pick(&SOURCE_TOKENS).as_str() } else { rng.pick(TOKENS) };
            lines[i] = format!("{}{}{}", &s[..at], token, &s[at..]).into_bytes();
        }
        10 => {
            // Replace a word with a token or value.
            let s = String::from_utf8_lossy(&lines[i]).into_owned();
            let mut words: Vec<String> = s.split(' ').map(str::to_string).collect();
            let w = rng.below(words.len());
            words[w] = match rng.below(3) {
                0 => rng.pick(TOKENS).to_string(),
                1 => rng.pick(&SOURCE_TOKENS).clone(),
                _ => rng.pick(VALUES).to_string(),
            };
            lines[i] = words.join(" ").into_bytes();
        }
        11 => {
            // Cut the body here (a mail cut short).
            lines.truncate(i);
        }
        12 => {
            // A line of tokens only.
            let n = 1 + rng.below(6);
            let line: String = (0..n)
                .map(|_| if rng.chance(50) { rng.pick(&SOURCE_TOKENS).as_str() } else { rng.pick(TOKENS) })
                .collect();
            lines.insert(i, line.into_bytes());
        }
        _ => {
            // Delete a character run inside the line.
            let s = String::from_utf8_lossy(&lines[i]).into_owned();
            let a = char_floor(&s, rng.below(s.len() + 1));
            let b = char_floor(&s, a + rng.below(8));
            lines[i] = format!("{}{}", &s[..a], &s[b.max(a)..]).into_bytes();
        }
    }
}

fn mutate_subject(rng: &mut Rng, subject: &str) -> Vec<u8> {
    let mut lines = vec![subject.as_bytes().to_vec()];
    for _ in 0..rng.below(3) {
        mutate_lines(rng, &mut lines);
    }
    let mut s = lines.into_iter().next().unwrap_or_default();
    s.retain(|&b| b != b'\r' && b != b'\n');
    s
}

fn qp(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len() * 2);
    let mut col = 0;
    for &b in body {
        if b == b'\n' {
            out.extend_from_slice(b"\r\n");
            col = 0;
            continue;
        }
        if col > 72 {
            out.extend_from_slice(b"=\r\n");
            col = 0;
        }
        if b == b'=' || b >= 0x7f || (b < 0x20 && b != b'\t') {
            out.extend_from_slice(format!("={b:02X}").as_bytes());
            col += 3;
        } else {
            out.push(b);
            col += 1;
        }
    }
    out
}

/// Forwarding clients' markers and quoted-block field names (from, date,
/// subject): Gmail, German and Dutch Outlook, French Thunderbird, Apple Mail
/// in three languages, Outlook 365's underscores, and Outlook without any
/// marker.
const FORWARD_STYLES: [(&str, [&str; 3]); 10] = [
    ("---------- Forwarded message ---------", ["From:", "Date:", "Subject:"]),
    ("-----Ursprüngliche Nachricht-----", ["Von:", "Gesendet:", "Betreff:"]),
    ("-----Oorspronkelijk bericht-----", ["Van:", "Verzonden:", "Onderwerp:"]),
    ("-------- Message transféré --------", ["De :", "Date :", "Objet :"]),
    ("Begin forwarded message:", ["From:", "Date:", "Subject:"]),
    ("Anfang der weitergeleiteten Nachricht:", ["Von:", "Datum:", "Betreff:"]),
    ("Début du message réexpédié :", ["De :", "Date :", "Objet :"]),
    ("________________________________", ["From:", "Sent:", "Subject:"]),
    ("", ["From:", "Sent:", "Subject:"]),
    ("", ["Van:", "Verzonden:", "Onderwerp:"]),
];

/// Wraps a mutated body in one of several mail shapes.
fn wrap(rng: &mut Rng, seed: &Seed, subject: &[u8], body: &[u8]) -> Vec<u8> {
    let ctype = if seed.html { "text/html" } else { "text/plain" };
    let mut m = Vec::new();
    let forwarded = rng.chance(15);
    m.extend_from_slice(
        format!("From: {}\r\n", if forwarded { "Customer <it@customer.example>" } else { seed.from.as_str() })
            .as_bytes(),
    );
    m.extend_from_slice(b"To: reports@example.com\r\nSubject: ");
    if forwarded {
        m.extend_from_slice(b"Fwd: ");
    }
    m.extend_from_slice(subject);
    m.extend_from_slice(format!("\r\nDate: {}\r\nMIME-Version: 1.0\r\n", seed.date).as_bytes());
    let mut body = body.to_vec();
    if forwarded {
        // The quoted block as the forwarding client writes it: marker (or
        // none) and field names in its language, in its order.
        let (marker, [from, date, subj]) = *rng.pick(&FORWARD_STYLES);
        let subject = String::from_utf8_lossy(subject);
        let mut lines = vec![(from, seed.from.as_str()), (date, seed.date.as_str()), (subj, subject.as_ref())];
        let thunderbird = marker.contains("transféré") && rng.chance(50);
        if thunderbird {
            // Thunderbird: the subject first, a tab after the colon.
            lines.rotate_right(1);
        }
        let mut f = String::new();
        if !marker.is_empty() {
            f.push_str(marker);
            f.push('\n');
        }
        for (name, value) in lines {
            f.push_str(&format!("{name}{}{value}\n", if thunderbird { "\t" } else { " " }));
        }
        f.push('\n');
        let mut f = f.into_bytes();
        if seed.html {
            f = f.iter().flat_map(|&b| if b == b'\n' { b"<br>\n".to_vec() } else { vec![b] }).collect();
        }
        f.extend_from_slice(&body);
        body = f;
    }
    match rng.below(6) {
        0 | 1 => {
            m.extend_from_slice(format!("Content-Type: {ctype}; charset=utf-8\r\n\r\n").as_bytes());
            m.extend_from_slice(&body);
        }
        2 => {
            m.extend_from_slice(
                format!("Content-Type: {ctype}; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n")
                    .as_bytes(),
            );
            m.extend_from_slice(&qp(&body));
        }
        3 => {
            // Multipart with the closing boundary missing, or wrong.
            m.extend_from_slice(b"Content-Type: multipart/alternative; boundary=\"zz\"\r\n\r\n--zz\r\n");
            m.extend_from_slice(format!("Content-Type: {ctype}; charset=utf-8\r\n\r\n").as_bytes());
            m.extend_from_slice(&body);
            if rng.chance(50) {
                m.extend_from_slice(b"\r\n--zy--\r\n");
            }
        }
        4 => {
            // A charset that lies, or a transfer encoding that does.
            let cs = *rng.pick(&["windows-1252", "utf-16", "x-unknown", "iso-2022-jp", "utf-8"]);
            let te = *rng.pick(&["base64", "7bit", "x-uuencode", "quoted-printable"]);
            m.extend_from_slice(
                format!("Content-Type: {ctype}; charset={cs}\r\nContent-Transfer-Encoding: {te}\r\n\r\n").as_bytes(),
            );
            m.extend_from_slice(&body);
        }
        _ => {
            // Text and HTML, either one mutated.
            m.extend_from_slice(b"Content-Type: multipart/alternative; boundary=\"zz\"\r\n\r\n--zz\r\n");
            m.extend_from_slice(b"Content-Type: text/plain; charset=utf-8\r\n\r\n");
            m.extend_from_slice(&body);
            m.extend_from_slice(b"\r\n--zz\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<pre>");
            m.extend_from_slice(&body);
            m.extend_from_slice(b"</pre>\r\n--zz--\r\n");
        }
    }
    if rng.chance(20) {
        // Bare LF line ends.
        m.retain(|&b| b != b'\r');
    }
    m
}

/// Raw-byte mutations of the fixture as it is (headers and MIME included).
fn mutate_raw(rng: &mut Rng, seed: &Seed) -> Vec<u8> {
    let mut lines: Vec<Vec<u8>> = seed.raw.split(|&b| b == b'\n').map(<[u8]>::to_vec).collect();
    for _ in 0..1 + rng.below(4) {
        mutate_lines(rng, &mut lines);
    }
    lines.join(&b'\n')
}

static RULES: LazyLock<ParseOptions> = LazyLock::new(|| ParseOptions {
    keyword_rules: ["@example.com", "@example.net", "@customer.example"]
        .iter()
        .map(|s| KeywordRule {
            sender: (*s).to_string(),
            failure: vec!["Failed".into(), "ERROR".into()],
            warning: vec!["Warning".into()],
            success: vec!["Success".into(), "OK".into()],
            scope: Scope::Both,
            job_name: None,
        })
        .collect(),
});

fn check(raw: &[u8]) {
    if let Ok(mail) = read_mail(raw) {
        assert!(mail.subject.chars().count() <= bc_parsers::MAX_SUBJECT_CHARS + 1);
        let _ = matching_parsers(&mail);
        for result in [parse_report(&mail), parse_report_with(&mail, &RULES)] {
            match result {
                Ok(report) => {
                    assert!(report.objects.len() <= bc_parsers::MAX_OBJECTS);
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

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

#[test]
fn mutated_fixtures_never_panic() {
    let cases = env_u64("FUZZ_CASES", 1_500);
    let mut rng = Rng(env_u64("FUZZ_SEED", 0x5eed_bc01_2026).max(1));
    let seeds = &*SEEDS;
    assert!(seeds.len() >= 90, "every fixture seeds the fuzzer");
    let out_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/structured-fuzz-findings");
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let mut findings = Vec::new();
    let started = std::time::Instant::now();
    for case in 0..cases {
        let seed = &seeds[(case as usize) % seeds.len()];
        let raw = if rng.chance(20) {
            mutate_raw(&mut rng, seed)
        } else {
            let mut lines: Vec<Vec<u8>> = seed.body_lines.iter().map(|l| l.as_bytes().to_vec()).collect();
            for _ in 0..1 + rng.below(5) {
                mutate_lines(&mut rng, &mut lines);
            }
            let subject = if rng.chance(30) {
                mutate_subject(&mut rng, &seed.subject)
            } else {
                seed.subject.clone().into_bytes()
            };
            let body = lines.join(&b'\n');
            wrap(&mut rng, seed, &subject, &body)
        };
        if let Err(panic) = catch_unwind(AssertUnwindSafe(|| check(&raw))) {
            let what = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_string()))
                .unwrap_or_default();
            let _ = fs::create_dir_all(&out_dir);
            let file = out_dir.join(format!("case-{case}.eml"));
            let _ = fs::write(&file, &raw);
            findings.push(format!("case {case} (from {}): {what} -> {}", seed.name, file.display()));
        }
    }
    std::panic::set_hook(previous);
    eprintln!("{cases} structured cases in {:?}", started.elapsed());
    assert!(findings.is_empty(), "{} findings:\n{}", findings.len(), findings.join("\n"));
}
