//! Prints the report of each mail file as JSON (with `NAME.options.json`
//! next to a file, its keyword rules are used):
//! `cargo run -p bc-parsers --example parse -- FILE.eml...`
//! Output into a closed pipe (`| head`) ends it quietly.

use std::io::Write;
use std::path::Path;

use bc_parsers::{ParseOptions, matching_parsers_with, parse_report_with, read_mail};

fn main() {
    let mut out = std::io::stdout().lock();
    for arg in std::env::args().skip(1) {
        let path = Path::new(&arg);
        let raw = match std::fs::read(path) {
            Ok(raw) => raw,
            Err(e) => {
                eprintln!("{arg}: {e}");
                continue;
            }
        };
        let options: ParseOptions = std::fs::read_to_string(path.with_extension("options.json"))
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or_default();
        let text = match read_mail(&raw) {
            Err(e) => format!("read_mail: {e}"),
            Ok(mail) => {
                let claimed = format!("claimed by {:?}", matching_parsers_with(&mail, &options));
                match parse_report_with(&mail, &options) {
                    Ok(r) => format!("{claimed}\n{}", serde_json::to_string_pretty(&r).unwrap_or_default()),
                    Err(e) => format!("{claimed}\nerror: {e}"),
                }
            }
        };
        if writeln!(out, "== {arg}\n{text}").and_then(|()| out.flush()).is_err() {
            // The reader is gone (`| head`), or stdout is unwritable: stop.
            return;
        }
    }
}
