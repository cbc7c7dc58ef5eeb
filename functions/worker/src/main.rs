//! `worker`: runs queued tasks from SQS, reporting partial batch failures.

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use lambda_runtime::{Error, LambdaEvent, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    bc_lambda::init_tracing();
    let arns = bc_lambda::secret_arns(&[
        (bc_core::SecretName::Autotask, std::env::var("AUTOTASK_SECRET_ARN").ok()),
        (bc_core::SecretName::Platforms, std::env::var("PLATFORMS_SECRET_ARN").ok()),
    ]);
    let app = bc_lambda::app_from_env_with_secrets(arns).await?;
    // Autotask calls share one hourly request budget across every function instance.
    let psa = bc_autotask::AutotaskPsa::shared(None, app.store.clone());
    let app = app.with_psa(std::sync::Arc::new(psa));
    let app = &app;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<SqsEvent>| async move {
        Ok::<SqsBatchResponse, Error>(bc_lambda::handlers::worker(app, event.payload).await)
    }))
    .await
}
