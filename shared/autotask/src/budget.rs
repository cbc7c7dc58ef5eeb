//! The hourly request budget. Autotask allows 10,000 requests per rolling hour per database, shared by every
//! integration of the tenant; past it the tenant's API is suspended. The client asks the budget before every
//! request (page follows and retries included) and sends nothing when it says no. The product supplies an
//! implementation backed by its store (so Lambdas share one count); [`HourlyBudget`] is the in-memory one.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub trait RequestBudget: Send + Sync {
    /// Takes one request from the budget; `false` when it is spent (the request is then not sent).
    fn try_take(&self) -> bool;
}

/// No limit (tests, tools).
#[derive(Debug, Default, Clone, Copy)]
pub struct Unlimited;

impl RequestBudget for Unlimited {
    fn try_take(&self) -> bool {
        true
    }
}

/// At most `limit` requests in any rolling hour, counted in this process.
#[derive(Debug)]
pub struct HourlyBudget {
    limit: usize,
    window: Duration,
    taken: Mutex<VecDeque<Instant>>,
}

impl HourlyBudget {
    /// Keep `limit` well under 10,000: other integrations share the tenant's allowance.
    pub fn new(limit: usize) -> Self {
        Self::with_window(limit, Duration::from_secs(3600))
    }

    pub fn with_window(limit: usize, window: Duration) -> Self {
        HourlyBudget { limit, window, taken: Mutex::new(VecDeque::new()) }
    }

    /// Requests taken in the current window.
    pub fn used(&self) -> usize {
        let mut q = self.taken.lock().unwrap();
        Self::expire(&mut q, self.window);
        q.len()
    }

    fn expire(q: &mut VecDeque<Instant>, window: Duration) {
        let now = Instant::now();
        while q.front().is_some_and(|t| now.duration_since(*t) >= window) {
            q.pop_front();
        }
    }
}

impl RequestBudget for HourlyBudget {
    fn try_take(&self) -> bool {
        let mut q = self.taken.lock().unwrap();
        Self::expire(&mut q, self.window);
        if q.len() >= self.limit {
            return false;
        }
        q.push_back(Instant::now());
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hourly_budget_refuses_past_the_limit_and_frees_with_time() {
        let b = HourlyBudget::with_window(2, Duration::from_millis(50));
        assert!(b.try_take());
        assert!(b.try_take());
        assert!(!b.try_take());
        assert_eq!(b.used(), 2);
        std::thread::sleep(Duration::from_millis(60));
        assert!(b.try_take());
    }
}
