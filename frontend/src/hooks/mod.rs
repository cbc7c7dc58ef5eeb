//! Hooks shared by the pages.

mod field_value;
mod use_fetch;
mod use_keys;
mod use_pager;

pub use field_value::{set_value, use_field_value};
pub use use_fetch::use_fetch;
pub use use_keys::{on_control, use_keys};
pub use use_pager::use_pager;
