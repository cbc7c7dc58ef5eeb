//! Turns SDK errors into [`PortError`]s: one message shape, naming the
//! service and the operation, with the whole error chain.

use aws_smithy_types::error::display::DisplayErrorContext;
use bc_core::PortError;

/// A backend failure of `service` `op` (e.g. "DynamoDB", "PutItem").
pub(crate) fn backend<E: std::error::Error>(service: &str, op: &str, err: E) -> PortError {
    PortError::Backend(format!("{service} {op} failed: {}", DisplayErrorContext(err)))
}

/// A request the SDK refused to build (a missing required field): a bug here,
/// reported as a backend failure rather than a panic.
pub(crate) fn build(service: &str, op: &str, err: aws_smithy_types::error::operation::BuildError) -> PortError {
    PortError::Backend(format!("{service} {op}: invalid request: {err}"))
}
