//! The JSON shapes of `/api/v1`, shared by the server and the Yew frontend so
//! the two cannot drift apart. Pure serde; compiles to wasm32.

mod agent_jobs;
mod alerts;
mod backup;
mod bodies;
mod enums;
mod jobs;
mod intake;
mod overrides;
mod permission;
mod platforms;
mod protection;
mod psa;
mod reports;
mod reviewed;
mod schedules;
mod tapes;

pub use agent_jobs::*;
pub use alerts::*;
pub use backup::*;
pub use bodies::*;
pub use enums::*;
pub use jobs::*;
pub use intake::*;
pub use overrides::*;
pub use permission::Permission;
pub use platforms::*;
pub use protection::*;
pub use psa::*;
pub use reports::*;
pub use reviewed::*;
pub use schedules::*;
pub use tapes::*;

/// Page size of the Inbox and other paginated lists unless the caller asks for less.
pub const PAGE_SIZE: usize = 50;
