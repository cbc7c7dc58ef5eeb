//! Alerts (channels, rules, mutes, digest), dead letters, ping-URL jobs.

use bc_api_types::{
    AlertMutes, AlertRule, AlertsConfig, ChannelCreated, DeadLetter, DigestSettings, Job, NewChannel, NewPingJob,
    RuleBody,
};
use gloo_net::http::Method;

use super::{ApiError, Body, request, seg};

pub async fn get() -> Result<AlertsConfig, ApiError> {
    request(Method::GET, "/alerts", Body::None).await
}

pub async fn create_channel(body: &NewChannel) -> Result<ChannelCreated, ApiError> {
    request(Method::POST, "/alerts/channels", Body::json(body)?).await
}

pub async fn delete_channel(id: &str) -> Result<(), ApiError> {
    request(Method::DELETE, &format!("/alerts/channels/{}", seg(id)), Body::None).await
}

pub async fn test_channel(id: &str) -> Result<(), ApiError> {
    request(Method::POST, &format!("/alerts/channels/{}/test", seg(id)), Body::Json("{}".into())).await
}

pub async fn create_rule(body: &RuleBody) -> Result<AlertRule, ApiError> {
    request(Method::POST, "/alerts/rules", Body::json(body)?).await
}

pub async fn delete_rule(id: &str) -> Result<(), ApiError> {
    request(Method::DELETE, &format!("/alerts/rules/{}", seg(id)), Body::None).await
}

pub async fn put_mutes(m: &AlertMutes) -> Result<AlertMutes, ApiError> {
    request(Method::PUT, "/alerts/mutes", Body::json(m)?).await
}

pub async fn put_digest(d: &DigestSettings) -> Result<DigestSettings, ApiError> {
    request(Method::PUT, "/alerts/digest", Body::json(d)?).await
}

pub async fn dead_letters() -> Result<Vec<DeadLetter>, ApiError> {
    request(Method::GET, "/dead-letters", Body::None).await
}

pub async fn retry_dead_letter(id: &str) -> Result<(), ApiError> {
    request(Method::POST, &format!("/dead-letters/{}/retry", seg(id)), Body::Json("{}".into())).await
}

pub async fn create_ping_job(body: &NewPingJob) -> Result<Job, ApiError> {
    request(Method::POST, "/jobs/ping", Body::json(body)?).await
}

pub async fn regenerate_ping_token(job_id: &str) -> Result<Job, ApiError> {
    request(Method::POST, &format!("/jobs/{}/ping-token", seg(job_id)), Body::Json("{}".into())).await
}
