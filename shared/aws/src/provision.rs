//! Creates what the adapters need: the table (keys, GSIs, TTL), the bucket,
//! the task queue with its dead-letter queue, and the SES sender identity.
//! For tests against moto and for local development; production resources
//! come from the SAM template, which must match `docs/data-model.md` and this
//! file. Every step is idempotent: what exists already is left as it is
//! (the queue's RedrivePolicy is re-applied).

use std::time::Duration;

use aws_config::SdkConfig;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, IndexStatus, KeySchemaElement, KeyType, Projection,
    ProjectionType, ScalarAttributeType, TableStatus, TimeToLiveSpecification, TimeToLiveStatus,
};
use aws_sdk_s3::types::{BucketLocationConstraint, CreateBucketConfiguration};
use aws_sdk_sqs::types::QueueAttributeName;
use aws_smithy_types::error::display::DisplayErrorContext;

use crate::adapters::s3_client;
use crate::config::AwsConfig;
use crate::dynamo::schema::{Index, PK, SK, TTL};

/// How often a message is received before SQS moves it to the dead-letter queue.
pub const MAX_RECEIVE_COUNT: u32 = 5;
/// The task queue's visibility timeout when this module creates it.
pub const VISIBILITY_TIMEOUT_SECS: u32 = 30;
/// How long to wait for a new table and its indexes to become ACTIVE.
const TABLE_WAIT: Duration = Duration::from_secs(300);

#[derive(Debug, thiserror::Error)]
#[error("provisioning {step} failed: {message}")]
pub struct ProvisionError {
    pub step: String,
    pub message: String,
}

fn fail(step: &str, err: impl std::error::Error) -> ProvisionError {
    ProvisionError { step: step.to_string(), message: DisplayErrorContext(err).to_string() }
}

fn fail_msg(step: &str, message: impl Into<String>) -> ProvisionError {
    ProvisionError { step: step.to_string(), message: message.into() }
}

/// The names of the resources to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Names {
    pub table: String,
    pub bucket: String,
    pub queue: String,
    pub dead_letter_queue: String,
    pub mail_from: String,
}

impl Names {
    /// `{prefix}-table`, `{prefix}-mail`, `{prefix}-tasks`, `{prefix}-tasks-dlq`
    /// and `backupchecks@{prefix}.example.com`. The prefix should be lower
    /// case letters, digits and dashes (S3's rules).
    pub fn with_prefix(prefix: &str) -> Self {
        Names {
            table: format!("{prefix}-table"),
            bucket: format!("{prefix}-mail"),
            queue: format!("{prefix}-tasks"),
            dead_letter_queue: format!("{prefix}-tasks-dlq"),
            mail_from: format!("backupchecks@{prefix}.example.com"),
        }
    }
}

/// Creates everything and returns the configuration that points at it.
pub async fn provision(sdk: &SdkConfig, names: &Names) -> Result<AwsConfig, ProvisionError> {
    let endpoint_url = sdk.endpoint_url().map(str::to_string);
    ensure_table(&aws_sdk_dynamodb::Client::new(sdk), &names.table).await?;
    ensure_bucket(&s3_client(sdk, endpoint_url.is_some()), &names.bucket, sdk.region().map(|r| r.as_ref())).await?;
    let (queue_url, dlq_url) =
        ensure_queues(&aws_sdk_sqs::Client::new(sdk), &names.queue, &names.dead_letter_queue).await?;
    ensure_email_identity(&aws_sdk_sesv2::Client::new(sdk), &names.mail_from).await?;
    Ok(AwsConfig {
        table_name: names.table.clone(),
        mail_bucket: names.bucket.clone(),
        task_queue_url: queue_url,
        task_dlq_url: dlq_url,
        mail_from: names.mail_from.clone(),
        endpoint_url,
        region: sdk.region().map(|r| r.to_string()),
    })
}

fn key(name: &str, kind: KeyType) -> Result<KeySchemaElement, ProvisionError> {
    KeySchemaElement::builder().attribute_name(name).key_type(kind).build().map_err(|e| fail("table", e))
}

fn string_attribute(name: &str) -> Result<AttributeDefinition, ProvisionError> {
    AttributeDefinition::builder()
        .attribute_name(name)
        .attribute_type(ScalarAttributeType::S)
        .build()
        .map_err(|e| fail("table", e))
}

/// The table of `docs/data-model.md`: `pk`/`sk` (strings), GSIs `gsi1`..`gsi3`
/// on `gsiNpk`/`gsiNsk` projecting all attributes, on-demand billing, TTL on `ttl`.
pub async fn ensure_table(client: &aws_sdk_dynamodb::Client, table: &str) -> Result<(), ProvisionError> {
    let mut attributes = vec![string_attribute(PK)?, string_attribute(SK)?];
    let mut indexes = Vec::new();
    for index in Index::ALL {
        attributes.push(string_attribute(index.pk())?);
        attributes.push(string_attribute(index.sk())?);
        indexes.push(
            GlobalSecondaryIndex::builder()
                .index_name(index.name())
                .key_schema(key(index.pk(), KeyType::Hash)?)
                .key_schema(key(index.sk(), KeyType::Range)?)
                .projection(Projection::builder().projection_type(ProjectionType::All).build())
                .build()
                .map_err(|e| fail("table", e))?,
        );
    }
    let created = client
        .create_table()
        .table_name(table)
        .set_attribute_definitions(Some(attributes))
        .key_schema(key(PK, KeyType::Hash)?)
        .key_schema(key(SK, KeyType::Range)?)
        .set_global_secondary_indexes(Some(indexes))
        .billing_mode(BillingMode::PayPerRequest)
        .send()
        .await;
    match created {
        Ok(_) => {}
        Err(e) if e.as_service_error().is_some_and(|x| x.is_resource_in_use_exception()) => {}
        Err(e) => return Err(fail("table (CreateTable)", e)),
    }
    wait_for_table(client, table).await?;
    let ttl = client
        .describe_time_to_live()
        .table_name(table)
        .send()
        .await
        .map_err(|e| fail("table (DescribeTimeToLive)", e))?;
    let enabled = ttl
        .time_to_live_description()
        .and_then(|d| d.time_to_live_status())
        .is_some_and(|s| matches!(s, TimeToLiveStatus::Enabled | TimeToLiveStatus::Enabling));
    if !enabled {
        let spec = TimeToLiveSpecification::builder()
            .attribute_name(TTL)
            .enabled(true)
            .build()
            .map_err(|e| fail("table", e))?;
        client
            .update_time_to_live()
            .table_name(table)
            .time_to_live_specification(spec)
            .send()
            .await
            .map_err(|e| fail("table (UpdateTimeToLive)", e))?;
    }
    Ok(())
}

async fn wait_for_table(client: &aws_sdk_dynamodb::Client, table: &str) -> Result<(), ProvisionError> {
    let started = std::time::Instant::now();
    loop {
        let out =
            client.describe_table().table_name(table).send().await.map_err(|e| fail("table (DescribeTable)", e))?;
        let desc = out.table();
        let table_active = desc.and_then(|t| t.table_status()) == Some(&TableStatus::Active);
        let indexes_active = desc
            .map(|t| t.global_secondary_indexes())
            .unwrap_or_default()
            .iter()
            .all(|i| i.index_status().is_none_or(|s| *s == IndexStatus::Active));
        if table_active && indexes_active {
            return Ok(());
        }
        if started.elapsed() > TABLE_WAIT {
            return Err(fail_msg("table", format!("{table} not ACTIVE after {TABLE_WAIT:?}")));
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

pub async fn ensure_bucket(
    client: &aws_sdk_s3::Client,
    bucket: &str,
    region: Option<&str>,
) -> Result<(), ProvisionError> {
    if client.head_bucket().bucket(bucket).send().await.is_ok() {
        return Ok(());
    }
    let mut create = client.create_bucket().bucket(bucket);
    // us-east-1 is the one region that takes no location constraint.
    if let Some(region) = region.filter(|r| *r != "us-east-1") {
        create = create.create_bucket_configuration(
            CreateBucketConfiguration::builder().location_constraint(BucketLocationConstraint::from(region)).build(),
        );
    }
    match create.send().await {
        Ok(_) => Ok(()),
        Err(e) if e.as_service_error().is_some_and(|x| x.is_bucket_already_owned_by_you()) => Ok(()),
        Err(e) => Err(fail("bucket (CreateBucket)", e)),
    }
}

/// Creates (or finds) the dead-letter queue and the task queue, and sets the
/// task queue's RedrivePolicy. Returns (task queue URL, dead-letter queue URL).
pub async fn ensure_queues(
    client: &aws_sdk_sqs::Client,
    queue: &str,
    dead_letter_queue: &str,
) -> Result<(String, String), ProvisionError> {
    let dlq_url = ensure_queue(client, dead_letter_queue, &[]).await?;
    let dlq_arn = client
        .get_queue_attributes()
        .queue_url(&dlq_url)
        .attribute_names(QueueAttributeName::QueueArn)
        .send()
        .await
        .map_err(|e| fail("queue (GetQueueAttributes)", e))?
        .attributes()
        .and_then(|a| a.get(&QueueAttributeName::QueueArn))
        .cloned()
        .ok_or_else(|| fail_msg("queue", "the dead-letter queue has no ARN"))?;
    let redrive = serde_json::json!({
        "deadLetterTargetArn": dlq_arn,
        "maxReceiveCount": MAX_RECEIVE_COUNT.to_string(),
    })
    .to_string();
    let attributes = [
        (QueueAttributeName::RedrivePolicy, redrive),
        (QueueAttributeName::VisibilityTimeout, VISIBILITY_TIMEOUT_SECS.to_string()),
    ];
    let url = ensure_queue(client, queue, &attributes).await?;
    Ok((url, dlq_url))
}

async fn ensure_queue(
    client: &aws_sdk_sqs::Client,
    name: &str,
    attributes: &[(QueueAttributeName, String)],
) -> Result<String, ProvisionError> {
    let existing = client.get_queue_url().queue_name(name).send().await;
    let url = match existing {
        Ok(out) => {
            let url = out.queue_url().ok_or_else(|| fail_msg("queue", "GetQueueUrl without a URL"))?.to_string();
            if !attributes.is_empty() {
                client
                    .set_queue_attributes()
                    .queue_url(&url)
                    .set_attributes(Some(attributes.iter().cloned().collect()))
                    .send()
                    .await
                    .map_err(|e| fail("queue (SetQueueAttributes)", e))?;
            }
            url
        }
        Err(e) if e.as_service_error().is_some_and(|x| x.is_queue_does_not_exist()) => client
            .create_queue()
            .queue_name(name)
            .set_attributes((!attributes.is_empty()).then(|| attributes.iter().cloned().collect()))
            .send()
            .await
            .map_err(|e| fail("queue (CreateQueue)", e))?
            .queue_url()
            .ok_or_else(|| fail_msg("queue", "CreateQueue without a URL"))?
            .to_string(),
        Err(e) => return Err(fail("queue (GetQueueUrl)", e)),
    };
    Ok(url)
}

/// Starts verification of the sender address (on moto: verifies it at once).
pub async fn ensure_email_identity(client: &aws_sdk_sesv2::Client, address: &str) -> Result<(), ProvisionError> {
    match client.create_email_identity().email_identity(address).send().await {
        Ok(_) => Ok(()),
        Err(e) if e.as_service_error().is_some_and(|x| x.is_already_exists_exception()) => Ok(()),
        Err(e) => Err(fail("SES identity (CreateEmailIdentity)", e)),
    }
}
