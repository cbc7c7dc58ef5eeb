//! [`RemarkRepo`] and [`TicketRepo`] on SQLite. A partial unique index on
//! `tickets (run_id) WHERE open = 1` keeps one open ticket per run, however
//! many requests race.

use async_trait::async_trait;
use bc_core::ports::{PortError, PortResult};
use bc_core::review::notes_repo::{Remark, RemarkRepo, Ticket, TicketRepo};
use rusqlite::params;

use super::{SqliteStore, conflict};
use crate::sql::{backend, is_unique_violation, to_doc, ts};

#[async_trait]
impl RemarkRepo for SqliteStore {
    async fn insert_remark(&self, r: &Remark) -> PortResult<()> {
        Self::exec(
            &self.db(),
            "INSERT INTO remarks (id, job_id, active, created_at, version, doc) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![r.id, r.job_id, r.active(), ts(r.created_at), r.version as i64, to_doc(r)?],
        )
        .map_err(|e| {
            if is_unique_violation(&e) {
                PortError::Conflict(format!("remark {} already exists", r.id))
            } else {
                backend("insert remark")(e)
            }
        })?;
        Ok(())
    }

    async fn get_remark(&self, id: &str) -> PortResult<Option<Remark>> {
        Self::doc(&self.db(), "SELECT doc FROM remarks WHERE id = ?1", id)
    }

    async fn update_remark(&self, r: &Remark) -> PortResult<()> {
        let mut next = r.clone();
        next.version += 1;
        let n = Self::exec(
            &self.db(),
            "UPDATE remarks SET active = ?2, version = ?3, doc = ?4, job_id = ?6 WHERE id = ?1 AND version = ?5",
            params![next.id, next.active(), next.version as i64, to_doc(&next)?, r.version as i64, next.job_id],
        )
        .map_err(backend("update remark"))?;
        if n == 0 { Err(conflict("remark")) } else { Ok(()) }
    }

    async fn delete_remark(&self, id: &str) -> PortResult<bool> {
        let n = Self::exec(&self.db(), "DELETE FROM remarks WHERE id = ?1", params![id])
            .map_err(backend("delete remark"))?;
        Ok(n > 0)
    }

    async fn list_job_remarks(&self, job_id: &str, limit: usize) -> PortResult<Vec<Remark>> {
        let limit = limit as i64;
        Self::docs(
            &self.db(),
            "SELECT doc FROM remarks WHERE job_id = ?1 ORDER BY created_at DESC, id DESC LIMIT ?2",
            &[&job_id, &limit],
        )
    }

    async fn list_active_remarks(&self, job_id: Option<&str>) -> PortResult<Vec<Remark>> {
        match job_id {
            Some(j) => Self::docs(
                &self.db(),
                "SELECT doc FROM remarks WHERE active = 1 AND job_id = ?1 ORDER BY created_at DESC, id DESC",
                &[&j],
            ),
            None => Self::docs(
                &self.db(),
                "SELECT doc FROM remarks WHERE active = 1 ORDER BY job_id, created_at DESC, id DESC",
                &[],
            ),
        }
    }
}

#[async_trait]
impl TicketRepo for SqliteStore {
    async fn insert_ticket(&self, t: &Ticket) -> PortResult<()> {
        Self::exec(
            &self.db(),
            "INSERT INTO tickets (id, job_id, run_id, open, created_at, version, doc)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![t.id, t.job_id, t.run_id, t.open(), ts(t.created_at), t.version as i64, to_doc(t)?],
        )
        .map_err(|e| {
            if is_unique_violation(&e) {
                PortError::Conflict(format!("ticket {} exists or run {} has an open ticket", t.id, t.run_id))
            } else {
                backend("insert ticket")(e)
            }
        })?;
        Ok(())
    }

    async fn get_ticket(&self, id: &str) -> PortResult<Option<Ticket>> {
        Self::doc(&self.db(), "SELECT doc FROM tickets WHERE id = ?1", id)
    }

    async fn update_ticket(&self, t: &Ticket) -> PortResult<()> {
        let mut next = t.clone();
        next.version += 1;
        let n = Self::exec(
            &self.db(),
            "UPDATE tickets SET open = ?2, version = ?3, doc = ?4, job_id = ?6 WHERE id = ?1 AND version = ?5",
            params![next.id, next.open(), next.version as i64, to_doc(&next)?, t.version as i64, next.job_id],
        )
        .map_err(|e| {
            if is_unique_violation(&e) {
                PortError::Conflict(format!("run {} has an open ticket", t.run_id))
            } else {
                backend("update ticket")(e)
            }
        })?;
        if n == 0 { Err(conflict("ticket")) } else { Ok(()) }
    }

    async fn delete_ticket(&self, t: &Ticket) -> PortResult<()> {
        let n = Self::exec(
            &self.db(),
            "DELETE FROM tickets WHERE id = ?1 AND version = ?2",
            params![t.id, t.version as i64],
        )
        .map_err(backend("delete ticket"))?;
        if n == 0 { Err(conflict("ticket")) } else { Ok(()) }
    }

    async fn list_job_tickets(&self, job_id: &str, limit: usize) -> PortResult<Vec<Ticket>> {
        let limit = limit as i64;
        Self::docs(
            &self.db(),
            "SELECT doc FROM tickets WHERE job_id = ?1 ORDER BY created_at DESC, id DESC LIMIT ?2",
            &[&job_id, &limit],
        )
    }

    async fn list_open_tickets(&self, job_id: Option<&str>) -> PortResult<Vec<Ticket>> {
        match job_id {
            Some(j) => Self::docs(
                &self.db(),
                "SELECT doc FROM tickets WHERE open = 1 AND job_id = ?1 ORDER BY created_at DESC, id DESC",
                &[&j],
            ),
            None => Self::docs(
                &self.db(),
                "SELECT doc FROM tickets WHERE open = 1 ORDER BY job_id, created_at DESC, id DESC",
                &[],
            ),
        }
    }
}
