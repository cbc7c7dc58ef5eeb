//! The HTTP API under `/api/v1` as one axum [`Router`], plus the built
//! frontend as static files. The same router runs in the Lambda `api`
//! function (through lambda_http) and in `backupchecks serve`.
//!
//! Every route checks its permission through the core use case it calls;
//! the router only maps requests in and results out.

mod error;
mod extract;
pub mod origin;
mod routes;
mod static_files;

use std::path::PathBuf;
use std::sync::Arc;

use bc_core::App;

pub use axum::Router;
pub use error::ApiError;
pub use routes::openapi;

/// How the router behaves in its runtime.
#[derive(Debug, Clone, Default)]
pub struct HttpOptions {
    /// Mark the session cookie `Secure` (on for HTTPS deployments).
    pub cookie_secure: bool,
    /// Serve the built frontend from here at `/` (None on Lambda, where
    /// CloudFront serves it from S3).
    pub frontend_dir: Option<PathBuf>,
    /// How many proxies of ours append to `X-Forwarded-For` in front of this
    /// server; the client address for rate limiting is the entry the
    /// outermost one added. 0: use the socket peer (no proxy).
    pub forwarded_for_hops: usize,
}

#[derive(Clone)]
pub(crate) struct AppState {
    pub app: App,
    pub opts: Arc<HttpOptions>,
}

/// The whole HTTP surface: `/api/v1/...` and, when configured, the frontend.
pub fn router(app: App, opts: HttpOptions) -> Router {
    let state = AppState { app, opts: Arc::new(opts.clone()) };
    let (api, _) = routes::api_router().split_for_parts();
    let api = api.with_state(state);
    match &opts.frontend_dir {
        Some(dir) => api.merge(static_files::router(dir.clone())),
        None => api,
    }
    .layer(tower_http::trace::TraceLayer::new_for_http())
}
