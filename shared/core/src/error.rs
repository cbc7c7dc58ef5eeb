//! The one error type of the core; the HTTP layer maps it to a status code.

use crate::ports::PortError;
use bc_api_types::Permission;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Invalid(String),
    #[error("sign in first")]
    Unauthorized,
    #[error("your role may not {}", .0.describe())]
    Forbidden(Permission),
    #[error("too many attempts; try again later")]
    RateLimited,
    #[error("{0}")]
    TooLarge(String),
    /// A backup engine's call that failed its signature, timestamp, nonce
    /// or registration-secret check (401; the reason is safe to show).
    #[error("{0}")]
    EngineRefused(String),
    /// Something that existed and is no more (an expired one-time token).
    #[error("{0}")]
    Gone(String),
    #[error("storage error: {0}")]
    Backend(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl From<PortError> for Error {
    fn from(e: PortError) -> Self {
        match e {
            PortError::Conflict(m) => Error::Conflict(m),
            PortError::Backend(m) => Error::Backend(m),
            PortError::Invalid(m) => Error::Invalid(m),
        }
    }
}

impl Error {
    /// Stable machine code for `{"error": {"code"}}`.
    pub fn code(&self) -> &'static str {
        match self {
            Error::NotFound(_) => "not_found",
            Error::Conflict(_) => "conflict",
            Error::Invalid(_) => "invalid",
            Error::Unauthorized => "unauthorized",
            Error::Forbidden(_) => "forbidden",
            Error::RateLimited => "rate_limited",
            Error::TooLarge(_) => "too_large",
            Error::EngineRefused(_) => "engine_refused",
            Error::Gone(_) => "gone",
            Error::Backend(_) => "internal",
        }
    }
}
