//! The schedule context (time zone, cut-over, maintenance windows) of one
//! process, re-read from the store after [`CONTEXT_TTL`] so ingest reads no
//! settings per mail and every Lambda instance sees a change soon.

use std::sync::Arc;
use std::time::{Duration, Instant};

use super::expect::Context;

/// How long a process trusts its copy of the schedule context.
pub const CONTEXT_TTL: Duration = Duration::from_secs(60);

#[derive(Default)]
pub struct ContextCache(tokio::sync::RwLock<Option<(Instant, Arc<Context>)>>);

impl ContextCache {
    /// The cached context while fresh.
    pub async fn fresh(&self) -> Option<Arc<Context>> {
        match self.0.read().await.as_ref() {
            Some((at, ctx)) if at.elapsed() < CONTEXT_TTL => Some(ctx.clone()),
            _ => None,
        }
    }

    pub async fn set(&self, ctx: Arc<Context>) {
        *self.0.write().await = Some((Instant::now(), ctx));
    }

    /// Forgets the copy (a setting it holds changed).
    pub async fn clear(&self) {
        *self.0.write().await = None;
    }
}
