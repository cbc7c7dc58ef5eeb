//! Queued work: the task messages, the worker that runs them, and bulk
//! operations that run batch by batch with their progress. On AWS the
//! messages travel through SQS (the `worker` function); locally through the
//! embedded durable queue (a loop in `backupchecks serve`). Handlers are
//! idempotent: a message may arrive more than once.

pub mod dead_letters;
pub mod operations;
pub mod repo;
pub mod task;
pub mod worker;
