use bc_core::ports::{Mailer, OutboundMail};

use crate::fixtures::adapters;

#[tokio::test]
async fn sends_from_the_verified_address() {
    let adapters = adapters("mailer").await;
    let mail = OutboundMail {
        to: vec!["ops@msp.example".into()],
        subject: "3 failed backups".into(),
        text: "Acme: Daily failed".into(),
        html: Some("<p>Acme: Daily failed</p>".into()),
    };
    let id = adapters.mailer.send(&mail).await.expect("send");
    let endpoint = bc_aws::testing::moto_endpoint().expect("moto");
    let sent = bc_aws::testing::sent_emails(&endpoint).await.expect("moto's record");
    let ours = sent.iter().find(|m| m.id == id).expect("recorded");
    assert_eq!(ours.source, adapters.config.mail_from);
    assert_eq!(ours.subject, "3 failed backups");
    assert_eq!(ours.destinations.get("ToAddresses"), Some(&vec!["ops@msp.example".to_string()]));

    let text_only = OutboundMail { html: None, ..mail };
    assert!(!adapters.mailer.send(&text_only).await.expect("send").is_empty());
    let nobody = OutboundMail { to: vec![], ..text_only };
    assert!(adapters.mailer.send(&nobody).await.is_err());
}
