//! The one retry-on-conflict loop: re-read, re-apply, write again while a
//! concurrent writer moved the version on.

use crate::error::{Error, Result};
use crate::ports::PortError;

/// Attempts before giving up with a 409 the caller can retry.
pub const ATTEMPTS: usize = 8;

/// What one attempt of a read-modify-write ended in.
pub enum Attempt<T> {
    Done(T),
    /// The version moved on: read again and retry.
    Conflict,
}

/// Runs `attempt` until it is done, at most [`ATTEMPTS`] times. A
/// `PortError::Conflict` from the attempt counts as [`Attempt::Conflict`].
///
/// (A closure returning a future rather than an async closure: the futures
/// of async closures cannot yet be proven `Send`, which the HTTP server needs.)
pub async fn on_conflict<T, F, Fut>(what: &str, mut attempt: F) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<Attempt<T>>>,
{
    for _ in 0..ATTEMPTS {
        match attempt().await {
            Ok(Attempt::Done(v)) => return Ok(v),
            Ok(Attempt::Conflict) | Err(Error::Conflict(_)) => continue,
            Err(e) => return Err(e),
        }
    }
    Err(Error::Conflict(format!("{what} kept changing; try again")))
}

/// A versioned write's outcome as an [`Attempt`].
pub fn written<T>(r: std::result::Result<(), PortError>, value: T) -> Result<Attempt<T>> {
    match r {
        Ok(()) => Ok(Attempt::Done(value)),
        Err(PortError::Conflict(_)) => Ok(Attempt::Conflict),
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[tokio::test]
    async fn retries_conflicts_then_gives_up() {
        let n = AtomicUsize::new(0);
        let v = on_conflict("x", || async {
            let i = n.fetch_add(1, Ordering::SeqCst);
            if i < 2 { Ok(Attempt::Conflict) } else { Ok(Attempt::Done(i)) }
        })
        .await
        .unwrap();
        assert_eq!(v, 2);
        let e = on_conflict::<(), _, _>("the job", || async { Ok(Attempt::Conflict) }).await.unwrap_err();
        assert!(matches!(e, Error::Conflict(m) if m.contains("the job")));
        let e = on_conflict::<(), _, _>("x", || async { Err(Error::Invalid("no".into())) }).await.unwrap_err();
        assert!(matches!(e, Error::Invalid(_)));
    }
}
