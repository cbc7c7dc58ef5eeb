//! BES request signing (docs/bes-protocol.md §2): Ed25519 over a six-line canonical string.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use ring::signature::{Ed25519KeyPair, KeyPair};
use sha2::{Digest, Sha256};

/// The engine's identity: its id and its Ed25519 key (from a 32-byte seed).
pub struct Signer {
    engine_id: String,
    key: Ed25519KeyPair,
}

/// The four headers of a signed call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedHeaders {
    pub engine: String,
    pub timestamp: String,
    pub nonce: String,
    pub signature: String,
}

impl SignedHeaders {
    pub fn pairs(&self) -> [(&'static str, &str); 4] {
        [
            ("X-BES-Engine", &self.engine),
            ("X-BES-Timestamp", &self.timestamp),
            ("X-BES-Nonce", &self.nonce),
            ("X-BES-Signature", &self.signature),
        ]
    }
}

/// The canonical string of §2 (no trailing newline).
pub fn canonical_string(method: &str, path: &str, timestamp: &str, nonce: &str, body: &[u8]) -> String {
    let hash = hex::encode(Sha256::digest(body));
    format!("BES-ED25519-V1\n{}\n{}\n{}\n{}\n{}", method.to_ascii_uppercase(), path, timestamp, nonce, hash)
}

/// A fresh nonce: 32 characters of `A-Z a-z 0-9 - _` (24 random bytes, URL-safe base64).
pub fn new_nonce() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 24];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// The public key (base64, standard, padded) of a seed.
pub fn public_key_of_seed(seed: &[u8; 32]) -> anyhow::Result<String> {
    let key = Ed25519KeyPair::from_seed_unchecked(seed).map_err(|e| anyhow::anyhow!("bad Ed25519 seed: {e}"))?;
    Ok(STANDARD.encode(key.public_key().as_ref()))
}

impl Signer {
    pub fn new(engine_id: impl Into<String>, seed: &[u8; 32]) -> anyhow::Result<Self> {
        let key = Ed25519KeyPair::from_seed_unchecked(seed).map_err(|e| anyhow::anyhow!("bad Ed25519 seed: {e}"))?;
        Ok(Signer { engine_id: engine_id.into(), key })
    }

    pub fn engine_id(&self) -> &str {
        &self.engine_id
    }

    pub fn public_key(&self) -> String {
        STANDARD.encode(self.key.public_key().as_ref())
    }

    /// Signs with a given timestamp and nonce (tests pin both).
    pub fn sign_with(&self, method: &str, path: &str, timestamp: i64, nonce: &str, body: &[u8]) -> SignedHeaders {
        let ts = timestamp.to_string();
        let canonical = canonical_string(method, path, &ts, nonce, body);
        let sig = self.key.sign(canonical.as_bytes());
        SignedHeaders {
            engine: self.engine_id.clone(),
            timestamp: ts,
            nonce: nonce.to_string(),
            signature: STANDARD.encode(sig.as_ref()),
        }
    }

    /// Signs a call now, with a fresh nonce.
    pub fn sign(&self, method: &str, path: &str, body: &[u8]) -> SignedHeaders {
        self.sign_with(method, path, chrono::Utc::now().timestamp(), &new_nonce(), body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The worked example of docs/bes-protocol.md §2, byte for byte.
    #[test]
    fn worked_example_from_the_protocol_doc() {
        let seed = [7u8; 32];
        assert_eq!(public_key_of_seed(&seed).unwrap(), "6kpsY+KcUgq+9VB7Ey7F+ZVHdq6+vnuSQh7qaRRG0iw=");
        let body = br#"{"version":"1.0.0","health":{"cpu_percent":12.5}}"#;
        assert_eq!(body.len(), 49);
        assert_eq!(
            hex::encode(Sha256::digest(body)),
            "8ef62072f61c4c9f50c1248df3d17e483a2a1ee8b92be1f4349c5eef5bef9631"
        );
        assert_eq!(
            canonical_string("POST", "/bes/v1/heartbeat", "1767225600", "n0nce-0000000001", body),
            "BES-ED25519-V1\nPOST\n/bes/v1/heartbeat\n1767225600\nn0nce-0000000001\n8ef62072f61c4c9f50c1248df3d17e483a2a1ee8b92be1f4349c5eef5bef9631"
        );
        let signer = Signer::new("bes0123456789abcdef0123", &seed).unwrap();
        let h = signer.sign_with("POST", "/bes/v1/heartbeat", 1767225600, "n0nce-0000000001", body);
        assert_eq!(
            h.signature,
            "N66v0i60BzeHAwyPsUMrh/NhVMgy5wGY8/b9ztkd7OxsXabhyz8zDcN76FvdllXo4X2BbgzubFDUnHlDo5MnDg=="
        );
        assert_eq!(h.timestamp, "1767225600");
        assert_eq!(h.engine, "bes0123456789abcdef0123");
    }

    #[test]
    fn nonces_are_fresh_and_well_formed() {
        let a = new_nonce();
        let b = new_nonce();
        assert_ne!(a, b);
        assert!((16..=128).contains(&a.len()));
        assert!(a.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
    }
}
