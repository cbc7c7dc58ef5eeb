//! Report-mail parsers: raw bytes in, a [`Report`] out. Pure code, no I/O.
//!
//! [`read_mail`] turns RFC 5322 bytes into a bounded [`MailMessage`];
//! [`parse_report`] asks the registry's parsers in order and the first whose
//! match rules fit the mail produces the report. [`parse_report_with`] adds
//! the keyword rules an MSP configures per sender; [`parsers_markdown`]
//! renders the registry as `docs/parsers.md`.

pub use bc_api_types::{Report, ReportObject, Sizes, Status};

mod docs;
mod keyword_rules;
mod mime;
mod options;
mod parse_input;
mod parsers;
mod registry;
mod report;
pub mod util;

pub use docs::parsers_markdown;
pub use mime::{
    MAX_FILENAME_CHARS, MAX_HEADER_FIELD_BYTES, MAX_HEADER_LINES, MAX_HEADER_VALUE_CHARS, MAX_MAIL_BYTES,
    MAX_MIME_PARTS, MAX_RECIPIENTS, MAX_SUBJECT_CHARS, MailAttachment, MailMessage, MimeError, read_mail,
};
pub use options::{KeywordRule, ParseOptions, Scope};
pub use registry::{
    HIGH_REAL_FIXTURES, ParseError, ParserInfo, RealFixture, confidence_for, matching_parsers, matching_parsers_with,
    parse_report, parse_report_with, registry,
};
pub use report::{MAX_MESSAGE_LEN, MAX_MESSAGES, MAX_NAME_LEN, MAX_OBJECTS};
