//! The text paths and the forwarded-block detection: the fuzzer's bytes are
//! a body (with a one-byte selector up front), wrapped as a text/plain
//! mail, a text/plain mail without a transfer encoding header but with a
//! declared one that lies, a forwarded mail (quoted header block in one of
//! the supported languages, after a dashed marker, Apple Mail's words,
//! Outlook's line of underscores or no marker at all; the body optionally
//! quoted with `> `), and an HTML-less Veeam-looking mail. Structure
//! comes from the wrappers; libFuzzer mutates the body (seeded with every
//! fixture, whose headers it then learns to drop). Any panic, hang or
//! unbounded allocation is a finding.

#![no_main]

use bc_parsers::{matching_parsers, parse_report, read_mail};
use libfuzzer_sys::fuzz_target;

const MARKERS: [&str; 8] = [
    "---------- Forwarded message ---------",
    "-----Ursprüngliche Nachricht-----",
    "-------- Doorgestuurd bericht --------",
    "-------- Message transféré --------",
    "Begin forwarded message:",
    "Anfang der weitergeleiteten Nachricht:",
    "________________________________",
    // Outlook without a marker: `From:` then `Sent:`.
    "",
];

fn run(raw: &[u8]) {
    if let Ok(mail) = read_mail(raw) {
        let _ = matching_parsers(&mail);
        if let Ok(report) = parse_report(&mail) {
            assert!(report.objects.len() <= bc_parsers::MAX_OBJECTS);
            assert!(!report.job_name.trim().is_empty());
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, body)) = data.split_first() else {
        return;
    };
    let mut mail = Vec::with_capacity(body.len() + 512);
    let cte = match selector % 4 {
        0 => "",
        1 => "Content-Transfer-Encoding: base64\r\n",
        2 => "Content-Transfer-Encoding: quoted-printable\r\n",
        _ => "Content-Transfer-Encoding: 8bit\r\n",
    };
    mail.extend_from_slice(b"From: someone@example.com\r\nSubject: ");
    if selector & 4 != 0 {
        mail.extend_from_slice(b"Fwd: ");
    }
    mail.extend_from_slice(b"[Success] Daily (3 objects)\r\nDate: Tue, 3 Mar 2026 22:31:52 +0100\r\n");
    mail.extend_from_slice(format!("Content-Type: text/plain; charset=utf-8\r\n{cte}\r\n").as_bytes());
    if selector & 8 != 0 {
        let marker = MARKERS[usize::from(selector >> 4) % MARKERS.len()];
        mail.extend_from_slice(
            format!(
                "{marker}\r\nFrom: Veeam <veeam@backup.example.com>\r\nSent: Wednesday\r\nSubject: [Failed] Job\r\n\r\n"
            )
            .as_bytes(),
        );
    }
    if selector & 128 != 0 {
        // Quoted as Apple Mail and some clients forward.
        for line in body.split(|&b| b == b'\n') {
            mail.extend_from_slice(b"> ");
            mail.extend_from_slice(line);
            mail.push(b'\n');
        }
    } else {
        mail.extend_from_slice(body);
    }
    run(&mail);
    // The body alone, as a whole mail (headers and all from the seed).
    run(body);
});
