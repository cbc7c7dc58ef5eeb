//! Fixture mails: every `tests/fixtures/<parser-id>/*.eml` parses to the
//! report in its `.expected.json`, is claimed by exactly its own parser,
//! and every mail under `no-parser/` is claimed by none.
//!
//! `BLESS_FIXTURES=1 cargo test -p bc-parsers --test fixtures` rewrites
//! the expected files from the current output (review the diff!).
//!
//! A fixture may come with `NAME.options.json` (a `ParseOptions`): it is
//! then parsed with `parse_report_with` (keyword rules).
//!
//! `unparsed/` holds mails (fuzz findings, damaged beyond reading) that
//! must end as a clean "unparsed": `NAME.reason.txt` is the expected error.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use bc_parsers::{
    ParseError, ParseOptions, Report, Status, matching_parsers_with, parse_report_with, read_mail, registry,
};

const NO_PARSER: &str = "no-parser";
const UNPARSED: &str = "unparsed";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// (folder name, path) of every `.eml` fixture, sorted.
fn fixtures() -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    for dir in fs::read_dir(root()).expect("tests/fixtures exists") {
        let dir = dir.expect("readable dir entry").path();
        if !dir.is_dir() {
            continue;
        }
        let name = dir.file_name().and_then(|n| n.to_str()).expect("utf-8 folder name").to_string();
        for file in fs::read_dir(&dir).expect("readable fixture folder") {
            let path = file.expect("readable dir entry").path();
            if path.extension().is_some_and(|e| e == "eml") {
                out.push((name.clone(), path));
            }
        }
    }
    out.sort();
    out
}

fn expected_path(eml: &Path) -> PathBuf {
    eml.with_extension("expected.json")
}

/// The fixture's `NAME.options.json`, or no options.
fn options(eml: &Path) -> ParseOptions {
    let path = eml.with_extension("options.json");
    match fs::read_to_string(&path) {
        Ok(text) => serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display())),
        Err(_) => ParseOptions::default(),
    }
}

#[test]
fn fixtures_parse_to_their_expected_reports() {
    let bless = std::env::var_os("BLESS_FIXTURES").is_some();
    let mut failures = Vec::new();
    for (folder, path) in fixtures().into_iter().filter(|(f, _)| f != NO_PARSER && f != UNPARSED) {
        let raw = fs::read(&path).expect("readable fixture");
        let mail = read_mail(&raw).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let report = match parse_report_with(&mail, &options(&path)) {
            Ok(r) => r,
            Err(e) => {
                failures.push(format!("{}: {e}", path.display()));
                continue;
            }
        };
        assert_eq!(report.parser, folder, "{}: parsed by the wrong parser", path.display());
        let actual = serde_json::to_string_pretty(&report).expect("a report serialises") + "\n";
        let expected_file = expected_path(&path);
        if bless {
            fs::write(&expected_file, &actual).expect("writable fixture folder");
            continue;
        }
        let expected = fs::read_to_string(&expected_file)
            .unwrap_or_else(|_| panic!("{} is missing; run with BLESS_FIXTURES=1", expected_file.display()));
        let expected: Report = serde_json::from_str(&expected).expect("expected file is a Report");
        if expected != report {
            failures.push(format!("{}: the report differs from the expected one:\n{actual}", path.display()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn mails_that_are_not_reports_have_no_parser() {
    let mut seen = 0;
    for (_, path) in fixtures().into_iter().filter(|(f, _)| f == NO_PARSER) {
        let raw = fs::read(&path).expect("readable fixture");
        let mail = read_mail(&raw).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(parse_report_with(&mail, &options(&path)), Err(ParseError::NoParser), "{}", path.display());
        seen += 1;
    }
    assert!(seen >= 3, "at least three non-report mails");
}

/// Real fixtures are named `real-*.eml` and listed, with their source, in
/// their parser's `real_fixtures` (which docs/parsers.md counts); the list
/// and the files agree both ways.
#[test]
fn real_fixtures_are_listed_and_exist() {
    let fixtures = fixtures();
    for info in registry() {
        for real in info.real_fixtures {
            assert!(real.file.starts_with("real-"), "{}: {} is not named real-*", info.id, real.file);
            assert!(!real.source.trim().is_empty());
            assert!(
                fixtures.iter().any(|(f, p)| f == info.id && p.file_name().is_some_and(|n| n == real.file)),
                "{}: {} is listed but missing",
                info.id,
                real.file
            );
        }
    }
    for (folder, path) in &fixtures {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        if name.starts_with("real-") {
            let info = registry().iter().find(|i| i.id == folder).expect("a parser folder");
            assert!(info.real_fixtures.iter().any(|r| r.file == name), "{folder}/{name} is not listed as real");
        }
    }
}

#[test]
fn unparsed_mails_end_with_their_reason() {
    let mut seen = 0;
    for (_, path) in fixtures().into_iter().filter(|(f, _)| f == UNPARSED) {
        let raw = fs::read(&path).expect("readable fixture");
        let want = fs::read_to_string(path.with_extension("reason.txt"))
            .unwrap_or_else(|_| panic!("{}: NAME.reason.txt is missing", path.display()));
        let got = match read_mail(&raw) {
            Err(e) => e.to_string(),
            Ok(mail) => match parse_report_with(&mail, &options(&path)) {
                Ok(r) => panic!("{}: parsed, but should not: {r:?}", path.display()),
                Err(e) => e.to_string(),
            },
        };
        assert_eq!(got, want.trim(), "{}", path.display());
        seen += 1;
    }
    assert!(seen >= 1);
}

/// Every parser's match rules run over every fixture: each report fixture
/// is claimed by its own parser and by no other.
#[test]
fn each_fixture_is_claimed_by_exactly_its_own_parser() {
    for (folder, path) in fixtures().into_iter().filter(|(f, _)| f != UNPARSED) {
        let raw = fs::read(&path).expect("readable fixture");
        let mail = read_mail(&raw).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let claimed = matching_parsers_with(&mail, &options(&path));
        let expected: Vec<&str> = if folder == NO_PARSER { vec![] } else { vec![folder.as_str()] };
        assert_eq!(claimed, expected, "{}", path.display());
    }
}

#[test]
fn every_parser_has_fixtures_for_its_results() {
    let fixtures = fixtures();
    let folders: BTreeSet<&str> = fixtures.iter().map(|(f, _)| f.as_str()).collect();
    let ids: BTreeSet<&str> = registry().iter().map(|p| p.id).collect();
    for folder in &folders {
        assert!(*folder == NO_PARSER || *folder == UNPARSED || ids.contains(folder), "folder {folder} names no parser");
    }
    let mut statuses = BTreeSet::new();
    for id in ids {
        let count = fixtures.iter().filter(|(f, _)| f == id).count();
        assert!(count >= 3, "{id} has {count} fixtures; want at least 3");
    }
    for (folder, path) in fixtures.iter().filter(|(f, _)| f != NO_PARSER && f != UNPARSED) {
        let Ok(text) = fs::read_to_string(expected_path(path)) else {
            continue;
        };
        let report: Report = serde_json::from_str(&text).expect("expected file is a Report");
        statuses.insert((folder.clone(), format!("{:?}", report.status)));
    }
    for status in [Status::Success, Status::Warning, Status::Failed] {
        assert!(statuses.iter().any(|(_, s)| *s == format!("{status:?}")), "no fixture with status {status}");
    }
    assert!(fixtures.iter().filter(|(f, _)| f != NO_PARSER && f != UNPARSED).count() >= 14);
}
