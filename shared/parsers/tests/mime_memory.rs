//! The parse path is bounded by the mail's size: hostile MIME shapes (a
//! 49 MB mail of empty parts once took 1.5 GB) stay under 4x the mail.
//! Its own test binary: a counting global allocator measures the peak heap
//! of `read_mail` + `parse_report`, one case at a time.

use std::sync::atomic::Ordering;

use bc_parsers::{MAX_SUBJECT_CHARS, parse_report, read_mail};

#[path = "common/counting_alloc.rs"]
mod counting_alloc;
use counting_alloc::{CURRENT, ONE_AT_A_TIME, PEAK};

/// Tests run one at a time (the counters are global): every test holds this.
fn one_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner())
}

/// The peak heap that reading and parsing `raw` adds.
fn peak_of_parse(raw: &[u8]) -> usize {
    let base = CURRENT.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    if let Ok(mail) = read_mail(raw) {
        let _ = parse_report(&mail);
    }
    PEAK.load(Ordering::Relaxed).saturating_sub(base)
}

const SIZE: usize = 8 * 1024 * 1024;

fn header(ctype: &str) -> Vec<u8> {
    format!(
        "From: a@example.com\r\nSubject: [Success] Daily (1 objects)\r\nMIME-Version: 1.0\r\nContent-Type: {ctype}\r\n\r\n"
    )
    .into_bytes()
}

fn repeat_to(mut head: Vec<u8>, unit: &[u8], tail: &[u8]) -> Vec<u8> {
    while head.len() + unit.len() + tail.len() <= SIZE {
        head.extend_from_slice(unit);
    }
    head.extend_from_slice(tail);
    head
}

fn assert_bounded(name: &str, raw: &[u8]) {
    let peak = peak_of_parse(raw);
    eprintln!("{name}: {} bytes, peak {} bytes ({:.2}x)", raw.len(), peak, peak as f64 / raw.len() as f64);
    assert!(peak < 4 * raw.len(), "{name}: peak {peak} bytes for a {} byte mail", raw.len());
}

/// The shape of the 49 MB mail: a multipart of millions of empty parts.
#[test]
fn many_empty_mime_parts() {
    let _one = one_at_a_time();
    let raw = repeat_to(header("multipart/mixed; boundary=\"b\""), b"--b\r\n\r\n", b"--b--\r\n");
    assert_bounded("empty parts", &raw);
    let raw = repeat_to(header("multipart/mixed; boundary=b"), b"--b\n\n", b"");
    assert_bounded("empty parts, LF, no closing boundary", &raw);
}

#[test]
fn many_small_parts_with_headers() {
    let _one = one_at_a_time();
    let raw = repeat_to(
        header("multipart/mixed; boundary=\"b\""),
        b"--b\r\nContent-Type: text/plain\r\n\r\nx\r\n",
        b"--b--\r\n",
    );
    assert_bounded("small text parts", &raw);
    let raw = repeat_to(
        header("multipart/mixed; boundary=\"b\""),
        b"--b\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=a\r\n\r\nx\r\n",
        b"--b--\r\n",
    );
    assert_bounded("small attachments", &raw);
    let raw = repeat_to(
        header("multipart/mixed; boundary=\"b\""),
        b"--b\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n",
        b"--b--\r\n",
    );
    assert_bounded("nested multiparts", &raw);
}

#[test]
fn many_header_fields() {
    let _one = one_at_a_time();
    let raw = repeat_to(b"From: a@example.com\r\n".to_vec(), b"X-A: b\r\n", b"\r\nbody\r\n");
    assert_bounded("top-level header fields", &raw);
    let raw = repeat_to(
        header("multipart/mixed; boundary=\"b\"").into_iter().chain(b"--b\r\n".iter().copied()).collect(),
        b"X-A: b\r\n",
        b"\r\nbody\r\n--b--\r\n",
    );
    assert_bounded("part header fields", &raw);
    let raw = repeat_to(b"From: a@example.com\r\nTo: ".to_vec(), b"a@b.c,", b"\r\n\r\nbody\r\n");
    assert_bounded("recipients", &raw);
}

/// A forwarded report is read as the original (a second view of the same
/// bodies): still bounded.
#[test]
fn a_large_forwarded_mail() {
    let _one = one_at_a_time();
    let head = b"From: it@customer.example\r\nSubject: Fwd: report\r\nContent-Type: text/plain\r\n\r\n\
        ---------- Forwarded message ---------\r\nFrom: Veeam <veeam@backup.example.com>\r\n\
        Subject: [Failed] Daily (3 objects)\r\n\r\n"
        .to_vec();
    let raw = repeat_to(head, b"Backup job: Daily\tFailed\tStart time\t22:00:00\r\n", b"");
    assert_bounded("forwarded text", &raw);
    let head = b"From: it@customer.example\r\nSubject: Fwd: report\r\nContent-Type: text/html\r\n\r\n\
        <p>---------- Forwarded message ---------<br>From: Veeam &lt;veeam@backup.example.com&gt;<br>\
        Subject: [Failed] Daily (3 objects)</p><table>"
        .to_vec();
    let raw = repeat_to(head, b"<tr><td>vm</td><td>Failed</td><td>22:00:00</td></tr>\r\n", b"</table>");
    assert_bounded("forwarded HTML", &raw);
}

#[test]
fn long_header_values_are_cut() {
    let _one = one_at_a_time();
    let subject = "é".repeat(100_000);
    let raw = format!("From: a@example.com\r\nSubject: {subject}\r\n\r\nbody\r\n");
    let mail = read_mail(raw.as_bytes()).unwrap();
    assert_eq!(mail.subject.chars().count(), MAX_SUBJECT_CHARS + 1, "cut and marked");
    assert!(mail.subject.ends_with('…'));
    assert_bounded("long subject", raw.as_bytes());
}
