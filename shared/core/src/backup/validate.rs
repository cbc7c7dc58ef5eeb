//! Input checks shared by the backup use cases: each returns the reason a
//! value is refused, for a 400 that says what to fix.

use std::net::IpAddr;

use crate::error::{Error, Result};
use crate::schedules::expect::parse_cron;

/// A display name: 1 to 200 characters after trimming.
pub fn name(value: &str, what: &str) -> Result<String> {
    let v = value.trim();
    if v.is_empty() || v.chars().count() > 200 {
        return Err(Error::Invalid(format!("the {what} name is 1 to 200 characters")));
    }
    Ok(v.to_string())
}

/// A host name: letters, digits, dots, hyphens and underscores, at most 253.
pub fn hostname(value: &str) -> Result<String> {
    let v = value.trim();
    if v.is_empty() || v.len() > 253 || !v.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._".contains(&b)) {
        return Err(Error::Invalid(format!("{value:?} is not a host name")));
    }
    Ok(v.to_string())
}

pub fn ip(value: &str) -> Result<String> {
    value
        .trim()
        .parse::<IpAddr>()
        .map(|a| a.to_string())
        .map_err(|_| Error::Invalid(format!("{value:?} is not an IP address")))
}

/// A network in CIDR form with no host bits set (`10.0.0.0/24`, `fd00::/64`).
pub fn cidr(value: &str) -> Result<String> {
    let bad = || Error::Invalid(format!("{value:?} is not a network in CIDR form like 10.0.0.0/24"));
    let (addr, len) = value.trim().split_once('/').ok_or_else(bad)?;
    let addr: IpAddr = addr.parse().map_err(|_| bad())?;
    let len: u8 = len.parse().map_err(|_| bad())?;
    let (bits, max) = match addr {
        IpAddr::V4(a) => (u128::from(u32::from(a)) << 96, 32u8),
        IpAddr::V6(a) => (u128::from(a), 128u8),
    };
    if len > max {
        return Err(bad());
    }
    let host_mask = if len == 0 { u128::MAX } else { u128::MAX >> len };
    let host_mask = if max == 32 { host_mask & (u128::MAX << 96) } else { host_mask };
    if bits & host_mask != 0 {
        return Err(Error::Invalid(format!("{value:?} has host bits set; the network is written with them zero")));
    }
    Ok(format!("{addr}/{len}"))
}

/// A cron expression that fires, read in `time_zone`.
pub fn cron(expression: &str, time_zone: &str, what: &str) -> Result<String> {
    parse_cron(expression, time_zone).map_err(|e| Error::Invalid(format!("{what}: {e}")))?;
    Ok(expression.trim().to_string())
}

/// Optional text: empty means none; at most `max` characters.
pub fn optional_text(value: Option<&str>, max: usize, what: &str) -> Result<Option<String>> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) if v.chars().count() > max => Err(Error::Invalid(format!("the {what} is at most {max} characters"))),
        Some(v) => Ok(Some(v.to_string())),
    }
}

/// A list of short strings (paths, patterns): at most 500 of at most 1000 characters, blanks dropped.
pub fn list(values: &[String], what: &str) -> Result<Vec<String>> {
    let out: Vec<String> = values.iter().map(|v| v.trim().to_string()).filter(|v| !v.is_empty()).collect();
    if out.len() > 500 || out.iter().any(|v| v.chars().count() > 1000) {
        return Err(Error::Invalid(format!("at most 500 {what} of at most 1000 characters each")));
    }
    Ok(out)
}

pub fn range<T: PartialOrd + std::fmt::Display + Copy>(v: T, lo: T, hi: T, what: &str) -> Result<T> {
    if v < lo || v > hi {
        return Err(Error::Invalid(format!("{what} is {lo} to {hi}, not {v}")));
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cidrs() {
        assert_eq!(cidr("10.0.0.0/24").unwrap(), "10.0.0.0/24");
        assert_eq!(cidr("0.0.0.0/0").unwrap(), "0.0.0.0/0");
        assert_eq!(cidr("fd00::/64").unwrap(), "fd00::/64");
        for bad in ["10.0.0.1/24", "10.0.0.0/33", "10.0.0.0", "nonsense/8", "10.0.0.0/x"] {
            assert!(cidr(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn crons_that_never_fire_are_refused() {
        assert!(cron("0 2 * * 0", "UTC", "full").is_ok());
        assert!(cron("0 0 31 2 *", "UTC", "full").is_err());
        assert!(cron("not cron", "UTC", "full").is_err());
        assert!(cron("0 2 * * 0", "Mars/Base", "full").is_err());
    }
}
