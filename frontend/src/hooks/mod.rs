//! Hooks shared by the pages.

mod use_fetch;
mod use_keys;
mod use_pager;

pub use use_fetch::use_fetch;
pub use use_keys::{on_control, use_keys};
pub use use_pager::use_pager;
