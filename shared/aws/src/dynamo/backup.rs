//! [`BackupRepo`] on DynamoDB: one item per record, `BK#<kind>#<id>` / `BK`,
//! the record's JSON in `doc`. Lists by kind from GSI1 (`BK#<kind>`, by id),
//! a parent's records from GSI2 (`BK#<kind>#P#<parent>`, by id), and the
//! engines' offline deadlines from GSI3's sparse `BK#<kind>#DUE` list (sort
//! key: deadline, then id), so the sweep reads only overdue engines.

use async_trait::async_trait;
use bc_core::backup::repo::{BackupDoc, BackupKind, BackupRepo};
use bc_core::ports::{PortError, PortResult};
use chrono::{DateTime, Utc};

use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem};

use super::items::{CLAIM_EXPIRES, Item, claim_key as claim_item_key, get_s, get_u64, key, n, s};
use super::schema::{ENTITY, ITEM_SCHEMA, Index, PK, SCHEMA_VERSION, TTL, VERSION, key_part, key_time};
use super::{Cond, DynamoStore, Query, Range, SERVICE, Tx, version_conflict};
use crate::error::build;

const DOC: &str = "doc";
const PARENT: &str = "parent";
const DUE: &str = "due_at";
const KIND: &str = "kind";

fn pk(kind: BackupKind, id: &str) -> String {
    format!("BK#{}#{}", kind.as_str(), key_part(id))
}

fn item_key(kind: BackupKind, id: &str) -> Item {
    key(pk(kind, id), "BK")
}

fn list_pk(kind: BackupKind) -> String {
    format!("BK#{}", kind.as_str())
}

fn parent_pk(kind: BackupKind, parent: &str) -> String {
    format!("BK#{}#P#{}", kind.as_str(), key_part(parent))
}

fn due_pk(kind: BackupKind) -> String {
    format!("BK#{}#DUE", kind.as_str())
}

fn to_item(d: &BackupDoc, version: u64) -> Item {
    let mut item = item_key(d.kind, &d.id);
    item.insert(ENTITY.into(), s(format!("backup_{}", d.kind.as_str())));
    item.insert(ITEM_SCHEMA.into(), n(SCHEMA_VERSION));
    item.insert(KIND.into(), s(d.kind.as_str()));
    item.insert("id".into(), s(d.id.clone()));
    item.insert(VERSION.into(), n(version));
    item.insert(DOC.into(), s(d.body.clone()));
    item.insert(Index::Gsi1.pk().into(), s(list_pk(d.kind)));
    item.insert(Index::Gsi1.sk().into(), s(d.id.clone()));
    if let Some(p) = &d.parent {
        item.insert(PARENT.into(), s(p.clone()));
        item.insert(Index::Gsi2.pk().into(), s(parent_pk(d.kind, p)));
        item.insert(Index::Gsi2.sk().into(), s(d.id.clone()));
    }
    if let Some(due) = d.due_at {
        item.insert(DUE.into(), s(due.to_rfc3339()));
        item.insert(Index::Gsi3.pk().into(), s(due_pk(d.kind)));
        item.insert(Index::Gsi3.sk().into(), s(format!("{}#{}", key_time(due), d.id)));
    }
    item
}

fn from_item(item: &Item) -> PortResult<BackupDoc> {
    let kind = get_s(item, KIND)?;
    let kind =
        BackupKind::parse(kind).ok_or_else(|| PortError::Backend(format!("DynamoDB: unknown backup kind {kind}")))?;
    let opt = |name: &str| get_s(item, name).ok().map(str::to_string);
    let due_at = opt(DUE)
        .map(|d| d.parse::<DateTime<Utc>>().map_err(|e| PortError::Backend(format!("DynamoDB: bad {DUE} {d}: {e}"))))
        .transpose()?;
    Ok(BackupDoc {
        kind,
        id: get_s(item, "id")?.to_string(),
        parent: opt(PARENT),
        due_at,
        version: get_u64(item, VERSION)?,
        body: get_s(item, DOC)?.to_string(),
    })
}

#[async_trait]
impl BackupRepo for DynamoStore {
    async fn insert_backup_doc(&self, d: &BackupDoc) -> PortResult<bool> {
        self.put(to_item(d, 0), Some(Cond::Absent), "PutItem (insert_backup_doc)").await
    }

    async fn update_backup_doc(&self, d: &BackupDoc) -> PortResult<()> {
        let what = format!("{} {}", d.kind.as_str(), d.id);
        self.put_versioned(to_item(d, d.version + 1), d.version, &what, "PutItem (update_backup_doc)").await
    }

    async fn update_backup_doc_claiming(
        &self,
        d: &BackupDoc,
        claim_key: &str,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> PortResult<bool> {
        let op = "TransactWriteItems (update_backup_doc_claiming)";
        let mut claim = claim_item_key(claim_key);
        claim.insert(ENTITY.into(), s("claim"));
        claim.insert(ITEM_SCHEMA.into(), n(SCHEMA_VERSION));
        claim.insert("key".into(), s(claim_key));
        claim.insert(CLAIM_EXPIRES.into(), n(expires_at.timestamp_millis()));
        claim.insert(TTL.into(), n(expires_at.timestamp()));
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(claim))
            .condition_expression("attribute_not_exists(#pk) OR #exp < :now")
            .expression_attribute_names("#pk", PK)
            .expression_attribute_names("#exp", CLAIM_EXPIRES)
            .expression_attribute_values(":now", AttributeValue::N(now.timestamp_millis().to_string()))
            .build()
            .map_err(|e| build(SERVICE, op, e))?;
        let actions = vec![
            TransactWriteItem::builder().put(put).build(),
            self.tx_put(to_item(d, d.version + 1), Some(Cond::Version(d.version)), op)?,
        ];
        match self.transact(actions, op).await? {
            Tx::Written => Ok(true),
            Tx::Cancelled(codes) if Tx::failed(&codes, 0) => Ok(false),
            Tx::Cancelled(codes) if Tx::failed(&codes, 1) => {
                Err(version_conflict(&format!("{} {}", d.kind.as_str(), d.id), d.version))
            }
            Tx::Cancelled(codes) => Err(Tx::other(op, &codes)),
        }
    }

    async fn put_backup_doc(&self, d: &BackupDoc) -> PortResult<()> {
        self.put(to_item(d, d.version), None, "PutItem (put_backup_doc)").await?;
        Ok(())
    }

    async fn get_backup_doc(&self, kind: BackupKind, id: &str) -> PortResult<Option<BackupDoc>> {
        self.get(item_key(kind, id), "GetItem (get_backup_doc)").await?.as_ref().map(from_item).transpose()
    }

    async fn delete_backup_doc(&self, kind: BackupKind, id: &str) -> PortResult<bool> {
        self.delete_returning(item_key(kind, id), "DeleteItem (delete_backup_doc)").await
    }

    async fn list_backup_docs(&self, kind: BackupKind) -> PortResult<Vec<BackupDoc>> {
        let q = Query::new(Index::Gsi1, list_pk(kind));
        self.query_all(&q, "Query (list_backup_docs)").await?.iter().map(from_item).collect()
    }

    async fn backup_children(&self, kind: BackupKind, parent: &str) -> PortResult<Vec<BackupDoc>> {
        let q = Query::new(Index::Gsi2, parent_pk(kind, parent));
        self.query_all(&q, "Query (backup_children)").await?.iter().map(from_item).collect()
    }

    async fn backup_docs_due(&self, kind: BackupKind, at: DateTime<Utc>, limit: usize) -> PortResult<Vec<BackupDoc>> {
        // `~` sorts after `#`: every record due at `at` itself is included.
        let q = Query::new(Index::Gsi3, due_pk(kind)).range(Range::Below(format!("{}~", key_time(at))));
        let (items, _) = self.query_page(&q, None, limit.max(1), "Query (backup_docs_due)").await?;
        items.iter().map(from_item).collect()
    }
}
