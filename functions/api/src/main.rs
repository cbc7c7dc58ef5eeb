//! `api`: the axum router of `/api/v1` behind API Gateway (HTTP API).

use lambda_http::Error;

#[tokio::main]
async fn main() -> Result<(), Error> {
    bc_lambda::init_tracing();
    let app = bc_lambda::app_from_env().await?;
    // CloudFront and API Gateway each append to X-Forwarded-For (the template sets 2).
    let hops = std::env::var("FORWARDED_FOR_HOPS").ok().and_then(|v| v.parse().ok()).unwrap_or(2);
    let router = bc_lambda::api_router(app, hops);
    lambda_http::run(router).await
}
