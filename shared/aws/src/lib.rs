//! The AWS adapters of the `bc-core` ports: [`DynamoStore`] (every repository
//! of `Store`, one DynamoDB table), [`S3Blobs`] (one bucket), [`SqsQueue`] (a
//! task queue with a dead-letter queue), [`SesMailer`] (SES v2) and
//! [`SecretsManagerSecrets`] (Secrets Manager).
//!
//! Configuration comes from one place, [`AwsConfig`] (environment variables);
//! [`AwsAdapters`] builds all four adapters from it. The table layout and every
//! access pattern are written down in `docs/data-model.md`; [`provision`]
//! creates the resources for tests and local development.

mod adapters;
mod blobs;
mod config;
pub mod dynamo;
mod error;
mod mailer;
pub mod provision;
mod queue;
mod secrets;
#[cfg(feature = "testing")]
pub mod testing;

pub use adapters::AwsAdapters;
pub use blobs::S3Blobs;
pub use config::{AwsConfig, ConfigError, https_client, load_sdk_config, sdk_config_loader};
pub use dynamo::DynamoStore;
pub use mailer::SesMailer;
pub use queue::SqsQueue;
pub use secrets::{SecretsManagerSecrets, is_placeholder};

/// The SDK configuration type every adapter is built from.
pub use aws_config::SdkConfig;
