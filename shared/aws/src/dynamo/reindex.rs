//! The re-index of runs reviewed before the Reviewed view's GSI2 key
//! (`REVIEWED#{day}`) existed: every job (GSI1 `JOBS`), then its runs (GSI1
//! `RUNS#{job_id}`), a batch at a time; a reviewed run whose item has no
//! `gsi2pk` is written again with a versioned put, which derives its index
//! attributes as every write does. Queries only, no Scan (the functions'
//! roles have no Scan right); the cursor holds the place in both lists.

use aws_sdk_dynamodb::types::AttributeValue;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use bc_core::model::{Job, Run};
use bc_core::ports::{PortError, PortResult};
use bc_core::review::repo::ReindexBatch;
use serde::{Deserialize, Serialize};

use super::items::{from_item, job_runs_pk, to_item_with_version};
use super::schema::{Index, JOBS};
use super::{Cond, DynamoStore, Query};

/// Where a re-index stands: the jobs list's cursor after the job in hand,
/// that job, and the cursor in its runs.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Place {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    jobs: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    job: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    runs: Option<String>,
}

impl Place {
    fn decode(cursor: &str) -> PortResult<Place> {
        let invalid = || PortError::Invalid("invalid re-index cursor".into());
        let json = URL_SAFE_NO_PAD.decode(cursor.trim()).map_err(|_| invalid())?;
        serde_json::from_slice(&json).map_err(|_| invalid())
    }

    fn encode(&self) -> PortResult<String> {
        let json = serde_json::to_vec(self).map_err(|e| PortError::Backend(format!("re-index cursor: {e}")))?;
        Ok(URL_SAFE_NO_PAD.encode(json))
    }
}

impl DynamoStore {
    pub(crate) async fn reindex_reviewed(&self, cursor: Option<&str>, limit: usize) -> PortResult<ReindexBatch> {
        let op = "PutItem (reindex_reviewed_runs)";
        let mut place = cursor.map(Place::decode).transpose()?.unwrap_or_default();
        let limit = limit.max(1);
        let mut out = ReindexBatch::default();
        while out.examined < limit {
            let job_id = match place.job.clone() {
                Some(id) => id,
                None => {
                    let q = Query::new(Index::Gsi1, JOBS);
                    let (jobs, next) =
                        self.query_page(&q, place.jobs.as_deref(), 1, "Query (reindex_reviewed_runs: jobs)").await?;
                    let Some(item) = jobs.into_iter().next() else {
                        // Every job's runs were seen.
                        return Ok(out);
                    };
                    let job: Job = from_item(item)?;
                    place = Place { jobs: next, job: Some(job.id.clone()), runs: None };
                    job.id
                }
            };
            let q = Query::new(Index::Gsi1, job_runs_pk(&job_id));
            let (items, next) = self
                .query_page(&q, place.runs.as_deref(), limit - out.examined, "Query (reindex_reviewed_runs: runs)")
                .await?;
            for item in items {
                out.examined += 1;
                let indexed = matches!(item.get("gsi2pk"), Some(AttributeValue::S(_)));
                let run: Run = from_item(item)?;
                if run.review.is_none() || indexed {
                    continue;
                }
                // A run written meanwhile derived its keys in that write.
                if self.put(to_item_with_version(&run, run.version + 1)?, Some(Cond::Version(run.version)), op).await? {
                    out.rewritten += 1;
                }
            }
            match next {
                Some(runs) => place.runs = Some(runs),
                None if place.jobs.is_none() => return Ok(out),
                None => place = Place { jobs: place.jobs.take(), job: None, runs: None },
            }
        }
        out.next_cursor = Some(place.encode()?);
        Ok(out)
    }
}
