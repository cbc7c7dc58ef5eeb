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
    /// Opens (creating if needed) the data folder and its database. On
    /// Unix the folder is made 0700 and the database (with its WAL and
    /// shared-memory files) 0600: it holds session and token hashes.
    pub fn open(dir: &Path) -> Result<Embedded, OpenError> {
        std::fs::create_dir_all(dir)?;
        restrict(dir, 0o700)?;
        let db = dir.join("backupchecks.db");
        // Created owner-only before SQLite opens it; SQLite gives the -wal
        // and -shm files the database file's mode.
        if db.exists() {
            restrict(&db, 0o600)?;
        } else {
            create_private(&db)?;
        }
        let store = Arc::new(SqliteStore::open(&db)?);
        let queue = Arc::new(SqliteQueue::open(&db)?);
        for file in ["backupchecks.db", "backupchecks.db-wal", "backupchecks.db-shm"] {
            let path = dir.join(file);
            if path.exists() {
                restrict(&path, 0o600)?;
            }
        }
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
            .with_webhooks(Arc::new(bc_webhooks::HttpWebhooks::new()))
            .with_platforms(Arc::new(bc_platforms::HttpPlatforms::new()))
    }

    pub fn drop_dir(&self) -> PathBuf {
        self.dir.join("drop")
    }
}

/// Sets `mode` on `path` (Unix; nothing elsewhere).
fn restrict(path: &Path, mode: u32) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))?;
    }
    #[cfg(not(unix))]
    let _ = (path, mode);
    Ok(())
}

/// Creates `path` empty with mode 0600 (Unix).
fn create_private(path: &Path) -> std::io::Result<()> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    opts.open(path).map(|_| ())
}
