//! A mail as the parsers see it: the decoded message plus text derived
//! from it once (HTML to text, forward prefixes off the subject), shared by
//! every parser's match rules and by the parser that claims the mail.

use std::cell::OnceCell;

use crate::MailMessage;
use crate::util::html::html_to_text;
use crate::util::text::strip_forward_prefixes;

pub(crate) struct MailView<'a> {
    pub mail: &'a MailMessage,
    /// Subject without `Fwd:`/`RE:`-style prefixes.
    pub subject: &'a str,
    html_text: OnceCell<Option<String>>,
    /// [`Self::text`] with ASCII letters lower-cased (same byte offsets),
    /// for the match rules' substring tests: one pass, then SIMD search.
    lower_text: OnceCell<String>,
    /// The type in a Veeam report's header row (`Backup`, `Agent Backup`,
    /// ...), found once for the four Veeam parsers' match rules.
    pub(crate) veeam_header: OnceCell<Option<&'static str>>,
    /// Which Veeam product the body names, found once for the same rules.
    pub(crate) veeam_product: OnceCell<Option<crate::parsers::veeam_layout::Product>>,
}

impl<'a> MailView<'a> {
    pub fn new(mail: &'a MailMessage) -> Self {
        Self {
            mail,
            subject: strip_forward_prefixes(&mail.subject),
            html_text: OnceCell::new(),
            lower_text: OnceCell::new(),
            veeam_header: OnceCell::new(),
            veeam_product: OnceCell::new(),
        }
    }

    /// Plain text of the HTML body, if there is one.
    pub fn html_text(&self) -> Option<&str> {
        self.html_text.get_or_init(|| self.mail.html.as_deref().map(html_to_text)).as_deref()
    }

    /// The text part if the mail has one, else the text of the HTML part.
    pub fn text(&self) -> &str {
        self.mail.text.as_deref().or_else(|| self.html_text()).unwrap_or("")
    }

    /// The text of the HTML part if the mail has one, else the text part:
    /// for reports whose HTML is the primary rendering.
    pub fn html_first_text(&self) -> &str {
        self.html_text().or(self.mail.text.as_deref()).unwrap_or("")
    }

    /// Whether the body text contains `needle`, ignoring ASCII case.
    /// `needle` must be written in lower case.
    pub fn mentions(&self, needle: &str) -> bool {
        debug_assert!(!needle.bytes().any(|b| b.is_ascii_uppercase()), "needle {needle:?} must be lower case");
        let lower = self.lower_text.get_or_init(|| self.text().to_ascii_lowercase());
        memchr::memmem::find(lower.as_bytes(), needle.as_bytes()).is_some()
    }

    /// [`Self::mentions`] for the subject or the body.
    pub fn subject_or_body_mentions(&self, needle: &str) -> bool {
        crate::util::text::contains_ci(self.subject, needle) || self.mentions(needle)
    }

    pub fn sender_name(&self) -> &str {
        self.mail.from_name.as_deref().unwrap_or("")
    }

    /// Whether a person forwarded the mail (a forward prefix was taken off
    /// the subject).
    pub fn forwarded(&self) -> bool {
        self.subject.len() < self.mail.subject.trim().len()
    }

    /// The addresses the mail is from: the `From:` address, then, for a
    /// forwarded mail, the original sender named in the quoted header block.
    pub fn senders(&self) -> Vec<String> {
        let mut out: Vec<String> = self.mail.from_address.iter().cloned().collect();
        if self.forwarded()
            && let Some(original) = quoted_sender(self.text())
            && !out.contains(&original)
        {
            out.push(original);
        }
        out
    }
}

/// The address on the first quoted `From:` line of a forwarded body
/// (`From: Veeam <veeam@example.com>`, `Von: ...`, `Van: ...`, `De: ...`).
fn quoted_sender(text: &str) -> Option<String> {
    const LABELS: [&str; 5] = ["From:", "Von:", "Van:", "De:", "Da:"];
    text.lines().take(80).find_map(|line| {
        let line = line.trim_start_matches(|c: char| c == '>' || c.is_whitespace());
        let rest = LABELS.iter().find_map(|l| crate::util::text::strip_prefix_ci(line, l))?;
        let addr = match (rest.find('<'), rest.rfind('>')) {
            (Some(a), Some(b)) if a < b => &rest[a + 1..b],
            _ => rest
                .split_whitespace()
                .find(|w| w.contains('@'))?
                .trim_matches(|c: char| matches!(c, '"' | '\'' | '(' | ')' | '[' | ']' | ',' | ';')),
        };
        let addr = addr.trim().to_ascii_lowercase();
        (addr.contains('@') && addr.len() <= 254 && !addr.contains(char::is_whitespace)).then_some(addr)
    })
}
