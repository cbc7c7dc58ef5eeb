//! The BES protocol: what backup engines call, under `/bes/v1`. Registration
//! is authenticated by the registration secret in its body; every other
//! call by the engine's Ed25519 signature in the `X-BES-*` headers (no
//! session, no API token). `docs/bes-protocol.md` describes it for engine
//! authors.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request, State};
use axum::http::StatusCode;
use bc_api_types::{BesConfig, BesHeartbeat, BesHeartbeatAck, BesRegister, BesRegistered, BesRotateKey, ErrorBody};
use bc_core::Error;
use bc_core::backup::engines::protocol::{
    HEADER_ENGINE, HEADER_NONCE, HEADER_SIGNATURE, HEADER_TIMESTAMP, SignedCall, Verified,
};

use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::JsonBody;

/// A call whose signature held (its nonce is taken by the use case): the
/// verified call and the raw body.
pub(crate) struct Signed(Verified, Bytes);

impl Signed {
    fn json<T: serde::de::DeserializeOwned>(&self) -> Result<T, ApiError> {
        serde_json::from_slice(&self.1)
            .map_err(|e| ApiError::invalid(format!("the body is not the expected JSON: {e}")))
    }
}

impl FromRequest<AppState> for Signed {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let call = {
            let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
            SignedCall {
                method: req.method().as_str().to_string(),
                path: req.uri().path().to_string(),
                engine_id: header(HEADER_ENGINE),
                timestamp: header(HEADER_TIMESTAMP),
                nonce: header(HEADER_NONCE),
                signature: header(HEADER_SIGNATURE),
            }
        };
        let body = Bytes::from_request(req, state)
            .await
            .map_err(|_| ApiError(Error::TooLarge("the request body is too large".into())))?;
        let verified = state.app.bes_verify(&call, &body).await?;
        Ok(Signed(verified, body))
    }
}

#[utoipa::path(post, path = "/bes/v1/register", tag = "bes", request_body = BesRegister,
    responses((status = 201, body = BesRegistered, description = "registered, pending until its first heartbeat"),
              (status = 400, body = ErrorBody, description = "a field refused, with the reason"),
              (status = 401, body = ErrorBody, description = "the registration secret is not valid")))]
pub(crate) async fn register(
    State(s): State<AppState>,
    JsonBody(body): JsonBody<BesRegister>,
) -> ApiResult<(StatusCode, Json<BesRegistered>)> {
    Ok((StatusCode::CREATED, Json(s.app.bes_register(&body).await?)))
}

#[utoipa::path(post, path = "/bes/v1/heartbeat", tag = "bes", request_body = BesHeartbeat,
    params(("X-BES-Engine" = String, Header), ("X-BES-Timestamp" = String, Header), ("X-BES-Nonce" = String, Header), ("X-BES-Signature" = String, Header)),
    responses((status = 200, body = BesHeartbeatAck), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody, description = "unknown engine, stale timestamp, replayed nonce or bad signature")))]
pub(crate) async fn heartbeat(State(s): State<AppState>, signed: Signed) -> ApiResult<Json<BesHeartbeatAck>> {
    let body: BesHeartbeat = signed.json()?;
    Ok(Json(s.app.bes_heartbeat(signed.0, &body).await?))
}

#[utoipa::path(post, path = "/bes/v1/key", tag = "bes", request_body = BesRotateKey,
    params(("X-BES-Engine" = String, Header), ("X-BES-Timestamp" = String, Header), ("X-BES-Nonce" = String, Header), ("X-BES-Signature" = String, Header)),
    responses((status = 204, description = "later calls are signed with the new key"), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub(crate) async fn rotate_key(State(s): State<AppState>, signed: Signed) -> ApiResult<StatusCode> {
    let body: BesRotateKey = signed.json()?;
    s.app.bes_rotate_key(signed.0, &body).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/bes/v1/config", tag = "bes",
    params(("X-BES-Engine" = String, Header), ("X-BES-Timestamp" = String, Header), ("X-BES-Nonce" = String, Header), ("X-BES-Signature" = String, Header)),
    responses((status = 200, body = BesConfig, description = "the engine's storage targets and policies"), (status = 401, body = ErrorBody)))]
pub(crate) async fn config(State(s): State<AppState>, signed: Signed) -> ApiResult<Json<BesConfig>> {
    Ok(Json(s.app.bes_config(signed.0).await?))
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct JobState {
    status: bc_api_types::AgentJobStatus,
}

#[utoipa::path(get, path = "/bes/v1/jobs", tag = "bes",
    params(("X-BES-Engine" = String, Header), ("X-BES-Timestamp" = String, Header), ("X-BES-Nonce" = String, Header), ("X-BES-Signature" = String, Header)),
    responses((status = 200, body = bc_api_types::EngineJobs, description = "jobs to run, most urgent first; each offered until acknowledged"),
              (status = 401, body = ErrorBody)))]
pub(crate) async fn jobs(State(s): State<AppState>, signed: Signed) -> ApiResult<Json<bc_api_types::EngineJobs>> {
    Ok(Json(s.app.bes_jobs(signed.0).await?))
}

#[utoipa::path(post, path = "/bes/v1/jobs/{id}/ack", tag = "bes",
    params(("id" = String, Path), ("X-BES-Engine" = String, Header), ("X-BES-Timestamp" = String, Header), ("X-BES-Nonce" = String, Header), ("X-BES-Signature" = String, Header)),
    responses((status = 200, body = JobState, description = "the job is running"), (status = 401, body = ErrorBody),
              (status = 404, body = ErrorBody, description = "no such job of this engine"), (status = 409, body = ErrorBody, description = "the job already ended")))]
pub(crate) async fn ack(
    State(s): State<AppState>,
    axum::extract::Path(id): axum::extract::Path<String>,
    signed: Signed,
) -> ApiResult<Json<JobState>> {
    Ok(Json(JobState { status: s.app.bes_ack(signed.0, &id).await? }))
}

#[utoipa::path(post, path = "/bes/v1/jobs/{id}/progress", tag = "bes", request_body = bc_api_types::JobProgress,
    params(("id" = String, Path), ("X-BES-Engine" = String, Header), ("X-BES-Timestamp" = String, Header), ("X-BES-Nonce" = String, Header), ("X-BES-Signature" = String, Header)),
    responses((status = 204, description = "noted; the progress deadline moves on"), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub(crate) async fn progress(
    State(s): State<AppState>,
    axum::extract::Path(id): axum::extract::Path<String>,
    signed: Signed,
) -> ApiResult<StatusCode> {
    let body: bc_api_types::JobProgress = signed.json()?;
    s.app.bes_progress(signed.0, &id, &body).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/bes/v1/jobs/{id}/result", tag = "bes", request_body = bc_api_types::JobResult,
    params(("id" = String, Path), ("X-BES-Engine" = String, Header), ("X-BES-Timestamp" = String, Header), ("X-BES-Nonce" = String, Header), ("X-BES-Signature" = String, Header)),
    responses((status = 200, body = JobState, description = "recorded (the same result again changes nothing)"), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 404, body = ErrorBody, description = "no such job of this engine"),
              (status = 409, body = ErrorBody, description = "the job already ended with another result")))]
pub(crate) async fn result(
    State(s): State<AppState>,
    axum::extract::Path(id): axum::extract::Path<String>,
    signed: Signed,
) -> ApiResult<Json<JobState>> {
    let body: bc_api_types::JobResult = signed.json()?;
    Ok(Json(JobState { status: s.app.bes_result(signed.0, &id, &body).await? }))
}

#[utoipa::path(post, path = "/bes/v1/bmr/redeem", tag = "bes", request_body = bc_api_types::BmrRedeem,
    params(("X-BES-Engine" = String, Header), ("X-BES-Timestamp" = String, Header), ("X-BES-Nonce" = String, Header), ("X-BES-Signature" = String, Header)),
    responses((status = 204, description = "the token is valid and now used"), (status = 401, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody, description = "the token was already used"),
              (status = 410, body = ErrorBody, description = "the token expired")))]
pub(crate) async fn redeem_bmr(State(s): State<AppState>, signed: Signed) -> ApiResult<StatusCode> {
    let body: bc_api_types::BmrRedeem = signed.json()?;
    s.app.bes_redeem_bmr(signed.0, &body).await?;
    Ok(StatusCode::NO_CONTENT)
}
