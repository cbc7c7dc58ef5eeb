//! The built frontend as static files, with the SPA fallback to
//! `index.html` and the security headers the UI runs under.

use std::path::PathBuf;

use axum::Router;
use axum::http::HeaderValue;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;

/// wasm needs 'wasm-unsafe-eval'; everything else is same-origin only.
const APP_CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; \
                       img-src 'self' data:; connect-src 'self'; frame-src 'self'; frame-ancestors 'none'; \
                       base-uri 'none'; form-action 'self'; object-src 'none'";

pub(crate) fn router(dir: PathBuf) -> Router {
    let index = dir.join("index.html");
    let files = ServeDir::new(&dir).append_index_html_on_directories(true).fallback(ServeFile::new(index));
    Router::new()
        .fallback_service(files)
        .layer(SetResponseHeaderLayer::if_not_present(
            axum::http::header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(APP_CSP),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            axum::http::header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            axum::http::header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
}
