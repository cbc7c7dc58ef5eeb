//! The hourly request budget. Autotask allows 10,000 requests per rolling hour per database, shared by every
//! integration of the tenant; past it the tenant's API is suspended. The client asks the budget before every
//! request (page follows and retries included) and sends nothing when it says no. The product supplies an
//! implementation backed by its store (so Lambdas share one count); [`HourlyBudget`] is the in-memory one.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::{Duration, Instant};

#[async_trait::async_trait]
pub trait RequestBudget: Send + Sync {
    /// Takes one request from the budget; `false` when it is spent (the request is then not sent).
    async fn try_take(&self) -> bool;
}

/// No limit (tests, tools).
#[derive(Debug, Default, Clone, Copy)]
pub struct Unlimited;

#[async_trait::async_trait]
impl RequestBudget for Unlimited {
    async fn try_take(&self) -> bool {
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

#[async_trait::async_trait]
impl RequestBudget for HourlyBudget {
    async fn try_take(&self) -> bool {
        let mut q = self.taken.lock().unwrap();
        Self::expire(&mut q, self.window);
        if q.len() >= self.limit {
            return false;
        }
        q.push_back(Instant::now());
        true
    }
}

/// At most `limit` requests per clock hour for **every process together**:
/// a counter in the store (`psa-budget:<hour>`, the store's atomic counter:
/// UpdateItem ADD on DynamoDB, an upsert on SQLite) counts blocks of
/// [`StoreBudget::BLOCK`] requests that processes reserve and spend
/// locally. Unspent requests of a block are lost at the hour's end (at most
/// a block per process an hour). A store that cannot be reached refuses:
/// better no call than a suspended tenant.
pub struct StoreBudget {
    counters: std::sync::Arc<dyn bc_core::auth::repo::CounterRepo>,
    /// Blocks per hour.
    blocks: u64,
    /// The counter's name; the hour is appended.
    name: String,
    /// (hour, requests left in this process's block)
    local: tokio::sync::Mutex<(i64, u64)>,
}

impl StoreBudget {
    pub const BLOCK: u64 = 20;

    /// `limit` requests per hour (rounded down to whole blocks).
    pub fn new(counters: std::sync::Arc<dyn bc_core::auth::repo::CounterRepo>, limit: u64) -> Self {
        Self::named(counters, limit, "psa-budget")
    }

    /// A budget under another counter name (tests, other integrations).
    pub fn named(counters: std::sync::Arc<dyn bc_core::auth::repo::CounterRepo>, limit: u64, name: &str) -> Self {
        StoreBudget {
            counters,
            blocks: limit / Self::BLOCK,
            name: name.to_string(),
            local: tokio::sync::Mutex::new((i64::MIN, 0)),
        }
    }
}

#[async_trait::async_trait]
impl RequestBudget for StoreBudget {
    async fn try_take(&self) -> bool {
        let now = chrono::Utc::now();
        let hour = now.timestamp().div_euclid(3600);
        let mut local = self.local.lock().await;
        if local.0 != hour {
            *local = (hour, 0);
        }
        if local.1 == 0 {
            let key = format!("{}:{hour}", self.name);
            match self.counters.bump_counter(&key, now + chrono::Duration::hours(2)).await {
                Ok(blocks) if blocks <= self.blocks => local.1 = Self::BLOCK,
                Ok(_) => return false,
                Err(e) => {
                    tracing::warn!(error = %e, "the shared Autotask request budget could not be read; not calling");
                    return false;
                }
            }
        }
        local.1 -= 1;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hourly_budget_refuses_past_the_limit_and_frees_with_time() {
        let b = HourlyBudget::with_window(2, Duration::from_millis(50));
        assert!(b.try_take().await);
        assert!(b.try_take().await);
        assert!(!b.try_take().await);
        assert_eq!(b.used(), 2);
        std::thread::sleep(Duration::from_millis(60));
        assert!(b.try_take().await);
    }
}
