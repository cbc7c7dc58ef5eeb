//! Jobs: filtered list, one job, a job's run history, and the job's
//! lifecycle: rename, move, archive, merge, delete, undo the approval.

use axum::Json;
use axum::extract::{Path, State};
use bc_api_types::{ConfirmJob, ErrorBody, Job, JobChange, JobPage, MergeJob, MoveJob, RenameJob, RunPage, Status};
use bc_core::jobs::repo::JobFilter;

use super::PageQuery;
use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Auth, JsonBody, QueryParams};

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct JobQuery {
    pub customer_id: Option<String>,
    pub software: Option<String>,
    /// Status of the last run: Success, Warning or Failed.
    pub status: Option<String>,
    /// Substring of the job name.
    pub q: Option<String>,
    /// `false` (the default): jobs not archived; `true`: archived ones;
    /// `all`: both.
    pub archived: Option<String>,
    /// Where the runs come from: `mail`, `native` or `platform`.
    pub source: Option<String>,
    /// Exact job type (Backup, Full, Incremental, ...).
    pub job_type: Option<String>,
    /// Last run at or after this instant (RFC 3339).
    pub from: Option<String>,
    /// Last run before this instant (RFC 3339).
    pub to: Option<String>,
    pub cursor: Option<String>,
    pub limit: Option<usize>,
}

fn instant(name: &str, v: Option<String>) -> Result<Option<chrono::DateTime<chrono::Utc>>, ApiError> {
    match v.filter(|s| !s.trim().is_empty()) {
        None => Ok(None),
        Some(t) => chrono::DateTime::parse_from_rfc3339(t.trim())
            .map(|t| Some(t.with_timezone(&chrono::Utc)))
            .map_err(|_| ApiError::invalid(format!("{name}: expected an RFC 3339 time, not {t:?}"))),
    }
}

#[utoipa::path(get, path = "/api/v1/jobs", tag = "jobs", params(JobQuery),
    responses((status = 200, body = JobPage), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub(crate) async fn list(
    State(s): State<AppState>,
    Auth(a): Auth,
    QueryParams(q): QueryParams<JobQuery>,
) -> ApiResult<Json<JobPage>> {
    let last_status = match q.status.as_deref().filter(|v| !v.is_empty()) {
        Some(v) => Some(v.parse::<Status>().map_err(ApiError::invalid)?),
        None => None,
    };
    let archived = match q.archived.as_deref().map(str::trim) {
        None | Some("") | Some("false") => Some(false),
        Some("true") => Some(true),
        Some("all") => None,
        Some(other) => return Err(ApiError::invalid(format!("archived: expected true, false or all, not {other:?}"))),
    };
    let nonempty = |v: Option<String>| v.filter(|s| !s.trim().is_empty());
    let filter =
        JobFilter {
            customer_id: nonempty(q.customer_id),
            software: nonempty(q.software),
            last_status,
            search: nonempty(q.q),
            archived,
            source: match nonempty(q.source) {
                None => None,
                Some(v) => Some(bc_api_types::JobSourceKind::parse(v.trim()).ok_or_else(|| {
                    ApiError::invalid(format!("source: expected mail, native or platform, not {v:?}"))
                })?),
            },
            job_type: nonempty(q.job_type).filter(|t| t.len() <= 100),
            last_run_from: instant("from", q.from)?,
            last_run_to: instant("to", q.to)?,
        };
    Ok(Json(s.app.jobs(&a, &filter, q.cursor.as_deref(), q.limit.unwrap_or(50)).await?))
}

#[utoipa::path(get, path = "/api/v1/jobs/{id}", tag = "jobs", params(("id" = String, Path)),
    responses((status = 200, body = Job), (status = 404, body = ErrorBody)))]
pub(crate) async fn get(State(s): State<AppState>, Auth(a): Auth, Path(id): Path<String>) -> ApiResult<Json<Job>> {
    Ok(Json(s.app.job(&a, &id).await?))
}

#[utoipa::path(get, path = "/api/v1/jobs/{id}/runs", tag = "jobs", params(("id" = String, Path), PageQuery),
    responses((status = 200, body = RunPage, description = "Newest first; reviewer and time for admins"),
              (status = 404, body = ErrorBody)))]
pub(crate) async fn runs(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<String>,
    QueryParams(q): QueryParams<PageQuery>,
) -> ApiResult<Json<RunPage>> {
    Ok(Json(s.app.job_runs(&a, &id, q.cursor.as_deref(), q.limit.unwrap_or(50)).await?))
}

#[utoipa::path(post, path = "/api/v1/jobs/{id}/rename", tag = "jobs", params(("id" = String, Path)),
    request_body = RenameJob,
    responses((status = 200, body = JobChange, description = "renamed; an empty name restores the report's name"),
              (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn rename(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<RenameJob>,
) -> ApiResult<Json<JobChange>> {
    Ok(Json(s.app.rename_job(&a, &id, &b.name).await?))
}

#[utoipa::path(post, path = "/api/v1/jobs/{id}/move", tag = "jobs", params(("id" = String, Path)),
    request_body = MoveJob,
    responses((status = 200, body = JobChange, description = "moved; the worker moves its runs (the operation)"),
              (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn move_to(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<MoveJob>,
) -> ApiResult<Json<JobChange>> {
    Ok(Json(s.app.move_job(&a, &id, &b.customer_id).await?))
}

#[utoipa::path(post, path = "/api/v1/jobs/{id}/archive", tag = "jobs", params(("id" = String, Path)),
    responses((status = 200, body = JobChange, description = "archived: out of Run Checks, later runs raise nothing"),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn archive(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<JobChange>> {
    Ok(Json(s.app.set_job_archived(&a, &id, true).await?))
}

#[utoipa::path(post, path = "/api/v1/jobs/{id}/unarchive", tag = "jobs", params(("id" = String, Path)),
    responses((status = 200, body = JobChange), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn unarchive(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<JobChange>> {
    Ok(Json(s.app.set_job_archived(&a, &id, false).await?))
}

#[utoipa::path(post, path = "/api/v1/jobs/{id}/merge", tag = "jobs", params(("id" = String, Path, description = "the job kept")),
    request_body = MergeJob,
    responses((status = 200, body = JobChange, description = "merged; the worker moves the runs (the operation)"),
              (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody, description = "one of the jobs is already merged")))]
pub(crate) async fn merge(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<MergeJob>,
) -> ApiResult<Json<JobChange>> {
    Ok(Json(s.app.merge_jobs(&a, &id, &b.from_job_id).await?))
}

#[utoipa::path(post, path = "/api/v1/jobs/{id}/delete", tag = "jobs", params(("id" = String, Path)),
    request_body = ConfirmJob,
    responses((status = 200, body = JobChange, description = "deleted with its remarks, tickets and job overrides; \
                the worker removes its runs, whose mails become deleted mails"),
              (status = 400, body = ErrorBody, description = "the confirmation is not the job's name"),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn delete(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<ConfirmJob>,
) -> ApiResult<Json<JobChange>> {
    Ok(Json(s.app.delete_job(&a, &id, &b.confirm).await?))
}

#[utoipa::path(post, path = "/api/v1/jobs/{id}/unapprove", tag = "jobs", params(("id" = String, Path)),
    request_body = ConfirmJob,
    responses((status = 200, body = JobChange, description = "approval undone; the worker removes the runs and \
                their mails go back to the Inbox"),
              (status = 400, body = ErrorBody, description = "the confirmation is not the job's name"),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn unapprove(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<ConfirmJob>,
) -> ApiResult<Json<JobChange>> {
    Ok(Json(s.app.unapprove_job(&a, &id, &b.confirm).await?))
}
