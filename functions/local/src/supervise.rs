//! Background loops of `serve` under supervision: a loop that ends or
//! panics is logged and started again after a growing pause, so one bad
//! mail or task never stops intake, the scheduler or the worker for good.
//! Once the stop signal is given, a loop that ends is not started again.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Pause before restart `n` (1-based): 1 s, 2 s, 4 s ... at most 60 s.
pub fn backoff(n: u32) -> Duration {
    Duration::from_secs((1u64 << n.saturating_sub(1).min(6)).min(60))
}

/// Runs `make()` again whenever the loop it returns ends or panics, until
/// `stop` turns true (the loops watch it too and end at their next pause).
/// `restarts` counts the restarts (for tests and the log).
pub fn supervise<F, Fut>(
    name: &'static str,
    restarts: Arc<AtomicU64>,
    mut stop: tokio::sync::watch::Receiver<bool>,
    make: F,
) -> tokio::task::JoinHandle<()>
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    tokio::spawn(async move {
        let mut n = 0u32;
        loop {
            let outcome = tokio::spawn(make()).await;
            if *stop.borrow() {
                tracing::info!(task = name, "background loop stopped");
                return;
            }
            n = n.saturating_add(1);
            restarts.fetch_add(1, Ordering::Relaxed);
            let pause = backoff(n);
            match outcome {
                Err(e) if e.is_panic() => {
                    tracing::error!(task = name, restart_in = ?pause, error = %e, "background loop panicked; restarting")
                }
                _ => tracing::error!(task = name, restart_in = ?pause, "background loop ended; restarting"),
            }
            tokio::select! {
                _ = tokio::time::sleep(pause) => {}
                _ = stop.wait_for(|s| *s) => return,
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_caps() {
        assert_eq!(backoff(1), Duration::from_secs(1));
        assert_eq!(backoff(3), Duration::from_secs(4));
        assert_eq!(backoff(40), Duration::from_secs(60));
    }

    #[tokio::test]
    async fn a_panicking_loop_is_restarted() {
        let runs = Arc::new(AtomicU64::new(0));
        let restarts = Arc::new(AtomicU64::new(0));
        let r = runs.clone();
        let (_stop_tx, stop) = tokio::sync::watch::channel(false);
        let handle = supervise("test", restarts.clone(), stop, move || {
            let r = r.clone();
            async move {
                if r.fetch_add(1, Ordering::SeqCst) < 2 {
                    panic!("a poisoned mail");
                }
                // The third start keeps running.
                std::future::pending::<()>().await;
            }
        });
        for _ in 0..100 {
            tokio::time::sleep(Duration::from_millis(500)).await;
            if runs.load(Ordering::SeqCst) >= 3 {
                break;
            }
        }
        assert_eq!(runs.load(Ordering::SeqCst), 3, "started again after each panic");
        assert_eq!(restarts.load(Ordering::SeqCst), 2);
        assert!(!handle.is_finished(), "the supervisor keeps going");
        handle.abort();
    }

    #[tokio::test]
    async fn the_stop_signal_ends_the_loop_and_its_supervisor() {
        let (stop_tx, stop) = tokio::sync::watch::channel(false);
        let restarts = Arc::new(AtomicU64::new(0));
        let s = stop.clone();
        let handle = supervise("test", restarts.clone(), stop, move || {
            let mut s = s.clone();
            async move {
                let _ = s.wait_for(|v| *v).await;
            }
        });
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(!handle.is_finished());
        stop_tx.send(true).expect("send");
        tokio::time::timeout(Duration::from_secs(10), handle).await.expect("supervisor ended").expect("no panic");
        assert_eq!(restarts.load(Ordering::SeqCst), 0, "a stopped loop is not restarted");
    }
}
