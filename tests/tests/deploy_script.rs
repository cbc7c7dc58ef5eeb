//! `scripts/deploy` end to end against stub `sam` and `aws` executables put
//! first on PATH: they record their arguments and print canned stack
//! outputs, so the test checks the sequence of calls (build, deploy guided or
//! not, upload, invalidation, the active receipt rule set) and the DNS and SES
//! steps printed at the end. Nothing reaches AWS.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

const SAM_STUB: &str = r#"#!/usr/bin/env bash
printf 'sam %s\n' "$*" >> "$STUB_LOG"
"#;

/// Canned outputs of a deployed stack, answered to the
/// `--query "Stacks[0].Outputs[?OutputKey=='X'].OutputValue"` form.
const AWS_STUB: &str = r#"#!/usr/bin/env bash
printf 'aws %s\n' "$*" >> "$STUB_LOG"
case "$1 $2" in
    "cloudformation describe-stacks")
        case "$*" in
            *"'SiteUrl'"*) echo "https://d111example.cloudfront.net" ;;
            *"'SiteBucketName'"*) echo "bc-site-bucket" ;;
            *"'DistributionId'"*) echo "E2EXAMPLE" ;;
            *"'DistributionDomainName'"*) echo "d111example.cloudfront.net" ;;
            *"'InboundMxRecord'"*) echo "reports.msp.example. MX 10 inbound-smtp.eu-west-1.amazonaws.com" ;;
            *"'MailDomainDkimRecords'"*) echo "a._domainkey.reports.msp.example CNAME a.dkim.amazonses.com ; b._domainkey.reports.msp.example CNAME b.dkim.amazonses.com ; c._domainkey.reports.msp.example CNAME c.dkim.amazonses.com" ;;
            *"'ReceiptRuleSetName'"*) echo "backupchecks-inbound" ;;
            *"'InboundMailAddress'"*) echo "<anything>@reports.msp.example" ;;
            *"'SchedulerFunctionName'"*) echo "backupchecks-SchedulerFunction-abc" ;;
            *) echo "None" ;;
        esac ;;
    "ses describe-active-receipt-rule-set") echo "${STUB_ACTIVE_RULE_SET:-None}" ;;
    "cloudfront create-invalidation") echo "I2EXAMPLE" ;;
esac
"#;

struct Run {
    calls: Vec<String>,
    stdout: String,
}

fn write_exec(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// Runs scripts/deploy with the stubs, a samconfig.toml of the given text,
/// a built frontend of two files, and `active` as the active rule set.
fn deploy(samconfig: &str, active: Option<&str>, args: &[&str]) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    write_exec(&bin.join("sam"), SAM_STUB);
    write_exec(&bin.join("aws"), AWS_STUB);
    let config = dir.path().join("samconfig.toml");
    std::fs::write(&config, samconfig).unwrap();
    let dist = dir.path().join("dist");
    std::fs::create_dir_all(dist.join("pkg")).unwrap();
    std::fs::write(dist.join("index.html"), "<!doctype html>").unwrap();
    std::fs::write(dist.join("pkg/app_bg.wasm"), b"\0asm").unwrap();
    let log = dir.path().join("calls.log");

    let mut cmd = Command::new(root().join("scripts/deploy"));
    cmd.args(args)
        .env("PATH", format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default()))
        .env("STUB_LOG", &log)
        .env("SAM_CONFIG_FILE", &config)
        .env("FRONTEND_DIST", &dist)
        .env_remove("STUB_ACTIVE_RULE_SET");
    if let Some(a) = active {
        cmd.env("STUB_ACTIVE_RULE_SET", a);
    }
    let out = cmd.output().expect("run scripts/deploy");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "scripts/deploy failed: {}\n{stdout}\n{stderr}", out.status);
    // The calls, with the temporary paths made stable for the assertions.
    let calls = std::fs::read_to_string(&log)
        .unwrap_or_default()
        .lines()
        .map(|c| c.replace(&config.display().to_string(), "<samconfig>").replace(&dist.display().to_string(), "<dist>"))
        .collect();
    Run { calls, stdout }
}

/// The calls other than reading stack outputs, in order.
fn actions(run: &Run) -> Vec<&str> {
    run.calls.iter().map(String::as_str).filter(|c| !c.starts_with("aws cloudformation describe-stacks")).collect()
}

const FIRST_TIME: &str = r#"version = 0.1
[default.global.parameters]
stack_name = "backupchecks"
[default.deploy.parameters]
capabilities = "CAPABILITY_IAM"
"#;

const DEPLOYED: &str = r#"version = 0.1
[default.global.parameters]
stack_name = "backupchecks"
[default.deploy.parameters]
capabilities = "CAPABILITY_IAM"
region = "eu-west-1"
parameter_overrides = "MailDomain=\"reports.msp.example\" MailFrom=\"backupchecks@msp.example\""
"#;

#[test]
fn the_first_deploy_is_guided_and_warns_before_replacing_an_active_rule_set() {
    let run = deploy(FIRST_TIME, Some("other-app-rules"), &[]);
    assert_eq!(
        actions(&run),
        vec![
            "sam build --config-file <samconfig>",
            "sam deploy --guided --config-file <samconfig> --stack-name backupchecks",
            "aws s3 sync <dist>/ s3://bc-site-bucket/ --delete --exclude index.html --exclude *.wasm \
             --cache-control public, max-age=31536000, immutable",
            "aws s3 cp <dist>/pkg/app_bg.wasm s3://bc-site-bucket/pkg/app_bg.wasm --content-type application/wasm \
             --cache-control public, max-age=31536000, immutable",
            "aws s3 cp <dist>/index.html s3://bc-site-bucket/index.html --content-type text/html; charset=utf-8 \
             --cache-control no-cache",
            "aws cloudfront create-invalidation --distribution-id E2EXAMPLE --paths /index.html / \
             --query Invalidation.Id --output text",
            "aws ses describe-active-receipt-rule-set --query Metadata.Name --output text",
        ]
    );
    // The outputs are read from this stack, before the upload needs them.
    let first_upload = run.calls.iter().position(|c| c.starts_with("aws s3 ")).unwrap();
    assert!(
        run.calls[..first_upload]
            .iter()
            .any(|c| c.contains("--stack-name backupchecks") && c.contains("OutputKey=='SiteBucketName'"))
    );

    let out = &run.stdout;
    assert!(out.contains("reports.msp.example. MX 10 inbound-smtp.eu-west-1.amazonaws.com"), "{out}");
    for k in ["a", "b", "c"] {
        assert!(out.contains(&format!("{k}._domainkey.reports.msp.example CNAME {k}.dkim.amazonses.com")), "{out}");
    }
    assert!(out.contains("WARNING: the active receipt rule set in this region is \"other-app-rules\""), "{out}");
    assert!(out.contains("would REPLACE other-app-rules"), "{out}");
    assert!(out.contains("ReceiptRuleSetName=other-app-rules"), "{out}");
    assert!(out.contains("aws ses set-active-receipt-rule-set --rule-set-name backupchecks-inbound"), "{out}");
    assert!(out.contains("backupchecks-SchedulerFunction-abc"), "the bootstrap-admin step: {out}");
    // It never activates a rule set itself.
    assert!(!run.calls.iter().any(|c| c.contains("set-active-receipt-rule-set")));
}

#[test]
fn later_deploys_are_not_guided_and_say_when_the_rule_set_is_active() {
    let run = deploy(DEPLOYED, Some("backupchecks-inbound"), &[]);
    let a = actions(&run);
    assert_eq!(
        &a[..2],
        ["sam build --config-file <samconfig>", "sam deploy --config-file <samconfig> --stack-name backupchecks"]
    );
    assert!(a.iter().any(|c| c.starts_with("aws cloudfront create-invalidation --distribution-id E2EXAMPLE")));
    let out = &run.stdout;
    assert!(out.contains("The receipt rule set backupchecks-inbound is the active one"), "{out}");
    assert!(!out.contains("WARNING"), "{out}");
}

#[test]
fn no_active_rule_set_prints_the_activation_and_flags_are_passed_on() {
    let run = deploy(
        DEPLOYED,
        None,
        &["--guided", "--stack-name", "bc-test", "--skip-frontend", "--", "--no-confirm-changeset"],
    );
    assert_eq!(
        actions(&run),
        vec![
            "sam build --config-file <samconfig>",
            "sam deploy --guided --config-file <samconfig> --stack-name bc-test --no-confirm-changeset",
            "aws ses describe-active-receipt-rule-set --query Metadata.Name --output text",
        ]
    );
    assert!(
        run.calls.iter().filter(|c| c.starts_with("aws cloudformation")).all(|c| c.contains("--stack-name bc-test"))
    );
    let out = &run.stdout;
    assert!(out.contains("No receipt rule set is active in this region"), "{out}");
    assert!(out.contains("aws ses set-active-receipt-rule-set --rule-set-name backupchecks-inbound"), "{out}");
}
