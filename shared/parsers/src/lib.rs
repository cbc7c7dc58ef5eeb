//! Report-mail parsers: raw bytes in, a [`Report`] out. Pure code, no I/O.
//!
//! [`read_mail`] turns RFC 5322 bytes into a bounded [`MailMessage`];
//! [`parse_report`] asks the registry's parsers in order and the first whose
//! match rules fit the mail produces the report.

pub use bc_api_types::{Report, ReportObject, Sizes, Status};

mod mail_view;
mod mime;
mod parsers;
mod registry;
mod report;
pub mod util;

pub use mime::{MAX_MAIL_BYTES, MailAttachment, MailMessage, MimeError, read_mail};
pub use registry::{ParseError, ParserInfo, matching_parsers, parse_report, registry};
pub use report::{MAX_MESSAGE_LEN, MAX_MESSAGES, MAX_NAME_LEN, MAX_OBJECTS};
