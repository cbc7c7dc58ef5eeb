//! The admin's Reviewed view: reviewed runs, newest review first, and the
//! review statistics. (Bulk unmark is `POST /run-checks/unreview`.)

use axum::Json;
use axum::extract::State;
use bc_api_types::{ErrorBody, ReindexQueued, ReviewStats, ReviewedPage, Status};
use bc_core::review::reviewed::ReviewedQuery;
use chrono::{DateTime, Utc};

use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Auth, QueryParams};

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ReviewedParams {
    /// RFC 3339; reviewed at or after (default: 90 days before `until`).
    pub from: Option<DateTime<Utc>>,
    /// RFC 3339; reviewed before (default: now). At most 366 days after `from`.
    pub until: Option<DateTime<Utc>>,
    /// A username.
    pub reviewer: Option<String>,
    pub customer_id: Option<String>,
    /// The status the run shows: Success, Warning or Failed.
    pub status: Option<String>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Runs per page (default 50, at most 200).
    pub limit: Option<usize>,
}

#[utoipa::path(get, path = "/api/v1/reviewed", tag = "runs", params(ReviewedParams),
    responses((status = 200, body = ReviewedPage, description = "Reviewed runs, newest review first"),
              (status = 400, body = ErrorBody), (status = 403, body = ErrorBody, description = "admins only")))]
pub(crate) async fn list(
    State(s): State<AppState>,
    Auth(a): Auth,
    QueryParams(p): QueryParams<ReviewedParams>,
) -> ApiResult<Json<ReviewedPage>> {
    let nonempty = |v: Option<String>| v.filter(|s| !s.trim().is_empty());
    let status = match nonempty(p.status) {
        Some(v) => Some(v.parse::<Status>().map_err(ApiError::invalid)?),
        None => None,
    };
    let q = ReviewedQuery {
        from: p.from,
        until: p.until,
        reviewer: nonempty(p.reviewer),
        customer_id: nonempty(p.customer_id),
        status,
        cursor: nonempty(p.cursor),
        limit: p.limit,
    };
    Ok(Json(s.app.reviewed_runs(&a, &q).await?))
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct StatsParams {
    /// Days back, today included (default 30, at most 366).
    pub days: Option<u32>,
}

#[utoipa::path(get, path = "/api/v1/reviewed/stats", tag = "runs", params(StatsParams),
    responses((status = 200, body = ReviewStats, description = "Runs reviewed per day and by whom; the oldest unreviewed run"),
              (status = 400, body = ErrorBody), (status = 403, body = ErrorBody, description = "admins only")))]
pub(crate) async fn stats(
    State(s): State<AppState>,
    Auth(a): Auth,
    QueryParams(p): QueryParams<StatsParams>,
) -> ApiResult<Json<ReviewStats>> {
    Ok(Json(s.app.review_stats(&a, p.days).await?))
}

/// Runs reviewed before the Reviewed view's index existed are missing from
/// it on DynamoDB until re-indexed; this queues that one-off pass (safe to
/// repeat; a no-op on the embedded store, whose migration indexed them).
#[utoipa::path(post, path = "/api/v1/reviewed/reindex", tag = "runs",
    responses((status = 200, body = ReindexQueued, description = "The re-index was queued; the audit log records its end"),
              (status = 403, body = ErrorBody, description = "admins only")))]
pub(crate) async fn reindex(State(s): State<AppState>, Auth(a): Auth) -> ApiResult<Json<ReindexQueued>> {
    Ok(Json(s.app.start_reindex_reviewed(&a).await?))
}
