//! The `backupchecks` binary as a user runs it: `parse`, `ingest`,
//! `admin create-user`, and `serve` with its first-start admin, drop folder,
//! API and static frontend.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use bc_api_types::Status;
use bc_tests::mails::{VeeamMail, newsletter};
use serde_json::{Value, json};

mod common;

use common::{BIN, Serve};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/parsers/tests/fixtures")
}

fn lines(out: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(out).lines().map(|l| serde_json::from_str(l).expect("a JSON line")).collect()
}

#[test]
fn parse_prints_one_json_object_per_file() {
    let dir = tempfile::tempdir().unwrap();
    let veeam = dir.path().join("veeam.eml");
    std::fs::write(&veeam, VeeamMail::new("v@a.example.com", "Daily", Status::Warning, 3).objects(2).eml()).unwrap();
    let vzdump = fixtures().join("proxmox-vzdump/failed-guest-text-only.eml");
    let out = Command::new(BIN).arg("parse").arg(&veeam).arg(&vzdump).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let l = lines(&out.stdout);
    assert_eq!(l.len(), 2);
    let keys = [
        "file",
        "ok",
        "parser",
        "software",
        "job_type",
        "job_name",
        "status",
        "started_at",
        "ended_at",
        "duration_secs",
        "sizes",
        "messages",
        "objects",
        "attempt",
        "final_attempt",
        "original_sender",
        "original_subject",
        "error",
    ];
    for v in &l {
        let obj = v.as_object().unwrap();
        assert_eq!(obj.len(), keys.len(), "{v}");
        assert!(keys.iter().all(|k| obj.contains_key(*k)), "{v}");
    }
    assert_eq!(l[0]["parser"], "veeam-vbr");
    assert_eq!(l[0]["job_name"], "Daily");
    assert_eq!(l[0]["status"], "Warning");
    assert_eq!(l[0]["started_at"], "2026-03-04T22:00:00+01:00", "anchored at the mail's Date offset");
    assert_eq!(l[0]["objects"].as_array().unwrap().len(), 2);
    assert_eq!(l[0]["objects"][0]["status"], "Warning");
    let object_keys = ["ended_at", "message", "name", "size_bytes", "started_at", "status", "type"];
    assert!(l[0]["objects"][0].as_object().unwrap().keys().eq(object_keys.iter()), "{}", l[0]["objects"][0]);
    assert_eq!(l[0]["error"], Value::Null);
    assert_eq!(l[1]["parser"], "proxmox-vzdump");
    assert_eq!(l[1]["status"], "Failed");
}

/// Every fixture of every parser, through the binary: the right job,
/// status, times, sizes and objects (the fixture's `.expected.json`).
#[test]
fn parse_gives_the_expected_report_for_every_fixture() {
    let mut plain = Vec::new();
    let mut with_options = Vec::new();
    for dir in std::fs::read_dir(fixtures()).unwrap() {
        let dir = dir.unwrap().path();
        for f in std::fs::read_dir(&dir).unwrap() {
            let f = f.unwrap().path();
            if f.extension().is_some_and(|e| e == "eml") && f.with_extension("expected.json").exists() {
                if f.with_extension("options.json").exists() { with_options.push(f) } else { plain.push(f) }
            }
        }
    }
    assert!(plain.len() + with_options.len() >= 90, "the fixture corpus is there");
    let check = |file: &Path, got: &Value| {
        let want: Value =
            serde_json::from_slice(&std::fs::read(file.with_extension("expected.json")).unwrap()).unwrap();
        let at = |v: &Value| v.as_str().map(|s| chrono::DateTime::parse_from_rfc3339(s).unwrap());
        assert_eq!(got["ok"], true, "{}: {got}", file.display());
        for k in ["parser", "software", "job_type", "job_name", "status", "duration_secs", "sizes", "messages"] {
            assert_eq!(got[k], want[k], "{}: {k}", file.display());
        }
        // Skipped in the expected report when unset.
        for k in ["attempt", "final_attempt", "original_sender", "original_subject"] {
            assert_eq!(got[k], want.get(k).cloned().unwrap_or(Value::Null), "{}: {k}", file.display());
        }
        for k in ["started_at", "ended_at"] {
            assert_eq!(at(&got[k]), at(&want[k]), "{}: {k}", file.display());
        }
        let (g, w) = (got["objects"].as_array().unwrap(), want["objects"].as_array().unwrap());
        assert_eq!(g.len(), w.len(), "{}: objects", file.display());
        for (g, w) in g.iter().zip(w) {
            for k in ["name", "type", "status", "message"] {
                assert_eq!(g[k], w.get(k).cloned().unwrap_or(Value::Null), "{}: object {k}", file.display());
            }
            assert_eq!(g["size_bytes"], w.get("size_bytes").cloned().unwrap_or(Value::Null), "{}", file.display());
            for k in ["started_at", "ended_at"] {
                assert_eq!(at(&g[k]), w.get(k).and_then(at), "{}: object {k}", file.display());
            }
        }
    };
    let out = Command::new(BIN).arg("parse").args(&plain).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    for (file, got) in plain.iter().zip(lines(&out.stdout)) {
        check(file, &got);
    }
    for file in &with_options {
        let out = Command::new(BIN)
            .arg("parse")
            .arg("--options")
            .arg(file.with_extension("options.json"))
            .arg(file)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", file.display());
        check(file, &lines(&out.stdout)[0]);
    }
}

#[test]
fn parse_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    let news = dir.path().join("news.eml");
    std::fs::write(&news, newsletter(1)).unwrap();
    let empty = dir.path().join("empty.eml");
    std::fs::write(&empty, b"").unwrap();
    let out = Command::new(BIN).arg("parse").arg(&news).arg(&empty).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let l = lines(&out.stdout);
    assert_eq!(l.len(), 2);
    assert_eq!((l[0]["ok"].clone(), l[0]["error"].clone()), (json!(false), json!("no parser recognises this mail")));
    assert_eq!(l[1]["error"], "the mail is empty");
    let out = Command::new(BIN).arg("parse").arg(&news).arg(dir.path().join("missing.eml")).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "an I/O error wins");
    assert_eq!(lines(&out.stdout).len(), 1, "the readable file is still reported");
}

/// `backupchecks parse ... | head -n 1`: the reader goes away after one
/// line; the command stops quietly (no panic, nothing on stderr) with the
/// exit code of what it did print.
#[test]
fn parse_into_a_closed_pipe_ends_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let mail = dir.path().join("m.eml");
    std::fs::copy(fixtures().join("veeam-vbr/backup-warning-plus1-base64.eml"), &mail).unwrap();
    // Far more output than a pipe buffers (each line is over 1 KB), so
    // the writes must meet the closed pipe.
    let mut child = Command::new(BIN)
        .arg("parse")
        .args(std::iter::repeat_n(&mail, 3_000))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
    assert_eq!(serde_json::from_str::<Value>(&first).unwrap()["parser"], "veeam-vbr");
    // The reader (and with it the pipe's only read end) is dropped here.
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.is_empty(), "nothing on stderr, no panic: {stderr}");

    // The same through a shell pipe into `head`, as a user types it.
    let script = format!(
        "{BIN} parse {} | head -n 2 > /dev/null; exit ${{PIPESTATUS[0]}}",
        std::iter::repeat_n(mail.display().to_string(), 3_000).collect::<Vec<_>>().join(" ")
    );
    if Path::new("/bin/bash").exists() {
        let out = Command::new("/bin/bash").arg("-c").arg(&script).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{stderr}");
        assert!(!stderr.contains("panicked") && !stderr.contains("Broken pipe"), "{stderr}");
    }
}

#[test]
fn ingest_and_create_user_from_the_command_line() {
    let data = tempfile::tempdir().unwrap();
    let mut child = Command::new(BIN)
        .args(["admin", "create-user", "--username", "olga", "--role", "operator", "--data"])
        .arg(data.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"operator-password-1\n").unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("created olga (operator)"));
    let bad = Command::new(BIN)
        .args(["admin", "create-user", "--username", "x", "--role", "root", "--data"])
        .arg(data.path())
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("unknown role"));

    let mut child = Command::new(BIN)
        .args(["admin", "set-secret", "--name", "autotask", "--data"])
        .arg(data.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"{\"username\":\"api@msp.example\"}\n").unwrap();
    assert!(child.wait_with_output().unwrap().status.success());
    let stored = std::fs::read(data.path().join("secrets/autotask.enc")).unwrap();
    assert!(!String::from_utf8_lossy(&stored).contains("api@msp.example"), "stored encrypted");

    let f = data.path().join("m.eml");
    std::fs::write(&f, VeeamMail::new("v@a.example.com", "Daily", Status::Success, 1).eml()).unwrap();
    let out = Command::new(BIN).args(["ingest", "--data"]).arg(data.path()).arg(&f).arg(&f).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let l = lines(&out.stdout);
    assert_eq!((l[0]["state"].clone(), l[0]["duplicate"].clone()), (json!("inbox"), json!(false)));
    assert_eq!((l[1]["mail_id"].clone(), l[1]["duplicate"].clone()), (l[0]["mail_id"].clone(), json!(true)));
}

fn serve(data: &Path, frontend: &Path) -> Serve {
    common::serve_with(data, &["--frontend".as_ref(), frontend.as_os_str()], &[])
}

async fn until<F, Fut>(what: &str, mut f: F) -> Value
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<Value>>,
{
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if let Some(v) = f().await {
            return v;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("timed out waiting for {what}");
}

#[tokio::test]
async fn serve_runs_the_morning_end_to_end() {
    let data = tempfile::tempdir().unwrap();
    let site = tempfile::tempdir().unwrap();
    std::fs::write(site.path().join("index.html"), "<!doctype html><title>Backupchecks</title>").unwrap();
    let s = serve(data.path(), site.path());
    assert!(s.password.len() >= 16, "the first start prints a one-time admin password");

    let c = bc_tests::server::Client {
        base: s.base.clone(),
        http: reqwest::Client::builder().cookie_store(true).build().unwrap(),
    };
    // The frontend and its deep links are served.
    let (st, headers, body) = c.get_text("/").await;
    assert_eq!(st, 200);
    assert!(body.contains("Backupchecks"));
    assert!(headers["content-security-policy"].to_str().unwrap().contains("frame-ancestors 'none'"));
    assert_eq!(c.get_text("/runs/r123").await.2, body, "SPA fallback");

    let (st, me) = c.post("/api/v1/auth/login", &json!({"username": "admin", "password": s.password})).await;
    assert_eq!(st, 200, "{me}");
    let (_, cust) = c.post("/api/v1/customers", &json!({"name": "Acme"})).await;

    // A mail dropped in the drop folder shows up in the Inbox.
    let drop = data.path().join("drop");
    let write = |name: &str, eml: Vec<u8>| {
        let tmp = drop.join(format!(".{name}.part"));
        std::fs::write(&tmp, eml).unwrap();
        std::fs::rename(&tmp, drop.join(name)).unwrap();
    };
    write("first.eml", VeeamMail::new("v@a.example.com", "Nightly", Status::Success, 1).eml());
    let item = until("the Inbox entry", || async {
        let (_, inbox) = c.get("/api/v1/inbox").await;
        inbox["items"].as_array().and_then(|i| i.first().cloned())
    })
    .await;
    assert_eq!(item["job_name"], "Nightly");
    assert!(!drop.join("first.eml").exists(), "ingested files leave the drop folder");
    let (st, a) = c
        .post(&format!("/api/v1/inbox/{}/approve", item["id"].as_str().unwrap()), &json!({"customer_id": cust["id"]}))
        .await;
    assert_eq!(st, 200, "{a}");
    let job = a["job"]["id"].clone();
    c.post("/api/v1/run-checks/review", &json!({"job_ids": [job]})).await;

    // The next mail of that job lands straight in Run Checks.
    write("second.eml", VeeamMail::new("v@a.example.com", "Nightly", Status::Failed, 2).eml());
    let entry = until("Run Checks", || async {
        let (_, rc) = c.get("/api/v1/run-checks").await;
        rc["jobs"].as_array().and_then(|j| j.first().cloned())
    })
    .await;
    assert_eq!((entry["id"].clone(), entry["status"].clone()), (job.clone(), json!("Failed")));
    let (_, inbox) = c.get("/api/v1/inbox").await;
    assert_eq!(inbox["items"], json!([]));
    let (st, r) = c.post("/api/v1/run-checks/review", &json!({"job_ids": [job]})).await;
    assert_eq!((st, r["changed"].clone()), (reqwest::StatusCode::OK, json!(1)));
    let (_, rc) = c.get("/api/v1/run-checks").await;
    assert_eq!(rc["jobs"], json!([]));

    // A file that is not a mail at all moves to failed/ with the reason;
    // an oversized one too — nothing is lost.
    write("garbage.eml", vec![]);
    until("failed/ entry", || async { drop.join("failed/garbage.eml.error.txt").exists().then_some(Value::Null) })
        .await;
    assert!(std::fs::read_to_string(drop.join("failed/garbage.eml.error.txt")).unwrap().contains("empty"));
    // A file larger than any mail is refused without being read (sparse, so
    // the test does not write 60 MB).
    std::fs::File::create(drop.join(".huge.part")).unwrap().set_len(60 * 1024 * 1024).unwrap();
    std::fs::rename(drop.join(".huge.part"), drop.join("huge.eml")).unwrap();
    until("huge file refused", || async { drop.join("failed/huge.eml.error.txt").exists().then_some(Value::Null) })
        .await;
    assert!(std::fs::read_to_string(drop.join("failed/huge.eml.error.txt")).unwrap().contains("at most"));

    // A second start does not create another admin.
    drop_serve(s);
    let again = serve(data.path(), site.path());
    assert!(again.password.is_empty());
}

fn drop_serve(s: Serve) {
    drop(s);
}
