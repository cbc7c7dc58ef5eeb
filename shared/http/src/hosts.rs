//! The `Host` allow-list of `backupchecks serve`, against DNS rebinding: a
//! page on `evil.example` whose name is made to resolve to 127.0.0.1 reaches
//! the local server same-origin, but with `Host: evil.example:8080`, which
//! is refused (403 `forbidden`). Lambda needs none: API Gateway routes by
//! its own host name.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::http::header::HOST;
use axum::middleware::{self, Next};
use axum::response::Response;

use crate::csrf::split_host_port;

/// The hosts `serve` accepts when none are given: the listen address's
/// host, `localhost` and `127.0.0.1`, each with the listen port.
pub fn default_allowed_hosts(addr: SocketAddr) -> Vec<String> {
    let port = addr.port();
    let mut hosts = vec![addr.to_string()];
    for h in [format!("localhost:{port}"), format!("127.0.0.1:{port}")] {
        if !hosts.contains(&h) {
            hosts.push(h);
        }
    }
    hosts
}

/// `router` refusing requests whose `Host` is not in `allowed` (`host:port`,
/// or `host` alone for any port; case-insensitive); `router` unchanged for
/// None (as on Lambda) or a list containing `*`.
pub fn restrict_hosts(router: Router, allowed: Option<Vec<String>>) -> Router {
    let Some(allowed) = allowed else { return router };
    let mut list = Vec::new();
    for entry in allowed.iter().map(|h| h.trim()).filter(|h| !h.is_empty()) {
        if entry == "*" {
            return router;
        }
        match split_host_port(entry) {
            Some(hp) => list.push(hp),
            None => tracing::warn!(entry, "ignoring an allowed host that is not host[:port]"),
        }
    }
    router.layer(middleware::from_fn_with_state(Arc::new(list), check))
}

type Allowed = Arc<Vec<(String, Option<u16>)>>;

async fn check(State(allowed): State<Allowed>, req: Request, next: Next) -> Response {
    let host = req.headers().get(HOST).and_then(|h| h.to_str().ok()).or(req.uri().authority().map(|a| a.as_str()));
    if !host.and_then(split_host_port).is_some_and(|h| host_allowed(&allowed, &h)) {
        tracing::warn!(host = ?host, path = %req.uri().path(), "refused: Host not in the allowed hosts (--allowed-hosts)");
        return crate::error::error_response(
            StatusCode::FORBIDDEN,
            "forbidden",
            "this host name is not one the server answers to (see --allowed-hosts)".into(),
        );
    }
    next.run(req).await
}

fn host_allowed(allowed: &[(String, Option<u16>)], (host, port): &(String, Option<u16>)) -> bool {
    // A Host without a port is on the scheme's default port.
    allowed
        .iter()
        .any(|(h, p)| h == host && (p.is_none() || p == port || (port.is_none() && matches!(p, Some(80 | 443)))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_cover_the_listen_address_and_loopback_names() {
        assert_eq!(default_allowed_hosts("127.0.0.1:8080".parse().unwrap()), vec!["127.0.0.1:8080", "localhost:8080"]);
        assert_eq!(
            default_allowed_hosts("[::1]:9000".parse().unwrap()),
            vec!["[::1]:9000", "localhost:9000", "127.0.0.1:9000"]
        );
        assert_eq!(
            default_allowed_hosts("0.0.0.0:80".parse().unwrap()),
            vec!["0.0.0.0:80", "localhost:80", "127.0.0.1:80"]
        );
    }

    #[test]
    fn matches_host_and_port() {
        let list = vec![("localhost".to_string(), Some(8080)), ("bc.lan".to_string(), None)];
        assert!(host_allowed(&list, &("localhost".into(), Some(8080))));
        assert!(!host_allowed(&list, &("localhost".into(), Some(8081))));
        assert!(!host_allowed(&list, &("localhost".into(), None)));
        let default_port = vec![("localhost".to_string(), Some(80))];
        assert!(host_allowed(&default_port, &("localhost".into(), None)));
        assert!(host_allowed(&list, &("bc.lan".into(), Some(1))));
        assert!(host_allowed(&list, &("bc.lan".into(), None)));
        assert!(!host_allowed(&list, &("evil.example".into(), Some(8080))));
    }
}
