//! Large and hostile inputs stay in bounded memory and time: 100,000-row
//! tables in every shape a parser reads (Veeam HTML, a CSV attachment, a
//! generic HTML object table, PBS and Retrospect lists, Duplicati warning
//! lists, a Windows event dump), an HTML bomb, a 30 MB mail, deep MIME
//! nesting and keyword rules over a large body.
//!
//! A counting allocator measures the peak heap while each case runs
//! (cases run one at a time). Time is asserted only against a generous
//! bound that catches quadratic work (a debug build on a busy machine).

use std::fmt::Write as _;
use std::sync::atomic::Ordering;

use std::time::{Duration, Instant};

use bc_parsers::{
    KeywordRule, MAX_OBJECTS, ParseError, ParseOptions, Status, parse_report, parse_report_with, read_mail,
};

#[path = "common/counting_alloc.rs"]
mod counting_alloc;
use counting_alloc::{CURRENT, ONE_AT_A_TIME, PEAK};

/// Runs `f` and returns its result with the peak heap it added.
fn peak_of<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let base = CURRENT.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    let out = f();
    (out, PEAK.load(Ordering::Relaxed).saturating_sub(base))
}

const MIB: usize = 1024 * 1024;

fn html_mail(subject: &str, html: &str) -> Vec<u8> {
    format!(
        "From: veeam@backup.example.com\r\nTo: backups@msp.example.net\r\nSubject: {subject}\r\n\
         Date: Tue, 03 Mar 2026 23:59:00 +0100\r\nMIME-Version: 1.0\r\n\
         Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{html}"
    )
    .into_bytes()
}

fn veeam_html(rows: usize) -> String {
    let mut html = String::with_capacity(rows * 160 + 4096);
    html.push_str(
        "<html><body><table><tr><td><table>\
         <tr><td>Backup job: Huge<div>many objects</div></td><td>Warning<div>1 of 1 VMs processed</div></td></tr>\
         <tr><td colspan=2><table>\
         <tr><td colspan=9>Tuesday, March 3, 2026 22:00:00</td></tr>\
         <tr><td><b>Success</b></td><td>1</td><td><b>Start time</b></td><td>22:00:00</td>\
         <td><b>Total size</b></td><td>1.0 TB</td><td><b>Backup size</b></td><td>100 GB</td><td rowspan=3></td></tr>\
         <tr><td><b>Warning</b></td><td>1</td><td><b>End time</b></td><td>23:50:00</td>\
         <td><b>Data read</b></td><td>200 GB</td><td><b>Dedupe</b></td><td>1.0x</td></tr>\
         <tr><td><b>Error</b></td><td>0</td><td><b>Duration</b></td><td>1:50:00</td>\
         <td><b>Transferred</b></td><td>90 GB</td><td><b>Compression</b></td><td>1.0x</td></tr>\
         <tr><td colspan=9>Details</td></tr>\
         <tr><td>Name</td><td>Status</td><td>Start time</td><td>End time</td><td>Size</td><td>Read</td>\
         <td>Transferred</td><td>Duration</td><td>Details</td></tr>\n",
    );
    for i in 0..rows {
        let status = if i == rows - 1 { "Warning" } else { "Success" };
        let _ = writeln!(
            html,
            "<tr><td>VM{i:06}</td><td><span>{status}</span></td><td>22:{:02}:00</td><td>23:{:02}:00</td>\
             <td>10.0 GB</td><td>1.0 GB</td><td>0.5 GB</td><td>1:00:00</td><td></td></tr>",
            i % 60,
            i % 60
        );
    }
    html.push_str("</table></td></tr></table></td></tr></table></body></html>\n");
    html
}

#[test]
fn a_report_with_100_000_objects_is_capped() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let raw = html_mail("[Warning] Huge (100000 objects)", &veeam_html(100_000));
    let (report, peak) = peak_of(|| {
        let mail = read_mail(&raw).expect("a valid mail");
        parse_report(&mail).expect("a readable report")
    });
    assert_eq!(report.objects.len(), MAX_OBJECTS);
    assert_eq!(report.status, Status::Warning);
    assert_eq!(report.objects[0].name, "VM000000");
    let note = report.messages.last().expect("a note on the objects left out");
    assert!(note.starts_with("90000 more objects were left out"), "{note}");
    eprintln!("peak heap {peak} for a {} byte mail", raw.len());
    assert!(peak < 3 * raw.len() + 16 * MIB, "peak heap {peak} for a {} byte mail", raw.len());
}

#[test]
fn an_html_bomb_is_handled_in_bounded_memory() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let mut html = String::new();
    html.push_str(&"<div><span><b>".repeat(200_000));
    html.push_str(&"<table><tr><td>".repeat(100_000));
    html.push_str("Backup job: Bomb");
    html.push_str("<td a=1 b='x' c=\"y\"");
    html.push_str(&" data-x=\"1\"".repeat(500_000));
    html.push('>');
    html.push_str(&"&amp;&#x41;&bogus".repeat(100_000));
    html.push_str(&"</td></tr></table>".repeat(50_000));
    html.push_str(&"<br>".repeat(200_000));
    html.push_str("<!-- never closed <table><tr><td>");
    let raw = html_mail("[Failed] Bomb (1 objects)", &html);
    let (result, peak) = peak_of(|| {
        let mail = read_mail(&raw).expect("a valid mail");
        parse_report(&mail)
    });
    // Claimed by its subject; whatever the verdict, it is a clean one.
    eprintln!("HTML bomb: {result:?}");
    match result {
        Ok(report) => assert!(report.objects.len() <= MAX_OBJECTS),
        Err(ParseError::Failed { parser, .. }) => assert_eq!(parser, "veeam-vbr"),
        Err(ParseError::NoParser) => panic!("the subject claims the mail"),
    }
    eprintln!("peak heap {peak} for a {} byte mail", raw.len());
    assert!(peak < 3 * raw.len() + 16 * MIB, "peak heap {peak} for a {} byte mail", raw.len());
}

#[test]
fn a_30_mb_mail_gives_a_report_or_a_clean_error() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let mut raw = Vec::with_capacity(31 * MIB);
    raw.extend_from_slice(
        b"From: veeam@backup.example.com\r\nSubject: [Success] Big (1 objects)\r\n\
          Date: Tue, 03 Mar 2026 23:59:00 +0100\r\nMIME-Version: 1.0\r\n\
          Content-Type: multipart/mixed; boundary=\"big\"\r\n\r\n--big\r\n\
          Content-Type: text/html; charset=utf-8\r\n\r\n",
    );
    raw.extend_from_slice(veeam_html(1).as_bytes());
    raw.extend_from_slice(
        b"\r\n--big\r\nContent-Type: application/zip; name=\"logs.zip\"\r\n\
          Content-Disposition: attachment; filename=\"logs.zip\"\r\nContent-Transfer-Encoding: base64\r\n\r\n",
    );
    let line = b"QmFja3VwY2hlY2tzIGxvYWQgdGVzdCBkYXRhIGZvciBhIGxhcmdlIGF0dGFjaG1lbnQuIEJh\r\n";
    while raw.len() < 30 * MIB {
        raw.extend_from_slice(line);
    }
    raw.extend_from_slice(b"--big--\r\n");
    let (result, peak) = peak_of(|| read_mail(&raw).map(|mail| (parse_report(&mail), mail.attachments.len())));
    let (report, attachments) = result.expect("a valid mail");
    assert_eq!(attachments, 1);
    let report = report.expect("the report part is readable");
    assert_eq!(report.job_name, "Huge", "the body wins over the subject");
    assert_eq!(report.objects.len(), 1);
    eprintln!("peak heap {peak} for a {} byte mail", raw.len());
    assert!(peak < 3 * raw.len() + 16 * MIB, "peak heap {peak} for a {} byte mail", raw.len());
}

#[test]
fn deep_mime_nesting_is_handled() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let depth = 5_000;
    let mut raw = String::from("From: a@example.com\r\nSubject: nested\r\n");
    for i in 0..depth {
        let _ = write!(raw, "Content-Type: multipart/mixed; boundary=\"b{i}\"\r\n\r\n--b{i}\r\n");
    }
    raw.push_str("Content-Type: text/plain\r\n\r\nhello\r\n");
    for i in (0..depth).rev() {
        let _ = write!(raw, "--b{i}--\r\n");
    }
    let (result, peak) = peak_of(|| read_mail(raw.as_bytes()).map(|m| parse_report(&m)));
    if let Ok(parsed) = result {
        assert_eq!(parsed, Err(ParseError::NoParser));
    }
    assert!(peak < 64 * raw.len() + 32 * MIB, "peak heap {peak} for a {} byte mail", raw.len());
}

/// MIME amplification: structures that cost a parser far more memory than
/// their bytes (200,000 empty parts, a `To:` of 200,000 addresses, 50,000
/// one-line header fields, 100,000 encoded words). Each stays under 4x the
/// mail's size.
#[test]
fn mime_amplification_stays_under_four_times_the_mail() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let mut cases: Vec<(&str, Vec<u8>)> = Vec::new();
    let mut parts =
        String::from("From: a@example.com\r\nSubject: parts\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n");
    for _ in 0..200_000 {
        parts.push_str("--b\r\n\r\n\r\n");
    }
    parts.push_str("--b--\r\n");
    cases.push(("empty parts", parts.into_bytes()));
    let mut to = String::from("From: a@example.com\r\nSubject: to\r\nTo: ");
    for i in 0..200_000 {
        let _ = write!(to, "u{i}@x.example,");
    }
    to.push_str("\r\n\r\nbody\r\n");
    cases.push(("a huge To:", to.into_bytes()));
    let mut fields = String::from("From: a@example.com\r\n");
    for i in 0..50_000 {
        let _ = write!(fields, "X-F{i}: v\r\n");
    }
    fields.push_str("Subject: fields\r\n\r\nbody\r\n");
    cases.push(("many header fields", fields.into_bytes()));
    let mut words = String::from("From: a@example.com\r\nSubject: ");
    for _ in 0..100_000 {
        words.push_str("=?utf-8?q?a?= ");
    }
    words.push_str("\r\n\r\nbody\r\n");
    cases.push(("encoded words", words.into_bytes()));
    for (name, raw) in cases {
        // Read (and found to be no report) or refused: either way no panic, and bounded.
        let (result, peak) = peak_of(|| read_mail(&raw).map(|m| parse_report(&m).is_ok()));
        assert_ne!(result, Ok(true), "{name} is no report");
        eprintln!("{name}: peak heap {peak} for a {} byte mail ({:.2}x)", raw.len(), peak as f64 / raw.len() as f64);
        assert!(peak < 4 * raw.len(), "{name}: peak heap {peak} for a {} byte mail", raw.len());
    }
}

/// 100,000 rows in linear time: far below this even in a debug build on a
/// loaded machine; quadratic work would take hours.
const LINEAR_BUDGET: Duration = Duration::from_secs(120);

fn timed<T>(f: impl FnOnce() -> T) -> (T, usize, Duration) {
    let started = Instant::now();
    let (out, peak) = peak_of(f);
    (out, peak, started.elapsed())
}

fn text_mail(subject: &str, from: &str, body: &str) -> Vec<u8> {
    format!(
        "From: {from}\r\nTo: backups@msp.example.net\r\nSubject: {subject}\r\n\
         Date: Tue, 03 Mar 2026 23:59:00 +0100\r\nMIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\n{body}"
    )
    .into_bytes()
}

fn check_large(name: &str, raw: &[u8], parser: &str, objects: Option<usize>) {
    let (report, peak, took) = timed(|| {
        let mail = read_mail(raw).expect("a valid mail");
        parse_report(&mail)
    });
    eprintln!("{name}: {} bytes, peak heap {peak}, {took:?}", raw.len());
    let report = report.unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(report.parser, parser, "{name}");
    if let Some(n) = objects {
        assert_eq!(report.objects.len(), n, "{name}");
    }
    assert!(report.messages.len() <= bc_parsers::MAX_MESSAGES + 1, "{name}");
    assert!(peak < 4 * raw.len() + 16 * MIB, "{name}: peak heap {peak} for {} bytes", raw.len());
    assert!(took < LINEAR_BUDGET, "{name}: {took:?}");
}

#[test]
fn a_100_000_row_csv_attachment() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let mut csv = String::from("Device;Status;Backup Date;Job;Data Size\r\n");
    for i in 0..100_000 {
        let status = if i == 99_999 { "Failed" } else { "Success" };
        let _ = write!(csv, "PC-{i:06};{status};03.03.2026 22:{:02};Laptops;{},5 GB\r\n", i % 60, i % 90);
    }
    let raw = format!(
        "From: reports@rmm.example.com\r\nSubject: Backup Report CSV - All\r\nDate: Tue, 03 Mar 2026 23:59:00 +0100\r\n\
         MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nx\r\n\
         --b\r\nContent-Type: text/csv; name=\"all.csv\"\r\nContent-Disposition: attachment; filename=\"all.csv\"\r\n\r\n{csv}\r\n--b--\r\n"
    );
    check_large("CSV", raw.as_bytes(), "generic-csv", Some(MAX_OBJECTS));
    let report = parse_report(&read_mail(raw.as_bytes()).expect("a mail")).expect("a report");
    assert_eq!(report.status, Status::Failed, "the failed row past the cap still counts");
    assert_eq!(report.job_name, "Laptops");
}

/// A Veeam report whose HTML was dropped on the way: its text part with the
/// object table as tab-separated cells and as space-aligned columns.
#[test]
fn a_100_000_row_veeam_text_rendering() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    for sep in ["\t", "    "] {
        let mut text = format!(
            "Backup job: Big{sep}Success\r\n100000 of 100000 VMs processed\r\nTuesday, March 3, 2026 22:00:14\r\n\
             Success{sep}3{sep}Start time{sep}22:00:14{sep}Total size{sep}1.2 TB\r\n\
             Warning{sep}0{sep}End time{sep}23:31:40{sep}Data read{sep}310.5 GB\r\nDetails\r\n\
             Name{sep}Status{sep}Start time{sep}End time{sep}Size{sep}Details\r\n"
        );
        for i in 0..100_000 {
            let _ = write!(text, "VM{i:06}{sep}Success{sep}22:00:45{sep}22:09:12{sep}120.0 GB\r\n");
        }
        let raw = format!(
            "From: veeam@backup.example.com\r\nSubject: [Success] Big (100000 VMs)\r\n\
             Date: Tue, 03 Mar 2026 23:59:00 +0100\r\nMIME-Version: 1.0\r\n\
             Content-Type: text/plain; charset=utf-8\r\n\r\n{text}"
        );
        check_large("Veeam text rendering", raw.as_bytes(), "veeam-vbr", Some(MAX_OBJECTS));
    }
}

#[test]
fn a_100_000_row_generic_object_table() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let mut html = String::from(
        "<html><body><table><tr><td>Job name</td><td>Big</td></tr><tr><td>Status</td><td>Successful</td></tr></table>\
         <table><tr><th>VM name</th><th>Status</th><th>Started</th><th>Finished</th><th>Transferred</th><th>Note</th></tr>\n",
    );
    for i in 0..100_000 {
        let _ = writeln!(
            html,
            "<tr><td>VM{i:06}</td><td>Successful</td><td>03 Mar 2026 at 22:00</td><td>03 Mar 2026 at 22:41</td><td>1.5 GB</td><td></td></tr>"
        );
    }
    html.push_str("</table><p>NAKIVO Backup &amp; Replication</p></body></html>");
    let raw = html_mail("NAKIVO: Job \"Big\" - Successful", &html);
    check_large("NAKIVO table", &raw, "nakivo", Some(MAX_OBJECTS));
}

#[test]
fn long_lists_in_text_reports() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let mut verify =
        String::from("Job ID:    v-1\nDatastore: store1\n\nVerification failed on these snapshots/groups:\n\n");
    for i in 0..100_000 {
        let _ = writeln!(verify, "    vm/{i}/2026-03-03T22:00:02Z");
    }
    let raw = text_mail("Verify Datastore 'store1' failed", "root@pbs.example.com", &verify);
    check_large("PBS verify", &raw, "proxmox-backup-server", Some(MAX_OBJECTS));

    let mut log = String::from("+ Normal backup using Big at 3/3/2026 10:00 PM\n");
    for i in 0..50_000 {
        let _ =
            writeln!(log, "    - 3/3/2026 10:00:05 PM: Copying V{i} on C\n    !Can't read file \"f{i}\", error -1101");
    }
    log.push_str("    3/3/2026 11:45:20 PM: 50000 execution errors\n");
    let raw = text_mail("Retrospect: Script \"Big\" completed with 50000 errors", "r@example.com", &log);
    check_large("Retrospect", &raw, "retrospect", Some(MAX_OBJECTS));

    let mut dup = String::from("MainOperation: Backup\nParsedResult: Warning\nLimitedWarnings: [\n");
    for i in 0..100_000 {
        let _ = writeln!(dup, "    2026-03-03 22:00:05 +01 - [Warning-X-Y]: file {i} could not be read,");
    }
    dup.push_str("]\n");
    let raw = text_mail("Duplicati Backup report for Big", "d@example.com", &dup);
    check_large("Duplicati", &raw, "duplicati", Some(0));

    let mut events = String::from("Computer: SRV01.example.com\n");
    for _ in 0..40_000 {
        events.push_str("Message : The backup operation has finished successfully. Microsoft-Windows-Backup\n");
    }
    let raw = text_mail("WSB", "srv01@example.com", &events);
    check_large("WSB events", &raw, "windows-server-backup", Some(0));
}

#[test]
fn keyword_rules_over_a_large_body() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let body = "all good here, nothing to see\n".repeat(150_000);
    let raw = text_mail("Nightly script", "script@example.com", &format!("{body}RESULT: FAILED\n"));
    let options = ParseOptions {
        keyword_rules: (0..50)
            .map(|i| KeywordRule {
                sender: if i == 49 { "@example.com".into() } else { format!("x{i}@example.org") },
                failure: vec!["FAILED".into()],
                success: vec!["OK".into()],
                ..KeywordRule::default()
            })
            .collect(),
    };
    let (report, peak, took) = timed(|| parse_report_with(&read_mail(&raw).expect("a mail"), &options));
    eprintln!("keyword rules: {} bytes, peak heap {peak}, {took:?}", raw.len());
    let report = report.expect("a report");
    assert_eq!(report.status, Status::Failed);
    assert_eq!(report.messages, vec!["RESULT: FAILED".to_string()]);
    assert!(peak < 4 * raw.len() + 16 * MIB);
    assert!(took < LINEAR_BUDGET);
}
