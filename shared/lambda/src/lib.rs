//! What every Lambda function shares: the [`App`] on the AWS adapters, built
//! from the environment the SAM template sets; JSON logs; and the event
//! handlers, kept here (not in the binaries) so tests can call them
//! in-process with real event payloads.

pub mod handlers;
pub mod metrics;

use std::collections::HashMap;
use std::sync::Arc;

use bc_aws::AwsAdapters;
use bc_core::{App, Config, SecretName, SystemClock};

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("configuration: {0}")]
    Config(String),
}

/// The one place the Lambda environment is read for the core: `PUBLIC_URL`
/// (the CloudFront site, for links), `INBOUND_PREFIX` (where SES stores raw
/// mail; default `inbound/`), `AUDIT_RETENTION_DAYS` (default 730). The
/// adapters read theirs in `bc_aws::AwsConfig`.
pub fn core_config_from_env() -> Config {
    let d = Config::default();
    Config {
        public_url: std::env::var("PUBLIC_URL").unwrap_or(d.public_url.clone()),
        inbound_prefix: std::env::var("INBOUND_PREFIX").unwrap_or(d.inbound_prefix.clone()),
        audit_retention_days: std::env::var("AUDIT_RETENTION_DAYS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(d.audit_retention_days),
        // SES writes the verdicts on every mail it stores: trusted until the
        // Settings say otherwise.
        default_trusted_authserv_ids: vec![bc_core::ingest::verdicts::SES_AUTHSERV_ID.to_string()],
        ..d
    }
}

/// The core on the AWS adapters, as every function runs it (and the
/// handler tests, with moto's adapters).
pub fn app_on(adapters: &AwsAdapters, config: Config) -> App {
    adapters.app(config, Arc::new(SystemClock))
}

/// The App as a deployed function runs it.
pub async fn app_from_env() -> Result<App, StartError> {
    app_from_env_with_secrets(HashMap::new()).await
}

/// The App with the secrets this function may read (their ARNs, from the
/// function's own environment), read once at start: a missing or
/// unreadable secret is logged now rather than discovered mid-request.
pub async fn app_from_env_with_secrets(arns: HashMap<SecretName, String>) -> Result<App, StartError> {
    let adapters = AwsAdapters::from_env().await.map_err(|e| StartError::Config(e.to_string()))?;
    let app = app_on(&adapters, core_config_from_env());
    if arns.is_empty() {
        return Ok(app);
    }
    let names: Vec<SecretName> = arns.keys().copied().collect();
    let client = aws_sdk_secretsmanager::Client::new(&adapters.sdk);
    let app = app.with_secrets(Arc::new(bc_aws::SecretsManagerSecrets::new(client, arns)));
    match app.check_secrets(&names).await {
        Ok(found) => {
            for (name, set) in found {
                tracing::info!(secret = name.as_str(), set, "secret read at start");
            }
        }
        Err(e) => tracing::error!(error = %e, "reading the secrets at start failed; features that need them will fail"),
    }
    Ok(app)
}

/// `(name, ARN)` pairs from environment values that are set and non-empty.
pub fn secret_arns(pairs: &[(SecretName, Option<String>)]) -> HashMap<SecretName, String> {
    pairs.iter().filter_map(|(n, v)| v.clone().filter(|v| !v.is_empty()).map(|v| (*n, v))).collect()
}

/// Structured logs to stdout (CloudWatch), through the Lambda runtime's own
/// subscriber: JSON when Lambda's log format is JSON (`AWS_LAMBDA_LOG_FORMAT`,
/// from the template's LoggingConfig), the level from
/// `AWS_LAMBDA_LOG_LEVEL`, else `RUST_LOG`. Each line carries the runtime's
/// span with the invocation's `requestId` (and `xrayTraceId`).
pub fn init_tracing() {
    lambda_runtime::tracing::init_default_subscriber();
}

/// The API router as deployed: HTTPS only (Secure cookie), the client
/// address from `X-Forwarded-For` as the `forwarded_for_hops` proxies in
/// front added it, no static files (CloudFront serves the frontend from S3).
pub fn api_router(app: App, forwarded_for_hops: usize) -> bc_http::Router {
    bc_http::router(app, bc_http::HttpOptions { cookie_secure: true, frontend_dir: None, forwarded_for_hops })
}
