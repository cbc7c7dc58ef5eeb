//! The audit trail (admins): every change, filtered and paged.

use axum::Json;
use axum::extract::State;
use bc_api_types::{AuditPage, ErrorBody};
use bc_core::audit::repo::AuditFilter;
use chrono::{DateTime, Utc};

use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Auth, QueryParams};

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct AuditQuery {
    /// With `entity_id`: one entity's entries.
    pub entity_type: Option<String>,
    pub entity_id: Option<String>,
    /// A username, `system` or `token:<name>`.
    pub actor: Option<String>,
    pub action: Option<String>,
    /// RFC 3339; entries at or after.
    pub from: Option<DateTime<Utc>>,
    /// RFC 3339; entries before.
    pub until: Option<DateTime<Utc>>,
    pub cursor: Option<String>,
    /// Page size (default 50, at most 200).
    pub limit: Option<usize>,
}

#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(AuditQuery),
    responses((status = 200, body = AuditPage, description = "Newest first"), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub(crate) async fn list(
    State(s): State<AppState>,
    Auth(a): Auth,
    QueryParams(q): QueryParams<AuditQuery>,
) -> ApiResult<Json<AuditPage>> {
    let nonempty = |v: Option<String>| v.filter(|s| !s.trim().is_empty());
    let entity = match (nonempty(q.entity_type.clone()), nonempty(q.entity_id)) {
        (Some(t), Some(id)) => Some((t, id)),
        (None, Some(_)) => return Err(ApiError::invalid("entity_id needs entity_type")),
        _ => None,
    };
    let filter = AuditFilter {
        entity_type: if entity.is_some() { None } else { nonempty(q.entity_type) },
        entity,
        actor: nonempty(q.actor),
        action: nonempty(q.action),
        from: q.from,
        until: q.until,
    };
    Ok(Json(s.app.audit_log(&a, &filter, q.cursor.as_deref(), q.limit.unwrap_or(50)).await?))
}
