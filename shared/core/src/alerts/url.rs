//! Webhook URL rules, checked on save and again before each delivery:
//! https only (plain http only to a loopback host, and only where loopback
//! is allowed, as in tests), no credentials in the URL, and a host that is
//! not a literal private, link-local or otherwise internal address. Host
//! names are resolved by the [`super::port::WebhookSender`], which applies
//! the same address rules to every address they resolve to.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

pub const MAX_URL: usize = 2048;

/// Whether an address is one a webhook may not reach.
pub fn is_internal(ip: IpAddr, allow_loopback: bool) -> bool {
    match ip {
        IpAddr::V4(v4) => internal_v4(v4, allow_loopback),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return internal_v4(v4, allow_loopback);
            }
            if v6.is_loopback() {
                return !allow_loopback;
            }
            let seg0 = v6.segments()[0];
            v6.is_unspecified()
                || v6.is_multicast()
                || (seg0 & 0xfe00) == 0xfc00 // unique local fc00::/7
                || (seg0 & 0xffc0) == 0xfe80 // link-local fe80::/10
                || (seg0 & 0xffc0) == 0xfec0 // site-local (deprecated)
                || v6 == Ipv6Addr::new(0x64, 0xff9b, 0, 0, 0, 0, 0, 0) // NAT64 well-known prefix base
        }
    }
}

fn internal_v4(v4: Ipv4Addr, allow_loopback: bool) -> bool {
    if v4.is_loopback() {
        return !allow_loopback;
    }
    let o = v4.octets();
    v4.is_private()
        || v4.is_link_local() // 169.254/16, the cloud metadata service included
        || v4.is_unspecified()
        || v4.is_broadcast()
        || v4.is_multicast()
        || v4.is_documentation()
        || o[0] == 0
        || (o[0] == 100 && (o[1] & 0xc0) == 64) // carrier-grade NAT 100.64/10
        || (o[0] == 192 && o[1] == 0 && o[2] == 0) // IETF protocol assignments
        || (o[0] == 198 && (o[1] & 0xfe) == 18) // benchmarking 198.18/15
        || o[0] >= 240
}

/// The parts of a webhook URL the rules look at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookUrl {
    pub https: bool,
    pub host: String,
}

/// Checks a webhook URL's shape; `Err` says why it is refused.
pub fn check_url(url: &str, allow_loopback: bool) -> Result<WebhookUrl, String> {
    if url.len() > MAX_URL {
        return Err(format!("the URL is longer than {MAX_URL} characters"));
    }
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("the URL contains spaces or control characters".into());
    }
    let (https, rest) = if let Some(r) = url.strip_prefix("https://") {
        (true, r)
    } else if let Some(r) = url.strip_prefix("http://") {
        (false, r)
    } else {
        return Err("the URL must start with https://".into());
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    if authority.contains('@') {
        return Err("the URL may not contain a user name or password".into());
    }
    let host = if let Some(v6) = authority.strip_prefix('[') {
        v6.split(']').next().unwrap_or("").to_string()
    } else {
        authority.rsplit_once(':').map_or(authority, |(h, _)| h).to_string()
    };
    let host = host.to_ascii_lowercase();
    if host.is_empty() {
        return Err("the URL has no host".into());
    }
    let literal: Option<IpAddr> = host.parse().ok();
    let loopback_name = host == "localhost" || host.ends_with(".localhost");
    let is_loopback = loopback_name || literal.is_some_and(|ip| ip.is_loopback());
    if is_loopback && !allow_loopback {
        return Err("the URL points at this server itself (loopback)".into());
    }
    if !https && !is_loopback {
        return Err("the URL must use https (plain http only to a loopback receiver in tests)".into());
    }
    if let Some(ip) = literal
        && is_internal(ip, allow_loopback)
    {
        return Err(format!("the URL points at an internal address ({ip})"));
    }
    Ok(WebhookUrl { https, host })
}

/// `https://host/…`: what the UI shows of a stored URL (Slack's and Teams'
/// URLs are credentials).
pub fn hint(url: &str) -> String {
    let scheme = if url.starts_with("https://") { "https" } else { "http" };
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    format!("{scheme}://{authority}/…")
}

#[cfg(test)]
mod tests {
    use crate::alerts::url::{check_url, hint};

    #[test]
    fn https_to_a_public_host_is_fine() {
        assert!(check_url("https://hooks.slack.com/services/T0/B0/xyz", false).is_ok());
        assert!(check_url("https://example.com:8443/hook?a=1", false).is_ok());
        assert!(check_url("https://[2001:db9::1]/x", false).is_ok());
    }

    #[test]
    fn internal_and_plain_destinations_are_refused() {
        for bad in [
            "http://example.com/hook",
            "ftp://example.com/",
            "https://10.0.0.5/hook",
            "https://192.168.1.1/",
            "https://172.16.3.4/",
            "https://169.254.169.254/latest/meta-data/",
            "https://[fe80::1]/",
            "https://[fd00::1]/",
            "https://[::ffff:10.0.0.1]/",
            "https://100.64.0.1/",
            "https://0.0.0.0/",
            "https://user:pw@example.com/",
            "https://127.0.0.1/",
            "http://localhost:9001/2018-06-01/runtime/invocation/next",
            "https://exa mple.com/",
        ] {
            assert!(check_url(bad, false).is_err(), "{bad} must be refused");
        }
    }

    #[test]
    fn loopback_only_where_allowed() {
        assert!(check_url("http://127.0.0.1:8080/hook", true).is_ok());
        assert!(check_url("http://localhost:8080/hook", true).is_ok());
        assert!(check_url("http://127.0.0.1:8080/hook", false).is_err());
        assert!(check_url("http://10.0.0.1/hook", true).is_err(), "private stays refused");
    }

    #[test]
    fn the_hint_hides_the_path() {
        assert_eq!(hint("https://hooks.slack.com/services/T0/B0/secret"), "https://hooks.slack.com/…");
    }
}
