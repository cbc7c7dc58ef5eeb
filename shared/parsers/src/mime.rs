//! MIME handling: raw mail bytes to a bounded, decoded [`MailMessage`].
//!
//! `mail-parser` does the RFC 5322 / MIME work (RFC 2047 words, base64 and
//! quoted-printable, charsets through `encoding_rs`); this module picks the
//! parts the product uses and refuses input that is not a mail at all.

use crate::util::text::collapse_ws;
use std::borrow::Cow;

use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone};
use mail_parser::{Message, MessageParser, MimeHeaders, PartType};

/// Mails larger than this are stored but not parsed.
pub const MAX_MAIL_BYTES: usize = 50 * 1024 * 1024;
/// Longest subject kept in a [`MailMessage`], in characters; a longer one is
/// cut (and marked with `…`). The raw mail keeps the whole header.
pub const MAX_SUBJECT_CHARS: usize = 1_000;
/// Longest sender display name and Message-ID kept, in characters.
pub const MAX_HEADER_VALUE_CHARS: usize = 320;
/// Most `To:`/`Cc:` addresses kept.
pub const MAX_RECIPIENTS: usize = 100;
/// Longest attachment file name kept, in characters.
pub const MAX_FILENAME_CHARS: usize = 255;
/// MIME boundary lines read; a mail with more is read up to the last one
/// (a report has a handful of parts; millions of empty parts only cost
/// memory, and once cost 26x the mail's size).
pub const MAX_MIME_PARTS: usize = 500;
/// Header lines read per header block (the mail's own and each part's);
/// further lines of a longer block are not read.
pub const MAX_HEADER_LINES: usize = 1_000;
/// Longest header field read, in bytes with its folded lines (a `To:` of
/// a million addresses costs mail-parser 13x its size); the rest is cut.
pub const MAX_HEADER_FIELD_BYTES: usize = 16 * 1024;

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
    let bounded = bound_structure(raw);
    let message = MessageParser::default()
        .parse(bounded.as_ref())
        .ok_or_else(|| MimeError::Malformed("no message could be read".into()))?;
    if message.headers().is_empty() {
        return Err(MimeError::Malformed("no header fields".into()));
    }

    let from = message.from().and_then(|a| a.first());
    let from_address = from.and_then(|a| a.address()).map(|a| a.trim().to_ascii_lowercase()).filter(|a| !a.is_empty());
    let from_name = from
        .and_then(|a| a.name())
        .map(|n| cap_chars(collapse_ws(n), MAX_HEADER_VALUE_CHARS))
        .filter(|n| !n.is_empty());
    let to = message
        .to()
        .into_iter()
        .chain(message.cc())
        .flat_map(|list| list.iter())
        .filter_map(|a| a.address())
        .map(|a| a.trim().to_ascii_lowercase())
        .filter(|a| !a.is_empty() && a.len() <= 320)
        .take(MAX_RECIPIENTS)
        .collect();
    let subject = message.subject().map(|s| cap_chars(collapse_ws(s), MAX_SUBJECT_CHARS)).unwrap_or_default();
    let date = message.date().and_then(to_chrono);
    let message_id = message
        .message_id()
        .map(|id| {
            cap_chars(id.trim().trim_start_matches('<').trim_end_matches('>').to_string(), MAX_HEADER_VALUE_CHARS)
        })
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
                .map(|n| cap_chars(collapse_ws(n), MAX_FILENAME_CHARS))
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

/// The mail as far as [`MAX_MIME_PARTS`] boundary lines and
/// [`MAX_HEADER_LINES`] header lines per block reach: the parts past the
/// limit are cut off, and header lines past the limit dropped. Borrowed
/// when nothing is over a limit (the usual case).
fn bound_structure(raw: &[u8]) -> Cow<'_, [u8]> {
    let boundaries = boundaries(raw);
    let cut = parts_cut(raw, &boundaries);
    let raw = &raw[..cut];
    let mut out = match long_header_blocks(raw, &boundaries) {
        None => Cow::Borrowed(raw),
        Some(out) => Cow::Owned(out),
    };
    // A multipart whose closing boundary is missing (a body cut short, a
    // careless script): close it, innermost first, so the last part is read
    // as the part it is.
    let unclosed: Vec<&[u8]> = boundaries
        .iter()
        .rev()
        .filter(|b| {
            let mut close = Vec::with_capacity(b.len() + 4);
            close.extend_from_slice(b"--");
            close.extend_from_slice(b);
            close.extend_from_slice(b"--");
            let used =
                memchr::memmem::find(&out, &close[..close.len() - 2]).is_some_and(|i| i > 0 && out[i - 1] == b'\n');
            used && memchr::memmem::find(&out, &close).is_none()
        })
        .copied()
        .collect();
    if !unclosed.is_empty() {
        let o = out.to_mut();
        for b in unclosed {
            o.extend_from_slice(b"\r\n--");
            o.extend_from_slice(b);
            o.extend_from_slice(b"--\r\n");
        }
    }
    out
}

/// The values of the `boundary=` parameters in the mail (at most 64).
fn boundaries(raw: &[u8]) -> Vec<&[u8]> {
    let mut boundaries: Vec<&[u8]> = Vec::new();
    for at in memchr::memmem::find_iter(raw, b"oundary=").chain(memchr::memmem::find_iter(raw, b"OUNDARY=")) {
        if boundaries.len() >= 64 {
            break;
        }
        if at == 0 || !matches!(raw[at - 1], b'b' | b'B') {
            continue;
        }
        let mut v = &raw[at + 8..];
        let quoted = v.first() == Some(&b'"');
        if quoted {
            v = &v[1..];
        }
        let end = v
            .iter()
            .take(200)
            .position(
                |&b| if quoted { b == b'"' || b == b'\r' || b == b'\n' } else { b == b';' || b.is_ascii_whitespace() },
            )
            .unwrap_or(v.len().min(200));
        let b = &v[..end];
        if !b.is_empty() && !boundaries.contains(&b) {
            boundaries.push(b);
        }
    }
    boundaries
}

fn is_boundary_line(line: &[u8], boundaries: &[&[u8]]) -> bool {
    line.strip_prefix(b"--").is_some_and(|rest| boundaries.iter().any(|b| rest.starts_with(b)))
}

/// Where the `MAX_MIME_PARTS + 1`-th boundary line starts, else the end.
fn parts_cut(raw: &[u8], boundaries: &[&[u8]]) -> usize {
    if boundaries.is_empty() {
        return raw.len();
    }
    let mut seen = 0;
    for nl in memchr::memmem::find_iter(raw, b"\n--") {
        if is_boundary_line(&raw[nl + 1..], boundaries) {
            seen += 1;
            if seen > MAX_MIME_PARTS {
                return nl + 1;
            }
        }
    }
    raw.len()
}

/// A copy of the mail with every header block bounded, or `None` when
/// none is over a limit: fields past [`MAX_HEADER_LINES`] in a block are
/// dropped, and a field (with its folded lines) is cut at
/// [`MAX_HEADER_FIELD_BYTES`]. A block is the lines from the start of the
/// mail or a boundary line to the next empty line.
fn long_header_blocks(raw: &[u8], boundaries: &[&[u8]]) -> Option<Vec<u8>> {
    let mut out: Option<Vec<u8>> = None;
    let mut fields = 0usize;
    let mut field_bytes = 0usize;
    let mut dropping = false;
    let mut start = 0;
    // Header lines one by one; bodies skipped to the next boundary line.
    while start < raw.len() {
        let end = memchr::memchr(b'\n', &raw[start..]).map_or(raw.len(), |i| start + i + 1);
        let line = &raw[start..end];
        if line.iter().all(|b| matches!(b, b'\r' | b'\n')) {
            // End of the block: keep the body up to the next boundary line.
            // From the blank line's own newline: the boundary may follow it.
            let from = end - 1;
            let next = memchr::memmem::find_iter(&raw[from..], b"\n--")
                .map(|i| from + i + 1)
                .find(|&at| is_boundary_line(&raw[at..], boundaries))
                .unwrap_or(raw.len());
            if let Some(o) = &mut out {
                o.extend_from_slice(&raw[start..next]);
            }
            // The boundary line itself starts the next block's count.
            if next < raw.len() {
                let bl_end = memchr::memchr(b'\n', &raw[next..]).map_or(raw.len(), |i| next + i + 1);
                if let Some(o) = &mut out {
                    o.extend_from_slice(&raw[next..bl_end]);
                }
                start = bl_end;
            } else {
                start = next;
            }
            fields = 0;
            dropping = false;
            continue;
        }
        if !matches!(line[0], b' ' | b'\t') {
            fields += 1;
            field_bytes = 0;
            dropping = fields > MAX_HEADER_LINES;
        }
        let room = MAX_HEADER_FIELD_BYTES.saturating_sub(field_bytes);
        field_bytes += line.len();
        let keep = if dropping || room == 0 {
            0
        } else if line.len() > room {
            let mut n = room;
            while n > 0 && (line[n] & 0xC0) == 0x80 {
                n -= 1;
            }
            n
        } else {
            line.len()
        };
        match &mut out {
            Some(o) => {
                o.extend_from_slice(&line[..keep]);
                if keep > 0 && keep < line.len() {
                    o.extend_from_slice(b"\r\n");
                }
            }
            None if keep == line.len() => {}
            None => {
                let mut o = Vec::with_capacity(raw.len());
                o.extend_from_slice(&raw[..start]);
                o.extend_from_slice(&line[..keep]);
                if keep > 0 {
                    o.extend_from_slice(b"\r\n");
                }
                out = Some(o);
            }
        }
        start = end;
    }
    out
}

/// Cuts `s` to at most `max` characters, marking a cut with `…`.
fn cap_chars(s: String, max: usize) -> String {
    match s.char_indices().nth(max) {
        None => s,
        Some((end, _)) => {
            let mut s = s;
            s.truncate(end);
            s.push('…');
            s
        }
    }
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
            let repaired = repair(message.raw_message(), part, body);
            let body = repaired.as_deref().unwrap_or(body);
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str(body);
        }
        (!out.trim().is_empty()).then_some(out)
    };
    (collect(&message.text_body, false), collect(&message.html_body, true))
}

/// What a mail client would still show of a damaged text part, when
/// mail-parser's reading of it is worse:
/// - a charset label that lies (declared UTF-8 or none, the bytes are
///   Windows-1252): read as Windows-1252 instead of replacement characters;
/// - a missing or wrong `Content-Transfer-Encoding`: a body that is plainly
///   base64 or quoted-printable is decoded; a body declared base64 that is
///   plain text is read as it is.
///
/// `None` when the part needs nothing.
fn repair(raw: &[u8], part: &mail_parser::MessagePart<'_>, decoded: &str) -> Option<String> {
    use mail_parser::Encoding;
    use mail_parser::decoders::base64::base64_decode;
    use mail_parser::decoders::quoted_printable::quoted_printable_decode;

    let body = raw.get(part.offset_body as usize..part.offset_end as usize)?;
    let charset = part.content_type().and_then(|ct| ct.attribute("charset")).map(str::to_ascii_lowercase);
    let utf8_label = matches!(charset.as_deref(), None | Some("utf-8" | "utf8" | "us-ascii" | "ascii"));
    let from_bytes = |bytes: &[u8]| -> String {
        match (std::str::from_utf8(bytes), utf8_label) {
            (Ok(s), _) => s.to_string(),
            (Err(_), true) => crate::util::text::decode_text(bytes),
            (Err(_), false) => String::from_utf8_lossy(bytes).into_owned(),
        }
    };
    match part.encoding {
        Encoding::None => {
            let trimmed = decoded.trim();
            if looks_base64(trimmed) {
                let bytes = base64_decode(trimmed.as_bytes())?;
                let text = from_bytes(&bytes);
                return looks_text(&text).then_some(text);
            }
            if looks_quoted_printable(decoded) {
                let bytes = quoted_printable_decode(body)?;
                return Some(from_bytes(&bytes));
            }
            (utf8_label && decoded.contains('\u{fffd}') && std::str::from_utf8(body).is_err())
                .then(|| crate::util::text::decode_text(body))
        }
        Encoding::QuotedPrintable => {
            if !(utf8_label && decoded.contains('\u{fffd}')) {
                return None;
            }
            let bytes = quoted_printable_decode(body)?;
            std::str::from_utf8(&bytes).is_err().then(|| crate::util::text::decode_text(&bytes))
        }
        Encoding::Base64 => {
            // Declared base64, but the body is text (spaces and punctuation
            // base64 has not): read it as it is.
            let spaces = memchr::memchr_iter(b' ', body).count();
            if spaces * 20 > body.len()
                && let Ok(text) = std::str::from_utf8(body)
                && !looks_text(decoded)
            {
                return Some(text.to_string());
            }
            if utf8_label && decoded.contains('\u{fffd}') {
                let bytes = base64_decode(body)?;
                return std::str::from_utf8(&bytes).is_err().then(|| crate::util::text::decode_text(&bytes));
            }
            None
        }
    }
}

/// A body of only base64 lines (at least two of 40+ characters, all of
/// one length but the last).
fn looks_base64(text: &str) -> bool {
    let mut lines = text.lines().map(str::trim_end).filter(|l| !l.is_empty());
    let Some(first) = lines.next() else {
        return false;
    };
    let width = first.len();
    if !(40..=120).contains(&width) {
        return false;
    }
    let is_b64 = |l: &str| l.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='));
    let mut count = 1;
    let mut last_short = false;
    for line in std::iter::once(first).chain(lines) {
        if !is_b64(line) || last_short || line.len() > width {
            return false;
        }
        last_short = line.len() < width;
        count += 1;
    }
    count >= 3
}

/// Quoted-printable without the header: soft line breaks (`=` at the end
/// of a line) on several lines, or many `=XX` escapes.
fn looks_quoted_printable(text: &str) -> bool {
    let b = text.as_bytes();
    let hex = |c: u8| c.is_ascii_digit() || (b'A'..=b'F').contains(&c);
    let mut soft = 0;
    let mut escapes = 0;
    for i in memchr::memchr_iter(b'=', b) {
        match (b.get(i + 1), b.get(i + 2)) {
            (Some(b'\r' | b'\n'), _) | (None, _) if i == 0 || b[i - 1] != b'=' => soft += 1,
            (Some(&x), Some(&y)) if hex(x) && hex(y) => escapes += 1,
            _ => {}
        }
        if soft >= 3 || (soft >= 1 && escapes >= 3) || escapes >= 10 {
            return true;
        }
    }
    false
}

/// Mostly printable text (no run of control characters or replacements).
fn looks_text(text: &str) -> bool {
    let bad = text.chars().filter(|c| (c.is_control() && !c.is_whitespace()) || *c == '\u{fffd}').count();
    !text.trim().is_empty() && bad * 50 <= text.chars().count()
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

    fn text_of(raw: &[u8]) -> String {
        let mail = read_mail(raw).unwrap();
        mail.text.or(mail.html).unwrap_or_default()
    }

    #[test]
    fn damaged_mime_is_read_as_a_mail_client_shows_it() {
        // A charset label that lies: declared UTF-8, bytes Windows-1252.
        let raw = b"From: a@example.com\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nGr\xFC\xDFe \x80 5\r\n";
        assert_eq!(text_of(raw).trim(), "Grüße € 5");
        let raw = b"From: a@example.com\r\nContent-Type: text/plain; charset=utf-8\r\n\
            Content-Transfer-Encoding: quoted-printable\r\n\r\nGr=FC=DFe\r\n";
        assert_eq!(text_of(raw).trim(), "Grüße");
        // No Content-Transfer-Encoding, base64 body.
        let b64 = "VGhlIGJhY2t1cCBqb2IgRGFpbHkgZmluaXNoZWQgd2l0aCBTdWNjZXNzLiBUaGUgYmFja3VwIGpv\r\n\
            YiBEYWlseSBmaW5pc2hlZCB3aXRoIFN1Y2Nlc3MuIFRoZSBiYWNrdXAgam9iIERhaWx5IGZpbmlz\r\naGVkLg==\r\n";
        let raw = format!("From: a@example.com\r\nContent-Type: text/plain\r\n\r\n{b64}");
        assert!(text_of(raw.as_bytes()).starts_with("The backup job Daily finished with Success."));
        // No Content-Transfer-Encoding, quoted-printable body.
        let raw = b"From: a@example.com\r\nContent-Type: text/html; charset=utf-8\r\n\r\n\
            <table class=3D\"x\"><tr><td>Backup job: Daily</td><td>Succ=\r\ness</td></tr>=\r\n\
            <tr><td>Start time</td><td>22:00</td></tr>=\r\n</table>\r\n";
        let html = text_of(raw);
        assert!(html.contains("<td>Success</td>") && html.contains("class=\"x\""), "{html}");
        // Declared base64, but plain text.
        let raw = b"From: a@example.com\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\n\
            Backup job Daily finished with Success at 22:00 on the server.\r\n";
        assert_eq!(text_of(raw).trim(), "Backup job Daily finished with Success at 22:00 on the server.");
        // A multipart without its closing boundary, bare LF line ends.
        let raw = b"From: a@example.com\nContent-Type: multipart/alternative; boundary=b\n\n--b\n\
            Content-Type: text/plain\n\nfirst part\n--b\nContent-Type: text/html\n\n<p>second</p>\n";
        let mail = read_mail(raw).unwrap();
        assert_eq!(mail.text.as_deref().map(str::trim), Some("first part"));
        assert_eq!(mail.html.as_deref().map(str::trim), Some("<p>second</p>"));
        // A body cut short in the middle of base64: what was there is read.
        let raw = b"From: a@example.com\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\n\
            QmFja3VwIGpvYiBEYWlseSBTdWNjZXNzIGF0IDIyOjAw\r\nQmFja3Vw";
        assert!(text_of(raw).starts_with("Backup job Daily Success at 22:00"), "{}", text_of(raw));
    }

    #[test]
    fn many_parts_and_header_lines_are_cut() {
        let mut raw = b"From: a@example.com\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n".to_vec();
        for _ in 0..MAX_MIME_PARTS + 50 {
            raw.extend_from_slice(b"--b\r\nContent-Type: text/plain\r\n\r\nx\r\n");
        }
        let cut = parts_cut(&raw, &boundaries(&raw));
        assert!(cut < raw.len());
        assert!(read_mail(&raw).is_ok());
        let mut raw = b"From: a@example.com\r\n".to_vec();
        for _ in 0..MAX_HEADER_LINES + 10 {
            raw.extend_from_slice(b"X-A: b\r\n");
        }
        raw.extend_from_slice(b"Subject: late\r\n\r\nbody\r\n");
        let mail = read_mail(&raw).unwrap();
        assert_eq!(mail.text.as_deref().map(str::trim), Some("body"));
    }

    #[test]
    fn too_large() {
        let raw = vec![b'a'; MAX_MAIL_BYTES + 1];
        assert_eq!(read_mail(&raw), Err(MimeError::TooLarge(MAX_MAIL_BYTES + 1)));
    }
}
