//! [`DynamoStore`]: every repository of `Store` on one DynamoDB table
//! (single-table design, see `docs/data-model.md`). This module holds the
//! store and its single-item and transaction helpers (one place for
//! conditions and cancellation reasons); `query` and `batch` hold the
//! multi-item ones. The repositories are the files named after them, the
//! item mapping is [`items`], the table shape [`schema`].
//!
//! No Scan anywhere: every read is a GetItem, a BatchGetItem or a Query on the
//! table or one of its indexes.

mod api_tokens;
mod audit;
mod backup;
mod batch;
mod claims;
mod counters;
mod cursor;
mod customers;
pub mod items;
mod jobs;
mod mails;
mod operations;
mod overrides;
mod query;
mod reindex;
mod remarks;
mod runs;
mod schedules;
pub mod schema;
mod sessions;
mod settings;
mod tapes;
mod tickets;
mod users;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{AttributeValue, Delete, Put, TransactWriteItem};
use bc_core::ports::{PortError, PortResult};

use crate::error::{backend, build};
use items::{Item, Record, from_item, n};
use schema::{PK, SK, VERSION};

pub(crate) use query::{Filter, Query, Range};

const SERVICE: &str = "DynamoDB";

/// The DynamoDB implementation of every repository port.
#[derive(Debug)]
pub struct DynamoStore {
    pub(crate) client: Client,
    pub(crate) table: String,
    requests: AtomicU64,
}

/// The condition of a single write.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Cond {
    /// Only if no item has this key.
    Absent,
    /// Only if the stored `version` equals the one the caller read.
    Version(u64),
}

/// How a transaction ended.
pub(crate) enum Tx {
    Written,
    /// Cancelled; the cancellation reason code of each action, in order
    /// (`None`, `ConditionalCheckFailed`, `TransactionConflict`, ...).
    Cancelled(Vec<String>),
}

const CHECK_FAILED: &str = "ConditionalCheckFailed";

impl Tx {
    /// Did the condition of action `i` fail?
    pub(crate) fn failed(codes: &[String], i: usize) -> bool {
        codes.get(i).is_some_and(|c| c == CHECK_FAILED)
    }

    /// The error of a cancellation none of whose specific reasons the caller
    /// recognised: another transaction on the same items is a conflict (the
    /// caller re-reads and retries), anything else a backend failure.
    pub(crate) fn other(op: &str, codes: &[String]) -> PortError {
        if codes.iter().any(|c| c == "TransactionConflict" || c == CHECK_FAILED) {
            PortError::Conflict(format!("{op}: a concurrent write changed the same records; retry"))
        } else {
            PortError::Backend(format!("{SERVICE} {op}: transaction cancelled: [{}]", codes.join(", ")))
        }
    }
}

impl DynamoStore {
    pub fn new(client: Client, table: &str) -> Self {
        DynamoStore { client, table: table.to_string(), requests: AtomicU64::new(0) }
    }

    pub fn table_name(&self) -> &str {
        &self.table
    }

    /// DynamoDB requests this store has made (one per API call; the SDK's
    /// own retries of a call are not counted). For "requests per ingested mail".
    pub fn request_count(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    pub(crate) fn count(&self) {
        self.requests.fetch_add(1, Ordering::Relaxed);
    }

    /// A strongly consistent GetItem.
    pub(crate) async fn get(&self, key: Item, op: &str) -> PortResult<Option<Item>> {
        self.count();
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| backend(SERVICE, op, e))?;
        Ok(out.item)
    }

    pub(crate) async fn get_record<R: Record>(&self, id: &str, op: &str) -> PortResult<Option<R>> {
        self.get(R::key_of(id), op).await?.map(from_item).transpose()
    }

    /// PutItem; `Ok(false)` when `cond` failed.
    pub(crate) async fn put(&self, item: Item, cond: Option<Cond>, op: &str) -> PortResult<bool> {
        self.count();
        let (expr, names, values) = condition(cond);
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .set_condition_expression(expr)
            .set_expression_attribute_names(names)
            .set_expression_attribute_values(values)
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(e) if e.as_service_error().is_some_and(|x| x.is_conditional_check_failed_exception()) => Ok(false),
            Err(e) => Err(backend(SERVICE, op, e)),
        }
    }

    /// A versioned overwrite; `Conflict` naming `what` when the version moved on.
    pub(crate) async fn put_versioned(&self, item: Item, read_version: u64, what: &str, op: &str) -> PortResult<()> {
        if self.put(item, Some(Cond::Version(read_version)), op).await? {
            Ok(())
        } else {
            Err(version_conflict(what, read_version))
        }
    }

    /// A DeleteItem that says whether there was an item.
    pub(crate) async fn delete_returning(&self, key: Item, op: &str) -> PortResult<bool> {
        self.count();
        let out = self
            .client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(key))
            .return_values(aws_sdk_dynamodb::types::ReturnValue::AllOld)
            .send()
            .await
            .map_err(|e| backend(SERVICE, op, e))?;
        Ok(out.attributes().is_some_and(|a| !a.is_empty()))
    }

    pub(crate) async fn delete(&self, key: Item, op: &str) -> PortResult<()> {
        self.count();
        self.client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(key))
            .send()
            .await
            .map_err(|e| backend(SERVICE, op, e))?;
        Ok(())
    }

    /// An UpdateItem; returns the attributes it wrote (`UPDATED_NEW`).
    pub(crate) async fn update(
        &self,
        key: Item,
        expr: &str,
        names: &[(&str, &str)],
        values: Vec<(&str, AttributeValue)>,
        op: &str,
    ) -> PortResult<Item> {
        self.count();
        let out = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key))
            .update_expression(expr)
            .set_expression_attribute_names(Some(names.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()))
            .set_expression_attribute_values(Some(values.into_iter().map(|(k, v)| (k.to_string(), v)).collect()))
            .return_values(aws_sdk_dynamodb::types::ReturnValue::UpdatedNew)
            .send()
            .await
            .map_err(|e| backend(SERVICE, op, e))?;
        Ok(out.attributes.unwrap_or_default())
    }

    /// A Put action of a transaction.
    pub(crate) fn tx_put(&self, item: Item, cond: Option<Cond>, op: &str) -> PortResult<TransactWriteItem> {
        let (expr, names, values) = condition(cond);
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(item))
            .set_condition_expression(expr)
            .set_expression_attribute_names(names)
            .set_expression_attribute_values(values)
            .build()
            .map_err(|e| build(SERVICE, op, e))?;
        Ok(TransactWriteItem::builder().put(put).build())
    }

    /// A Delete action of a transaction.
    pub(crate) fn tx_delete(&self, key: Item, op: &str) -> PortResult<TransactWriteItem> {
        let delete =
            Delete::builder().table_name(&self.table).set_key(Some(key)).build().map_err(|e| build(SERVICE, op, e))?;
        Ok(TransactWriteItem::builder().delete(delete).build())
    }

    /// One TransactWriteItems: all actions or none.
    pub(crate) async fn transact(&self, actions: Vec<TransactWriteItem>, op: &str) -> PortResult<Tx> {
        self.count();
        let result = self.client.transact_write_items().set_transact_items(Some(actions)).send().await;
        match result {
            Ok(_) => Ok(Tx::Written),
            Err(e) => match e.as_service_error() {
                Some(TransactWriteItemsError::TransactionCanceledException(c)) => Ok(Tx::Cancelled(
                    c.cancellation_reasons().iter().map(|r| r.code().unwrap_or("None").to_string()).collect(),
                )),
                _ => Err(backend(SERVICE, op, e)),
            },
        }
    }

    /// Versioned write of an entity with a unique name: when the name
    /// changes, its reservation item moves in the same transaction.
    /// `rename` is (old reservation key, new reservation item).
    pub(crate) async fn put_versioned_renamed(
        &self,
        item: Item,
        read_version: u64,
        rename: Option<(Item, Item)>,
        what: &str,
        new_name: &str,
        op: &str,
    ) -> PortResult<()> {
        let Some((old_key, new_reservation)) = rename else {
            return self.put_versioned(item, read_version, what, op).await;
        };
        let actions = vec![
            self.tx_put(item, Some(Cond::Version(read_version)), op)?,
            // Safe without a condition: the version check above guarantees
            // the old name is still this entity's.
            self.tx_delete(old_key, op)?,
            self.tx_put(new_reservation, Some(Cond::Absent), op)?,
        ];
        match self.transact(actions, op).await? {
            Tx::Written => Ok(()),
            Tx::Cancelled(codes) if Tx::failed(&codes, 0) => Err(version_conflict(what, read_version)),
            Tx::Cancelled(codes) if Tx::failed(&codes, 2) => {
                Err(PortError::Conflict(format!("the name {new_name:?} is taken")))
            }
            Tx::Cancelled(codes) => Err(Tx::other(op, &codes)),
        }
    }
}

type ConditionParts = (Option<String>, Option<HashMap<String, String>>, Option<HashMap<String, AttributeValue>>);

fn condition(cond: Option<Cond>) -> ConditionParts {
    match cond {
        None => (None, None, None),
        Some(Cond::Absent) => {
            (Some("attribute_not_exists(#pk)".into()), Some(HashMap::from([("#pk".into(), PK.into())])), None)
        }
        Some(Cond::Version(v)) => (
            Some("#version = :version".into()),
            Some(HashMap::from([("#version".into(), VERSION.into())])),
            Some(HashMap::from([(":version".into(), n(v))])),
        ),
    }
}

pub(crate) fn version_conflict(what: &str, read_version: u64) -> PortError {
    PortError::Conflict(format!(
        "{what} was changed by someone else (or is gone) since version {read_version} was read; reload and retry"
    ))
}

/// The primary key of a stored item (for batch deletes of query results).
pub(crate) fn primary_key(item: &Item) -> PortResult<Item> {
    let mut key = Item::new();
    for name in [PK, SK] {
        let value = item.get(name).ok_or_else(|| PortError::Backend(format!("{SERVICE}: item without {name}")))?;
        key.insert(name.to_string(), value.clone());
    }
    Ok(key)
}

/// Decodes every item of a query answer.
pub(crate) fn decode_all<R: Record>(items: Vec<Item>) -> PortResult<Vec<R>> {
    items.into_iter().map(from_item).collect()
}
