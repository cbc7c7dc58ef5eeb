//! Keyword rules: per-sender, case-sensitive keywords that give a status
//! to mails no product parser reads (the healthchecks.io convention).
//! Asked after every product parser, so a product parser always wins.

use bc_api_types::Status;

use crate::Report;
use crate::options::{KeywordRule, ParseOptions, Scope};
use crate::parse_input::ParseInput;
use crate::registry::ParserInfo;
use crate::report::Draft;
use crate::util::text::collapse_ws;

pub(crate) const ID: &str = "keyword-rule";
const SOFTWARE: &str = "Keyword rule";

pub(crate) const INFO: ParserInfo = ParserInfo {
    id: ID,
    software: SOFTWARE,
    job_types: &["Keyword rule"],
    languages: &["any"],
    match_rules: "Only with rules configured per sender (`ParseOptions::keyword_rules`): the sender is the rule's \
                  address, or its `@domain`; a failure, then warning, then success keyword (case-sensitive) occurs \
                  in the subject, the body or both. Asked after every product parser; exact senders before \
                  domains. Also catches a mail a product parser claimed but could not read.",
    order: 1000,
    job_name_rule: "The rule's fixed job name, else the subject without the rule's keywords, dates and times \
                    (`Nightly rsync OK 2026-03-03` -> `Nightly rsync`), else the sender address.",
    fields: "status; the line holding the deciding failure or warning keyword as a message",
    fixtures: "Generic script and appliance mails (rsync, a NAS script, a monitoring appliance) with rules in \
               `NAME.options.json`.",
    confidence: "high",
    vendor_source: true,
    real_fixtures: &[],
};

/// The rule, status and keyword that decide a mail, if any rule fits.
pub(crate) fn find<'o>(view: &ParseInput<'_>, options: &'o ParseOptions) -> Option<(&'o KeywordRule, Status, &'o str)> {
    if options.keyword_rules.is_empty() {
        return None;
    }
    let senders = view.senders();
    let mut candidates: Vec<(crate::options::SenderFit, usize, &KeywordRule)> = options
        .keyword_rules
        .iter()
        .enumerate()
        .filter_map(|(i, rule)| {
            senders.iter().filter_map(|s| crate::options::sender_fit(rule, s)).min().map(|fit| (fit, i, rule))
        })
        .collect();
    candidates.sort_by_key(|(fit, i, _)| (*fit, *i));
    candidates.into_iter().find_map(|(_, _, rule)| {
        let hit = |words: &'o [String]| {
            words.iter().map(String::as_str).find(|w| !w.is_empty() && in_scope(view, rule.scope, w))
        };
        hit(&rule.failure)
            .map(|w| (Status::Failed, w))
            .or_else(|| hit(&rule.warning).map(|w| (Status::Warning, w)))
            .or_else(|| hit(&rule.success).map(|w| (Status::Success, w)))
            .map(|(status, word)| (rule, status, word))
    })
}

fn in_scope(view: &ParseInput<'_>, scope: Scope, word: &str) -> bool {
    let subject = || view.subject.contains(word);
    let body = || view.text().contains(word);
    match scope {
        Scope::Subject => subject(),
        Scope::Body => body(),
        Scope::Both => subject() || body(),
    }
}

/// The report a keyword rule gives; `unread` is the error of the product
/// parser that claimed the mail but could not read it, kept as a note.
pub(crate) fn report(
    view: &ParseInput<'_>,
    rule: &KeywordRule,
    status: Status,
    keyword: &str,
    unread: Option<&str>,
) -> Result<Report, String> {
    let mut draft = Draft::new(ID, SOFTWARE);
    draft.job_type = "Keyword rule".to_string();
    draft.status = Some(status);
    draft.job_name = rule
        .job_name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_string)
        .or_else(|| name_from_subject(view.subject, rule))
        .or_else(|| view.senders().into_iter().next())
        .unwrap_or_else(|| "Keyword rule".to_string());
    if status != Status::Success {
        let line = [view.subject]
            .into_iter()
            .filter(|_| rule.scope != Scope::Body)
            .chain(view.text().lines().filter(|_| rule.scope != Scope::Subject))
            .find(|l| l.contains(keyword));
        if let Some(line) = line {
            draft.message(line);
        }
    }
    if let Some(e) = unread {
        draft.note(&format!("read by the keyword rule because {e}"));
    }
    draft.finish()
}

/// The subject without the rule's keywords, dates, times and leftover
/// punctuation: what stays the same from run to run.
fn name_from_subject(subject: &str, rule: &KeywordRule) -> Option<String> {
    let mut s = subject.to_string();
    let mut words: Vec<&str> = rule
        .failure
        .iter()
        .chain(&rule.warning)
        .chain(&rule.success)
        .map(String::as_str)
        .filter(|w| !w.is_empty())
        .collect();
    // Longest first, so "FAILED" goes before "FAIL" leaves "ED".
    words.sort_by_key(|w| std::cmp::Reverse(w.len()));
    for w in words {
        s = s.replace(w, " ");
    }
    let kept: Vec<&str> = s.split_whitespace().filter(|token| !is_date_or_time(token)).collect();
    let name = collapse_ws(&kept.join(" "));
    let name = strip_empty_brackets(&name);
    let name = name
        .trim_matches(|c: char| c.is_whitespace() || matches!(c, '-' | ':' | '|' | ',' | '.' | ';' | '–'))
        .to_string();
    (!name.is_empty()).then_some(name)
}

/// `2026-03-03`, `03.03.2026`, `3/3/26`, `22:00`, `22:00:14`, `(22:00)`.
fn is_date_or_time(token: &str) -> bool {
    let t = token.trim_matches(|c: char| matches!(c, '(' | ')' | '[' | ']' | ',' | ';'));
    let digits = t.bytes().filter(u8::is_ascii_digit).count();
    digits >= 3
        && t.bytes().all(|b| b.is_ascii_digit() || matches!(b, b'-' | b'.' | b'/' | b':' | b'T' | b'Z'))
        && t.bytes().any(|b| matches!(b, b'-' | b'.' | b'/' | b':'))
}

fn strip_empty_brackets(s: &str) -> String {
    let mut out = s.to_string();
    // Bounded: each pass removes at least two characters or stops.
    loop {
        let before = out.len();
        for pair in ["()", "[]", "( )", "[ ]", "{}"] {
            out = out.replace(pair, "");
        }
        if out.len() == before {
            return collapse_ws(&out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule() -> KeywordRule {
        KeywordRule {
            sender: "@example.com".into(),
            failure: vec!["FAILED".into(), "FAIL".into()],
            warning: vec!["WARN".into()],
            success: vec!["OK".into()],
            ..KeywordRule::default()
        }
    }

    #[test]
    fn names_from_subjects() {
        let r = rule();
        assert_eq!(name_from_subject("Nightly rsync OK 2026-03-03 22:00", &r).as_deref(), Some("Nightly rsync"));
        assert_eq!(name_from_subject("[FAILED] Nightly rsync (03.03.2026)", &r).as_deref(), Some("Nightly rsync"));
        assert_eq!(name_from_subject("OK", &r), None);
        assert_eq!(name_from_subject("Backup of db-1 - WARN", &r).as_deref(), Some("Backup of db-1"));
    }

    #[test]
    fn dates_and_times() {
        for t in ["2026-03-03", "03.03.2026", "3/3/26", "22:00", "(22:00:14)", "2026-03-03T21:00:14Z"] {
            assert!(is_date_or_time(t), "{t}");
        }
        for t in ["db-1", "v12", "1.5", "Job"] {
            assert!(!is_date_or_time(t), "{t}");
        }
    }
}
