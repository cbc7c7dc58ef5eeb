//! `OutboxMailer`: outgoing mail written as .eml files to an outbox folder,
//! where an operator (or a relay) can pick them up.

use std::path::PathBuf;

use async_trait::async_trait;
use bc_core::ports::{Mailer, OutboundMail, PortError, PortResult};

pub struct OutboxMailer {
    dir: PathBuf,
    from: String,
}

impl OutboxMailer {
    pub fn new(dir: PathBuf) -> std::io::Result<OutboxMailer> {
        std::fs::create_dir_all(&dir)?;
        Ok(OutboxMailer { dir, from: "backupchecks@localhost".into() })
    }

    pub fn with_from(mut self, from: &str) -> Self {
        self.from = from.to_string();
        self
    }

    pub fn dir(&self) -> &std::path::Path {
        &self.dir
    }
}

/// Header values must not carry line breaks (header injection).
fn header(v: &str) -> String {
    v.chars().filter(|c| *c != '\r' && *c != '\n').collect()
}

#[async_trait]
impl Mailer for OutboxMailer {
    async fn send(&self, mail: &OutboundMail) -> PortResult<String> {
        let id = format!("{}-{:08x}", chrono::Utc::now().format("%Y%m%dT%H%M%S%.6f"), rand::random::<u32>());
        let mut eml = format!(
            "From: {}\r\nTo: {}\r\nSubject: {}\r\nDate: {}\r\nMessage-ID: <{id}@backupchecks.local>\r\nMIME-Version: 1.0\r\n",
            header(&self.from),
            header(&mail.to.join(", ")),
            header(&mail.subject),
            chrono::Utc::now().to_rfc2822(),
        );
        match &mail.html {
            None => {
                eml.push_str("Content-Type: text/plain; charset=utf-8\r\n\r\n");
                eml.push_str(&mail.text);
            }
            Some(html) => {
                let b = format!("bc-{id}");
                eml.push_str(&format!("Content-Type: multipart/alternative; boundary=\"{b}\"\r\n\r\n"));
                eml.push_str(&format!("--{b}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{}\r\n", mail.text));
                eml.push_str(&format!("--{b}\r\nContent-Type: text/html; charset=utf-8\r\n\r\n{html}\r\n--{b}--\r\n"));
            }
        }
        let path = self.dir.join(format!("{id}.eml"));
        tokio::fs::write(&path, eml).await.map_err(|e| PortError::Backend(format!("outbox write: {e}")))?;
        Ok(id)
    }
}
