//! The embedded adapter set: everything in one data folder, for
//! `backupchecks serve` on one machine and for most tests.
//!
//! ```text
//! data/
//!   backupchecks.db   SQLite (WAL): all state, and the durable task queue
//!   blobs/            raw mail, bodies, attachments, parsed reports
//!   outbox/           outgoing mail as .eml files
//!   secrets.key       the key integration credentials are encrypted with
//!   secrets/          those credentials, AES-256-GCM
//!   drop/             the drop folder `serve` watches for .eml files
//! ```

mod blobs;
mod mailer;
pub mod migrations;
mod queue;
mod secrets;
mod sql;
mod store;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use bc_core::ports::Clock;
use bc_core::{App, Config};

pub use blobs::FsBlobs;
pub use mailer::OutboxMailer;
pub use queue::SqliteQueue;
pub use secrets::FileSecrets;
pub use store::SqliteStore;

/// The four embedded adapters over one data folder.
pub struct Embedded {
    pub dir: PathBuf,
    pub store: Arc<SqliteStore>,
    pub blobs: Arc<FsBlobs>,
    pub queue: Arc<SqliteQueue>,
    pub mailer: Arc<OutboxMailer>,
    pub secrets: Arc<FileSecrets>,
}

#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("data folder: {0}")]
    Io(#[from] std::io::Error),
    #[error("database: {0}")]
    Sql(#[from] rusqlite::Error),
}

impl Embedded {
    /// Opens (creating if needed) the data folder and its database.
    pub fn open(dir: &Path) -> Result<Embedded, OpenError> {
        std::fs::create_dir_all(dir)?;
        let db = dir.join("backupchecks.db");
        let store = Arc::new(SqliteStore::open(&db)?);
        let queue = Arc::new(SqliteQueue::open(&db)?);
        let blobs = Arc::new(FsBlobs::new(dir.join("blobs"))?);
        let mailer = Arc::new(OutboxMailer::new(dir.join("outbox"))?);
        let secrets = Arc::new(FileSecrets::new(dir));
        Ok(Embedded { dir: dir.to_path_buf(), store, blobs, queue, mailer, secrets })
    }

    /// The one place the core is built on the embedded adapters: the CLI,
    /// `serve` and the tests all use this.
    pub fn app(&self, config: Config, clock: Arc<dyn Clock>) -> App {
        App::new(self.store.clone(), self.blobs.clone(), self.queue.clone(), self.mailer.clone(), clock, config)
            .with_secrets(self.secrets.clone())
    }

    pub fn drop_dir(&self) -> PathBuf {
        self.dir.join("drop")
    }
}
