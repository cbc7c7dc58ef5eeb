//! Extractors: the signed-in actor from the session cookie or an API token
//! (`Authorization: Bearer`), JSON bodies and query strings whose rejections
//! come out in our error shape, and the client address for rate limiting.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::HeaderMap;
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE, COOKIE};
use axum::http::request::Parts;
use bc_core::{Actor, Error};
use serde::de::DeserializeOwned;

use crate::AppState;
use crate::error::ApiError;

pub(crate) const SESSION_COOKIE: &str = "bc_session";
/// The state between a right password and the second step (not a session).
pub(crate) const PENDING_COOKIE: &str = "bc_pending";

pub(crate) fn session_token(headers: &HeaderMap) -> Option<String> {
    cookie_value(headers, SESSION_COOKIE)
}

pub(crate) fn pending_token(headers: &HeaderMap) -> Option<String> {
    cookie_value(headers, PENDING_COOKIE)
}

fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
        .filter(|v| !v.is_empty())
}

/// The token of an `Authorization: Bearer` header.
pub(crate) fn bearer_token(headers: &HeaderMap) -> Option<String> {
    let v = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = v.trim().split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim().to_string())
}

/// The actor behind the request: an API token when the request carries
/// `Authorization: Bearer`, else the session cookie; 401 without either.
pub(crate) struct Auth(pub Actor);

impl FromRequestParts<AppState> for Auth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        if let Some(token) = bearer_token(&parts.headers) {
            return Ok(Auth(state.app.authenticate_bearer(&token).await?));
        }
        let token = session_token(&parts.headers).ok_or(ApiError(Error::Unauthorized))?;
        Ok(Auth(state.app.authenticate(&token).await?))
    }
}

/// A JSON body; requires `Content-Type: application/json` (which a
/// cross-site form cannot send), answers 400 in our shape otherwise.
pub(crate) struct JsonBody<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json =
            req.headers().get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| {
                v.split(';').next().is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"))
            });
        if !is_json {
            return Err(ApiError::invalid("send the body as Content-Type: application/json"));
        }
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(JsonBody(v)),
            Err(rej) => Err(match rej {
                axum::extract::rejection::JsonRejection::BytesRejection(_) => {
                    ApiError(Error::TooLarge("the request body is too large".into()))
                }
                other => ApiError::invalid(other.body_text()),
            }),
        }
    }
}

/// A query string, with rejections in our shape.
pub(crate) struct QueryParams<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for QueryParams<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| QueryParams(q.0))
            .map_err(|e| ApiError::invalid(e.body_text()))
    }
}

/// The caller's address, for login rate limiting: CloudFront's viewer
/// address when the origin check vouched for it (`origin.rs`), else
/// `X-Forwarded-For` by hop count, else the socket peer.
pub(crate) struct ClientAddr(pub String);

/// The client's entry in `X-Forwarded-For` when `hops` proxies we run
/// (CloudFront, API Gateway...) each appended one: the `hops`-th from the
/// right. Entries left of it are the client's own claims and not trusted.
pub(crate) fn forwarded_client(header: &str, hops: usize) -> Option<String> {
    if hops == 0 {
        return None;
    }
    header.rsplit(',').nth(hops - 1).map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        // Behind CloudFront with the origin check on: the viewer address it vouches for.
        if let Some(viewer) = parts.extensions.get::<crate::origin::ViewerAddress>() {
            return Ok(ClientAddr(viewer.0.clone()));
        }
        let forwarded = parts
            .headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| forwarded_client(v, state.opts.forwarded_for_hops));
        if let Some(ip) = forwarded {
            return Ok(ClientAddr(ip));
        }
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip().to_string());
        Ok(ClientAddr(peer.unwrap_or_else(|| "unknown".into())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_tokens_are_read_case_insensitively() {
        let mut h = HeaderMap::new();
        h.insert(AUTHORIZATION, "Bearer bct_t1_secret".parse().unwrap());
        assert_eq!(bearer_token(&h).as_deref(), Some("bct_t1_secret"));
        h.insert(AUTHORIZATION, "bearer  x ".parse().unwrap());
        assert_eq!(bearer_token(&h).as_deref(), Some("x"));
        h.insert(AUTHORIZATION, "Basic abc".parse().unwrap());
        assert_eq!(bearer_token(&h), None);
    }

    #[test]
    fn forwarded_for_takes_the_entry_our_proxies_added() {
        assert_eq!(forwarded_client("198.51.100.7", 1).as_deref(), Some("198.51.100.7"));
        // A client that sends its own X-Forwarded-For cannot pick its address.
        assert_eq!(forwarded_client("10.0.0.1, 198.51.100.7", 1).as_deref(), Some("198.51.100.7"));
        assert_eq!(forwarded_client("10.0.0.1, 198.51.100.7, 130.176.0.1", 2).as_deref(), Some("198.51.100.7"));
        assert_eq!(forwarded_client("198.51.100.7", 2), None);
        assert_eq!(forwarded_client("198.51.100.7", 0), None);
    }
}
