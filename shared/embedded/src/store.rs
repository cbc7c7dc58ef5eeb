//! `SqliteStore`: every repository of the `Store` port on one SQLite file.
//! Versioned writes use `WHERE version = ?`; `record_run` is one transaction.

use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use async_trait::async_trait;
use bc_core::model::{Customer, Job, Mail, Page, Run, Session, User};
use bc_core::ports::{
    CounterRepo, CustomerRepo, JobFilter, JobRepo, MailRepo, MailView, PortError, PortResult, RecordRun, RunRepo,
    SessionRepo, SettingsRepo, UserRepo,
};
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Transaction, params};

use crate::sql::{backend, decode_cursor, encode_cursor, from_doc, is_unique_violation, to_doc, ts};

pub struct SqliteStore {
    conn: Mutex<Connection>,
}

fn conflict(what: &str) -> PortError {
    PortError::Conflict(format!("{what} changed or exists already"))
}

fn mail_state_col(m: &Mail) -> &'static str {
    m.state.as_str()
}

impl SqliteStore {
    pub fn open(path: &Path) -> rusqlite::Result<SqliteStore> {
        Ok(SqliteStore { conn: Mutex::new(crate::sql::open(path)?) })
    }

    fn db(&self) -> MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// `execute` through the statement cache (ingest runs the same few
    /// statements thousands of times).
    fn exec(conn: &Connection, sql: &str, params: impl rusqlite::Params) -> rusqlite::Result<usize> {
        conn.prepare_cached(sql)?.execute(params)
    }

    fn write_mail(tx: &Transaction<'_>, mail: &Mail) -> PortResult<()> {
        let mut next = mail.clone();
        next.version += 1;
        let n = Self::exec(
            tx,
            "UPDATE mails SET state = ?2, received_at = ?3, identity = ?4, version = ?5, doc = ?6
                 WHERE id = ?1 AND version = ?7",
            params![
                next.id,
                mail_state_col(&next),
                ts(next.received_at),
                next.identity,
                next.version as i64,
                to_doc(&next)?,
                mail.version as i64
            ],
        )
        .map_err(backend("update mail"))?;
        if n == 0 { Err(conflict("mail")) } else { Ok(()) }
    }

    fn write_job(tx: &Transaction<'_>, job: &Job) -> PortResult<()> {
        let mut next = job.clone();
        next.version += 1;
        let n = Self::exec(
            tx,
            "UPDATE jobs SET customer_id = ?2, name_key = ?3, software = ?4, last_status = ?5, version = ?6, doc = ?7
                 WHERE id = ?1 AND version = ?8",
            params![
                next.id,
                next.customer_id,
                next.job_name.to_lowercase(),
                next.software,
                next.last_run.as_ref().map(|l| l.status.as_str()),
                next.version as i64,
                to_doc(&next)?,
                job.version as i64
            ],
        )
        .map_err(backend("update job"))?;
        if n == 0 { Err(conflict("job")) } else { Ok(()) }
    }

    fn docs<T: serde::de::DeserializeOwned>(
        conn: &Connection,
        sql: &str,
        args: &[&dyn rusqlite::ToSql],
    ) -> PortResult<Vec<T>> {
        let mut stmt = conn.prepare_cached(sql).map_err(backend("prepare"))?;
        let rows = stmt
            .query_map(args, |r| r.get::<_, String>(0))
            .map_err(backend("query"))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(backend("read"))?;
        rows.iter().map(|d| from_doc(d)).collect()
    }

    fn doc<T: serde::de::DeserializeOwned>(conn: &Connection, sql: &str, id: &str) -> PortResult<Option<T>> {
        let d: Option<String> = conn
            .prepare_cached(sql)
            .map_err(backend("prepare"))?
            .query_row([id], |r| r.get(0))
            .optional()
            .map_err(backend("get"))?;
        d.map(|d| from_doc(&d)).transpose()
    }
}

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

    async fn list_mails(&self, view: MailView, cursor: Option<&str>, limit: usize) -> PortResult<Page<Mail>> {
        let states: &[&str] = match view {
            MailView::Inbox => &["inbox", "received"],
            MailView::Deleted => &["deleted"],
        };
        let after = decode_cursor(cursor, 2)?;
        let (at, id) = match &after {
            Some(p) => (p[0].clone(), p[1].clone()),
            None => ("9999".to_string(), String::new()),
        };
        let s2 = states.get(1).copied().unwrap_or(states[0]);
        let limit = limit.max(1);
        let mut items: Vec<Mail> = Self::docs(
            &self.db(),
            "SELECT doc FROM mails WHERE state IN (?1, ?2)
               AND (received_at < ?3 OR (received_at = ?3 AND (?4 = '' OR id < ?4)))
             ORDER BY received_at DESC, id DESC LIMIT ?5",
            &[&states[0], &s2, &at, &id, &((limit + 1) as i64)],
        )?;
        let next = if items.len() > limit {
            items.truncate(limit);
            items.last().map(|m| encode_cursor(&[&ts(m.received_at), &m.id]))
        } else {
            None
        };
        Ok(Page { items, next_cursor: next })
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

#[async_trait]
impl CustomerRepo for SqliteStore {
    async fn insert_customer(&self, c: &Customer) -> PortResult<()> {
        Self::exec(
            &self.db(),
            "INSERT INTO customers (id, name_key, version, doc) VALUES (?1, ?2, ?3, ?4)",
            params![c.id, c.name.to_lowercase(), c.version as i64, to_doc(c)?],
        )
        .map_err(|e| {
            if is_unique_violation(&e) {
                PortError::Conflict("customer exists".into())
            } else {
                backend("insert customer")(e)
            }
        })?;
        Ok(())
    }

    async fn get_customer(&self, id: &str) -> PortResult<Option<Customer>> {
        Self::doc(&self.db(), "SELECT doc FROM customers WHERE id = ?1", id)
    }

    async fn update_customer(&self, c: &Customer) -> PortResult<()> {
        let mut next = c.clone();
        next.version += 1;
        let n = Self::exec(
            &self.db(),
            "UPDATE customers SET name_key = ?2, version = ?3, doc = ?4 WHERE id = ?1 AND version = ?5",
            params![next.id, next.name.to_lowercase(), next.version as i64, to_doc(&next)?, c.version as i64],
        )
        .map_err(|e| {
            if is_unique_violation(&e) {
                PortError::Conflict("name taken".into())
            } else {
                backend("update customer")(e)
            }
        })?;
        if n == 0 { Err(conflict("customer")) } else { Ok(()) }
    }

    async fn list_customers(&self) -> PortResult<Vec<Customer>> {
        Self::docs(&self.db(), "SELECT doc FROM customers ORDER BY name_key", &[])
    }
}

#[async_trait]
impl JobRepo for SqliteStore {
    async fn insert_job(&self, job: &Job) -> PortResult<bool> {
        let n = Self::exec(
            &self.db(),
            "INSERT OR IGNORE INTO jobs (id, customer_id, name_key, software, last_status, version, doc)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                job.id,
                job.customer_id,
                job.job_name.to_lowercase(),
                job.software,
                job.last_run.as_ref().map(|l| l.status.as_str()),
                job.version as i64,
                to_doc(job)?
            ],
        )
        .map_err(backend("insert job"))?;
        Ok(n == 1)
    }

    async fn get_job(&self, id: &str) -> PortResult<Option<Job>> {
        Self::doc(&self.db(), "SELECT doc FROM jobs WHERE id = ?1", id)
    }

    async fn get_jobs(&self, ids: &[String]) -> PortResult<Vec<Job>> {
        let db = self.db();
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(j) = Self::doc(&db, "SELECT doc FROM jobs WHERE id = ?1", id)? {
                out.push(j);
            }
        }
        Ok(out)
    }

    async fn update_job(&self, job: &Job) -> PortResult<()> {
        let mut db = self.db();
        let tx = db.transaction().map_err(backend("begin"))?;
        Self::write_job(&tx, job)?;
        tx.commit().map_err(backend("commit"))
    }

    async fn list_jobs(&self, f: &JobFilter, cursor: Option<&str>, limit: usize) -> PortResult<Page<Job>> {
        let after = decode_cursor(cursor, 2)?;
        let (name, id) = match &after {
            Some(p) => (p[0].clone(), p[1].clone()),
            None => (String::new(), String::new()),
        };
        let search = f.search.as_ref().map(|s| s.to_lowercase()).unwrap_or_default();
        let limit = limit.max(1);
        let mut items: Vec<Job> = Self::docs(
            &self.db(),
            "SELECT doc FROM jobs
             WHERE (?1 = '' OR customer_id = ?1)
               AND (?2 = '' OR software = ?2)
               AND (?3 = '' OR last_status = ?3)
               AND (?4 = '' OR instr(name_key, ?4) > 0)
               AND (name_key > ?5 OR (name_key = ?5 AND id > ?6))
             ORDER BY name_key, id LIMIT ?7",
            &[
                &f.customer_id.clone().unwrap_or_default(),
                &f.software.clone().unwrap_or_default(),
                &f.last_status.map(|s| s.as_str()).unwrap_or(""),
                &search,
                &name,
                &id,
                &((limit + 1) as i64),
            ],
        )?;
        let next = if items.len() > limit {
            items.truncate(limit);
            items.last().map(|j| encode_cursor(&[&j.job_name.to_lowercase(), &j.id]))
        } else {
            None
        };
        Ok(Page { items, next_cursor: next })
    }
}

#[async_trait]
impl RunRepo for SqliteStore {
    async fn record_run(&self, w: RecordRun<'_>) -> PortResult<bool> {
        let mut db = self.db();
        let tx = db.transaction().map_err(backend("begin"))?;
        let inserted = Self::exec(&tx,
                "INSERT OR IGNORE INTO runs (id, job_id, sort_at, unreviewed, version, doc) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    w.run.id,
                    w.run.job_id,
                    ts(w.run.sort_at()),
                    w.run.review.is_none().then_some(1),
                    w.run.version as i64,
                    to_doc(w.run)?
                ],
            )
            .map_err(backend("insert run"))?;
        if inserted == 0 {
            return Ok(false);
        }
        Self::write_job(&tx, w.job)?;
        Self::write_mail(&tx, w.mail)?;
        tx.commit().map_err(backend("commit"))?;
        Ok(true)
    }

    async fn get_run(&self, id: &str) -> PortResult<Option<Run>> {
        Self::doc(&self.db(), "SELECT doc FROM runs WHERE id = ?1", id)
    }

    async fn update_run(&self, run: &Run) -> PortResult<()> {
        let mut next = run.clone();
        next.version += 1;
        let n = Self::exec(
            &self.db(),
            "UPDATE runs SET sort_at = ?2, unreviewed = ?3, version = ?4, doc = ?5 WHERE id = ?1 AND version = ?6",
            params![
                next.id,
                ts(next.sort_at()),
                next.review.is_none().then_some(1),
                next.version as i64,
                to_doc(&next)?,
                run.version as i64
            ],
        )
        .map_err(backend("update run"))?;
        if n == 0 { Err(conflict("run")) } else { Ok(()) }
    }

    async fn list_runs(&self, job_id: &str, cursor: Option<&str>, limit: usize) -> PortResult<Page<Run>> {
        let after = decode_cursor(cursor, 2)?;
        let (at, id) = match &after {
            Some(p) => (p[0].clone(), p[1].clone()),
            None => ("9999".to_string(), String::new()),
        };
        let limit = limit.max(1);
        let mut items: Vec<Run> = Self::docs(
            &self.db(),
            "SELECT doc FROM runs WHERE job_id = ?1
               AND (sort_at < ?2 OR (sort_at = ?2 AND (?3 = '' OR id < ?3)))
             ORDER BY sort_at DESC, id DESC LIMIT ?4",
            &[&job_id, &at, &id, &((limit + 1) as i64)],
        )?;
        let next = if items.len() > limit {
            items.truncate(limit);
            items.last().map(|r| encode_cursor(&[&ts(r.sort_at()), &r.id]))
        } else {
            None
        };
        Ok(Page { items, next_cursor: next })
    }

    async fn list_unreviewed_runs(&self, job_id: Option<&str>) -> PortResult<Vec<Run>> {
        let db = self.db();
        match job_id {
            Some(j) => Self::docs(
                &db,
                "SELECT doc FROM runs WHERE unreviewed = 1 AND job_id = ?1 ORDER BY sort_at DESC",
                &[&j],
            ),
            None => Self::docs(&db, "SELECT doc FROM runs WHERE unreviewed = 1", &[]),
        }
    }
}

#[async_trait]
impl UserRepo for SqliteStore {
    async fn insert_user(&self, u: &User) -> PortResult<()> {
        Self::exec(
            &self.db(),
            "INSERT INTO users (id, username_key, version, doc) VALUES (?1, ?2, ?3, ?4)",
            params![u.id, u.username.to_lowercase(), u.version as i64, to_doc(u)?],
        )
        .map_err(|e| {
            if is_unique_violation(&e) { PortError::Conflict("user exists".into()) } else { backend("insert user")(e) }
        })?;
        Ok(())
    }

    async fn get_user(&self, id: &str) -> PortResult<Option<User>> {
        Self::doc(&self.db(), "SELECT doc FROM users WHERE id = ?1", id)
    }

    async fn get_user_by_username(&self, username: &str) -> PortResult<Option<User>> {
        Self::doc(&self.db(), "SELECT doc FROM users WHERE username_key = ?1", &username.to_lowercase())
    }

    async fn update_user(&self, u: &User) -> PortResult<()> {
        let mut next = u.clone();
        next.version += 1;
        let n = Self::exec(
            &self.db(),
            "UPDATE users SET username_key = ?2, version = ?3, doc = ?4 WHERE id = ?1 AND version = ?5",
            params![next.id, next.username.to_lowercase(), next.version as i64, to_doc(&next)?, u.version as i64],
        )
        .map_err(|e| {
            if is_unique_violation(&e) {
                PortError::Conflict("username taken".into())
            } else {
                backend("update user")(e)
            }
        })?;
        if n == 0 { Err(conflict("user")) } else { Ok(()) }
    }

    async fn list_users(&self) -> PortResult<Vec<User>> {
        Self::docs(&self.db(), "SELECT doc FROM users ORDER BY username_key", &[])
    }
}

#[async_trait]
impl SessionRepo for SqliteStore {
    async fn insert_session(&self, s: &Session) -> PortResult<()> {
        Self::exec(
            &self.db(),
            "INSERT INTO sessions (token_hash, user_id, expires_at, doc) VALUES (?1, ?2, ?3, ?4)",
            params![s.token_hash, s.user_id, ts(s.expires_at), to_doc(s)?],
        )
        .map_err(backend("insert session"))?;
        Ok(())
    }

    async fn get_session(&self, token_hash: &str) -> PortResult<Option<Session>> {
        Self::doc(&self.db(), "SELECT doc FROM sessions WHERE token_hash = ?1", token_hash)
    }

    async fn delete_session(&self, token_hash: &str) -> PortResult<()> {
        Self::exec(&self.db(), "DELETE FROM sessions WHERE token_hash = ?1", [token_hash])
            .map_err(backend("delete session"))?;
        Ok(())
    }

    async fn purge_expired_sessions(&self, now: DateTime<Utc>) -> PortResult<u64> {
        let db = self.db();
        let n = Self::exec(&db, "DELETE FROM sessions WHERE expires_at < ?1", [ts(now)])
            .map_err(backend("purge sessions"))?;
        Self::exec(&db, "DELETE FROM counters WHERE expires_at < ?1", [ts(now)]).map_err(backend("purge counters"))?;
        Ok(n as u64)
    }
}

#[async_trait]
impl CounterRepo for SqliteStore {
    async fn bump_counter(&self, key: &str, expires_at: DateTime<Utc>) -> PortResult<u64> {
        let v: i64 = self
            .db()
            .query_row(
                "INSERT INTO counters (key, value, expires_at) VALUES (?1, 1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = value + 1, expires_at = excluded.expires_at
                 RETURNING value",
                params![key, ts(expires_at)],
                |r| r.get(0),
            )
            .map_err(backend("bump counter"))?;
        Ok(v as u64)
    }

    async fn get_counter(&self, key: &str) -> PortResult<u64> {
        let v: Option<i64> = self
            .db()
            .query_row("SELECT value FROM counters WHERE key = ?1", [key], |r| r.get(0))
            .optional()
            .map_err(backend("get counter"))?;
        Ok(v.unwrap_or(0) as u64)
    }

    async fn reset_counter(&self, key: &str) -> PortResult<()> {
        Self::exec(&self.db(), "DELETE FROM counters WHERE key = ?1", [key]).map_err(backend("reset counter"))?;
        Ok(())
    }
}

#[async_trait]
impl SettingsRepo for SqliteStore {
    async fn get_setting(&self, key: &str) -> PortResult<Option<String>> {
        self.db()
            .query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| r.get(0))
            .optional()
            .map_err(backend("get setting"))
    }

    async fn put_setting(&self, key: &str, value: &str) -> PortResult<()> {
        Self::exec(
            &self.db(),
            "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [key, value],
        )
        .map_err(backend("put setting"))?;
        Ok(())
    }
}
