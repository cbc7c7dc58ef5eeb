//! What an alert says, and how each channel kind carries it: a plain-text
//! mail, the generic JSON body (schema in docs/alerts.md) signed with
//! HMAC-SHA256, a Slack incoming-webhook message, a Microsoft Teams
//! incoming-webhook Adaptive Card. Pure functions.

use bc_api_types::Status;
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;

/// The header a generic webhook's signature travels in.
pub const SIGNATURE_HEADER: &str = "X-Backupchecks-Signature";
/// The header naming the event kind (`run.alert`, `run.batch`, `digest`, `test`).
pub const EVENT_HEADER: &str = "X-Backupchecks-Event";
/// The header with the delivery id: the same for every retry of one delivery.
pub const DELIVERY_HEADER: &str = "X-Backupchecks-Delivery";
/// Messages are cut to this many characters in alerts.
const MAX_MESSAGE: usize = 500;
/// At most this many runs are listed in one alert (the rest are counted).
pub const MAX_ITEMS: usize = 50;

/// One run an alert is about.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AlertItem {
    pub run_id: String,
    pub job_id: String,
    pub job_name: String,
    pub customer_id: String,
    pub customer_name: String,
    pub status: Status,
    /// The report's own status when an override changed it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub original_status: Option<Status>,
    /// When the run started (or was expected, for a Missed run).
    pub at: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The run's page in Backupchecks.
    pub url: String,
}

/// An alert, before it is shaped for a channel.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AlertMessage {
    /// `run.alert`, `run.batch`, `digest` or `test`.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    /// Free lines under the title (digest counts, a test's note).
    pub lines: Vec<String>,
    pub items: Vec<AlertItem>,
    /// Runs left out of `items` (beyond [`MAX_ITEMS`]).
    pub more: usize,
    /// The digest's figures, for the generic JSON body.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub digest: Option<serde_json::Value>,
}

fn cut(s: &str, max: usize) -> String {
    let one: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if one.chars().count() <= max {
        return one;
    }
    let mut t: String = one.chars().take(max.saturating_sub(1)).collect();
    t.push('…');
    t
}

impl AlertItem {
    pub fn short_message(&self) -> Option<String> {
        self.message.as_deref().map(|m| cut(m, MAX_MESSAGE)).filter(|m| !m.is_empty())
    }

    fn headline(&self) -> String {
        let overridden = match self.original_status {
            Some(o) if o != self.status => format!(" (reported {o})"),
            _ => String::new(),
        };
        format!("{} - {} - {}{overridden}", self.customer_name, self.job_name, self.status)
    }
}

impl AlertMessage {
    /// The plain-text form: mails, and the fallback text of chat messages.
    pub fn text(&self) -> String {
        let mut out = format!("{}\n", self.title);
        for l in &self.lines {
            out.push_str(l);
            out.push('\n');
        }
        if !self.items.is_empty() {
            out.push('\n');
        }
        for i in &self.items {
            out.push_str(&format!("- {} at {}\n", i.headline(), i.at.format("%Y-%m-%d %H:%M UTC")));
            if let Some(m) = i.short_message() {
                out.push_str(&format!("  {m}\n"));
            }
            out.push_str(&format!("  {}\n", i.url));
        }
        if self.more > 0 {
            out.push_str(&format!("... and {} more\n", self.more));
        }
        out
    }

    /// The generic webhook body (docs/alerts.md).
    pub fn generic_json(&self, delivery_id: &str, sent_at: DateTime<Utc>) -> String {
        json!({
            "type": self.kind,
            "delivery_id": delivery_id,
            "sent_at": sent_at,
            "title": self.title,
            "lines": self.lines,
            "runs": self.items,
            "more": self.more,
            "digest": self.digest,
        })
        .to_string()
    }

    /// A Slack incoming-webhook message: `text` (notifications) and blocks.
    pub fn slack_json(&self) -> String {
        let esc = |s: &str| s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
        let mut blocks =
            vec![json!({"type": "section", "text": {"type": "mrkdwn", "text": format!("*{}*", esc(&self.title))}})];
        if !self.lines.is_empty() {
            blocks.push(json!({"type": "section", "text": {"type": "mrkdwn", "text": esc(&self.lines.join("\n"))}}));
        }
        for i in self.items.iter().take(20) {
            let mut t = format!("<{}|{}>", i.url, esc(&i.headline()));
            if let Some(m) = i.short_message() {
                t.push_str(&format!("\n{}", esc(&m)));
            }
            blocks.push(json!({"type": "section", "text": {"type": "mrkdwn", "text": t}}));
        }
        let rest = self.more + self.items.len().saturating_sub(20);
        if rest > 0 {
            blocks.push(
                json!({"type": "context", "elements": [{"type": "mrkdwn", "text": format!("… and {rest} more")}]}),
            );
        }
        json!({"text": cut(&self.text(), 3000), "blocks": blocks}).to_string()
    }

    /// A Microsoft Teams incoming-webhook message carrying an Adaptive Card.
    pub fn teams_json(&self) -> String {
        let mut body =
            vec![json!({"type": "TextBlock", "text": self.title, "weight": "Bolder", "size": "Medium", "wrap": true})];
        for l in &self.lines {
            body.push(json!({"type": "TextBlock", "text": l, "wrap": true, "spacing": "None"}));
        }
        for i in self.items.iter().take(20) {
            body.push(json!({"type": "TextBlock", "text": format!("[{}]({})", i.headline(), i.url), "wrap": true}));
            if let Some(m) = i.short_message() {
                body.push(json!({"type": "TextBlock", "text": m, "wrap": true, "isSubtle": true, "spacing": "None"}));
            }
        }
        let rest = self.more + self.items.len().saturating_sub(20);
        if rest > 0 {
            body.push(json!({"type": "TextBlock", "text": format!("… and {rest} more"), "isSubtle": true}));
        }
        json!({
            "type": "message",
            "summary": self.title,
            "attachments": [{
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": null,
                "content": {
                    "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                    "type": "AdaptiveCard",
                    "version": "1.4",
                    "body": body,
                }
            }]
        })
        .to_string()
    }
}

/// `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" under the channel's secret>`.
pub fn signature(secret: &str, t: i64, body: &str) -> String {
    format!("t={t},v1={}", hex::encode(hmac_sha256(secret.as_bytes(), format!("{t}.{body}").as_bytes())))
}

/// HMAC-SHA256 (`ring`, already built for rustls and the engines' signatures).
pub fn hmac_sha256(key: &[u8], msg: &[u8]) -> [u8; 32] {
    let tag = ring::hmac::sign(&ring::hmac::Key::new(ring::hmac::HMAC_SHA256, key), msg);
    let mut out = [0u8; 32];
    out.copy_from_slice(tag.as_ref());
    out
}

/// A receiver's check of [`signature`] (used by the tests and shown in docs/alerts.md).
pub fn verify_signature(secret: &str, header: &str, body: &str) -> bool {
    let mut t = None;
    let mut v1 = None;
    for part in header.split(',') {
        match part.split_once('=') {
            Some(("t", v)) => t = v.parse::<i64>().ok(),
            Some(("v1", v)) => v1 = Some(v),
            _ => {}
        }
    }
    match (t, v1) {
        (Some(t), Some(v1)) => {
            let want = signature(secret, t, body);
            subtle::ConstantTimeEq::ct_eq(want.as_bytes(), format!("t={t},v1={v1}").as_bytes()).into()
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item() -> AlertItem {
        AlertItem {
            run_id: "r1".into(),
            job_id: "j1".into(),
            job_name: "Fileserver <nightly>".into(),
            customer_id: "c1".into(),
            customer_name: "Acme & Co".into(),
            status: Status::Missed,
            original_status: None,
            at: "2026-03-05T21:00:00Z".parse().unwrap(),
            message: Some("no report\n  arrived".into()),
            url: "https://bc.example/runs/r1".into(),
        }
    }

    fn msg() -> AlertMessage {
        AlertMessage {
            kind: "run.alert".into(),
            title: "Missed: Acme & Co - Fileserver".into(),
            lines: vec![],
            items: vec![item()],
            more: 0,
            digest: None,
        }
    }

    #[test]
    fn text_lists_runs_with_links() {
        let t = msg().text();
        assert!(t.contains("- Acme & Co - Fileserver <nightly> - Missed at 2026-03-05 21:00 UTC\n  no report arrived\n  https://bc.example/runs/r1"), "{t}");
    }

    #[test]
    fn slack_escapes_and_links() {
        let v: serde_json::Value = serde_json::from_str(&msg().slack_json()).unwrap();
        let s = v["blocks"][1]["text"]["text"].as_str().unwrap();
        assert!(
            s.starts_with("<https://bc.example/runs/r1|Acme &amp; Co - Fileserver &lt;nightly&gt; - Missed>"),
            "{s}"
        );
        assert!(v["text"].as_str().unwrap().contains("Missed"));
    }

    #[test]
    fn teams_is_an_adaptive_card() {
        let v: serde_json::Value = serde_json::from_str(&msg().teams_json()).unwrap();
        assert_eq!(v["attachments"][0]["contentType"], "application/vnd.microsoft.card.adaptive");
        assert_eq!(v["attachments"][0]["content"]["type"], "AdaptiveCard");
    }

    #[test]
    fn hmac_matches_rfc_4231() {
        // Test case 2 of RFC 4231.
        let mac = hmac_sha256(b"Jefe", b"what do ya want for nothing?");
        assert_eq!(hex::encode(mac), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    }

    #[test]
    fn signatures_verify_and_tampering_fails() {
        let body = msg().generic_json("d1", "2026-03-06T00:00:00Z".parse().unwrap());
        let h = signature("k", 1_700_000_000, &body);
        assert!(verify_signature("k", &h, &body));
        assert!(!verify_signature("k", &h, &body.replace("Missed", "Success")));
        assert!(!verify_signature("other", &h, &body));
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v["runs"][0]["status"], "Missed");
        assert_eq!(v["delivery_id"], "d1");
    }
}
