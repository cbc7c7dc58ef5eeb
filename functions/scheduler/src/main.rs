//! `scheduler`: the one-minute EventBridge tick; also takes the operator's
//! one-off `{"admin_command": "bootstrap-admin"}` (see docs/deploy.md).

use lambda_runtime::{Error, LambdaEvent, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    bc_lambda::init_tracing();
    let app = bc_lambda::app_from_env().await?;
    let app = &app;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<serde_json::Value>| async move {
        bc_lambda::handlers::scheduler_invocation(app, &event.payload).await.map_err(Error::from)
    }))
    .await
}
