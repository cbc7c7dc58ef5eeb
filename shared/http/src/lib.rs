//! The HTTP API under `/api/v1` as one axum [`Router`], plus the built
//! frontend as static files. The same router runs in the Lambda `api`
//! function (through lambda_http) and in `backupchecks serve`.
//!
//! Every route checks its permission through the core use case it calls;
//! the router only maps requests in and results out.
//!
//! In front of every route: the cross-site check of [`csrf`]. API responses
//! carry `X-Content-Type-Options: nosniff` and `Cache-Control: no-store`;
//! an unknown `/api/...` path is a JSON 404, never the UI's `index.html`.

mod csrf;
mod error;
mod extract;
pub mod hosts;
pub mod origin;
mod routes;
pub mod serve;
mod static_files;

use std::path::PathBuf;
use std::sync::Arc;

use axum::http::header::{CACHE_CONTROL, X_CONTENT_TYPE_OPTIONS};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use bc_core::App;
use tower_http::set_header::SetResponseHeaderLayer;

pub use axum::Router;
pub use error::ApiError;
pub use hosts::{default_allowed_hosts, restrict_hosts};
pub use routes::openapi;
pub use serve::{ServeLimits, Served, serve};

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
    let site = Arc::new(csrf::SiteOrigin::from_public_url(&app.config.public_url));
    let state = AppState { app, opts: Arc::new(opts.clone()) };
    let (api, _) = routes::api_router().split_for_parts();
    let api = api
        .with_state(state)
        .layer(SetResponseHeaderLayer::if_not_present(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::if_not_present(CACHE_CONTROL, HeaderValue::from_static("no-store")));
    let rest = match &opts.frontend_dir {
        Some(dir) => static_files::router(dir.clone()).layer(axum::middleware::from_fn(api_paths_not_found)),
        None => Router::new().fallback(|| async { api_not_found() }),
    };
    api.merge(rest)
        .layer(axum::middleware::from_fn_with_state(site, csrf::check))
        .layer(tower_http::trace::TraceLayer::new_for_http())
}

/// In front of the static files: `/api/...` paths no route matched are a
/// JSON 404, not the SPA's `index.html`.
async fn api_paths_not_found(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let path = req.uri().path();
    if path == "/api" || path.starts_with("/api/") {
        return api_not_found();
    }
    next.run(req).await
}

fn api_not_found() -> Response {
    let mut resp = error::error_response(StatusCode::NOT_FOUND, "not_found", "no such API endpoint".into());
    let h = resp.headers_mut();
    h.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp.into_response()
}
