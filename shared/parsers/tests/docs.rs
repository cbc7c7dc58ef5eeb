//! `docs/parsers.md` is generated from the registry; this test keeps the
//! committed file equal to `parsers_markdown()`.
//!
//! `BLESS_DOCS=1 cargo test -p bc-parsers --test docs` rewrites it.

use std::fs;
use std::path::Path;

#[test]
fn docs_parsers_md_matches_the_registry() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/parsers.md");
    let generated = bc_parsers::parsers_markdown();
    if std::env::var_os("BLESS_DOCS").is_some() {
        fs::write(&path, &generated).expect("docs/ is writable");
        return;
    }
    let committed = fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "{} is out of date with the registry; run BLESS_DOCS=1 cargo test -p bc-parsers --test docs",
        path.display()
    );
}

#[test]
fn every_parser_is_in_the_table() {
    let md = bc_parsers::parsers_markdown();
    for info in bc_parsers::registry() {
        assert!(md.contains(&format!("| `{}` |", info.id)), "{}", info.id);
    }
}
