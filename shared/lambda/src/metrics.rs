//! Business metrics as CloudWatch Embedded Metric Format (EMF): one JSON
//! line on stdout per metric document, which CloudWatch Logs turns into
//! metrics in the `Backupchecks` namespace. No SDK call, no extra
//! permission, no latency: Lambda already ships stdout to the log group.
//!
//! `mail-ingest` counts what one batch did ([`IngestMetrics`]) and writes it
//! when the batch is done. The template's `NoMailAlarm` watches
//! `MailsReceived` (dimension `FunctionName`) and treats missing data as
//! breaching: no line at all for N hours is exactly "no mail arrives".

use std::collections::BTreeMap;

use bc_core::ingest::IngestOutcome;
use serde_json::{Map, Value, json};

/// The CloudWatch namespace of every metric here.
pub const NAMESPACE: &str = "Backupchecks";

/// What one `mail-ingest` batch did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct IngestMetrics {
    /// Stored mails handled successfully, duplicates included: mail arrived.
    pub received: u64,
    /// Of those, redeliveries of a mail already known.
    pub duplicates: u64,
    /// New mails no parser understood (they wait in the Inbox as unparsed).
    pub parse_failures: u64,
    /// Ingests that failed (retried by SQS, then the DLQ).
    pub failures: u64,
    /// New runs by status (`Success`, `Warning`, `Failed`).
    pub runs: BTreeMap<String, u64>,
}

impl IngestMetrics {
    /// One successful ingest.
    pub fn record(&mut self, out: &IngestOutcome) {
        self.received += 1;
        if out.duplicate {
            self.duplicates += 1;
            return;
        }
        if !out.mail.parse.ok {
            self.parse_failures += 1;
        }
        if let Some(run) = &out.run {
            *self.runs.entry(format!("{:?}", run.status)).or_default() += 1;
        }
    }

    /// One failed ingest.
    pub fn failed(&mut self) {
        self.failures += 1;
    }

    /// The EMF documents: the batch's counts with the dimension
    /// `FunctionName`, and one `Runs` document per run status with
    /// `FunctionName, Status`.
    pub fn documents(&self, function: &str, timestamp_ms: i64) -> Vec<Value> {
        let mut docs = vec![emf(
            function,
            timestamp_ms,
            &[],
            &[
                ("MailsReceived", self.received),
                ("MailsDuplicate", self.duplicates),
                ("ParseFailures", self.parse_failures),
                ("IngestFailures", self.failures),
                ("RunsCreated", self.runs.values().sum()),
            ],
        )];
        for (status, n) in &self.runs {
            docs.push(emf(function, timestamp_ms, &[("Status", status)], &[("Runs", *n)]));
        }
        docs
    }

    /// Writes the documents to stdout, one line each, for the function this
    /// process is (`AWS_LAMBDA_FUNCTION_NAME`, set by Lambda).
    pub fn emit(&self) {
        let function = std::env::var("AWS_LAMBDA_FUNCTION_NAME").unwrap_or_else(|_| "local".into());
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or_default();
        let lines: String = self.documents(&function, now).iter().map(|d| format!("{d}\n")).collect();
        // One write, so the lines are not interleaved with log lines.
        use std::io::Write;
        let _ = std::io::stdout().lock().write_all(lines.as_bytes());
    }
}

/// One EMF document: `_aws` metadata naming the metrics (all `Count`) and
/// dimensions, and the values as top-level members.
fn emf(function: &str, timestamp_ms: i64, dims: &[(&str, &str)], metrics: &[(&str, u64)]) -> Value {
    let mut names = vec!["FunctionName"];
    names.extend(dims.iter().map(|(k, _)| *k));
    let mut doc = Map::new();
    doc.insert(
        "_aws".into(),
        json!({
            "Timestamp": timestamp_ms,
            "CloudWatchMetrics": [{
                "Namespace": NAMESPACE,
                "Dimensions": [names],
                "Metrics": metrics.iter().map(|(m, _)| json!({"Name": m, "Unit": "Count"})).collect::<Vec<_>>(),
            }],
        }),
    );
    doc.insert("FunctionName".into(), json!(function));
    for (k, v) in dims {
        doc.insert((*k).into(), json!(v));
    }
    for (m, v) in metrics {
        doc.insert((*m).into(), json!(v));
    }
    Value::Object(doc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_follow_the_embedded_metric_format() {
        let mut m = IngestMetrics { received: 3, duplicates: 1, parse_failures: 1, ..Default::default() };
        m.failed();
        m.runs.insert("Failed".into(), 1);
        m.runs.insert("Success".into(), 2);
        let docs = m.documents("bc-MailIngestFunction-x", 1_700_000_000_000);
        assert_eq!(docs.len(), 3, "the batch, and one per run status");
        let d = &docs[0];
        let meta = &d["_aws"]["CloudWatchMetrics"][0];
        assert_eq!(d["_aws"]["Timestamp"], 1_700_000_000_000i64);
        assert_eq!(meta["Namespace"], "Backupchecks");
        assert_eq!(meta["Dimensions"], json!([["FunctionName"]]));
        assert_eq!(d["FunctionName"], "bc-MailIngestFunction-x");
        // Every metric named in the metadata has a value at the top level.
        for metric in meta["Metrics"].as_array().unwrap() {
            assert_eq!(metric["Unit"], "Count");
            assert!(d[metric["Name"].as_str().unwrap()].is_u64(), "{metric}");
        }
        assert_eq!(
            (&d["MailsReceived"], &d["MailsDuplicate"], &d["ParseFailures"], &d["IngestFailures"], &d["RunsCreated"]),
            (&json!(3), &json!(1), &json!(1), &json!(1), &json!(3))
        );
        assert_eq!(docs[1]["_aws"]["CloudWatchMetrics"][0]["Dimensions"], json!([["FunctionName", "Status"]]));
        assert_eq!((&docs[1]["Status"], &docs[1]["Runs"]), (&json!("Failed"), &json!(1)));
        assert_eq!((&docs[2]["Status"], &docs[2]["Runs"]), (&json!("Success"), &json!(2)));
        // Each document is one line.
        assert!(!d.to_string().contains('\n'));
    }

    #[test]
    fn an_empty_batch_still_reports_zero() {
        let docs = IngestMetrics::default().documents("f", 0);
        assert_eq!(docs.len(), 1);
        assert_eq!(docs[0]["MailsReceived"], 0);
    }
}
