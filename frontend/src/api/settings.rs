//! MSP-wide settings: the time zone, keyword rules, a test mail.

use bc_api_types::{KeywordRules, Settings, TestMailRequest};
use gloo_net::http::Method;

use super::{ApiError, Body, request};

pub async fn get() -> Result<Settings, ApiError> {
    request(Method::GET, "/settings", Body::None).await
}

pub async fn put(settings: &Settings) -> Result<Settings, ApiError> {
    request(Method::PUT, "/settings", Body::json(settings)?).await
}

/// Admins: the keyword rules for senders no product parser reads.
pub async fn keyword_rules() -> Result<KeywordRules, ApiError> {
    request(Method::GET, "/settings/keyword-rules", Body::None).await
}

/// Replaces every keyword rule; answers with the rules as stored (senders
/// lower-cased, job names trimmed). A 400 names the rule: "rule 2: …".
pub async fn put_keyword_rules(rules: &KeywordRules) -> Result<KeywordRules, ApiError> {
    request(Method::PUT, "/settings/keyword-rules", Body::json(rules)?).await
}

/// Queues a test mail (202); the worker sends it.
pub async fn test_mail(to: &str) -> Result<(), ApiError> {
    request(Method::POST, "/settings/test-mail", Body::json(&TestMailRequest { to: to.into() })?).await
}
