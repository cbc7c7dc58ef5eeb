//! `backupchecks parse FILE...`: one JSON object per file and line. Exit 0
//! when every file parsed, 1 when any did not, 2 on an I/O error.

use std::path::PathBuf;
use std::process::ExitCode;

use bc_parsers::{parse_report, read_mail};
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
            "objects": r.objects.iter().map(|o| json!({
                "name": o.name,
                "type": o.object_type,
                "status": o.status,
                "message": o.message,
            })).collect::<Vec<_>>(),
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
            "objects": [],
            "error": e,
        }),
    }
}

pub fn run(files: &[PathBuf]) -> ExitCode {
    let mut any_failed = false;
    let mut io_error = false;
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
        let result =
            read_mail(&raw).map_err(|e| e.to_string()).and_then(|m| parse_report(&m).map_err(|e| e.to_string()));
        any_failed |= result.is_err();
        println!("{}", line(&name, result));
    }
    if io_error {
        ExitCode::from(2)
    } else if any_failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
