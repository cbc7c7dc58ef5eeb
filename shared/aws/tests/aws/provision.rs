use aws_sdk_dynamodb::types::TimeToLiveStatus;
use aws_sdk_sqs::types::QueueAttributeName;
use bc_aws::provision::{MAX_RECEIVE_COUNT, Names, provision};
use bc_aws::testing::{moto_endpoint, sdk_config, unique_prefix};

#[tokio::test]
async fn provisioning_twice_is_fine_and_builds_the_documented_table() {
    let sdk = sdk_config(&moto_endpoint().expect("moto")).await;
    let names = Names::with_prefix(&unique_prefix("provision"));
    let first = provision(&sdk, &names).await.expect("first");
    let second = provision(&sdk, &names).await.expect("second");
    assert_eq!(first, second);
    assert_eq!(first.table_name, names.table);
    assert!(first.endpoint_url.is_some());

    let dynamo = aws_sdk_dynamodb::Client::new(&sdk);
    let table = dynamo.describe_table().table_name(&names.table).send().await.expect("describe");
    let table = table.table().expect("table");
    let mut indexes: Vec<String> =
        table.global_secondary_indexes().iter().filter_map(|i| i.index_name().map(str::to_string)).collect();
    indexes.sort();
    assert_eq!(indexes, ["gsi1", "gsi2", "gsi3"]);
    let ttl = dynamo.describe_time_to_live().table_name(&names.table).send().await.expect("ttl");
    let ttl = ttl.time_to_live_description().expect("ttl description");
    assert_eq!(ttl.attribute_name(), Some("ttl"));
    assert_eq!(ttl.time_to_live_status(), Some(&TimeToLiveStatus::Enabled));

    let sqs = aws_sdk_sqs::Client::new(&sdk);
    let attrs = sqs
        .get_queue_attributes()
        .queue_url(&first.task_queue_url)
        .attribute_names(QueueAttributeName::RedrivePolicy)
        .send()
        .await
        .expect("attributes");
    let redrive = attrs.attributes().and_then(|a| a.get(&QueueAttributeName::RedrivePolicy)).expect("redrive");
    let redrive: serde_json::Value = serde_json::from_str(redrive).expect("json");
    assert_eq!(redrive["maxReceiveCount"].to_string().trim_matches('"'), MAX_RECEIVE_COUNT.to_string());
    assert!(redrive["deadLetterTargetArn"].as_str().is_some_and(|a| a.ends_with(&names.dead_letter_queue)));
}

#[tokio::test]
async fn adapters_built_from_an_aws_config_reach_the_resources() {
    use bc_aws::{AwsAdapters, AwsConfig, sdk_config_loader};
    use bc_core::ports::Blobs;
    use bc_core::repos::SettingsRepo;

    let endpoint = moto_endpoint().expect("moto");
    let provisioned = provision(&sdk_config(&endpoint).await, &Names::with_prefix(&unique_prefix("config")))
        .await
        .expect("provision");
    // What a Lambda function reads from its environment.
    let env = |name: &str| match name {
        "TABLE_NAME" => Some(provisioned.table_name.clone()),
        "MAIL_BUCKET" => Some(provisioned.mail_bucket.clone()),
        "TASK_QUEUE_URL" => Some(provisioned.task_queue_url.clone()),
        "TASK_DLQ_URL" => Some(provisioned.task_dlq_url.clone()),
        "MAIL_FROM" => Some(provisioned.mail_from.clone()),
        "AWS_ENDPOINT_URL" => Some(endpoint.clone()),
        "AWS_REGION" => Some("us-east-1".into()),
        _ => None,
    };
    let cfg = AwsConfig::from_lookup(env).expect("config");
    let sdk = sdk_config_loader(&cfg)
        .credentials_provider(aws_sdk_dynamodb::config::Credentials::new("test", "test", None, None, "test"))
        .load()
        .await;
    let adapters = AwsAdapters::with_sdk_config(&sdk, cfg);
    adapters.store.put_setting("k", "v").await.expect("put");
    assert_eq!(adapters.store.get_setting("k").await.expect("get").as_deref(), Some("v"));
    adapters.blobs.put("a/b c", b"x".to_vec(), "text/plain").await.expect("path-style put");
    assert_eq!(adapters.blobs.get("a/b c").await.expect("get").as_deref(), Some(&b"x"[..]));
}
