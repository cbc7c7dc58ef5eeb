//! Edge cases of the public API: mails a parser claims but cannot read,
//! times without a date, and mails without a `Date:` header.

use bc_parsers::{ParseError, Status, parse_report, read_mail};

fn mail(headers: &str, content_type: &str, body: &str) -> Vec<u8> {
    format!("From: sender@example.com\r\n{headers}MIME-Version: 1.0\r\nContent-Type: {content_type}\r\n\r\n{body}")
        .into_bytes()
}

fn failed_reason(raw: &[u8]) -> (&'static str, String) {
    match parse_report(&read_mail(raw).expect("a mail")) {
        Err(ParseError::Failed { parser, reason }) => (parser, reason),
        other => panic!("expected a parse failure, got {other:?}"),
    }
}

const VEEAM_MINI: &str = "<table><tr><td>Backup job: Mini</td><td>Success</td></tr>\
    <tr><td><b>Start time</b></td><td>23:50:00</td><td><b>End time</b></td><td>00:10:00 (+1)</td></tr>\
    <tr><td>Name</td><td>Status</td><td>Start time</td><td>End time</td></tr>\
    <tr><td>vm1</td><td>Success</td><td>23:50:10</td><td>00:09:00</td></tr>\
    <tr><td>vm2</td><td>Error</td><td>00:01:00</td><td>00:05:00</td></tr></table>";

#[test]
fn a_claimed_mail_whose_body_is_not_understood_fails_with_a_reason() {
    let raw = mail("Subject: [Success] Daily (3 objects)\r\n", "text/plain", "The report was stripped.\r\n");
    let (parser, reason) = failed_reason(&raw);
    assert_eq!(parser, "veeam-vbr");
    assert!(reason.contains("no HTML body"), "{reason}");

    let raw = mail("Subject: [Success] Daily (3 objects)\r\n", "text/html", "<p>no table here</p>\r\n");
    let (_, reason) = failed_reason(&raw);
    assert!(reason.contains("no Veeam header row"), "{reason}");

    let raw = mail(
        "Subject: vzdump backup status (pve.example.com): backup successful\r\n",
        "text/plain",
        "Something else entirely.\r\n",
    );
    let (parser, reason) = failed_reason(&raw);
    assert_eq!(parser, "proxmox-vzdump");
    assert!(reason.contains("Details table"), "{reason}");

    let raw = mail(
        "Subject: [NAS] Backup task completed\r\n",
        "text/plain",
        "Synology DiskStation\r\nSomething completed.\r\n",
    );
    let (parser, reason) = failed_reason(&raw);
    assert_eq!(parser, "synology-hyper-backup");
    assert!(reason.contains("task name"), "{reason}");
}

#[test]
fn veeam_times_without_a_session_date_are_anchored_to_the_mail_date() {
    let raw =
        mail("Subject: whatever\r\nDate: Wed, 04 Mar 2026 00:10:30 -0500\r\n", "text/html; charset=utf-8", VEEAM_MINI);
    let report = parse_report(&read_mail(&raw).expect("a mail")).expect("a report");
    assert_eq!(report.status, Status::Success, "the header's result wins over the objects");
    assert_eq!(report.started_at.expect("start").to_rfc3339(), "2026-03-03T23:50:00-05:00");
    assert_eq!(report.ended_at.expect("end").to_rfc3339(), "2026-03-04T00:10:00-05:00");
    assert_eq!(report.duration_secs, Some(1200));
    assert_eq!(report.objects[0].ended_at.expect("end").to_rfc3339(), "2026-03-04T00:09:00-05:00");
    assert_eq!(report.objects[1].status, Status::Failed, "Error reads as Failed");
    assert_eq!(report.objects[1].started_at.expect("start").to_rfc3339(), "2026-03-04T00:01:00-05:00");
}

#[test]
fn without_a_date_header_local_times_stay_unknown() {
    let raw = mail("Subject: whatever\r\n", "text/html; charset=utf-8", VEEAM_MINI);
    let report = parse_report(&read_mail(&raw).expect("a mail")).expect("a report");
    assert_eq!(report.started_at, None);
    assert_eq!(report.ended_at, None);
    assert!(report.objects.iter().all(|o| o.started_at.is_none() && o.ended_at.is_none()));
    assert_eq!(report.job_name, "Mini");
}

#[test]
fn forwarded_as_attachment_reports_are_read() {
    let inner = "From: root@pve9.example.com\r\nSubject: vzdump backup status (pve9.example.com): backup successful\r\n\
        Content-Type: text/plain\r\n\r\nDetails\r\n=======\r\n\
        VMID    Name    Status    Time    Size       Filename    \r\n\
        100     a       ok        5s      1 GiB      vm/100/x    \r\n\
        Total running time: 5s\r\nTotal size: 1 GiB\r\n";
    let raw = format!(
        "From: admin@example.org\r\nSubject: Fwd: vzdump backup status (pve9.example.com): backup successful\r\n\
         Content-Type: multipart/mixed; boundary=\"x\"\r\n\r\n--x\r\nContent-Type: message/rfc822\r\n\r\n{inner}\r\n--x--\r\n"
    );
    let report = parse_report(&read_mail(raw.as_bytes()).expect("a mail")).expect("a report");
    assert_eq!(report.job_name, "pve9.example.com");
    assert_eq!(report.objects.len(), 1);
    assert_eq!(report.sizes.backup_bytes, Some(1 << 30));
}

#[test]
fn absurd_durations_and_sizes_do_not_overflow() {
    let raw = mail(
        "Subject: [NAS] Backup task Huge completed\r\nDate: Tue, 03 Mar 2026 03:14:09 +0100\r\n",
        "text/plain; charset=utf-8",
        "Synology\r\nTask: Huge\r\nStart time: 2026-03-03 02:00:01\r\n\
         Duration: 99999999999 year(s) 5 second(s)\r\nIncreased target size: 99999999999999999999999 EB\r\n",
    );
    let report = parse_report(&read_mail(&raw).expect("a mail")).expect("a report");
    assert_eq!(report.job_name, "Huge");
    assert_eq!(report.ended_at, None, "an end beyond the calendar is unknown");
    assert_eq!(report.sizes.backup_bytes, None);
}

fn rule(sender: &str) -> bc_parsers::KeywordRule {
    bc_parsers::KeywordRule {
        sender: sender.into(),
        failure: vec!["ERROR".into()],
        warning: vec!["WARN".into()],
        success: vec!["Success".into()],
        ..bc_parsers::KeywordRule::default()
    }
}

#[test]
fn a_product_parser_wins_over_a_keyword_rule() {
    let raw =
        mail("Subject: whatever\r\nDate: Wed, 04 Mar 2026 00:10:30 -0500\r\n", "text/html; charset=utf-8", VEEAM_MINI);
    let mail = read_mail(&raw).expect("a mail");
    let options = bc_parsers::ParseOptions { keyword_rules: vec![rule("sender@example.com")] };
    let report = bc_parsers::parse_report_with(&mail, &options).expect("a report");
    assert_eq!(report.parser, "veeam-vbr");
    assert_eq!(bc_parsers::matching_parsers_with(&mail, &options), vec!["veeam-vbr", "keyword-rule"]);
    assert_eq!(parse_report(&mail), bc_parsers::parse_report_with(&mail, &Default::default()));
}

#[test]
fn a_keyword_rule_catches_a_claimed_mail_its_parser_cannot_read() {
    let raw =
        mail("Subject: [Success] Daily (3 objects)\r\n", "text/plain", "The report was stripped by a gateway.\r\n");
    let mail = read_mail(&raw).expect("a mail");
    assert!(matches!(parse_report(&mail), Err(ParseError::Failed { parser: "veeam-vbr", .. })));
    let options = bc_parsers::ParseOptions { keyword_rules: vec![rule("@example.com")] };
    let report = bc_parsers::parse_report_with(&mail, &options).expect("the rule decides");
    assert_eq!(report.parser, "keyword-rule");
    assert_eq!(report.status, Status::Success);
    assert_eq!(report.job_name, "Daily (3 objects)");
    assert!(
        report.messages.iter().any(|m| m.starts_with("read by the keyword rule because veeam-vbr:")),
        "{:?}",
        report.messages
    );
}

#[test]
fn keyword_rules_match_the_original_sender_of_a_forwarded_mail() {
    let raw = "From: Jane <jane@customer.example.org>\r\nSubject: Fwd: nightly script WARN\r\n\
               Content-Type: text/plain\r\n\r\n---------- Forwarded message ---------\r\n\
               From: Script Runner <script@host.example.net>\r\nSubject: nightly script WARN\r\n\r\n\
               2 files skipped\r\n";
    let mail = read_mail(raw.as_bytes()).expect("a mail");
    let options = bc_parsers::ParseOptions { keyword_rules: vec![rule("script@host.example.net")] };
    let report = bc_parsers::parse_report_with(&mail, &options).expect("a report");
    assert_eq!(report.status, Status::Warning);
    assert_eq!(report.job_name, "nightly script");
    // Exact senders before domains, whatever the order given.
    let options = bc_parsers::ParseOptions {
        keyword_rules: vec![
            bc_parsers::KeywordRule { failure: vec!["skipped".into()], ..rule("@host.example.net") },
            rule("script@host.example.net"),
        ],
    };
    let report = bc_parsers::parse_report_with(&mail, &options).expect("a report");
    assert_eq!(report.status, Status::Warning, "the exact-address rule decides");
}

#[test]
fn keywords_are_case_sensitive_and_respect_the_scope() {
    let raw = mail("Subject: backup error in subject\r\n", "text/plain", "all fine: Success\r\n");
    let mail = read_mail(&raw).expect("a mail");
    let with = |scope| bc_parsers::ParseOptions {
        keyword_rules: vec![bc_parsers::KeywordRule { scope, ..rule("@example.com") }],
    };
    // "error" is not "ERROR".
    let r = bc_parsers::parse_report_with(&mail, &with(bc_parsers::Scope::Both)).expect("a report");
    assert_eq!(r.status, Status::Success);
    assert_eq!(bc_parsers::parse_report_with(&mail, &with(bc_parsers::Scope::Subject)), Err(ParseError::NoParser));
}
