//! The one place configuration is read: [`AwsConfig`] from environment
//! variables, and the SDK configuration built from it with our own HTTPS
//! client (rustls with the `ring` provider; the SDK's default client would
//! pull in aws-lc-rs).

use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, ConfigLoader, SdkConfig};
use aws_sdk_dynamodb::config::{Region, SharedHttpClient};
use aws_smithy_http_client::{Builder, tls};

/// What the AWS adapters need to know. Every field but the last two is a
/// required environment variable; the SAM template sets them.
///
/// | variable | field | meaning |
/// |---|---|---|
/// | `TABLE_NAME` | `table_name` | the single DynamoDB table |
/// | `MAIL_BUCKET` | `mail_bucket` | the S3 bucket for raw mail and derived blobs |
/// | `TASK_QUEUE_URL` | `task_queue_url` | the SQS task queue |
/// | `TASK_DLQ_URL` | `task_dlq_url` | its dead-letter queue (for the count only) |
/// | `MAIL_FROM` | `mail_from` | the verified SES sender address |
/// | `AWS_ENDPOINT_URL` | `endpoint_url` | optional; one endpoint for every service (moto, LocalStack) |
/// | `AWS_REGION` | `region` | optional here; the SDK's usual region chain applies when unset |
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwsConfig {
    pub table_name: String,
    pub mail_bucket: String,
    pub task_queue_url: String,
    pub task_dlq_url: String,
    pub mail_from: String,
    /// Set for emulators; S3 then uses path-style addressing.
    pub endpoint_url: Option<String>,
    pub region: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error("environment variable {0} is not set (or is empty)")]
    Missing(&'static str),
}

impl AwsConfig {
    /// Reads the variables in the table above from the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Like [`from_env`](Self::from_env), reading from any lookup (tests).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |name: &str| lookup(name).map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
        let required = |name: &'static str| get(name).ok_or(ConfigError::Missing(name));
        Ok(AwsConfig {
            table_name: required("TABLE_NAME")?,
            mail_bucket: required("MAIL_BUCKET")?,
            task_queue_url: required("TASK_QUEUE_URL")?,
            task_dlq_url: required("TASK_DLQ_URL")?,
            mail_from: required("MAIL_FROM")?,
            endpoint_url: get("AWS_ENDPOINT_URL"),
            region: get("AWS_REGION"),
        })
    }
}

/// An HTTPS (and plain HTTP, for emulators on loopback) client on rustls
/// with the `ring` crypto provider.
pub fn https_client() -> SharedHttpClient {
    Builder::new().tls_provider(tls::Provider::Rustls(tls::rustls_provider::CryptoMode::Ring)).build_https()
}

/// Attempts per SDK call (the first and two retries), with the standard
/// retry mode's exponential backoff and jitter on throttling, 5xx and
/// transient network errors.
pub const MAX_ATTEMPTS: u32 = 3;
/// Connecting (TCP + TLS) to an AWS endpoint; in-region this takes
/// milliseconds, so a hung connect is cut early and retried.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
/// One attempt, until the response headers: every call we make is small
/// (a mail of up to 50 MB streams its body after this).
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);
/// A whole call, retries included: under the api function's 29 s, so a
/// slow dependency ends as an error we log rather than a Lambda timeout.
pub const OPERATION_TIMEOUT: Duration = Duration::from_secs(25);

/// Our explicit retry policy (rather than whatever the SDK's default is).
pub fn retry_config() -> RetryConfig {
    RetryConfig::standard().with_max_attempts(MAX_ATTEMPTS)
}

/// Our explicit timeouts; the SDK's default sets none but connect.
pub fn timeout_config() -> TimeoutConfig {
    TimeoutConfig::builder()
        .connect_timeout(CONNECT_TIMEOUT)
        .operation_attempt_timeout(ATTEMPT_TIMEOUT)
        .operation_timeout(OPERATION_TIMEOUT)
        .build()
}

/// The SDK's default loader (credentials, region and endpoint chains as
/// usual) with our HTTP client, retry policy and timeouts, and `region` /
/// `endpoint_url` applied when given. Add test credentials or other
/// settings before `load()`.
pub fn sdk_config_loader(cfg: &AwsConfig) -> ConfigLoader {
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .http_client(https_client())
        .retry_config(retry_config())
        .timeout_config(timeout_config());
    if let Some(region) = &cfg.region {
        loader = loader.region(Region::new(region.clone()));
    }
    if let Some(endpoint) = &cfg.endpoint_url {
        loader = loader.endpoint_url(endpoint.clone());
    }
    loader
}

pub async fn load_sdk_config(cfg: &AwsConfig) -> SdkConfig {
    sdk_config_loader(cfg).load().await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_variable_and_names_the_missing_one() {
        let env = |name: &str| match name {
            "TABLE_NAME" => Some("t".to_string()),
            "MAIL_BUCKET" => Some("b".to_string()),
            "TASK_QUEUE_URL" => Some("q".to_string()),
            "TASK_DLQ_URL" => Some("d".to_string()),
            "MAIL_FROM" => Some("f@example.com".to_string()),
            "AWS_ENDPOINT_URL" => Some(" ".to_string()),
            _ => None,
        };
        let cfg = AwsConfig::from_lookup(env).expect("complete");
        assert_eq!(cfg.table_name, "t");
        assert_eq!(cfg.endpoint_url, None, "blank counts as unset");
        assert_eq!(cfg.region, None);
        let missing = AwsConfig::from_lookup(|n| if n == "MAIL_FROM" { None } else { env(n) });
        assert_eq!(missing, Err(ConfigError::Missing("MAIL_FROM")));
    }

    #[tokio::test]
    async fn the_sdk_gets_explicit_timeouts_and_retries() {
        let cfg = AwsConfig::from_lookup(|n| match n {
            "AWS_REGION" => Some("eu-west-1".into()),
            "AWS_ENDPOINT_URL" => Some("http://127.0.0.1:1".into()),
            other => Some(format!("{other}-value")),
        })
        .unwrap();
        let sdk = sdk_config_loader(&cfg).load().await;
        let retry = sdk.retry_config().expect("retry config");
        assert_eq!(retry.max_attempts(), MAX_ATTEMPTS);
        assert_eq!(retry.mode(), aws_config::retry::RetryMode::Standard);
        let t = sdk.timeout_config().expect("timeout config");
        assert_eq!(t.connect_timeout(), Some(CONNECT_TIMEOUT));
        assert_eq!(t.operation_attempt_timeout(), Some(ATTEMPT_TIMEOUT));
        assert_eq!(t.operation_timeout(), Some(OPERATION_TIMEOUT));
        assert!(OPERATION_TIMEOUT < Duration::from_secs(29), "under the api function's timeout");
    }
}
