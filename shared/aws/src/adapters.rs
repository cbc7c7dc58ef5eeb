//! All four AWS adapters, built from one [`AwsConfig`].

use std::sync::Arc;

use aws_config::SdkConfig;

use crate::config::{AwsConfig, ConfigError, load_sdk_config};
use crate::{DynamoStore, S3Blobs, SesMailer, SqsQueue};

/// The adapters a Lambda function plugs into the core.
#[derive(Clone)]
pub struct AwsAdapters {
    pub store: Arc<DynamoStore>,
    pub blobs: Arc<S3Blobs>,
    pub queue: Arc<SqsQueue>,
    pub mailer: Arc<SesMailer>,
    pub config: AwsConfig,
    /// The SDK configuration the adapters were built on, for further clients.
    pub sdk: SdkConfig,
}

impl AwsAdapters {
    /// Reads [`AwsConfig::from_env`] and builds the adapters.
    pub async fn from_env() -> Result<Self, ConfigError> {
        Ok(Self::new(AwsConfig::from_env()?).await)
    }

    /// Loads the SDK configuration (credentials, region, endpoint) and builds
    /// the adapters.
    pub async fn new(cfg: AwsConfig) -> Self {
        let sdk = load_sdk_config(&cfg).await;
        Self::with_sdk_config(&sdk, cfg)
    }

    /// Builds the adapters on an SDK configuration loaded elsewhere (tests
    /// add static credentials to it).
    pub fn with_sdk_config(sdk: &SdkConfig, cfg: AwsConfig) -> Self {
        // An endpoint override means an emulator, which wants path-style S3.
        let path_style = cfg.endpoint_url.is_some() || sdk.endpoint_url().is_some();
        AwsAdapters {
            store: Arc::new(DynamoStore::new(aws_sdk_dynamodb::Client::new(sdk), &cfg.table_name)),
            blobs: Arc::new(S3Blobs::new(s3_client(sdk, path_style), &cfg.mail_bucket)),
            queue: Arc::new(SqsQueue::new(aws_sdk_sqs::Client::new(sdk), &cfg.task_queue_url, &cfg.task_dlq_url)),
            mailer: Arc::new(SesMailer::new(aws_sdk_sesv2::Client::new(sdk), &cfg.mail_from)),
            config: cfg,
            sdk: sdk.clone(),
        }
    }
}

impl AwsAdapters {
    /// The one place the core is built on the AWS adapters: the Lambda
    /// functions (through `bc_lambda`) and the tests use this.
    pub fn app(&self, config: bc_core::Config, clock: Arc<dyn bc_core::Clock>) -> bc_core::App {
        bc_core::App::new(
            self.store.clone(),
            self.blobs.clone(),
            self.queue.clone(),
            self.mailer.clone(),
            clock,
            config,
        )
        .with_webhooks(Arc::new(bc_webhooks::HttpWebhooks::new()))
        .with_platforms(Arc::new(bc_platforms::HttpPlatforms::new()))
    }
}

/// An S3 client; path-style addressing when an endpoint override is set.
pub(crate) fn s3_client(sdk: &SdkConfig, path_style: bool) -> aws_sdk_s3::Client {
    let conf = aws_sdk_s3::config::Builder::from(sdk).force_path_style(path_style).build();
    aws_sdk_s3::Client::from_conf(conf)
}
