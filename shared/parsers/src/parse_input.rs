//! A mail as the parsers see it: the decoded message plus text derived
//! from it once (HTML to text, forward prefixes off the subject), shared by
//! every parser's match rules and by the parser that claims the mail.

use std::cell::OnceCell;

use crate::MailMessage;
use crate::util::html::html_to_text;
use crate::util::text::{strip_forward_prefixes, strip_gateway_tags};

pub(crate) struct ParseInput<'a> {
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
    forwarded_block: OnceCell<Option<ForwardedBlock>>,
}

/// The header block a mail client quotes above a forwarded report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ForwardedBlock {
    /// The original sender's address (lower case), if the block names one.
    pub sender: Option<String>,
    /// The original sender's display name, if the block has one.
    pub sender_name: Option<String>,
    /// The original subject, if the block has one.
    pub subject: Option<String>,
}

/// Lines a mail client puts above a forwarded message, in the languages
/// the products send in (lower case; matched anywhere in the line).
const FORWARD_MARKERS: [&str; 14] = [
    "forwarded message",
    "anfang der weitergeleiteten nachricht",
    "début du message réexpédié",
    "message réexpédié",
    "original message",
    "weitergeleitete nachricht",
    "ursprüngliche nachricht",
    "doorgestuurd bericht",
    "oorspronkelijk bericht",
    "message transféré",
    "message d'origine",
    "messaggio inoltrato",
    "messaggio originale",
    "mensaje reenviado",
];
/// Byte strings one of which every marker line holds (checked on the raw
/// body before any line is looked at): the dashes around most markers,
/// Outlook's line of underscores, and the words of Apple Mail's markers.
const MARKER_HINTS: [&[u8]; 9] = [
    b"-----",
    b"_____",
    b"orwarded",
    b"eitergeleitet",
    "réexpédié".as_bytes(),
    b"Sent:",
    b"Gesendet:",
    b"Verzonden:",
    b"Envoy",
];
/// Labels of the line Outlook puts after `From:` in a forwarded block; a
/// `From:` line followed by one of them starts a block without a marker
/// (Outlook draws only a border above it).
const SENT_LABELS: [&str; 6] = ["Sent", "Gesendet", "Verzonden", "Envoyé", "Inviato", "Enviado"];
/// Labels of the quoted block (a colon follows, French puts a space before it).
const FROM_LABELS: [&str; 5] = ["From", "Von", "Van", "De", "Da"];
const SUBJECT_LABELS: [&str; 7] = ["Subject", "Betreff", "Onderwerp", "Objet", "Sujet", "Oggetto", "Asunto"];
/// Bytes of the raw body looked at for a forward marker.
const FORWARD_SCAN_BYTES: usize = 16 * 1024;
/// Lines of the body looked at for a forwarded header block.
const FORWARD_SCAN_LINES: usize = 80;

impl<'a> ParseInput<'a> {
    pub fn new(mail: &'a MailMessage) -> Self {
        Self {
            mail,
            subject: strip_gateway_tags(strip_forward_prefixes(strip_gateway_tags(&mail.subject))),
            html_text: OnceCell::new(),
            lower_text: OnceCell::new(),
            veeam_header: OnceCell::new(),
            veeam_product: OnceCell::new(),
            forwarded_block: OnceCell::new(),
        }
    }

    /// The quoted header block of a forwarded report: after a forward
    /// marker line (`---------- Forwarded message ---------`, `-----
    /// Ursprüngliche Nachricht -----`, ...) or, when the subject has a
    /// forward prefix, the first quoted `From:` line; its `From:` and
    /// `Subject:` (in the client's language). Only the first
    /// [`FORWARD_SCAN_LINES`] lines are read.
    pub fn forwarded_block(&self) -> Option<&ForwardedBlock> {
        self.forwarded_block
            .get_or_init(|| {
                let prefixed = self.forwarded();
                // Without a forward prefix, only a marker near the top of the
                // raw body makes the body worth reading (most mails are not
                // forwarded; the text of an HTML report costs a full pass).
                if !prefixed {
                    let body = self.mail.html.as_deref().or(self.mail.text.as_deref()).unwrap_or("");
                    let mut end = body.len().min(FORWARD_SCAN_BYTES);
                    while !body.is_char_boundary(end) {
                        end -= 1;
                    }
                    let head = &body[..end];
                    // A few SIMD passes rule out almost every mail before
                    // the marker scan.
                    let maybe = MARKER_HINTS.iter().any(|h| memchr::memmem::find(head.as_bytes(), h).is_some());
                    if !maybe
                        || !(FORWARD_MARKERS.iter().any(|m| crate::util::text::contains_ci(head, m))
                            || head.lines().any(is_outlook_separator)
                            || ["sent:", "gesendet:", "verzonden:", "envoyé :", "envoyé:"]
                                .iter()
                                .any(|l| crate::util::text::contains_ci(head, l)))
                    {
                        return None;
                    }
                }
                forwarded_block(self.text(), prefixed)
            })
            .as_ref()
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
        let untagged = strip_gateway_tags(&self.mail.subject);
        strip_forward_prefixes(untagged).len() < untagged.len()
    }

    /// The addresses the mail is from: the `From:` address, then, for a
    /// forwarded mail, the original sender named in the quoted header block.
    pub fn senders(&self) -> Vec<String> {
        let mut out: Vec<String> = self.mail.from_address.iter().cloned().collect();
        if let Some(original) = self.forwarded_block().and_then(|b| b.sender.clone())
            && !out.contains(&original)
        {
            out.push(original);
        }
        out
    }
}

fn forwarded_block(text: &str, prefixed: bool) -> Option<ForwardedBlock> {
    let lines: Vec<&str> = text
        .lines()
        .take(FORWARD_SCAN_LINES)
        .map(|l| l.trim_start_matches(|c: char| c == '>' || c.is_whitespace()).trim_end())
        .collect();
    // After a marker line the block's fields come in any order (Thunderbird
    // puts the subject first); after a bare forward prefix the block starts
    // at the first `From:` line.
    let mut marker_seen = false;
    // Outlook's separator is only a marker when the block's `From:` line
    // follows it at once (a report may draw lines of underscores too).
    let mut after_separator = false;
    let mut sender: Option<(Option<String>, Option<String>)> = None;
    let mut subject: Option<Option<String>> = None;
    let mut block_lines = 0;
    for (i, &line) in lines.iter().enumerate() {
        let started = sender.is_some() || subject.is_some();
        // Outlook without a marker: `From:` and at once `Sent:` (`Gesendet:`,
        // `Verzonden:`, `Envoyé :`).
        if !started
            && !marker_seen
            && crate::util::text::line_value(line, &FROM_LABELS).is_some()
            && lines[i + 1..]
                .iter()
                .find(|l| !l.is_empty())
                .is_some_and(|next| crate::util::text::line_value(next, &SENT_LABELS).is_some())
        {
            marker_seen = true;
        }
        if after_separator && !line.is_empty() {
            after_separator = false;
            if crate::util::text::line_value(line, &FROM_LABELS).is_some() {
                marker_seen = true;
            }
        }
        if !started && !marker_seen && line.len() < 120 {
            if is_outlook_separator(line) {
                after_separator = true;
                continue;
            }
            let lower = line.to_lowercase();
            if FORWARD_MARKERS.iter().any(|m| lower.contains(m)) {
                marker_seen = true;
                continue;
            }
        }
        if !(marker_seen || prefixed) {
            continue;
        }
        if started {
            block_lines += 1;
            if block_lines > 12 {
                break;
            }
        }
        if sender.is_none()
            && let Some(rest) = crate::util::text::line_value(line, &FROM_LABELS)
        {
            sender = Some((address(rest), display_name(rest)));
        } else if subject.is_none()
            && (started || marker_seen)
            && let Some(rest) = crate::util::text::line_value(line, &SUBJECT_LABELS)
        {
            let s = crate::util::text::collapse_ws(rest);
            subject = Some((!s.is_empty()).then(|| crate::util::text::truncate_chars(&s, crate::MAX_SUBJECT_CHARS)));
        }
        if sender.is_some() && subject.is_some() {
            break;
        }
    }
    let (sender, sender_name) = sender.unwrap_or((None, None));
    let subject = subject.flatten();
    (sender.is_some() || subject.is_some()).then_some(ForwardedBlock { sender, sender_name, subject })
}

/// Outlook's line above a forwarded message's header block (Outlook on the
/// web and Outlook 365 write no words, only a line of underscores).
fn is_outlook_separator(line: &str) -> bool {
    let line = line.trim();
    line.len() >= 20 && line.len() < 120 && line.bytes().all(|b| b == b'_')
}

/// The display name in a quoted `From:` value (`"Veeam B&R" <v@x>` ->
/// `Veeam B&R`), if there is one.
fn display_name(rest: &str) -> Option<String> {
    let name = match rest.find(['<', '[']) {
        Some(i) => &rest[..i],
        None if !rest.contains('@') => rest,
        None => return None,
    };
    let name = crate::util::text::collapse_ws(name.trim().trim_matches(|c: char| c == '"' || c == '\''));
    (!name.is_empty() && !name.contains('@')).then(|| crate::util::text::truncate_chars(&name, 320))
}

/// The address in a quoted `From:` value: `Veeam <veeam@example.com>`,
/// `veeam@example.com`, `"Veeam" [mailto:veeam@example.com]`.
fn address(rest: &str) -> Option<String> {
    let addr = match (rest.find('<'), rest.rfind('>')) {
        (Some(a), Some(b)) if a < b => &rest[a + 1..b],
        _ => rest
            .split_whitespace()
            .find(|w| w.contains('@'))?
            .trim_matches(|c: char| matches!(c, '"' | '\'' | '(' | ')' | '[' | ']' | ',' | ';')),
    };
    let addr = addr.trim();
    let addr = addr.strip_prefix("mailto:").unwrap_or(addr).to_ascii_lowercase();
    (addr.contains('@') && addr.len() <= 254 && !addr.contains(char::is_whitespace)).then_some(addr)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(text: &str, prefixed: bool) -> Option<ForwardedBlock> {
        forwarded_block(text, prefixed)
    }

    #[test]
    fn forwarded_blocks_in_several_languages() {
        let b = block(
            "Zie hieronder.\n\n-------- Doorgestuurd bericht --------\nVan: \"NAS\" <nas@a.example>\n\
             Datum: 3 maart\nOnderwerp: Back-uptaak X is mislukt\n\nbody",
            false,
        )
        .unwrap();
        assert_eq!(b.sender.as_deref(), Some("nas@a.example"));
        assert_eq!(b.sender_name.as_deref(), Some("NAS"));
        assert_eq!(b.subject.as_deref(), Some("Back-uptaak X is mislukt"));

        let b = block(
            "-----Ursprüngliche Nachricht-----\nVon: Veeam [mailto:VBR@B.example]\nGesendet: Mittwoch\n\
             An: x@y.example\nBetreff: [Failed] Job (2 VMs)\n",
            false,
        )
        .unwrap();
        assert_eq!(b.sender.as_deref(), Some("vbr@b.example"));
        assert_eq!(b.subject.as_deref(), Some("[Failed] Job (2 VMs)"));

        let b = block("> De : srv@c.example\n> Objet : Sauvegarde réussie\n", true).unwrap();
        assert_eq!(b.sender.as_deref(), Some("srv@c.example"));
        assert_eq!(b.subject.as_deref(), Some("Sauvegarde réussie"), "French puts a space before the colon");

        // Thunderbird, French: the subject comes first.
        let b = block(
            "-------- Message transféré --------\nSujet : [Warning] Nightly SQL\nDate : mer. 4 mars 2026\n\
             De : Veeam <vbr@sql.example>\nPour : it@client.example\n",
            false,
        )
        .unwrap();
        assert_eq!(
            (b.sender.as_deref(), b.subject.as_deref()),
            (Some("vbr@sql.example"), Some("[Warning] Nightly SQL"))
        );

        // Apple Mail, German and French: no dashes around the marker.
        let b = block(
            "Gesendet von meinem iPhone\n\nAnfang der weitergeleiteten Nachricht:\n\n\
             Von: NAS <nas@d.example>\nBetreff: Sicherungsaufgabe X\n",
            false,
        )
        .unwrap();
        assert_eq!((b.sender.as_deref(), b.subject.as_deref()), (Some("nas@d.example"), Some("Sicherungsaufgabe X")));
        let b = block("Début du message réexpédié :\n\nDe: nas@e.example\nObjet: Tâche\n", false).unwrap();
        assert_eq!(b.sender.as_deref(), Some("nas@e.example"));

        // Outlook 365: a line of underscores, then the block.
        let outlook = "Can you check?\n\n________________________________\nFrom: Veeam <v@f.example>\n\
                       Sent: Wednesday\nSubject: [Failed] Job\n";
        let b = block(outlook, false).unwrap();
        assert_eq!((b.sender.as_deref(), b.subject.as_deref()), (Some("v@f.example"), Some("[Failed] Job")));
        // A line of underscores without a `From:` line after it is no marker.
        assert_eq!(block("Summary\n______________________________\n\nSubject: x\nFrom: a@b.example\n", false), None);

        // Outlook, French, no marker and no prefix: `De :` then `Envoyé :`.
        let b = block(
            "Pouvez-vous vérifier ?\n\nDe : nas-paris@g.example\nEnvoyé : mercredi 4 mars 2026 03:47\n\
             À : it@g.example\nObjet : [NAS-PARIS] La tâche de sauvegarde a réussi\n",
            false,
        )
        .unwrap();
        assert_eq!(
            (b.sender.as_deref(), b.subject.as_deref()),
            (Some("nas-paris@g.example"), Some("[NAS-PARIS] La tâche de sauvegarde a réussi"))
        );

        // No marker and no forward prefix: a report's own `From:` line is no block.
        assert_eq!(block("From: the backup server\nSubject: nightly\n", false), None);
        // A marker far down (past the lines looked at) is not read.
        let far = format!("{}---------- Forwarded message ---------\nFrom: a@b.example\n", "x\n".repeat(100));
        assert_eq!(block(&far, false), None);
    }

    #[test]
    fn addresses_and_names() {
        assert_eq!(address(" \"Veeam\" <Veeam@Example.COM>").as_deref(), Some("veeam@example.com"));
        assert_eq!(address(" mailto:a@b.example").as_deref(), Some("a@b.example"));
        assert_eq!(address(" no address here"), None);
        assert_eq!(display_name(" \"Veeam B&R\" <v@x.example>").as_deref(), Some("Veeam B&R"));
        assert_eq!(display_name(" v@x.example"), None);
    }
}
