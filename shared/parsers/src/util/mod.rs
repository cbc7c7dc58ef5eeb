//! Helpers the parsers share: HTML text and tables, sizes, durations,
//! local date-times, and plain-text matching.

pub mod datetime;
pub mod duration;
pub mod html;
pub mod size;
pub(crate) mod text;
