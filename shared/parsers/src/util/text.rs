//! Plain-text helpers shared by the parsers: case-insensitive search,
//! `Label: value` lines, whitespace clean-up. All linear in their input.

/// Byte offset of the first ASCII-case-insensitive occurrence of `needle`.
///
/// `needle` may contain non-ASCII characters; those must match exactly.
pub(crate) fn find_ci(hay: &str, needle: &str) -> Option<usize> {
    let h = hay.as_bytes();
    let n = needle.as_bytes();
    let (&first, rest) = n.split_first()?;
    if n.len() > h.len() {
        return None;
    }
    let last_start = h.len() - n.len();
    let (lower, upper) = (first.to_ascii_lowercase(), first.to_ascii_uppercase());
    let mut from = 0;
    while from <= last_start {
        let i = from + memchr::memchr2(lower, upper, &h[from..=last_start])?;
        if h[i + 1..i + n.len()].eq_ignore_ascii_case(rest) {
            return Some(i);
        }
        from = i + 1;
    }
    None
}

pub(crate) fn contains_ci(hay: &str, needle: &str) -> bool {
    find_ci(hay, needle).is_some()
}

/// If `s` starts with `prefix` (Unicode simple case folding per char),
/// returns the rest of `s`.
pub(crate) fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let mut rest = s.char_indices();
    for p in prefix.chars() {
        let (_, c) = rest.next()?;
        if !chars_eq_ci(c, p) {
            return None;
        }
    }
    match rest.next() {
        Some((i, _)) => Some(&s[i..]),
        None => Some(""),
    }
}

pub(crate) fn eq_ci(a: &str, b: &str) -> bool {
    strip_prefix_ci(a, b).is_some_and(str::is_empty)
}

fn chars_eq_ci(a: char, b: char) -> bool {
    a == b || (a.is_ascii() && b.is_ascii() && a.eq_ignore_ascii_case(&b)) || {
        let mut la = a.to_lowercase();
        let mut lb = b.to_lowercase();
        loop {
            match (la.next(), lb.next()) {
                (None, None) => break true,
                (x, y) if x == y => continue,
                _ => break false,
            }
        }
    }
}

/// The value of the first line of the form `Label: value` for any of
/// `labels` (case-insensitive, spaces allowed before the colon). Leading
/// bullets and spaces on the line are ignored.
pub(crate) fn labeled_value<'a>(text: &'a str, labels: &[&str]) -> Option<&'a str> {
    text.lines().find_map(|line| line_value(line, labels))
}

/// `Label: value` on one line, for any of `labels`.
pub(crate) fn line_value<'a>(line: &'a str, labels: &[&str]) -> Option<&'a str> {
    let line =
        line.trim_start_matches(|c: char| c.is_whitespace() || c == '-' || c == '*' || c == '•');
    labels.iter().find_map(|label| {
        let rest = strip_prefix_ci(line, label)?;
        let rest = rest.trim_start_matches([' ', '\t', '\u{a0}']);
        let rest = rest.strip_prefix(':')?;
        let value = rest.trim();
        (!value.is_empty()).then_some(value)
    })
}

/// Collapses runs of whitespace (including no-break spaces) to one space
/// and trims the ends.
pub(crate) fn collapse_ws(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in s.split(|c: char| c.is_whitespace()) {
        if word.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// Cuts `s` to at most `max` bytes on a character boundary, marking the cut.
pub(crate) fn truncate_chars(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}

/// Removes reply and forward prefixes (`Fwd:`, `FW:`, `WG:`, `TR:`, `Re:`,
/// `AW:`, `RV:`, `Doorst:`) that mail clients put before a subject.
pub(crate) fn strip_forward_prefixes(subject: &str) -> &str {
    const PREFIXES: [&str; 10] = [
        "fwd", "fw", "wg", "tr", "re", "aw", "rv", "doorst", "antw", "enc",
    ];
    let mut s = subject.trim();
    // Bounded: every round removes at least one character.
    loop {
        let mut stripped = false;
        for p in PREFIXES {
            if let Some(rest) = strip_prefix_ci(s, p) {
                let rest = rest.trim_start();
                if let Some(rest) = rest.strip_prefix(':') {
                    s = rest.trim_start();
                    stripped = true;
                    break;
                }
            }
        }
        if !stripped {
            return s;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_insensitive_search() {
        assert_eq!(find_ci("Backup JOB: x", "job:"), Some(7));
        assert_eq!(find_ci("abc", "abcd"), None);
        assert_eq!(find_ci("", "a"), None);
        assert_eq!(find_ci("a", ""), None);
        assert!(contains_ci("Erhöhte Zielgröße: 1 GB", "zielgröße"));
    }

    #[test]
    fn labels_and_values() {
        let text = "Task: Nightly\n  Dauer : 3 Minute(n)\nERHÖHTE ZIELGRÖSSE: 1 GB\nEmpty:\n";
        assert_eq!(labeled_value(text, &["task"]), Some("Nightly"));
        assert_eq!(labeled_value(text, &["dauer"]), Some("3 Minute(n)"));
        assert_eq!(labeled_value(text, &["erhöhte zielgrösse"]), Some("1 GB"));
        assert_eq!(labeled_value(text, &["empty"]), None);
        assert!(eq_ci("Status", "STATUS"));
        assert!(!eq_ci("Statuses", "STATUS"));
    }

    #[test]
    fn forward_prefixes() {
        assert_eq!(
            strip_forward_prefixes("Fwd: FW:  [Success] Job"),
            "[Success] Job"
        );
        assert_eq!(strip_forward_prefixes("WG: AW: x"), "x");
        assert_eq!(strip_forward_prefixes("Trouble: x"), "Trouble: x");
        assert_eq!(strip_forward_prefixes("Re:"), "");
    }

    #[test]
    fn whitespace_and_truncation() {
        assert_eq!(collapse_ws("  a \u{a0} b\n\tc "), "a b c");
        assert_eq!(truncate_chars("äbc", 1), "…");
        assert_eq!(truncate_chars("abc", 5), "abc");
    }
}
