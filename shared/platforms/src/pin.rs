//! Trusting one self-signed certificate by its SHA-256 fingerprint (what
//! Veeam's console and `openssl x509 -fingerprint -sha256` show): the
//! server's end-entity certificate must hash to the pinned value; its
//! issuer, names and dates are not checked (a self-signed certificate has
//! no authority to check them against), its handshake signatures are. A
//! changed certificate fails with a clear "certificate changed" error.
//! There is no "accept any certificate" mode.

use std::sync::Arc;

use rustls::DigitallySignedStruct;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, verify_tls12_signature, verify_tls13_signature};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};

#[derive(Debug)]
pub(crate) struct Pinned {
    sha256: Vec<u8>,
    provider: Arc<CryptoProvider>,
}

pub(crate) fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

impl Pinned {
    /// `fingerprint`: 64 hex digits.
    pub(crate) fn new(fingerprint: &str) -> Option<Pinned> {
        let h: String = fingerprint.chars().filter(|c| c.is_ascii_hexdigit()).collect();
        if h.len() != 64 {
            return None;
        }
        let sha256 =
            (0..32).map(|i| u8::from_str_radix(&h[2 * i..2 * i + 2], 16)).collect::<Result<Vec<_>, _>>().ok()?;
        Some(Pinned { sha256, provider: Arc::new(rustls::crypto::ring::default_provider()) })
    }

    pub(crate) fn client_config(self) -> rustls::ClientConfig {
        let provider = self.provider.clone();
        rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("rustls' default protocol versions")
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(self))
            .with_no_client_auth()
    }
}

impl ServerCertVerifier for Pinned {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let got = ring::digest::digest(&ring::digest::SHA256, end_entity.as_ref());
        if got.as_ref() == self.sha256.as_slice() {
            Ok(ServerCertVerified::assertion())
        } else {
            Err(rustls::Error::General(format!(
                "certificate changed: the server's SHA-256 fingerprint is {}, not the trusted {}",
                hex(got.as_ref()),
                hex(&self.sha256)
            )))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(message, cert, dss, &self.provider.signature_verification_algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(message, cert, dss, &self.provider.signature_verification_algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.provider.signature_verification_algorithms.supported_schemes()
    }
}
