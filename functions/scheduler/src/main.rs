//! `scheduler`: the one-minute EventBridge tick.

use lambda_runtime::{Error, LambdaEvent, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    bc_lambda::init_tracing();
    let app = bc_lambda::app_from_env().await?;
    let app = &app;
    lambda_runtime::run(service_fn(move |_event: LambdaEvent<serde_json::Value>| async move {
        bc_lambda::handlers::scheduler(app).await.map(|_| ()).map_err(Error::from)
    }))
    .await
}
