//! The re-index of runs reviewed before the Reviewed view's index existed
//! (DynamoDB's `REVIEWED#{day}` key on GSI2): an admin starts it (audited),
//! the worker runs it batch by batch (task `ReindexReviewedRuns`, resumable
//! from its cursor, idempotent: a run already indexed is left alone), and
//! the last batch leaves an audit entry with the totals.

use bc_api_types::{self as api, Permission};
use serde_json::json;

use crate::app::App;
use crate::audit::{Change, audit_entry};
use crate::auth::permissions::Actor;
use crate::error::{Error, Result};
use crate::tasks::task::Task;

/// Runs examined per batch (one task message).
pub const REINDEX_BATCH: usize = 200;

impl App {
    /// Queues the re-index from the start. Harmless to start twice: the
    /// second pass finds nothing left to write.
    pub async fn start_reindex_reviewed(&self, actor: &Actor) -> Result<api::ReindexQueued> {
        actor.require(Permission::ManageSettings)?;
        self.enqueue(&Task::ReindexReviewedRuns { cursor: None, examined: 0, rewritten: 0 }).await?;
        self.audit(audit_entry(self, actor, "maintenance", "reindex_reviewed_runs", "start", Change::default()))
            .await?;
        Ok(api::ReindexQueued { queued: 1 })
    }

    /// One batch (task `ReindexReviewedRuns`); queues the next with the
    /// running totals, or records them when done.
    pub(crate) async fn reindex_reviewed_batch(
        &self,
        cursor: Option<&str>,
        examined: u64,
        rewritten: u64,
    ) -> Result<()> {
        let batch = self.store.reindex_reviewed_runs(cursor, REINDEX_BATCH).await.map_err(Error::from)?;
        let (examined, rewritten) = (examined + batch.examined as u64, rewritten + batch.rewritten as u64);
        tracing::info!(examined, rewritten, done = batch.next_cursor.is_none(), "re-index of reviewed runs");
        match batch.next_cursor {
            Some(next) => {
                self.enqueue(&Task::ReindexReviewedRuns { cursor: Some(next), examined, rewritten }).await?;
            }
            None => {
                let change = Change::fields(json!({}), json!({"runs_examined": examined, "runs_rewritten": rewritten}));
                let entry =
                    audit_entry(self, &Actor::system(), "maintenance", "reindex_reviewed_runs", "finish", change);
                self.audit(entry).await?;
            }
        }
        Ok(())
    }
}
