//! [`Store`]: every repository the use cases keep state in, gathered so a
//! runtime passes one object. Each repository trait lives with its area.

use crate::audit::repo::AuditRepo;
use crate::auth::repo::{ApiTokenRepo, CounterRepo, SessionRepo};
use crate::backup::repo::BackupRepo;
use crate::claims::ClaimRepo;
use crate::customers::repo::CustomerRepo;
use crate::inbox::repo::MailRepo;
use crate::jobs::repo::JobRepo;
use crate::review::notes_repo::{RemarkRepo, TicketRepo};
use crate::review::overrides::repo::OverrideRepo;
use crate::review::repo::RunRepo;
use crate::schedules::repo::ScheduleRepo;
use crate::settings::repo::SettingsRepo;
use crate::tapes::repo::TapeRepo;
use crate::tasks::repo::OperationRepo;
use crate::users::repo::UserRepo;

pub trait Store:
    MailRepo
    + CustomerRepo
    + JobRepo
    + RunRepo
    + RemarkRepo
    + TicketRepo
    + UserRepo
    + SessionRepo
    + CounterRepo
    + SettingsRepo
    + AuditRepo
    + ClaimRepo
    + ApiTokenRepo
    + OperationRepo
    + OverrideRepo
    + ScheduleRepo
    + TapeRepo
    + BackupRepo
{
}

impl<T> Store for T where
    T: MailRepo
        + CustomerRepo
        + JobRepo
        + RunRepo
        + RemarkRepo
        + TicketRepo
        + UserRepo
        + SessionRepo
        + CounterRepo
        + SettingsRepo
        + AuditRepo
        + ClaimRepo
        + ApiTokenRepo
        + OperationRepo
        + OverrideRepo
        + ScheduleRepo
        + TapeRepo
        + BackupRepo
{
}
