//! Durations as backup tools print them, to whole seconds: `0:07:26`,
//! `1.02:03:04` (days first), `00:05:05.45`, `1h 2m 3s`, `5min 12s`,
//! `1 Stunde(n) 2 Minute(n) 3 Sekunde(n)`, `2 hour(s) 5 minute(s)`,
//! `1 uur 2 minuten`, `3 heure(s)`.

/// Parses a duration; `None` when any part is not understood.
pub fn parse_duration(s: &str) -> Option<u64> {
    let s = s.trim();
    if s.is_empty() || s.len() > 200 {
        return None;
    }
    // Proxmox prints sub-second runs as "<0.1s".
    if s.starts_with('<') {
        return Some(0);
    }
    if s.contains(':') {
        return parse_clock(s);
    }
    parse_units(s)
}

/// `[D.]H:MM:SS[.fraction]`, also `D.HH:MM:SS` (.NET TimeSpan) and hours
/// above 24.
fn parse_clock(s: &str) -> Option<u64> {
    let mut parts = s.split(':');
    let (first, minutes, seconds) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let (days, hours) = match first.split_once('.') {
        Some((d, h)) => (number(d)?, number(h)?),
        None => (0, number(first)?),
    };
    let minutes = number(minutes)?;
    let seconds = match seconds.split_once(['.', ',']) {
        Some((whole, frac)) if frac.bytes().all(|b| b.is_ascii_digit()) => number(whole)?,
        Some(_) => return None,
        None => number(seconds)?,
    };
    if minutes >= 60 || seconds >= 60 {
        return None;
    }
    days.checked_mul(86_400)?.checked_add(hours.checked_mul(3_600)?)?.checked_add(minutes * 60 + seconds)
}

fn number(s: &str) -> Option<u64> {
    let s = s.trim();
    if s.is_empty() || s.len() > 12 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// A sequence of `<number> <unit>` pairs, in any language we know.
fn parse_units(s: &str) -> Option<u64> {
    let mut total: u64 = 0;
    let mut pairs = 0;
    let mut rest = s;
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_whitespace() || c == ',');
        if rest.is_empty() {
            break;
        }
        for filler in ["and ", "und ", "en ", "et "] {
            if let Some(r) = rest.strip_prefix(filler) {
                rest = r.trim_start();
            }
        }
        let digits_end = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
        let value = number(&rest[..digits_end])?;
        rest = &rest[digits_end..];
        // Fractions of a second ("1.5s") count as whole seconds.
        if let Some(r) = rest.strip_prefix(['.', ',']) {
            rest = r.trim_start_matches(|c: char| c.is_ascii_digit());
        }
        rest = rest.trim_start();
        let word_end = rest.find(|c: char| !c.is_alphabetic()).unwrap_or(rest.len());
        let word = &rest[..word_end];
        rest = &rest[word_end..];
        // Plural markers: "Stunde(n)", "hour(s)", "seconde(s)".
        if rest.starts_with('(') {
            match rest.find(')') {
                Some(close) if close <= 4 => rest = &rest[close + 1..],
                _ => return None,
            }
        }
        let unit = unit_seconds(word)?;
        total = total.checked_add(value.checked_mul(unit)?)?;
        pairs += 1;
    }
    (pairs > 0).then_some(total)
}

fn unit_seconds(word: &str) -> Option<u64> {
    const MINUTE: u64 = 60;
    const HOUR: u64 = 3_600;
    const DAY: u64 = 86_400;
    // Proxmox: `M` is months, `m` minutes.
    match word {
        "" => return None,
        "M" => return Some(30 * DAY),
        "m" => return Some(MINUTE),
        _ => {}
    }
    let w = word.to_lowercase();
    let w = w.as_str();
    if matches!(w, "ms" | "msec" | "us" | "µs" | "usec" | "ns" | "nsec") || w.starts_with("milli") {
        return Some(0);
    }
    // Longest, most specific prefixes first.
    const TABLE: [(&str, u64); 22] = [
        ("min", MINUTE),
        ("mo", 30 * DAY),
        ("maand", 30 * DAY),
        ("mes", 30 * DAY),
        ("sem", 7 * DAY),
        ("sec", 1),
        ("sek", 1),
        ("se", 1),
        ("s", 1),
        ("st", HOUR),
        ("uur", HOUR),
        ("u", HOUR),
        ("ora", HOUR),
        ("ore", HOUR),
        ("h", HOUR),
        ("ja", 365 * DAY),
        ("j", DAY),
        ("giorn", DAY),
        ("t", DAY),
        ("d", DAY),
        ("w", 7 * DAY),
        ("y", 365 * DAY),
    ];
    // "st" (Stunde) must win over "s" (seconds): check two-letter prefixes
    // before one-letter ones by trying the table in order, but "s" only
    // when no longer prefix applies.
    let mut best: Option<(usize, u64)> = None;
    for (prefix, secs) in TABLE {
        if w.starts_with(prefix) && best.is_none_or(|(len, _)| prefix.len() > len) {
            best = Some((prefix.len(), secs));
        }
    }
    best.map(|(_, secs)| secs)
}

#[cfg(test)]
mod tests {
    use super::parse_duration;

    #[test]
    fn clock_formats() {
        assert_eq!(parse_duration("0:07:26"), Some(446));
        assert_eq!(parse_duration("01:02:03"), Some(3723));
        assert_eq!(parse_duration("26:00:01"), Some(93_601));
        assert_eq!(parse_duration("1.02:03:04"), Some(86_400 + 7384));
        assert_eq!(parse_duration("00:05:05.45"), Some(305));
        assert_eq!(parse_duration("0:61:00"), None);
        assert_eq!(parse_duration("1:02"), None);
        assert_eq!(parse_duration("a:b:c"), None);
    }

    #[test]
    fn unit_formats() {
        assert_eq!(parse_duration("1h 2m 3s"), Some(3723));
        assert_eq!(parse_duration("1h 1min 3s"), Some(3663));
        assert_eq!(parse_duration("5m 12s"), Some(312));
        assert_eq!(parse_duration("45s"), Some(45));
        assert_eq!(parse_duration("1M 1d 3s"), Some(30 * 86_400 + 86_400 + 3));
        assert_eq!(parse_duration("<0.1s"), Some(0));
        assert_eq!(parse_duration("2.5s"), Some(2));
    }

    #[test]
    fn localized_words() {
        assert_eq!(parse_duration("1 Stunde(n) 2 Minute(n) 3 Sekunde(n)"), Some(3723));
        assert_eq!(parse_duration("2 Stunden 5 Minuten"), Some(7500));
        assert_eq!(parse_duration("12 Minuten 7 Sekunden"), Some(727));
        assert_eq!(parse_duration("1 hour(s) 12 minute(s) 45 second(s)"), Some(4365));
        assert_eq!(parse_duration("3 hours, 1 minute and 2 seconds"), Some(10_862));
        assert_eq!(parse_duration("1 uur 2 minuten 3 seconden"), Some(3723));
        assert_eq!(parse_duration("1 heure(s) 2 minute(s) 3 seconde(s)"), Some(3723));
        assert_eq!(parse_duration("1 Tag 1 Stunde"), Some(90_000));
        assert_eq!(parse_duration("2 jours"), Some(172_800));
    }

    #[test]
    fn rejects_garbage() {
        assert_eq!(parse_duration(""), None);
        assert_eq!(parse_duration("soon"), None);
        assert_eq!(parse_duration("5 parsecs"), None);
        assert_eq!(parse_duration("5"), None);
        assert_eq!(parse_duration("99999999999999 years"), None);
    }
}
