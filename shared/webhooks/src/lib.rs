//! [`WebhookSender`] over HTTPS with reqwest. Server-side request forgery
//! is refused twice: the URL's shape (`bc_core::alerts::url::check_url`,
//! also on save), and every address the host resolves to, at connect time,
//! through this crate's resolver, so a name that later re-resolves to an
//! internal address (DNS rebinding) is still refused. Redirects are not
//! followed; a delivery has 10 seconds.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use bc_core::alerts::port::WebhookSender;
use bc_core::alerts::url::{check_url, is_internal};
use bc_core::ports::{PortError, PortResult};
use reqwest::dns::{Addrs, Name, Resolve, Resolving};

const TIMEOUT: Duration = Duration::from_secs(10);

/// Resolves with the system resolver and keeps only addresses a webhook may reach.
struct GuardedResolver {
    allow_loopback: bool,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let allow = self.allow_loopback;
        Box::pin(async move {
            let host = name.as_str().to_string();
            let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let refused: Vec<&SocketAddr> = addrs.iter().filter(|a| is_internal(a.ip(), allow)).collect();
            if !refused.is_empty() || addrs.is_empty() {
                let why = match refused.first() {
                    Some(a) => format!("{host} resolves to an internal address ({})", a.ip()),
                    None => format!("{host} resolves to no address"),
                };
                return Err(why.into());
            }
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}

fn client(allow_loopback: bool) -> reqwest::Client {
    reqwest::Client::builder()
        .dns_resolver(Arc::new(GuardedResolver { allow_loopback }))
        .redirect(reqwest::redirect::Policy::none())
        .timeout(TIMEOUT)
        .user_agent("Backupchecks-Webhooks/1")
        .build()
        .expect("a reqwest client with rustls")
}

/// The sender both runtimes plug into the core.
pub struct HttpWebhooks {
    strict: reqwest::Client,
    loopback: reqwest::Client,
}

impl Default for HttpWebhooks {
    fn default() -> Self {
        Self::new()
    }
}

impl HttpWebhooks {
    pub fn new() -> Self {
        HttpWebhooks { strict: client(false), loopback: client(true) }
    }
}

fn host_of(url: &str) -> PortResult<String> {
    let u = reqwest::Url::parse(url).map_err(|e| PortError::Invalid(format!("not a URL: {e}")))?;
    u.host_str().map(|h| h.trim_matches(['[', ']']).to_string()).ok_or_else(|| PortError::Invalid("no host".into()))
}

#[async_trait]
impl WebhookSender for HttpWebhooks {
    async fn check_destination(&self, url: &str, allow_loopback: bool) -> PortResult<()> {
        check_url(url, allow_loopback).map_err(PortError::Invalid)?;
        let host = host_of(url)?;
        if host.parse::<std::net::IpAddr>().is_ok() {
            return Ok(()); // a literal address: check_url judged it
        }
        let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
            .await
            .map_err(|e| PortError::Invalid(format!("{host} could not be resolved: {e}")))?
            .collect();
        if addrs.is_empty() {
            return Err(PortError::Invalid(format!("{host} resolves to no address")));
        }
        if let Some(a) = addrs.iter().find(|a| is_internal(a.ip(), allow_loopback)) {
            return Err(PortError::Invalid(format!("{host} resolves to an internal address ({})", a.ip())));
        }
        Ok(())
    }

    async fn post_json(
        &self,
        url: &str,
        headers: &[(String, String)],
        body: &str,
        allow_loopback: bool,
    ) -> PortResult<u16> {
        check_url(url, allow_loopback).map_err(PortError::Invalid)?;
        let c = if allow_loopback { &self.loopback } else { &self.strict };
        let mut req = c.post(url).header(reqwest::header::CONTENT_TYPE, "application/json").body(body.to_string());
        for (k, v) in headers {
            req = req.header(k.as_str(), v.as_str());
        }
        let resp = req.send().await.map_err(|e| {
            // reqwest's error chain holds the resolver's reason.
            let mut msg = e.to_string();
            let mut src = std::error::Error::source(&e);
            while let Some(s) = src {
                msg.push_str(&format!(": {s}"));
                src = s.source();
            }
            PortError::Backend(format!("webhook delivery failed: {msg}"))
        })?;
        Ok(resp.status().as_u16())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_loopback_receiver_gets_the_body_and_headers_only_where_allowed() {
        use axum::{Router, routing::post};
        let app = Router::new().route(
            "/hook",
            post(|h: axum::http::HeaderMap, b: String| async move {
                let sig = h.get("x-test").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
                if b == "{\"a\":1}" && sig == "yes" {
                    axum::http::StatusCode::NO_CONTENT
                } else {
                    axum::http::StatusCode::BAD_REQUEST
                }
            }),
        );
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = l.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(l, app).await.unwrap() });
        let w = HttpWebhooks::new();
        let url = format!("http://localhost:{}/hook", addr.port());
        let h = vec![("X-Test".to_string(), "yes".to_string())];
        assert_eq!(w.post_json(&url, &h, "{\"a\":1}", true).await.unwrap(), 204);
        assert!(w.post_json(&url, &h, "{\"a\":1}", false).await.is_err(), "loopback refused by default");
        assert!(w.check_destination(&url, false).await.is_err());
        assert!(w.check_destination(&url, true).await.is_ok());
    }

    #[tokio::test]
    async fn internal_literals_are_refused_before_any_connection() {
        let w = HttpWebhooks::new();
        for u in ["https://169.254.169.254/latest", "https://10.1.2.3/x", "http://example.com/x"] {
            assert!(matches!(w.post_json(u, &[], "{}", false).await, Err(PortError::Invalid(_))), "{u}");
        }
    }
}
