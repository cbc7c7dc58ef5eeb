//! When a job's next run is expected: the schedule in effect (explicit over
//! learned), its occurrences, their windows and due times, the backup day
//! with the business-day cut-over, and which run covers which occurrence.
//! Pure functions.

use std::str::FromStr;

use bc_api_types::{Cadence, Expectation, LearnedSchedule, MaintenanceWindow, ScheduleSpec};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use croner::Cron;

use super::learn::{cadence_has_day, local_instant};
use crate::model::JobSchedule;

/// Grace after the window when none is set on the job.
pub const DEFAULT_GRACE_MINUTES: u32 = 60;
/// Longest grace an operator may set (a week).
pub const MAX_GRACE_MINUTES: u32 = 7 * 1440;

/// What the schedule rules need besides the job: the MSP's time zone, the
/// business-day cut-over, the maintenance windows.
#[derive(Debug, Clone, PartialEq)]
pub struct Context {
    pub tz: Tz,
    /// Minutes after midnight at which a backup day begins.
    pub cutover: u32,
    pub windows: Vec<MaintenanceWindow>,
}

impl Default for Context {
    fn default() -> Self {
        Context { tz: chrono_tz::UTC, cutover: 0, windows: Vec::new() }
    }
}

impl Context {
    /// The backup day an instant belongs to: its local date, a run before
    /// the cut-over counting for the day before.
    pub fn backup_day(&self, at: DateTime<Utc>) -> NaiveDate {
        (at.with_timezone(&self.tz).naive_local() - Duration::minutes(i64::from(self.cutover))).date()
    }

    /// The instants a backup day spans: `[cut-over, next day's cut-over)`.
    pub fn day_span(&self, day: NaiveDate) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        Some((local_instant(self.tz, day, self.cutover)?, local_instant(self.tz, day.succ_opt()?, self.cutover)?))
    }

    /// Whether a maintenance window of the job or its customer holds `at`.
    pub fn in_maintenance(&self, job_id: &str, customer_id: &str, at: DateTime<Utc>) -> bool {
        self.windows.iter().any(|w| {
            (w.job_id.as_deref() == Some(job_id) || w.customer_id.as_deref() == Some(customer_id))
                && w.from <= at
                && at < w.until
        })
    }
}

/// The schedule in effect for a job.
#[derive(Debug, Clone)]
pub enum Effective {
    Learned(LearnedSchedule),
    Cron(Box<Cron>, Tz),
    /// Every this many minutes after the last run (which is kept here).
    Interval {
        minutes: u32,
        last: Option<DateTime<Utc>>,
    },
}

/// Parses and checks an explicit cron schedule: the reason when it is not one.
pub fn parse_cron(expression: &str, time_zone: &str) -> Result<(Cron, Tz), String> {
    let tz: Tz = time_zone
        .parse()
        .map_err(|_| format!("unknown time zone {time_zone:?} (use an IANA name like Europe/Amsterdam)"))?;
    if expression.len() > 200 {
        return Err("the cron expression is too long".into());
    }
    let cron = Cron::from_str(expression.trim()).map_err(|e| format!("invalid cron expression {expression:?}: {e}"))?;
    // An expression that never fires (31 February) is refused too.
    cron.find_next_occurrence(&Utc::now().with_timezone(&tz), false)
        .map_err(|e| format!("the cron expression {expression:?} never fires: {e}"))?;
    Ok((cron, tz))
}

/// The schedule in effect: explicit if set (`None` for "no schedule"),
/// else the learned one.
pub fn effective(s: &JobSchedule) -> Option<Effective> {
    match &s.explicit {
        Some(ScheduleSpec::None) => None,
        Some(ScheduleSpec::Cron { expression, time_zone }) => {
            parse_cron(expression, time_zone).ok().map(|(c, tz)| Effective::Cron(Box::new(c), tz))
        }
        Some(ScheduleSpec::Interval { minutes }) => Some(Effective::Interval {
            minutes: *minutes,
            last: s.starts.last().and_then(|t| DateTime::<Utc>::from_timestamp(*t, 0)),
        }),
        None => s.learned.clone().map(Effective::Learned),
    }
}

impl Effective {
    /// The first expected start strictly after `after`.
    pub fn next_at(&self, after: DateTime<Utc>, ctx: &Context) -> Option<DateTime<Utc>> {
        match self {
            Effective::Learned(l) => learned_next(l, after, ctx.tz),
            Effective::Cron(c, tz) => {
                c.find_next_occurrence(&after.with_timezone(tz), false).ok().map(|t| t.with_timezone(&Utc))
            }
            Effective::Interval { minutes, last } => {
                let step = Duration::minutes(i64::from((*minutes).max(1)));
                let last = (*last)?;
                if after < last {
                    return Some(last + step);
                }
                let k = (after - last).num_seconds() / step.num_seconds() + 1;
                Some(last + step * k as i32)
            }
        }
    }

    /// How long before an expected start a run still counts for it: half the
    /// gap to the occurrence before, at most 12 hours.
    pub fn early(&self, at: DateTime<Utc>) -> Duration {
        let half = match self {
            Effective::Learned(l) => match l.cadence {
                Cadence::EveryHours { hours } => Duration::minutes(i64::from(hours) * 30),
                _ => Duration::hours(12),
            },
            Effective::Cron(c, tz) => c
                .find_previous_occurrence(&at.with_timezone(tz), false)
                .map(|p| (at - p.with_timezone(&Utc)) / 2)
                .unwrap_or(Duration::hours(12)),
            Effective::Interval { minutes, .. } => Duration::minutes(i64::from(*minutes) / 2),
        };
        half.min(Duration::hours(12))
    }

    fn tolerance(&self) -> Duration {
        match self {
            Effective::Learned(l) => Duration::minutes(i64::from(l.tolerance_minutes)),
            // An explicit schedule says when the job starts.
            _ => Duration::zero(),
        }
    }

    /// The expectation for an expected start.
    pub fn expectation(&self, at: DateTime<Utc>, grace_minutes: u32, ctx: &Context) -> Expectation {
        let tol = self.tolerance();
        let window_end = at + tol;
        Expectation {
            at,
            window_start: at - tol,
            window_end,
            due_at: window_end + Duration::minutes(i64::from(grace_minutes)),
            day: ctx.backup_day(at),
        }
    }

    /// The first expectation a run at `after` does not cover.
    pub fn next_after(&self, after: DateTime<Utc>, grace_minutes: u32, ctx: &Context) -> Option<Expectation> {
        let mut from = after;
        for _ in 0..4 {
            let at = self.next_at(from, ctx)?;
            if at - self.early(at) > after {
                return Some(self.expectation(at, grace_minutes, ctx));
            }
            from = at;
        }
        None
    }

    /// The first expectation after `now` that the last run (if any) does
    /// not already cover: where a newly set schedule starts.
    pub fn first_after(
        &self,
        now: DateTime<Utc>,
        last: Option<DateTime<Utc>>,
        grace_minutes: u32,
        ctx: &Context,
    ) -> Option<Expectation> {
        let mut from = now;
        for _ in 0..4 {
            let e = self.expectation(self.next_at(from, ctx)?, grace_minutes, ctx);
            if !last.is_some_and(|l| self.covers(&e, l)) {
                return Some(e);
            }
            from = e.at;
        }
        None
    }

    /// Whether a run that started at `t` is the run of expectation `e`.
    pub fn covers(&self, e: &Expectation, t: DateTime<Utc>) -> bool {
        t >= e.at - self.early(e.at) && t <= e.due_at
    }
}

fn learned_next(l: &LearnedSchedule, after: DateTime<Utc>, tz: Tz) -> Option<DateTime<Utc>> {
    let start_day = after.with_timezone(&tz).date_naive().pred_opt()?;
    let minutes: Vec<u32> = match l.cadence {
        Cadence::EveryHours { hours } => {
            let period = u32::from(hours.max(1)) * 60;
            (0..).map(|k| u32::from(l.expected_minute) % period + k * period).take_while(|m| *m < 1440).collect()
        }
        _ => vec![u32::from(l.expected_minute)],
    };
    for day in start_day.iter_days().take(400) {
        if !cadence_has_day(&l.cadence, day) {
            continue;
        }
        for m in &minutes {
            if let Some(at) = local_instant(tz, day, *m)
                && at > after
            {
                return Some(at);
            }
        }
    }
    None
}

/// The expected starts of a backup day, with their expectations.
pub fn expectations_on(eff: &Effective, day: NaiveDate, grace_minutes: u32, ctx: &Context) -> Vec<Expectation> {
    let Some((from, until)) = ctx.day_span(day) else { return Vec::new() };
    let mut out = Vec::new();
    let mut cursor = from - Duration::seconds(1);
    while let Some(at) = eff.next_at(cursor, ctx) {
        if at >= until || out.len() >= 48 {
            break;
        }
        out.push(eff.expectation(at, grace_minutes, ctx));
        cursor = at;
    }
    out
}

/// A human summary of a learned schedule, e.g. "daily around 22:05 (±20 min)".
pub fn describe_learned(l: &LearnedSchedule) -> String {
    const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    let hm = format!("{:02}:{:02}", l.expected_minute / 60, l.expected_minute % 60);
    let name = |d: &u8| DAYS.get(usize::from(*d)).copied().unwrap_or("?");
    let what = match &l.cadence {
        Cadence::Daily => "daily".to_string(),
        Cadence::Weekdays => "on weekdays".to_string(),
        Cadence::DaysOfWeek { days } => format!("on {}", days.iter().map(name).collect::<Vec<_>>().join(", ")),
        Cadence::Weekly { day } => format!("weekly on {}", name(day)),
        Cadence::Monthly { day } => format!("monthly on day {day}"),
        Cadence::EveryHours { hours } => {
            return format!("every {hours} h from {hm} (±{} min)", l.tolerance_minutes);
        }
    };
    format!("{what} around {hm} (±{} min)", l.tolerance_minutes)
}

/// A job's schedule as the API shows it; `None` for a job with no
/// schedule state at all (too few runs, nothing set).
pub fn view(s: &JobSchedule) -> Option<bc_api_types::JobScheduleView> {
    if s.learned.is_none() && s.explicit.is_none() && s.grace_minutes.is_none() {
        return None;
    }
    let (source, summary) = match (&s.explicit, &s.learned) {
        (Some(ScheduleSpec::None), _) => ("none", "no schedule (ad-hoc: never missed)".to_string()),
        (Some(ScheduleSpec::Cron { expression, time_zone }), _) => {
            ("explicit", format!("cron {expression} ({time_zone})"))
        }
        (Some(ScheduleSpec::Interval { minutes }), _) => {
            ("explicit", format!("every {minutes} min after the last run"))
        }
        (None, Some(l)) => ("learned", format!("{}, {:.0}% confidence", describe_learned(l), l.confidence * 100.0)),
        (None, None) => ("none", "not learned yet".to_string()),
    };
    Some(bc_api_types::JobScheduleView {
        source: source.into(),
        learned: s.learned.clone(),
        explicit: s.explicit.clone(),
        grace_minutes: s.grace_minutes.unwrap_or(DEFAULT_GRACE_MINUTES),
        next: s.next.clone(),
        summary,
    })
}

#[cfg(test)]
mod tests {
    use crate::schedules::expect::*;
    use crate::schedules::learn::monthly_day;
    use chrono::TimeZone;

    fn learned(cadence: Cadence, minute: u16, tol: u16) -> Effective {
        Effective::Learned(LearnedSchedule {
            cadence,
            expected_minute: minute,
            tolerance_minutes: tol,
            confidence: 1.0,
            runs: 10,
        })
    }

    fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, min, 0).single().expect("valid")
    }

    #[test]
    fn daily_next_after_a_run() {
        let ctx = Context::default();
        let e = learned(Cadence::Daily, 22 * 60, 20);
        let next = e.next_after(utc(2026, 3, 1, 22, 5), 60, &ctx).expect("next");
        assert_eq!(next.at, utc(2026, 3, 2, 22, 0));
        assert_eq!(next.window_end, utc(2026, 3, 2, 22, 20));
        assert_eq!(next.due_at, utc(2026, 3, 2, 23, 20));
        // A run 30 min early still covers the evening's occurrence.
        assert!(e.covers(&next, utc(2026, 3, 2, 21, 30)));
        assert!(!e.covers(&next, utc(2026, 3, 3, 0, 0)));
    }

    #[test]
    fn cut_over_puts_a_night_run_on_the_day_before() {
        let ctx = Context { cutover: 6 * 60, ..Context::default() };
        assert_eq!(ctx.backup_day(utc(2026, 3, 2, 1, 30)), NaiveDate::from_ymd_opt(2026, 3, 1).expect("d"));
        assert_eq!(ctx.backup_day(utc(2026, 3, 2, 6, 30)), NaiveDate::from_ymd_opt(2026, 3, 2).expect("d"));
    }

    #[test]
    fn cron_in_a_time_zone_and_bad_input() {
        let (c, tz) = parse_cron("0 22 * * 1-5", "Europe/Amsterdam").expect("valid");
        let e = Effective::Cron(Box::new(c), tz);
        // Friday 2026-03-06 22:00 CET = 21:00 UTC; next after it is Monday.
        let at = e.next_at(utc(2026, 3, 6, 21, 30), &Context::default()).expect("next");
        assert_eq!(at, utc(2026, 3, 9, 21, 0));
        assert!(parse_cron("61 * * * *", "UTC").is_err());
        assert!(parse_cron("0 22 * * *", "Mars/Olympus").unwrap_err().contains("time zone"));
        assert!(parse_cron("not cron", "UTC").unwrap_err().contains("invalid cron"));
    }

    #[test]
    fn interval_counts_from_the_last_run() {
        let last = utc(2026, 3, 1, 10, 0);
        let e = Effective::Interval { minutes: 240, last: Some(last) };
        assert_eq!(e.next_at(last, &Context::default()), Some(utc(2026, 3, 1, 14, 0)));
        assert_eq!(e.next_at(utc(2026, 3, 1, 15, 0), &Context::default()), Some(utc(2026, 3, 1, 18, 0)));
    }

    #[test]
    fn weekly_and_monthly_occurrences() {
        let ctx = Context::default();
        // 2026-03-07 is a Saturday (5).
        let w = learned(Cadence::Weekly { day: 5 }, 3 * 60, 15);
        assert_eq!(w.next_at(utc(2026, 3, 2, 0, 0), &ctx), Some(utc(2026, 3, 7, 3, 0)));
        let m = learned(Cadence::Monthly { day: 31 }, 60, 15);
        assert_eq!(m.next_at(utc(2026, 2, 1, 0, 0), &ctx), Some(utc(2026, 2, 28, 1, 0)));
        assert_eq!(monthly_day(2026, 4, 31), 30);
    }

    #[test]
    fn every_n_hours_has_several_a_day() {
        let ctx = Context::default();
        let e = learned(Cadence::EveryHours { hours: 6 }, 30, 10);
        let day = NaiveDate::from_ymd_opt(2026, 3, 1).expect("d");
        let list = expectations_on(&e, day, 30, &ctx);
        assert_eq!(
            list.iter().map(|x| x.at).collect::<Vec<_>>(),
            vec![utc(2026, 3, 1, 0, 30), utc(2026, 3, 1, 6, 30), utc(2026, 3, 1, 12, 30), utc(2026, 3, 1, 18, 30)]
        );
    }

    #[test]
    fn maintenance_windows_hold_a_job_or_its_customer() {
        let w = MaintenanceWindow {
            id: "w".into(),
            job_id: None,
            customer_id: Some("c1".into()),
            from: utc(2026, 3, 1, 0, 0),
            until: utc(2026, 3, 3, 0, 0),
            reason: "office move".into(),
            created_by: "admin".into(),
            created_at: utc(2026, 2, 1, 0, 0),
        };
        let ctx = Context { windows: vec![w], ..Context::default() };
        assert!(ctx.in_maintenance("j1", "c1", utc(2026, 3, 2, 22, 0)));
        assert!(!ctx.in_maintenance("j1", "c2", utc(2026, 3, 2, 22, 0)));
        assert!(!ctx.in_maintenance("j1", "c1", utc(2026, 3, 3, 0, 0)));
    }
}
