//! Human-readable sizes (`29,8 GB`, `9.313 GiB`, `1.23GB`, `512 B`) to bytes.
//!
//! Backup tools print `KB`/`MB`/`GB` but mean powers of 1024 (Veeam divides
//! by 1024, so does Synology; Proxmox says `GiB` outright), so both
//! spellings count as binary units here.

/// Parses a size with a unit. A single `,` or `.` is a decimal separator
/// (`29,8 GB`, `9.313 GiB`); repeated ones, and spaces or apostrophes, group
/// thousands; with both `,` and `.` the last one is the decimal separator.
/// Returns `None` without a known unit or when the value does not fit u64.
pub fn parse_size(s: &str) -> Option<u64> {
    let s = s.trim();
    let unit_start = s.char_indices().rev().take_while(|(_, c)| c.is_alphabetic()).last().map(|(i, _)| i)?;
    let factor = unit_factor(&s[unit_start..])?;
    let number = s[..unit_start].trim_end();
    parse_scaled(number, factor)
}

fn unit_factor(unit: &str) -> Option<u128> {
    if unit.len() > 8 {
        return None;
    }
    let u = unit.to_ascii_lowercase();
    let power = match u.as_str() {
        "b" | "byte" | "bytes" | "o" | "octet" | "octets" => 0,
        "k" | "kb" | "kib" | "ko" | "kbyte" | "kbytes" => 1,
        "m" | "mb" | "mib" | "mo" | "mbyte" | "mbytes" => 2,
        "g" | "gb" | "gib" | "go" | "gbyte" | "gbytes" => 3,
        "t" | "tb" | "tib" | "to" | "tbyte" | "tbytes" => 4,
        "p" | "pb" | "pib" | "po" => 5,
        "e" | "eb" | "eib" | "eo" => 6,
        _ => return None,
    };
    Some(1024u128.pow(power))
}

/// `number * factor`, rounded to whole bytes, with exact integer arithmetic.
fn parse_scaled(number: &str, factor: u128) -> Option<u64> {
    if number.is_empty() || number.len() > 40 {
        return None;
    }
    let last_comma = number.rfind(',');
    let last_dot = number.rfind('.');
    let decimal_at = match (last_comma, last_dot) {
        (Some(c), Some(d)) => Some(c.max(d)),
        (Some(c), None) => (number.matches(',').count() == 1).then_some(c),
        (None, Some(d)) => (number.matches('.').count() == 1).then_some(d),
        (None, None) => None,
    };
    let mut mantissa: u128 = 0;
    let mut scale: u128 = 1;
    let mut digits = 0usize;
    for (i, c) in number.char_indices() {
        match c {
            '0'..='9' => {
                digits += 1;
                if digits > 30 {
                    return None;
                }
                mantissa = mantissa * 10 + u128::from(c as u8 - b'0');
                if decimal_at.is_some_and(|d| i > d) {
                    scale *= 10;
                }
            }
            ',' | '.' | ' ' | '\'' | '\u{a0}' | '\u{202f}' | '\u{2009}' => {}
            _ => return None,
        }
    }
    if digits == 0 || !number.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let bytes = mantissa.checked_mul(factor)?;
    let rounded = bytes.checked_add(scale / 2)? / scale;
    u64::try_from(rounded).ok()
}

#[cfg(test)]
mod tests {
    use super::parse_size;

    #[test]
    fn decimal_comma_and_point() {
        assert_eq!(parse_size("29,8 GB"), Some(31_997_506_355)); // 29.8 * 2^30, rounded
        assert_eq!(parse_size("29.8 GB"), parse_size("29,8 GB"));
        assert_eq!(parse_size("1.5 KB"), Some(1536));
        assert_eq!(parse_size("9.313 GiB"), Some(9_999_757_607));
    }

    #[test]
    fn thousands_separators() {
        assert_eq!(parse_size("1,234.5 MB"), Some(1_294_467_072));
        assert_eq!(parse_size("1.234,5 MB"), Some(1_294_467_072));
        assert_eq!(parse_size("1 234,5 MB"), Some(1_294_467_072));
        assert_eq!(parse_size("1.234.567 B"), Some(1_234_567));
        assert_eq!(parse_size("1\u{a0}024 KB"), Some(1_048_576));
    }

    #[test]
    fn units_and_spacing() {
        assert_eq!(parse_size("0 B"), Some(0));
        assert_eq!(parse_size("512 bytes"), Some(512));
        assert_eq!(parse_size("1.23GB"), Some(1_320_702_444));
        assert_eq!(parse_size("2 TiB"), Some(2 * (1u64 << 40)));
        assert_eq!(parse_size("3 Go"), Some(3 * (1u64 << 30)));
        assert_eq!(parse_size(" 7 kB "), Some(7 * 1024));
    }

    #[test]
    fn rejects_garbage() {
        assert_eq!(parse_size(""), None);
        assert_eq!(parse_size("GB"), None);
        assert_eq!(parse_size("12"), None);
        assert_eq!(parse_size("12 parsecs"), None);
        assert_eq!(parse_size("-3 GB"), None);
        assert_eq!(parse_size("1x2 GB"), None);
        assert_eq!(parse_size("99999999999999999999 EB"), None);
        assert_eq!(parse_size(",5 GB"), None);
        assert_eq!(parse_size("340282366920938463463374607431 EB"), None);
    }
}
