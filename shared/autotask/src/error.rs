use std::time::Duration;

/// What can go wrong talking to Autotask. Every variant says what the caller can do about it.
#[derive(Debug, thiserror::Error, Clone, PartialEq)]
pub enum AutotaskError {
    /// 401: the API user, secret or integration code (tracking identifier) is wrong. Fix the settings.
    #[error("Autotask refused the credentials (check API user, secret and tracking identifier)")]
    Unauthorized,
    /// 403, or a 500 whose message is about permissions: the API user's security level lacks a right.
    #[error("the Autotask API user lacks a permission: {0}")]
    Forbidden(String),
    /// `GET {Entity}/{id}` answered `{"item": null}`: the entity is missing or deleted (Autotask does not say
    /// which; for tickets, `DeletedTicketLogs` tells; see [`crate::resolve::ticket_state`]).
    #[error("{entity} {id} not found in Autotask (missing or deleted)")]
    NotFound { entity: &'static str, id: i64 },
    /// A validation or business-rule failure (Autotask sends these as 500 with `{"errors": [...]}`);
    /// the messages joined with "; ".
    #[error("Autotask rejected the request: {0}")]
    Validation(String),
    /// 429 still after the bounded retries, or with a `Retry-After` longer than the client may wait.
    #[error("Autotask rate limit hit (retry after {retry_after:?})")]
    RateLimited { retry_after: Option<Duration> },
    /// The thread limit (`Itgenatr005`, more than 3 concurrent requests per endpoint) still after retries:
    /// another process uses the same integration code at the same time.
    #[error("Autotask thread limit exceeded (another process uses the same integration code)")]
    ThreadLimit,
    /// The hourly request budget (shared by every integration of the tenant) is spent; nothing was sent.
    #[error("the hourly Autotask request budget is spent")]
    BudgetExhausted,
    /// No answer within the client's timeout. A create may still have happened: see
    /// [`crate::resolve::find_ticket_for_run`].
    #[error("Autotask did not answer in time")]
    Timeout,
    /// Connection, TLS or DNS failure: nothing reached Autotask, or the answer was lost.
    #[error("cannot reach Autotask: {0}")]
    Transport(String),
    /// Anything else: an unexpected status or a body we could not read.
    #[error("unexpected answer from Autotask (HTTP {status}): {message}")]
    Unexpected { status: u16, message: String },
}

impl AutotaskError {
    /// Whether trying again later can help (the task queue retries these with backoff).
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            AutotaskError::RateLimited { .. }
                | AutotaskError::ThreadLimit
                | AutotaskError::BudgetExhausted
                | AutotaskError::Timeout
                | AutotaskError::Transport(_)
        )
    }
}

pub type Result<T, E = AutotaskError> = std::result::Result<T, E>;
