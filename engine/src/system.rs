//! Facts about the machine the engine runs on (best effort; Linux reads /proc).

use std::path::Path;

/// The machine's host name, cut to what the protocol accepts (letters, digits, `.`, `-`, `_`; at most 253).
pub fn hostname() -> String {
    let raw = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::fs::read_to_string("/etc/hostname"))
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .or_else(|| std::env::var("COMPUTERNAME").ok())
        .unwrap_or_default();
    let s = sanitize_hostname(raw.trim());
    if s.is_empty() { "localhost".to_string() } else { s }
}

pub fn sanitize_hostname(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == '_' { c } else { '-' })
        .take(253)
        .collect()
}

/// CPU load as a percentage: the 1-minute load average over the number of CPUs, at most 100.
pub fn cpu_percent() -> f64 {
    let cpus = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1) as f64;
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().and_then(|v| v.parse::<f64>().ok()))
        .map(|l| (l / cpus * 100.0).clamp(0.0, 100.0))
        .unwrap_or(0.0)
}

/// Memory in use, percent (MemTotal - MemAvailable).
pub fn memory_percent() -> f64 {
    let Ok(s) = std::fs::read_to_string("/proc/meminfo") else { return 0.0 };
    let field = |name: &str| -> Option<f64> {
        s.lines().find(|l| l.starts_with(name)).and_then(|l| l.split_whitespace().nth(1)).and_then(|v| v.parse().ok())
    };
    match (field("MemTotal:"), field("MemAvailable:")) {
        (Some(t), Some(a)) if t > 0.0 => ((t - a) / t * 100.0).clamp(0.0, 100.0),
        _ => 0.0,
    }
}

/// Use of the file system holding `path`, percent.
pub fn disk_percent(path: &Path) -> f64 {
    match crate::repo::capacity(path) {
        Ok((total, used, _)) if total > 0 => (used as f64 / total as f64 * 100.0).clamp(0.0, 100.0),
        _ => 0.0,
    }
}

/// The local address used to reach `server` (no packet is sent: a UDP "connect" only picks a route).
pub fn local_ip_towards(server: &str) -> Option<String> {
    let url = reqwest::Url::parse(server).ok()?;
    let host = url.host_str()?.trim_start_matches('[').trim_end_matches(']').to_string();
    let port = url.port_or_known_default().unwrap_or(80);
    let addr = std::net::ToSocketAddrs::to_socket_addrs(&(host.as_str(), port)).ok()?.next()?;
    let bind = if addr.is_ipv4() { "0.0.0.0:0" } else { "[::]:0" };
    let sock = std::net::UdpSocket::bind(bind).ok()?;
    sock.connect(addr).ok()?;
    Some(sock.local_addr().ok()?.ip().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facts_are_in_range() {
        let h = hostname();
        assert!(!h.is_empty() && h.len() <= 253);
        assert_eq!(sanitize_hostname("my host!"), "my-host-");
        assert!((0.0..=100.0).contains(&cpu_percent()));
        assert!((0.0..=100.0).contains(&memory_percent()));
        assert!((0.0..=100.0).contains(&disk_percent(Path::new("/"))));
        assert_eq!(local_ip_towards("http://127.0.0.1:8080").as_deref(), Some("127.0.0.1"));
    }
}
