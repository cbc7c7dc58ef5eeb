//! The one place configuration is read: [`AwsConfig`] from environment
//! variables, and the SDK configuration built from it with our own HTTPS
//! client (rustls with the `ring` provider; the SDK's default client would
//! pull in aws-lc-rs).

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

/// The SDK's default loader (credentials, region and endpoint chains as
/// usual) with our HTTP client, and `region` / `endpoint_url` applied when
/// given. Add test credentials or other settings before `load()`.
pub fn sdk_config_loader(cfg: &AwsConfig) -> ConfigLoader {
    let mut loader = aws_config::defaults(BehaviorVersion::latest()).http_client(https_client());
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
}
