//! [`Mailer`] on SES v2 `SendEmail`: simple content (text, optional HTML)
//! from one configured, verified sender address, through the SES
//! configuration set named by `SES_CONFIGURATION_SET` when it is set (the
//! template's set publishes bounces and complaints).

use async_trait::async_trait;
use aws_sdk_sesv2::Client;
use aws_sdk_sesv2::types::{Body, Content, Destination, EmailContent, Message};
use bc_core::ports::{Mailer, OutboundMail, PortError, PortResult};

use crate::error::{backend, build};

#[derive(Clone, Debug)]
pub struct SesMailer {
    client: Client,
    from: String,
    configuration_set: Option<String>,
}

impl SesMailer {
    /// A mailer sending as `from`, through the configuration set in
    /// `SES_CONFIGURATION_SET` when that is set and non-empty.
    pub fn new(client: Client, from: &str) -> Self {
        let set = std::env::var("SES_CONFIGURATION_SET").ok();
        SesMailer { client, from: from.to_string(), configuration_set: None }.with_configuration_set(set)
    }

    /// Sends through this configuration set (None or blank: none).
    pub fn with_configuration_set(mut self, name: Option<String>) -> Self {
        self.configuration_set = name.map(|n| n.trim().to_string()).filter(|n| !n.is_empty());
        self
    }

    pub fn configuration_set(&self) -> Option<&str> {
        self.configuration_set.as_deref()
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
            .set_configuration_set_name(self.configuration_set.clone())
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

#[cfg(test)]
mod tests {
    use super::*;

    fn client() -> Client {
        let conf = aws_sdk_sesv2::Config::builder()
            .behavior_version(aws_sdk_sesv2::config::BehaviorVersion::latest())
            .region(aws_sdk_sesv2::config::Region::new("eu-west-1"))
            .build();
        Client::from_conf(conf)
    }

    #[test]
    fn the_configuration_set_is_optional() {
        let m = SesMailer { client: client(), from: "a@example.com".into(), configuration_set: None };
        assert_eq!(
            m.clone().with_configuration_set(Some("bc-outbound".into())).configuration_set(),
            Some("bc-outbound")
        );
        assert_eq!(m.clone().with_configuration_set(Some("  ".into())).configuration_set(), None);
        assert_eq!(m.with_configuration_set(None).configuration_set(), None);
    }
}
