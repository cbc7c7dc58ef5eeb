//! [`SettingsRepo`] on SQLite.

use async_trait::async_trait;
use bc_core::ports::PortResult;
use bc_core::settings::repo::SettingsRepo;
use rusqlite::OptionalExtension;

use super::SqliteStore;
use crate::sql::backend;

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
