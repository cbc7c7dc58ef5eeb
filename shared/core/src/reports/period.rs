//! The days a report covers: a week, a month, or a custom range, checked.

use bc_api_types::ReportPeriod;
use chrono::{DateTime, Datelike, Days, NaiveDate, Utc};

use crate::error::{Error, Result};

/// Longest custom period, in days (a leap year).
pub const MAX_DAYS: i64 = 366;

/// First and last day of a period, both included (UTC days).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub period: ReportPeriod,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Span {
    /// `week` and `month` hold `date` (default `today`); `custom` needs
    /// `from` <= `to`, at most [`MAX_DAYS`] days.
    pub fn resolve(
        period: ReportPeriod,
        date: Option<NaiveDate>,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
        today: NaiveDate,
    ) -> Result<Span> {
        let anchor = date.unwrap_or(today);
        let (from, to) = match period {
            ReportPeriod::Week => {
                let monday = anchor - Days::new(u64::from(anchor.weekday().num_days_from_monday()));
                (monday, monday + Days::new(6))
            }
            ReportPeriod::Month => {
                let first = anchor.with_day(1).ok_or_else(|| Error::Invalid("bad date".into()))?;
                let next = first
                    .checked_add_months(chrono::Months::new(1))
                    .ok_or_else(|| Error::Invalid("date out of range".into()))?;
                (first, next - Days::new(1))
            }
            ReportPeriod::Custom => {
                let (Some(from), Some(to)) = (from, to) else {
                    return Err(Error::Invalid("a custom period needs from and to (YYYY-MM-DD)".into()));
                };
                if from > to {
                    return Err(Error::Invalid(format!("from ({from}) is after to ({to})")));
                }
                if (to - from).num_days() + 1 > MAX_DAYS {
                    return Err(Error::Invalid(format!("a period has at most {MAX_DAYS} days")));
                }
                (from, to)
            }
        };
        Ok(Span { period, from, to })
    }

    /// The first instant of the period.
    pub fn start(&self) -> DateTime<Utc> {
        self.from.and_hms_opt(0, 0, 0).map(|t| t.and_utc()).unwrap_or(DateTime::<Utc>::MIN_UTC)
    }

    /// The first instant after the period.
    pub fn end(&self) -> DateTime<Utc> {
        (self.to + Days::new(1)).and_hms_opt(0, 0, 0).map(|t| t.and_utc()).unwrap_or(DateTime::<Utc>::MAX_UTC)
    }

    pub fn contains(&self, at: DateTime<Utc>) -> bool {
        at >= self.start() && at < self.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn periods() {
        let today = d("2026-11-30");
        let w = Span::resolve(ReportPeriod::Week, None, None, None, today).unwrap();
        assert_eq!((w.from, w.to), (d("2026-11-30"), d("2026-12-06")));
        let w = Span::resolve(ReportPeriod::Week, Some(d("2026-11-29")), None, None, today).unwrap();
        assert_eq!((w.from, w.to), (d("2026-11-23"), d("2026-11-29")));
        let m = Span::resolve(ReportPeriod::Month, Some(d("2024-02-10")), None, None, today).unwrap();
        assert_eq!((m.from, m.to), (d("2024-02-01"), d("2024-02-29")));
        let m = Span::resolve(ReportPeriod::Month, Some(d("2026-12-31")), None, None, today).unwrap();
        assert_eq!((m.from, m.to), (d("2026-12-01"), d("2026-12-31")));
        let c = Span::resolve(ReportPeriod::Custom, None, Some(d("2026-01-01")), Some(d("2026-01-01")), today).unwrap();
        assert!(c.contains("2026-01-01T23:59:59Z".parse().unwrap()));
        assert!(!c.contains("2026-01-02T00:00:00Z".parse().unwrap()));
        assert!(!c.contains("2025-12-31T23:59:59Z".parse().unwrap()));
    }

    #[test]
    fn bad_custom_periods_say_why() {
        let today = d("2026-11-30");
        let e = |f: Option<&str>, t: Option<&str>| {
            Span::resolve(ReportPeriod::Custom, None, f.map(d), t.map(d), today).unwrap_err().to_string()
        };
        assert!(e(Some("2026-02-01"), Some("2026-01-01")).contains("after"));
        assert!(e(Some("2025-01-01"), Some("2026-01-02")).contains("366"));
        assert!(e(None, Some("2026-01-02")).contains("needs from and to"));
        assert!(Span::resolve(ReportPeriod::Custom, None, Some(d("2024-01-01")), Some(d("2024-12-31")), today).is_ok());
    }
}
