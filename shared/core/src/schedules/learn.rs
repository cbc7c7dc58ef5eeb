//! Learning a job's schedule from when its runs started: pure functions,
//! no I/O. See `docs/schedules.md` for the method and its thresholds.

use bc_api_types::{Cadence, LearnedSchedule};
use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Timelike, Utc};
use chrono_tz::Tz;

/// Fewer runs than this teach nothing.
pub const MIN_RUNS: usize = 3;
/// Below this confidence a job has no learned schedule.
pub const MIN_CONFIDENCE: f32 = 0.5;
const DAY: i32 = 1440;
/// The window is never narrower than this either side of the typical start.
const MIN_TOLERANCE: i32 = 15;
/// Nor wider: a job that starts anywhere in a six-hour span has no window.
const MAX_TOLERANCE: i32 = 180;

/// Signed distance from `b` to `a` on the 24-hour circle, in `-720..720`.
pub fn circular_diff(a: i32, b: i32) -> i32 {
    let d = (a - b).rem_euclid(DAY);
    if d >= DAY / 2 { d - DAY } else { d }
}

/// The median of minutes-of-day on the circle: the values are cut open at
/// the middle of their widest empty arc (so 23:50 and 00:10 are neighbours),
/// and the median taken on that line.
pub fn circular_median(minutes: &[i32]) -> i32 {
    let mut sorted: Vec<i32> = minutes.iter().map(|m| m.rem_euclid(DAY)).collect();
    sorted.sort_unstable();
    if sorted.is_empty() {
        return 0;
    }
    // The widest gap between neighbours (the wrap included) is where the
    // circle is cut.
    let n = sorted.len();
    let (mut cut, mut widest) = (0usize, -1);
    for i in 0..n {
        let next = if i + 1 < n { sorted[i + 1] } else { sorted[0] + DAY };
        if next - sorted[i] > widest {
            widest = next - sorted[i];
            cut = (i + 1) % n;
        }
    }
    let line: Vec<i32> = (0..n).map(|k| sorted[(cut + k) % n] + if cut + k >= n { DAY } else { 0 }).collect();
    let mid = if n % 2 == 1 { line[n / 2] } else { (line[n / 2 - 1] + line[n / 2]) / 2 };
    mid.rem_euclid(DAY)
}

fn median_abs(values: &mut [i32]) -> i32 {
    values.sort_unstable();
    if values.is_empty() {
        return 0;
    }
    let n = values.len();
    if n % 2 == 1 { values[n / 2] } else { (values[n / 2 - 1] + values[n / 2]) / 2 }
}

/// The typical start and how far runs stray from it: median and MAD on the
/// circle; the tolerance is 3 × the MAD scaled to a standard deviation,
/// bounded to 15..=180 minutes.
fn window(minutes: &[i32]) -> (i32, i32) {
    let center = circular_median(minutes);
    let mut dev: Vec<i32> = minutes.iter().map(|m| circular_diff(*m, center).abs()).collect();
    let mad = median_abs(&mut dev) as f64;
    let tolerance = ((3.0 * 1.4826 * mad).round() as i32).clamp(MIN_TOLERANCE, MAX_TOLERANCE);
    (center, tolerance)
}

/// Whether a backup day belongs to the cadence.
pub fn cadence_has_day(cadence: &Cadence, day: NaiveDate) -> bool {
    let wd = day.weekday().num_days_from_monday() as u8;
    match cadence {
        Cadence::Daily | Cadence::EveryHours { .. } => true,
        Cadence::Weekdays => wd < 5,
        Cadence::DaysOfWeek { days } => days.contains(&wd),
        Cadence::Weekly { day: d } => wd == *d,
        Cadence::Monthly { day: d } => day.day() == monthly_day(day.year(), day.month(), *d),
    }
}

/// The day a monthly run falls on: the asked day, or the month's last day
/// if the month is shorter.
pub fn monthly_day(year: i32, month: u32, day: u8) -> u32 {
    let last = (28..=31).rev().find(|d| NaiveDate::from_ymd_opt(year, month, *d).is_some()).unwrap_or(28);
    u32::from(day).min(last)
}

/// Learns a schedule from run start instants (any order). `None` when
/// there are too few runs or no clear pattern.
pub fn learn(starts: &[i64], tz: Tz) -> Option<LearnedSchedule> {
    if starts.len() < MIN_RUNS {
        return None;
    }
    let mut sorted: Vec<i64> = starts.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    if sorted.len() < MIN_RUNS {
        return None;
    }
    let local: Vec<chrono::DateTime<Tz>> =
        sorted.iter().filter_map(|s| DateTime::<Utc>::from_timestamp(*s, 0)).map(|t| t.with_timezone(&tz)).collect();
    let minutes: Vec<i32> = local.iter().map(|t| (t.hour() * 60 + t.minute()) as i32).collect();
    learn_sub_daily(&sorted, &minutes).or_else(|| learn_daily(&local, &minutes))
}

/// Every N hours: most gaps between runs are close to the same whole number of hours (under 13).
fn learn_sub_daily(sorted: &[i64], minutes: &[i32]) -> Option<LearnedSchedule> {
    let mut gaps: Vec<i32> = sorted.windows(2).map(|w| ((w[1] - w[0]) / 60) as i32).collect();
    let median_gap = median_abs(&mut gaps.clone());
    if !(45..=13 * 60).contains(&median_gap) {
        return None;
    }
    let hours = ((median_gap as f64) / 60.0).round() as i32;
    if !(1..=12).contains(&hours) {
        return None;
    }
    let period = hours * 60;
    let fitting = gaps.iter().filter(|g| (**g - period).abs() <= period / 5).count();
    gaps.clear();
    let share = fitting as f32 / (sorted.len() - 1) as f32;
    if share < 0.7 {
        return None;
    }
    // The phase within the period, on a circle of the period's length.
    let phases: Vec<i32> = minutes.iter().map(|m| (m % period) * DAY / period).collect();
    let (center, tol) = window(&phases);
    let expected = center * period / DAY;
    let tolerance = (tol * period / DAY).clamp(5, period / 3);
    Some(LearnedSchedule {
        cadence: Cadence::EveryHours { hours: hours as u8 },
        expected_minute: expected as u16,
        tolerance_minutes: tolerance as u16,
        confidence: round2(share * sample_factor(sorted.len())),
        runs: sorted.len() as u32,
    })
}

fn sample_factor(n: usize) -> f32 {
    // Three runs make a guess, a dozen a habit.
    (n as f32 / 6.0).clamp(0.6, 1.0)
}

fn round2(x: f32) -> f32 {
    (x * 100.0).round() / 100.0
}

fn learn_daily(local: &[chrono::DateTime<Tz>], minutes: &[i32]) -> Option<LearnedSchedule> {
    let (center, tolerance) = window(minutes);
    // The backup day of each run: the date of the nominal start it stands
    // for, so a 00:10 run of a 23:50 job counts for the evening before.
    let mut days: Vec<NaiveDate> = Vec::new();
    let mut inliers = 0usize;
    for (t, m) in local.iter().zip(minutes) {
        let diff = circular_diff(*m, center);
        if diff.abs() <= tolerance {
            inliers += 1;
        }
        let nominal = t.naive_local() - chrono::Duration::minutes(i64::from(diff));
        days.push(nominal.date());
    }
    days.sort_unstable();
    days.dedup();
    if inliers < MIN_RUNS || days.len() < MIN_RUNS {
        return None;
    }
    let inlier_share = inliers as f32 / local.len() as f32;
    let first = *days.first()?;
    let last = *days.last()?;
    let cadence = cadence_of(&days, first, last)?;
    // How well the cadence explains the days: days it expects that had a
    // run, against everything it expects plus runs on other days.
    let span: Vec<NaiveDate> = first.iter_days().take_while(|d| *d <= last).collect();
    let expected = span.iter().filter(|d| cadence_has_day(&cadence, **d)).count();
    let hits = days.iter().filter(|d| cadence_has_day(&cadence, **d)).count();
    let extra = days.len() - hits;
    let fit = hits as f32 / (expected + extra).max(1) as f32;
    let confidence = round2(fit * inlier_share * sample_factor(local.len()));
    if confidence < MIN_CONFIDENCE {
        return None;
    }
    Some(LearnedSchedule {
        cadence,
        expected_minute: center as u16,
        tolerance_minutes: tolerance as u16,
        confidence,
        runs: local.len() as u32,
    })
}

/// The cadence the backup days follow, if any.
fn cadence_of(days: &[NaiveDate], first: NaiveDate, last: NaiveDate) -> Option<Cadence> {
    let mut gaps: Vec<i32> = days.windows(2).map(|w| (w[1] - w[0]).num_days() as i32).collect();
    let median_gap = median_abs(&mut gaps);
    if median_gap >= 25 {
        // Monthly: most runs on the same day of the month.
        let mut counts = [0usize; 32];
        for d in days {
            counts[d.day() as usize] += 1;
        }
        let (dom, n) = counts.iter().enumerate().max_by_key(|(_, n)| **n)?;
        return (*n * 10 >= days.len() * 7).then_some(Cadence::Monthly { day: dom as u8 });
    }
    // Per weekday: the share of that weekday's dates in the span that had a run.
    let mut had = [0usize; 7];
    let mut chances = [0usize; 7];
    for d in days {
        had[d.weekday().num_days_from_monday() as usize] += 1;
    }
    for d in first.iter_days().take_while(|d| *d <= last) {
        chances[d.weekday().num_days_from_monday() as usize] += 1;
    }
    // A weekday is kept if at least a third of its dates had a run: a
    // daily job that skipped a few days stays daily.
    let kept = |w: usize| had[w] * 3 >= chances[w];
    // A weekday the span never reached (under a week of history) counts
    // as kept: three runs on three days in a row are a daily job until
    // the history says otherwise.
    if (0..7).all(kept) {
        return Some(Cadence::Daily);
    }
    let active: Vec<u8> = (0..7u8).filter(|w| chances[*w as usize] > 0 && kept(*w as usize)).collect();
    match active.as_slice() {
        [] => None,
        [0, 1, 2, 3, 4, 5, 6] => Some(Cadence::Daily),
        [0, 1, 2, 3, 4] => Some(Cadence::Weekdays),
        [d] => Some(Cadence::Weekly { day: *d }),
        _ => Some(Cadence::DaysOfWeek { days: active }),
    }
}

/// Minutes after local midnight to an instant on `day`, in `tz`. A time in
/// a DST gap moves on by the gap; in a fold, the first of the two.
pub fn local_instant(tz: Tz, day: NaiveDate, minute: u32) -> Option<DateTime<Utc>> {
    let naive = day.and_hms_opt(0, 0, 0)? + chrono::Duration::minutes(i64::from(minute));
    tz.from_local_datetime(&naive)
        .earliest()
        .or_else(|| tz.from_local_datetime(&(naive + chrono::Duration::hours(1))).earliest())
        .map(|t| t.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use crate::schedules::learn::*;
    use chrono::Duration;

    fn at(day: NaiveDate, minute: u32) -> i64 {
        local_instant(chrono_tz::UTC, day, minute).expect("valid").timestamp()
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("valid")
    }

    #[test]
    fn median_wraps_around_midnight() {
        assert_eq!(circular_median(&[1430, 10, 1435, 5, 0]), 0);
        assert_eq!(circular_median(&[600, 610, 620]), 610);
        assert_eq!(circular_diff(5, 1435), 10);
        assert_eq!(circular_diff(1435, 5), -10);
    }

    #[test]
    fn three_daily_runs_are_a_daily_schedule() {
        let starts: Vec<i64> = (0..3).map(|i| at(d(2026, 3, 1) + Duration::days(i), 22 * 60 + 3 * i as u32)).collect();
        let s = learn(&starts, chrono_tz::UTC).expect("learned");
        assert_eq!(s.cadence, Cadence::Daily);
        assert_eq!(s.expected_minute, 22 * 60 + 3);
        assert!(s.confidence >= MIN_CONFIDENCE);
    }

    #[test]
    fn two_runs_teach_nothing() {
        assert_eq!(learn(&[at(d(2026, 3, 1), 60), at(d(2026, 3, 2), 60)], chrono_tz::UTC), None);
    }

    #[test]
    fn around_midnight_and_with_an_outlier() {
        let mut starts: Vec<i64> = (0..20)
            .map(|i| at(d(2026, 3, 1) + Duration::days(i), if i % 2 == 0 { 23 * 60 + 55 } else { 24 * 60 + 5 }))
            .collect();
        starts.push(at(d(2026, 3, 10), 14 * 60));
        let s = learn(&starts, chrono_tz::UTC).expect("learned");
        assert_eq!(s.cadence, Cadence::Daily);
        assert!(s.expected_minute >= 23 * 60 + 55 || s.expected_minute <= 5, "{}", s.expected_minute);
        assert!(s.tolerance_minutes <= 60, "{}", s.tolerance_minutes);
    }

    #[test]
    fn weekdays_weekly_monthly_and_sets_of_days() {
        // 2026-03-02 is a Monday.
        let monday = d(2026, 3, 2);
        let weekdays: Vec<i64> = (0..28)
            .map(|i| monday + Duration::days(i))
            .filter(|d| d.weekday().num_days_from_monday() < 5)
            .map(|d| at(d, 20 * 60))
            .collect();
        assert_eq!(learn(&weekdays, chrono_tz::UTC).map(|s| s.cadence), Some(Cadence::Weekdays));
        let weekly: Vec<i64> = (0..6).map(|i| at(monday + Duration::days(7 * i + 5), 3 * 60)).collect();
        assert_eq!(learn(&weekly, chrono_tz::UTC).map(|s| s.cadence), Some(Cadence::Weekly { day: 5 }));
        let monthly: Vec<i64> = (1..=5).map(|m| at(d(2026, m, 15), 60)).collect();
        assert_eq!(learn(&monthly, chrono_tz::UTC).map(|s| s.cadence), Some(Cadence::Monthly { day: 15 }));
        let mon_wed_fri: Vec<i64> = (0..28)
            .map(|i| monday + Duration::days(i))
            .filter(|d| [0, 2, 4].contains(&d.weekday().num_days_from_monday()))
            .map(|d| at(d, 21 * 60))
            .collect();
        assert_eq!(
            learn(&mon_wed_fri, chrono_tz::UTC).map(|s| s.cadence),
            Some(Cadence::DaysOfWeek { days: vec![0, 2, 4] })
        );
    }

    #[test]
    fn every_four_hours() {
        let starts: Vec<i64> = (0..30).map(|i| at(d(2026, 3, 1), 0) + 60 * (4 * 60 * i + 30)).collect();
        let s = learn(&starts, chrono_tz::UTC).expect("learned");
        assert_eq!(s.cadence, Cadence::EveryHours { hours: 4 });
        assert_eq!(s.expected_minute, 30);
    }

    #[test]
    fn random_times_have_no_schedule() {
        // Deterministic scatter: start minutes and day gaps all over.
        let mut x: u64 = 7;
        let mut t = at(d(2026, 3, 1), 0);
        let mut starts = Vec::new();
        for _ in 0..40 {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            t += 3600 * (1 + (x >> 33) as i64 % 70);
            starts.push(t);
        }
        assert_eq!(learn(&starts, chrono_tz::UTC), None);
    }

    #[test]
    fn learns_in_the_msp_time_zone() {
        // 22:00 in Amsterdam is 21:00 UTC in winter.
        let tz: Tz = "Europe/Amsterdam".parse().expect("tz");
        let starts: Vec<i64> = (0..5)
            .map(|i| local_instant(tz, d(2026, 1, 10) + Duration::days(i), 22 * 60).expect("valid").timestamp())
            .collect();
        assert_eq!(learn(&starts, tz).map(|s| s.expected_minute), Some(22 * 60));
    }

    /// Property: any daily schedule with jitter within ±10 min and one
    /// day in ten missing, over 60 days, is learned as daily within ±10 min of its start.
    #[test]
    fn property_jittered_daily_jobs_are_learned() {
        let mut x: u64 = 42;
        let mut next = || {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (x >> 33) as i64
        };
        for _ in 0..200 {
            let start = next() % 1440;
            let mut starts = Vec::new();
            for i in 0..60 {
                if next() % 10 == 0 {
                    continue;
                }
                let jitter = next() % 21 - 10;
                starts.push(at(d(2026, 3, 1), 0) + 86400 * i + 60 * (start + jitter));
            }
            let s = learn(&starts, chrono_tz::UTC).expect("learned");
            assert_eq!(s.cadence, Cadence::Daily, "start {start}");
            assert!(circular_diff(i32::from(s.expected_minute), start as i32).abs() <= 10, "start {start}: {s:?}");
        }
    }
}
