//! What the product configures about parsing: keyword rules per sender
//! (the healthchecks.io convention) for mails no product parser reads.

use serde::{Deserialize, Serialize};

/// Where a keyword rule looks for its keywords.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    Subject,
    Body,
    #[default]
    Both,
}

/// A rule for mails of one sender that no product parser reads: the first
/// keyword list with a hit decides the status, checked failure, then
/// warning, then success. Keywords are case-sensitive substrings.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct KeywordRule {
    /// An exact address (`backup@host.example.com`) or a whole domain
    /// (`@example.com`); compared without regard to case.
    pub sender: String,
    pub failure: Vec<String>,
    pub warning: Vec<String>,
    pub success: Vec<String>,
    pub scope: Scope,
    /// A fixed job name; without one the job is named after the subject
    /// with the rule's keywords, dates and times taken out.
    pub job_name: Option<String>,
}

/// Options for [`crate::parse_report_with`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ParseOptions {
    /// Asked after every product parser, exact senders before domains,
    /// in the order given.
    pub keyword_rules: Vec<KeywordRule>,
}

impl KeywordRule {
    /// Whether the rule is for `address` (already lower-cased): exact
    /// address first, then `@domain`.
    pub(crate) fn sender_fit(&self, address: &str) -> Option<SenderFit> {
        let rule = self.sender.trim();
        if rule.is_empty() || address.is_empty() {
            return None;
        }
        if let Some(domain) = rule.strip_prefix('@') {
            let (_, addr_domain) = address.rsplit_once('@')?;
            addr_domain.eq_ignore_ascii_case(domain).then_some(SenderFit::Domain)
        } else {
            rule.eq_ignore_ascii_case(address).then_some(SenderFit::Exact)
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum SenderFit {
    Exact,
    Domain,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn senders() {
        let exact = KeywordRule { sender: "Backup@Host.Example.com".into(), ..KeywordRule::default() };
        assert_eq!(exact.sender_fit("backup@host.example.com"), Some(SenderFit::Exact));
        assert_eq!(exact.sender_fit("other@host.example.com"), None);
        let domain = KeywordRule { sender: "@example.com".into(), ..KeywordRule::default() };
        assert_eq!(domain.sender_fit("a@example.com"), Some(SenderFit::Domain));
        assert_eq!(domain.sender_fit("a@sub.example.com"), None);
        assert_eq!(domain.sender_fit("a@example.com.evil.example.net"), None);
        assert_eq!(KeywordRule::default().sender_fit("a@example.com"), None);
    }

    #[test]
    fn options_read_from_json_with_defaults() {
        let opts: ParseOptions = serde_json::from_str(
            r#"{"keyword_rules":[{"sender":"@example.com","failure":["FAIL"],"scope":"subject"}]}"#,
        )
        .unwrap();
        let rule = &opts.keyword_rules[0];
        assert_eq!(rule.scope, Scope::Subject);
        assert_eq!(rule.failure, vec!["FAIL".to_string()]);
        assert!(rule.success.is_empty() && rule.job_name.is_none());
        let opts: ParseOptions = serde_json::from_str(r#"{"keyword_rules":[{}]}"#).unwrap();
        assert_eq!(opts.keyword_rules[0].scope, Scope::Both);
    }
}
