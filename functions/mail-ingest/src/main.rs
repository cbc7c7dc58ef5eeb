//! `mail-ingest`: SQS messages carrying S3 ObjectCreated notifications for raw
//! mail that SES stored; each mail is ingested (stored, parsed, routed).

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use lambda_runtime::{Error, LambdaEvent, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    bc_lambda::init_tracing();
    let app = bc_lambda::app_from_env().await?;
    let app = &app;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<SqsEvent>| async move {
        Ok::<SqsBatchResponse, Error>(bc_lambda::handlers::mail_ingest(app, event.payload).await)
    }))
    .await
}
