//! The mail repository: every received mail, listed as the Inbox and as
//! the deleted mails, and reached by job identity and by stuck state.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::model::{Mail, Page};
use crate::ports::PortResult;

/// Which mails a mail list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailList {
    /// State `inbox` or `received`, newest first.
    Inbox,
    /// State `deleted`, newest first.
    Deleted,
    /// State `quarantined`, newest first.
    Quarantined,
}

#[async_trait]
pub trait MailRepo: Send + Sync {
    /// Inserts a mail if no mail with its id exists. `Ok(false)` if one does.
    async fn insert_mail(&self, mail: &Mail) -> PortResult<bool>;
    async fn get_mail(&self, id: &str) -> PortResult<Option<Mail>>;
    /// Writes the mail with `version + 1` if the stored version equals
    /// `mail.version`; `Conflict` otherwise.
    async fn update_mail(&self, mail: &Mail) -> PortResult<()>;
    /// Newest first, `limit` at most.
    async fn list_mails(&self, list: MailList, cursor: Option<&str>, limit: usize) -> PortResult<Page<Mail>>;
    /// Inbox mails (state `inbox`) whose parse names the given job identity.
    async fn inbox_mails_for_identity(&self, identity: &str) -> PortResult<Vec<Mail>>;
    /// Mails in state `received` received before `before` (stuck ingests),
    /// oldest first so none starves behind the limit.
    async fn received_mails_before(&self, before: DateTime<Utc>, limit: usize) -> PortResult<Vec<Mail>>;
}
