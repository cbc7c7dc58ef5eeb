//! [`CounterRepo`]: atomic counters (UpdateItem ADD) in fixed windows; the
//! first bump of a window sets its `ttl`, so DynamoDB drops it afterwards.

use async_trait::async_trait;
use bc_core::auth::repo::CounterRepo;
use bc_core::ports::PortResult;
use chrono::{DateTime, Utc};

use super::DynamoStore;
use super::items::{COUNTER_VALUE, counter_key, get_u64, n, s};
use super::schema::{ENTITY, TTL, key_time};

#[async_trait]
impl CounterRepo for DynamoStore {
    async fn bump_counter(&self, key: &str, expires_at: DateTime<Utc>) -> PortResult<u64> {
        let written = self
            .update(
                counter_key(key),
                "ADD #n :one SET #ttl = if_not_exists(#ttl, :ttl), #expires = if_not_exists(#expires, :expires), #entity = :entity",
                &[("#n", COUNTER_VALUE), ("#ttl", TTL), ("#expires", "expires_at"), ("#entity", ENTITY)],
                vec![
                    (":one", n(1)),
                    (":ttl", n(expires_at.timestamp())),
                    (":expires", s(key_time(expires_at))),
                    (":entity", s("counter")),
                ],
                "UpdateItem (bump_counter)",
            )
            .await?;
        get_u64(&written, COUNTER_VALUE)
    }

    async fn get_counter(&self, key: &str) -> PortResult<u64> {
        match self.get(counter_key(key), "GetItem (get_counter)").await? {
            Some(item) => get_u64(&item, COUNTER_VALUE),
            None => Ok(0),
        }
    }

    async fn reset_counter(&self, key: &str) -> PortResult<()> {
        self.delete(counter_key(key), "DeleteItem (reset_counter)").await
    }
}
