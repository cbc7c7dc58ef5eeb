//! Prints the report of each mail file as JSON (with `NAME.options.json`
//! next to a file, its keyword rules are used):
//! `cargo run -p bc-parsers --example parse -- FILE.eml...`

use std::path::Path;

use bc_parsers::{ParseOptions, matching_parsers_with, parse_report_with, read_mail};

fn main() {
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
        println!("== {arg}");
        match read_mail(&raw) {
            Err(e) => println!("read_mail: {e}"),
            Ok(mail) => {
                println!("claimed by {:?}", matching_parsers_with(&mail, &options));
                match parse_report_with(&mail, &options) {
                    Ok(r) => println!("{}", serde_json::to_string_pretty(&r).unwrap_or_default()),
                    Err(e) => println!("error: {e}"),
                }
            }
        }
    }
}
