//! The whole parse path: raw bytes -> `read_mail` -> `parse_report` (and
//! with a keyword rule for every sender, so that path runs too). Any panic,
//! hang or unbounded allocation is a finding.

#![no_main]

use std::sync::LazyLock;

use bc_parsers::{KeywordRule, ParseOptions, Scope, matching_parsers, parse_report, parse_report_with, read_mail};
use libfuzzer_sys::fuzz_target;

static OPTIONS: LazyLock<ParseOptions> = LazyLock::new(|| ParseOptions {
    keyword_rules: vec![KeywordRule {
        sender: "@example.com".into(),
        failure: vec!["FAIL".into(), "Error".into()],
        warning: vec!["Warning".into()],
        success: vec!["OK".into(), "Success".into()],
        scope: Scope::Both,
        job_name: None,
    }],
});

fuzz_target!(|data: &[u8]| {
    if let Ok(mail) = read_mail(data) {
        let _ = matching_parsers(&mail);
        if let Ok(report) = parse_report(&mail) {
            assert!(report.objects.len() <= bc_parsers::MAX_OBJECTS);
            assert!(!report.job_name.trim().is_empty());
        }
        let _ = parse_report_with(&mail, &OPTIONS);
    }
});
