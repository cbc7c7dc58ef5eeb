//! All AttributeValue mapping of the store: entity <-> item. The entity's
//! own fields go through `serde_dynamo` (so the item holds the model's serde
//! form); the key, index and housekeeping attributes are added here, from the
//! entity's state, so a sparse index holds exactly the items it should.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use bc_api_types::MailState;
use bc_core::model::{ApiToken, AuditRecord, Customer, Job, Mail, Operation, Override, Run, Session, User};
use bc_core::ports::{PortError, PortResult};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::schema::{
    API_TOKENS, AUDIT, CUSTOMERS, ENTITY, ITEM_SCHEMA, Index, JOBS, JOBS_DUE, MAILS_DELETED, MAILS_INBOX,
    MAILS_QUARANTINED, MAILS_RECEIVED, NAME_SEP, OVERRIDES, PK, SCHEMA_VERSION, SESSIONS, SK, TTL, UNREVIEWED, USERS,
    VERSION, fold, key_part, key_time,
};

pub type Item = HashMap<String, AttributeValue>;

/// Attributes the store owns; a model field of the same name would be
/// overwritten, so `to_item` refuses it.
const OWNED: [&str; 11] =
    [PK, SK, ENTITY, TTL, ITEM_SCHEMA, "gsi1pk", "gsi1sk", "gsi2pk", "gsi2sk", "gsi3pk", "gsi3sk"];

pub fn s(v: impl Into<String>) -> AttributeValue {
    AttributeValue::S(v.into())
}

pub fn n(v: impl ToString) -> AttributeValue {
    AttributeValue::N(v.to_string())
}

/// The primary key of an item.
pub fn key(pk: String, sk: &str) -> Item {
    HashMap::from([(PK.to_string(), s(pk)), (SK.to_string(), s(sk))])
}

/// An entity stored as one item.
pub trait Record: Serialize + DeserializeOwned {
    /// The value of the `entity` attribute.
    const ENTITY: &'static str;
    fn key_of(id: &str) -> Item;
    fn key(&self) -> Item;
    /// Index attributes, present only where the entity belongs in the index.
    fn indexes(&self) -> Vec<(Index, String, String)>;
    /// Further attributes the store needs (filters, TTL).
    fn extra(&self) -> Vec<(&'static str, AttributeValue)> {
        Vec::new()
    }
}

/// The item of `record`; its `version` attribute is the model's.
pub fn to_item<R: Record>(record: &R) -> PortResult<Item> {
    let mut item: Item = serde_dynamo::to_item(record)
        .map_err(|e| PortError::Backend(format!("DynamoDB: cannot encode a {}: {e}", R::ENTITY)))?;
    if let Some(clash) = OWNED.iter().find(|a| item.contains_key(**a)) {
        return Err(PortError::Backend(format!(
            "DynamoDB: a {} has a field named {clash}, which the store owns",
            R::ENTITY
        )));
    }
    item.extend(record.key());
    item.insert(ENTITY.into(), s(R::ENTITY));
    item.insert(ITEM_SCHEMA.into(), n(SCHEMA_VERSION));
    for (index, pk, sk) in record.indexes() {
        item.insert(index.pk().into(), s(pk));
        item.insert(index.sk().into(), s(sk));
    }
    for (name, value) in record.extra() {
        item.insert(name.into(), value);
    }
    Ok(item)
}

/// The item of `record` as an update writes it: `version` set to `version`.
pub fn to_item_with_version<R: Record>(record: &R, version: u64) -> PortResult<Item> {
    let mut item = to_item(record)?;
    item.insert(VERSION.into(), n(version));
    Ok(item)
}

pub fn from_item<R: Record>(item: Item) -> PortResult<R> {
    serde_dynamo::from_item(item)
        .map_err(|e| PortError::Backend(format!("DynamoDB: a stored {} is unreadable: {e}", R::ENTITY)))
}

/// A string attribute of an item the store wrote itself.
pub fn get_s<'a>(item: &'a Item, name: &str) -> PortResult<&'a str> {
    match item.get(name) {
        Some(AttributeValue::S(v)) => Ok(v),
        _ => Err(PortError::Backend(format!("DynamoDB: item without string attribute {name}"))),
    }
}

/// A number attribute as u64; a missing one is 0.
pub fn get_u64(item: &Item, name: &str) -> PortResult<u64> {
    match item.get(name) {
        None => Ok(0),
        Some(AttributeValue::N(v)) => {
            v.parse().map_err(|_| PortError::Backend(format!("DynamoDB: attribute {name} is not a count: {v}")))
        }
        Some(_) => Err(PortError::Backend(format!("DynamoDB: attribute {name} is not a number"))),
    }
}

pub fn time_id(t: chrono::DateTime<chrono::Utc>, id: &str) -> String {
    format!("{}#{id}", key_time(t))
}

fn name_id(name: &str, id: &str) -> String {
    format!("{}{NAME_SEP}{id}", key_part(&fold(name)))
}

impl Record for Mail {
    const ENTITY: &'static str = "mail";
    fn key_of(id: &str) -> Item {
        key(format!("MAIL#{id}"), "MAIL")
    }
    fn key(&self) -> Item {
        Self::key_of(&self.id)
    }
    fn indexes(&self) -> Vec<(Index, String, String)> {
        let at = time_id(self.received_at, &self.id);
        let mut out = Vec::new();
        match self.state {
            MailState::Received | MailState::Inbox => out.push((Index::Gsi1, MAILS_INBOX.into(), at.clone())),
            MailState::Deleted => out.push((Index::Gsi1, MAILS_DELETED.into(), at.clone())),
            MailState::Quarantined => out.push((Index::Gsi1, MAILS_QUARANTINED.into(), at.clone())),
            // Processed mails are reached through their run.
            MailState::Processed => {}
        }
        if let (MailState::Inbox, Some(identity)) = (self.state, &self.identity) {
            out.push((Index::Gsi2, identity_pk(identity), at.clone()));
        }
        if self.state == MailState::Received {
            out.push((Index::Gsi3, MAILS_RECEIVED.into(), at));
        }
        out
    }
}

/// GSI2 partition of the Inbox mails of one job identity.
pub fn identity_pk(identity: &str) -> String {
    format!("IDENTITY#{}", key_part(identity))
}

impl Record for Customer {
    const ENTITY: &'static str = "customer";
    fn key_of(id: &str) -> Item {
        key(format!("CUSTOMER#{id}"), "CUSTOMER")
    }
    fn key(&self) -> Item {
        Self::key_of(&self.id)
    }
    fn indexes(&self) -> Vec<(Index, String, String)> {
        vec![(Index::Gsi1, CUSTOMERS.into(), name_id(&self.name, &self.id))]
    }
}

/// The item that reserves a customer name (case-insensitive).
pub fn customer_name_key(name: &str) -> Item {
    key(format!("CUSTOMERNAME#{}", key_part(&fold(name))), "CUSTOMERNAME")
}

pub fn customer_name_item(name: &str, customer_id: &str) -> Item {
    let mut item = customer_name_key(name);
    item.insert(ENTITY.into(), s("customer_name"));
    item.insert("customer_id".into(), s(customer_id));
    item
}

impl Record for Job {
    const ENTITY: &'static str = "job";
    fn key_of(id: &str) -> Item {
        key(format!("JOB#{id}"), "JOB")
    }
    fn key(&self) -> Item {
        Self::key_of(&self.id)
    }
    fn indexes(&self) -> Vec<(Index, String, String)> {
        // An alias left by a merge is reached by its id only.
        if self.is_alias() {
            return Vec::new();
        }
        let by_name = name_id(&self.job_name, &self.id);
        let mut out = vec![
            (Index::Gsi1, JOBS.into(), by_name.clone()),
            (Index::Gsi2, customer_jobs_pk(&self.customer_id), by_name),
        ];
        // The scheduler's due list (sparse): only jobs with an expected run.
        if let Some(due) = self.schedule.next_due_at() {
            out.push((Index::Gsi3, JOBS_DUE.into(), format!("{}#{}", key_time(due), self.id)));
        }
        out
    }
    fn extra(&self) -> Vec<(&'static str, AttributeValue)> {
        vec![(JOB_NAME_FOLDED, s(fold(&self.job_name)))]
    }
}

/// The folded job name, for the case-insensitive search filter.
pub const JOB_NAME_FOLDED: &str = "name_folded";

/// GSI2 partition of one customer's jobs.
pub fn customer_jobs_pk(customer_id: &str) -> String {
    format!("CUSTOMER#{customer_id}#JOBS")
}

impl Record for Run {
    const ENTITY: &'static str = "run";
    fn key_of(id: &str) -> Item {
        key(format!("RUN#{id}"), "RUN")
    }
    fn key(&self) -> Item {
        Self::key_of(&self.id)
    }
    fn indexes(&self) -> Vec<(Index, String, String)> {
        let at = time_id(self.sort_at(), &self.id);
        let mut out = vec![(Index::Gsi1, job_runs_pk(&self.job_id), at.clone())];
        // The sparse index of Run Checks: only while unreviewed; the
        // Reviewed view's index, a partition per review day, once reviewed.
        // A run made while its job was archived is in neither.
        match &self.review {
            None if self.while_archived => {}
            None => out.push((Index::Gsi3, UNREVIEWED.into(), format!("{}#{at}", self.job_id))),
            Some(r) => out.push((Index::Gsi2, reviewed_pk(r.at.date_naive()), time_id(r.at, &self.id))),
        }
        out
    }
}

/// GSI2 partition of the runs reviewed on one day (UTC).
pub fn reviewed_pk(day: chrono::NaiveDate) -> String {
    format!("REVIEWED#{}", day.format("%Y-%m-%d"))
}

/// GSI1 partition of one job's runs.
pub fn job_runs_pk(job_id: &str) -> String {
    format!("RUNS#{job_id}")
}

impl Record for User {
    const ENTITY: &'static str = "user";
    fn key_of(id: &str) -> Item {
        key(format!("USER#{id}"), "USER")
    }
    fn key(&self) -> Item {
        Self::key_of(&self.id)
    }
    fn indexes(&self) -> Vec<(Index, String, String)> {
        vec![(Index::Gsi1, USERS.into(), name_id(&self.username, &self.id))]
    }
}

/// The item that reserves a username (case-insensitive) and leads to the user.
pub fn username_key(username: &str) -> Item {
    key(format!("USERNAME#{}", key_part(&fold(username))), "USERNAME")
}

pub fn username_item(username: &str, user_id: &str) -> Item {
    let mut item = username_key(username);
    item.insert(ENTITY.into(), s("username"));
    item.insert("user_id".into(), s(user_id));
    item
}

impl Record for Session {
    const ENTITY: &'static str = "session";
    fn key_of(token_hash: &str) -> Item {
        key(format!("SESSION#{}", key_part(token_hash)), "SESSION")
    }
    fn key(&self) -> Item {
        Self::key_of(&self.token_hash)
    }
    fn indexes(&self) -> Vec<(Index, String, String)> {
        vec![(Index::Gsi1, SESSIONS.into(), time_id(self.expires_at, &key_part(&self.token_hash)))]
    }
    fn extra(&self) -> Vec<(&'static str, AttributeValue)> {
        vec![(TTL, n(self.expires_at.timestamp()))]
    }
}

/// Counters: `n` (added to atomically), `expires_at`, `ttl`.
pub fn counter_key(key_name: &str) -> Item {
    key(format!("COUNTER#{}", key_part(key_name)), "COUNTER")
}

pub const COUNTER_VALUE: &str = "n";

/// Settings live in one partition, so all of them are one Query away.
pub fn setting_key(key_name: &str) -> Item {
    key("SETTINGS".to_string(), &format!("SETTING#{}", key_part(key_name)))
}

pub const SETTING_VALUE: &str = "value";

impl Record for AuditRecord {
    const ENTITY: &'static str = "audit";
    fn key_of(id: &str) -> Item {
        key(format!("AUDIT#{id}"), "AUDIT")
    }
    fn key(&self) -> Item {
        Self::key_of(&self.id)
    }
    fn indexes(&self) -> Vec<(Index, String, String)> {
        let at = time_id(self.at, &self.id);
        vec![
            (Index::Gsi1, AUDIT.into(), at.clone()),
            (Index::Gsi2, entity_audit_pk(&self.entity_type, &self.entity_id), at),
        ]
    }
    fn extra(&self) -> Vec<(&'static str, AttributeValue)> {
        vec![(TTL, n(self.expires_at.timestamp()))]
    }
}

/// GSI2 partition of one entity's audit entries.
pub fn entity_audit_pk(entity_type: &str, entity_id: &str) -> String {
    format!("AUDIT#{}#{}", key_part(entity_type), key_part(entity_id))
}

impl Record for ApiToken {
    const ENTITY: &'static str = "api_token";
    fn key_of(id: &str) -> Item {
        key(format!("APITOKEN#{id}"), "APITOKEN")
    }
    fn key(&self) -> Item {
        Self::key_of(&self.id)
    }
    fn indexes(&self) -> Vec<(Index, String, String)> {
        vec![(Index::Gsi1, API_TOKENS.into(), time_id(self.created_at, &self.id))]
    }
}

impl Record for Override {
    const ENTITY: &'static str = "override";
    fn key_of(id: &str) -> Item {
        key(format!("OVERRIDE#{id}"), "OVERRIDE")
    }
    fn key(&self) -> Item {
        Self::key_of(&self.id)
    }
    fn indexes(&self) -> Vec<(Index, String, String)> {
        // Listed by number: zero-padded so the string order is numeric.
        vec![(Index::Gsi1, OVERRIDES.into(), format!("{:020}", self.number))]
    }
}

impl Record for Operation {
    const ENTITY: &'static str = "operation";
    fn key_of(id: &str) -> Item {
        key(format!("OPERATION#{id}"), "OPERATION")
    }
    fn key(&self) -> Item {
        Self::key_of(&self.id)
    }
    fn indexes(&self) -> Vec<(Index, String, String)> {
        Vec::new()
    }
}

/// Claims: `expires_ms` decides whether a claim may be taken again.
pub fn claim_key(key_name: &str) -> Item {
    key(format!("CLAIM#{}", key_part(key_name)), "CLAIM")
}

pub const CLAIM_EXPIRES: &str = "expires_ms";

#[cfg(test)]
mod tests {
    use super::*;
    use bc_api_types::Status;
    use bc_core::model::Review;
    use chrono::{TimeZone, Utc};

    fn at() -> chrono::DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 3, 4, 5, 6, 7).single().expect("valid")
    }

    fn mail(state: MailState, identity: Option<&str>) -> Mail {
        Mail {
            subject: "s".into(),
            size: 1,
            state,
            identity: identity.map(str::to_string),
            version: 3,
            ..Mail::received("m1", "k", "raw/m1", "a@b", at())
        }
    }

    fn run(review: Option<Review>) -> Run {
        Run { mail_id: "m1".into(), review, ..Run::new("r1", "j1", "c1", Status::Warning, at()) }
    }

    #[test]
    fn mail_round_trips_and_keeps_its_version() {
        let m = mail(MailState::Inbox, Some("id"));
        let item = to_item(&m).expect("encodes");
        assert_eq!(item.get("version"), Some(&n(3)));
        assert_eq!(from_item::<Mail>(item).expect("decodes"), m);
        let bumped = to_item_with_version(&m, 4).expect("encodes");
        assert_eq!(from_item::<Mail>(bumped).expect("decodes").version, 4);
    }

    #[test]
    fn mail_indexes_follow_state() {
        let inbox = to_item(&mail(MailState::Inbox, Some("id"))).expect("encodes");
        assert_eq!(inbox.get("gsi1pk"), Some(&s(MAILS_INBOX)));
        assert_eq!(inbox.get("gsi2pk"), Some(&s("IDENTITY#id")));
        assert!(!inbox.contains_key("gsi3pk"));
        let received = to_item(&mail(MailState::Received, Some("id"))).expect("encodes");
        assert_eq!(received.get("gsi1pk"), Some(&s(MAILS_INBOX)));
        assert!(!received.contains_key("gsi2pk"));
        assert_eq!(received.get("gsi3pk"), Some(&s(MAILS_RECEIVED)));
        let processed = to_item(&mail(MailState::Processed, Some("id"))).expect("encodes");
        assert!(!processed.keys().any(|k| k.starts_with("gsi")));
        let deleted = to_item(&mail(MailState::Deleted, None)).expect("encodes");
        assert_eq!(deleted.get("gsi1pk"), Some(&s(MAILS_DELETED)));
    }

    #[test]
    fn only_unreviewed_runs_are_in_the_sparse_index() {
        let open = to_item(&run(None)).expect("encodes");
        assert_eq!(open.get("gsi3pk"), Some(&s(UNREVIEWED)));
        assert_eq!(open.get("gsi3sk"), Some(&s("j1#2025-03-04T05:06:07.000000000Z#r1")));
        let done = to_item(&run(Some(Review { by: "u".into(), at: at() }))).expect("encodes");
        assert!(!done.contains_key("gsi3pk") && !done.contains_key("gsi3sk"));
        assert_eq!(from_item::<Run>(done).expect("decodes").review.map(|r| r.by), Some("u".into()));
    }
}
