//! How many DynamoDB requests one ingested mail costs, measured on the AWS
//! adapters against moto with `DynamoStore::request_count()`. The figures
//! are in docs/data-model.md; this test keeps them true.
#![cfg(feature = "aws")]

use bc_api_types::Status;
use bc_core::Actor;
use bc_tests::Runtime;
use bc_tests::mails::VeeamMail;

#[tokio::test]
async fn requests_per_ingested_mail() {
    let rt = Runtime::aws("requests").await;
    let aws = rt.aws.clone().expect("aws");
    let app = &rt.app;
    let count = || aws.store.request_count();
    let customer = app.create_customer(&Actor::system(), "Acme").await.expect("customer");
    // Each function instance reads the keyword rules once a minute; warm
    // that cache so the counts below are per mail.
    app.ingest_bytes(bc_tests::mails::newsletter(0)).await.expect("warm-up");

    // A mail of a job nobody approved yet: it goes to the Inbox.
    let before = count();
    let first =
        app.ingest_bytes(VeeamMail::new("v@a.example.com", "Daily", Status::Success, 1).eml()).await.expect("ingest");
    let to_inbox = count() - before;
    app.approve(&Actor::system(), &first.mail.id, &customer.id).await.expect("approve");

    // A mail of an approved job: it becomes a run.
    let before = count();
    let out =
        app.ingest_bytes(VeeamMail::new("v@a.example.com", "Daily", Status::Failed, 2).eml()).await.expect("ingest");
    assert!(out.run.is_some());
    let to_run = count() - before;

    // The same mail delivered again.
    let before = count();
    let again =
        app.ingest_bytes(VeeamMail::new("v@a.example.com", "Daily", Status::Failed, 2).eml()).await.expect("ingest");
    assert!(again.duplicate);
    let duplicate = count() - before;

    println!("DynamoDB requests per ingested mail: to the Inbox {to_inbox}, to a run {to_run}, duplicate {duplicate}");
    // get_mail, insert_mail, get_job, update_mail
    assert_eq!(to_inbox, 4);
    // get_mail, insert_mail, get_job, TransactWriteItems (run + job + mail)
    assert_eq!(to_run, 4);
    assert_eq!(duplicate, 1);
}
