//! `api`: the axum router of `/api/v1` behind API Gateway (HTTP API).

use lambda_http::Error;

#[tokio::main]
async fn main() -> Result<(), Error> {
    bc_lambda::init_tracing();
    let app = bc_lambda::app_from_env().await?;
    let router = bc_lambda::api_router(app);
    lambda_http::run(router).await
}
