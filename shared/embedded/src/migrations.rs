//! Versioned schema migrations, applied in order when the database opens
//! (`PRAGMA user_version` holds the last one applied). A data folder made by
//! an older release opens in a newer one with nothing lost; a database from
//! a newer release than this one is refused rather than misread.
//!
//! Rules: never edit a migration that has shipped; add one. Each runs in
//! one transaction with its version bump.

use rusqlite::Connection;

/// Migration `i` brings the schema from version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[
    // 1: the first release's schema. Each entity is a JSON document plus the
    // columns its access patterns need; partial indexes are the embedded
    // twin of DynamoDB's sparse GSIs. (`IF NOT EXISTS`: databases of that
    // release carry user_version 0 but have these tables already.)
    include_str!("migrations/0001_first_release.sql"),
    // 2: the audit trail, claim-once, API tokens, bulk operations; runs get
    // their status and arrival time as columns for Run Checks' counts.
    include_str!("migrations/0002_audit_claims_tokens_operations.sql"),
    // 3: overrides (a run's override marker lives in its document); runs get
    // their review time, reviewer and customer as columns for the Reviewed view.
    include_str!("migrations/0003_overrides_reviewed.sql"),
    // 4: remarks and tickets, with one open ticket per run as a partial
    // unique index.
    include_str!("migrations/0004_remarks_tickets.sql"),
    // 5: schedules: jobs get their next due time as a column with a
    // partial index (the scheduler's due list).
    include_str!("migrations/0005_schedules.sql"),
    // 6: LTO tapes: Cartridges, tape jobs and their bindings, Locations,
    // Custody events.
    include_str!("migrations/0006_tapes.sql"),
    // 7: the backup control plane: one table of documents by kind, with
    // parent and offline-deadline indexes.
    include_str!("migrations/0007_backup.sql"),
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

#[derive(Debug, thiserror::Error)]
pub enum MigrateError {
    #[error(
        "the database is at schema version {0}, newer than this release knows ({SCHEMA_VERSION}); upgrade Backupchecks"
    )]
    TooNew(u32),
}

/// Applies every migration the database has not had yet.
pub fn migrate(conn: &mut Connection) -> rusqlite::Result<()> {
    loop {
        // IMMEDIATE: the store and the queue open the same file; one of
        // them migrates, the other then sees the new version.
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let current: u32 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if current >= SCHEMA_VERSION {
            if current > SCHEMA_VERSION {
                let msg = MigrateError::TooNew(current).to_string();
                return Err(rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(1), Some(msg)));
            }
            return tx.commit();
        }
        tx.execute_batch(MIGRATIONS[current as usize])?;
        tx.pragma_update(None, "user_version", current + 1)?;
        tx.commit()?;
        tracing::info!(version = current + 1, "database schema migrated");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Migration 3 fills the review columns of runs reviewed before it, in
    /// the store's time format (so they compare as strings with new ones).
    #[test]
    fn reviewed_runs_get_their_columns_in_the_store_format() {
        let mut conn = Connection::open_in_memory().unwrap();
        for m in &MIGRATIONS[..2] {
            conn.execute_batch(m).unwrap();
        }
        conn.pragma_update(None, "user_version", 2).unwrap();
        for (id, at) in
            [("r1", "2026-11-30T06:00:43.5Z"), ("r2", "2026-11-30T06:00:44Z"), ("r3", "2026-11-30T06:00:45.123456789Z")]
        {
            let doc = format!(r#"{{"id":"{id}","customer_id":"c1","review":{{"by":"olga","at":"{at}"}}}}"#);
            conn.execute(
                "INSERT INTO runs (id, job_id, sort_at, unreviewed, version, doc) VALUES (?1, 'j', 'x', NULL, 0, ?2)",
                rusqlite::params![id, doc],
            )
            .unwrap();
        }
        conn.execute(
            "INSERT INTO runs (id, job_id, sort_at, unreviewed, version, doc) VALUES ('r4', 'j', 'x', 1, 0, '{}')",
            [],
        )
        .unwrap();
        migrate(&mut conn).unwrap();
        let rows: Vec<(String, Option<String>, Option<String>)> = conn
            .prepare("SELECT id, reviewed_at, reviewed_by FROM runs ORDER BY id")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let at = |s: &str| Some(s.to_string());
        assert_eq!(rows[0].1, at("2026-11-30T06:00:43.500000Z"));
        assert_eq!(rows[1].1, at("2026-11-30T06:00:44.000000Z"));
        assert_eq!(rows[2].1, at("2026-11-30T06:00:45.123456Z"));
        assert_eq!(rows[0].2, at("olga"));
        assert_eq!(rows[3].1, None, "an unreviewed run has none");
    }
}
