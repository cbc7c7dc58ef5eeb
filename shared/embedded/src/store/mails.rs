//! [`MailRepo`] on SQLite: mails by id, by state and time, by identity.

use async_trait::async_trait;
use bc_core::inbox::repo::{MailList, MailRepo};
use bc_core::model::{Mail, Page};
use bc_core::ports::PortResult;
use chrono::{DateTime, Utc};
use rusqlite::params;

use super::{SqliteStore, mail_state_col};
use crate::sql::{backend, decode_cursor, keyset_page, to_doc, ts};

#[async_trait]
impl MailRepo for SqliteStore {
    async fn insert_mail(&self, mail: &Mail) -> PortResult<bool> {
        let n = Self::exec(&self.db(),
                "INSERT OR IGNORE INTO mails (id, state, received_at, identity, version, doc) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![mail.id, mail_state_col(mail), ts(mail.received_at), mail.identity, mail.version as i64, to_doc(mail)?],
            )
            .map_err(backend("insert mail"))?;
        Ok(n == 1)
    }

    async fn get_mail(&self, id: &str) -> PortResult<Option<Mail>> {
        Self::doc(&self.db(), "SELECT doc FROM mails WHERE id = ?1", id)
    }

    async fn update_mail(&self, mail: &Mail) -> PortResult<()> {
        let mut db = self.db();
        let tx = db.transaction().map_err(backend("begin"))?;
        Self::write_mail(&tx, mail)?;
        tx.commit().map_err(backend("commit"))
    }

    async fn list_mails(&self, list: MailList, cursor: Option<&str>, limit: usize) -> PortResult<Page<Mail>> {
        let states: &[&str] = match list {
            MailList::Inbox => &["inbox", "received"],
            MailList::Deleted => &["deleted"],
            MailList::Quarantined => &["quarantined"],
        };
        let after = decode_cursor(cursor, 2)?;
        let (at, id) = match &after {
            Some(p) => (p[0].clone(), p[1].clone()),
            None => ("9999".to_string(), String::new()),
        };
        let s2 = states.get(1).copied().unwrap_or(states[0]);
        let limit = limit.max(1);
        let items: Vec<Mail> = Self::docs(
            &self.db(),
            "SELECT doc FROM mails WHERE state IN (?1, ?2)
               AND (received_at < ?3 OR (received_at = ?3 AND (?4 = '' OR id < ?4)))
             ORDER BY received_at DESC, id DESC LIMIT ?5",
            &[&states[0], &s2, &at, &id, &((limit + 1) as i64)],
        )?;
        Ok(keyset_page(items, limit, |m| vec![ts(m.received_at), m.id.clone()]))
    }

    async fn inbox_mails_for_identity(&self, identity: &str) -> PortResult<Vec<Mail>> {
        Self::docs(
            &self.db(),
            "SELECT doc FROM mails WHERE state = 'inbox' AND identity = ?1 ORDER BY received_at",
            &[&identity],
        )
    }

    async fn received_mails_before(&self, before: DateTime<Utc>, limit: usize) -> PortResult<Vec<Mail>> {
        Self::docs(
            &self.db(),
            "SELECT doc FROM mails WHERE state = 'received' AND received_at < ?1 ORDER BY received_at LIMIT ?2",
            &[&ts(before), &(limit as i64)],
        )
    }
}
