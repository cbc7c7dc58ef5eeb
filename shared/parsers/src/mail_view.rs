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
}

impl<'a> MailView<'a> {
    pub fn new(mail: &'a MailMessage) -> Self {
        Self {
            mail,
            subject: strip_forward_prefixes(&mail.subject),
            html_text: OnceCell::new(),
        }
    }

    /// Plain text of the HTML body, if there is one.
    pub fn html_text(&self) -> Option<&str> {
        self.html_text
            .get_or_init(|| self.mail.html.as_deref().map(html_to_text))
            .as_deref()
    }

    /// The text part if the mail has one, else the text of the HTML part.
    pub fn text(&self) -> &str {
        self.mail
            .text
            .as_deref()
            .or_else(|| self.html_text())
            .unwrap_or("")
    }

    /// The text of the HTML part if the mail has one, else the text part:
    /// for reports whose HTML is the primary rendering.
    pub fn html_first_text(&self) -> &str {
        self.html_text().or(self.mail.text.as_deref()).unwrap_or("")
    }

    pub fn sender_name(&self) -> &str {
        self.mail.from_name.as_deref().unwrap_or("")
    }
}
