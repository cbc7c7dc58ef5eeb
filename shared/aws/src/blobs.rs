//! [`Blobs`] on one S3 bucket: raw mail, bodies, attachments, parsed reports.
//! Keys are used exactly as given.

use async_trait::async_trait;
use aws_sdk_s3::Client;
use aws_sdk_s3::primitives::ByteStream;
use bc_core::ports::{Blobs, PortResult};

use crate::error::backend;

#[derive(Clone, Debug)]
pub struct S3Blobs {
    client: Client,
    bucket: String,
}

impl S3Blobs {
    pub fn new(client: Client, bucket: &str) -> Self {
        S3Blobs { client, bucket: bucket.to_string() }
    }

    pub fn bucket(&self) -> &str {
        &self.bucket
    }
}

#[async_trait]
impl Blobs for S3Blobs {
    async fn put(&self, key: &str, bytes: Vec<u8>, content_type: &str) -> PortResult<()> {
        self.client
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .content_type(content_type)
            .body(ByteStream::from(bytes))
            .send()
            .await
            .map_err(|e| backend("S3", &format!("PutObject {key}"), e))?;
        Ok(())
    }

    async fn get(&self, key: &str) -> PortResult<Option<Vec<u8>>> {
        let out = match self.client.get_object().bucket(&self.bucket).key(key).send().await {
            Ok(out) => out,
            Err(e) if e.as_service_error().is_some_and(|s| s.is_no_such_key()) => return Ok(None),
            Err(e) => return Err(backend("S3", &format!("GetObject {key}"), e)),
        };
        let body =
            out.body.collect().await.map_err(|e| backend("S3", &format!("GetObject {key} (reading the body)"), e))?;
        Ok(Some(body.into_bytes().to_vec()))
    }

    /// Deleting a missing key is not an error (S3 says so too).
    async fn delete(&self, key: &str) -> PortResult<()> {
        self.client
            .delete_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
            .map_err(|e| backend("S3", &format!("DeleteObject {key}"), e))?;
        Ok(())
    }
}
