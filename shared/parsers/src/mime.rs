//! MIME handling: raw mail bytes to a bounded, decoded [`MailMessage`].
//!
//! `mail-parser` does the RFC 5322 / MIME work (RFC 2047 words, base64 and
//! quoted-printable, charsets through `encoding_rs`); this module picks the
//! parts the product uses and refuses input that is not a mail at all.

use crate::util::text::collapse_ws;
use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone};
use mail_parser::{Message, MessageParser, MimeHeaders, PartType};

/// Mails larger than this are stored but not parsed.
pub const MAX_MAIL_BYTES: usize = 50 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq)]
pub struct MailAttachment {
    pub filename: String,
    pub content_type: String,
    pub data: Vec<u8>,
}

/// The parts of a mail the product uses, decoded to UTF-8.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MailMessage {
    /// Lower-cased address of `From:` (no display name), if any.
    pub from_address: Option<String>,
    pub from_name: Option<String>,
    /// `To:` and `Cc:` addresses.
    pub to: Vec<String>,
    /// Decoded subject ("" when absent).
    pub subject: String,
    pub date: Option<DateTime<FixedOffset>>,
    /// Without the angle brackets.
    pub message_id: Option<String>,
    pub text: Option<String>,
    pub html: Option<String>,
    pub attachments: Vec<MailAttachment>,
    /// Size of the raw mail in bytes.
    pub size: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MimeError {
    #[error("the mail is empty")]
    Empty,
    #[error("the mail is {0} bytes; the limit is {MAX_MAIL_BYTES}")]
    TooLarge(usize),
    #[error("not a MIME message: {0}")]
    Malformed(String),
}

/// Decodes a raw mail. Never panics; bounded by the input size.
pub fn read_mail(raw: &[u8]) -> Result<MailMessage, MimeError> {
    if raw.iter().all(u8::is_ascii_whitespace) {
        return Err(MimeError::Empty);
    }
    if raw.len() > MAX_MAIL_BYTES {
        return Err(MimeError::TooLarge(raw.len()));
    }
    check_starts_with_header(raw)?;
    let message =
        MessageParser::default().parse(raw).ok_or_else(|| MimeError::Malformed("no message could be read".into()))?;
    if message.headers().is_empty() {
        return Err(MimeError::Malformed("no header fields".into()));
    }

    let from = message.from().and_then(|a| a.first());
    let from_address = from.and_then(|a| a.address()).map(|a| a.trim().to_ascii_lowercase()).filter(|a| !a.is_empty());
    let from_name = from.and_then(|a| a.name()).map(collapse_ws).filter(|n| !n.is_empty());
    let to = message
        .to()
        .into_iter()
        .chain(message.cc())
        .flat_map(|list| list.iter())
        .filter_map(|a| a.address())
        .map(|a| a.trim().to_ascii_lowercase())
        .filter(|a| !a.is_empty())
        .collect();
    let subject = message.subject().map(collapse_ws).unwrap_or_default();
    let date = message.date().and_then(to_chrono);
    let message_id = message
        .message_id()
        .map(|id| id.trim().trim_start_matches('<').trim_end_matches('>').to_string())
        .filter(|id| !id.is_empty());

    let (mut text, mut html) = bodies(&message);
    if text.is_none() && html.is_none() {
        // "Forward as attachment": the report is the attached message.
        if let Some(inner) = message.attachments().find_map(|p| p.message()) {
            (text, html) = bodies(inner);
        }
    }

    let attachments = message
        .attachments()
        .enumerate()
        .map(|(i, part)| MailAttachment {
            filename: part
                .attachment_name()
                .map(collapse_ws)
                .filter(|n| !n.is_empty())
                .unwrap_or_else(|| format!("attachment-{}", i + 1)),
            content_type: part
                .content_type()
                .map(|ct| match ct.subtype() {
                    Some(sub) => format!("{}/{}", ct.ctype(), sub),
                    None => ct.ctype().to_string(),
                })
                .map(|ct| ct.to_ascii_lowercase())
                .unwrap_or_else(|| "application/octet-stream".into()),
            data: part.contents().to_vec(),
        })
        .collect();

    Ok(MailMessage { from_address, from_name, to, subject, date, message_id, text, html, attachments, size: raw.len() })
}

/// The first line must be a header field (`Name: value`), possibly after an
/// mbox `From ` line. mail-parser accepts anything; we do not.
fn check_starts_with_header(raw: &[u8]) -> Result<(), MimeError> {
    let mut rest = raw;
    while let [b'\r' | b'\n', tail @ ..] = rest {
        rest = tail;
    }
    if rest.starts_with(b"From ") {
        let nl = rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
        rest = &rest[(nl + 1).min(rest.len())..];
    }
    let name_len = rest.iter().take(128).position(|&b| b == b':');
    match name_len {
        Some(n) if n > 0 && rest[..n].iter().all(|&b| (33..=126).contains(&b)) => Ok(()),
        _ => Err(MimeError::Malformed("the first line is not a header field".into())),
    }
}

/// Text and HTML bodies. A text body that mail-parser derived from HTML is
/// not reported as text: the parsers read the HTML themselves.
fn bodies(message: &Message<'_>) -> (Option<String>, Option<String>) {
    let collect = |ids: &[u32], want_html: bool| -> Option<String> {
        let mut out = String::new();
        for id in ids {
            let Some(part) = message.parts.get(*id as usize) else {
                continue;
            };
            let body = match (&part.body, want_html) {
                (PartType::Text(t), false) | (PartType::Html(t), true) => t.as_ref(),
                _ => continue,
            };
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str(body);
        }
        (!out.trim().is_empty()).then_some(out)
    };
    (collect(&message.text_body, false), collect(&message.html_body, true))
}

fn to_chrono(d: &mail_parser::DateTime) -> Option<DateTime<FixedOffset>> {
    let offset_secs = i32::from(d.tz_hour) * 3600 + i32::from(d.tz_minute) * 60;
    let offset = FixedOffset::east_opt(if d.tz_before_gmt { -offset_secs } else { offset_secs })?;
    let local = NaiveDate::from_ymd_opt(i32::from(d.year), u32::from(d.month), u32::from(d.day))?.and_hms_opt(
        u32::from(d.hour),
        u32::from(d.minute),
        u32::from(d.second),
    )?;
    offset.from_local_datetime(&local).single()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_what_is_not_a_mail() {
        assert_eq!(read_mail(b""), Err(MimeError::Empty));
        assert_eq!(read_mail(b" \r\n\t"), Err(MimeError::Empty));
        assert!(matches!(read_mail(b"hello world\n"), Err(MimeError::Malformed(_))));
        assert!(matches!(read_mail(b": no name\n"), Err(MimeError::Malformed(_))));
        assert!(matches!(read_mail(b"\x00\x01\x02:"), Err(MimeError::Malformed(_))));
    }

    #[test]
    fn reads_the_header_fields() {
        let raw = b"From \"Backup Server\" <Veeam@Example.COM>\r\n\
            From: \"Backup  Server\" <Veeam@Example.COM>\r\n\
            To: a@example.com, \"B\" <B@example.net>\r\n\
            Cc: c@example.org\r\n\
            Subject: =?UTF-8?Q?=5BSuccess=5D_T=C3=A4glich?=\r\n\tfolded\r\n\
            Date: Tue, 3 Mar 2026 22:15:02 -0500\r\n\
            Message-ID: <abc@example.com>\r\n\
            \r\n\
            body\r\n";
        let mail = read_mail(raw).unwrap();
        assert_eq!(mail.from_address.as_deref(), Some("veeam@example.com"));
        assert_eq!(mail.from_name.as_deref(), Some("Backup Server"));
        assert_eq!(mail.to, vec!["a@example.com", "b@example.net", "c@example.org"]);
        assert_eq!(mail.subject, "[Success] Täglich folded");
        assert_eq!(mail.date.unwrap().to_rfc3339(), "2026-03-03T22:15:02-05:00");
        assert_eq!(mail.message_id.as_deref(), Some("abc@example.com"));
        assert_eq!(mail.text.as_deref(), Some("body\r\n"));
        assert_eq!(mail.html, None);
        assert_eq!(mail.size, raw.len());
    }

    #[test]
    fn html_only_mail_has_no_text() {
        let raw = b"From: a@example.com\r\nContent-Type: text/html; charset=iso-8859-1\r\n\
            Content-Transfer-Encoding: quoted-printable\r\n\r\n<p>Gr=FC=DFe</p>\r\n";
        let mail = read_mail(raw).unwrap();
        assert_eq!(mail.text, None);
        assert_eq!(mail.html.as_deref(), Some("<p>Grüße</p>\r\n"));
    }

    #[test]
    fn attachments_and_forwarded_messages() {
        let raw = b"From: a@example.com\r\nSubject: Fwd: report\r\n\
            Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n\
            --b1\r\nContent-Type: message/rfc822\r\n\r\n\
            From: inner@example.com\r\nSubject: inner\r\nContent-Type: text/plain\r\n\r\ninner body\r\n\
            --b1\r\nContent-Type: text/csv; name=\"r.csv\"\r\nContent-Disposition: attachment; filename=\"r.csv\"\r\n\
            Content-Transfer-Encoding: base64\r\n\r\nYSxiCg==\r\n--b1--\r\n";
        let mail = read_mail(raw).unwrap();
        assert_eq!(mail.text.as_deref().map(str::trim), Some("inner body"));
        assert_eq!(mail.attachments.len(), 2);
        assert_eq!(mail.attachments[0].content_type, "message/rfc822");
        assert_eq!(mail.attachments[1].filename, "r.csv");
        assert_eq!(mail.attachments[1].content_type, "text/csv");
        assert_eq!(mail.attachments[1].data, b"a,b\n");
    }

    #[test]
    fn too_large() {
        let raw = vec![b'a'; MAX_MAIL_BYTES + 1];
        assert_eq!(read_mail(&raw), Err(MimeError::TooLarge(MAX_MAIL_BYTES + 1)));
    }
}
