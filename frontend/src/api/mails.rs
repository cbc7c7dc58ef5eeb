//! Uploading report mails (`.eml`), as the drop folder would receive them.

use bc_api_types::IngestResponse;
use gloo_net::http::Method;

use super::{ApiError, Body, request};

pub async fn upload(raw: Vec<u8>) -> Result<IngestResponse, ApiError> {
    request(Method::POST, "/mails", Body::Mail(raw)).await
}
