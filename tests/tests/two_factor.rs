//! Two-factor sign-in over HTTP, on the embedded store and on DynamoDB
//! (moto): enrolment, the two-step login, no replay of a used step, wrong
//! codes, recovery codes that work once, rate limiting, disabling, and
//! "required for everyone" sending users to enrol before anything else.

use bc_api_types::{AuditPage, Me, RecoveryCodes, Settings, TwoFactorEnrolment, TwoFactorStatus};
use bc_core::auth::two_factor::{base32_decode, step_of, totp_code};
use bc_tests::server::{Client, TestServer};
use bc_tests::{ADMIN, OPERATOR, Runtime, VIEWER};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// The code of the next step this test has not used yet (never older than
/// now), as an authenticator app would show it; `last` remembers the step.
fn next_code(secret: &str, last: &mut i64) -> String {
    let key = base32_decode(secret).expect("base32 secret");
    let step = step_of(chrono::Utc::now()).max(*last + 1);
    *last = step;
    totp_code(&key, step)
}

/// A six-digit code that is none of the codes the server accepts now.
fn wrong_code(secret: &str) -> String {
    let key = base32_decode(secret).expect("base32 secret");
    let now = step_of(chrono::Utc::now());
    let valid: Vec<String> = (now - 2..=now + 2).map(|s| totp_code(&key, s)).collect();
    (0..10u32).map(|d| format!("{d}{d}{d}{d}{d}{d}")).find(|c| !valid.contains(c)).expect("a wrong code")
}

fn typed<T: serde::de::DeserializeOwned>(status: StatusCode, want: StatusCode, body: Value) -> T {
    assert_eq!(status, want, "{body}");
    serde_json::from_value(body.clone()).unwrap_or_else(|e| panic!("{e}: {body}"))
}

async fn password_step(server: &TestServer, (user, password): (&str, &str)) -> (Client, StatusCode, Value) {
    let c = server.client();
    let (s, b) = c.post("/api/v1/auth/login", &json!({"username": user, "password": password})).await;
    (c, s, b)
}

/// Enrols the signed-in `c`; returns the secret, the recovery codes and the
/// last step used.
async fn enrol(c: &Client) -> (String, Vec<String>, i64) {
    let (s, b) = c.post("/api/v1/auth/two-factor/enrol", &json!({})).await;
    let e: TwoFactorEnrolment = typed(s, StatusCode::OK, b);
    assert!(e.otpauth_uri.starts_with("otpauth://totp/Backupchecks:"), "{}", e.otpauth_uri);
    assert!(e.otpauth_uri.contains(&format!("secret={}", e.secret)));
    let mut last = 0;
    // A wrong code does not confirm.
    let (s, b) = c.post("/api/v1/auth/two-factor/confirm", &json!({"code": wrong_code(&e.secret)})).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "{b}");
    let (s, b) = c.post("/api/v1/auth/two-factor/confirm", &json!({"code": "12ab"})).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");
    assert!(b["error"]["message"].as_str().is_some_and(|m| m.contains("6-digit")), "{b}");
    let code = next_code(&e.secret, &mut last);
    let (s, b) = c.post("/api/v1/auth/two-factor/confirm", &json!({"code": code})).await;
    let rc: RecoveryCodes = typed(s, StatusCode::OK, b);
    assert_eq!(rc.codes.len(), 10);
    (e.secret, rc.codes, last)
}

async fn two_factor_sign_in(rt: Runtime) {
    let server = TestServer::start(rt.app.clone()).await;
    let op = server.login(OPERATOR).await;
    let (s, b) = op.get("/api/v1/auth/two-factor").await;
    let st: TwoFactorStatus = typed(s, StatusCode::OK, b);
    assert!(!st.enrolled && !st.required);

    let (secret, recovery, mut last) = enrol(&op).await;
    let (s, b) = op.get("/api/v1/auth/two-factor").await;
    let st: TwoFactorStatus = typed(s, StatusCode::OK, b);
    assert!(st.enrolled);
    assert_eq!(st.recovery_codes_left, 10);
    // The secret is never shown again: enrolling anew is refused.
    let (s, b) = op.post("/api/v1/auth/two-factor/enrol", &json!({})).await;
    assert_eq!(s, StatusCode::CONFLICT, "{b}");
    assert!(!b.to_string().contains(&secret));

    // The password alone no longer signs in: a pending state, not a session.
    let (c, s, b) = password_step(&server, OPERATOR).await;
    assert_eq!(s, StatusCode::ACCEPTED, "{b}");
    assert_eq!(b["step"], "code");
    let (s, _) = c.get("/api/v1/auth/me").await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "the pending state is not a session");
    // The code used at enrolment cannot be replayed.
    let used = totp_code(&base32_decode(&secret).expect("secret"), last);
    let (s, b) = c.post("/api/v1/auth/login/code", &json!({"code": used})).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "replayed step: {b}");
    let (s, b) = c.post("/api/v1/auth/login/code", &json!({"code": wrong_code(&secret)})).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "wrong code: {b}");
    let code = next_code(&secret, &mut last);
    let (s, b) = c.post("/api/v1/auth/login/code", &json!({"code": code})).await;
    let me: Me = typed(s, StatusCode::OK, b);
    assert_eq!(me.username, OPERATOR.0);
    assert_eq!(c.get("/api/v1/auth/me").await.0, StatusCode::OK);
    // The pending state is spent; the same code again is refused too.
    let (s, _) = c.post("/api/v1/auth/login/code", &json!({"code": code})).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);

    // A recovery code signs in once.
    let (c2, s, _) = password_step(&server, OPERATOR).await;
    assert_eq!(s, StatusCode::ACCEPTED);
    let (s, b) = c2.post("/api/v1/auth/login/code", &json!({"code": recovery[0].to_uppercase()})).await;
    assert_eq!(s, StatusCode::OK, "recovery code: {b}");
    let (c3, _, _) = password_step(&server, OPERATOR).await;
    let (s, _) = c3.post("/api/v1/auth/login/code", &json!({"code": recovery[0]})).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "a recovery code works once");
    let (s, b) = c3.get("/api/v1/auth/two-factor").await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "{b}");
    let (s, b) = op.get("/api/v1/auth/two-factor").await;
    let st: TwoFactorStatus = typed(s, StatusCode::OK, b);
    assert_eq!(st.recovery_codes_left, 9);

    // Disabling takes the password and a code.
    let (s, b) =
        op.post("/api/v1/auth/two-factor/disable", &json!({"password": "wrong password", "code": recovery[1]})).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");
    let (s, b) = op.post("/api/v1/auth/two-factor/disable", &json!({"password": OPERATOR.1, "code": "000000x"})).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");
    let (s, b) =
        op.post("/api/v1/auth/two-factor/disable", &json!({"password": OPERATOR.1, "code": recovery[1]})).await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{b}");
    let (_, s, b) = password_step(&server, OPERATOR).await;
    assert_eq!(s, StatusCode::OK, "one step again: {b}");

    // Attempts are rate limited like passwords: after five wrong codes even
    // the right one is refused for a while.
    let viewer = server.login(VIEWER).await;
    let (vsecret, _, _) = enrol(&viewer).await; // one wrong confirm counted, then reset by the right one
    let (c, _, _) = password_step(&server, VIEWER).await;
    for _ in 0..5 {
        let (s, _) = c.post("/api/v1/auth/login/code", &json!({"code": wrong_code(&vsecret)})).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
    }
    let mut vlast = step_of(chrono::Utc::now());
    let (s, b) = c.post("/api/v1/auth/login/code", &json!({"code": next_code(&vsecret, &mut vlast)})).await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS, "{b}");

    // The audit trail has the enrolment and the disabling.
    let admin = server.login(ADMIN).await;
    let (s, b) = admin.get("/api/v1/audit?entity_type=user&limit=200").await;
    let page: AuditPage = typed(s, StatusCode::OK, b);
    let actions: Vec<(&str, &str)> = page.items.iter().map(|e| (e.actor.as_str(), e.action.as_str())).collect();
    assert!(actions.contains(&(OPERATOR.0, "enrol_two_factor")), "{actions:?}");
    assert!(actions.contains(&(OPERATOR.0, "disable_two_factor")), "{actions:?}");
    assert!(actions.contains(&(VIEWER.0, "enrol_two_factor")), "{actions:?}");
}

async fn required_for_everyone(rt: Runtime) {
    let server = TestServer::start(rt.app.clone()).await;
    let admin = server.login(ADMIN).await;
    let op = server.login(OPERATOR).await;
    // An admin without two-factor cannot require it (they would lock
    // themselves out); the time zone is left as it was.
    let (s, b) =
        admin.put("/api/v1/settings", &json!({"time_zone": "Europe/Amsterdam", "require_two_factor": true})).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");
    let (s, b) = admin.get("/api/v1/settings").await;
    let st: Settings = typed(s, StatusCode::OK, b);
    assert_eq!((st.time_zone.as_str(), st.require_two_factor), ("UTC", Some(false)));

    enrol(&admin).await;
    let (s, b) = admin.put("/api/v1/settings", &json!({"time_zone": "UTC", "require_two_factor": true})).await;
    let st: Settings = typed(s, StatusCode::OK, b);
    assert_eq!(st.require_two_factor, Some(true));
    // A PUT without the field leaves it on.
    let (s, b) = admin.put("/api/v1/settings", &json!({"time_zone": "UTC"})).await;
    let st: Settings = typed(s, StatusCode::OK, b);
    assert_eq!(st.require_two_factor, Some(true));
    // The enrolled admin keeps the session; the operator's session ended.
    assert_eq!(admin.get("/api/v1/auth/me").await.0, StatusCode::OK);
    assert_eq!(op.get("/api/v1/auth/me").await.0, StatusCode::UNAUTHORIZED);

    // The operator's password step leads to enrolment and nothing else.
    let (c, s, b) = password_step(&server, OPERATOR).await;
    assert_eq!(s, StatusCode::ACCEPTED, "{b}");
    assert_eq!(b["step"], "enrol");
    assert_eq!(c.get("/api/v1/inbox").await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(c.get("/api/v1/auth/two-factor").await.0, StatusCode::UNAUTHORIZED);
    let (s, _) = c.post("/api/v1/auth/login/code", &json!({"code": "123456"})).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "no code step before enrolment");
    let (s, b) = c.post("/api/v1/auth/two-factor/enrol", &json!({})).await;
    let e: TwoFactorEnrolment = typed(s, StatusCode::OK, b);
    let code = next_code(&e.secret, &mut 0);
    let (s, b) = c.post("/api/v1/auth/two-factor/confirm", &json!({"code": code})).await;
    let rc: RecoveryCodes = typed(s, StatusCode::OK, b);
    assert_eq!(rc.codes.len(), 10);
    // Enrolment during sign-in opens the session.
    let (s, b) = c.get("/api/v1/auth/me").await;
    let me: Me = typed(s, StatusCode::OK, b);
    assert_eq!(me.username, OPERATOR.0);
    assert_eq!(c.get("/api/v1/inbox").await.0, StatusCode::OK);
    // While required, nobody turns it off for themselves.
    let (s, b) = c.post("/api/v1/auth/two-factor/disable", &json!({"password": OPERATOR.1, "code": rc.codes[0]})).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");
    assert!(b["error"]["message"].as_str().is_some_and(|m| m.contains("requires")), "{b}");

    // The audit trail has the setting.
    let (s, b) = admin.get("/api/v1/audit?entity_type=settings&limit=200").await;
    let page: AuditPage = typed(s, StatusCode::OK, b);
    assert!(page.items.iter().any(|e| e.entity_id == "require_two_factor" && e.actor == ADMIN.0), "{page:?}");
}

#[tokio::test]
async fn two_factor_sign_in_on_the_embedded_store() {
    two_factor_sign_in(Runtime::embedded().with_users().await).await;
}

#[tokio::test]
async fn two_factor_required_on_the_embedded_store() {
    required_for_everyone(Runtime::embedded().with_users().await).await;
}

#[cfg(feature = "aws")]
mod aws {
    use super::*;

    #[tokio::test]
    async fn two_factor_sign_in_on_dynamodb_through_moto() {
        two_factor_sign_in(Runtime::aws("twofactor").await.with_users().await).await;
    }

    #[tokio::test]
    async fn two_factor_required_on_dynamodb_through_moto() {
        required_for_everyone(Runtime::aws("twofactor-req").await.with_users().await).await;
    }
}
