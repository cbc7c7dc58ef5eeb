//! Cartridge barcodes and LTO generations: the media identifier at the end
//! of an LTO label (`ABC123L8`) names a generation, which must agree with
//! the one chosen; other labels are allowed with a warning. Also the
//! barcode ranges of "register a box of tapes".

use crate::error::{Error, Result};

/// Native (uncompressed) capacity in GB of LTO-1 .. LTO-10.
const NATIVE_GB: [u64; 10] = [100, 200, 400, 800, 1_500, 2_500, 6_000, 12_000, 18_000, 30_000];

/// LTO-7 Type M (`M8`), an LTO-7 cartridge initialised in an LTO-8 drive.
const M8_GB: u64 = 9_000;

pub fn native_capacity_gb(generation: u8) -> Option<u64> {
    (1..=10).contains(&generation).then(|| NATIVE_GB[usize::from(generation - 1)])
}

pub fn check_generation(generation: u8) -> Result<()> {
    if native_capacity_gb(generation).is_some() {
        Ok(())
    } else {
        Err(Error::Invalid(format!("generation {generation}: LTO generations are 1 to 10")))
    }
}

/// What a barcode says about its cartridge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Label {
    /// An LTO label with this generation (WORM media ids included).
    Lto { generation: u8, type_m: bool },
    /// Not an LTO label (or a media id we do not know, such as LTO-10's).
    Other,
}

/// The generation a media identifier names: `L1`..`L9`, the WORM ids
/// `LT`..`LZ` (LTO-3 .. LTO-9), `M8` (LTO-7 Type M).
fn media_generation(id: &str) -> Option<(u8, bool)> {
    let b = id.as_bytes();
    match (b.first(), b.get(1)) {
        (Some(b'L'), Some(d @ b'1'..=b'9')) => Some((d - b'0', false)),
        (Some(b'L'), Some(w @ b'T'..=b'Z')) => Some((w - b'T' + 3, false)),
        (Some(b'M'), Some(b'8')) => Some((7, true)),
        _ => None,
    }
}

/// Upper case, trimmed; 1 to 32 characters of A-Z, 0-9, `-`, `_`.
pub fn normalise_barcode(raw: &str) -> Result<String> {
    let b = raw.trim().to_ascii_uppercase();
    if b.is_empty() || b.len() > 32 || !b.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_') {
        return Err(Error::Invalid(format!(
            "barcode {:?}: 1 to 32 letters, digits, '-' or '_'",
            raw.chars().take(40).collect::<String>()
        )));
    }
    Ok(b)
}

pub fn classify(barcode: &str) -> Label {
    if barcode.len() == 8
        && barcode.bytes().all(|c| c.is_ascii_alphanumeric())
        && let Some((generation, type_m)) = media_generation(&barcode[6..])
    {
        return Label::Lto { generation, type_m };
    }
    Label::Other
}

/// Checks a barcode against the chosen generation: a contradiction is an
/// error, a non-LTO label a warning.
pub fn check_label(barcode: &str, generation: u8) -> Result<Option<String>> {
    match classify(barcode) {
        Label::Lto { generation: g, .. } if g != generation => {
            Err(Error::Invalid(format!("barcode {barcode} is an LTO-{g} label, not LTO-{generation}")))
        }
        Label::Lto { .. } => Ok(None),
        Label::Other => {
            Ok(Some(format!("{barcode} is not a standard LTO label (six characters and a media id such as L8)")))
        }
    }
}

/// The default capacity of a barcode's cartridge.
pub fn default_capacity_gb(barcode: &str, generation: u8) -> u64 {
    match classify(barcode) {
        Label::Lto { type_m: true, .. } => M8_GB,
        _ => native_capacity_gb(generation).unwrap_or(0),
    }
}

/// `count` barcodes counting up from `first`: the last run of digits
/// before the media id (or at the end of a non-LTO label) is the counter,
/// its width kept.
pub fn barcode_range(first: &str, count: usize) -> Result<Vec<String>> {
    if count <= 1 {
        return Ok(vec![first.to_string()]);
    }
    let body_end = match classify(first) {
        Label::Lto { .. } => 6,
        Label::Other => first.len(),
    };
    let body = &first[..body_end];
    let digits = body.bytes().rev().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return Err(Error::Invalid(format!("barcode {first} has no number to count up from")));
    }
    let start = body_end - digits;
    let n: u64 = body[start..].parse().map_err(|_| Error::Invalid(format!("barcode {first}: number too long")))?;
    let last = n + count as u64 - 1;
    if last.to_string().len() > digits {
        return Err(Error::Invalid(format!("{count} barcodes from {first} run past {} digits", digits)));
    }
    Ok((n..=last).map(|i| format!("{}{:0width$}{}", &first[..start], i, &first[body_end..], width = digits)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_name_their_generation() {
        assert_eq!(classify("ABC123L8"), Label::Lto { generation: 8, type_m: false });
        assert_eq!(classify("ABC123LZ"), Label::Lto { generation: 9, type_m: false });
        assert_eq!(classify("ABC123LT"), Label::Lto { generation: 3, type_m: false });
        assert_eq!(classify("ABC123M8"), Label::Lto { generation: 7, type_m: true });
        assert_eq!(classify("TAPE-0001"), Label::Other);
        assert!(check_label("ABC123L8", 8).unwrap().is_none());
        assert!(check_label("ABC123L8", 9).is_err());
        assert!(check_label("VAULT-7", 9).unwrap().is_some());
        assert_eq!(default_capacity_gb("ABC123M8", 7), 9_000);
        assert_eq!(default_capacity_gb("ABC123L9", 9), 18_000);
    }

    #[test]
    fn ranges_count_up_keeping_width() {
        assert_eq!(barcode_range("ABC098L8", 3).unwrap(), vec!["ABC098L8", "ABC099L8", "ABC100L8"]);
        assert_eq!(barcode_range("OFF-09", 2).unwrap(), vec!["OFF-09", "OFF-10"]);
        assert!(barcode_range("ABC999L8", 2).is_err());
        assert!(barcode_range("ABCDEFL8", 2).is_err());
        assert!(normalise_barcode("abc123l8").is_ok_and(|b| b == "ABC123L8"));
        assert!(normalise_barcode("a b").is_err());
    }
}
