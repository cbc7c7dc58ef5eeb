//! `api`: the axum router of `/api/v1` behind API Gateway (HTTP API).

use bc_core::SecretName;
use lambda_http::Error;

#[tokio::main]
async fn main() -> Result<(), Error> {
    bc_lambda::init_tracing();
    let arns = bc_lambda::secret_arns(&[
        (SecretName::Autotask, std::env::var("AUTOTASK_SECRET_ARN").ok()),
        (SecretName::Storage, std::env::var("STORAGE_SECRET_ARN").ok()),
        (SecretName::Platforms, std::env::var("PLATFORMS_SECRET_ARN").ok()),
    ]);
    let app = bc_lambda::app_from_env_with_secrets(arns).await?;
    // Autotask calls share one hourly request budget across every function instance.
    let psa = bc_autotask::AutotaskPsa::shared(None, app.store.clone());
    let app = app.with_psa(std::sync::Arc::new(psa));
    // CloudFront and API Gateway each append to X-Forwarded-For (the template sets 2).
    let hops = std::env::var("FORWARDED_FOR_HOPS").ok().and_then(|v| v.parse().ok()).unwrap_or(2);
    let router = bc_lambda::api_router(app, hops);
    // Only requests through CloudFront (which adds X-Origin-Verify); see bc_http::origin.
    let router = bc_http::origin::require_origin_secret(router, std::env::var("ORIGIN_VERIFY_SECRET").ok());
    lambda_http::run(router).await
}
