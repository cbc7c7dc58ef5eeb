//! [`TapeRepo`] on SQLite: the barcode is a unique column; a tape job's
//! bindings are rows of `tape_job_tapes` rewritten in the job's transaction;
//! logging a Location writes the Cartridge in the same transaction.

use async_trait::async_trait;
use bc_core::api::{CustodyEvent, Tape, TapeJob, TapeLocation};
use bc_core::ports::{PortError, PortResult};
use bc_core::tapes::repo::TapeRepo;
use rusqlite::{Transaction, params};

use super::{SqliteStore, conflict};
use crate::sql::{backend, is_unique_violation, to_doc, ts};

fn write_tape(tx: &Transaction<'_>, t: &Tape) -> PortResult<()> {
    let mut next = t.clone();
    next.version += 1;
    let n = SqliteStore::exec(
        tx,
        "UPDATE tapes SET version = ?2, doc = ?3 WHERE id = ?1 AND version = ?4 AND barcode = ?5",
        params![next.id, next.version as i64, to_doc(&next)?, t.version as i64, t.barcode],
    )
    .map_err(backend("update tape"))?;
    if n == 0 { Err(conflict("tape")) } else { Ok(()) }
}

fn write_bindings(tx: &Transaction<'_>, job: &TapeJob) -> PortResult<()> {
    SqliteStore::exec(tx, "DELETE FROM tape_job_tapes WHERE job_id = ?1", params![job.id])
        .map_err(backend("delete tape bindings"))?;
    for (i, t) in job.tape_ids.iter().enumerate() {
        SqliteStore::exec(
            tx,
            "INSERT INTO tape_job_tapes (job_id, tape_id, position) VALUES (?1, ?2, ?3)",
            params![job.id, t, i as i64],
        )
        .map_err(|e| {
            if is_unique_violation(&e) {
                PortError::Invalid(format!("tape job {} names tape {t} twice", job.id))
            } else {
                backend("insert tape binding")(e)
            }
        })?;
    }
    Ok(())
}

#[async_trait]
impl TapeRepo for SqliteStore {
    async fn insert_tapes(&self, tapes: &[Tape]) -> PortResult<()> {
        let mut db = self.db();
        let tx = db.transaction().map_err(backend("begin"))?;
        for t in tapes {
            Self::exec(
                &tx,
                "INSERT INTO tapes (id, barcode, version, doc) VALUES (?1, ?2, ?3, ?4)",
                params![t.id, t.barcode, t.version as i64, to_doc(t)?],
            )
            .map_err(|e| {
                if is_unique_violation(&e) {
                    PortError::Conflict(format!("barcode {} is registered already", t.barcode))
                } else {
                    backend("insert tape")(e)
                }
            })?;
        }
        tx.commit().map_err(backend("commit"))?;
        Ok(())
    }

    async fn get_tape(&self, id: &str) -> PortResult<Option<Tape>> {
        Self::doc(&self.db(), "SELECT doc FROM tapes WHERE id = ?1", id)
    }

    async fn update_tape(&self, tape: &Tape) -> PortResult<()> {
        let mut db = self.db();
        let tx = db.transaction().map_err(backend("begin"))?;
        write_tape(&tx, tape)?;
        tx.commit().map_err(backend("commit"))
    }

    async fn list_tapes(&self) -> PortResult<Vec<Tape>> {
        Self::docs(&self.db(), "SELECT doc FROM tapes ORDER BY barcode", &[])
    }

    async fn delete_tape(&self, id: &str) -> PortResult<bool> {
        let n =
            Self::exec(&self.db(), "DELETE FROM tapes WHERE id = ?1", params![id]).map_err(backend("delete tape"))?;
        Ok(n > 0)
    }

    async fn log_tape_location(&self, tape: &Tape, location: &TapeLocation) -> PortResult<()> {
        let mut db = self.db();
        let tx = db.transaction().map_err(backend("begin"))?;
        Self::exec(
            &tx,
            "INSERT INTO tape_locations (id, tape_id, at, doc) VALUES (?1, ?2, ?3, ?4)",
            params![location.id, location.tape_id, ts(location.at), to_doc(location)?],
        )
        .map_err(|e| {
            if is_unique_violation(&e) {
                PortError::Conflict(format!("location {} exists", location.id))
            } else {
                backend("insert tape location")(e)
            }
        })?;
        write_tape(&tx, tape)?;
        tx.commit().map_err(backend("commit"))
    }

    async fn list_tape_locations(&self, tape_id: &str) -> PortResult<Vec<TapeLocation>> {
        Self::docs(
            &self.db(),
            "SELECT doc FROM tape_locations WHERE tape_id = ?1 ORDER BY at DESC, id DESC",
            &[&tape_id],
        )
    }

    async fn delete_tape_locations(&self, tape_id: &str) -> PortResult<u64> {
        let n = Self::exec(&self.db(), "DELETE FROM tape_locations WHERE tape_id = ?1", params![tape_id])
            .map_err(backend("delete tape locations"))?;
        Ok(n as u64)
    }

    async fn insert_custody_event(&self, e: &CustodyEvent) -> PortResult<()> {
        Self::exec(
            &self.db(),
            "INSERT INTO tape_custody (id, tape_id, at, version, doc) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![e.id, e.tape_id, ts(e.at), e.version as i64, to_doc(e)?],
        )
        .map_err(|err| {
            if is_unique_violation(&err) {
                PortError::Conflict(format!("custody event {} exists", e.id))
            } else {
                backend("insert custody event")(err)
            }
        })?;
        Ok(())
    }

    async fn get_custody_event(&self, id: &str) -> PortResult<Option<CustodyEvent>> {
        Self::doc(&self.db(), "SELECT doc FROM tape_custody WHERE id = ?1", id)
    }

    async fn update_custody_event(&self, e: &CustodyEvent) -> PortResult<()> {
        let mut next = e.clone();
        next.version += 1;
        let n = Self::exec(
            &self.db(),
            "UPDATE tape_custody SET at = ?2, version = ?3, doc = ?4 WHERE id = ?1 AND version = ?5",
            params![next.id, ts(next.at), next.version as i64, to_doc(&next)?, e.version as i64],
        )
        .map_err(backend("update custody event"))?;
        if n == 0 { Err(conflict("custody event")) } else { Ok(()) }
    }

    async fn list_custody_events(&self, tape_id: &str) -> PortResult<Vec<CustodyEvent>> {
        Self::docs(&self.db(), "SELECT doc FROM tape_custody WHERE tape_id = ?1 ORDER BY at, id", &[&tape_id])
    }

    async fn delete_custody_events(&self, tape_id: &str) -> PortResult<u64> {
        let n = Self::exec(&self.db(), "DELETE FROM tape_custody WHERE tape_id = ?1", params![tape_id])
            .map_err(backend("delete custody events"))?;
        Ok(n as u64)
    }

    async fn insert_tape_job(&self, job: &TapeJob) -> PortResult<()> {
        let mut db = self.db();
        let tx = db.transaction().map_err(backend("begin"))?;
        Self::exec(
            &tx,
            "INSERT INTO tape_jobs (id, job_date, version, doc) VALUES (?1, ?2, ?3, ?4)",
            params![job.id, ts(job.job_date), job.version as i64, to_doc(job)?],
        )
        .map_err(|e| {
            if is_unique_violation(&e) {
                PortError::Conflict(format!("tape job {} exists", job.id))
            } else {
                backend("insert tape job")(e)
            }
        })?;
        write_bindings(&tx, job)?;
        tx.commit().map_err(backend("commit"))
    }

    async fn get_tape_job(&self, id: &str) -> PortResult<Option<TapeJob>> {
        Self::doc(&self.db(), "SELECT doc FROM tape_jobs WHERE id = ?1", id)
    }

    async fn update_tape_job(&self, job: &TapeJob) -> PortResult<()> {
        let mut db = self.db();
        let tx = db.transaction().map_err(backend("begin"))?;
        let mut next = job.clone();
        next.version += 1;
        let n = Self::exec(
            &tx,
            "UPDATE tape_jobs SET job_date = ?2, version = ?3, doc = ?4 WHERE id = ?1 AND version = ?5",
            params![next.id, ts(next.job_date), next.version as i64, to_doc(&next)?, job.version as i64],
        )
        .map_err(backend("update tape job"))?;
        if n == 0 {
            return Err(conflict("tape job"));
        }
        write_bindings(&tx, job)?;
        tx.commit().map_err(backend("commit"))
    }

    async fn list_tape_jobs(&self) -> PortResult<Vec<TapeJob>> {
        Self::docs(&self.db(), "SELECT doc FROM tape_jobs ORDER BY job_date DESC, id DESC", &[])
    }

    async fn delete_tape_job(&self, id: &str) -> PortResult<bool> {
        let mut db = self.db();
        let tx = db.transaction().map_err(backend("begin"))?;
        Self::exec(&tx, "DELETE FROM tape_job_tapes WHERE job_id = ?1", params![id])
            .map_err(backend("delete tape bindings"))?;
        let n =
            Self::exec(&tx, "DELETE FROM tape_jobs WHERE id = ?1", params![id]).map_err(backend("delete tape job"))?;
        tx.commit().map_err(backend("commit"))?;
        Ok(n > 0)
    }

    async fn tape_job_ids_of_tape(&self, tape_id: &str) -> PortResult<Vec<String>> {
        let db = self.db();
        let mut stmt = db
            .prepare_cached("SELECT job_id FROM tape_job_tapes WHERE tape_id = ?1 ORDER BY job_id")
            .map_err(backend("prepare"))?;
        let rows = stmt
            .query_map([tape_id], |r| r.get::<_, String>(0))
            .map_err(backend("query"))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(backend("read"))?;
        Ok(rows)
    }
}
