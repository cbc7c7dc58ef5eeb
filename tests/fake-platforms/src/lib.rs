//! Fake backup platform APIs on loopback, faithful to what
//! `../shared/docs/platform-apis.md` records of the real ones:
//! [`FakeVeeam`] (Veeam Backup & Replication REST, v12 and v13 revisions)
//! and [`FakeCove`] (N-able Cove JSON-RPC). Tests start them with `start()`,
//! fill them with the data controls (jobs, sessions, devices), inject
//! [`Fault`]s and read [`requests`](FakeVeeam::requests). A person starts
//! both with the `fake-platforms` binary.
//!
//! Both speak plain HTTP on loopback (the real Veeam server is HTTPS with a
//! self-signed certificate; Backupchecks allows plain http only to loopback
//! and only when the runtime allows loopback integrations).

// The handlers return a ready `Response` as their error: it is the answer, and a test fake's answers need no boxing.
#![allow(clippy::result_large_err)]

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;

pub mod cove;
pub mod veeam;

pub use cove::{CoveDevice, FakeCove};
pub use veeam::{FakeVeeam, VeeamJob, VeeamSession, VeeamTask};

/// A fault applied to the next matching request(s).
#[derive(Debug, Clone, PartialEq)]
pub enum Fault {
    /// Answer with this HTTP status (401, 429, 503, ...) and the platform's error shape.
    Status(u16),
    /// Answer normally after this delay.
    Slow(Duration),
    /// Every token (Veeam) or visa (Cove) issued so far expires before this request is handled.
    ExpireTokens,
    /// The answer's list carries one unreadable item (a session without id and with a broken time).
    MalformedItem,
    /// After this page is served, its first item is deleted (the later items shift back: plain skip-paging misses one).
    DisappearAfterPage,
}

pub(crate) struct Faults {
    list: Mutex<VecDeque<(Fault, String)>>,
}

impl Faults {
    pub(crate) fn new() -> Self {
        Faults { list: Mutex::new(VecDeque::new()) }
    }
    pub(crate) fn push(&self, f: Fault, on: &str) {
        self.list.lock().unwrap().push_back((f, on.to_lowercase()));
    }
    /// The first fault whose filter is part of `what` (path or method name), taken.
    pub(crate) fn take(&self, what: &str) -> Option<Fault> {
        let w = what.to_lowercase();
        let mut l = self.list.lock().unwrap();
        let i = l.iter().position(|(_, on)| w.contains(on.as_str()))?;
        l.remove(i).map(|(f, _)| f)
    }
}

/// A fake's server task; dropping it stops the server.
pub(crate) struct Serving(Option<tokio::sync::oneshot::Sender<()>>);

impl Drop for Serving {
    fn drop(&mut self) {
        if let Some(tx) = self.0.take() {
            let _ = tx.send(());
        }
    }
}

/// Serves `app` on `listener` on a task of its own until the handle drops.
pub(crate) fn serve(listener: tokio::net::TcpListener, app: axum::Router) -> Serving {
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = rx.await;
            })
            .await;
    });
    Serving(Some(tx))
}

pub(crate) fn random_hex(n: usize) -> String {
    (0..n).map(|_| format!("{:x}", rand::random::<u8>() % 16)).collect()
}

pub(crate) fn guid() -> String {
    let h = random_hex(32);
    format!("{}-{}-{}-{}-{}", &h[0..8], &h[8..12], &h[12..16], &h[16..20], &h[20..32])
}
