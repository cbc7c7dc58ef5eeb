//! [`Secrets`] on AWS Secrets Manager: each secret is one Secrets Manager
//! secret (the SAM template creates them, encrypted with the stack's KMS key,
//! with empty placeholders), addressed by ARN. Values are read once per
//! function instance and kept in memory.

use std::collections::HashMap;

use async_trait::async_trait;
use aws_sdk_secretsmanager::Client;
use bc_core::ports::{PortError, PortResult, SecretName, Secrets};
use tokio::sync::RwLock;

use crate::error::backend;

pub struct SecretsManagerSecrets {
    client: Client,
    arns: HashMap<SecretName, String>,
    cache: RwLock<HashMap<SecretName, Option<String>>>,
}

impl SecretsManagerSecrets {
    /// `arns`: the secrets this function may read (its role allows exactly those).
    pub fn new(client: Client, arns: HashMap<SecretName, String>) -> Self {
        SecretsManagerSecrets { client, arns, cache: RwLock::default() }
    }

    fn arn(&self, name: SecretName) -> PortResult<&str> {
        self.arns
            .get(&name)
            .map(String::as_str)
            .ok_or_else(|| PortError::Backend(format!("this function has no {} secret configured", name.as_str())))
    }
}

/// The template's placeholders (`{}` or a JSON object of empty strings)
/// mean "not set".
pub fn is_placeholder(value: &str) -> bool {
    let v = value.trim();
    if v.is_empty() {
        return true;
    }
    match serde_json::from_str::<serde_json::Value>(v) {
        Ok(serde_json::Value::Object(m)) => m.values().all(|x| x.as_str().is_some_and(str::is_empty)),
        _ => false,
    }
}

#[async_trait]
impl Secrets for SecretsManagerSecrets {
    async fn get(&self, name: SecretName) -> PortResult<Option<String>> {
        if let Some(v) = self.cache.read().await.get(&name) {
            return Ok(v.clone());
        }
        let arn = self.arn(name)?;
        let value = match self.client.get_secret_value().secret_id(arn).send().await {
            Ok(out) => out.secret_string().map(str::to_string).filter(|v| !is_placeholder(v)),
            Err(e) if e.as_service_error().is_some_and(|s| s.is_resource_not_found_exception()) => None,
            Err(e) => return Err(backend("Secrets Manager", "GetSecretValue", e)),
        };
        self.cache.write().await.insert(name, value.clone());
        Ok(value)
    }

    async fn put(&self, name: SecretName, value: &str) -> PortResult<()> {
        let arn = self.arn(name)?;
        self.client
            .put_secret_value()
            .secret_id(arn)
            .secret_string(value)
            .send()
            .await
            .map_err(|e| backend("Secrets Manager", "PutSecretValue", e))?;
        self.cache.write().await.insert(name, Some(value.to_string()).filter(|v| !is_placeholder(v)));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_unset() {
        assert!(is_placeholder(""));
        assert!(is_placeholder("{}"));
        assert!(is_placeholder(r#"{"username":"","secret":"","tracking_identifier":""}"#));
        assert!(!is_placeholder(r#"{"username":"api@msp.example","secret":"x","tracking_identifier":"t"}"#));
        assert!(!is_placeholder("plain value"));
    }
}
