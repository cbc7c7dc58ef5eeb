//! Large and hostile inputs stay in bounded memory: a Veeam report with
//! 100,000 object rows, an HTML bomb, a 30 MB mail and deep MIME nesting.
//!
//! A counting allocator measures the peak heap while each case runs
//! (cases run one at a time). No timing asserts.

use std::alloc::{GlobalAlloc, Layout, System};
use std::fmt::Write as _;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use bc_parsers::{MAX_OBJECTS, ParseError, Status, parse_report, read_mail};

struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is forwarded to the system allocator unchanged; the
// counters are only bookkeeping.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let now = CURRENT.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) };
        CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            if new_size >= layout.size() {
                let now = CURRENT.fetch_add(new_size - layout.size(), Ordering::Relaxed) + new_size
                    - layout.size();
                PEAK.fetch_max(now, Ordering::Relaxed);
            } else {
                CURRENT.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
            }
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

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
    let note = report
        .messages
        .last()
        .expect("a note on the objects left out");
    assert!(
        note.starts_with("90000 more objects were left out"),
        "{note}"
    );
    eprintln!("peak heap {peak} for a {} byte mail", raw.len());
    assert!(
        peak < 3 * raw.len() + 16 * MIB,
        "peak heap {peak} for a {} byte mail",
        raw.len()
    );
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
    assert!(
        peak < 3 * raw.len() + 16 * MIB,
        "peak heap {peak} for a {} byte mail",
        raw.len()
    );
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
    let (result, peak) =
        peak_of(|| read_mail(&raw).map(|mail| (parse_report(&mail), mail.attachments.len())));
    let (report, attachments) = result.expect("a valid mail");
    assert_eq!(attachments, 1);
    let report = report.expect("the report part is readable");
    assert_eq!(report.job_name, "Huge", "the body wins over the subject");
    assert_eq!(report.objects.len(), 1);
    eprintln!("peak heap {peak} for a {} byte mail", raw.len());
    assert!(
        peak < 3 * raw.len() + 16 * MIB,
        "peak heap {peak} for a {} byte mail",
        raw.len()
    );
}

#[test]
fn deep_mime_nesting_is_handled() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let depth = 5_000;
    let mut raw = String::from("From: a@example.com\r\nSubject: nested\r\n");
    for i in 0..depth {
        let _ = write!(
            raw,
            "Content-Type: multipart/mixed; boundary=\"b{i}\"\r\n\r\n--b{i}\r\n"
        );
    }
    raw.push_str("Content-Type: text/plain\r\n\r\nhello\r\n");
    for i in (0..depth).rev() {
        let _ = write!(raw, "--b{i}--\r\n");
    }
    let (result, peak) = peak_of(|| read_mail(raw.as_bytes()).map(|m| parse_report(&m)));
    if let Ok(parsed) = result {
        assert_eq!(parsed, Err(ParseError::NoParser));
    }
    assert!(
        peak < 64 * raw.len() + 32 * MIB,
        "peak heap {peak} for a {} byte mail",
        raw.len()
    );
}
