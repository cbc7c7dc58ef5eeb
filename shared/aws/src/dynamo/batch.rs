//! Batch reads and deletes: chunked to the API's limits, with unprocessed
//! keys retried after a growing pause.

use std::collections::HashSet;
use std::time::Duration;

use aws_sdk_dynamodb::types::{DeleteRequest, KeysAndAttributes, PutRequest, WriteRequest};
use bc_core::ports::{PortError, PortResult};

use super::items::Item;
use super::schema::{PK, SK};
use super::{DynamoStore, SERVICE};
use crate::error::{backend, build};

/// BatchGetItem takes at most 100 keys, BatchWriteItem 25 requests.
const BATCH_GET_MAX: usize = 100;
const BATCH_WRITE_MAX: usize = 25;
/// Rounds of retrying unprocessed batch keys before giving up.
const BATCH_ROUNDS: u32 = 8;

impl DynamoStore {
    /// BatchGetItem (strongly consistent) of `keys`, 100 per request, with
    /// unprocessed keys retried after a growing pause. Duplicates are asked
    /// for once (DynamoDB rejects them); order of the answer is arbitrary.
    pub(crate) async fn batch_get(&self, keys: Vec<Item>, op: &str) -> PortResult<Vec<Item>> {
        let mut seen = HashSet::new();
        let keys: Vec<Item> = keys.into_iter().filter(|k| seen.insert(key_id(k))).collect();
        let mut found = Vec::with_capacity(keys.len());
        for chunk in keys.chunks(BATCH_GET_MAX) {
            let mut pending = chunk.to_vec();
            let mut round = 0;
            while !pending.is_empty() {
                if round == BATCH_ROUNDS {
                    return Err(PortError::Backend(format!(
                        "{SERVICE} {op}: {} keys still unprocessed after {BATCH_ROUNDS} rounds",
                        pending.len()
                    )));
                }
                if round > 0 {
                    backoff(round).await;
                }
                round += 1;
                let request = KeysAndAttributes::builder()
                    .set_keys(Some(std::mem::take(&mut pending)))
                    .consistent_read(true)
                    .build()
                    .map_err(|e| build(SERVICE, op, e))?;
                self.count();
                let out = self
                    .client
                    .batch_get_item()
                    .request_items(&self.table, request)
                    .send()
                    .await
                    .map_err(|e| backend(SERVICE, op, e))?;
                if let Some(mut responses) = out.responses {
                    found.extend(responses.remove(&self.table).unwrap_or_default());
                }
                if let Some(mut unprocessed) = out.unprocessed_keys {
                    pending = unprocessed.remove(&self.table).map(|k| k.keys).unwrap_or_default();
                }
            }
        }
        Ok(found)
    }

    /// BatchWriteItem deletes, 25 per request, unprocessed ones retried.
    pub(crate) async fn batch_delete(&self, keys: Vec<Item>, op: &str) -> PortResult<()> {
        let requests = keys
            .into_iter()
            .map(|k| {
                DeleteRequest::builder()
                    .set_key(Some(k))
                    .build()
                    .map(|d| WriteRequest::builder().delete_request(d).build())
                    .map_err(|e| build(SERVICE, op, e))
            })
            .collect::<PortResult<Vec<_>>>()?;
        self.batch_write(requests, op).await
    }

    /// BatchWriteItem puts (unconditional), 25 per request.
    pub(crate) async fn batch_put(&self, items: Vec<Item>, op: &str) -> PortResult<()> {
        let requests = items
            .into_iter()
            .map(|i| {
                PutRequest::builder()
                    .set_item(Some(i))
                    .build()
                    .map(|p| WriteRequest::builder().put_request(p).build())
                    .map_err(|e| build(SERVICE, op, e))
            })
            .collect::<PortResult<Vec<_>>>()?;
        self.batch_write(requests, op).await
    }

    /// The one BatchWriteItem loop: 25 requests per call, unprocessed ones
    /// retried after a growing pause.
    async fn batch_write(&self, requests: Vec<WriteRequest>, op: &str) -> PortResult<()> {
        for chunk in requests.chunks(BATCH_WRITE_MAX) {
            let mut pending = chunk.to_vec();
            let mut round = 0;
            while !pending.is_empty() {
                if round == BATCH_ROUNDS {
                    return Err(PortError::Backend(format!(
                        "{SERVICE} {op}: {} writes still unprocessed after {BATCH_ROUNDS} rounds",
                        pending.len()
                    )));
                }
                if round > 0 {
                    backoff(round).await;
                }
                round += 1;
                self.count();
                let out = self
                    .client
                    .batch_write_item()
                    .request_items(&self.table, std::mem::take(&mut pending))
                    .send()
                    .await
                    .map_err(|e| backend(SERVICE, op, e))?;
                if let Some(mut unprocessed) = out.unprocessed_items {
                    pending = unprocessed.remove(&self.table).unwrap_or_default();
                }
            }
        }
        Ok(())
    }
}

/// Identity of a primary key (all our keys are strings).
fn key_id(key: &Item) -> (Option<String>, Option<String>) {
    let text = |name: &str| key.get(name).and_then(|v| v.as_s().ok()).cloned();
    (text(PK), text(SK))
}

async fn backoff(round: u32) {
    tokio::time::sleep(Duration::from_millis(25u64 << round.min(6))).await;
}
