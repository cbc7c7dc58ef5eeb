//! `SqliteStore`: every repository of the `Store` port on one SQLite file,
//! one file per repository beside this one. Versioned writes use
//! `WHERE version = ?`; `record_run` is one transaction.

mod api_tokens;
mod audit;
mod backup;
mod claims;
mod customers;
mod jobs;
mod mails;
mod notes;
mod operations;
mod overrides;
mod runs;
mod schedules;
mod sessions;
mod settings;
mod tapes;
mod users;

use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use bc_core::model::{Job, Mail};
use bc_core::ports::{PortError, PortResult};
use rusqlite::{Connection, OptionalExtension, Transaction, params};

use crate::sql::{backend, from_doc, to_doc, ts};

pub struct SqliteStore {
    conn: Mutex<Connection>,
}

pub(crate) fn conflict(what: &str) -> PortError {
    PortError::Conflict(format!("{what} changed or exists already"))
}

pub(crate) fn mail_state_col(m: &Mail) -> &'static str {
    m.state.as_str()
}

impl SqliteStore {
    pub fn open(path: &Path) -> rusqlite::Result<SqliteStore> {
        Ok(SqliteStore { conn: Mutex::new(crate::sql::open(path)?) })
    }

    pub(crate) fn db(&self) -> MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// `execute` through the statement cache (ingest runs the same few
    /// statements thousands of times).
    pub(crate) fn exec(conn: &Connection, sql: &str, params: impl rusqlite::Params) -> rusqlite::Result<usize> {
        conn.prepare_cached(sql)?.execute(params)
    }

    pub(crate) fn write_mail(tx: &Transaction<'_>, mail: &Mail) -> PortResult<()> {
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

    pub(crate) fn write_job(tx: &Transaction<'_>, job: &Job) -> PortResult<()> {
        let mut next = job.clone();
        next.version += 1;
        let n = Self::exec(
            tx,
            "UPDATE jobs SET customer_id = ?2, name_key = ?3, software = ?4, last_status = ?5, version = ?6, doc = ?7,
                            next_due_at = ?9
                 WHERE id = ?1 AND version = ?8",
            params![
                next.id,
                next.customer_id,
                next.job_name.to_lowercase(),
                next.software,
                next.last_run.as_ref().map(|l| l.status.as_str()),
                next.version as i64,
                to_doc(&next)?,
                job.version as i64,
                next.schedule.next_due_at().map(ts)
            ],
        )
        .map_err(backend("update job"))?;
        if n == 0 { Err(conflict("job")) } else { Ok(()) }
    }

    pub(crate) fn docs<T: serde::de::DeserializeOwned>(
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

    pub(crate) fn doc<T: serde::de::DeserializeOwned>(conn: &Connection, sql: &str, id: &str) -> PortResult<Option<T>> {
        let d: Option<String> = conn
            .prepare_cached(sql)
            .map_err(backend("prepare"))?
            .query_row([id], |r| r.get(0))
            .optional()
            .map_err(backend("get"))?;
        d.map(|d| from_doc(&d)).transpose()
    }
}
