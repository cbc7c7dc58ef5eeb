//! [`JobRepo`]: jobs by id (also in batches), listed by name from GSI1 (all
//! jobs) or GSI2 (one customer's), other filters as FilterExpressions.

use std::collections::HashMap;

use async_trait::async_trait;
use bc_core::jobs::repo::{JobFilter, JobRepo};
use bc_core::model::{Job, Page};
use bc_core::ports::PortResult;

use super::items::{JOB_NAME_FOLDED, Record, customer_jobs_pk, s, to_item, to_item_with_version};
use super::schema::{Index, JOBS, fold};
use super::{Cond, DynamoStore, Filter, Query, decode_all};

fn filter_of(f: &JobFilter) -> Filter {
    let mut filter = Filter::default();
    if let Some(software) = &f.software {
        filter = filter.and("#software = :software", &[("#software", "software")], &[(":software", s(software))]);
    }
    if let Some(status) = f.last_status {
        filter = filter.and(
            "#last_run.#status = :status",
            &[("#last_run", "last_run"), ("#status", "status")],
            &[(":status", s(status.as_str()))],
        );
    }
    if let Some(search) = f.search.as_deref().filter(|q| !q.is_empty()) {
        // A name part, or a source job id (a platform's job id, a native policy id) whole.
        filter = filter.and(
            "(contains(#name_folded, :search) OR #source.#ext = :source_id OR #source.#policy = :source_id)",
            &[
                ("#name_folded", JOB_NAME_FOLDED),
                ("#source", "source"),
                ("#ext", "external_id"),
                ("#policy", "policy_id"),
            ],
            &[(":search", s(fold(search))), (":source_id", s(search.trim()))],
        );
    }
    match f.archived {
        Some(true) => {
            filter =
                filter.and("attribute_exists(#lc.#archived)", &[("#lc", "lifecycle"), ("#archived", "archived")], &[])
        }
        Some(false) => {
            filter = filter.and(
                "attribute_not_exists(#lc.#archived)",
                &[("#lc", "lifecycle"), ("#archived", "archived")],
                &[],
            )
        }
        None => {}
    }
    match f.source {
        Some(bc_api_types::JobSourceKind::Mail) => {
            filter = filter.and("attribute_not_exists(#source)", &[("#source", "source")], &[])
        }
        Some(kind) => {
            filter = filter.and(
                "#source.#kind = :source",
                &[("#source", "source"), ("#kind", "kind")],
                &[(":source", s(kind.as_str()))],
            )
        }
        None => {}
    }
    if let Some(job_type) = &f.job_type {
        filter = filter.and("#job_type = :job_type", &[("#job_type", "job_type")], &[(":job_type", s(job_type))]);
    }
    if let Some(from) = f.last_run_from {
        filter = filter.and(
            "#last_run.#at >= :from",
            &[("#last_run", "last_run"), ("#at", "at")],
            &[(":from", s(time_text(from)))],
        );
    }
    if let Some(to) = f.last_run_to {
        filter = filter.and(
            "#last_run.#at < :to",
            &[("#last_run", "last_run"), ("#at", "at")],
            &[(":to", s(time_text(to)))],
        );
    }
    filter
}

/// The form serde writes a `DateTime<Utc>` in (so the stored text compares in time order).
fn time_text(t: chrono::DateTime<chrono::Utc>) -> String {
    serde_json::to_value(t).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
}

#[async_trait]
impl JobRepo for DynamoStore {
    async fn insert_job(&self, job: &Job) -> PortResult<bool> {
        self.put(to_item(job)?, Some(Cond::Absent), "PutItem (insert_job)").await
    }

    async fn get_job(&self, id: &str) -> PortResult<Option<Job>> {
        self.get_record(id, "GetItem (get_job)").await
    }

    /// In the order asked, each id once.
    async fn get_jobs(&self, ids: &[String]) -> PortResult<Vec<Job>> {
        let keys = ids.iter().map(|id| Job::key_of(id)).collect();
        let found: Vec<Job> = decode_all(self.batch_get(keys, "BatchGetItem (get_jobs)").await?)?;
        let mut by_id: HashMap<String, Job> = found.into_iter().map(|j| (j.id.clone(), j)).collect();
        Ok(ids.iter().filter_map(|id| by_id.remove(id)).collect())
    }

    async fn update_job(&self, job: &Job) -> PortResult<()> {
        let item = to_item_with_version(job, job.version + 1)?;
        self.put_versioned(item, job.version, &format!("job {}", job.id), "PutItem (update_job)").await
    }

    async fn delete_job(&self, id: &str) -> PortResult<bool> {
        self.delete_returning(Job::key_of(id), "DeleteItem (delete_job)").await
    }

    async fn list_jobs(&self, filter: &JobFilter, cursor: Option<&str>, limit: usize) -> PortResult<Page<Job>> {
        let q = match &filter.customer_id {
            Some(customer_id) => Query::new(Index::Gsi2, customer_jobs_pk(customer_id)),
            None => Query::new(Index::Gsi1, JOBS),
        }
        .filter(filter_of(filter));
        let (items, next_cursor) = self.query_page(&q, cursor, limit, "Query (list_jobs)").await?;
        Ok(Page { items: decode_all(items)?, next_cursor })
    }
}
