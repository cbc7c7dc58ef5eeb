//! The parser registry: ordered parsers with match rules; first match wins.

use std::sync::LazyLock;

use crate::mail_view::MailView;
use crate::parsers::PARSERS;
use crate::{MailMessage, Report};

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
    /// What the parser was built from, and so how far to trust it:
    /// `high` (vendor templates or source), `medium` (public parsers of real
    /// mails), `low` (public fragments only).
    pub confidence: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("no parser recognises this mail")]
    NoParser,
    #[error("{parser}: {reason}")]
    Failed {
        parser: &'static str,
        reason: String,
    },
}

/// One parser: what it is, whether it claims a mail, and how it reads one.
pub(crate) struct Parser {
    pub info: ParserInfo,
    /// Cheap checks on sender, subject and body; no full parse.
    pub claims: fn(&MailView<'_>) -> bool,
    /// Reads a claimed mail; the error says what could not be understood.
    pub parse: fn(&MailView<'_>) -> Result<Report, String>,
}

static INFOS: LazyLock<Vec<ParserInfo>> =
    LazyLock::new(|| PARSERS.iter().map(|p| p.info.clone()).collect());

/// Every parser, in the order they are asked.
pub fn registry() -> &'static [ParserInfo] {
    &INFOS
}

/// Parses a report mail with the first parser whose match rules fit.
pub fn parse_report(mail: &MailMessage) -> Result<Report, ParseError> {
    let view = MailView::new(mail);
    let parser = PARSERS
        .iter()
        .find(|p| (p.claims)(&view))
        .ok_or(ParseError::NoParser)?;
    (parser.parse)(&view).map_err(|reason| ParseError::Failed {
        parser: parser.info.id,
        reason,
    })
}

/// The ids of every parser whose match rules fit the mail, in registry
/// order; the first one is the one [`parse_report`] uses. For diagnostics
/// ("why did this mail go to that parser?") and tests.
pub fn matching_parsers(mail: &MailMessage) -> Vec<&'static str> {
    let view = MailView::new(mail);
    PARSERS
        .iter()
        .filter(|p| (p.claims)(&view))
        .map(|p| p.info.id)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_order_increases() {
        let infos = registry();
        assert!(infos.len() >= 4);
        for pair in infos.windows(2) {
            assert!(
                pair[0].order < pair[1].order,
                "{} before {}",
                pair[0].id,
                pair[1].id
            );
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
            );
            assert!(matches!(info.confidence, "high" | "medium" | "low"));
        }
    }

    #[test]
    fn an_empty_mail_has_no_parser() {
        assert_eq!(
            parse_report(&MailMessage::default()),
            Err(ParseError::NoParser)
        );
        assert!(matching_parsers(&MailMessage::default()).is_empty());
    }
}
