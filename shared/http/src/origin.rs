//! The origin check of the AWS deployment: the API Gateway endpoint is
//! public beside CloudFront, so a caller could skip CloudFront (and the
//! viewer address it vouches for, which the login rate limiter counts by).
//! CloudFront adds `X-Origin-Verify: <secret>` to every request it sends to
//! the API; [`require_origin_secret`] answers 403 to any request without the
//! right value, and hands the client address from CloudFront's
//! `CloudFront-Viewer-Address` header to the `ClientAddr` extractor.
//!
//! Off unless a secret is given (the api Lambda passes its
//! `ORIGIN_VERIFY_SECRET`); `backupchecks serve` never uses it.

use std::net::IpAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::{self, Next};
use axum::response::Response;

/// The header CloudFront adds (an origin custom header in the template).
pub const ORIGIN_VERIFY_HEADER: &str = "x-origin-verify";
/// CloudFront's `ip:port` of the viewer (IPv6 too, unbracketed).
pub const VIEWER_ADDRESS_HEADER: &str = "cloudfront-viewer-address";

/// The viewer's address as CloudFront saw it; set on a request only after
/// the origin check passed, so a caller cannot choose it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ViewerAddress(pub String);

/// `router` with the origin check in front of every route, when `secret`
/// is set and non-blank; `router` unchanged otherwise.
pub fn require_origin_secret(router: Router, secret: Option<String>) -> Router {
    match secret.map(|s| s.trim().to_string()).filter(|s| !s.is_empty()) {
        Some(secret) => router.layer(middleware::from_fn_with_state(Arc::new(secret), check)),
        None => router,
    }
}

async fn check(State(secret): State<Arc<String>>, mut req: Request, next: Next) -> Response {
    if !origin_verified(req.headers(), &secret) {
        tracing::debug!(path = %req.uri().path(), "refused: no valid X-Origin-Verify (not through CloudFront)");
        return forbidden();
    }
    if let Some(ip) = req.headers().get(VIEWER_ADDRESS_HEADER).and_then(|v| v.to_str().ok()).and_then(viewer_ip) {
        req.extensions_mut().insert(ViewerAddress(ip.to_string()));
    }
    next.run(req).await
}

/// Exactly one `X-Origin-Verify` header, equal to `secret`.
pub(crate) fn origin_verified(headers: &HeaderMap, secret: &str) -> bool {
    let mut values = headers.get_all(ORIGIN_VERIFY_HEADER).iter();
    match (values.next(), values.next()) {
        (Some(v), None) => constant_time_eq(v.as_bytes(), secret.as_bytes()),
        _ => false,
    }
}

/// Compares without an early exit, so the time taken does not tell how many
/// leading bytes matched. (The length is not secret: it is fixed.)
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    let mut diff = (a.len() ^ b.len()) as u64;
    for i in 0..a.len().max(b.len()) {
        let x = a.get(i).copied().unwrap_or(0);
        let y = b.get(i).copied().unwrap_or(0);
        diff |= u64::from(x ^ y);
    }
    std::hint::black_box(diff) == 0
}

/// The IP of a `CloudFront-Viewer-Address` value: `198.51.100.10:46532`,
/// `2001:db8::1:46532` (IPv6 without brackets: the port is after the last
/// colon), or `[2001:db8::1]:46532`.
pub(crate) fn viewer_ip(value: &str) -> Option<IpAddr> {
    let value = value.trim();
    let (host, port) = value.rsplit_once(':')?;
    if port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit()) || port.parse::<u16>().is_err() {
        return None;
    }
    let host = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')).unwrap_or(host);
    host.parse().ok()
}

fn forbidden() -> Response {
    crate::error::error_response(
        StatusCode::FORBIDDEN,
        "forbidden",
        "this API is reached through the site's address only".into(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::Request as HttpRequest;
    use axum::routing::get;
    use tower::ServiceExt;

    #[test]
    fn compares_whole_values() {
        assert!(constant_time_eq(b"s3cret", b"s3cret"));
        assert!(!constant_time_eq(b"s3cret", b"s3creT"));
        assert!(!constant_time_eq(b"s3cret", b"s3cre"));
        assert!(!constant_time_eq(b"s3cre", b"s3cret"));
        assert!(!constant_time_eq(b"", b"x"));
        assert!(constant_time_eq(b"", b""));
    }

    #[test]
    fn parses_viewer_addresses() {
        assert_eq!(viewer_ip("198.51.100.10:46532"), Some("198.51.100.10".parse().unwrap()));
        assert_eq!(viewer_ip(" 198.51.100.10:443 "), Some("198.51.100.10".parse().unwrap()));
        assert_eq!(viewer_ip("2001:db8::1:46532"), Some("2001:db8::1".parse().unwrap()));
        assert_eq!(
            viewer_ip("2001:0db8:85a3:0000:0000:8a2e:0370:7334:46532"),
            Some("2001:db8:85a3::8a2e:370:7334".parse().unwrap())
        );
        assert_eq!(viewer_ip("[2001:db8::1]:443"), Some("2001:db8::1".parse().unwrap()));
        assert_eq!(viewer_ip("198.51.100.10"), None, "no port");
        assert_eq!(viewer_ip("198.51.100.10:"), None);
        assert_eq!(viewer_ip("198.51.100.10:99999"), None);
        assert_eq!(viewer_ip("198.51.100.10:-1"), None);
        assert_eq!(viewer_ip("example.com:443"), None);
        assert_eq!(viewer_ip(""), None);
    }

    #[test]
    fn exactly_one_matching_header_passes() {
        let mut h = HeaderMap::new();
        assert!(!origin_verified(&h, "abc"));
        h.insert(ORIGIN_VERIFY_HEADER, "abc".parse().unwrap());
        assert!(origin_verified(&h, "abc"));
        assert!(!origin_verified(&h, "abd"));
        h.append(ORIGIN_VERIFY_HEADER, "abc".parse().unwrap());
        assert!(!origin_verified(&h, "abc"), "two values: refused");
    }

    fn app(secret: Option<&str>) -> Router {
        let routes = Router::new().route(
            "/api/v1/whoami",
            get(|req: Request| async move {
                req.extensions().get::<ViewerAddress>().map(|v| v.0.clone()).unwrap_or_else(|| "none".into())
            }),
        );
        require_origin_secret(routes, secret.map(str::to_string))
    }

    async fn call(router: Router, headers: &[(&str, &str)]) -> (StatusCode, String) {
        let mut req = HttpRequest::builder().uri("/api/v1/whoami");
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let resp = router.oneshot(req.body(Body::empty()).unwrap()).await.unwrap();
        let status = resp.status();
        let body = axum::body::to_bytes(resp.into_body(), 1 << 16).await.unwrap();
        (status, String::from_utf8(body.to_vec()).unwrap())
    }

    #[tokio::test]
    async fn refuses_requests_that_skipped_cloudfront() {
        let (status, body) = call(app(Some("s3cret")), &[]).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v["error"]["code"], "forbidden");
        let (status, _) = call(app(Some("s3cret")), &[("x-origin-verify", "guess")]).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        // A viewer address alone proves nothing.
        let (status, _) = call(app(Some("s3cret")), &[("cloudfront-viewer-address", "203.0.113.9:1234")]).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }

    #[tokio::test]
    async fn passes_cloudfront_requests_with_the_viewer_address() {
        let headers = [("x-origin-verify", "s3cret"), ("cloudfront-viewer-address", "2001:db8::7:50123")];
        assert_eq!(call(app(Some("s3cret")), &headers).await, (StatusCode::OK, "2001:db8::7".into()));
        let (status, body) = call(app(Some("s3cret")), &[("x-origin-verify", "s3cret")]).await;
        assert_eq!((status, body.as_str()), (StatusCode::OK, "none"), "no viewer header: the fallback applies");
    }

    #[tokio::test]
    async fn off_without_a_secret() {
        let viewer = [("cloudfront-viewer-address", "203.0.113.9:1234")];
        assert_eq!(call(app(None), &viewer).await, (StatusCode::OK, "none".into()), "and the header is not trusted");
        assert_eq!(call(app(Some("  ")), &[]).await.0, StatusCode::OK);
    }
}
