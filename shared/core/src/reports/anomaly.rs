//! Which runs of a job are far outside its usual size or duration. The rule
//! (also in docs/anomalies.md): a value is an anomaly when it lies more than
//! [`K`] robust standard deviations from the median of the job's previous
//! [`WINDOW`] runs that have the value, with at least [`MIN_RUNS`] of them.
//! The robust standard deviation is 1.4826 × the median absolute deviation
//! (MAD), floored at 5% of the median (and at 1) so a job whose history is
//! perfectly flat does not flag every tiny change. Pure.

/// How many earlier runs form the baseline.
pub const WINDOW: usize = 30;
/// Fewer earlier runs than this: no judgement.
pub const MIN_RUNS: usize = 5;
/// How many robust standard deviations count as far.
pub const K: f64 = 3.0;

fn median(sorted: &[f64]) -> f64 {
    let n = sorted.len();
    if n % 2 == 1 { sorted[n / 2] } else { (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0 }
}

/// Whether `value` is far outside `baseline` (earlier values, any order).
pub fn is_outlier(baseline: &[u64], value: u64) -> bool {
    if baseline.len() < MIN_RUNS {
        return false;
    }
    let mut b: Vec<f64> = baseline.iter().map(|v| *v as f64).collect();
    b.sort_by(f64::total_cmp);
    let med = median(&b);
    let mut dev: Vec<f64> = b.iter().map(|v| (v - med).abs()).collect();
    dev.sort_by(f64::total_cmp);
    let sigma = (1.4826 * median(&dev)).max(0.05 * med.abs()).max(1.0);
    ((value as f64) - med).abs() > K * sigma
}

/// For values oldest first (`None` where a run did not state it), whether
/// each is an outlier against the up to [`WINDOW`] stated values before it.
pub fn flags(values: &[Option<u64>]) -> Vec<bool> {
    let mut out = Vec::with_capacity(values.len());
    let mut seen: Vec<u64> = Vec::new();
    for v in values {
        match v {
            Some(x) => {
                let from = seen.len().saturating_sub(WINDOW);
                out.push(is_outlier(&seen[from..], *x));
                seen.push(*x);
            }
            None => out.push(false),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn too_few_runs_judge_nothing() {
        assert!(!is_outlier(&[], 1_000_000));
        assert!(!is_outlier(&[10, 10, 10, 10], 1_000_000));
    }

    #[test]
    fn far_values_are_flagged_near_ones_not() {
        let base = [100, 102, 98, 101, 99, 100, 103, 97];
        assert!(!is_outlier(&base, 104));
        assert!(!is_outlier(&base, 96));
        assert!(is_outlier(&base, 200));
        assert!(is_outlier(&base, 10));
    }

    #[test]
    fn a_flat_history_tolerates_small_changes() {
        let base = [1_000; 10];
        assert!(!is_outlier(&base, 1_010));
        assert!(!is_outlier(&base, 1_140));
        assert!(is_outlier(&base, 1_200));
        assert!(is_outlier(&base, 0));
    }

    #[test]
    fn one_old_outlier_does_not_move_the_baseline() {
        let base = [100, 100, 5_000, 101, 99, 100];
        assert!(is_outlier(&base, 5_000));
        assert!(!is_outlier(&base, 101));
    }

    #[test]
    fn flags_use_only_earlier_values_and_skip_missing_ones() {
        let mut v: Vec<Option<u64>> = vec![Some(60); 6];
        v.push(None);
        v.push(Some(600));
        v.push(Some(61));
        let f = flags(&v);
        assert_eq!(f, vec![false, false, false, false, false, false, false, true, false]);
        // The first runs have no baseline, however odd.
        assert_eq!(flags(&[Some(1), Some(1_000_000)]), vec![false, false]);
    }

    #[test]
    fn the_window_forgets_old_runs() {
        let mut v: Vec<Option<u64>> = vec![Some(10); 40];
        v.extend(std::iter::repeat_n(Some(1_000), WINDOW));
        v.push(Some(1_000));
        assert!(!*flags(&v).last().unwrap());
    }
}
