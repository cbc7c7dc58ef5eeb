//! Every function's handler, in-process, as it runs after `sam deploy`: with
//! the environment the SAM template gives it, on DynamoDB, S3, SQS and SES v2
//! served by moto, fed the event payloads AWS sends:
//!
//! - `mail-ingest`: the S3 `ObjectCreated` notification that SES's write
//!   causes, delivered by S3 itself (moto, configured with the template's
//!   notification filter) to the ingest queue and taken from there as the
//!   SQS event source would;
//! - `worker`: SQS events carrying tasks the core queued;
//! - `scheduler`: the EventBridge Scheduler payload of the template's tick;
//! - `api`: API Gateway HTTP API (payload 2.0) requests as CloudFront
//!   forwards them, through `lambda_http`'s adapter, as `lambda_http::run` does.
//!
//! Every AWS call a handler makes (and the event source's polling) goes
//! through SDK clients that record it; each call must be allowed by that
//! function's role in the template. So the policies are not only narrow
//! (tests/tests/template.rs) but also enough.

#![cfg(feature = "aws")]

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextRef;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use bc_api_types::{MailState, Role, Status};
use bc_aws::{AwsConfig, DynamoStore, S3Blobs, SdkConfig, SesMailer, SqsQueue};
use bc_core::model::{Mail, Session};
use bc_core::ports::{Blobs, OutboundMail};
use bc_core::repos::SessionRepo;
use bc_core::tasks::task::Task;
use bc_core::{App, Config, SystemClock};
use bc_tests::mails::{VeeamMail, newsletter};
use lambda_http::tower::ServiceExt;
use serde_json::{Value, json};

const ACCOUNT: &str = "123456789012";
const REGION: &str = "us-east-1";
const CLOUDFRONT_DOMAIN: &str = "d111111abcdef8.cloudfront.net";
const API_ID: &str = "a1b2c3d4e5";

// ------------------------------------------------------------------ the template

use bc_tests::cfn::template;

/// The deployed names of the template's resources: what `Ref` and
/// `Fn::GetAtt` resolve to in this test's moto "account".
struct Stack {
    template: Value,
    cfg: AwsConfig,
    ingest_queue_url: String,
    ingest_dlq_url: String,
}

fn queue_name(url: &str) -> &str {
    url.rsplit('/').next().expect("queue name")
}

fn sqs_arn(name: &str) -> String {
    format!("arn:aws:sqs:{REGION}:{ACCOUNT}:{name}")
}

impl Stack {
    fn queue_url(&self, logical: &str) -> Option<&str> {
        Some(match logical {
            "TaskQueue" => &self.cfg.task_queue_url,
            "TaskDLQ" => &self.cfg.task_dlq_url,
            "MailIngestQueue" => &self.ingest_queue_url,
            "MailIngestDLQ" => &self.ingest_dlq_url,
            _ => return None,
        })
    }

    fn reference(&self, name: &str) -> String {
        match name {
            "AWS::Partition" => "aws".into(),
            "AWS::Region" => REGION.into(),
            "AWS::AccountId" => ACCOUNT.into(),
            "AWS::StackName" => "backupchecks".into(),
            "Table" => self.cfg.table_name.clone(),
            "MailBucket" => self.cfg.mail_bucket.clone(),
            "MailFrom" => self.cfg.mail_from.clone(),
            "LogLevel" => "info".into(),
            "AutotaskSecret" | "StorageSecret" | "PlatformsSecret" => {
                format!("arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:backupchecks/{name}-AbCdEf")
            }
            other => match self.queue_url(other) {
                Some(url) => url.to_string(),
                // Other parameters as deployed with their defaults.
                None => match &self.template["Parameters"][other]["Default"] {
                    Value::String(v) => v.clone(),
                    Value::Number(n) => n.to_string(),
                    _ => format!("<unresolved Ref {other}>"),
                },
            },
        }
    }

    fn attribute(&self, name: &str, attr: &str) -> String {
        match (name, attr) {
            ("Table", "Arn") => format!("arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{}", self.cfg.table_name),
            ("MailBucket", "Arn") => format!("arn:aws:s3:::{}", self.cfg.mail_bucket),
            ("SecretsKey", "Arn") => format!("arn:aws:kms:{REGION}:{ACCOUNT}:key/00000000-test"),
            ("Distribution", "DomainName") => CLOUDFRONT_DOMAIN.into(),
            (log, "Arn") if log.ends_with("LogGroup") => {
                format!("arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/backupchecks/test/{log}:*")
            }
            (q, "Arn") if self.queue_url(q).is_some() => sqs_arn(queue_name(self.queue_url(q).unwrap())),
            (q, "QueueName") if self.queue_url(q).is_some() => queue_name(self.queue_url(q).unwrap()).to_string(),
            (f, "Arn") if f.ends_with("Function") => format!("arn:aws:lambda:{REGION}:{ACCOUNT}:function:{f}"),
            (other, attr) => format!("<unresolved {other}.{attr}>"),
        }
    }

    /// A template expression as a string (conditions evaluate to false:
    /// no custom domain, a new receipt rule set).
    fn render(&self, v: &Value) -> String {
        match v {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            Value::Bool(b) => b.to_string(),
            Value::Object(m) if m.len() == 1 => {
                let (f, arg) = m.iter().next().unwrap();
                match f.as_str() {
                    "Ref" => self.reference(arg.as_str().expect("Ref name")),
                    "Fn::GetAtt" => self.attribute(arg[0].as_str().unwrap(), arg[1].as_str().unwrap()),
                    "Fn::If" => self.render(&arg[2]),
                    "Fn::Sub" => {
                        let (text, vars) = match arg {
                            Value::String(s) => (s.clone(), serde_json::Map::new()),
                            Value::Array(a) => (a[0].as_str().unwrap().to_string(), a[1].as_object().unwrap().clone()),
                            _ => panic!("Fn::Sub {arg}"),
                        };
                        let mut out = String::new();
                        let mut rest = text.as_str();
                        while let Some(i) = rest.find("${") {
                            out.push_str(&rest[..i]);
                            let end = rest[i..].find('}').expect("closing }") + i;
                            let name = &rest[i + 2..end];
                            out.push_str(&match vars.get(name) {
                                Some(v) => self.render(v),
                                None => match name.split_once('.') {
                                    Some((res, attr)) if !name.starts_with("AWS::") => self.attribute(res, attr),
                                    _ => self.reference(name),
                                },
                            });
                            rest = &rest[end + 1..];
                        }
                        out.push_str(rest);
                        out
                    }
                    "Fn::Select" => {
                        let i = arg[0].as_u64().expect("index") as usize;
                        let list = self.render_list(&arg[1]);
                        list.get(i).cloned().unwrap_or_default()
                    }
                    other => format!("<unsupported {other}>"),
                }
            }
            other => format!("<unsupported {other}>"),
        }
    }

    fn render_list(&self, v: &Value) -> Vec<String> {
        match v {
            Value::Array(items) => items.iter().map(|i| self.render(i)).collect(),
            Value::Object(m) if m.contains_key("Fn::Split") => {
                let arg = &m["Fn::Split"];
                let delim = arg[0].as_str().unwrap();
                self.render(&arg[1]).split(delim).map(str::to_string).collect()
            }
            other => vec![self.render(other)],
        }
    }

    /// The environment a function gets: the template's Globals and its own.
    fn function_env(&self, function: &str) -> BTreeMap<String, String> {
        let t = &self.template;
        let mut env = BTreeMap::new();
        for vars in [
            &t["Globals"]["Function"]["Environment"]["Variables"],
            &t["Resources"][function]["Properties"]["Environment"]["Variables"],
        ] {
            for (k, v) in vars.as_object().into_iter().flatten() {
                env.insert(k.clone(), self.render(v));
            }
        }
        env
    }

    /// (actions, resources) of every Allow statement of a role.
    fn role_statements(&self, role: &str) -> Vec<(Vec<String>, Vec<String>)> {
        let list = |v: &Value| match v {
            Value::Array(a) => a.clone(),
            other => vec![other.clone()],
        };
        let mut out = Vec::new();
        for policy in self.template["Resources"][role]["Properties"]["Policies"].as_array().expect("policies") {
            for st in policy["PolicyDocument"]["Statement"].as_array().expect("statements") {
                if st["Effect"] != "Allow" {
                    continue;
                }
                let actions = list(&st["Action"]).iter().map(|a| a.as_str().unwrap().to_string()).collect();
                let resources = list(&st["Resource"]).iter().map(|r| self.render(r)).collect();
                out.push((actions, resources));
            }
        }
        out
    }
}

/// IAM's wildcard match: `*` any run of characters, `?` one.
fn glob(pattern: &str, value: &str) -> bool {
    let (p, v): (Vec<char>, Vec<char>) = (pattern.chars().collect(), value.chars().collect());
    let (mut pi, mut vi, mut star, mut mark) = (0, 0, None, 0);
    while vi < v.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == v[vi]) {
            pi += 1;
            vi += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = vi;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            vi = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

// ------------------------------------------------------------------ recording clients

/// One AWS call as IAM sees it: an action and the ARN it acts on.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Call {
    action: String,
    resource: String,
}

/// An SDK interceptor that records every request's IAM action and resource.
#[derive(Debug, Clone, Default)]
struct Recorder {
    calls: Arc<Mutex<Vec<Call>>>,
}

impl Recorder {
    fn calls(&self) -> Vec<Call> {
        self.calls.lock().expect("recorder").clone()
    }
}

fn dynamo_table_arn(table: &str) -> String {
    format!("arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{table}")
}

/// The IAM actions and resources of one request.
fn iam_calls(service: &str, operation: &str, uri: &str, body: &[u8]) -> Vec<Call> {
    let call = |action: String, resource: String| Call { action, resource };
    let json: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    match service.to_ascii_lowercase().as_str() {
        s if s.contains("dynamodb") => match operation {
            "TransactWriteItems" => json["TransactItems"]
                .as_array()
                .into_iter()
                .flatten()
                .flat_map(|item| item.as_object().cloned().unwrap_or_default())
                .map(|(kind, action)| {
                    let verb = match kind.as_str() {
                        "Put" => "PutItem",
                        "Delete" => "DeleteItem",
                        "Update" => "UpdateItem",
                        _ => "ConditionCheckItem",
                    };
                    call(format!("dynamodb:{verb}"), dynamo_table_arn(action["TableName"].as_str().unwrap_or("?")))
                })
                .collect(),
            "BatchGetItem" | "BatchWriteItem" => json["RequestItems"]
                .as_object()
                .into_iter()
                .flatten()
                .map(|(table, _)| call(format!("dynamodb:{operation}"), dynamo_table_arn(table)))
                .collect(),
            _ => {
                let mut arn = dynamo_table_arn(json["TableName"].as_str().unwrap_or("?"));
                if let Some(index) = json["IndexName"].as_str() {
                    arn = format!("{arn}/index/{index}");
                }
                vec![call(format!("dynamodb:{operation}"), arn)]
            }
        },
        "s3" => {
            // Path-style: http://host:port/bucket/key?x-id=...
            let path = uri.split_once("://").map(|(_, rest)| rest).unwrap_or(uri);
            let path = path.split_once('/').map(|(_, p)| p).unwrap_or("");
            let path = path.split('?').next().unwrap_or("");
            let decoded = urlencoding::decode(path).map(|p| p.into_owned()).unwrap_or_else(|_| path.to_string());
            let action = match operation {
                "HeadObject" => "GetObject".to_string(),
                "ListObjectsV2" | "ListObjects" => "ListBucket".to_string(),
                other => other.to_string(),
            };
            vec![call(format!("s3:{action}"), format!("arn:aws:s3:::{decoded}"))]
        }
        "sqs" => {
            let url = json["QueueUrl"].as_str().unwrap_or("?");
            vec![call(format!("sqs:{operation}"), sqs_arn(queue_name(url)))]
        }
        s if s.contains("ses") => {
            let from = json["FromEmailAddress"].as_str().unwrap_or("?");
            let action = if operation == "SendEmail" { "SendEmail".to_string() } else { operation.to_string() };
            vec![call(format!("ses:{action}"), format!("arn:aws:ses:{REGION}:{ACCOUNT}:identity/{from}"))]
        }
        other => vec![call(format!("{other}:{operation}"), "?".into())],
    }
}

impl Intercept for Recorder {
    fn name(&self) -> &'static str {
        "iam-recorder"
    }

    fn read_before_transmit(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let meta = cfg.load::<Metadata>().ok_or("no operation metadata")?;
        let request = context.request();
        let body = request.body().bytes().unwrap_or_default();
        let calls = iam_calls(meta.service(), meta.name(), request.uri(), body);
        self.calls.lock().expect("recorder").extend(calls);
        Ok(())
    }
}

/// The SDK clients of one function: every call recorded.
struct Clients {
    dynamodb: aws_sdk_dynamodb::Client,
    s3: aws_sdk_s3::Client,
    sqs: aws_sdk_sqs::Client,
    ses: aws_sdk_sesv2::Client,
}

fn recorded_clients(sdk: &SdkConfig, rec: &Recorder) -> Clients {
    Clients {
        dynamodb: aws_sdk_dynamodb::Client::from_conf(
            aws_sdk_dynamodb::config::Builder::from(sdk).interceptor(rec.clone()).build(),
        ),
        s3: aws_sdk_s3::Client::from_conf(
            aws_sdk_s3::config::Builder::from(sdk).force_path_style(true).interceptor(rec.clone()).build(),
        ),
        sqs: aws_sdk_sqs::Client::from_conf(aws_sdk_sqs::config::Builder::from(sdk).interceptor(rec.clone()).build()),
        ses: aws_sdk_sesv2::Client::from_conf(
            aws_sdk_sesv2::config::Builder::from(sdk).interceptor(rec.clone()).build(),
        ),
    }
}

// ------------------------------------------------------------------ the "deployed" stack on moto

struct Deployed {
    sdk: SdkConfig,
    endpoint: String,
    stack: Stack,
    /// Unrecorded: what AWS itself (SES, S3) does, and test set-up.
    plain: App,
    plain_s3: aws_sdk_s3::Client,
}

/// The template's resources on moto: the table, bucket, task queue and
/// sender identity as `bc_aws::provision` makes them, plus the ingest queue
/// with its DLQ and the bucket notification as the template declares them.
async fn deploy(label: &str) -> Deployed {
    deploy_on(bc_aws::testing::moto_endpoint().expect("moto (is moto_server installed?)"), label).await
}

async fn deploy_on(endpoint: String, label: &str) -> Deployed {
    let sdk = bc_aws::testing::sdk_config(&endpoint).await;
    let prefix = bc_aws::testing::unique_prefix(label);
    let cfg =
        bc_aws::provision::provision(&sdk, &bc_aws::provision::Names::with_prefix(&prefix)).await.expect("provision");
    let t = template();
    let sqs = aws_sdk_sqs::Client::new(&sdk);
    let q = &t["Resources"]["MailIngestQueue"]["Properties"];
    let dlq_url = sqs.create_queue().queue_name(format!("{prefix}-ingest-dlq")).send().await.expect("dlq");
    let dlq_url = dlq_url.queue_url().expect("dlq url").to_string();
    assert_eq!(q["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0], "MailIngestDLQ");
    let redrive = json!({
        "deadLetterTargetArn": sqs_arn(queue_name(&dlq_url)),
        "maxReceiveCount": q["RedrivePolicy"]["maxReceiveCount"].as_u64().expect("maxReceiveCount").to_string(),
    });
    let url = sqs
        .create_queue()
        .queue_name(format!("{prefix}-ingest"))
        .attributes(aws_sdk_sqs::types::QueueAttributeName::RedrivePolicy, redrive.to_string())
        .attributes(
            aws_sdk_sqs::types::QueueAttributeName::VisibilityTimeout,
            q["VisibilityTimeout"].as_u64().expect("visibility").to_string(),
        )
        .send()
        .await
        .expect("ingest queue");
    let url = url.queue_url().expect("queue url").to_string();

    // The bucket's notification, from the template.
    use aws_sdk_s3::types::{
        Event, FilterRule, FilterRuleName, NotificationConfiguration, NotificationConfigurationFilter,
        QueueConfiguration, S3KeyFilter,
    };
    let n = &t["Resources"]["MailBucket"]["Properties"]["NotificationConfiguration"]["QueueConfigurations"][0];
    assert_eq!(n["Queue"]["Fn::GetAtt"][0], "MailIngestQueue");
    let rules = n["Filter"]["S3Key"]["Rules"]
        .as_array()
        .expect("filter rules")
        .iter()
        .map(|r| {
            FilterRule::builder()
                .name(FilterRuleName::from(r["Name"].as_str().unwrap()))
                .value(r["Value"].as_str().unwrap())
                .build()
        })
        .collect();
    let s3 = aws_sdk_s3::Client::from_conf(aws_sdk_s3::config::Builder::from(&sdk).force_path_style(true).build());
    s3.put_bucket_notification_configuration()
        .bucket(&cfg.mail_bucket)
        .notification_configuration(
            NotificationConfiguration::builder()
                .queue_configurations(
                    QueueConfiguration::builder()
                        .queue_arn(sqs_arn(queue_name(&url)))
                        .events(Event::from(n["Event"].as_str().unwrap()))
                        .filter(
                            NotificationConfigurationFilter::builder()
                                .key(S3KeyFilter::builder().set_filter_rules(Some(rules)).build())
                                .build(),
                        )
                        .build()
                        .expect("queue configuration"),
                )
                .build(),
        )
        .send()
        .await
        .expect("bucket notification");

    let stack = Stack { template: t, cfg: cfg.clone(), ingest_queue_url: url, ingest_dlq_url: dlq_url };
    let plain_adapters = bc_aws::AwsAdapters::with_sdk_config(&sdk, cfg);
    let plain = bc_lambda::app_on(&plain_adapters, Config::default());
    Deployed { sdk, endpoint, stack, plain, plain_s3: s3 }
}

/// A function as deployed: its configuration read from the environment the
/// template gives it, its adapters on recording clients.
struct Function {
    name: &'static str,
    role: &'static str,
    app: App,
    clients: Clients,
    recorder: Recorder,
    env: BTreeMap<String, String>,
}

fn function(d: &Deployed, name: &'static str, role: &'static str) -> Function {
    let mut env = d.stack.function_env(name);
    env.insert("AWS_ENDPOINT_URL".into(), d.endpoint.clone());
    env.insert("AWS_REGION".into(), REGION.into());
    for (k, v) in &env {
        assert!(!v.contains("<unresolved") && !v.contains("<unsupported"), "{name}: {k} = {v}");
    }
    let cfg = AwsConfig::from_lookup(|k| env.get(k).cloned()).expect("the template's environment is complete");
    let recorder = Recorder::default();
    let clients = recorded_clients(&d.sdk, &recorder);
    // As bc_lambda::core_config_from_env reads it.
    let config = Config {
        public_url: env["PUBLIC_URL"].clone(),
        inbound_prefix: env["INBOUND_PREFIX"].clone(),
        ..Config::default()
    };
    let app = App::new(
        Arc::new(DynamoStore::new(clients.dynamodb.clone(), &cfg.table_name)),
        Arc::new(S3Blobs::new(clients.s3.clone(), &cfg.mail_bucket)),
        Arc::new(SqsQueue::new(clients.sqs.clone(), &cfg.task_queue_url, &cfg.task_dlq_url)),
        Arc::new(SesMailer::new(clients.ses.clone(), &cfg.mail_from)),
        Arc::new(SystemClock),
        config,
    );
    Function { name, role, app, clients, recorder, env }
}

impl Function {
    /// Every recorded call must be allowed by the function's role.
    fn assert_calls_permitted(&self, stack: &Stack) -> BTreeSet<String> {
        let statements = stack.role_statements(self.role);
        let calls = self.recorder.calls();
        assert!(!calls.is_empty(), "{}: no AWS calls recorded", self.name);
        let denied: BTreeSet<&Call> = calls
            .iter()
            .filter(|c| {
                !statements.iter().any(|(actions, resources)| {
                    actions.iter().any(|a| glob(&a.to_ascii_lowercase(), &c.action.to_ascii_lowercase()))
                        && resources.iter().any(|r| glob(r, &c.resource))
                })
            })
            .collect();
        assert!(denied.is_empty(), "{} ({}) would be denied: {denied:#?}", self.name, self.role);
        // For the record (shown with --nocapture): grants this test did not
        // exercise; tests/tests/template.rs says why each exists.
        for (actions, resources) in &statements {
            for a in actions {
                for r in resources {
                    let used = calls
                        .iter()
                        .any(|c| glob(&a.to_ascii_lowercase(), &c.action.to_ascii_lowercase()) && glob(r, &c.resource));
                    if !used {
                        eprintln!("{}: not exercised here: {a} on {r}", self.name);
                    }
                }
            }
        }
        calls.iter().map(|c| c.action.clone()).collect()
    }

    /// What Lambda's SQS event source does (under the function's role):
    /// receive a batch and hand it over as an `SqsEvent`.
    async fn poll(&self, queue_url: &str, wait_secs: i32) -> (SqsEvent, Vec<(String, String)>) {
        let out = self
            .clients
            .sqs
            .receive_message()
            .queue_url(queue_url)
            .max_number_of_messages(10)
            .wait_time_seconds(wait_secs)
            .message_system_attribute_names(aws_sdk_sqs::types::MessageSystemAttributeName::All)
            .send()
            .await
            .expect("ReceiveMessage");
        let mut records = Vec::new();
        let mut handles = Vec::new();
        for m in out.messages() {
            let attributes: serde_json::Map<String, Value> = m
                .attributes()
                .into_iter()
                .flatten()
                .map(|(k, v)| (k.as_str().to_string(), Value::String(v.clone())))
                .collect();
            records.push(json!({
                "messageId": m.message_id(),
                "receiptHandle": m.receipt_handle(),
                "body": m.body(),
                "attributes": attributes,
                "messageAttributes": {},
                "md5OfBody": m.md5_of_body(),
                "eventSource": "aws:sqs",
                "eventSourceARN": sqs_arn(queue_name(queue_url)),
                "awsRegion": REGION,
            }));
            handles.push((
                m.message_id().unwrap_or_default().to_string(),
                m.receipt_handle().unwrap_or_default().to_string(),
            ));
        }
        let event: SqsEvent = serde_json::from_value(json!({ "Records": records })).expect("an SQS event");
        (event, handles)
    }

    /// The event source deletes what the function did not report as failed.
    /// Receives until `want` messages are in hand (or 20 s have passed).
    async fn poll_until(&self, queue_url: &str, want: usize) -> (SqsEvent, Vec<(String, String)>) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        let mut records = Vec::new();
        let mut handles = Vec::new();
        while records.len() < want && std::time::Instant::now() < deadline {
            let (event, more) = self.poll(queue_url, 1).await;
            records.extend(event.records);
            handles.extend(more);
        }
        let mut event = SqsEvent::default();
        event.records = records;
        (event, handles)
    }

    async fn delete(&self, queue_url: &str, handles: &[(String, String)], ids: &BTreeSet<String>) {
        for (_, receipt) in handles.iter().filter(|(id, _)| ids.contains(id)) {
            self.clients
                .sqs
                .delete_message()
                .queue_url(queue_url)
                .receipt_handle(receipt)
                .send()
                .await
                .expect("delete");
        }
    }

    async fn settle(&self, queue_url: &str, handles: &[(String, String)], resp: &SqsBatchResponse) {
        let failed: BTreeSet<&str> = resp.batch_item_failures.iter().map(|f| f.item_identifier.as_str()).collect();
        for (id, receipt) in handles {
            if !failed.contains(id.as_str()) {
                self.clients
                    .sqs
                    .delete_message()
                    .queue_url(queue_url)
                    .receipt_handle(receipt)
                    .send()
                    .await
                    .expect("delete");
            }
        }
    }
}

fn failed_ids(resp: &SqsBatchResponse) -> BTreeSet<String> {
    resp.batch_item_failures.iter().map(|f| f.item_identifier.clone()).collect()
}

fn admin() -> bc_core::Actor {
    bc_core::Actor::system()
}

// ------------------------------------------------------------------ mail-ingest

/// moto's S3 notification lacks parts S3 always sends, and the event types
/// require: `eventTime` has no zone (`2026-11-22T06:00:00.123456`; S3 writes
/// `...00.123Z`), and `userIdentity`, `requestParameters`,
/// `responseElements`, the bucket's `ownerIdentity` and the object's
/// `sequencer` are missing. Adds them as S3 writes them; keeps the rest.
fn as_aws_sends_it(body: &str) -> String {
    let Ok(mut v) = serde_json::from_str::<Value>(body) else { return body.to_string() };
    for r in v["Records"].as_array_mut().into_iter().flatten() {
        let defaults = [
            ("userIdentity", json!({"principalId": "AWS:AROAEXAMPLEID:ses"})),
            ("requestParameters", json!({"sourceIPAddress": "10.0.0.1"})),
            (
                "responseElements",
                json!({"x-amz-request-id": "C3D13FE58DE4C810", "x-amz-id-2": "FMyUVURIY8/IgAtTv8xRjskZQpcIZ9KG4V5Wp6S7S/JRWeUWerMUE5JgHvANOjpD"}),
            ),
        ];
        for (k, d) in defaults {
            if r.get(k).is_none() {
                r[k] = d;
            }
        }
        if r["s3"]["bucket"].get("ownerIdentity").is_none() {
            r["s3"]["bucket"]["ownerIdentity"] = json!({"principalId": "A3NL1KOZZKExample"});
        }
        if r["s3"]["object"].get("sequencer").is_none() {
            r["s3"]["object"]["sequencer"] = json!("0055AED6DCD90281E5");
        }
        if let Some(t) = r["eventTime"].as_str().map(str::to_string) {
            let zoned = t.ends_with('Z') || t[10..].contains('+') || t[10..].contains('-');
            if !zoned {
                r["eventTime"] = Value::String(format!("{t}Z"));
            }
        }
    }
    v.to_string()
}

#[tokio::test]
async fn mail_ingest_takes_the_s3_notifications_of_what_ses_stores() {
    let d = deploy("handler-ingest").await;
    let f = function(&d, "MailIngestFunction", "MailIngestRole");
    let bucket = d.stack.cfg.mail_bucket.clone();
    let queue = d.stack.ingest_queue_url.clone();

    // SES stores two report mails under the inbound prefix, named by its
    // message ids. S3 notifies the ingest queue.
    let prefix = &f.env["INBOUND_PREFIX"];
    let report = VeeamMail::new("veeam@acme.example.com", "Nightly", Status::Failed, 1).objects(2);
    let keys = [
        format!("{prefix}o5u1c1m1r8ck3d2b4h5g6i7j8k9l0m1n2o3p4q5r"),
        format!("{prefix}a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6q7r8s9t0"),
    ];
    for (key, eml) in keys.iter().zip([report.eml(), newsletter(7)]) {
        d.plain_s3.put_object().bucket(&bucket).key(key).body(eml.into()).send().await.expect("SES's PutObject");
    }

    let mut mails = BTreeSet::new();
    let mut seen = 0;
    for _ in 0..5 {
        let (mut event, handles) = f.poll(&queue, 1).await;
        if event.records.is_empty() {
            break;
        }
        for r in &mut event.records {
            r.body = r.body.take().map(|b| as_aws_sends_it(&b));
            let body: Value = serde_json::from_str(r.body.as_deref().unwrap()).expect("S3 event JSON");
            if let Some(key) = body["Records"][0]["s3"]["object"]["key"].as_str() {
                // URL-encoded, as S3 sends it (moto also encodes the slash).
                let key = bc_lambda::handlers::decode_s3_key(key).expect("a decodable key");
                assert!(key.starts_with(prefix.as_str()), "only inbound/ objects notify: {key}");
                assert_eq!(body["Records"][0]["s3"]["bucket"]["name"], bucket.as_str());
                seen += 1;
            }
        }
        let resp = bc_lambda::handlers::mail_ingest(&f.app, event).await;
        assert!(resp.batch_item_failures.is_empty(), "no failures: {:?}", failed_ids(&resp));
        f.settle(&queue, &handles, &resp).await;
    }
    assert_eq!(seen, 2, "one notification per stored mail");
    let inbox = d.plain.inbox(&admin(), None, 50).await.expect("inbox");
    for item in &inbox.items {
        mails.insert(item.subject.clone());
    }
    assert_eq!(inbox.items.len(), 2, "both mails wait in the Inbox: {mails:?}");
    let parsed = inbox.items.iter().find(|i| i.parsed).expect("the Veeam report is parsed");
    assert_eq!(parsed.status, Some(Status::Failed));

    // The derived blobs the ingest wrote under mail/ did not come back.
    let (again, _) = f.poll(&queue, 1).await;
    assert!(again.records.is_empty(), "writes under mail/ must not notify the ingest queue");

    // Redelivery of the same notification is harmless.
    let body = json!({"Records": [{
        "eventVersion": "2.1", "eventSource": "aws:s3", "awsRegion": REGION, "eventTime": "2026-11-22T06:00:00.000Z",
        "eventName": "ObjectCreated:Put", "userIdentity": {"principalId": "AWS:AROAEXAMPLE:ses"},
        "requestParameters": {"sourceIPAddress": "10.0.0.1"}, "responseElements": {"x-amz-request-id": "r", "x-amz-id-2": "i"},
        "s3": {"s3SchemaVersion": "1.0", "configurationId": "mail",
               "bucket": {"name": bucket, "ownerIdentity": {"principalId": "A"}, "arn": format!("arn:aws:s3:::{bucket}")},
               "object": {"key": keys[0], "size": 1, "eTag": "e", "sequencer": "0"}}}]});
    let missing = json!({"Records": [{
        "eventVersion": "2.1", "eventSource": "aws:s3", "awsRegion": REGION, "eventName": "ObjectCreated:Put",
        "s3": {"s3SchemaVersion": "1.0", "bucket": {"name": bucket, "arn": format!("arn:aws:s3:::{bucket}")},
               "object": {"key": format!("{prefix}gone"), "size": 1}}}]});
    let test_event = json!({"Service": "Amazon S3", "Event": "s3:TestEvent", "Time": "2026-11-22T06:00:00.000Z",
        "Bucket": bucket, "RequestId": "r", "HostId": "h"});
    let sqs_record = |id: &str, body: String| {
        json!({
            "messageId": id, "receiptHandle": format!("rh-{id}"), "body": body,
            "attributes": {"ApproximateReceiveCount": "2", "SentTimestamp": "1795327200000", "SenderId": "AIDAEXAMPLE",
                           "ApproximateFirstReceiveTimestamp": "1795327200001"},
            "messageAttributes": {}, "md5OfBody": "x", "eventSource": "aws:sqs",
            "eventSourceARN": sqs_arn(queue_name(&queue)), "awsRegion": REGION,
        })
    };
    let event: SqsEvent = serde_json::from_value(json!({"Records": [
        sqs_record("again", body.to_string()),
        sqs_record("missing", missing.to_string()),
        sqs_record("test-event", test_event.to_string()),
        sqs_record("garbage", "not json".into()),
    ]}))
    .expect("SQS event");
    let resp = bc_lambda::handlers::mail_ingest(&f.app, event).await;
    assert_eq!(
        failed_ids(&resp),
        BTreeSet::from(["missing".to_string(), "garbage".to_string()]),
        "only the failing messages are retried (and then dead-lettered)"
    );
    assert_eq!(d.plain.inbox(&admin(), None, 50).await.expect("inbox").items.len(), 2, "no duplicate");

    let actions = f.assert_calls_permitted(&d.stack);
    for a in ["sqs:ReceiveMessage", "sqs:DeleteMessage", "s3:GetObject", "s3:PutObject", "dynamodb:PutItem"] {
        assert!(actions.contains(a), "{a} was exercised: {actions:?}");
    }
}

// ------------------------------------------------------------------ worker

#[tokio::test]
async fn worker_runs_the_tasks_of_the_task_queue() {
    // moto's record of sent mail is read from /moto-api/data.json, which
    // dumps every service's state: on the shared server, late in the suite,
    // that outlasts any sensible timeout. This test gets a moto of its own.
    let own = bc_aws::testing::MotoServer::start().expect("a moto_server of this test's own");
    let d = deploy_on(own.endpoint().to_string(), "handler-worker").await;
    let f = function(&d, "WorkerFunction", "WorkerRole");
    let queue = d.stack.cfg.task_queue_url.clone();

    // A mail waiting in the Inbox, for a re-parse batch.
    d.plain.ingest_bytes(newsletter(3)).await.expect("ingest");
    let subject = format!("Backupchecks test mail {}", bc_aws::testing::unique_prefix("w"));
    d.plain
        .enqueue(&Task::SendMail {
            idempotency_key: subject.clone(),
            mail: OutboundMail {
                to: vec!["ops@msp.example".into()],
                subject: subject.clone(),
                text: "It works.".into(),
                html: None,
            },
        })
        .await
        .expect("enqueue mail");
    d.plain.enqueue(&Task::ReparseInbox { cursor: None }).await.expect("enqueue re-parse");
    let sqs = aws_sdk_sqs::Client::new(&d.sdk);
    sqs.send_message().queue_url(&queue).message_body(r#"{"type":"no_such_task"}"#).send().await.expect("send");

    // A receive may return fewer messages than are waiting (SQS samples its
    // servers; a busy moto answers before the last send is visible).
    let (event, handles) = f.poll_until(&queue, 3).await;
    assert_eq!(event.records.len(), 3, "the three queued tasks");
    let bad = event
        .records
        .iter()
        .find(|r| r.body.as_deref() == Some(r#"{"type":"no_such_task"}"#))
        .and_then(|r| r.message_id.clone())
        .expect("the bad task");
    let resp = bc_lambda::handlers::worker(&f.app, event).await;
    assert_eq!(failed_ids(&resp), BTreeSet::from([bad]), "only the unreadable task fails");
    f.settle(&queue, &handles, &resp).await;
    // The unreadable task would come back after the visibility timeout (30 s,
    // which a loaded machine can reach before the redelivery below): it has
    // been seen failing, so it goes.
    f.delete(&queue, &handles, &failed_ids(&resp)).await;

    let sent = bc_aws::testing::sent_emails(&d.endpoint).await.expect("moto's sent mail");
    let ours: Vec<_> = sent.iter().filter(|m| m.subject == subject).collect();
    assert_eq!(ours.len(), 1, "the mail went out once");
    assert_eq!(ours[0].source, d.stack.cfg.mail_from);

    // A redelivery does not send it again.
    d.plain
        .enqueue(&Task::SendMail {
            idempotency_key: subject.clone(),
            mail: OutboundMail {
                to: vec!["ops@msp.example".into()],
                subject: subject.clone(),
                text: "x".into(),
                html: None,
            },
        })
        .await
        .expect("enqueue again");
    let (event, handles) = f.poll_until(&queue, 1).await;
    assert_eq!(event.records.len(), 1, "only the redelivered mail task");
    let resp = bc_lambda::handlers::worker(&f.app, event).await;
    assert!(resp.batch_item_failures.is_empty(), "{:?}", resp.batch_item_failures);
    f.settle(&queue, &handles, &resp).await;
    let sent = bc_aws::testing::sent_emails(&d.endpoint).await.expect("moto's sent mail");
    assert_eq!(sent.iter().filter(|m| m.subject == subject).count(), 1, "idempotent");

    let actions = f.assert_calls_permitted(&d.stack);
    for a in ["ses:SendEmail", "dynamodb:PutItem", "dynamodb:Query", "sqs:DeleteMessage"] {
        assert!(actions.contains(a), "{a} was exercised: {actions:?}");
    }
}

// ------------------------------------------------------------------ scheduler

#[tokio::test]
async fn scheduler_ticks_on_the_schedules_payload() {
    let d = deploy("handler-tick").await;
    let f = function(&d, "SchedulerFunction", "SchedulerRole");

    // The payload EventBridge Scheduler sends: the template's Input with
    // its context attributes filled in.
    let input = d.stack.template["Resources"]["Tick"]["Properties"]["Target"]["Input"].as_str().expect("Input");
    let payload = input
        .replace("<aws.scheduler.scheduled-time>", "2026-11-22T06:00:00Z")
        .replace("<aws.scheduler.execution-id>", "c0ffee00-1234-4321-abcd-0123456789ab");
    // functions/scheduler takes a LambdaEvent<serde_json::Value>.
    let event: lambda_http::LambdaEvent<Value> = lambda_http::LambdaEvent::new(
        serde_json::from_str(&payload).expect("the tick payload is JSON"),
        Default::default(),
    );

    // Work for the tick: an expired session and a mail whose ingest was cut
    // off after it was stored.
    let now = chrono::Utc::now();
    let store = DynamoStore::new(aws_sdk_dynamodb::Client::new(&d.sdk), &d.stack.cfg.table_name);
    store
        .insert_session(&Session {
            token_hash: "expired-session".into(),
            user_id: "u1".into(),
            created_at: now - chrono::Duration::hours(30),
            expires_at: now - chrono::Duration::hours(6),
        })
        .await
        .expect("session");
    let eml = VeeamMail::new("veeam@stuck.example.com", "Stuck", Status::Warning, 4).eml();
    let raw_key = format!("{}stuck-ses-message-id", f.env["INBOUND_PREFIX"]);
    let blobs = S3Blobs::new(d.plain_s3.clone(), &d.stack.cfg.mail_bucket);
    blobs.put(&raw_key, eml.clone(), "message/rfc822").await.expect("raw mail");
    let dedupe_key = format!("sha256:{}", bc_core::ids::sha256_hex(&eml));
    let stuck = Mail {
        recipients: vec!["reports@msp.example".into()],
        subject: "[Warning] Stuck".into(),
        size: eml.len() as u64,
        ..Mail::received(
            bc_core::ids::mail_id(&dedupe_key),
            dedupe_key,
            raw_key,
            "veeam@stuck.example.com",
            now - chrono::Duration::minutes(20),
        )
    };
    use bc_core::repos::MailRepo;
    assert!(store.insert_mail(&stuck).await.expect("insert"));

    // A native backup policy whose slot just passed, with one active host.
    let policy_id = bc_tests::bes::native_policies(&d.plain, "Tick BV", "0 3 * * *", 1, 1).await.remove(0);
    {
        use bc_core::repos::{BackupDoc, BackupKind, BackupRepo};
        let slot = now - chrono::Duration::minutes(1);
        let clock = BackupDoc {
            kind: BackupKind::PolicyClock,
            id: policy_id.clone(),
            parent: None,
            due_at: Some(slot),
            version: 0,
            body: json!({"id": policy_id, "next": [["full", slot]]}).to_string(),
        };
        store.put_backup_doc(&clock).await.expect("the policy's clock, its slot just passed");
    }

    let report = bc_lambda::handlers::scheduler_invocation(&f.app, &event.payload).await.expect("tick");
    assert_eq!(report["sessions_purged"], 1, "{report}");
    assert_eq!(report["mails_resumed"], 1, "{report}");
    assert_eq!(report["backups_dispatched"], 1, "{report}");
    let mail = store.get_mail(&stuck.id).await.expect("get").expect("the mail");
    assert_eq!(mail.state, MailState::Inbox, "the interrupted ingest was finished");

    // The operator's one-off `aws lambda invoke` (docs/deploy.md), under the
    // same role: the first admin, its one-time password in the response.
    let out = bc_lambda::handlers::scheduler_invocation(&f.app, &json!({"admin_command": "bootstrap-admin"}))
        .await
        .expect("bootstrap-admin");
    assert_eq!(out["created"], true, "{out}");
    let password = out["password"].as_str().expect("a one-time password");
    d.plain.login("admin", password, "198.51.100.1").await.expect("the first admin signs in");

    let actions = f.assert_calls_permitted(&d.stack);
    for a in ["dynamodb:Query", "dynamodb:BatchWriteItem", "s3:GetObject", "s3:PutObject"] {
        assert!(actions.contains(a), "{a} was exercised: {actions:?}");
    }
}

// ------------------------------------------------------------------ api

/// An API Gateway HTTP API request (payload format 2.0) as CloudFront
/// forwards a browser's request to the `ANY /api/{proxy+}` route.
fn api_request(
    method: &str,
    path: &str,
    cookie: Option<&str>,
    content_type: Option<&str>,
    body: Option<&[u8]>,
) -> Value {
    let (path_only, query) = path.split_once('?').unwrap_or((path, ""));
    let mut headers = json!({
        "accept": "application/json",
        "host": format!("{API_ID}.execute-api.{REGION}.amazonaws.com"),
        "user-agent": "Amazon CloudFront",
        "via": format!("2.0 0123456789abcdef.cloudfront.net (CloudFront)"),
        "x-amz-cf-id": "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQR==",
        "x-forwarded-for": "203.0.113.7, 130.176.1.20",
        "x-forwarded-port": "443",
        "x-forwarded-proto": "https",
    });
    if let Some(ct) = content_type {
        headers["content-type"] = json!(ct);
    }
    let mut req = json!({
        "version": "2.0",
        "routeKey": "ANY /api/{proxy+}",
        "rawPath": path_only,
        "rawQueryString": query,
        "headers": headers,
        "requestContext": {
            "accountId": ACCOUNT, "apiId": API_ID,
            "domainName": format!("{API_ID}.execute-api.{REGION}.amazonaws.com"), "domainPrefix": API_ID,
            "http": {"method": method, "path": path_only, "protocol": "HTTP/1.1", "sourceIp": "130.176.1.20",
                     "userAgent": "Amazon CloudFront"},
            "requestId": "JKJaXmPLvHcESHA=", "routeKey": "ANY /api/{proxy+}", "stage": "$default",
            "time": "22/Nov/2026:06:00:00 +0000", "timeEpoch": 1795327200000u64
        },
        "pathParameters": {"proxy": path_only.trim_start_matches("/api/")},
        "isBase64Encoded": false,
    });
    if let Some(c) = cookie {
        req["cookies"] = json!([c]);
    }
    if let Some(b) = body {
        match std::str::from_utf8(b) {
            Ok(text) if content_type == Some("application/json") => req["body"] = json!(text),
            _ => {
                use base64::Engine;
                req["body"] = json!(base64::engine::general_purpose::STANDARD.encode(b));
                req["isBase64Encoded"] = json!(true);
            }
        }
    }
    req
}

/// Invokes the api function's service the way `lambda_http::run` does and
/// returns the response payload API Gateway receives.
async fn invoke_api(app: &App, request: Value) -> Value {
    let request: lambda_http::request::LambdaRequest =
        serde_json::from_value(request).expect("an API Gateway v2 request");
    let adapter = lambda_http::Adapter::from(bc_lambda::api_router(app.clone(), 2));
    let response = adapter
        .oneshot(lambda_http::LambdaEvent::new(request, lambda_http::Context::default()))
        .await
        .expect("the router never fails");
    serde_json::to_value(&response).expect("response payload")
}

fn body_json(resp: &Value) -> Value {
    let body = resp["body"].as_str().unwrap_or("");
    let text = if resp["isBase64Encoded"] == true {
        use base64::Engine;
        String::from_utf8(base64::engine::general_purpose::STANDARD.decode(body).expect("base64")).expect("utf-8")
    } else {
        body.to_string()
    };
    serde_json::from_str(&text).unwrap_or(Value::String(text))
}

#[tokio::test]
async fn api_answers_api_gateway_v2_requests_through_lambda_http() {
    let d = deploy("handler-api").await;
    let f = function(&d, "ApiFunction", "ApiRole");
    d.plain.create_user_unchecked("alice", "alice-password-1", Role::Admin).await.expect("user");

    let resp = invoke_api(&f.app, api_request("GET", "/api/v1/health", None, None, None)).await;
    assert_eq!(resp["statusCode"], 200, "{resp}");

    // Sign in: the session cookie comes back in the v2 `cookies` list,
    // Secure and HttpOnly (CloudFront serves UI and API on one origin).
    let login = br#"{"username":"alice","password":"alice-password-1"}"#;
    let resp =
        invoke_api(&f.app, api_request("POST", "/api/v1/auth/login", None, Some("application/json"), Some(login)))
            .await;
    assert_eq!(resp["statusCode"], 200, "{resp}");
    let set_cookie = resp["cookies"][0].as_str().expect("a session cookie").to_string();
    assert!(set_cookie.starts_with("bc_session="), "{set_cookie}");
    for attr in ["Secure", "HttpOnly", "SameSite"] {
        assert!(set_cookie.contains(attr), "{attr} in {set_cookie}");
    }
    let cookie = set_cookie.split(';').next().unwrap().to_string();

    let resp = invoke_api(&f.app, api_request("GET", "/api/v1/auth/me", Some(&cookie), None, None)).await;
    assert_eq!(resp["statusCode"], 200, "{resp}");
    assert_eq!(body_json(&resp)["username"], "alice");

    // Upload a report mail (binary body, base64 in the event).
    let eml = VeeamMail::new("veeam@api.example.com", "Uploaded", Status::Warning, 9).eml();
    let resp =
        invoke_api(&f.app, api_request("POST", "/api/v1/mails", Some(&cookie), Some("message/rfc822"), Some(&eml)))
            .await;
    assert_eq!(resp["statusCode"], 200, "{resp}");
    let uploaded = body_json(&resp);
    let mail_id = uploaded["mail_id"].as_str().expect("mail id").to_string();

    let resp = invoke_api(&f.app, api_request("GET", "/api/v1/inbox?limit=10", Some(&cookie), None, None)).await;
    assert_eq!(resp["statusCode"], 200, "{resp}");
    assert!(body_json(&resp)["items"].as_array().expect("items").iter().any(|i| i["id"] == mail_id.as_str()));

    let resp =
        invoke_api(&f.app, api_request("GET", &format!("/api/v1/mails/{mail_id}/html"), Some(&cookie), None, None))
            .await;
    assert_eq!(resp["statusCode"], 200, "{resp}");
    let csp = resp["headers"]["content-security-policy"].as_str().expect("the mail body's own CSP");
    assert!(csp.starts_with("sandbox"), "{csp}");

    let resp =
        invoke_api(&f.app, api_request("GET", &format!("/api/v1/mails/{mail_id}/raw"), Some(&cookie), None, None))
            .await;
    assert_eq!(resp["statusCode"], 200, "{resp}");

    let resp = invoke_api(&f.app, api_request("GET", "/api/v1/run-checks", Some(&cookie), None, None)).await;
    assert_eq!(resp["statusCode"], 200, "{resp}");

    let resp = invoke_api(
        &f.app,
        api_request("POST", "/api/v1/inbox/reparse", Some(&cookie), Some("application/json"), Some(br#"{"all":true}"#)),
    )
    .await;
    assert!(resp["statusCode"].as_u64().unwrap() < 300, "{resp}");

    let resp = invoke_api(
        &f.app,
        api_request("POST", "/api/v1/auth/logout", Some(&cookie), Some("application/json"), Some(b"{}")),
    )
    .await;
    assert!(resp["statusCode"].as_u64().unwrap() < 300, "{resp}");
    let resp = invoke_api(&f.app, api_request("GET", "/api/v1/auth/me", Some(&cookie), None, None)).await;
    assert_eq!(resp["statusCode"], 401, "signed out: {resp}");

    // A wrong password is refused (and counted for rate limiting).
    let wrong = br#"{"username":"alice","password":"nope-nope-nope"}"#;
    let resp =
        invoke_api(&f.app, api_request("POST", "/api/v1/auth/login", None, Some("application/json"), Some(wrong)))
            .await;
    assert_eq!(resp["statusCode"], 401, "{resp}");

    let actions = f.assert_calls_permitted(&d.stack);
    for a in [
        "dynamodb:Query",
        "dynamodb:UpdateItem",
        "dynamodb:DeleteItem",
        "s3:PutObject",
        "s3:GetObject",
        "sqs:SendMessage",
    ] {
        assert!(actions.contains(a), "{a} was exercised: {actions:?}");
    }
}
