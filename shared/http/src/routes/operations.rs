//! Bulk operations: progress of work running in the worker.

use axum::Json;
use axum::extract::{Path, State};
use bc_api_types::{ErrorBody, Operation};

use crate::AppState;
use crate::error::ApiResult;
use crate::extract::Auth;

#[utoipa::path(get, path = "/api/v1/operations/{id}", tag = "operations", params(("id" = String, Path)),
    responses((status = 200, body = Operation), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn get(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Operation>> {
    Ok(Json(s.app.operation(&a, &id).await?))
}
