//! Pieces the pages share.

mod confirm_button;
mod customer_picker;
mod history_chart;
mod layout;
mod mail_body;
mod mail_upload;
mod modal;
mod objects_table;
mod operation_progress;
mod pager_nav;
pub mod report_summary;
mod runs_table;
mod shortcuts_help;
mod signature_pad;
mod states;
pub mod status_badge;
mod status_strip;
mod time;

pub use confirm_button::ConfirmButton;
pub use customer_picker::CustomerPicker;
pub use history_chart::{HistoryChart, Measure};
pub use layout::Layout;
pub use mail_body::MailBody;
pub use mail_upload::MailUpload;
pub use modal::Modal;
pub use objects_table::ObjectsTable;
pub use operation_progress::OperationProgress;
pub use pager_nav::PagerNav;
pub use report_summary::ReportSummary;
pub use runs_table::RunsTable;
pub use shortcuts_help::ShortcutsHelp;
pub use signature_pad::{SignaturePad, drawing as signature_drawing};
pub use states::{ErrorView, Loading, Refused};
pub use status_badge::StatusBadge;
pub use status_strip::StatusStrip;
pub use time::Time;
