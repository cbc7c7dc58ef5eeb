//! The JSON shapes of `/api/v1`, shared by the server and the Yew frontend so
//! the two cannot drift apart. Pure serde; compiles to wasm32.

/// A string-valued enum as the wire spells it: `ALL`, `as_str`, `parse`,
/// `Display`, and with `default X` a `Default`.
macro_rules! wire_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $wire:literal),* $(,)? } default $def:ident) => {
        wire_enum!($(#[$m])* $name { $($variant = $wire),* });

        impl Default for $name {
            fn default() -> Self {
                $name::$def
            }
        }
    };
    ($(#[$m:meta])* $name:ident { $($variant:ident = $wire:literal),* $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        pub enum $name {
            $(#[serde(rename = $wire)] $variant,)*
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $wire,)* }
            }

            pub fn parse(s: &str) -> Option<$name> {
                match s { $($wire => Some($name::$variant),)* _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

mod agent_jobs;
mod alerts;
mod backup;
mod bodies;
mod enums;
mod intake;
mod jobs;
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
pub use intake::*;
pub use jobs::*;
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
