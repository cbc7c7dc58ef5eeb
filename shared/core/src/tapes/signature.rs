//! Custody signatures as they arrive: a drawn one must be a real, small PNG
//! in a `data:` URL (it is stored with the event and shown back in pages,
//! so nothing else may pass), a typed one a plain name.

use base64::Engine;
use bc_api_types::Signature;

use crate::error::{Error, Result};

const PREFIX: &str = "data:image/png;base64,";
/// Most bytes of a drawn signature's PNG.
pub const MAX_PNG_BYTES: usize = 100 * 1024;
const MAX_WIDTH: u32 = 2_000;
const MAX_HEIGHT: u32 = 1_000;
const PNG_MAGIC: [u8; 8] = [0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n'];

fn check_name(name: &str, what: &str) -> Result<String> {
    let n = name.trim();
    if n.is_empty() || n.chars().count() > 100 || n.chars().any(char::is_control) {
        return Err(Error::Invalid(format!("{what}: 1 to 100 characters")));
    }
    Ok(n.to_string())
}

/// The signature as stored: names trimmed, the image checked.
pub fn validate(sig: &Signature) -> Result<Signature> {
    match sig {
        Signature::Typed { name } => Ok(Signature::Typed { name: check_name(name, "the typed signature")? }),
        Signature::Drawn { image, signer } => {
            let signer = check_name(signer, "the signer's name")?;
            let b64 = image
                .strip_prefix(PREFIX)
                .ok_or_else(|| Error::Invalid("a drawn signature is a data:image/png;base64 URL".into()))?;
            if b64.len() > MAX_PNG_BYTES.div_ceil(3) * 4 + 4 {
                return Err(Error::TooLarge(format!("a drawn signature is at most {} KB", MAX_PNG_BYTES / 1024)));
            }
            let png = base64::engine::general_purpose::STANDARD
                .decode(b64)
                .map_err(|_| Error::Invalid("the drawn signature is not valid base64".into()))?;
            if png.len() > MAX_PNG_BYTES {
                return Err(Error::TooLarge(format!("a drawn signature is at most {} KB", MAX_PNG_BYTES / 1024)));
            }
            // Signature, then the IHDR chunk: length, "IHDR", width, height.
            if png.len() < 33 || png[..8] != PNG_MAGIC || &png[12..16] != b"IHDR" {
                return Err(Error::Invalid("the drawn signature is not a PNG image".into()));
            }
            let width = u32::from_be_bytes([png[16], png[17], png[18], png[19]]);
            let height = u32::from_be_bytes([png[20], png[21], png[22], png[23]]);
            if width == 0 || height == 0 || width > MAX_WIDTH || height > MAX_HEIGHT {
                return Err(Error::Invalid(format!(
                    "the drawn signature is {width} x {height} pixels; at most {MAX_WIDTH} x {MAX_HEIGHT}"
                )));
            }
            Ok(Signature::Drawn { image: image.clone(), signer })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 1 x 1 PNG.
    pub const TINY_PNG: &str = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";

    #[test]
    fn drawn_signatures_are_small_pngs() {
        let ok = Signature::Drawn { image: TINY_PNG.into(), signer: " Vera Vault ".into() };
        assert!(matches!(validate(&ok), Ok(Signature::Drawn { signer, .. }) if signer == "Vera Vault"));
        let svg = Signature::Drawn { image: "data:image/svg+xml;base64,PHN2Zz4=".into(), signer: "x".into() };
        assert!(validate(&svg).is_err());
        let not_png = Signature::Drawn {
            image: format!("{PREFIX}aGVsbG8gd29ybGQgaGVsbG8gd29ybGQgaGVsbG8gd29ybGQ="),
            signer: "x".into(),
        };
        assert!(validate(&not_png).is_err());
        let huge = Signature::Drawn { image: format!("{PREFIX}{}", "A".repeat(200_000)), signer: "x".into() };
        assert!(matches!(validate(&huge), Err(Error::TooLarge(_))));
        assert!(validate(&Signature::Typed { name: "  ".into() }).is_err());
    }
}
