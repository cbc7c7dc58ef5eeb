//! Support for the end-to-end tests: the core on either adapter set, the
//! router on a real loopback socket with a cookie-keeping client, and report
//! mails to feed it.

#[cfg(feature = "aws")]
pub mod bes;
pub mod cfn;
pub mod mails;
pub mod server;
pub mod webhooks;

use std::sync::Arc;

use bc_api_types::Role;
use bc_core::ports::{Clock, SystemClock};
use bc_core::{App, Config};

/// Passwords of the users [`Runtime::with_users`] creates.
pub const ADMIN: (&str, &str) = ("admin", "admin-password-1");
pub const OPERATOR: (&str, &str) = ("olga", "operator-password-1");
pub const VIEWER: (&str, &str) = ("victor", "viewer-password-1");
pub const REPORTER: (&str, &str) = ("rita", "reporter-password-1");

/// The core on one adapter set, with whatever keeps that set alive.
pub struct Runtime {
    pub name: &'static str,
    pub app: App,
    /// The data folder (embedded runtime only).
    pub dir: Option<tempfile::TempDir>,
    /// The AWS adapters (AWS runtime only), for direct bucket access.
    #[cfg(feature = "aws")]
    pub aws: Option<bc_aws::AwsAdapters>,
}

impl Runtime {
    /// SQLite, files and the SQLite queue in a fresh temporary folder.
    pub fn embedded() -> Runtime {
        Self::embedded_with_clock(Arc::new(SystemClock))
    }

    pub fn embedded_with_clock(clock: Arc<dyn Clock>) -> Runtime {
        let dir = tempfile::tempdir().expect("temp dir");
        let e = bc_embedded::Embedded::open(dir.path()).expect("open embedded store");
        let app = e.app(Config::default(), clock);
        Runtime {
            name: "embedded",
            app,
            dir: Some(dir),
            #[cfg(feature = "aws")]
            aws: None,
        }
    }

    /// DynamoDB, S3, SQS and SES v2 on moto, with fresh resources.
    #[cfg(feature = "aws")]
    pub async fn aws(label: &str) -> Runtime {
        let adapters = bc_aws::testing::adapters(label).await.expect("moto adapters (is moto_server installed?)");
        let app = bc_lambda::app_on(&adapters, Config::default());
        Runtime { name: "aws", app, dir: None, aws: Some(adapters) }
    }

    /// Creates the admin, operator, reporter and viewer of the constants above.
    pub async fn with_users(self) -> Self {
        for ((u, p), role) in
            [(ADMIN, Role::Admin), (OPERATOR, Role::Operator), (VIEWER, Role::Viewer), (REPORTER, Role::Reporter)]
        {
            self.app.create_user_unchecked(u, p, role).await.expect("create user");
        }
        self
    }
}
