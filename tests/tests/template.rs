//! The SAM template (`infra/template.yaml`) read as data and checked against
//! what it must agree with: the table of `docs/data-model.md`, the
//! environment variables the code reads, the queue and alarm rules of the
//! architecture, and least privilege per function.
//!
//! `sam validate --lint` and `cfn-lint` (scripts/sam-check.sh) check that the
//! template is valid CloudFormation; this test checks that it is the right one.
//! `tests/tests/lambda_handlers.rs` runs the handlers under these policies.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

// ------------------------------------------------------------------ reading

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(root().join(rel)).unwrap_or_else(|e| panic!("reading {rel}: {e}"))
}

use bc_tests::cfn::{cfn_json, template};

fn resources(t: &Value) -> &serde_json::Map<String, Value> {
    t["Resources"].as_object().expect("Resources")
}

fn of_type<'a>(t: &'a Value, ty: &str) -> Vec<(&'a str, &'a Value)> {
    resources(t).iter().filter(|(_, r)| r["Type"] == ty).map(|(k, r)| (k.as_str(), r)).collect()
}

fn r(name: &str) -> Value {
    json!({ "Ref": name })
}

fn arn(name: &str) -> Value {
    json!({ "Fn::GetAtt": [name, "Arn"] })
}

fn sub(s: &str) -> Value {
    json!({ "Fn::Sub": s })
}

fn as_list(v: &Value) -> Vec<Value> {
    match v {
        Value::Array(items) => items.clone(),
        Value::Null => Vec::new(),
        other => vec![other.clone()],
    }
}

/// The four functions: logical id -> workspace package.
const FUNCTIONS: [(&str, &str); 4] = [
    ("ApiFunction", "api"),
    ("MailIngestFunction", "mail-ingest"),
    ("WorkerFunction", "worker"),
    ("SchedulerFunction", "scheduler"),
];

/// A function's environment: the Globals merged with its own, as SAM does.
fn function_env(t: &Value, function: &str) -> BTreeMap<String, Value> {
    let mut env = BTreeMap::new();
    for vars in [
        &t["Globals"]["Function"]["Environment"]["Variables"],
        &t["Resources"][function]["Properties"]["Environment"]["Variables"],
    ] {
        if let Some(m) = vars.as_object() {
            env.extend(m.iter().map(|(k, v)| (k.clone(), v.clone())));
        }
    }
    env
}

/// A function property, its own value or else the Globals'.
fn function_prop<'a>(t: &'a Value, function: &str, prop: &str) -> &'a Value {
    let own = &t["Resources"][function]["Properties"][prop];
    if own.is_null() { &t["Globals"]["Function"][prop] } else { own }
}

// ------------------------------------------------------------------ the table

/// The YAML block under "SAM / CloudFormation definition" in docs/data-model.md.
fn documented_table() -> Value {
    let doc = read("docs/data-model.md");
    let start = doc.find("### SAM / CloudFormation definition").expect("data-model.md has the SAM definition");
    let block = &doc[start..];
    let open = block.find("```yaml").expect("a ```yaml block") + "```yaml".len();
    let close = open + block[open..].find("```").expect("the block ends");
    let yaml: serde_yaml::Value = serde_yaml::from_str(&block[open..close]).expect("the documented table is YAML");
    cfn_json(yaml)["Table"].clone()
}

#[test]
fn the_table_is_the_one_of_the_data_model() {
    let t = template();
    let tables = of_type(&t, "AWS::DynamoDB::Table");
    assert_eq!(tables.len(), 1, "one table (single-table design)");
    let (name, table) = tables[0];
    assert_eq!(name, "Table");
    let doc = documented_table();
    let want = doc["Properties"].as_object().expect("documented properties");
    let got = table["Properties"].as_object().expect("template table properties");
    for (k, v) in want {
        assert_eq!(got.get(k), Some(v), "Table.{k} differs from docs/data-model.md");
    }
    let extra: BTreeSet<&str> = got.keys().map(String::as_str).filter(|k| !want.contains_key(*k)).collect();
    assert_eq!(extra, BTreeSet::from(["DeletionProtectionEnabled"]), "only deletion protection is added");
    assert_eq!(got["DeletionProtectionEnabled"], r("TableDeletionProtection"));
    assert_eq!(t["Parameters"]["TableDeletionProtection"]["Default"], "true");
    assert_eq!(table["DeletionPolicy"], "Retain", "deleting the stack keeps the data");

    // And the code's names agree.
    let indexes: Vec<&str> = bc_aws::dynamo::schema::Index::ALL.iter().map(|i| i.name()).collect();
    let in_template: Vec<&str> =
        got["GlobalSecondaryIndexes"].as_array().unwrap().iter().map(|i| i["IndexName"].as_str().unwrap()).collect();
    assert_eq!(indexes, in_template);
    assert_eq!(got["TimeToLiveSpecification"]["AttributeName"], bc_aws::dynamo::schema::TTL);
    assert_eq!(got["KeySchema"][0]["AttributeName"], bc_aws::dynamo::schema::PK);
    assert_eq!(got["KeySchema"][1]["AttributeName"], bc_aws::dynamo::schema::SK);
}

// ------------------------------------------------------------------ environment

/// The crates a function binary is made of (besides its own `src/`).
const FUNCTION_CRATES: [&str; 6] =
    ["shared/lambda", "shared/aws", "shared/core", "shared/http", "shared/parsers", "shared/api-types"];

/// Set by Lambda itself, or only for emulators.
const PROVIDED_BY_LAMBDA: [&str; 3] = ["AWS_REGION", "AWS_ENDPOINT_URL", "AWS_LAMBDA_FUNCTION_NAME"];

/// Set by the template for code that does not read them yet (see
/// docs/deploy.md): the secrets' ARNs. RUST_LOG is read by the Lambda
/// runtime's log subscriber (`lambda_runtime::tracing`), outside our code.
const SET_AHEAD_OF_CODE: [&str; 3] = ["AUTOTASK_SECRET_ARN", "STORAGE_SECRET_ARN", "RUST_LOG"];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Upper-case string literals passed to an environment lookup:
/// `env::var("X")`, `env::var_os("X")`, and `required("X")` / `get("X")` in
/// an `AwsConfig::from_lookup`-style reader.
fn env_reads_in(source: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for call in ["var(\"", "var_os(\"", "required(\"", "get(\"", "lookup(\""] {
        let mut rest = source;
        while let Some(i) = rest.find(call) {
            let after = &rest[i + call.len()..];
            let name: String =
                after.chars().take_while(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == '_').collect();
            if name.len() > 1
                && after[name.len()..].starts_with('"')
                && name.chars().next().unwrap().is_ascii_uppercase()
            {
                found.insert(name);
            }
            rest = after;
        }
    }
    found
}

/// Every variable a function binary reads: its own crate and the shared ones.
fn variables_read_by(package: &str) -> BTreeSet<String> {
    let mut files = Vec::new();
    rust_files(&root().join("functions").join(package).join("src"), &mut files);
    for c in FUNCTION_CRATES {
        rust_files(&root().join(c).join("src"), &mut files);
    }
    files
        .iter()
        .filter(|p| p.file_name().is_none_or(|n| n != "testing.rs")) // moto support, tests only
        .flat_map(|p| env_reads_in(&std::fs::read_to_string(p).expect("source")))
        .filter(|n| !PROVIDED_BY_LAMBDA.contains(&n.as_str()))
        .collect()
}

#[test]
fn the_env_scanner_finds_what_config_reads() {
    let found = variables_read_by("api");
    for v in
        ["TABLE_NAME", "MAIL_BUCKET", "TASK_QUEUE_URL", "TASK_DLQ_URL", "MAIL_FROM", "PUBLIC_URL", "INBOUND_PREFIX"]
    {
        assert!(found.contains(v), "{v} not found by the scanner: {found:?}");
    }
}

#[test]
fn every_function_gets_every_variable_it_reads() {
    let t = template();
    for (function, package) in FUNCTIONS {
        let env = function_env(&t, function);
        for var in variables_read_by(package) {
            assert!(env.contains_key(&var), "{function} ({package}) reads {var}, which the template does not set");
        }
        for var in env.keys() {
            let read = variables_read_by(package).contains(var);
            assert!(
                read || SET_AHEAD_OF_CODE.contains(&var.as_str()),
                "{function} gets {var}, which no code reads (or add it to SET_AHEAD_OF_CODE with a reason)"
            );
        }
        // Each variable names the right resource.
        assert_eq!(env["TABLE_NAME"], r("Table"), "{function}");
        assert_eq!(env["MAIL_BUCKET"], r("MailBucket"), "{function}");
        assert_eq!(env["TASK_QUEUE_URL"], r("TaskQueue"), "{function}: Ref of a queue is its URL");
        assert_eq!(env["TASK_DLQ_URL"], r("TaskDLQ"), "{function}");
        assert_eq!(env["MAIL_FROM"], r("MailFrom"), "{function}");
        assert_eq!(env["INBOUND_PREFIX"], json!(bc_core::Config::default().inbound_prefix), "{function}");
        assert_eq!(env["RUST_LOG"], r("LogLevel"), "{function}");
        let public_url = env["PUBLIC_URL"].to_string();
        assert!(
            public_url.contains("Distribution.DomainName") && public_url.contains("SiteDomainName"),
            "{public_url}"
        );
    }
    // The secrets go only where they are used.
    let has = |f: &str, v: &str| function_env(&t, f).contains_key(v);
    assert!(has("ApiFunction", "AUTOTASK_SECRET_ARN") && has("WorkerFunction", "AUTOTASK_SECRET_ARN"));
    assert!(!has("MailIngestFunction", "AUTOTASK_SECRET_ARN") && !has("SchedulerFunction", "AUTOTASK_SECRET_ARN"));
    assert!(has("ApiFunction", "STORAGE_SECRET_ARN"));
    assert!(has("ApiFunction", "PLATFORMS_SECRET_ARN") && has("WorkerFunction", "PLATFORMS_SECRET_ARN"));
    assert_eq!(
        function_env(&t, "ApiFunction")["AUTOTASK_SECRET_ARN"],
        r("AutotaskSecret"),
        "Ref of a secret is its ARN"
    );
}

// ------------------------------------------------------------------ functions

#[test]
fn every_function_is_a_rust_bootstrap_built_by_cargo_lambda() {
    let t = template();
    let lambdas = of_type(&t, "AWS::Serverless::Function");
    assert_eq!(lambdas.len(), FUNCTIONS.len(), "exactly the four functions");
    assert_eq!(t["Parameters"]["Architecture"]["Default"], "arm64");
    for (function, package) in FUNCTIONS {
        let f = &t["Resources"][function];
        assert_eq!(f["Type"], "AWS::Serverless::Function", "{function}");
        assert_eq!(f["Metadata"]["BuildMethod"], "rust-cargolambda", "{function}");
        assert_eq!(f["Properties"]["CodeUri"], format!("../functions/{package}"), "{function}");
        let manifest = read(&format!("functions/{package}/Cargo.toml"));
        assert!(manifest.contains(&format!("name = \"{package}\"")), "functions/{package} is package {package}");
        assert!(root().join(format!("functions/{package}/src/main.rs")).is_file(), "{package} is a binary");
        assert_eq!(function_prop(&t, function, "Runtime"), "provided.al2023", "{function}");
        assert_eq!(function_prop(&t, function, "Handler"), "bootstrap", "{function}");
        assert_eq!(function_prop(&t, function, "Architectures"), &json!([r("Architecture")]), "{function}");
        assert_eq!(function_prop(&t, function, "Tracing"), "Active", "{function}: X-Ray");
        assert_eq!(t["Globals"]["Function"]["LoggingConfig"]["LogFormat"], "JSON");
        let log_group = &f["Properties"]["LoggingConfig"]["LogGroup"];
        let log_group = log_group["Ref"].as_str().unwrap_or_else(|| panic!("{function} logs to its own group"));
        assert!(t["Resources"][log_group]["Properties"]["RetentionInDays"].is_object(), "{log_group} has a retention");
        assert!(f["Properties"]["MemorySize"].is_u64(), "{function} sets its memory");
        assert!(f["Properties"]["Timeout"].is_u64(), "{function} sets its timeout");
        assert!(f["Properties"]["Policies"].is_null(), "{function}: no SAM policies; its own Role instead");
        assert!(f["Properties"]["Role"]["Fn::GetAtt"].is_array(), "{function} has its own role");
    }
    assert!(t["Resources"]["ApiFunction"]["Properties"]["Timeout"].as_u64().unwrap() <= 29, "under API Gateway's 30 s");
}

// ------------------------------------------------------------------ queues

/// Queue logical id -> its DLQ logical id, from RedrivePolicy.
fn redrives(t: &Value) -> BTreeMap<String, (String, u64)> {
    of_type(t, "AWS::SQS::Queue")
        .into_iter()
        .filter_map(|(name, q)| {
            let rp = &q["Properties"]["RedrivePolicy"];
            let dlq = rp["deadLetterTargetArn"]["Fn::GetAtt"][0].as_str()?;
            Some((name.to_string(), (dlq.to_string(), rp["maxReceiveCount"].as_u64().expect("maxReceiveCount"))))
        })
        .collect()
}

#[test]
fn every_queue_has_a_dlq_and_every_dlq_an_alarm() {
    let t = template();
    let queues: BTreeSet<String> = of_type(&t, "AWS::SQS::Queue").into_iter().map(|(n, _)| n.to_string()).collect();
    let redrives = redrives(&t);
    // DLQs: the targets of a RedrivePolicy, and the schedule's dead-letter queue.
    let mut dlqs: BTreeSet<String> = redrives.values().map(|(d, _)| d.clone()).collect();
    for (_, s) in of_type(&t, "AWS::Scheduler::Schedule") {
        let dlq = s["Properties"]["Target"]["DeadLetterConfig"]["Arn"]["Fn::GetAtt"][0].as_str().expect("schedule DLQ");
        dlqs.insert(dlq.to_string());
    }
    for q in &queues {
        assert!(redrives.contains_key(q) || dlqs.contains(q), "{q} has no dead-letter queue and is none");
        assert!(!(redrives.contains_key(q) && dlqs.contains(q)), "{q} is both a queue and a DLQ");
        assert_eq!(t["Resources"][q]["Properties"]["SqsManagedSseEnabled"], true, "{q} is encrypted");
    }
    for (q, (dlq, max)) in &redrives {
        assert!(queues.contains(dlq), "{q}'s DLQ {dlq} is in the template");
        assert_eq!(*max, u64::from(bc_aws::provision::MAX_RECEIVE_COUNT), "{q} maxReceiveCount as the code assumes");
    }
    // The task queue is the one the code uses, with the DLQ the code counts.
    assert_eq!(redrives["TaskQueue"].0, "TaskDLQ");
    assert_eq!(redrives["MailIngestQueue"].0, "MailIngestDLQ");

    let alarms = of_type(&t, "AWS::CloudWatch::Alarm");
    for dlq in &dlqs {
        let alarm = alarms.iter().find(|(_, a)| {
            let p = &a["Properties"];
            p["Namespace"] == "AWS/SQS"
                && p["MetricName"] == "ApproximateNumberOfMessagesVisible"
                && p["Dimensions"][0]["Value"] == json!({ "Fn::GetAtt": [dlq, "QueueName"] })
        });
        let (name, alarm) = alarm.unwrap_or_else(|| panic!("no depth alarm on {dlq}"));
        let p = &alarm["Properties"];
        assert_eq!(p["Threshold"], 0, "{name}: one message is enough");
        assert_eq!(p["ComparisonOperator"], "GreaterThanThreshold", "{name}");
    }
    for (name, alarm) in &alarms {
        assert_eq!(alarm["Properties"]["AlarmActions"], json!([r("AlarmTopic")]), "{name} notifies the topic");
    }
    assert_eq!(t["Resources"]["AlarmSubscription"]["Properties"]["Endpoint"], r("AlertEmail"));
    assert_eq!(t["Resources"]["AlarmSubscription"]["Condition"], "HasAlertEmail");
}

#[test]
fn every_sqs_event_source_reports_batch_item_failures() {
    let t = template();
    let mut sources = 0;
    for (function, _) in FUNCTIONS {
        let f = &t["Resources"][function]["Properties"];
        let timeout = f["Timeout"].as_u64().unwrap();
        for (name, event) in f["Events"].as_object().into_iter().flatten() {
            if event["Type"] != "SQS" {
                continue;
            }
            sources += 1;
            let p = &event["Properties"];
            assert_eq!(p["FunctionResponseTypes"], json!(["ReportBatchItemFailures"]), "{function}.{name}");
            let queue = p["Queue"]["Fn::GetAtt"][0].as_str().expect("queue");
            let visibility = t["Resources"][queue]["Properties"]["VisibilityTimeout"].as_u64().expect("visibility");
            assert!(visibility >= 6 * timeout, "{queue}: visibility timeout {visibility} < 6 x {function}'s {timeout}");
            assert!(p["ScalingConfig"]["MaximumConcurrency"].is_object(), "{function}.{name} caps its concurrency");
        }
    }
    assert_eq!(sources, 2, "mail-ingest and worker consume queues");
    let ingest = &t["Resources"]["MailIngestFunction"]["Properties"]["Events"]["InboundMail"]["Properties"];
    assert_eq!(ingest["Queue"], arn("MailIngestQueue"));
    let worker = &t["Resources"]["WorkerFunction"]["Properties"]["Events"]["Tasks"]["Properties"];
    assert_eq!(worker["Queue"], arn("TaskQueue"));
}

// ------------------------------------------------------------------ mail path

#[test]
fn mail_goes_ses_to_s3_inbound_to_sqs_to_mail_ingest() {
    let t = template();
    let res = resources(&t);
    let prefix = bc_core::Config::default().inbound_prefix;

    // SES stores under the inbound prefix of the mail bucket.
    let rule = &res["ReceiptRule"]["Properties"];
    assert_eq!(rule["Rule"]["Recipients"], json!([r("MailDomain")]));
    assert_eq!(rule["Rule"]["Enabled"], true);
    let action = &rule["Rule"]["Actions"][0]["S3Action"];
    assert_eq!(action["BucketName"], r("MailBucket"));
    assert_eq!(action["ObjectKeyPrefix"], prefix.as_str());
    assert_eq!(res["ReceiptRule"]["DependsOn"], "MailBucketPolicy", "SES checks the bucket policy at creation");

    // The bucket policy lets SES write there, and nowhere else.
    let statements = res["MailBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"].as_array().unwrap();
    let ses: Vec<&Value> = statements.iter().filter(|s| s["Principal"]["Service"] == "ses.amazonaws.com").collect();
    assert_eq!(ses.len(), 1);
    assert_eq!(ses[0]["Action"], "s3:PutObject");
    assert_eq!(ses[0]["Resource"], sub(&format!("${{MailBucket.Arn}}/{prefix}*")));
    assert_eq!(ses[0]["Condition"]["StringEquals"]["aws:SourceAccount"], r("AWS::AccountId"));
    assert!(
        statements.iter().any(|s| s["Effect"] == "Deny" && s["Condition"]["Bool"]["aws:SecureTransport"] == "false")
    );

    // The bucket: private, encrypted, expiring by the retention parameter.
    let bucket = &res["MailBucket"]["Properties"];
    assert!(bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"].is_array());
    for k in ["BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"] {
        assert_eq!(bucket["PublicAccessBlockConfiguration"][k], true, "{k}");
    }
    let rules = bucket["LifecycleConfiguration"]["Rules"].as_array().unwrap();
    assert!(rules.iter().any(|r_| r_["ExpirationInDays"] == r("MailRetentionDays") && r_["Status"] == "Enabled"));

    // Only inbound/ ObjectCreated events go to the ingest queue: derived
    // blobs under mail/ must not come back as mail.
    let notifications = bucket["NotificationConfiguration"]["QueueConfigurations"].as_array().unwrap();
    assert_eq!(notifications.len(), 1);
    let n = &notifications[0];
    assert_eq!(n["Event"], "s3:ObjectCreated:*");
    assert_eq!(n["Queue"], arn("MailIngestQueue"));
    assert_eq!(n["Filter"]["S3Key"]["Rules"], json!([{ "Name": "prefix", "Value": prefix }]));
    assert!(bucket["NotificationConfiguration"]["LambdaConfigurations"].is_null(), "no direct S3 -> Lambda");

    // The queue lets exactly this bucket send: the policy names the bucket by
    // the same expression the bucket is named by.
    let bucket_name = &bucket["BucketName"]["Fn::Sub"];
    let qp = &res["MailIngestQueuePolicy"]["Properties"];
    assert_eq!(qp["Queues"], json!([r("MailIngestQueue")]));
    let st = &qp["PolicyDocument"]["Statement"][0];
    assert_eq!(st["Principal"]["Service"], "s3.amazonaws.com");
    assert_eq!(st["Action"], "sqs:SendMessage");
    let source = &st["Condition"]["ArnEquals"]["aws:SourceArn"]["Fn::Sub"];
    assert_eq!(source[0], json!(format!("arn:${{AWS::Partition}}:s3:::{}", bucket_name[0].as_str().unwrap())));
    assert_eq!(source[1], bucket_name[1]);
    assert_eq!(res["MailBucket"]["DependsOn"], "MailIngestQueuePolicy");
}

// ------------------------------------------------------------------ IAM

/// What each function may do, and why. Resources as written in the template
/// (CloudFormation long form). tests/tests/lambda_handlers.rs checks that
/// the handlers manage with exactly this.
fn expected_permissions() -> BTreeMap<&'static str, Vec<(&'static str, Value)>> {
    let logs = |group: &str| vec![("logs:CreateLogStream", arn(group)), ("logs:PutLogEvents", arn(group))];
    // X-Ray's write actions have no resource-level permissions: "*" is the only resource.
    let xray = || vec![("xray:PutTraceSegments", json!("*")), ("xray:PutTelemetryRecords", json!("*"))];
    let table = || arn("Table");
    let indexes = || sub("${Table.Arn}/index/*"); // every Query reads a GSI
    let inbound = || sub("${MailBucket.Arn}/inbound/*");
    let derived = || sub("${MailBucket.Arn}/mail/*");
    let consume = |q: &str| {
        ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes"]
            .into_iter()
            .map(|a| (a, arn(q)))
            .collect::<Vec<_>>()
    };
    let decrypt = || ("kms:Decrypt", arn("SecretsKey"));
    // A GetObject of a missing key is 404 NoSuchKey only with ListBucket on
    // the bucket; without it S3 answers 403 AccessDenied.
    let list = || ("s3:ListBucket", arn("MailBucket"));

    let mut m = BTreeMap::new();
    m.insert("ApiRole", {
        let mut v = logs("ApiLogGroup");
        v.extend(xray());
        v.extend([
            ("dynamodb:GetItem", table()),
            ("dynamodb:PutItem", table()),        // and the Puts of TransactWriteItems
            ("dynamodb:UpdateItem", table()),     // login rate-limit counters
            ("dynamodb:DeleteItem", table()),     // logout, counter reset, renames (old name item)
            ("dynamodb:BatchGetItem", table()),   // get_jobs (Run Checks)
            ("dynamodb:BatchWriteItem", table()), // audit entries
            ("dynamodb:Query", indexes()),        // lists
            ("s3:GetObject", inbound()),          // the raw mail view, re-parse
            ("s3:GetObject", derived()),          // bodies, stored reports
            list(),
            ("s3:PutObject", inbound()),           // mail upload
            ("s3:PutObject", derived()),           // ingest of an upload, re-parse
            ("sqs:SendMessage", arn("TaskQueue")), // re-parse batches, test mail
            ("secretsmanager:GetSecretValue", r("AutotaskSecret")),
            ("secretsmanager:GetSecretValue", r("StorageSecret")),
            ("secretsmanager:PutSecretValue", r("AutotaskSecret")), // Autotask settings (write-only credentials)
            ("secretsmanager:PutSecretValue", r("StorageSecret")),  // storage target credentials (write-only)
            ("secretsmanager:GetSecretValue", r("PlatformsSecret")), // backup platform credentials (test connection, retry)
            ("secretsmanager:PutSecretValue", r("PlatformsSecret")), // backup platform credentials (write-only)
            decrypt(),
            ("kms:GenerateDataKey", arn("SecretsKey")), // writing that secret
        ]);
        v
    });
    m.insert("MailIngestRole", {
        let mut v = logs("MailIngestLogGroup");
        v.extend(xray());
        v.extend([
            ("dynamodb:GetItem", table()),
            ("dynamodb:PutItem", table()),
            ("dynamodb:Query", indexes()), // the overrides in effect for a new run
            ("s3:GetObject", inbound()),
            list(),
            ("s3:PutObject", derived()),
        ]);
        v.extend(consume("MailIngestQueue"));
        v
    });
    m.insert("WorkerRole", {
        let mut v = logs("WorkerLogGroup");
        v.extend(xray());
        v.extend([
            ("dynamodb:GetItem", table()),
            ("dynamodb:PutItem", table()),        // claims, operations, run reviews
            ("dynamodb:DeleteItem", table()),     // a claim given back after a failed send
            ("dynamodb:UpdateItem", table()),     // the shared Autotask request budget (a counter)
            ("dynamodb:BatchGetItem", table()),   // the jobs of re-evaluated runs
            ("dynamodb:BatchWriteItem", table()), // audit entries of bulk reviews
            ("dynamodb:Query", indexes()),        // re-parse pages, unreviewed runs
            ("s3:GetObject", inbound()),
            ("s3:GetObject", derived()), // stored reports, for per-object overrides
            list(),
            ("s3:PutObject", derived()),
            ("sqs:SendMessage", arn("TaskQueue")), // the next re-parse page or operation batch
            // SES authorizes SendEmail on the configuration set too.
            (
                "ses:SendEmail",
                sub("arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:configuration-set/${AWS::StackName}-outbound"),
            ),
            ("ses:SendEmail", sub("arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:identity/${MailFrom}")),
            (
                "ses:SendEmail",
                json!({ "Fn::Sub": [
                    "arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:identity/${Domain}",
                    { "Domain": { "Fn::Select": [1, { "Fn::Split": ["@", r("MailFrom")] }] } }
                ] }),
            ),
            ("secretsmanager:GetSecretValue", r("AutotaskSecret")), // ticket calls
            ("secretsmanager:GetSecretValue", r("PlatformsSecret")), // platform syncs
            decrypt(),
        ]);
        v.extend(consume("TaskQueue"));
        v
    });
    m.insert("SchedulerRole", {
        let mut v = logs("SchedulerLogGroup");
        v.extend(xray());
        v.extend([
            ("dynamodb:GetItem", table()),
            ("dynamodb:PutItem", table()), // and bootstrap-admin's user + username items
            ("dynamodb:BatchWriteItem", table()), // purging expired sessions
            ("dynamodb:TransactWriteItems", table()), // a Missed run with its job's next expectation
            ("dynamodb:Query", indexes()), // expired sessions, stuck mails, "are there users?", due jobs
            ("s3:GetObject", inbound()),   // resuming a stuck ingest
            list(),
            ("s3:PutObject", derived()),
            ("sqs:SendMessage", arn("TaskQueue")), // re-applying overrides at a window edge
        ]);
        v
    });
    m.insert(
        "TickRole",
        vec![("lambda:InvokeFunction", arn("SchedulerFunction")), ("sqs:SendMessage", arn("TickDLQ"))],
    );
    m
}

/// Every (action, resource) pair a role's inline policies allow.
fn granted(role: &Value) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for policy in role["Properties"]["Policies"].as_array().expect("inline policies") {
        for st in policy["PolicyDocument"]["Statement"].as_array().expect("statements") {
            assert_eq!(st["Effect"], "Allow");
            assert!(st["NotAction"].is_null() && st["NotResource"].is_null(), "no NotAction / NotResource");
            for action in as_list(&st["Action"]) {
                for resource in as_list(&st["Resource"]) {
                    out.insert((action.as_str().expect("action").to_string(), resource.to_string()));
                }
            }
        }
    }
    out
}

#[test]
fn no_function_has_a_policy_wider_than_it_needs() {
    let t = template();
    let roles = of_type(&t, "AWS::IAM::Role");
    let expected = expected_permissions();
    let names: BTreeSet<&str> = roles.iter().map(|(n, _)| *n).collect();
    assert_eq!(names, expected.keys().copied().collect(), "one role per function, plus the schedule's");
    for (name, role) in &roles {
        assert!(
            role["Properties"]["ManagedPolicyArns"].is_null(),
            "{name}: no managed policies (their resources are *)"
        );
        let got = granted(role);
        let want: BTreeSet<(String, String)> =
            expected[name].iter().map(|(a, r_)| (a.to_string(), r_.to_string())).collect();
        let wider: Vec<_> = got.difference(&want).collect();
        let missing: Vec<_> = want.difference(&got).collect();
        assert!(wider.is_empty(), "{name} allows more than it needs: {wider:#?}");
        assert!(missing.is_empty(), "{name} lacks: {missing:#?}");
        for (action, resource) in &got {
            assert!(!action.ends_with(":*") && action != "*", "{name}: wildcard action {action}");
            if resource == "\"*\"" {
                assert!(action.starts_with("xray:"), "{name}: {action} on * (only X-Ray has no resource ARNs)");
            }
            assert!(!resource.contains("${MailBucket.Arn}/*"), "{name}: the whole bucket; name a prefix");
            if action.starts_with("s3:") && !action.starts_with("s3:ListBucket") {
                assert_ne!(resource, &arn("MailBucket").to_string(), "{name}: {action} on the bucket itself");
            }
        }
    }
    // Each function runs under its own role.
    for (function, role) in [
        ("ApiFunction", "ApiRole"),
        ("MailIngestFunction", "MailIngestRole"),
        ("WorkerFunction", "WorkerRole"),
        ("SchedulerFunction", "SchedulerRole"),
    ] {
        assert_eq!(t["Resources"][function]["Properties"]["Role"], arn(role), "{function}");
    }
    // Reading secrets is only through Secrets Manager.
    for role in ["ApiRole", "WorkerRole"] {
        let statements = &t["Resources"][role]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"];
        for st in statements
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| as_list(&s["Action"])[0].as_str().unwrap().starts_with("kms:"))
        {
            assert_eq!(
                st["Condition"]["StringEquals"]["kms:ViaService"],
                sub("secretsmanager.${AWS::Region}.amazonaws.com"),
                "{role}: the key only through Secrets Manager"
            );
        }
    }
}

#[test]
fn secrets_are_encrypted_with_the_stack_key() {
    let t = template();
    let secrets = of_type(&t, "AWS::SecretsManager::Secret");
    let names: BTreeSet<&str> = secrets.iter().map(|(n, _)| *n).collect();
    assert_eq!(names, BTreeSet::from(["AutotaskSecret", "StorageSecret", "PlatformsSecret", "OriginVerifySecret"]));
    for (name, s) in secrets {
        assert_eq!(s["Properties"]["KmsKeyId"], r("SecretsKey"), "{name}");
    }
    assert_eq!(t["Resources"]["SecretsKey"]["Properties"]["EnableKeyRotation"], true);
}

// ------------------------------------------------------------------ schedule

#[test]
fn the_scheduler_ticks_every_minute() {
    let t = template();
    let schedules = of_type(&t, "AWS::Scheduler::Schedule");
    assert_eq!(schedules.len(), 1);
    let p = &schedules[0].1["Properties"];
    assert_eq!(p["ScheduleExpression"], "rate(1 minute)");
    assert_eq!(p["State"], "ENABLED");
    assert_eq!(p["Target"]["Arn"], arn("SchedulerFunction"));
    assert_eq!(p["Target"]["RoleArn"], arn("TickRole"));
    let input: Value =
        serde_json::from_str(p["Target"]["Input"].as_str().expect("input")).expect("the tick's input is JSON");
    assert_eq!(input["source"], "backupchecks.scheduler");
}

// ------------------------------------------------------------------ web

#[test]
fn site_and_api_share_one_cloudfront_origin() {
    let t = template();
    let res = resources(&t);
    let dist = &res["Distribution"]["Properties"]["DistributionConfig"];
    let origins = dist["Origins"].as_array().unwrap();
    let origin = |id: &str| origins.iter().find(|o| o["Id"] == id).unwrap_or_else(|| panic!("origin {id}"));
    assert_eq!(origin("site")["DomainName"], json!({ "Fn::GetAtt": ["SiteBucket", "RegionalDomainName"] }));
    assert_eq!(origin("site")["OriginAccessControlId"], json!({ "Fn::GetAtt": ["SiteOriginAccessControl", "Id"] }));
    assert_eq!(origin("api")["DomainName"], sub("${HttpApi}.execute-api.${AWS::Region}.amazonaws.com"));
    assert_eq!(origin("api")["CustomOriginConfig"]["OriginProtocolPolicy"], "https-only");

    // The UI: HTTPS, the SPA rewrite, the security headers.
    let default = &dist["DefaultCacheBehavior"];
    assert_eq!(default["TargetOriginId"], "site");
    assert_eq!(default["ViewerProtocolPolicy"], "redirect-to-https");
    assert_eq!(default["FunctionAssociations"][0]["EventType"], "viewer-request");
    assert!(dist["CustomErrorResponses"].is_null(), "error rewriting would also hide the API's 404s");
    let rewrite = res["SpaRewrite"]["Properties"]["FunctionCode"].as_str().unwrap();
    assert!(rewrite.contains("/index.html"));
    let headers = &res[default["ResponseHeadersPolicyId"]["Ref"].as_str().unwrap()]["Properties"]["ResponseHeadersPolicyConfig"]
        ["SecurityHeadersConfig"];
    let csp = headers["ContentSecurityPolicy"]["ContentSecurityPolicy"].as_str().unwrap();
    assert!(csp.contains("frame-ancestors 'none'") && csp.contains("'wasm-unsafe-eval'"), "{csp}");
    // The same policy the local server sends with the UI.
    let local = read("shared/http/src/static_files.rs");
    let start = local.find("const APP_CSP: &str = \"").expect("APP_CSP") + "const APP_CSP: &str = \"".len();
    let end = start + local[start..].find("\";").unwrap();
    let local_csp: String = local[start..end].replace("\\\n", "").split_whitespace().collect::<Vec<_>>().join(" ");
    assert_eq!(csp, local_csp, "CloudFront's CSP differs from shared/http/src/static_files.rs");
    assert!(headers["StrictTransportSecurity"]["AccessControlMaxAgeSec"].as_u64().unwrap() >= 31_536_000);
    assert_eq!(headers["FrameOptions"]["FrameOption"], "DENY");

    // The API: same distribution (first-party cookie), nothing cached,
    // cookies and query strings forwarded.
    let api = dist["CacheBehaviors"].as_array().unwrap().iter().find(|b| b["PathPattern"] == "/api/*").expect("/api/*");
    assert_eq!(api["TargetOriginId"], "api");
    assert_eq!(api["CachePolicyId"], "4135ea2d-6df8-44a3-9df3-4b5a84be39ad", "Managed-CachingDisabled");
    assert_eq!(
        api["OriginRequestPolicyId"], "b689b0a8-53d0-40ab-baf2-68738e2966ac",
        "Managed-AllViewerExceptHostHeader"
    );
    assert!(api["AllowedMethods"].as_array().unwrap().contains(&json!("POST")));
    let api_headers = &res[api["ResponseHeadersPolicyId"]["Ref"].as_str().unwrap()]["Properties"]["ResponseHeadersPolicyConfig"]
        ["SecurityHeadersConfig"];
    assert_eq!(api_headers["ContentSecurityPolicy"]["Override"], false, "a mail body keeps its own sandbox CSP");

    // The HTTP API: /api/* to the api function, throttled.
    assert_eq!(res["HttpApi"]["Properties"]["ProtocolType"], "HTTP");
    assert_eq!(res["ApiRoute"]["Properties"]["RouteKey"], "ANY /api/{proxy+}");
    assert_eq!(res["ApiIntegration"]["Properties"]["IntegrationUri"], arn("ApiFunction"));
    assert_eq!(res["ApiIntegration"]["Properties"]["PayloadFormatVersion"], "2.0");
    let stage = &res["ApiStage"]["Properties"];
    assert_eq!(stage["DefaultRouteSettings"]["ThrottlingRateLimit"], r("ApiRateLimit"));
    assert_eq!(stage["DefaultRouteSettings"]["ThrottlingBurstLimit"], r("ApiBurstLimit"));

    // The site bucket is private and only CloudFront reads it.
    let site = &res["SiteBucket"]["Properties"];
    assert_eq!(site["PublicAccessBlockConfiguration"]["RestrictPublicBuckets"], true);
    let st = &res["SiteBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"][0];
    assert_eq!(st["Principal"]["Service"], "cloudfront.amazonaws.com");
    assert_eq!(st["Action"], "s3:GetObject");
}

#[test]
fn outputs_name_what_operators_need() {
    let t = template();
    let outputs = t["Outputs"].as_object().unwrap();
    for o in
        ["SiteUrl", "ApiUrl", "InboundMailAddress", "TableName", "MailBucketName", "SiteBucketName", "DistributionId"]
    {
        assert!(outputs.contains_key(o), "output {o}");
    }
    assert_eq!(outputs["TableName"]["Value"], r("Table"));
    assert_eq!(outputs["MailBucketName"]["Value"], r("MailBucket"));
    assert!(outputs["InboundMailAddress"]["Value"].to_string().contains("${MailDomain}"));
}

#[test]
fn samconfig_points_at_the_template() {
    let cfg = read("samconfig.toml");
    assert!(cfg.contains("template_file = \"infra/template.yaml\""));
    assert!(cfg.contains("[default.deploy.parameters]"));
}

// ------------------------------------------------------------------ hardening

/// Every alarm notifies the topic, when it fires and when it recovers.
fn alarms(t: &Value) -> Vec<(&str, &Value)> {
    let alarms = of_type(t, "AWS::CloudWatch::Alarm");
    for (name, a) in &alarms {
        assert_eq!(a["Properties"]["AlarmActions"], json!([r("AlarmTopic")]), "{name}");
        assert_eq!(a["Properties"]["OKActions"], json!([r("AlarmTopic")]), "{name}");
    }
    alarms
}

fn alarm_on<'a>(t: &'a Value, namespace: &str, metric: &str, dimension: &Value) -> Option<&'a Value> {
    alarms(t).into_iter().map(|(_, a)| &a["Properties"]).find(|p| {
        p["Namespace"] == namespace
            && p["MetricName"] == metric
            && as_list(&p["Dimensions"]).iter().any(|d| &d["Value"] == dimension)
    })
}

#[test]
fn every_function_alarms_on_errors_and_throttles() {
    let t = template();
    for (function, _) in FUNCTIONS {
        for metric in ["Errors", "Throttles"] {
            let a = alarm_on(&t, "AWS/Lambda", metric, &r(function))
                .unwrap_or_else(|| panic!("{function}: no {metric} alarm"));
            assert_eq!(a["Dimensions"][0]["Name"], "FunctionName");
            assert_eq!(a["ComparisonOperator"], "GreaterThanThreshold", "{function} {metric}");
            assert_eq!(a["Threshold"], 0, "{function} {metric}: any is worth a look");
        }
    }
}

#[test]
fn queues_alarm_on_age_and_dlqs_on_depth() {
    let t = template();
    let redrives = redrives(&t);
    for (queue, (dlq, _)) in &redrives {
        let age =
            alarm_on(&t, "AWS/SQS", "ApproximateAgeOfOldestMessage", &json!({ "Fn::GetAtt": [queue, "QueueName"] }))
                .unwrap_or_else(|| panic!("{queue}: no age alarm"));
        assert_eq!(age["ComparisonOperator"], "GreaterThanThreshold");
        assert!(age["Threshold"].as_u64().unwrap() <= 900, "{queue}: a quarter of an hour at most");
        let depth =
            alarm_on(&t, "AWS/SQS", "ApproximateNumberOfMessagesVisible", &json!({ "Fn::GetAtt": [dlq, "QueueName"] }))
                .unwrap_or_else(|| panic!("{dlq}: no depth alarm"));
        assert_eq!(depth["Threshold"], 0, "{dlq}: one message is one too many");
    }
    assert!(redrives.contains_key("TaskQueue") && redrives.contains_key("MailIngestQueue"));
}

#[test]
fn no_mail_for_hours_alarms_on_the_metric_ingest_emits() {
    let t = template();
    let a = alarm_on(&t, bc_lambda::metrics::NAMESPACE, "MailsReceived", &r("MailIngestFunction"))
        .expect("a no-mail alarm on mail-ingest's MailsReceived");
    assert_eq!(a["Dimensions"], json!([{ "Name": "FunctionName", "Value": r("MailIngestFunction") }]));
    assert_eq!(a["Statistic"], "Sum");
    assert_eq!(a["Period"], 3600);
    assert_eq!(a["EvaluationPeriods"], r("NoMailAlarmHours"), "N hours, a template parameter");
    assert_eq!(a["DatapointsToAlarm"], r("NoMailAlarmHours"), "every hour of the N without mail");
    assert_eq!(a["ComparisonOperator"], "LessThanThreshold");
    assert_eq!(a["Threshold"], 1);
    assert_eq!(a["TreatMissingData"], "breaching", "no data at all is the failure itself");
    let p = &t["Parameters"]["NoMailAlarmHours"];
    assert_eq!(p["Type"], "Number");
    // CloudWatch: Period x EvaluationPeriods at most 7 days.
    assert!(p["MaxValue"].as_u64().unwrap() * 3600 <= 7 * 86_400);

    // The handler emits that metric with that dimension (the function's own name).
    let docs = bc_lambda::metrics::IngestMetrics::default().documents("fn", 0);
    let meta = &docs[0]["_aws"]["CloudWatchMetrics"][0];
    assert_eq!(meta["Namespace"], bc_lambda::metrics::NAMESPACE);
    assert_eq!(meta["Dimensions"], json!([["FunctionName"]]));
    assert!(meta["Metrics"].as_array().unwrap().iter().any(|m| m["Name"] == "MailsReceived"));
    // Lambda's platform REPORT lines are INFO: they must not be filtered out.
    let logging = &t["Globals"]["Function"]["LoggingConfig"];
    assert_eq!(logging["LogFormat"], "JSON");
    assert_eq!(logging["SystemLogLevel"], "INFO");
}

#[test]
fn outgoing_mail_goes_through_a_configuration_set_with_bounce_and_complaint_events() {
    let t = template();
    let res = resources(&t);
    let set = &res["ConfigurationSet"]["Properties"];
    let name = sub("${AWS::StackName}-outbound");
    assert_eq!(set["Name"], name);
    // Every function's mailer reads the set's name (shared/aws/src/mailer.rs).
    for (function, _) in FUNCTIONS {
        assert_eq!(function_env(&t, function)["SES_CONFIGURATION_SET"], name, "{function}");
    }
    assert!(read("shared/aws/src/mailer.rs").contains("var(\"SES_CONFIGURATION_SET\")"));
    let destinations = of_type(&t, "AWS::SES::ConfigurationSetEventDestination");
    assert_eq!(destinations.len(), 2, "metrics and notifications");
    let mut kinds = BTreeSet::new();
    for (dname, d) in destinations {
        let p = &d["Properties"];
        assert_eq!(p["ConfigurationSetName"], r("ConfigurationSet"), "{dname}");
        let e = &p["EventDestination"];
        assert_eq!(e["Enabled"], true, "{dname}");
        let types = as_list(&e["MatchingEventTypes"]);
        assert!(types.contains(&json!("bounce")) && types.contains(&json!("complaint")), "{dname}: {types:?}");
        if e["SnsDestination"].is_object() {
            kinds.insert("sns");
            assert_eq!(e["SnsDestination"]["TopicARN"], r("MailEventsTopic"));
        }
        if e["CloudWatchDestination"].is_object() {
            kinds.insert("cloudwatch");
        }
    }
    assert_eq!(kinds, BTreeSet::from(["cloudwatch", "sns"]));
    assert_eq!(res["MailEventsTopic"]["Properties"]["KmsMasterKeyId"], r("SecretsKey"));
    for metric in ["Bounce", "Complaint"] {
        let a = alarm_on(&t, "AWS/SES", metric, &r("ConfigurationSet")).unwrap_or_else(|| panic!("no {metric} alarm"));
        assert_eq!(a["Dimensions"][0]["Name"], "ses:configuration-set");
    }
    // The worker may send through the set (SES checks both resources).
    let worker = granted(&res["WorkerRole"]);
    assert!(worker.contains(&(
        "ses:SendEmail".to_string(),
        sub("arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:configuration-set/${AWS::StackName}-outbound")
            .to_string()
    )));
}

#[test]
fn the_api_is_reachable_only_through_cloudfront() {
    let t = template();
    let res = resources(&t);
    let dist = &res["Distribution"]["Properties"]["DistributionConfig"];
    let api = dist["Origins"].as_array().unwrap().iter().find(|o| o["Id"] == "api").expect("api origin");
    let headers = api["OriginCustomHeaders"].as_array().expect("origin custom headers");
    assert_eq!(headers.len(), 1);
    assert!(headers[0]["HeaderName"].as_str().unwrap().eq_ignore_ascii_case(bc_http::origin::ORIGIN_VERIFY_HEADER));
    let value = &headers[0]["HeaderValue"];
    // The same value in the api function, from a generated secret, by name.
    let env = function_env(&t, "ApiFunction");
    assert_eq!(&env["ORIGIN_VERIFY_SECRET"], value, "the header CloudFront sends is the one the api expects");
    assert!(!function_env(&t, "WorkerFunction").contains_key("ORIGIN_VERIFY_SECRET"));
    let secret = &res["OriginVerifySecret"]["Properties"];
    let name = secret["Name"]["Fn::Sub"].as_str().expect("a named secret");
    assert_eq!(value, &sub(&format!("{{{{resolve:secretsmanager:{name}}}}}")), "a dynamic reference to the secret");
    assert!(secret["GenerateSecretString"]["PasswordLength"].as_u64().unwrap() >= 32, "generated, long");
    assert_eq!(secret["GenerateSecretString"]["ExcludePunctuation"], true, "header-safe");
    // Resolved by name: the users must wait for it.
    assert_eq!(res["ApiFunction"]["DependsOn"], "OriginVerifySecret");
    assert_eq!(res["Distribution"]["DependsOn"], "OriginVerifySecret");
    // The api Lambda switches the check on from that variable.
    let main = read("functions/api/src/main.rs");
    assert!(main.contains("require_origin_secret") && main.contains("var(\"ORIGIN_VERIFY_SECRET\")"));
    // CloudFront forwards its CloudFront-Viewer-Address header to the api
    // (Managed-AllViewerExceptHostHeader includes the CloudFront headers).
    let behavior =
        dist["CacheBehaviors"].as_array().unwrap().iter().find(|b| b["PathPattern"] == "/api/*").expect("/api/*");
    assert_eq!(behavior["OriginRequestPolicyId"], "b689b0a8-53d0-40ab-baf2-68738e2966ac");
}

#[test]
fn stateful_resources_keep_their_data() {
    let t = template();
    let res = resources(&t);
    for name in ["Table", "MailBucket", "SiteBucket", "SecretsKey", "AutotaskSecret", "StorageSecret"] {
        assert_eq!(res[name]["DeletionPolicy"], "Retain", "{name}: kept when the stack is deleted");
        assert_eq!(res[name]["UpdateReplacePolicy"], "Retain", "{name}: kept when it is replaced");
    }
    // Every bucket, table, key and credential secret is in that list.
    for (name, r_) in res {
        let ty = r_["Type"].as_str().unwrap();
        if matches!(ty, "AWS::S3::Bucket" | "AWS::DynamoDB::Table" | "AWS::KMS::Key") {
            assert_eq!(r_["DeletionPolicy"], "Retain", "{name}");
        }
    }
    // The mail bucket is versioned; old versions expire.
    let mail = &res["MailBucket"]["Properties"];
    assert_eq!(mail["VersioningConfiguration"]["Status"], "Enabled");
    let rules = mail["LifecycleConfiguration"]["Rules"].as_array().unwrap();
    assert!(rules.iter().any(|r_| r_["NoncurrentVersionExpiration"]["NoncurrentDays"] == r("MailNoncurrentDays")));
    assert!(rules.iter().any(|r_| r_["ExpiredObjectDeleteMarker"] == true));
    assert_eq!(res["SiteBucket"]["Properties"]["VersioningConfiguration"]["Status"], "Enabled");
}

#[test]
fn the_key_policy_is_scoped() {
    let t = template();
    let statements = t["Resources"]["SecretsKey"]["Properties"]["KeyPolicy"]["Statement"].as_array().unwrap().clone();
    let root = sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:root");
    for st in &statements {
        let sid = st["Sid"].as_str().unwrap_or("?");
        assert_eq!(st["Effect"], "Allow", "{sid}");
        let actions = as_list(&st["Action"]);
        assert!(!actions.contains(&json!("kms:*")), "{sid}: no kms:*");
        let uses_data_keys = actions.iter().any(|a| {
            let a = a.as_str().unwrap();
            a == "kms:Decrypt"
                || a.starts_with("kms:GenerateDataKey")
                || a == "kms:Encrypt"
                || a.starts_with("kms:ReEncrypt")
        });
        if uses_data_keys {
            assert!(st["Condition"].is_object(), "{sid}: using the key needs a condition");
        }
        if st["Principal"]["AWS"] == root && uses_data_keys {
            let via = as_list(&st["Condition"]["StringEquals"]["kms:ViaService"]);
            assert_eq!(
                via,
                vec![sub("secretsmanager.${AWS::Region}.amazonaws.com"), sub("sns.${AWS::Region}.amazonaws.com")],
                "{sid}: the account uses the key only through Secrets Manager and SNS"
            );
        }
        if st["Principal"]["Service"].is_string() {
            assert_eq!(st["Condition"]["StringEquals"]["aws:SourceAccount"], r("AWS::AccountId"), "{sid}");
        }
    }
    // Someone can always administer it (no lockout).
    assert!(
        statements
            .iter()
            .any(|st| st["Principal"]["AWS"] == root && as_list(&st["Action"]).contains(&json!("kms:Put*")))
    );
}
