//! The parser registry: ordered parsers with match rules; first match wins.

use std::sync::LazyLock;

use crate::options::ParseOptions;
use crate::parse_input::{ForwardedBlock, ParseInput};
use crate::parsers::PARSERS;
use crate::{MailMessage, Report, keyword_rules};

/// What the registry says about one parser (for docs and the API).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParserInfo {
    /// Stable id, stored with every run (`veeam-vbr`, `proxmox-vzdump`, ...).
    pub id: &'static str,
    pub software: &'static str,
    pub job_types: &'static [&'static str],
    pub languages: &'static [&'static str],
    /// Human-readable match rules (sender, subject, body).
    pub match_rules: &'static str,
    /// Lower runs first.
    pub order: u32,
    /// How the job name is formed, in words.
    pub job_name_rule: &'static str,
    /// What the parser reads from a mail, in words.
    pub fields: &'static str,
    /// What its fixtures were built from.
    pub fixtures: &'static str,
    /// How far to trust the parser, from what its fixtures are: `high` =
    /// at least [`HIGH_REAL_FIXTURES`] real mails, or fixtures rendered from
    /// the vendor's own templates or source ([`Self::vendor_source`]);
    /// `medium` = at least one real mail; `low` = reconstructed fixtures
    /// only. [`confidence_for`] is the rule; a test holds every parser to it.
    pub confidence: &'static str,
    /// The fixtures were rendered from the vendor's own templates or source
    /// code (or the format is this product's own).
    pub vendor_source: bool,
    /// The fixtures that are real mails or real report bodies, with where
    /// they come from.
    pub real_fixtures: &'static [RealFixture],
}

/// A fixture that is a real report (a real mail, or a real body posted in
/// public), anonymised where it named people or companies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RealFixture {
    /// The file under `tests/fixtures/<parser id>/`.
    pub file: &'static str,
    /// Where it was found (a public address and what was changed).
    pub source: &'static str,
}

/// Real fixtures that make a parser's confidence `high` on their own.
pub const HIGH_REAL_FIXTURES: usize = 3;

/// The confidence rule: from the real fixtures and the vendor-source flag,
/// not from judgement.
pub fn confidence_for(info: &ParserInfo) -> &'static str {
    match (info.real_fixtures.len(), info.vendor_source) {
        (n, _) if n >= HIGH_REAL_FIXTURES => "high",
        (_, true) => "high",
        (0, false) => "low",
        _ => "medium",
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("no parser recognises this mail")]
    NoParser,
    #[error("{parser}: {reason}")]
    Failed { parser: &'static str, reason: String },
}

/// One parser: what it is, whether it claims a mail, and how it reads one.
pub(crate) struct Parser {
    pub info: ParserInfo,
    /// Cheap checks on sender, subject and body; no full parse.
    pub claims: fn(&ParseInput<'_>) -> bool,
    /// Reads a claimed mail; the error says what could not be understood.
    pub parse: fn(&ParseInput<'_>) -> Result<Report, String>,
}

static INFOS: LazyLock<Vec<ParserInfo>> =
    LazyLock::new(|| PARSERS.iter().map(|p| p.info.clone()).chain([keyword_rules::INFO]).collect());

/// Every parser, in the order they are asked; the last entry is the
/// keyword rules, asked only when [`ParseOptions`] configure some.
pub fn registry() -> &'static [ParserInfo] {
    &INFOS
}

/// Parses a report mail with the first parser whose match rules fit.
/// The same as [`parse_report_with`] without keyword rules.
pub fn parse_report(mail: &MailMessage) -> Result<Report, ParseError> {
    parse_report_with(mail, &ParseOptions::default())
}

/// Parses a report mail: the first product parser whose match rules fit
/// reads it; when none fits, or the one that fits cannot read it, the
/// first keyword rule for the sender with a keyword hit decides.
pub fn parse_report_with(mail: &MailMessage, options: &ParseOptions) -> Result<Report, ParseError> {
    let view = ParseInput::new(mail);
    // A forwarded report is read as the original first: the sender and
    // subject of the forwarded header block, the same body. The forwarder
    // is then no part of the job's identity.
    if let Some((original, block)) = original_of(mail, &view) {
        let with_block = |mut report: Report| {
            report.original_sender = block.sender.clone();
            report.original_subject = block.subject.clone();
            report
        };
        if let Ok(report) = parse_view(&ParseInput::new(&original), options) {
            return Ok(with_block(report));
        }
        return parse_view(&view, options).map(with_block);
    }
    parse_view(&view, options)
}

/// For a forwarded report: the original mail (the forwarded block's
/// sender and subject with the same body) and the block.
fn original_of(mail: &MailMessage, view: &ParseInput<'_>) -> Option<(MailMessage, ForwardedBlock)> {
    let block = view.forwarded_block()?.clone();
    let original = MailMessage {
        from_address: block.sender.clone().or_else(|| mail.from_address.clone()),
        from_name: block.sender_name.clone().or_else(|| mail.from_name.clone()),
        subject: block.subject.clone().unwrap_or_else(|| view.subject.to_string()),
        to: Vec::new(),
        text: mail.text.as_deref().map(unquote),
        html: mail.html.clone(),
        // Not copied (they can be most of a mail): a forwarded report read
        // from an attachment (generic CSV) is read from the mail itself.
        attachments: Vec::new(),
        date: mail.date,
        message_id: mail.message_id.clone(),
        size: mail.size,
    };
    Some((original, block))
}

/// A forwarded text whose lines are quoted (`> Task: ...`, as Apple Mail
/// and some clients forward) without one level of quoting, so the report's
/// own labels start their lines again; any other text as it is.
fn unquote(text: &str) -> String {
    let (mut quoted, mut plain) = (0usize, 0usize);
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        if line.starts_with('>') { quoted += 1 } else { plain += 1 }
    }
    if quoted <= plain {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        let line = line.strip_prefix('>').map_or(line, |l| l.strip_prefix(' ').unwrap_or(l));
        out.push_str(line);
        out.push('\n');
    }
    out
}

fn parse_view(view: &ParseInput<'_>, options: &ParseOptions) -> Result<Report, ParseError> {
    let claimed = PARSERS.iter().find(|p| (p.claims)(view));
    let error = match claimed {
        Some(parser) => match (parser.parse)(view) {
            Ok(report) => return Ok(report),
            Err(reason) => ParseError::Failed { parser: parser.info.id, reason },
        },
        None => ParseError::NoParser,
    };
    match keyword_rules::find(view, options) {
        Some((rule, status, keyword)) => {
            let unread = match &error {
                ParseError::Failed { .. } => Some(error.to_string()),
                ParseError::NoParser => None,
            };
            keyword_rules::report(view, rule, status, keyword, unread.as_deref())
                .map_err(|reason| ParseError::Failed { parser: keyword_rules::ID, reason })
        }
        None => Err(error),
    }
}

/// The ids of every parser whose match rules fit the mail, in registry
/// order; the first one is the one [`parse_report`] uses. For diagnostics
/// ("why did this mail go to that parser?") and tests.
pub fn matching_parsers(mail: &MailMessage) -> Vec<&'static str> {
    matching_parsers_with(mail, &ParseOptions::default())
}

/// [`matching_parsers`] with keyword rules: `keyword-rule` is listed last
/// when a rule fits the mail.
pub fn matching_parsers_with(mail: &MailMessage, options: &ParseOptions) -> Vec<&'static str> {
    let view = ParseInput::new(mail);
    if let Some((original, _)) = original_of(mail, &view) {
        let ids = claiming(&ParseInput::new(&original), options);
        if !ids.is_empty() {
            return ids;
        }
    }
    claiming(&view, options)
}

fn claiming(view: &ParseInput<'_>, options: &ParseOptions) -> Vec<&'static str> {
    let mut ids: Vec<&'static str> = PARSERS.iter().filter(|p| (p.claims)(view)).map(|p| p.info.id).collect();
    if keyword_rules::find(view, options).is_some() {
        ids.push(keyword_rules::ID);
    }
    ids
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_order_increases() {
        let infos = registry();
        assert!(infos.len() >= 4);
        for pair in infos.windows(2) {
            assert!(pair[0].order < pair[1].order, "{} before {}", pair[0].id, pair[1].id);
        }
        let mut ids: Vec<&str> = infos.iter().map(|i| i.id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), infos.len());
        for info in infos {
            assert!(
                !info.job_types.is_empty()
                    && !info.languages.is_empty()
                    && !info.match_rules.is_empty()
                    && !info.fields.is_empty()
                    && !info.fixtures.is_empty()
                    && !info.job_name_rule.is_empty(),
                "{} documents itself",
                info.id
            );
            assert!(matches!(info.confidence, "high" | "medium" | "low"));
            assert_eq!(info.confidence, confidence_for(info), "{}: confidence follows the rule", info.id);
        }
    }

    #[test]
    fn quoted_forwards_are_unquoted_once() {
        assert_eq!(
            unquote("Begin forwarded message:\n\n> From: a\n>\n> Task: X\n>> kept\n"),
            "Begin forwarded message:\n\nFrom: a\n\nTask: X\n> kept\n"
        );
        assert_eq!(
            unquote("Task: X\n> a quote\nDuration: 1\n"),
            "Task: X\n> a quote\nDuration: 1\n",
            "mostly unquoted: as it is"
        );
    }

    #[test]
    fn an_empty_mail_has_no_parser() {
        assert_eq!(parse_report(&MailMessage::default()), Err(ParseError::NoParser));
        assert!(matching_parsers(&MailMessage::default()).is_empty());
    }
}
