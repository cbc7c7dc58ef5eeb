//! The parse options (keyword rules) of one process, re-read from the store
//! after [`OPTIONS_TTL`] so every Lambda instance sees a change soon without
//! a read per mail.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bc_parsers::ParseOptions;

/// How long a function instance trusts its copy of the keyword rules.
pub const OPTIONS_TTL: Duration = Duration::from_secs(60);

#[derive(Default)]
pub struct OptionsCache(tokio::sync::RwLock<Option<(Instant, Arc<ParseOptions>)>>);

impl OptionsCache {
    /// The cached options while fresh.
    pub async fn fresh(&self) -> Option<Arc<ParseOptions>> {
        match self.0.read().await.as_ref() {
            Some((at, opts)) if at.elapsed() < OPTIONS_TTL => Some(opts.clone()),
            _ => None,
        }
    }

    pub async fn set(&self, opts: Arc<ParseOptions>) {
        *self.0.write().await = Some((Instant::now(), opts));
    }
}
