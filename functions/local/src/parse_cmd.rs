//! `backupchecks parse FILE...`: one JSON object per file and line. Exit 0
//! when every file parsed, 1 when any did not, 2 on an I/O error.
//!
//! Keys: `file`, `ok`, `parser`, `software`, `job_type`, `job_name`,
//! `status` (`Success`/`Warning`/`Failed`), `started_at`, `ended_at` (RFC
//! 3339 at the mail's offset, or null), `duration_secs`, `sizes` (bytes),
//! `messages`, `objects` (`name`, `type`, `status`, `message`, `started_at`,
//! `ended_at`, `size_bytes`), `attempt` (1 = the scheduled run, 2 = its
//! first retry, or null), `final_attempt` (true/false, or null when the
//! report does not tell), `original_sender` and `original_subject` (of a
//! forwarded report, from the quoted header block, or null) and `error`.
//!
//! Output to a pipe that closes early (`| head`) ends the command quietly:
//! the files not yet printed are not read.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use bc_parsers::{ParseOptions, parse_report_with, read_mail};
use serde_json::{Value, json};

fn line(file: &str, result: Result<bc_api_types::Report, String>) -> Value {
    match result {
        Ok(r) => json!({
            "file": file,
            "ok": true,
            "parser": r.parser,
            "software": r.software,
            "job_type": r.job_type,
            "job_name": r.job_name,
            "status": r.status,
            "started_at": r.started_at.map(|t| t.to_rfc3339()),
            "ended_at": r.ended_at.map(|t| t.to_rfc3339()),
            "duration_secs": r.duration_secs,
            "sizes": r.sizes,
            "messages": r.messages,
            "objects": r.objects.iter().map(|o| json!({
                "name": o.name,
                "type": o.object_type,
                "status": o.status,
                "message": o.message,
                "started_at": o.started_at.map(|t| t.to_rfc3339()),
                "ended_at": o.ended_at.map(|t| t.to_rfc3339()),
                "size_bytes": o.size_bytes,
            })).collect::<Vec<_>>(),
            "attempt": r.attempt,
            "final_attempt": r.final_attempt,
            "original_sender": r.original_sender,
            "original_subject": r.original_subject,
            "error": null,
        }),
        Err(e) => json!({
            "file": file,
            "ok": false,
            "parser": null,
            "software": null,
            "job_type": null,
            "job_name": null,
            "status": null,
            "started_at": null,
            "ended_at": null,
            "duration_secs": null,
            "sizes": null,
            "messages": [],
            "objects": [],
            "attempt": null,
            "final_attempt": null,
            "original_sender": null,
            "original_subject": null,
            "error": e,
        }),
    }
}

pub fn run(options: Option<&std::path::Path>, files: &[PathBuf]) -> ExitCode {
    let options: ParseOptions = match options.map(std::fs::read) {
        None => ParseOptions::default(),
        Some(Ok(bytes)) => match serde_json::from_slice(&bytes) {
            Ok(o) => o,
            Err(e) => {
                eprintln!("error: --options: not parse options JSON: {e}");
                return ExitCode::from(2);
            }
        },
        Some(Err(e)) => {
            eprintln!("error: --options: {e}");
            return ExitCode::from(2);
        }
    };
    let mut any_failed = false;
    let mut io_error = false;
    let mut out = std::io::stdout().lock();
    for f in files {
        let name = f.display().to_string();
        let raw = match std::fs::read(f) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("error: {name}: {e}");
                io_error = true;
                continue;
            }
        };
        let result = read_mail(&raw)
            .map_err(|e| e.to_string())
            .and_then(|m| parse_report_with(&m, &options).map_err(|e| e.to_string()));
        any_failed |= result.is_err();
        if let Err(e) = writeln!(out, "{}", line(&name, result)).and_then(|()| out.flush()) {
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                // The reader is gone (`| head`): stop, quietly.
                break;
            }
            eprintln!("error: writing the output: {e}");
            return ExitCode::from(2);
        }
    }
    if io_error {
        ExitCode::from(2)
    } else if any_failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
