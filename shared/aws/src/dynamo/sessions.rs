//! [`SessionRepo`]: sessions by token hash, with a `ttl` so DynamoDB deletes
//! expired ones, and listed by expiry (GSI1) so a purge needs no Scan.

use async_trait::async_trait;
use bc_core::auth::repo::SessionRepo;
use bc_core::model::Session;
use bc_core::ports::{PortError, PortResult};
use chrono::{DateTime, Utc};

use super::items::{Record, to_item};
use super::schema::{Index, SESSIONS, key_time};
use super::{Cond, DynamoStore, Query, Range, primary_key};

#[async_trait]
impl SessionRepo for DynamoStore {
    async fn insert_session(&self, session: &Session) -> PortResult<()> {
        if self.put(to_item(session)?, Some(Cond::Absent), "PutItem (insert_session)").await? {
            Ok(())
        } else {
            Err(PortError::Conflict("a session with this token already exists".into()))
        }
    }

    /// Returned as stored, expired or not: DynamoDB's TTL deletes lazily, so
    /// the caller compares `expires_at` with its clock.
    async fn get_session(&self, token_hash: &str) -> PortResult<Option<Session>> {
        self.get_record(token_hash, "GetItem (get_session)").await
    }

    async fn delete_session(&self, token_hash: &str) -> PortResult<()> {
        self.delete(Session::key_of(token_hash), "DeleteItem (delete_session)").await
    }

    /// TTL does this on AWS within a day or two; this makes it exact (and
    /// works on emulators, whose TTL never deletes).
    async fn purge_expired_sessions(&self, now: DateTime<Utc>) -> PortResult<u64> {
        let q = Query::new(Index::Gsi1, SESSIONS).range(Range::Below(key_time(now)));
        let expired = self.query_all(&q, "Query (purge_expired_sessions)").await?;
        let keys = expired.iter().map(primary_key).collect::<PortResult<Vec<_>>>()?;
        let count = keys.len() as u64;
        self.batch_delete(keys, "BatchWriteItem (purge_expired_sessions)").await?;
        Ok(count)
    }
}
