//! One module per page.

mod account;
pub(crate) mod audit;
mod customers;
mod daily_jobs;
mod inbox;
mod inbox_mail;
mod job;
mod jobs;
mod login;
mod not_found;
mod notes;
mod overrides;
mod reports;
mod reviewed;
mod run_checks;
pub(crate) mod run_detail;
mod settings;
mod users;

pub use account::AccountPage;
pub use audit::AuditPage;
pub use customers::CustomersPage;
pub use daily_jobs::DailyJobsPage;
pub use inbox::InboxPage;
pub use inbox_mail::InboxMailPage;
pub use job::JobPage;
pub use jobs::JobsPage;
pub use login::LoginPage;
pub use not_found::NotFoundPage;
pub use overrides::OverridesPage;
pub use reports::ReportsPage;
pub use reviewed::ReviewedPage;
pub use run_checks::RunChecksPage;
pub use run_detail::RunPage;
pub use settings::{ApiTokensPage, SettingsPage};
pub use users::UsersPage;
