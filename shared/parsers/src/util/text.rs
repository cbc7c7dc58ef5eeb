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
    // Fast path: an ASCII prefix against ASCII text (the common case).
    let (sb, pb) = (s.as_bytes(), prefix.as_bytes());
    if prefix.is_ascii() {
        let head = sb.get(..pb.len())?;
        if head.is_ascii() {
            return head.eq_ignore_ascii_case(pb).then(|| &s[pb.len()..]);
        }
    }
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
    let line = line.trim_start_matches(|c: char| c.is_whitespace() || c == '-' || c == '*' || c == '•');
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
    // Already clean: one copy, no scan per word.
    let b = s.as_bytes();
    if !b.is_empty()
        && !b[0].is_ascii_whitespace()
        && !b[b.len() - 1].is_ascii_whitespace()
        && b.is_ascii()
        && !b.windows(2).any(|w| w[0] == b' ' && w[1] == b' ')
        && !b.iter().any(|&c| c.is_ascii_whitespace() && c != b' ')
    {
        return s.to_string();
    }
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

/// Removes the tags mail gateways put before a subject (`[EXTERNAL]`,
/// `*** SPAM ***`, `[Extern]`, ...), any case, repeated.
pub(crate) fn strip_gateway_tags(subject: &str) -> &str {
    const TAGS: [&str; 14] = [
        "[external]",
        "[ext]",
        "[external sender]",
        "[external email]",
        "external:",
        "[extern]",
        "extern:",
        "[externe]",
        "[externo]",
        "[spam]",
        "***spam***",
        "*** spam ***",
        "[suspicious]",
        "[caution]",
    ];
    let mut s = subject.trim();
    // Bounded: every round removes at least one character.
    while let Some(rest) = TAGS.iter().find_map(|t| strip_prefix_ci(s, t)) {
        s = rest.trim_start();
    }
    s
}

/// Removes reply and forward prefixes (`Fwd:`, `FW:`, `WG:`, `TR:`, `Re:`,
/// `AW:`, `RV:`, `Doorst:`) that mail clients put before a subject.
pub(crate) fn strip_forward_prefixes(subject: &str) -> &str {
    const PREFIXES: [&str; 10] = ["fwd", "fw", "wg", "tr", "re", "aw", "rv", "doorst", "antw", "enc"];
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

/// Bytes of an attachment as text: UTF-8 (a BOM is dropped), UTF-16 with
/// a BOM, else Windows-1252 (which covers ISO-8859-1's printable range).
pub(crate) fn decode_text(bytes: &[u8]) -> String {
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return String::from_utf8_lossy(rest).into_owned();
    }
    let utf16 = |rest: &[u8], le: bool| {
        let units = rest
            .chunks_exact(2)
            .map(|c| if le { u16::from_le_bytes([c[0], c[1]]) } else { u16::from_be_bytes([c[0], c[1]]) });
        char::decode_utf16(units).map(|c| c.unwrap_or('\u{fffd}')).collect::<String>()
    };
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        return utf16(rest, true);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        return utf16(rest, false);
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => bytes.iter().map(|&b| cp1252(b)).collect(),
    }
}

fn cp1252(b: u8) -> char {
    const C1: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž', '\u{8f}', '\u{90}', '‘',
        '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}', 'ž', 'Ÿ',
    ];
    match b {
        0x80..=0x9f => C1[usize::from(b - 0x80)],
        _ => char::from(b),
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
        assert_eq!(strip_forward_prefixes("Fwd: FW:  [Success] Job"), "[Success] Job");
        assert_eq!(strip_forward_prefixes("WG: AW: x"), "x");
        assert_eq!(strip_forward_prefixes("Trouble: x"), "Trouble: x");
        assert_eq!(strip_forward_prefixes("Re:"), "");
        assert_eq!(strip_gateway_tags("[EXTERNAL] *** SPAM *** [Success] Job"), "[Success] Job");
        assert_eq!(strip_gateway_tags("[Success] Job"), "[Success] Job");
    }

    #[test]
    fn legacy_text() {
        assert_eq!(decode_text(b"\xEF\xBB\xBFa,\xC3\xA4"), "a,ä");
        assert_eq!(decode_text(b"Gr\xFC\xDFe \x80"), "Grüße €");
        assert_eq!(decode_text(b"\xFF\xFEa\x00\xE4\x00"), "aä");
        assert_eq!(decode_text(b"\xFE\xFF\x00a"), "a");
    }

    #[test]
    fn whitespace_and_truncation() {
        assert_eq!(collapse_ws("  a \u{a0} b\n\tc "), "a b c");
        assert_eq!(truncate_chars("äbc", 1), "…");
        assert_eq!(truncate_chars("abc", 5), "abc");
    }
}
