//! The text paths and the forwarded-block detection: the fuzzer's bytes are
//! a body (with a one-byte selector up front), wrapped as a text/plain
//! mail, a text/plain mail without a transfer encoding header but with a
//! declared one that lies, a forwarded mail (quoted header block in one of
//! the supported languages with its field names in that language, after a
//! dashed marker, Apple Mail's words, Outlook's line of underscores or no
//! marker at all; the body optionally quoted with `> `), and an HTML-less
//! Veeam-looking mail. Structure
//! comes from the wrappers; libFuzzer mutates the body (seeded with every
//! fixture, whose headers it then learns to drop). Any panic, hang or
//! unbounded allocation is a finding.

#![no_main]

use bc_parsers::{matching_parsers, parse_report, read_mail};
use libfuzzer_sys::fuzz_target;

/// Forwarding styles: the marker line (empty: none, as Outlook without a
/// marker) and the quoted block's field names in the client's language,
/// in the order the client writes them (Thunderbird puts the subject
/// first, French clients a space before the colon, some a tab after it).
const STYLES: [(&str, [&str; 3]); 16] = [
    ("---------- Forwarded message ---------", ["From:", "Date:", "Subject:"]),
    ("-----Ursprüngliche Nachricht-----", ["Von:", "Gesendet:", "Betreff:"]),
    ("-------- Doorgestuurd bericht --------", ["Van:", "Datum:", "Onderwerp:"]),
    ("-------- Message transféré --------", ["De :", "Date :", "Objet :"]),
    ("-------- Message transféré --------", ["Sujet :\t", "Date :\t", "De :\t"]),
    ("-----Oorspronkelijk bericht-----", ["Van:", "Verzonden:", "Onderwerp:"]),
    ("Begin forwarded message:", ["From:", "Date:", "Subject:"]),
    ("Anfang der weitergeleiteten Nachricht:", ["Von:", "Datum:", "Betreff:"]),
    ("Début du message réexpédié :", ["De :", "Date :", "Objet :"]),
    ("________________________________", ["From:", "Sent:", "Subject:"]),
    ("________________________________", ["Von:", "Gesendet:", "Betreff:"]),
    ("________________________________", ["De :", "Envoyé :", "Objet :"]),
    // Outlook without a marker: `From:` then `Sent:` (in four languages).
    ("", ["From:", "Sent:", "Subject:"]),
    ("", ["Von:", "Gesendet:", "Betreff:"]),
    ("", ["Van:", "Verzonden:", "Onderwerp:"]),
    ("", ["De :", "Envoyé :", "Objet :"]),
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
        let (marker, [first, second, third]) = STYLES[usize::from(selector >> 4) % STYLES.len()];
        let value = |field: &str| {
            if field.starts_with("Sub")
                || field.starts_with("Bet")
                || field.starts_with("Onder")
                || field.starts_with("Obj")
                || field.starts_with("Suj")
            {
                "[Failed] Job"
            } else if field.starts_with("Fr")
                || field.starts_with("Von")
                || field.starts_with("Van")
                || field.starts_with("De ")
            {
                "Veeam <veeam@backup.example.com>"
            } else {
                "Wednesday, 4 March 2026 01:02"
            }
        };
        mail.extend_from_slice(
            format!(
                "{marker}\r\n{first} {}\r\n{second} {}\r\n{third} {}\r\n\r\n",
                value(first),
                value(second),
                value(third)
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
