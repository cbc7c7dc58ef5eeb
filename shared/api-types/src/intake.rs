//! Inbound mail verification (spam, virus, SPF, DKIM and DMARC verdicts read
//! from what the receiving server wrote on the mail) and the quarantine of
//! mails that are never parsed into runs until an admin releases them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One verdict, in SES's vocabulary (`PASS`, `FAIL`, `GRAY`,
/// `PROCESSING_FAILED`) plus `none`: no trusted source said anything.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Pass,
    Fail,
    Gray,
    #[default]
    None,
    ProcessingFailed,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Fail => "fail",
            Verdict::Gray => "gray",
            Verdict::None => "none",
            Verdict::ProcessingFailed => "processing_failed",
        }
    }
}

/// The verdicts recorded on a mail when it arrived.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MailVerdicts {
    pub spam: Verdict,
    pub virus: Verdict,
    pub spf: Verdict,
    pub dkim: Verdict,
    pub dmarc: Verdict,
    /// The trusted authserv-id whose `Authentication-Results` header the
    /// verdicts come from (`amazonses.com` on AWS); absent when none did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

impl MailVerdicts {
    /// Failed authentication: DMARC failed, or, without a DMARC result
    /// (none, gray or processing failed), SPF and DKIM both failed.
    pub fn failed_authentication(&self) -> bool {
        match self.dmarc {
            Verdict::Fail => true,
            Verdict::Pass => false,
            _ => self.spf == Verdict::Fail && self.dkim == Verdict::Fail,
        }
    }
}

/// Why and since when a mail is quarantined.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QuarantineInfo {
    pub reason: String,
    pub at: DateTime<Utc>,
    /// Ingest attempts made before it was set aside.
    pub attempts: u32,
}

/// A row of `GET /api/v1/quarantine`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QuarantinedMail {
    pub id: String,
    pub received_at: DateTime<Utc>,
    pub sender: String,
    pub subject: String,
    pub size: u64,
    pub quarantine: QuarantineInfo,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verdicts: Option<MailVerdicts>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QuarantinePage {
    pub items: Vec<QuarantinedMail>,
    pub next_cursor: Option<String>,
}

/// `POST /api/v1/quarantine/{id}/release` and `POST /api/v1/inbox/{id}/process`:
/// what became of the mail.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReleaseResponse {
    pub mail_id: String,
    pub state: crate::MailState,
    pub run_id: Option<String>,
    /// Set when the new attempt failed again (the mail stays `received`
    /// and is retried, then quarantined again after the bounded attempts).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failed_authentication_rule() {
        let v = |spf, dkim, dmarc| MailVerdicts { spf, dkim, dmarc, ..Default::default() };
        use Verdict::*;
        assert!(v(Pass, Pass, Fail).failed_authentication());
        assert!(!v(Fail, Fail, Pass).failed_authentication());
        assert!(v(Fail, Fail, None).failed_authentication());
        assert!(v(Fail, Fail, Gray).failed_authentication());
        assert!(!v(Fail, None, None).failed_authentication());
        assert!(!v(None, None, None).failed_authentication());
        assert_eq!(serde_json::to_string(&ProcessingFailed).unwrap(), "\"processing_failed\"");
    }
}
