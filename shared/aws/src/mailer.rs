//! [`Mailer`] on SES v2 `SendEmail`: simple content (text, optional HTML)
//! from one configured, verified sender address.

use async_trait::async_trait;
use aws_sdk_sesv2::Client;
use aws_sdk_sesv2::types::{Body, Content, Destination, EmailContent, Message};
use bc_core::ports::{Mailer, OutboundMail, PortError, PortResult};

use crate::error::{backend, build};

#[derive(Clone, Debug)]
pub struct SesMailer {
    client: Client,
    from: String,
}

impl SesMailer {
    pub fn new(client: Client, from: &str) -> Self {
        SesMailer { client, from: from.to_string() }
    }
}

fn content(data: &str) -> PortResult<Content> {
    Content::builder().data(data).charset("UTF-8").build().map_err(|e| build("SES", "SendEmail", e))
}

#[async_trait]
impl Mailer for SesMailer {
    async fn send(&self, mail: &OutboundMail) -> PortResult<String> {
        if mail.to.is_empty() {
            return Err(PortError::Backend("SES SendEmail: no recipients".into()));
        }
        let mut body = Body::builder().text(content(&mail.text)?);
        if let Some(html) = &mail.html {
            body = body.html(content(html)?);
        }
        let message = Message::builder().subject(content(&mail.subject)?).body(body.build()).build();
        let out = self
            .client
            .send_email()
            .from_email_address(&self.from)
            .destination(Destination::builder().set_to_addresses(Some(mail.to.clone())).build())
            .content(EmailContent::builder().simple(message).build())
            .send()
            .await
            .map_err(|e| backend("SES", "SendEmail", e))?;
        out.message_id()
            .map(str::to_string)
            .ok_or_else(|| PortError::Backend("SES SendEmail: no message id in the answer".into()))
    }
}
