//! The HTTP router on a loopback port, and a client that keeps the session
//! cookie, for tests that drive the API as a browser would.

use std::net::SocketAddr;

use bc_core::App;
use bc_http::HttpOptions;
use reqwest::StatusCode;
use serde_json::Value;

pub struct TestServer {
    pub base: String,
}

impl TestServer {
    pub async fn start(app: App) -> TestServer {
        let router = bc_http::router(app, HttpOptions::default());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move {
            let _ = axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>()).await;
        });
        TestServer { base: format!("http://{addr}") }
    }

    /// A client with its own cookie jar (one browser).
    pub fn client(&self) -> Client {
        Client { base: self.base.clone(), http: reqwest::Client::builder().cookie_store(true).build().expect("client") }
    }

    /// A client signed in as `user`.
    pub async fn login(&self, (user, password): (&str, &str)) -> Client {
        let c = self.client();
        let (status, body) =
            c.post("/api/v1/auth/login", &serde_json::json!({"username": user, "password": password})).await;
        assert_eq!(status, StatusCode::OK, "login as {user}: {body}");
        c
    }
}

pub struct Client {
    pub base: String,
    pub http: reqwest::Client,
}

impl TestServer {
    /// A client that authenticates with an API token, no cookies.
    pub fn bearer(&self, token: &str) -> Client {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(reqwest::header::AUTHORIZATION, format!("Bearer {token}").parse().expect("header"));
        Client {
            base: self.base.clone(),
            http: reqwest::Client::builder().default_headers(headers).build().expect("client"),
        }
    }

    /// An admin creates an API token of `role`; returns its id and a
    /// client that uses it.
    pub async fn token_client(&self, admin: &Client, name: &str, role: &str) -> (String, Client) {
        let (status, body) = admin.post("/api/v1/api-tokens", &serde_json::json!({"name": name, "role": role})).await;
        assert_eq!(status, StatusCode::OK, "create token: {body}");
        let token = body["token"].as_str().expect("token").to_string();
        let id = body["api_token"]["id"].as_str().expect("id").to_string();
        (id, self.bearer(&token))
    }
}

async fn split(resp: reqwest::Response) -> (StatusCode, Value) {
    let status = resp.status();
    let text = resp.text().await.unwrap_or_default();
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    (status, body)
}

impl Client {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        split(self.http.get(self.url(path)).send().await.expect("GET")).await
    }

    pub async fn post(&self, path: &str, body: &Value) -> (StatusCode, Value) {
        split(self.http.post(self.url(path)).json(body).send().await.expect("POST")).await
    }

    pub async fn put(&self, path: &str, body: &Value) -> (StatusCode, Value) {
        split(self.http.put(self.url(path)).json(body).send().await.expect("PUT")).await
    }

    pub async fn patch(&self, path: &str, body: &Value) -> (StatusCode, Value) {
        split(self.http.patch(self.url(path)).json(body).send().await.expect("PATCH")).await
    }

    pub async fn delete(&self, path: &str) -> (StatusCode, Value) {
        split(self.http.delete(self.url(path)).send().await.expect("DELETE")).await
    }

    pub async fn post_raw(&self, path: &str, content_type: &str, body: Vec<u8>) -> (StatusCode, Value) {
        split(
            self.http
                .post(self.url(path))
                .header("content-type", content_type)
                .body(body)
                .send()
                .await
                .expect("POST raw"),
        )
        .await
    }

    pub async fn get_text(&self, path: &str) -> (StatusCode, reqwest::header::HeaderMap, String) {
        let resp = self.http.get(self.url(path)).send().await.expect("GET");
        let status = resp.status();
        let headers = resp.headers().clone();
        (status, headers, resp.text().await.unwrap_or_default())
    }
}
