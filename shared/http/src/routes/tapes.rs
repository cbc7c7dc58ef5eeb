//! LTO tapes: the overview, Cartridges (register one or a box, edit, delete
//! with what cascaded), their Locations and Custody chain, tape jobs, the
//! audit JSON of a Cartridge or tape job, CSV export and import, and which
//! roles write (admins set it). Every role reads; admins delete (checked in
//! the core).

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use bc_api_types::{
    AuditEntry, CustodyEvent, ErrorBody, LogLocation, RecordCustody, RegisterTapes, RegisteredTapes, Tape, TapeCascade,
    TapeDetail, TapeJob, TapeJobCascade, TapeJobDetail, TapeJobInput, TapeJobSummary, TapeLocation, TapeUpdate,
    TapesAccess, TapesOverview,
};

use crate::AppState;
use crate::error::ApiResult;
use crate::extract::{Auth, JsonBody};

#[utoipa::path(get, path = "/api/v1/tapes", tag = "tapes",
    responses((status = 200, body = TapesOverview, description = "totals, distributions, Cartridges by barcode, recent tape jobs"),
              (status = 403, body = ErrorBody)))]
pub(crate) async fn overview(State(s): State<AppState>, Auth(a): Auth) -> ApiResult<Json<TapesOverview>> {
    Ok(Json(s.app.tapes_overview(&a).await?))
}

#[utoipa::path(post, path = "/api/v1/tapes", tag = "tapes", request_body = RegisterTapes,
    responses((status = 201, body = RegisteredTapes, description = "registered, with warnings for non-LTO labels"),
              (status = 400, body = ErrorBody, description = "bad barcode, generation contradicting the label, bad range"),
              (status = 403, body = ErrorBody), (status = 409, body = ErrorBody, description = "a barcode is registered already")))]
pub(crate) async fn register(
    State(s): State<AppState>,
    Auth(a): Auth,
    JsonBody(req): JsonBody<RegisterTapes>,
) -> ApiResult<(StatusCode, Json<RegisteredTapes>)> {
    Ok((StatusCode::CREATED, Json(s.app.register_tapes(&a, &req).await?)))
}

#[utoipa::path(get, path = "/api/v1/tapes/export.csv", tag = "tapes",
    responses((status = 200, content_type = "text/csv",
               description = "barcode,generation,capacity_gb,status,tags,location,place,custodian,notes")))]
pub(crate) async fn export_csv(State(s): State<AppState>, Auth(a): Auth) -> ApiResult<Response> {
    let csv = s.app.tapes_csv(&a).await?;
    let mut resp = csv.into_response();
    resp.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
    resp.headers_mut().insert(CONTENT_DISPOSITION, HeaderValue::from_static("attachment; filename=\"tapes.csv\""));
    Ok(resp)
}

#[utoipa::path(post, path = "/api/v1/tapes/import", tag = "tapes",
    request_body(content = String, content_type = "text/csv",
                 description = "A header row with `barcode`, `generation` (optional: capacity_gb, status, tags, notes)"),
    responses((status = 200, body = RegisteredTapes), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 409, body = ErrorBody)))]
pub(crate) async fn import_csv(
    State(s): State<AppState>,
    Auth(a): Auth,
    headers: axum::http::HeaderMap,
    body: Bytes,
) -> ApiResult<Json<RegisteredTapes>> {
    let ct = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    if !ct.split(';').next().is_some_and(|m| m.trim().eq_ignore_ascii_case("text/csv")) {
        return Err(crate::ApiError::invalid("send the file as Content-Type: text/csv"));
    }
    Ok(Json(s.app.import_tapes_csv(&a, &body).await?))
}

#[utoipa::path(get, path = "/api/v1/tapes/audit/{entity_type}/{id}", tag = "tapes",
    params(("entity_type" = String, Path, description = "`tape` or `tape_job`"), ("id" = String, Path)),
    responses((status = 200, body = Vec<AuditEntry>, description = "newest first; kept after a delete"),
              (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub(crate) async fn audit(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path((entity_type, id)): Path<(String, String)>,
) -> ApiResult<Json<Vec<AuditEntry>>> {
    Ok(Json(s.app.tape_audit(&a, &entity_type, &id).await?))
}

#[utoipa::path(get, path = "/api/v1/tapes/{id}", tag = "tapes", params(("id" = String, Path)),
    responses((status = 200, body = TapeDetail), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn get(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<TapeDetail>> {
    Ok(Json(s.app.tape_detail(&a, &id).await?))
}

#[utoipa::path(put, path = "/api/v1/tapes/{id}", tag = "tapes", params(("id" = String, Path)), request_body = TapeUpdate,
    responses((status = 200, body = Tape), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody, description = "edited meanwhile")))]
pub(crate) async fn update(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<String>,
    JsonBody(edit): JsonBody<TapeUpdate>,
) -> ApiResult<Json<Tape>> {
    Ok(Json(s.app.update_tape(&a, &id, &edit).await?))
}

#[utoipa::path(delete, path = "/api/v1/tapes/{id}", tag = "tapes", params(("id" = String, Path)),
    responses((status = 200, body = TapeCascade, description = "deleted, with what went with it; its audit entries stay"),
              (status = 403, body = ErrorBody, description = "admins only"), (status = 404, body = ErrorBody)))]
pub(crate) async fn delete(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<TapeCascade>> {
    Ok(Json(s.app.delete_tape(&a, &id).await?))
}

#[utoipa::path(get, path = "/api/v1/tapes/{id}/delete-preview", tag = "tapes", params(("id" = String, Path)),
    responses((status = 200, body = TapeCascade, description = "what deleting it would remove"),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn delete_preview(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<TapeCascade>> {
    Ok(Json(s.app.tape_delete_preview(&a, &id).await?))
}

#[utoipa::path(post, path = "/api/v1/tapes/{id}/locations", tag = "tapes", params(("id" = String, Path)),
    request_body = LogLocation,
    responses((status = 201, body = TapeLocation, description = "logged; now the only current Location"),
              (status = 400, body = ErrorBody, description = "a time in the future, a return date before it"),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody, description = "the Cartridge changed meanwhile")))]
pub(crate) async fn log_location(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<LogLocation>,
) -> ApiResult<(StatusCode, Json<TapeLocation>)> {
    Ok((StatusCode::CREATED, Json(s.app.log_tape_location(&a, &id, &req).await?)))
}

#[utoipa::path(post, path = "/api/v1/tapes/{id}/custody", tag = "tapes", params(("id" = String, Path)),
    request_body = RecordCustody,
    responses((status = 201, body = CustodyEvent), (status = 400, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 413, body = ErrorBody, description = "the drawn signature is too large")))]
pub(crate) async fn record_custody(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<RecordCustody>,
) -> ApiResult<(StatusCode, Json<CustodyEvent>)> {
    Ok((StatusCode::CREATED, Json(s.app.record_custody(&a, &id, &req).await?)))
}

#[utoipa::path(put, path = "/api/v1/tapes/{id}/custody/{event_id}", tag = "tapes",
    params(("id" = String, Path), ("event_id" = String, Path)), request_body = RecordCustody,
    responses((status = 200, body = CustodyEvent), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody, description = "signed events are final; record a correcting one")))]
pub(crate) async fn edit_custody(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path((id, event_id)): Path<(String, String)>,
    JsonBody(req): JsonBody<RecordCustody>,
) -> ApiResult<Json<CustodyEvent>> {
    Ok(Json(s.app.edit_custody(&a, &id, &event_id, &req).await?))
}

#[utoipa::path(get, path = "/api/v1/tape-jobs", tag = "tapes",
    responses((status = 200, body = Vec<TapeJobSummary>, description = "newest job date first"), (status = 403, body = ErrorBody)))]
pub(crate) async fn list_jobs(State(s): State<AppState>, Auth(a): Auth) -> ApiResult<Json<Vec<TapeJobSummary>>> {
    Ok(Json(s.app.tape_jobs(&a).await?))
}

#[utoipa::path(post, path = "/api/v1/tape-jobs", tag = "tapes", request_body = TapeJobInput,
    responses((status = 201, body = TapeJob, description = "logged, expiry computed"),
              (status = 400, body = ErrorBody, description = "no tapes, a tape twice, an unknown tape"),
              (status = 403, body = ErrorBody)))]
pub(crate) async fn create_job(
    State(s): State<AppState>,
    Auth(a): Auth,
    JsonBody(input): JsonBody<TapeJobInput>,
) -> ApiResult<(StatusCode, Json<TapeJob>)> {
    Ok((StatusCode::CREATED, Json(s.app.create_tape_job(&a, &input).await?)))
}

#[utoipa::path(get, path = "/api/v1/tape-jobs/{id}", tag = "tapes", params(("id" = String, Path)),
    responses((status = 200, body = TapeJobDetail), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn get_job(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<TapeJobDetail>> {
    Ok(Json(s.app.tape_job_detail(&a, &id).await?))
}

#[utoipa::path(put, path = "/api/v1/tape-jobs/{id}", tag = "tapes", params(("id" = String, Path)),
    request_body = TapeJobInput,
    responses((status = 200, body = TapeJob, description = "expiry recalculated, bindings in the new order"),
              (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody, description = "edited meanwhile")))]
pub(crate) async fn update_job(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<TapeJobInput>,
) -> ApiResult<Json<TapeJob>> {
    Ok(Json(s.app.update_tape_job(&a, &id, &input).await?))
}

#[utoipa::path(delete, path = "/api/v1/tape-jobs/{id}", tag = "tapes", params(("id" = String, Path)),
    responses((status = 200, body = TapeJobCascade, description = "the job and its bindings; the Cartridges stay"),
              (status = 403, body = ErrorBody, description = "admins only"), (status = 404, body = ErrorBody)))]
pub(crate) async fn delete_job(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<TapeJobCascade>> {
    Ok(Json(s.app.delete_tape_job(&a, &id).await?))
}

#[utoipa::path(get, path = "/api/v1/settings/tapes-access", tag = "tapes",
    responses((status = 200, body = TapesAccess, description = "which roles besides admin write tapes"),
              (status = 403, body = ErrorBody, description = "admins only")))]
pub(crate) async fn get_access(State(s): State<AppState>, Auth(a): Auth) -> ApiResult<Json<TapesAccess>> {
    Ok(Json(s.app.tapes_access(&a).await?))
}

#[utoipa::path(put, path = "/api/v1/settings/tapes-access", tag = "tapes", request_body = TapesAccess,
    responses((status = 200, body = TapesAccess), (status = 400, body = ErrorBody),
              (status = 403, body = ErrorBody, description = "admins only")))]
pub(crate) async fn put_access(
    State(s): State<AppState>,
    Auth(a): Auth,
    JsonBody(access): JsonBody<TapesAccess>,
) -> ApiResult<Json<TapesAccess>> {
    Ok(Json(s.app.set_tapes_access(&a, &access).await?))
}
