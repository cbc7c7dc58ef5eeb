//! Reads the verdicts a receiving server wrote on a mail: the topmost
//! `Authentication-Results` header (RFC 8601) when its authserv-id is
//! trusted, and, when `amazonses.com` is trusted, SES's own
//! `X-SES-Spam-Verdict`, `X-SES-Virus-Verdict` and `Received-SPF` headers
//! (topmost of each: SES prepends them above whatever the sender wrote).
//!
//! Only the topmost `Authentication-Results` header counts: a receiving
//! server adds its header above the ones the mail arrived with, so any lower
//! header, even one naming a trusted id, may be the sender's forgery.

use bc_api_types::{MailVerdicts, Verdict};

/// The authserv-id of Amazon SES's inbound endpoint.
pub const SES_AUTHSERV_ID: &str = "amazonses.com";

/// Header fields are read from at most this much of the mail.
const HEADER_LIMIT: usize = 256 * 1024;

/// The header fields of a raw mail, in order, unfolded; names lowercased.
pub fn header_fields(raw: &[u8]) -> Vec<(String, String)> {
    let head = &raw[..raw.len().min(HEADER_LIMIT)];
    let text = String::from_utf8_lossy(head);
    let mut out: Vec<(String, String)> = Vec::new();
    for line in text.split('\n') {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.is_empty() {
            break;
        }
        if line.starts_with([' ', '\t']) {
            if let Some(last) = out.last_mut() {
                last.1.push(' ');
                last.1.push_str(line.trim());
            }
            continue;
        }
        match line.split_once(':') {
            Some((name, value)) if !name.is_empty() && !name.contains(' ') => {
                out.push((name.trim().to_ascii_lowercase(), value.trim().to_string()))
            }
            // Not a header line: the header block is over (a body without
            // the blank line, or garbage).
            _ => break,
        }
    }
    out
}

fn topmost<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
}

/// Removes RFC 5322 comments (parenthesised, possibly nested).
fn strip_comments(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut depth = 0u32;
    for c in s.chars() {
        match c {
            '(' => depth += 1,
            ')' if depth > 0 => depth -= 1,
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// A result keyword of RFC 8601 (or SES's `X-SES-*` values) as a verdict.
pub fn verdict_of(word: &str) -> Verdict {
    match word.trim().to_ascii_lowercase().as_str() {
        "pass" => Verdict::Pass,
        "fail" | "hardfail" => Verdict::Fail,
        "softfail" | "neutral" | "policy" | "gray" => Verdict::Gray,
        "temperror" | "permerror" | "processing_failed" => Verdict::ProcessingFailed,
        _ => Verdict::None,
    }
}

/// The authserv-id of an `Authentication-Results` value, lowercased.
pub fn authserv_id(value: &str) -> String {
    let clean = strip_comments(value);
    let first = clean.split(';').next().unwrap_or("");
    first.split_whitespace().next().unwrap_or("").to_ascii_lowercase()
}

/// SPF, DKIM and DMARC results of an `Authentication-Results` value. Several
/// DKIM signatures: a pass of any of them is a pass.
fn auth_results(value: &str) -> (Verdict, Verdict, Verdict) {
    let clean = strip_comments(value);
    let (mut spf, mut dkim, mut dmarc) = (None, None, None);
    for resinfo in clean.split(';').skip(1) {
        let Some((method, rest)) = resinfo.trim().split_once('=') else { continue };
        let result = verdict_of(rest.split_whitespace().next().unwrap_or(""));
        match method.trim().to_ascii_lowercase().as_str() {
            "spf" if spf.is_none() => spf = Some(result),
            // The first DKIM result, or a later pass (one passing signature suffices).
            "dkim" if dkim != Some(Verdict::Pass) && (dkim.is_none() || result == Verdict::Pass) => dkim = Some(result),
            "dmarc" if dmarc.is_none() => dmarc = Some(result),
            _ => {}
        }
    }
    (spf.unwrap_or_default(), dkim.unwrap_or_default(), dmarc.unwrap_or_default())
}

/// The verdicts a raw mail carries from the trusted receiving servers
/// (`trusted`: authserv-ids, lowercase). Nothing trusted: every verdict `none`.
pub fn read_verdicts(raw: &[u8], trusted: &[String]) -> MailVerdicts {
    let fields = header_fields(raw);
    let is_trusted = |id: &str| trusted.iter().any(|t| t.eq_ignore_ascii_case(id));
    let mut v = MailVerdicts::default();
    if let Some(ar) = topmost(&fields, "authentication-results") {
        let id = authserv_id(ar);
        if !id.is_empty() && is_trusted(&id) {
            (v.spf, v.dkim, v.dmarc) = auth_results(ar);
            v.source = Some(id);
        }
    }
    if is_trusted(SES_AUTHSERV_ID) {
        if let Some(s) = topmost(&fields, "x-ses-spam-verdict") {
            v.spam = verdict_of(s);
        }
        if let Some(s) = topmost(&fields, "x-ses-virus-verdict") {
            v.virus = verdict_of(s);
        }
        if v.spf == Verdict::None
            && let Some(s) = topmost(&fields, "received-spf")
        {
            v.spf = verdict_of(s.split_whitespace().next().unwrap_or(""));
        }
        if v.source.is_none() && (v.spam != Verdict::None || v.virus != Verdict::None) {
            v.source = Some(SES_AUTHSERV_ID.to_string());
        }
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ses() -> Vec<String> {
        vec![SES_AUTHSERV_ID.to_string()]
    }

    const SES_MAIL: &str = "Return-Path: <backup@customer.example>\r\n\
Received: from mail.customer.example by inbound-smtp.us-east-1.amazonaws.com with SMTP id abc\r\n\
X-SES-Spam-Verdict: PASS\r\n\
X-SES-Virus-Verdict: PASS\r\n\
Received-SPF: pass (spfCheck: domain of customer.example designates 192.0.2.1 as permitted sender) client-ip=192.0.2.1;\r\n\
Authentication-Results: amazonses.com;\r\n spf=pass (spfCheck: domain of customer.example designates 192.0.2.1 as permitted sender) client-ip=192.0.2.1; envelope-from=backup@customer.example;\r\n dkim=pass header.i=@customer.example;\r\n dmarc=fail header.from=customer.example;\r\n\
From: backup@customer.example\r\n\
Subject: [Success] Daily\r\n\
\r\n\
body\r\n";

    #[test]
    fn reads_ses_headers() {
        let v = read_verdicts(SES_MAIL.as_bytes(), &ses());
        assert_eq!(
            (v.spam, v.virus, v.spf, v.dkim, v.dmarc),
            (Verdict::Pass, Verdict::Pass, Verdict::Pass, Verdict::Pass, Verdict::Fail)
        );
        assert_eq!(v.source.as_deref(), Some("amazonses.com"));
        assert!(v.failed_authentication());
    }

    #[test]
    fn nothing_trusted_reads_nothing() {
        let v = read_verdicts(SES_MAIL.as_bytes(), &[]);
        assert_eq!(v, MailVerdicts::default());
    }

    #[test]
    fn a_forged_lower_header_does_not_count() {
        // The receiving server (mx.msp.example) says DMARC failed; the sender
        // added its own "pass" headers, for the trusted id and for SES, below.
        let raw = "Authentication-Results: mx.msp.example; spf=fail smtp.mailfrom=x.example; dkim=fail; dmarc=fail\r\n\
Received: from evil.example by mx.msp.example\r\n\
Authentication-Results: mx.msp.example; spf=pass; dkim=pass; dmarc=pass\r\n\
Authentication-Results: amazonses.com; spf=pass; dkim=pass; dmarc=pass\r\n\
X-SES-Virus-Verdict: PASS\r\n\
From: a@x.example\r\n\r\nbody";
        let trusted = vec!["mx.msp.example".to_string()];
        let v = read_verdicts(raw.as_bytes(), &trusted);
        assert_eq!((v.spf, v.dkim, v.dmarc), (Verdict::Fail, Verdict::Fail, Verdict::Fail));
        // SES is not trusted here: its headers are ignored.
        assert_eq!(v.virus, Verdict::None);
        assert!(v.failed_authentication());

        // When the topmost header is not of a trusted id, a lower one that
        // is does not count either.
        let raw = "Authentication-Results: relay.other.example; dmarc=fail\r\n\
Authentication-Results: mx.msp.example; dmarc=pass\r\n\r\nbody";
        let v = read_verdicts(raw.as_bytes(), &trusted);
        assert_eq!(v, MailVerdicts::default());
    }

    #[test]
    fn ses_virus_and_spam_verdicts_and_received_spf_fallback() {
        let raw = "X-SES-Spam-Verdict: GRAY\r\nX-SES-Virus-Verdict: FAIL\r\n\
Received-SPF: softfail (spfCheck: transitioning) client-ip=192.0.2.9;\r\n\
X-SES-Virus-Verdict: PASS\r\nSubject: x\r\n\r\nbody";
        let v = read_verdicts(raw.as_bytes(), &ses());
        assert_eq!((v.spam, v.virus, v.spf), (Verdict::Gray, Verdict::Fail, Verdict::Gray));
        let raw = "X-SES-Virus-Verdict: PROCESSING_FAILED\r\n\r\n";
        assert_eq!(read_verdicts(raw.as_bytes(), &ses()).virus, Verdict::ProcessingFailed);
    }

    #[test]
    fn several_dkim_signatures_and_comments() {
        let raw = "Authentication-Results: mx.example 1 (version; note); dkim=fail (bad sig) header.d=a.example;\r\n\tdkim=pass header.d=b.example; spf=none; dmarc=temperror\r\n\r\n";
        let trusted = vec!["MX.example".to_string()];
        let v = read_verdicts(raw.as_bytes(), &trusted);
        assert_eq!((v.spf, v.dkim, v.dmarc), (Verdict::None, Verdict::Pass, Verdict::ProcessingFailed));
        assert_eq!(v.source.as_deref(), Some("mx.example"));
    }

    #[test]
    fn header_block_ends_at_the_blank_line() {
        let raw = "Subject: a\r\n\r\nAuthentication-Results: amazonses.com; dmarc=pass\r\n";
        assert_eq!(read_verdicts(raw.as_bytes(), &ses()), MailVerdicts::default());
        assert!(header_fields(&[0xff; 10]).is_empty());
    }
}
