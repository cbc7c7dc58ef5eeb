//! Parsing is isolated: a panic in the MIME decoder or a parser ends that
//! one mail as "unparsed: internal parser error" with the reason, and the
//! caller goes on with the next mail. (The parsers bound their own memory
//! and time by the mail's size; this catches what slips through.)

use std::panic::{AssertUnwindSafe, catch_unwind};

/// Runs `f`; a panic becomes `Err("internal parser error in <what>: <message>")`.
pub fn guarded<T>(what: &str, f: impl FnOnce() -> Result<T, String>) -> Result<T, String> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(payload) => {
            let msg = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            let msg: String = msg.chars().take(300).collect();
            tracing::error!(stage = what, error = %msg, "a parser panicked; the mail is kept unparsed");
            Err(format!("internal parser error in {what}: {msg}"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_an_error() {
        assert_eq!(guarded("x", || Ok::<_, String>(1)), Ok(1));
        assert_eq!(guarded::<()>("x", || Err("no".into())), Err("no".to_string()));
        let e = guarded::<()>("the Retrospect parser", || panic!("slice index starts at 9 but ends at 3")).unwrap_err();
        assert_eq!(e, "internal parser error in the Retrospect parser: slice index starts at 9 but ends at 3");
    }
}
