//! Cross-site request refusal for every state-changing request (POST, PUT,
//! PATCH, DELETE), with or without a body: a bodyless POST (logout, restore,
//! token revoke) needs no content type, so the content-type rule alone does
//! not cover it.
//!
//! A request is refused (403 `forbidden`) when
//! - `Sec-Fetch-Site` is `cross-site` or `same-site` (`same-origin` and
//!   `none` pass, and then `Origin` is not looked at: behind CloudFront the
//!   `Host` the API sees is not the site's), or
//! - there is no `Sec-Fetch-Site`, an `Origin` header is present and it is
//!   neither the request's `Host` (host:port) nor the configured public URL's
//!   origin (`Origin: null` included). The public URL covers older browsers
//!   behind CloudFront, which forwards `Origin` but not the viewer's `Host`.
//!
//! Passed without a look: requests with `Authorization: Bearer` (an API
//! token is not an ambient credential a browser adds by itself) and
//! requests with neither header (curl, scripts: browsers always send
//! `Origin` on a cross-origin POST).

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::header::{HOST, ORIGIN};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;

pub(crate) const SEC_FETCH_SITE: &str = "sec-fetch-site";

/// The site's own origin (scheme, host, port) from the public URL, if it parses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SiteOrigin(Option<(String, String, u16)>);

impl SiteOrigin {
    pub(crate) fn from_public_url(url: &str) -> SiteOrigin {
        let url = url.trim();
        let end = url
            .find("://")
            .map(|i| i + 3)
            .and_then(|start| url[start..].find(['/', '?', '#']).map(|j| start + j).or(Some(url.len())));
        SiteOrigin(
            end.and_then(|end| parse_origin(&url[..end]))
                .and_then(|(scheme, host, port)| Some((scheme.clone(), host, port.or(default_port(&scheme))?))),
        )
    }
}

fn default_port(scheme: &str) -> Option<u16> {
    match scheme {
        "https" => Some(443),
        "http" => Some(80),
        _ => None,
    }
}

pub(crate) async fn check(State(site): State<Arc<SiteOrigin>>, req: Request, next: Next) -> Response {
    // Ping URLs take no session: their token is the credential.
    let ping = req.uri().path().starts_with("/ping/");
    if changes_state(req.method()) && !ping && !allowed(req.headers(), req.uri().authority().map(|a| a.as_str()), &site)
    {
        tracing::debug!(method = %req.method(), path = %req.uri().path(), "refused: cross-site request");
        return crate::error::error_response(
            StatusCode::FORBIDDEN,
            "forbidden",
            "cross-site requests are refused; use the site itself or an API token".into(),
        );
    }
    next.run(req).await
}

fn changes_state(m: &Method) -> bool {
    !matches!(*m, Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE)
}

/// Whether a state-changing request with these headers may proceed;
/// `authority` is the request URI's (HTTP/2), used when `Host` is absent.
pub(crate) fn allowed(headers: &HeaderMap, authority: Option<&str>, site: &SiteOrigin) -> bool {
    if crate::extract::bearer_token(headers).is_some() {
        return true;
    }
    if let Some(site) = headers.get(SEC_FETCH_SITE) {
        return match site.to_str().map(|s| s.trim().to_ascii_lowercase()) {
            Ok(s) => s == "same-origin" || s == "none",
            Err(_) => false,
        };
    }
    let Some(origin) = headers.get(ORIGIN) else { return true };
    let Ok(origin) = origin.to_str() else { return false };
    let Some((scheme, origin_host, origin_port)) = parse_origin(origin) else { return false };
    let Some(default_port) = default_port(&scheme) else { return false };
    let origin_port = origin_port.unwrap_or(default_port);
    if site.0.as_ref().is_some_and(|(s, h, p)| *s == scheme && *h == origin_host && *p == origin_port) {
        return true;
    }
    let host = headers.get(HOST).and_then(|h| h.to_str().ok()).or(authority);
    let Some((host, port)) = host.and_then(split_host_port) else { return false };
    origin_host == host && origin_port == port.unwrap_or(default_port)
}

/// `scheme://host[:port]` → (scheme, lowercase host, port).
fn parse_origin(origin: &str) -> Option<(String, String, Option<u16>)> {
    let (scheme, rest) = origin.trim().split_once("://")?;
    if rest.is_empty() || rest.contains(['/', '?', '#', '@']) {
        return None;
    }
    let (host, port) = split_host_port(rest)?;
    Some((scheme.to_ascii_lowercase(), host, port))
}

/// `host`, `host:port`, `[v6]`, `[v6]:port` → (lowercase host, port).
pub(crate) fn split_host_port(value: &str) -> Option<(String, Option<u16>)> {
    let value = value.trim();
    let (host, port) = if let Some(rest) = value.strip_prefix('[') {
        let (h, after) = rest.split_once(']')?;
        let port = match after {
            "" => None,
            p => Some(p.strip_prefix(':')?),
        };
        (format!("[{h}]"), port)
    } else {
        match value.rsplit_once(':') {
            Some((h, p)) if !h.contains(':') => (h.to_string(), Some(p)),
            Some(_) => return None,
            None => (value.to_string(), None),
        }
    };
    if host.is_empty() || host == "[]" {
        return None;
    }
    let port = match port {
        None => None,
        Some(p) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => Some(p.parse().ok()?),
        Some(_) => return None,
    };
    Some((host.to_ascii_lowercase(), port))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(axum::http::HeaderName::from_bytes(k.as_bytes()).unwrap(), v.parse().unwrap());
        }
        h
    }

    fn ok(pairs: &[(&str, &str)]) -> bool {
        allowed(&headers(pairs), None, &SiteOrigin(None))
    }

    #[test]
    fn fetch_metadata_decides_when_present() {
        assert!(ok(&[("sec-fetch-site", "same-origin")]));
        assert!(ok(&[("sec-fetch-site", "none")]));
        assert!(!ok(&[("sec-fetch-site", "cross-site")]));
        assert!(!ok(&[("sec-fetch-site", "same-site")]));
        assert!(!ok(&[("sec-fetch-site", "something-else")]));
        // Behind CloudFront the Host is the API Gateway's: the browser's word wins.
        assert!(ok(&[
            ("sec-fetch-site", "same-origin"),
            ("origin", "https://bc.example.com"),
            ("host", "x.execute-api")
        ]));
        assert!(!ok(&[("sec-fetch-site", "cross-site"), ("origin", "http://a:1"), ("host", "a:1")]));
    }

    #[test]
    fn origin_must_match_host_without_fetch_metadata() {
        assert!(ok(&[("origin", "http://localhost:8080"), ("host", "localhost:8080")]));
        assert!(ok(&[("origin", "https://BC.example.com"), ("host", "bc.example.com")]));
        assert!(ok(&[("origin", "https://bc.example.com"), ("host", "bc.example.com:443")]));
        assert!(ok(&[("origin", "http://[::1]:8080"), ("host", "[::1]:8080")]));
        assert!(!ok(&[("origin", "http://localhost:8081"), ("host", "localhost:8080")]));
        assert!(!ok(&[("origin", "https://evil.example"), ("host", "localhost:8080")]));
        assert!(!ok(&[("origin", "http://bc.example.com"), ("host", "bc.example.com:443")]));
        assert!(!ok(&[("origin", "null"), ("host", "localhost:8080")]));
        assert!(!ok(&[("origin", "http://localhost:8080")]), "no host to compare with");
        let none = SiteOrigin(None);
        assert!(allowed(&headers(&[("origin", "http://localhost:8080")]), Some("localhost:8080"), &none));
    }

    #[test]
    fn the_public_url_is_the_site_too() {
        // Behind CloudFront: Host is the API Gateway's, Origin the site's.
        let site = SiteOrigin::from_public_url("https://d111.cloudfront.net/");
        assert_eq!(site, SiteOrigin(Some(("https".into(), "d111.cloudfront.net".into(), 443))));
        let h = |origin| headers(&[("origin", origin), ("host", "abc.execute-api.eu-west-1.amazonaws.com")]);
        assert!(allowed(&h("https://d111.cloudfront.net"), None, &site));
        assert!(allowed(&h("https://D111.cloudfront.net:443"), None, &site));
        assert!(!allowed(&h("http://d111.cloudfront.net"), None, &site));
        assert!(!allowed(&h("https://evil.example"), None, &site));
        assert_eq!(
            SiteOrigin::from_public_url("http://127.0.0.1:8080"),
            SiteOrigin(Some(("http".into(), "127.0.0.1".into(), 8080)))
        );
        assert_eq!(SiteOrigin::from_public_url("not a url"), SiteOrigin(None));
        assert_eq!(SiteOrigin::from_public_url("ftp://x"), SiteOrigin(None));
    }

    #[test]
    fn non_browser_and_bearer_requests_pass() {
        assert!(ok(&[]));
        assert!(ok(&[("host", "localhost:8080")]));
        assert!(ok(&[("authorization", "Bearer abc"), ("sec-fetch-site", "cross-site")]));
        assert!(ok(&[("authorization", "bearer abc"), ("origin", "https://evil.example"), ("host", "a")]));
        assert!(!ok(&[("authorization", "Basic abc"), ("origin", "https://evil.example"), ("host", "a")]));
    }

    #[test]
    fn splits_hosts_and_ports() {
        assert_eq!(split_host_port("Example.com"), Some(("example.com".into(), None)));
        assert_eq!(split_host_port("a:80"), Some(("a".into(), Some(80))));
        assert_eq!(split_host_port("[::1]:8080"), Some(("[::1]".into(), Some(8080))));
        assert_eq!(split_host_port("[::1]"), Some(("[::1]".into(), None)));
        assert_eq!(split_host_port("::1"), None);
        assert_eq!(split_host_port("a:"), None);
        assert_eq!(split_host_port("a:99999"), None);
        assert_eq!(split_host_port(""), None);
    }
}
