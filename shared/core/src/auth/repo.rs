//! Repositories of signing in: sessions, API tokens, and the counters of
//! login rate limiting.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::model::{ApiToken, Session};
use crate::ports::PortResult;

#[async_trait]
pub trait SessionRepo: Send + Sync {
    async fn insert_session(&self, session: &Session) -> PortResult<()>;
    async fn get_session(&self, token_hash: &str) -> PortResult<Option<Session>>;
    async fn delete_session(&self, token_hash: &str) -> PortResult<()>;
    /// Removes sessions that expired before `now` (DynamoDB's TTL does this
    /// on AWS; the embedded store needs the scheduler). Returns how many.
    async fn purge_expired_sessions(&self, now: DateTime<Utc>) -> PortResult<u64>;
}

/// Small counters in fixed time windows (login rate limiting).
#[async_trait]
pub trait CounterRepo: Send + Sync {
    /// Adds one to the counter `key` and returns the new value. The counter
    /// may be dropped after `expires_at`.
    async fn bump_counter(&self, key: &str, expires_at: DateTime<Utc>) -> PortResult<u64>;
    async fn get_counter(&self, key: &str) -> PortResult<u64>;
    async fn reset_counter(&self, key: &str) -> PortResult<()>;
}

#[async_trait]
pub trait ApiTokenRepo: Send + Sync {
    /// `Conflict` if the id exists.
    async fn insert_api_token(&self, token: &ApiToken) -> PortResult<()>;
    async fn get_api_token(&self, id: &str) -> PortResult<Option<ApiToken>>;
    /// Versioned write (revoke).
    async fn update_api_token(&self, token: &ApiToken) -> PortResult<()>;
    /// Newest first.
    async fn list_api_tokens(&self) -> PortResult<Vec<ApiToken>>;
    /// Sets `last_used_at` without a version check (it is informational and
    /// written often).
    async fn touch_api_token(&self, id: &str, at: DateTime<Utc>) -> PortResult<()>;
}
