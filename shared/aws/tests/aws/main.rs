//! The AWS adapters against a real moto_server (`MOTO_ENDPOINT`, or one this
//! process starts). Every test provisions its own table, bucket and queues,
//! so they run in parallel against one server.

mod blobs;
mod customers;
mod fixtures;
mod jobs;
mod mailer;
mod mails;
mod provision;
mod queue;
mod runs;
mod small_repos;
mod users;
