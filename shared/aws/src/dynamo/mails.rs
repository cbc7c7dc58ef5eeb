//! [`MailRepo`]: mails by id, the Inbox and Deleted lists (GSI1), Inbox
//! mails per job identity (sparse GSI2), mails stuck in `received` (sparse GSI3).

use async_trait::async_trait;
use bc_api_types::MailState;
use bc_core::inbox::repo::{MailList, MailRepo};
use bc_core::model::{Mail, Page};
use bc_core::ports::PortResult;
use chrono::{DateTime, Utc};

use super::items::{identity_pk, to_item, to_item_with_version};
use super::schema::{Index, MAILS_DELETED, MAILS_INBOX, MAILS_QUARANTINED, MAILS_RECEIVED, key_time};
use super::{Cond, DynamoStore, Query, Range, decode_all};

#[async_trait]
impl MailRepo for DynamoStore {
    async fn insert_mail(&self, mail: &Mail) -> PortResult<bool> {
        self.put(to_item(mail)?, Some(Cond::Absent), "PutItem (insert_mail)").await
    }

    async fn get_mail(&self, id: &str) -> PortResult<Option<Mail>> {
        self.get_record(id, "GetItem (get_mail)").await
    }

    async fn update_mail(&self, mail: &Mail) -> PortResult<()> {
        let item = to_item_with_version(mail, mail.version + 1)?;
        self.put_versioned(item, mail.version, &format!("mail {}", mail.id), "PutItem (update_mail)").await
    }

    async fn list_mails(&self, list: MailList, cursor: Option<&str>, limit: usize) -> PortResult<Page<Mail>> {
        let partition = match list {
            MailList::Inbox => MAILS_INBOX,
            MailList::Deleted => MAILS_DELETED,
            MailList::Quarantined => MAILS_QUARANTINED,
        };
        let q = Query::new(Index::Gsi1, partition).newest_first();
        let (items, next_cursor) = self.query_page(&q, cursor, limit, "Query (list_mails)").await?;
        Ok(Page { items: decode_all(items)?, next_cursor })
    }

    async fn inbox_mails_for_identity(&self, identity: &str) -> PortResult<Vec<Mail>> {
        let q = Query::new(Index::Gsi2, identity_pk(identity));
        let mails: Vec<Mail> = decode_all(self.query_all(&q, "Query (inbox_mails_for_identity)").await?)?;
        // The index lags the table a little, and long identities share a
        // hashed key prefix: check both on the item itself.
        Ok(mails
            .into_iter()
            .filter(|m| m.state == MailState::Inbox && m.identity.as_deref() == Some(identity))
            .collect())
    }

    async fn received_mails_before(&self, before: DateTime<Utc>, limit: usize) -> PortResult<Vec<Mail>> {
        let q = Query::new(Index::Gsi3, MAILS_RECEIVED).range(Range::Below(key_time(before)));
        let (items, _) = self.query_page(&q, None, limit, "Query (received_mails_before)").await?;
        let mails: Vec<Mail> = decode_all(items)?;
        Ok(mails.into_iter().filter(|m| m.state == MailState::Received).collect())
    }
}
