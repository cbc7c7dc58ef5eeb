//! What the product configures about parsing: keyword rules per sender
//! (the healthchecks.io convention) for mails no product parser reads.

use serde::{Deserialize, Serialize};

pub use bc_api_types::{KeywordRule, Scope};

/// Options for [`crate::parse_report_with`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ParseOptions {
    /// Asked after every product parser, exact senders before domains,
    /// in the order given.
    pub keyword_rules: Vec<KeywordRule>,
}

/// Whether `rule` is for `address` (already lower-cased): exact address
/// first, then `@domain`.
pub(crate) fn sender_fit(rule: &KeywordRule, address: &str) -> Option<SenderFit> {
    let rule = rule.sender.trim();
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
        assert_eq!(sender_fit(&exact, "backup@host.example.com"), Some(SenderFit::Exact));
        assert_eq!(sender_fit(&exact, "other@host.example.com"), None);
        let domain = KeywordRule { sender: "@example.com".into(), ..KeywordRule::default() };
        assert_eq!(sender_fit(&domain, "a@example.com"), Some(SenderFit::Domain));
        assert_eq!(sender_fit(&domain, "a@sub.example.com"), None);
        assert_eq!(sender_fit(&domain, "a@example.com.evil.example.net"), None);
        assert_eq!(sender_fit(&KeywordRule::default(), "a@example.com"), None);
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
