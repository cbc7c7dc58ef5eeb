//! Bulk operations: work too large for one request (reviewing thousands of
//! runs) runs in the worker, one batch per queued task, with its progress
//! on an [`Operation`] record the UI polls.
//!
//! Redelivery-safe: each task names the operation's step it continues. A
//! task whose step is not the operation's current one does nothing (or, when
//! it is exactly one behind, re-queues the next step in case the first
//! attempt stopped between writing the operation and queueing). Two
//! deliveries of one step race on the operation's version; the loser stops.

use bc_api_types::{self as api, OperationState, Permission};
use serde_json::Value;

use crate::app::App;
use crate::auth::permissions::Actor;
use crate::error::{Error, Result};
use crate::ids;
use crate::model::Operation;
use crate::ports::PortError;
use crate::present;
use crate::tasks::task::Task;

/// What one batch of an operation did.
pub struct StepOutcome {
    /// Items changed by this batch.
    pub changed: u32,
    /// Where the next batch starts.
    pub position: Value,
    pub finished: bool,
}

impl App {
    /// Records a new operation and queues its first batch.
    pub(crate) async fn start_operation(
        &self,
        actor: &Actor,
        kind: &str,
        params: Value,
        total: u32,
    ) -> Result<Operation> {
        let op = Operation {
            id: ids::random_id("o"),
            kind: kind.to_string(),
            state: OperationState::Queued,
            total,
            done: 0,
            error: None,
            created_by: actor.username.clone(),
            created_at: self.clock.now(),
            finished_at: None,
            step: 0,
            params,
            position: Value::Null,
            version: 0,
        };
        self.store.insert_operation(&op).await?;
        self.enqueue(&Task::ContinueOperation { operation_id: op.id.clone(), step: 0 }).await?;
        Ok(op)
    }

    /// A bulk operation's progress.
    pub async fn operation(&self, actor: &Actor, id: &str) -> Result<api::Operation> {
        actor.require(Permission::ViewOperations)?;
        ids::check_id(id, "operation")?;
        let op = self.store.get_operation(id).await?.ok_or(Error::NotFound("operation"))?;
        Ok(present::operation(&op))
    }

    /// Runs the batch of `step` (the worker).
    pub(crate) async fn continue_operation(&self, id: &str, step: u32) -> Result<()> {
        let Some(mut op) = self.store.get_operation(id).await? else {
            tracing::warn!(operation = id, "a task names an unknown operation; dropped");
            return Ok(());
        };
        if matches!(op.state, OperationState::Done | OperationState::Failed) {
            return Ok(());
        }
        if op.step != step {
            if op.step == step + 1 {
                self.enqueue(&Task::ContinueOperation { operation_id: op.id.clone(), step: op.step }).await?;
            }
            return Ok(());
        }
        let outcome = match op.kind.as_str() {
            "review" | "unreview" => self.review_operation_step(&op).await,
            // Moving or removing a job's runs (`jobs::lifecycle`).
            "job_runs" => self.job_runs_step(&op).await,
            other => Err(Error::Invalid(format!("unknown operation kind {other:?}"))),
        };
        let outcome = match outcome {
            Ok(o) => o,
            // Transient: the queue retries this step.
            Err(e @ (Error::Backend(_) | Error::Conflict(_))) => return Err(e),
            Err(e) => {
                op.state = OperationState::Failed;
                op.error = Some(e.to_string());
                op.finished_at = Some(self.clock.now());
                return match self.store.update_operation(&op).await {
                    Ok(()) | Err(PortError::Conflict(_)) => Ok(()),
                    Err(e) => Err(e.into()),
                };
            }
        };
        op.done += outcome.changed;
        op.total = op.total.max(op.done);
        op.position = outcome.position;
        op.step += 1;
        if outcome.finished {
            op.state = OperationState::Done;
            op.finished_at = Some(self.clock.now());
        } else {
            op.state = OperationState::Running;
        }
        match self.store.update_operation(&op).await {
            Ok(()) => {}
            // Another delivery of this step won; it queues the next.
            Err(PortError::Conflict(_)) => return Ok(()),
            Err(e) => return Err(e.into()),
        }
        if !outcome.finished {
            self.enqueue(&Task::ContinueOperation { operation_id: op.id.clone(), step: op.step }).await?;
        }
        Ok(())
    }
}
