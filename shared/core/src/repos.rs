//! Every repository trait in one place, for the adapters that implement
//! them and the tests that call them. (Within the core, each area imports
//! its own `repo` module.)

pub use crate::audit::repo::{AuditFilter, AuditRepo};
pub use crate::auth::repo::{ApiTokenRepo, CounterRepo, SessionRepo};
pub use crate::backup::repo::{BackupDoc, BackupKind, BackupRepo};
pub use crate::claims::ClaimRepo;
pub use crate::customers::repo::CustomerRepo;
pub use crate::inbox::repo::{MailList, MailRepo};
pub use crate::jobs::repo::{JobFilter, JobRepo};
pub use crate::review::notes_repo::{RemarkRepo, TicketRepo};
pub use crate::review::overrides::repo::OverrideRepo;
pub use crate::review::repo::{RecordRun, ReviewCount, ReviewedFilter, RunRepo, UnreviewedJob};
pub use crate::schedules::repo::ScheduleRepo;
pub use crate::settings::repo::SettingsRepo;
pub use crate::tapes::repo::TapeRepo;
pub use crate::tasks::repo::OperationRepo;
pub use crate::users::repo::UserRepo;
