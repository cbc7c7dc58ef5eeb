//! [`RunRepo`] on SQLite: a partial index holds only unreviewed runs, with
//! their status as a column so Run Checks counts them without reading them.

use async_trait::async_trait;
use bc_core::model::{Page, Run};
use bc_core::ports::PortResult;
use bc_core::review::repo::{RecordRun, ReindexBatch, ReviewCount, ReviewedFilter, RunRepo, UnreviewedJob};
use chrono::{DateTime, Utc};
use rusqlite::{Transaction, params};

use super::{SqliteStore, conflict};
use crate::sql::{backend, decode_cursor, keyset_page, to_doc, ts};

fn parse_ts(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).map(|t| t.with_timezone(&Utc)).unwrap_or_default()
}

/// The `unreviewed` column: 1 while the run waits in Run Checks (not
/// reviewed, and not made while its job was archived), else NULL.
fn in_run_checks(run: &Run) -> Option<i64> {
    (run.review.is_none() && !run.while_archived).then_some(1)
}

/// The versioned UPDATE of one run; `Ok(false)` when its version moved on.
fn write_run(tx: &Transaction<'_>, run: &Run) -> PortResult<bool> {
    let mut next = run.clone();
    next.version += 1;
    let n = SqliteStore::exec(
        tx,
        "UPDATE runs SET sort_at = ?2, unreviewed = ?3, status = ?4, received_at = ?5, version = ?6, doc = ?7,
                         reviewed_at = ?9, reviewed_by = ?10, customer_id = ?11, job_id = ?12
             WHERE id = ?1 AND version = ?8",
        params![
            next.id,
            ts(next.sort_at()),
            in_run_checks(&next),
            next.status.as_str(),
            ts(next.received_at),
            next.version as i64,
            to_doc(&next)?,
            run.version as i64,
            next.review.as_ref().map(|r| ts(r.at)),
            next.review.as_ref().map(|r| r.by.clone()),
            next.customer_id,
            next.job_id
        ],
    )
    .map_err(backend("update run"))?;
    Ok(n == 1)
}

#[async_trait]
impl RunRepo for SqliteStore {
    async fn record_run(&self, w: RecordRun<'_>) -> PortResult<bool> {
        let mut db = self.db();
        let tx = db.transaction().map_err(backend("begin"))?;
        let inserted = Self::exec(
            &tx,
            "INSERT OR IGNORE INTO runs (id, job_id, sort_at, unreviewed, status, received_at, version, doc,
                                         reviewed_at, reviewed_by, customer_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            params![
                w.run.id,
                w.run.job_id,
                ts(w.run.sort_at()),
                in_run_checks(w.run),
                w.run.status.as_str(),
                ts(w.run.received_at),
                w.run.version as i64,
                to_doc(w.run)?,
                w.run.review.as_ref().map(|r| ts(r.at)),
                w.run.review.as_ref().map(|r| r.by.clone()),
                w.run.customer_id
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

    async fn delete_run(&self, id: &str) -> PortResult<bool> {
        let n = Self::exec(&self.db(), "DELETE FROM runs WHERE id = ?1", params![id]).map_err(backend("delete run"))?;
        Ok(n > 0)
    }

    async fn get_run(&self, id: &str) -> PortResult<Option<Run>> {
        Self::doc(&self.db(), "SELECT doc FROM runs WHERE id = ?1", id)
    }

    async fn update_run(&self, run: &Run) -> PortResult<()> {
        let mut db = self.db();
        let tx = db.transaction().map_err(backend("begin"))?;
        if !write_run(&tx, run)? {
            return Err(conflict("run"));
        }
        tx.commit().map_err(backend("commit"))
    }

    async fn update_runs(&self, runs: &[Run]) -> PortResult<Vec<bool>> {
        let mut db = self.db();
        let tx = db.transaction().map_err(backend("begin"))?;
        let written = runs.iter().map(|r| write_run(&tx, r)).collect::<PortResult<Vec<bool>>>()?;
        tx.commit().map_err(backend("commit"))?;
        Ok(written)
    }

    async fn list_runs(&self, job_id: &str, cursor: Option<&str>, limit: usize) -> PortResult<Page<Run>> {
        let after = decode_cursor(cursor, 2)?;
        let (at, id) = match &after {
            Some(p) => (p[0].clone(), p[1].clone()),
            None => ("9999".to_string(), String::new()),
        };
        let limit = limit.max(1);
        let items: Vec<Run> = Self::docs(
            &self.db(),
            "SELECT doc FROM runs WHERE job_id = ?1
               AND (sort_at < ?2 OR (sort_at = ?2 AND (?3 = '' OR id < ?3)))
             ORDER BY sort_at DESC, id DESC LIMIT ?4",
            &[&job_id, &at, &id, &((limit + 1) as i64)],
        )?;
        Ok(keyset_page(items, limit, |r| vec![ts(r.sort_at()), r.id.clone()]))
    }

    async fn list_unreviewed_runs(
        &self,
        job_id: Option<&str>,
        cursor: Option<&str>,
        limit: usize,
    ) -> PortResult<Page<Run>> {
        let after = decode_cursor(cursor, 3)?;
        let (job, at, id) = match &after {
            Some(p) => (p[0].clone(), p[1].clone(), p[2].clone()),
            None => (String::new(), String::new(), String::new()),
        };
        let limit = limit.max(1);
        let items: Vec<Run> = Self::docs(
            &self.db(),
            "SELECT doc FROM runs WHERE unreviewed = 1 AND (?1 = '' OR job_id = ?1)
               AND (job_id, sort_at, id) > (?2, ?3, ?4)
             ORDER BY job_id, sort_at, id LIMIT ?5",
            &[&job_id.unwrap_or(""), &job, &at, &id, &((limit + 1) as i64)],
        )?;
        Ok(keyset_page(items, limit, |r| vec![r.job_id.clone(), ts(r.sort_at()), r.id.clone()]))
    }

    async fn unreviewed_by_job(&self) -> PortResult<Vec<UnreviewedJob>> {
        let db = self.db();
        let mut stmt = db
            .prepare_cached(
                "SELECT job_id,
                        sum(status = 'Success'), sum(status = 'Warning'), sum(status = 'Failed'), max(sort_at),
                        min(sort_at), sum(status = 'Missed')
                   FROM runs WHERE unreviewed = 1 GROUP BY job_id",
            )
            .map_err(backend("prepare"))?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, i64>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, String>(5)?,
                    r.get::<_, i64>(6)?,
                ))
            })
            .map_err(backend("query"))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(backend("read"))?;
        Ok(rows
            .into_iter()
            .map(|(job_id, s, w, f, newest, oldest, m)| UnreviewedJob {
                job_id,
                success: s as u32,
                warning: w as u32,
                failed: f as u32,
                missed: m as u32,
                newest: parse_ts(&newest),
                oldest: parse_ts(&oldest),
            })
            .collect())
    }

    async fn list_reviewed_runs(
        &self,
        f: &ReviewedFilter,
        cursor: Option<&str>,
        limit: usize,
    ) -> PortResult<Page<Run>> {
        let after = decode_cursor(cursor, 2)?;
        let (at, id) = match &after {
            Some(p) => (p[0].clone(), p[1].clone()),
            None => ("9999".to_string(), String::new()),
        };
        let limit = limit.max(1);
        // Only the filters given are in the SQL, so SQLite can take the
        // index of the reviewer or the customer (an `?x = '' OR` term would
        // make it read the whole list).
        let mut sql = String::from(
            "SELECT doc FROM runs WHERE reviewed_at IS NOT NULL AND reviewed_at >= ?1 AND reviewed_at < ?2
                AND (reviewed_at, id) < (?3, ?4)",
        );
        let (from, until) = (ts(f.from), ts(f.until));
        let status = f.status.map(|s| s.as_str().to_string());
        let n = (limit + 1) as i64;
        let mut args: Vec<&dyn rusqlite::ToSql> = vec![&from, &until, &at, &id];
        for (column, value) in [("reviewed_by", &f.reviewer), ("customer_id", &f.customer_id), ("status", &status)] {
            if let Some(v) = value {
                args.push(v);
                sql.push_str(&format!(" AND {column} = ?{}", args.len()));
            }
        }
        args.push(&n);
        sql.push_str(&format!(" ORDER BY reviewed_at DESC, id DESC LIMIT ?{}", args.len()));
        let items: Vec<Run> = Self::docs(&self.db(), &sql, &args)?;
        Ok(keyset_page(items, limit, |r| vec![r.review.as_ref().map(|v| ts(v.at)).unwrap_or_default(), r.id.clone()]))
    }

    async fn review_counts(&self, from: DateTime<Utc>, until: DateTime<Utc>) -> PortResult<Vec<ReviewCount>> {
        let db = self.db();
        let mut stmt = db
            .prepare_cached(
                "SELECT substr(reviewed_at, 1, 10), reviewed_by, count(*) FROM runs
                  WHERE reviewed_at IS NOT NULL AND reviewed_at >= ?1 AND reviewed_at < ?2
                  GROUP BY 1, 2 ORDER BY 1, 2",
            )
            .map_err(backend("prepare"))?;
        let rows = stmt
            .query_map(params![ts(from), ts(until)], |r| {
                Ok(ReviewCount {
                    day: r.get(0)?,
                    by: r.get::<_, Option<String>>(1)?.unwrap_or_default(),
                    runs: r.get::<_, i64>(2)? as u32,
                })
            })
            .map_err(backend("query"))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(backend("read"))?;
        Ok(rows)
    }

    /// Nothing to do here: migration 0003 filled `reviewed_at` (the Reviewed
    /// view's index column) for every run in the same step that added it.
    async fn reindex_reviewed_runs(&self, _cursor: Option<&str>, _limit: usize) -> PortResult<ReindexBatch> {
        Ok(ReindexBatch::default())
    }
}
