//! `SqliteQueue`: a durable queue in the same SQLite file, with SQS's
//! semantics: a received message is invisible for a visibility timeout; after
//! `max_receives` receives without an ack it is dead-lettered.

use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};

use async_trait::async_trait;
use bc_core::ports::{Delivery, PortError, PortResult, Queue};
use rusqlite::{Connection, params};
use tokio::sync::Notify;

use crate::sql::backend;

pub struct SqliteQueue {
    conn: Mutex<Connection>,
    visibility_secs: i64,
    max_receives: u32,
    notify: Arc<Notify>,
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

impl SqliteQueue {
    pub fn open(path: &Path) -> rusqlite::Result<SqliteQueue> {
        Ok(SqliteQueue {
            conn: Mutex::new(crate::sql::open(path)?),
            visibility_secs: 60,
            max_receives: 5,
            notify: Arc::new(Notify::new()),
        })
    }

    pub fn with_limits(mut self, visibility_secs: i64, max_receives: u32) -> Self {
        self.visibility_secs = visibility_secs;
        self.max_receives = max_receives;
        self
    }

    /// Woken on every send, so a worker loop need not poll hard.
    pub fn notifier(&self) -> Arc<Notify> {
        self.notify.clone()
    }

    fn db(&self) -> MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn parse_receipt(receipt: &str) -> PortResult<(i64, i64)> {
        let (id, attempts) = receipt.split_once(':').ok_or(PortError::Invalid("bad receipt".into()))?;
        Ok((
            id.parse().map_err(|_| PortError::Invalid("bad receipt".into()))?,
            attempts.parse().map_err(|_| PortError::Invalid("bad receipt".into()))?,
        ))
    }
}

#[async_trait]
impl Queue for SqliteQueue {
    async fn send(&self, body: &str) -> PortResult<()> {
        let now = now_ms();
        self.db()
            .execute("INSERT INTO queue (body, visible_at, created_at) VALUES (?1, ?2, ?2)", params![body, now])
            .map_err(backend("enqueue"))?;
        self.notify.notify_waiters();
        self.notify.notify_one();
        Ok(())
    }

    async fn receive(&self, max: usize) -> PortResult<Vec<Delivery>> {
        let now = now_ms();
        let mut db = self.db();
        let tx = db.transaction().map_err(backend("begin"))?;
        // Messages received too often without an ack go to the dead letters.
        tx.execute(
            "UPDATE queue SET dead = 1 WHERE dead = 0 AND visible_at <= ?1 AND attempts >= ?2",
            params![now, self.max_receives],
        )
        .map_err(backend("dead-letter"))?;
        let rows: Vec<(i64, String, i64)> = {
            let mut stmt = tx
                .prepare_cached(
                    "SELECT id, body, attempts FROM queue WHERE dead = 0 AND visible_at <= ?1 ORDER BY id LIMIT ?2",
                )
                .map_err(backend("prepare"))?;
            stmt.query_map(params![now, max as i64], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .map_err(backend("receive"))?
                .collect::<Result<_, _>>()
                .map_err(backend("receive"))?
        };
        let mut out = Vec::with_capacity(rows.len());
        for (id, body, attempts) in rows {
            let attempts = attempts + 1;
            tx.execute(
                "UPDATE queue SET attempts = ?2, visible_at = ?3 WHERE id = ?1",
                params![id, attempts, now + self.visibility_secs * 1000],
            )
            .map_err(backend("receive"))?;
            out.push(Delivery {
                id: id.to_string(),
                receipt: format!("{id}:{attempts}"),
                body,
                attempts: attempts as u32,
            });
        }
        tx.commit().map_err(backend("commit"))?;
        Ok(out)
    }

    async fn ack(&self, d: &Delivery) -> PortResult<()> {
        let (id, attempts) = Self::parse_receipt(&d.receipt)?;
        self.db()
            .execute("DELETE FROM queue WHERE id = ?1 AND attempts = ?2", params![id, attempts])
            .map_err(backend("ack"))?;
        Ok(())
    }

    async fn release(&self, d: &Delivery, delay_secs: u32) -> PortResult<()> {
        let (id, attempts) = Self::parse_receipt(&d.receipt)?;
        let dead = attempts as u32 >= self.max_receives;
        self.db()
            .execute(
                "UPDATE queue SET visible_at = ?3, dead = ?4 WHERE id = ?1 AND attempts = ?2",
                params![id, attempts, now_ms() + i64::from(delay_secs) * 1000, dead as i64],
            )
            .map_err(backend("release"))?;
        if delay_secs == 0 {
            self.notify.notify_one();
        }
        Ok(())
    }

    async fn dead_letter_count(&self) -> PortResult<u64> {
        let n: i64 = self
            .db()
            .query_row("SELECT count(*) FROM queue WHERE dead = 1", [], |r| r.get(0))
            .map_err(backend("count dead letters"))?;
        Ok(n as u64)
    }

    async fn dead_letters(&self, max: usize) -> PortResult<Vec<Delivery>> {
        let db = self.db();
        let mut stmt = db
            .prepare_cached("SELECT id, body, attempts FROM queue WHERE dead = 1 ORDER BY id LIMIT ?1")
            .map_err(backend("prepare"))?;
        let rows: Vec<(i64, String, i64)> = stmt
            .query_map(params![max as i64], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .map_err(backend("dead letters"))?
            .collect::<Result<_, _>>()
            .map_err(backend("dead letters"))?;
        Ok(rows
            .into_iter()
            .map(|(id, body, attempts)| Delivery {
                id: id.to_string(),
                receipt: format!("{id}:{attempts}"),
                body,
                attempts: attempts as u32,
            })
            .collect())
    }

    async fn redrive(&self, id: &str) -> PortResult<bool> {
        let Ok(id) = id.parse::<i64>() else { return Ok(false) };
        let n = self
            .db()
            .execute(
                "UPDATE queue SET dead = 0, attempts = 0, visible_at = ?2 WHERE id = ?1 AND dead = 1",
                params![id, now_ms()],
            )
            .map_err(backend("redrive"))?;
        if n > 0 {
            self.notify.notify_one();
        }
        Ok(n > 0)
    }
}
