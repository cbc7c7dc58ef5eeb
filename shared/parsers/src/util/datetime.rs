//! Local dates and times in report bodies, anchored to the offset of the
//! mail's `Date:` header (the sending server's clock is the best witness of
//! the zone the report was written in).
//!
//! Understands `22:00:14`, `10:00:14 PM`, `03:15:10 (+1)`, ISO dates,
//! `03.03.2026`, `3/3/2026` (the reading nearest the mail date wins when
//! day and month could swap), and long dates with month names in English,
//! German, Dutch, French and Italian (`Tuesday, March 3, 2026`,
//! `Dienstag, 3. März 2026`).

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone};

/// A wall-clock time as printed, with the `(+N)` day marker Veeam adds
/// when an end time falls on a later day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClockTime {
    pub time: NaiveTime,
    pub plus_days: u32,
}

/// Finds the first `H:MM[:SS]` time in `s` (optionally `AM`/`PM` and a
/// `(+N)` marker after it).
pub fn parse_clock_time(s: &str) -> Option<ClockTime> {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_digit()
            && (i == 0 || !(b[i - 1].is_ascii_digit() || b[i - 1] == b':'))
            && let Some((time, end)) = time_at(s, i)
        {
            let rest = &s[end..];
            return Some(ClockTime { time, plus_days: plus_days(rest) });
        }
        i += 1;
    }
    None
}

/// A time starting at byte `i`: `H:MM`, `H:MM:SS`, then optional AM/PM.
fn time_at(s: &str, i: usize) -> Option<(NaiveTime, usize)> {
    let b = s.as_bytes();
    let (h, mut j) = digits(b, i, 2)?;
    if b.get(j) != Some(&b':') {
        return None;
    }
    let (m, k) = digits(b, j + 1, 2)?;
    if k - (j + 1) != 2 {
        return None;
    }
    j = k;
    let mut sec = 0;
    if b.get(j) == Some(&b':') {
        let (sv, k) = digits(b, j + 1, 2)?;
        if k - (j + 1) != 2 {
            return None;
        }
        sec = sv;
        j = k;
    }
    // A following digit or colon means this was not a clock time.
    if b.get(j).is_some_and(|c| c.is_ascii_digit() || *c == b':') {
        return None;
    }
    let mut hour = h;
    let rest = s[j..].trim_start();
    let consumed = s.len() - rest.len();
    let mut end = j;
    let upper = rest.get(..2).map(str::to_ascii_uppercase);
    if let Some(marker) = upper.as_deref().filter(|m| *m == "AM" || *m == "PM")
        && !rest[2..].starts_with(|c: char| c.is_alphanumeric())
    {
        if !(1..=12).contains(&hour) {
            return None;
        }
        hour = match (marker, hour) {
            ("AM", 12) => 0,
            ("AM", h) => h,
            ("PM", 12) => 12,
            (_, h) => h + 12,
        };
        end = consumed + 2;
    }
    let time = NaiveTime::from_hms_opt(hour, m, sec)?;
    Some((time, end))
}

/// Up to `max` ASCII digits at `i`; returns the value and the end index.
fn digits(b: &[u8], i: usize, max: usize) -> Option<(u32, usize)> {
    let mut j = i;
    let mut v: u32 = 0;
    while j < b.len() && j - i < max && b[j].is_ascii_digit() {
        v = v * 10 + u32::from(b[j] - b'0');
        j += 1;
    }
    (j > i).then_some((v, j))
}

/// `(+1)` right after a time.
fn plus_days(rest: &str) -> u32 {
    let rest = rest.trim_start();
    let Some(inner) = rest.strip_prefix("(+") else {
        return 0;
    };
    let end = inner.find(')').unwrap_or(0);
    inner[..end].trim().parse::<u32>().ok().filter(|d| *d < 366).unwrap_or(0)
}

const MONTHS: [(&str, u32); 51] = [
    // English
    ("january", 1),
    ("february", 2),
    ("march", 3),
    ("april", 4),
    ("may", 5),
    ("june", 6),
    ("july", 7),
    ("august", 8),
    ("september", 9),
    ("october", 10),
    ("november", 11),
    ("december", 12),
    // German (only the spellings that differ)
    ("januar", 1),
    ("februar", 2),
    ("märz", 3),
    ("maerz", 3),
    ("mai", 5),
    ("juni", 6),
    ("juli", 7),
    ("oktober", 10),
    ("dezember", 12),
    // Dutch
    ("januari", 1),
    ("februari", 2),
    ("maart", 3),
    ("mei", 5),
    ("augustus", 8),
    // French
    ("janvier", 1),
    ("février", 2),
    ("fevrier", 2),
    ("mars", 3),
    ("avril", 4),
    ("juin", 6),
    ("juillet", 7),
    ("août", 8),
    ("aout", 8),
    ("septembre", 9),
    ("octobre", 10),
    ("novembre", 11),
    ("décembre", 12),
    ("decembre", 12),
    // Italian
    ("gennaio", 1),
    ("febbraio", 2),
    ("marzo", 3),
    ("aprile", 4),
    ("maggio", 5),
    ("giugno", 6),
    ("luglio", 7),
    ("agosto", 8),
    ("settembre", 9),
    ("ottobre", 10),
    ("dicembre", 12),
];

fn month_from_word(word: &str) -> Option<u32> {
    let w = word.trim_end_matches('.').to_lowercase();
    if let Some((_, m)) = MONTHS.iter().find(|(name, _)| *name == w) {
        return Some(*m);
    }
    // Three-letter English and German abbreviations: "Mar", "Okt", "Dez".
    const ABBR: [(&str, u32); 15] = [
        ("jan", 1),
        ("feb", 2),
        ("mar", 3),
        ("mär", 3),
        ("apr", 4),
        ("jun", 6),
        ("jul", 7),
        ("aug", 8),
        ("sep", 9),
        ("sept", 9),
        ("oct", 10),
        ("okt", 10),
        ("nov", 11),
        ("dec", 12),
        ("dez", 12),
    ];
    ABBR.iter().find(|(name, _)| *name == w).map(|(_, m)| *m)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token<'a> {
    Num(u32, usize),
    Word(&'a str),
    Sep(char),
}

/// At most this many tokens of a string are looked at for a date.
const MAX_TOKENS: usize = 64;

/// Tokens in a fixed buffer: date look-ups run per table cell and log
/// line, so they do not allocate.
struct Tokens<'a> {
    buf: [Token<'a>; MAX_TOKENS],
    len: usize,
}

impl<'a> Tokens<'a> {
    fn push(&mut self, t: Token<'a>) {
        if self.len < MAX_TOKENS {
            self.buf[self.len] = t;
            self.len += 1;
        }
    }

    fn as_slice(&self) -> &[Token<'a>] {
        &self.buf[..self.len]
    }
}

fn tokenize(s: &str) -> Tokens<'_> {
    let mut out = Tokens { buf: [Token::Sep(' '); MAX_TOKENS], len: 0 };
    let mut chars = s.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if out.len >= MAX_TOKENS {
            break;
        }
        if c.is_ascii_digit() {
            let mut end = i + 1;
            while let Some(&(j, d)) = chars.peek() {
                if !d.is_ascii_digit() {
                    break;
                }
                end = j + 1;
                chars.next();
            }
            let text = &s[i..end];
            if text.len() <= 4 {
                out.push(Token::Num(text.parse().unwrap_or(0), text.len()));
            } else {
                out.push(Token::Sep('#'));
            }
        } else if c.is_alphabetic() {
            let mut end = i + c.len_utf8();
            while let Some(&(j, d)) = chars.peek() {
                if !d.is_alphabetic() {
                    break;
                }
                end = j + d.len_utf8();
                chars.next();
            }
            out.push(Token::Word(&s[i..end]));
        } else if matches!(c, '.' | '/' | '-' | ':' | ',') {
            out.push(Token::Sep(c));
        }
    }
    out
}

/// Finds a calendar date in `s`. `near`, when given, settles day/month
/// order for numeric dates that read both ways.
pub fn find_date(s: &str, near: Option<NaiveDate>) -> Option<NaiveDate> {
    let tokens = tokenize(s);
    let t = tokens.as_slice();
    numeric_date(t, near).or_else(|| named_month_date(t))
}

fn numeric_date(t: &[Token<'_>], near: Option<NaiveDate>) -> Option<NaiveDate> {
    for w in t.windows(5) {
        let [Token::Num(a, la), Token::Sep(s1), Token::Num(b, _), Token::Sep(s2), Token::Num(c, lc)] = *w else {
            continue;
        };
        if s1 != s2 || !matches!(s1, '.' | '/' | '-') {
            continue;
        }
        if la == 4 {
            // 2026-03-03
            if let Some(d) = NaiveDate::from_ymd_opt(a as i32, b, c) {
                return Some(d);
            }
            continue;
        }
        if lc != 4 {
            continue;
        }
        let year = c as i32;
        let dm = NaiveDate::from_ymd_opt(year, b, a);
        let md = NaiveDate::from_ymd_opt(year, a, b);
        let pick = match (dm, md, s1) {
            (Some(x), Some(y), _) if x != y => match near {
                Some(n) => Some(if (x - n).num_days().abs() <= (y - n).num_days().abs() { x } else { y }),
                // Without a witness: the dot and dash are day-first
                // everywhere; the slash is read day-first too (Europe).
                None => Some(x),
            },
            (Some(x), _, _) => Some(x),
            (None, Some(y), _) => Some(y),
            (None, None, _) => None,
        };
        if pick.is_some() {
            return pick;
        }
    }
    None
}

fn named_month_date(t: &[Token<'_>]) -> Option<NaiveDate> {
    for (i, tok) in t.iter().enumerate() {
        let Token::Word(w) = tok else { continue };
        let Some(month) = month_from_word(w) else {
            continue;
        };
        let Some(year) = t[i + 1..].iter().take(4).find_map(|x| match x {
            Token::Num(y, 4) => Some(*y as i32),
            _ => None,
        }) else {
            continue;
        };
        // Day before the month ("3. März", "3 March") or after it ("March 3,").
        let before = t[..i].iter().rev().take(3).find_map(|x| match x {
            Token::Num(d, l) if *l <= 2 => Some(*d),
            Token::Word(_) => Some(0),
            _ => None,
        });
        let after = match t.get(i + 1) {
            Some(Token::Num(d, l)) if *l <= 2 => Some(*d),
            _ => None,
        };
        for day in [before, after].into_iter().flatten() {
            if let Some(date) = NaiveDate::from_ymd_opt(year, month, day) {
                return Some(date);
            }
        }
    }
    None
}

/// A date and a time in one string (`2026-03-03 22:00:02`,
/// `03.03.2026 01:00`, `Tuesday, March 3, 2026 10:00:14 PM`).
pub fn find_datetime(s: &str, near: Option<NaiveDate>) -> Option<NaiveDateTime> {
    let date = find_date(s, near)?;
    // Date digits never read as a time: a time needs `H:MM`.
    let time = parse_clock_time(s)?;
    Some(date.and_time(time.time))
}

/// `YYYY-MM-DD HH:MM:SS` exactly (log lines); a hand-written reader, as
/// logs hold thousands of them.
pub fn parse_iso_local(s: &str) -> Option<NaiveDateTime> {
    let b = s.as_bytes();
    if b.len() != 19 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b' ' | b'T') || b[13] != b':' || b[16] != b':'
    {
        return None;
    }
    let num = |from: usize, len: usize| -> Option<u32> {
        b[from..from + len].iter().try_fold(0u32, |acc, &d| d.is_ascii_digit().then(|| acc * 10 + u32::from(d - b'0')))
    };
    NaiveDate::from_ymd_opt(i32::try_from(num(0, 4)?).ok()?, num(5, 2)?, num(8, 2)?)?.and_hms_opt(
        num(11, 2)?,
        num(14, 2)?,
        num(17, 2)?,
    )
}

/// Places a local date-time at `offset`.
pub fn at_offset(local: NaiveDateTime, offset: FixedOffset) -> Option<DateTime<FixedOffset>> {
    offset.from_local_datetime(&local).single()
}

/// The last moment at wall-clock `time` that is not after `sent` (with a
/// little tolerance for clocks that disagree), in `sent`'s offset. A report
/// is sent after the job ended, so an end time without a date belongs to
/// the day the mail was sent, or the day before.
pub fn latest_before(sent: DateTime<FixedOffset>, time: NaiveTime) -> Option<DateTime<FixedOffset>> {
    const TOLERANCE_MINUTES: i64 = 15;
    let offset = *sent.offset();
    let local_sent = sent.naive_local();
    let same_day = at_offset(local_sent.date().and_time(time), offset)?;
    if same_day <= sent + Duration::minutes(TOLERANCE_MINUTES) {
        Some(same_day)
    } else {
        Some(same_day - Duration::days(1))
    }
}

/// The date of `dt` in its own offset.
pub fn local_date(dt: DateTime<FixedOffset>) -> NaiveDate {
    dt.naive_local().date()
}

/// True when the year is plausible for a backup report (guards against
/// misread numbers becoming dates in the far past or future).
pub fn plausible(d: NaiveDate) -> bool {
    (1990..=2200).contains(&d.year())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn clock_times() {
        let t = parse_clock_time("22:00:14").unwrap();
        assert_eq!((t.time, t.plus_days), (NaiveTime::from_hms_opt(22, 0, 14).unwrap(), 0));
        let t = parse_clock_time("03:15:10 (+1)").unwrap();
        assert_eq!((t.time, t.plus_days), (NaiveTime::from_hms_opt(3, 15, 10).unwrap(), 1));
        let t = parse_clock_time("10:00:14 PM").unwrap();
        assert_eq!(t.time, NaiveTime::from_hms_opt(22, 0, 14).unwrap());
        let t = parse_clock_time("12:05 AM").unwrap();
        assert_eq!(t.time, NaiveTime::from_hms_opt(0, 5, 0).unwrap());
        assert_eq!(parse_clock_time("no time here"), None);
        assert_eq!(parse_clock_time("25:00:00"), None);
        assert_eq!(parse_clock_time("1:2:3"), None);
        assert_eq!(
            parse_clock_time("Start 7:05"),
            Some(ClockTime { time: NaiveTime::from_hms_opt(7, 5, 0).unwrap(), plus_days: 0 })
        );
    }

    #[test]
    fn numeric_dates() {
        assert_eq!(find_date("2026-03-03 22:00:02", None), Some(d(2026, 3, 3)));
        assert_eq!(find_date("03.04.2026", None), Some(d(2026, 4, 3)));
        // Day/month swap settled by the mail date.
        assert_eq!(find_date("3/4/2026", Some(d(2026, 3, 5))), Some(d(2026, 3, 4)));
        assert_eq!(find_date("3/4/2026", Some(d(2026, 4, 3))), Some(d(2026, 4, 3)));
        assert_eq!(find_date("13/4/2026", None), Some(d(2026, 4, 13)));
        assert_eq!(find_date("4/13/2026", None), Some(d(2026, 4, 13)));
        assert_eq!(find_date("99.99.2026", None), None);
    }

    #[test]
    fn long_dates() {
        assert_eq!(find_date("Tuesday, March 3, 2026 22:00:14", None), Some(d(2026, 3, 3)));
        assert_eq!(find_date("Tuesday, 3 March 2026 22:00:14", None), Some(d(2026, 3, 3)));
        assert_eq!(find_date("Dienstag, 3. März 2026 22:00:14", None), Some(d(2026, 3, 3)));
        assert_eq!(find_date("dinsdag 3 maart 2026", None), Some(d(2026, 3, 3)));
        assert_eq!(find_date("mardi 3 février 2026", None), Some(d(2026, 2, 3)));
        assert_eq!(find_date("3 Okt. 2026", None), Some(d(2026, 10, 3)));
        assert_eq!(find_date("in May we trust", None), None);
    }

    #[test]
    fn iso_local() {
        assert_eq!(parse_iso_local("2026-03-03 22:00:02"), Some(d(2026, 3, 3).and_hms_opt(22, 0, 2).unwrap()));
        assert_eq!(parse_iso_local("2026-13-03 22:00:02"), None);
        assert_eq!(parse_iso_local("2026-03-03 22:00"), None);
        assert_eq!(parse_iso_local("2026-03-0x 22:00:02"), None);
    }

    #[test]
    fn date_times() {
        let dt = find_datetime("Startzeit: 03.03.2026 01:00", None).unwrap();
        assert_eq!(dt, d(2026, 3, 3).and_hms_opt(1, 0, 0).unwrap());
        let dt = find_datetime("Tuesday, March 3, 2026 10:00:14 PM", None).unwrap();
        assert_eq!(dt, d(2026, 3, 3).and_hms_opt(22, 0, 14).unwrap());
    }

    #[test]
    fn anchoring_to_the_mail_date() {
        let sent = DateTime::parse_from_rfc3339("2026-03-04T03:16:00+01:00").unwrap();
        let t = NaiveTime::from_hms_opt(3, 15, 10).unwrap();
        assert_eq!(latest_before(sent, t).unwrap().to_rfc3339(), "2026-03-04T03:15:10+01:00");
        let t = NaiveTime::from_hms_opt(22, 0, 14).unwrap();
        assert_eq!(latest_before(sent, t).unwrap().to_rfc3339(), "2026-03-03T22:00:14+01:00");
        // The sender's clock runs a few minutes behind the job's.
        let t = NaiveTime::from_hms_opt(3, 20, 0).unwrap();
        assert_eq!(latest_before(sent, t).unwrap().to_rfc3339(), "2026-03-04T03:20:00+01:00");
    }
}
