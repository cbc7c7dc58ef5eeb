//! The HTTP client both adapters use.

use std::time::Duration;

use bc_core::platforms::port::{Connection, PlatformError, PlatformResult};

/// Per request; a slow platform ends in a retryable error.
pub(crate) const TIMEOUT: Duration = Duration::from_secs(60);

/// Whether `url` is `http://` to a loopback address.
fn is_plain_loopback(url: &str) -> bool {
    let Some(rest) = url.strip_prefix("http://") else { return false };
    let host = rest.split('/').next().unwrap_or("");
    let host = host.rsplit_once(':').map(|(h, _)| h).unwrap_or(host);
    matches!(host, "127.0.0.1" | "localhost" | "[::1]")
}

pub(crate) fn client(c: &Connection) -> PlatformResult<reqwest::Client> {
    if c.base_url.starts_with("http://") {
        if !(c.allow_plain_loopback && is_plain_loopback(&c.base_url)) {
            return Err(PlatformError::Certificate(
                "plain http is refused: use https (and pin the certificate's fingerprint if it is self-signed)".into(),
            ));
        }
    } else if !c.base_url.starts_with("https://") {
        return Err(PlatformError::Unreachable(format!("{} is not an https URL", c.base_url)));
    }
    let b = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(TIMEOUT)
        .connect_timeout(Duration::from_secs(10))
        .user_agent("Backupchecks-Platforms/1");
    let b = match &c.cert_sha256 {
        Some(fp) => crate::http::pinned(b, fp)?,
        None => b,
    };
    b.build().map_err(|e| PlatformError::Protocol(format!("HTTP client: {e}")))
}

/// A client that trusts exactly the certificate with this SHA-256 fingerprint.
fn pinned(b: reqwest::ClientBuilder, fp: &str) -> PlatformResult<reqwest::ClientBuilder> {
    let p = crate::pin::Pinned::new(fp)
        .ok_or_else(|| PlatformError::Certificate(format!("{fp:?} is not a SHA-256 fingerprint")))?;
    Ok(b.use_preconfigured_tls(p.client_config()))
}

/// A transport error, for a person.
pub(crate) fn transport(e: reqwest::Error) -> PlatformError {
    let mut msg = e.to_string();
    let mut src = std::error::Error::source(&e);
    while let Some(s) = src {
        msg = format!("{msg}: {s}");
        src = s.source();
    }
    if e.is_timeout() {
        PlatformError::Unavailable(format!("no answer in time ({msg})"))
    } else if msg.to_lowercase().contains("certificate") || msg.to_lowercase().contains("unknownissuer") {
        PlatformError::Certificate(msg)
    } else if e.is_connect() {
        PlatformError::Unreachable(msg)
    } else {
        PlatformError::Protocol(msg)
    }
}
