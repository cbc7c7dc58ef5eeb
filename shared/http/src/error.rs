//! Errors as `{"error": {"code", "message"}}` with the matching status.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use bc_api_types::{ErrorBody, ErrorDetail};
use bc_core::Error;

/// A core error on its way out.
#[derive(Debug)]
pub struct ApiError(pub Error);

impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        ApiError(e)
    }
}

impl ApiError {
    pub fn invalid(msg: impl Into<String>) -> Self {
        ApiError(Error::Invalid(msg.into()))
    }

    pub fn status(&self) -> StatusCode {
        match &self.0 {
            Error::NotFound(_) => StatusCode::NOT_FOUND,
            Error::Conflict(_) => StatusCode::CONFLICT,
            Error::Invalid(_) => StatusCode::BAD_REQUEST,
            Error::Unauthorized | Error::EngineRefused(_) => StatusCode::UNAUTHORIZED,
            Error::Forbidden(_) => StatusCode::FORBIDDEN,
            Error::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            Error::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Error::Gone(_) => StatusCode::GONE,
            Error::Backend(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

pub(crate) fn error_response(status: StatusCode, code: &str, message: String) -> Response {
    (status, Json(ErrorBody { error: ErrorDetail { code: code.to_string(), message } })).into_response()
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let message = match &self.0 {
            // Internals stay in the log, not in the response.
            Error::Backend(detail) => {
                tracing::error!(error = %detail, "request failed");
                "internal error; the details are in the server log".to_string()
            }
            other => other.to_string(),
        };
        error_response(status, self.0.code(), message)
    }
}

pub(crate) type ApiResult<T> = Result<T, ApiError>;
