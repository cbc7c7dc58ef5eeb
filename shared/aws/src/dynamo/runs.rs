//! [`RunRepo`]: runs by id, a job's runs newest first (GSI1), Run Checks
//! from the sparse GSI3 that holds only unreviewed runs, and `record_run`,
//! the one transaction that turns a mail into a run.

use std::collections::HashMap;

use async_trait::async_trait;
use bc_api_types::Status;
use bc_core::model::{Page, Run};
use bc_core::ports::{PortError, PortResult};
use bc_core::review::repo::{RecordRun, ReindexBatch, ReviewCount, ReviewedFilter, RunRepo, UnreviewedJob};

use super::items::{Record, job_runs_pk, reviewed_pk, s, to_item, to_item_with_version};
use super::query::Filter;
use super::schema::{Index, UNREVIEWED, key_time};
use super::{Cond, DynamoStore, Query, Range, Tx, decode_all, version_conflict};

/// Conditional writes of a batch in flight at once.
const PARALLEL_WRITES: usize = 16;

#[async_trait]
impl RunRepo for DynamoStore {
    async fn record_run(&self, write: RecordRun<'_>) -> PortResult<bool> {
        let op = "TransactWriteItems (record_run)";
        let RecordRun { run, job, mail } = write;
        let actions = vec![
            self.tx_put(to_item(run)?, Some(Cond::Absent), op)?,
            self.tx_put(to_item_with_version(job, job.version + 1)?, Some(Cond::Version(job.version)), op)?,
            self.tx_put(to_item_with_version(mail, mail.version + 1)?, Some(Cond::Version(mail.version)), op)?,
        ];
        match self.transact(actions, op).await? {
            Tx::Written => Ok(true),
            // Already recorded (a redelivered mail): nothing was written.
            Tx::Cancelled(codes) if Tx::failed(&codes, 0) => Ok(false),
            Tx::Cancelled(codes) if Tx::failed(&codes, 1) => {
                Err(version_conflict(&format!("job {}", job.id), job.version))
            }
            Tx::Cancelled(codes) if Tx::failed(&codes, 2) => {
                Err(version_conflict(&format!("mail {}", mail.id), mail.version))
            }
            Tx::Cancelled(codes) => Err(Tx::other(op, &codes)),
        }
    }

    async fn delete_run(&self, id: &str) -> PortResult<bool> {
        self.delete_returning(Run::key_of(id), "DeleteItem (delete_run)").await
    }

    async fn get_run(&self, id: &str) -> PortResult<Option<Run>> {
        self.get_record(id, "GetItem (get_run)").await
    }

    /// Writing the run re-derives its index attributes: a review drops it
    /// from the unreviewed index, an unreview puts it back.
    async fn update_run(&self, run: &Run) -> PortResult<()> {
        let item = to_item_with_version(run, run.version + 1)?;
        self.put_versioned(item, run.version, &format!("run {}", run.id), "PutItem (update_run)").await
    }

    /// One conditional PutItem per run, [`PARALLEL_WRITES`] at a time. The
    /// runs are independent (no all-or-nothing needed), and a transaction
    /// would cost twice the write capacity per item.
    async fn update_runs(&self, runs: &[Run]) -> PortResult<Vec<bool>> {
        let op = "PutItem (update_runs)";
        let mut out = Vec::with_capacity(runs.len());
        for chunk in runs.chunks(PARALLEL_WRITES) {
            let mut writes = Vec::with_capacity(chunk.len());
            for r in chunk {
                writes.push(self.put(to_item_with_version(r, r.version + 1)?, Some(Cond::Version(r.version)), op));
            }
            for written in futures_util::future::join_all(writes).await {
                out.push(written?);
            }
        }
        Ok(out)
    }

    async fn list_runs(&self, job_id: &str, cursor: Option<&str>, limit: usize) -> PortResult<Page<Run>> {
        let q = Query::new(Index::Gsi1, job_runs_pk(job_id)).newest_first();
        let (items, next_cursor) = self.query_page(&q, cursor, limit, "Query (list_runs)").await?;
        Ok(Page { items: decode_all(items)?, next_cursor })
    }

    /// By job, then `sort_at`, then id (the sparse index's sort key). The
    /// index lags the table a little, so a run reviewed a moment ago may
    /// still be listed: its own `review` says so, and callers check it.
    async fn list_unreviewed_runs(
        &self,
        job_id: Option<&str>,
        cursor: Option<&str>,
        limit: usize,
    ) -> PortResult<Page<Run>> {
        let mut q = Query::new(Index::Gsi3, UNREVIEWED);
        if let Some(job_id) = job_id {
            if job_id.contains('#') {
                return Err(PortError::Invalid(format!("invalid job id {job_id:?}")));
            }
            q = q.range(Range::Prefix(format!("{job_id}#")));
        }
        let (items, next_cursor) = self.query_page(&q, cursor, limit.max(1), "Query (list_unreviewed_runs)").await?;
        let runs: Vec<Run> = decode_all(items)?;
        Ok(Page { items: runs.into_iter().filter(|r| r.review.is_none()).collect(), next_cursor })
    }

    /// Reads the sparse index once (only the attributes it needs) and counts.
    async fn unreviewed_by_job(&self) -> PortResult<Vec<UnreviewedJob>> {
        let q =
            Query::new(Index::Gsi3, UNREVIEWED).project(&["job_id", "status", "review", "started_at", "received_at"]);
        let items = self.query_all(&q, "Query (unreviewed_by_job)").await?;
        let mut by_job: HashMap<String, UnreviewedJob> = HashMap::new();
        for item in items {
            let slim: SlimRun = serde_dynamo::from_item(item)
                .map_err(|e| PortError::Backend(format!("DynamoDB: an unreviewed run is unreadable: {e}")))?;
            if slim.review.is_some() {
                continue;
            }
            let at = slim.started_at.unwrap_or(slim.received_at);
            let e = by_job.entry(slim.job_id.clone()).or_insert_with(|| UnreviewedJob {
                job_id: slim.job_id.clone(),
                success: 0,
                warning: 0,
                failed: 0,
                missed: 0,
                newest: at,
                oldest: at,
            });
            match slim.status {
                Status::Success => e.success += 1,
                Status::Warning => e.warning += 1,
                Status::Failed => e.failed += 1,
                Status::Missed => e.missed += 1,
            }
            e.newest = e.newest.max(at);
            e.oldest = e.oldest.min(at);
        }
        Ok(by_job.into_values().collect())
    }

    /// Day partitions of GSI2 (`REVIEWED#{day}`), newest day first; within
    /// a day newest review first. The cursor is the day and the position in
    /// it. Filters are FilterExpressions.
    async fn list_reviewed_runs(
        &self,
        f: &ReviewedFilter,
        cursor: Option<&str>,
        limit: usize,
    ) -> PortResult<Page<Run>> {
        let limit = limit.max(1);
        let first = f.from.date_naive();
        let (mut day, mut inner) = match cursor {
            Some(c) => {
                let (d, rest) = c.split_once('~').ok_or_else(|| PortError::Invalid("invalid page cursor".into()))?;
                let d = chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d")
                    .map_err(|_| PortError::Invalid("invalid page cursor".into()))?;
                (d, Some(rest.to_string()).filter(|r| !r.is_empty()))
            }
            None => ((f.until - chrono::Duration::microseconds(1)).date_naive(), None),
        };
        let mut filter = Filter::default();
        if let Some(by) = &f.reviewer {
            filter = filter.and("#rv.#by = :by", &[("#rv", "review"), ("#by", "by")], &[(":by", s(by.clone()))]);
        }
        if let Some(c) = &f.customer_id {
            filter = filter.and("#cu = :cu", &[("#cu", "customer_id")], &[(":cu", s(c.clone()))]);
        }
        if let Some(st) = f.status {
            filter = filter.and("#st = :st", &[("#st", "status")], &[(":st", s(st.as_str()))]);
        }
        let range = Range::Between(key_time(f.from), key_time(f.until));
        let mut runs = Vec::new();
        while day >= first {
            let q =
                Query::new(Index::Gsi2, reviewed_pk(day)).range(range.clone()).filter(filter.clone()).newest_first();
            let (items, next) =
                self.query_page(&q, inner.take().as_deref(), limit - runs.len(), "Query (list_reviewed_runs)").await?;
            runs.extend(decode_all::<Run>(items)?);
            if let Some(next) = next {
                return Ok(Page { items: runs, next_cursor: Some(format!("{}~{next}", day.format("%Y-%m-%d"))) });
            }
            day -= chrono::Duration::days(1);
            if runs.len() == limit {
                let more = day >= first;
                return Ok(Page { items: runs, next_cursor: more.then(|| format!("{}~", day.format("%Y-%m-%d"))) });
            }
        }
        Ok(Page { items: runs, next_cursor: None })
    }

    /// One Query per day partition, reading only the review.
    async fn review_counts(
        &self,
        from: chrono::DateTime<chrono::Utc>,
        until: chrono::DateTime<chrono::Utc>,
    ) -> PortResult<Vec<ReviewCount>> {
        let mut counts: std::collections::BTreeMap<(String, String), u32> = std::collections::BTreeMap::new();
        let mut day = from.date_naive();
        let range = Range::Between(key_time(from), key_time(until));
        while day <= until.date_naive() {
            let q = Query::new(Index::Gsi2, reviewed_pk(day)).range(range.clone()).project(&["review"]);
            for item in self.query_all(&q, "Query (review_counts)").await? {
                let slim: SlimReview = serde_dynamo::from_item(item)
                    .map_err(|e| PortError::Backend(format!("DynamoDB: a reviewed run is unreadable: {e}")))?;
                if let Some(r) = slim.review {
                    *counts.entry((day.format("%Y-%m-%d").to_string(), r.by)).or_default() += 1;
                }
            }
            day += chrono::Duration::days(1);
        }
        Ok(counts.into_iter().map(|((day, by), runs)| ReviewCount { day, by, runs }).collect())
    }

    /// See `dynamo::reindex`.
    async fn reindex_reviewed_runs(&self, cursor: Option<&str>, limit: usize) -> PortResult<ReindexBatch> {
        self.reindex_reviewed(cursor, limit).await
    }
}

#[derive(serde::Deserialize)]
struct SlimReview {
    #[serde(default)]
    review: Option<bc_core::model::Review>,
}

/// The attributes of a run that Run Checks counts with.
#[derive(serde::Deserialize)]
struct SlimRun {
    job_id: String,
    status: Status,
    #[serde(default)]
    review: Option<serde_json::Value>,
    #[serde(default)]
    started_at: Option<chrono::DateTime<chrono::Utc>>,
    received_at: chrono::DateTime<chrono::Utc>,
}
