//! The BES protocol, server side: registration with a registration secret,
//! then every call signed with the engine's Ed25519 key over a canonical
//! string (scheme, method, path, timestamp, nonce, SHA-256 of the body). A
//! timestamp more than 5 minutes off, a nonce seen before (claimed once,
//! kept past the window), an unknown engine or a wrong signature is refused
//! (401) and recorded in the audit trail. `docs/bes-protocol.md` is the
//! engine author's view of this file.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use bc_api_types::{self as api, EngineStatus};
use chrono::Duration;
use ring::signature::{ED25519, UnparsedPublicKey};

use super::{HEALTH_SAMPLES_KEPT, HEARTBEAT_INTERVAL_SECONDS, OFFLINE_AFTER_SECONDS, RegistrationSecret};
use crate::app::App;
use crate::audit::{Change, audit_entry};
use crate::auth::permissions::Actor;
use crate::backup::{Stored, validate};
use crate::error::{Error, Result};
use crate::ids::{self, is_valid_id};

/// The first line of the canonical string.
pub const SCHEME: &str = "BES-ED25519-V1";
/// A signed call's timestamp may be this far from the server's clock.
pub const CLOCK_SKEW_SECONDS: i64 = 300;
/// Request headers of a signed call.
pub const HEADER_ENGINE: &str = "x-bes-engine";
pub const HEADER_TIMESTAMP: &str = "x-bes-timestamp";
pub const HEADER_NONCE: &str = "x-bes-nonce";
pub const HEADER_SIGNATURE: &str = "x-bes-signature";
/// Why a call with a used nonce is refused.
const REPLAYED: &str = "the nonce was used before (replay)";

/// How long a nonce is remembered: past the timestamp window either way.
fn nonce_memory() -> Duration {
    Duration::seconds(2 * CLOCK_SKEW_SECONDS + 60)
}

/// Hosts one heartbeat may report.
const MAX_HOSTS: usize = 1000;
/// Capacity reports one heartbeat may carry.
const MAX_REPORTS: usize = 100;

/// The signature headers of one call, as received.
#[derive(Debug, Clone, Default)]
pub struct SignedCall {
    pub method: String,
    /// The request path, without query string.
    pub path: String,
    pub engine_id: String,
    pub timestamp: String,
    pub nonce: String,
    /// Base64 of the 64-byte Ed25519 signature.
    pub signature: String,
}

/// A signed call whose engine, timestamp and signature held. Its nonce is
/// not taken yet: each use case takes it (the heartbeat in the same write
/// as the engine), so a verified call is acted on at most once. Only
/// [`App::bes_verify`] makes one.
pub struct Verified {
    engine: Stored<api::Engine>,
    nonce_key: String,
    what: String,
}

impl Verified {
    pub fn engine(&self) -> &api::Engine {
        &self.engine.value
    }
}

/// The string an engine signs: six lines joined by `\n`, no trailing newline.
pub fn canonical(method: &str, path: &str, timestamp: &str, nonce: &str, body: &[u8]) -> String {
    format!("{SCHEME}\n{}\n{path}\n{timestamp}\n{nonce}\n{}", method.to_ascii_uppercase(), ids::sha256_hex(body))
}

/// A public key as the protocol carries it: base64 of 32 bytes.
pub fn parse_public_key(key: &str) -> Result<Vec<u8>> {
    match B64.decode(key.trim()) {
        Ok(k) if k.len() == 32 => Ok(k),
        _ => Err(Error::Invalid("public_key is the base64 of a 32-byte Ed25519 public key".into())),
    }
}

fn nonce_ok(n: &str) -> bool {
    (16..=128).contains(&n.len()) && n.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Checks a signature against a key (both base64).
pub fn verify(public_key: &str, message: &[u8], signature: &str) -> bool {
    let (Ok(key), Ok(sig)) = (B64.decode(public_key), B64.decode(signature.trim())) else { return false };
    UnparsedPublicKey::new(&ED25519, key).verify(message, &sig).is_ok()
}

impl App {
    /// Records a refused engine call (for the security-minded) and returns the 401.
    async fn refuse(&self, engine_id: &str, what: &str, reason: &str) -> Error {
        tracing::warn!(engine = engine_id, what, reason, "refused a backup engine call");
        let actor = Actor { user_id: "bes".into(), username: format!("bes:{engine_id}"), role: api::Role::Viewer };
        let change = Change::created(serde_json::json!({"call": what, "reason": reason}));
        if let Err(e) = self.audit(audit_entry(self, &actor, "engine", engine_id, "refused", change)).await {
            tracing::warn!(error = %e, "could not record a refused engine call");
        }
        Error::EngineRefused(reason.to_string())
    }

    /// An engine registers itself with its scope's registration secret. It
    /// starts `pending`; its first valid heartbeat makes it `online`.
    pub async fn bes_register(&self, body: &api::BesRegister) -> Result<api::BesRegistered> {
        let hash = ids::sha256_hex(body.registration_secret.trim().as_bytes());
        let Some(secret) = self.bk_get::<RegistrationSecret>(&hash).await? else {
            return Err(self
                .refuse("registration", "POST /bes/v1/register", "the registration secret is not valid")
                .await);
        };
        let name = validate::name(&body.name, "engine")?;
        let hostname = validate::hostname(&body.hostname)?;
        let ip = validate::ip(&body.ip)?;
        if body.port == 0 {
            return Err(Error::Invalid("port is 1 to 65535".into()));
        }
        parse_public_key(&body.public_key)?;
        let now = self.clock.now();
        let engine = api::Engine {
            id: ids::random_id("bes"),
            name,
            customer_id: secret.value.customer_id.clone(),
            customer_name: None,
            deployment_model: body.deployment_model,
            hostname,
            ip,
            port: body.port,
            public_key: body.public_key.trim().to_string(),
            status: EngineStatus::Pending,
            version: None,
            last_heartbeat_at: None,
            health: None,
            health_history: Vec::new(),
            pxe_enabled: false,
            pxe_network: None,
            storage_target_count: 0,
            managed_bytes: 0,
            registered_at: now,
        };
        self.bk_insert(&engine).await?;
        let actor = Actor { user_id: "bes".into(), username: format!("bes:{}", engine.id), role: api::Role::Viewer };
        let change = Change::created(serde_json::to_value(&engine).unwrap_or_default());
        self.audit(audit_entry(self, &actor, "engine", &engine.id, "register", change)).await?;
        Ok(api::BesRegistered {
            engine_id: engine.id,
            status: EngineStatus::Pending,
            heartbeat_interval_seconds: HEARTBEAT_INTERVAL_SECONDS,
            offline_after_seconds: OFFLINE_AFTER_SECONDS,
            clock_skew_seconds: CLOCK_SKEW_SECONDS as u32,
        })
    }

    /// Checks a signed call: known engine, fresh timestamp, valid signature.
    /// The nonce is taken by the use case the call is for (after the
    /// signature held, so a forger cannot burn an engine's nonces).
    pub async fn bes_verify(&self, call: &SignedCall, body: &[u8]) -> Result<Verified> {
        let what = format!("{} {}", call.method, call.path);
        let id = if is_valid_id(&call.engine_id) { call.engine_id.as_str() } else { "unknown" };
        if id == "unknown" {
            return Err(self.refuse(id, &what, "the X-BES-Engine header is missing or not an engine id").await);
        }
        let Some(engine) = self.bk_get::<api::Engine>(id).await? else {
            return Err(self.refuse(id, &what, "no such engine (deleted, or never registered)").await);
        };
        let now = self.clock.now();
        let Ok(ts) = call.timestamp.trim().parse::<i64>() else {
            return Err(self.refuse(id, &what, "X-BES-Timestamp is not Unix seconds").await);
        };
        if (now.timestamp() - ts).abs() > CLOCK_SKEW_SECONDS {
            return Err(self.refuse(id, &what, "the timestamp is more than 5 minutes off the server's clock").await);
        }
        if !nonce_ok(&call.nonce) {
            return Err(self.refuse(id, &what, "X-BES-Nonce is 16 to 128 characters of A-Z a-z 0-9 - _").await);
        }
        let message = canonical(&call.method, &call.path, call.timestamp.trim(), &call.nonce, body);
        if !verify(&engine.value.public_key, message.as_bytes(), &call.signature) {
            return Err(self.refuse(id, &what, "the signature does not verify").await);
        }
        Ok(Verified { engine, nonce_key: format!("bes-nonce:{id}:{}", call.nonce), what })
    }

    /// Takes a verified call's nonce; a second use is a replay.
    pub(crate) async fn bes_claim(&self, v: &Verified) -> Result<()> {
        let now = self.clock.now();
        if self.store.claim(&v.nonce_key, now, now + nonce_memory()).await? {
            Ok(())
        } else {
            Err(self.refuse(&v.engine.value.id, &v.what, REPLAYED).await)
        }
    }

    /// A heartbeat: the engine is online (or degraded, when it says so), its
    /// health joins the recent samples, and each storage target's capacity
    /// is recorded (with alerts and auto-pause at the thresholds).
    /// The nonce is taken in the same write as the engine's (one request on
    /// DynamoDB after the engine's read).
    pub async fn bes_heartbeat(&self, call: Verified, hb: &api::BesHeartbeat) -> Result<api::BesHeartbeatAck> {
        let h = &hb.health;
        for (v, what) in
            [(h.cpu_percent, "cpu_percent"), (h.memory_percent, "memory_percent"), (h.disk_percent, "disk_percent")]
        {
            if !v.is_finite() || !(0.0..=100.0).contains(&v) {
                return Err(Error::Invalid(format!("health.{what} is 0 to 100")));
            }
        }
        if hb.storage.len() > MAX_REPORTS {
            return Err(Error::Invalid(format!("at most {MAX_REPORTS} storage reports per heartbeat")));
        }
        let version = validate::optional_text(hb.version.as_deref(), 64, "version")?;
        if hb.hosts.len() > MAX_HOSTS {
            return Err(Error::Invalid(format!("at most {MAX_HOSTS} hosts per heartbeat")));
        }
        let mut hosts = Vec::new();
        for h in &hb.hosts {
            let ip = h.ip.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(validate::ip).transpose()?;
            let os = validate::optional_text(h.os.as_deref(), 100, "operating system")?;
            hosts.push((validate::hostname(&h.hostname)?, ip, os));
        }
        let now = self.clock.now();
        let id = call.engine.value.id.clone();
        let mut current = call.engine.clone();
        let (before, after) = loop {
            let before = current.value.clone();
            let mut e = current.value.clone();
            e.status = if hb.degraded { EngineStatus::Degraded } else { EngineStatus::Online };
            e.last_heartbeat_at = Some(now);
            if version.is_some() {
                e.version = version.clone();
            }
            e.health = Some(hb.health.clone());
            e.health_history.push(api::HealthSample { at: now, health: hb.health.clone() });
            if e.health_history.len() > HEALTH_SAMPLES_KEPT {
                let cut = e.health_history.len() - HEALTH_SAMPLES_KEPT;
                e.health_history.drain(..cut);
            }
            let doc = crate::backup::encode(&e, current.version)?;
            match self.store.update_backup_doc_claiming(&doc, &call.nonce_key, now, now + nonce_memory()).await {
                Ok(true) => break (before, e),
                Ok(false) => return Err(self.refuse(&id, &call.what, REPLAYED).await),
                Err(crate::ports::PortError::Conflict(_)) => {
                    current = self.bk_get::<api::Engine>(&id).await?.ok_or(Error::NotFound("engine"))?;
                }
                Err(err) => return Err(err.into()),
            }
        };
        if before.status != after.status {
            self.engine_status_changed(&before, &after).await?;
        }
        let mut ignored = Vec::new();
        for report in &hb.storage {
            if !self.record_capacity(&id, report).await? {
                ignored.push(report.target_id.clone());
            }
        }
        let hosts_recorded = match (&after.customer_id, hosts.is_empty()) {
            (Some(customer), false) => self.record_reported_hosts(&id, customer, hosts).await?,
            _ => 0,
        };
        Ok(api::BesHeartbeatAck {
            engine_id: id,
            status: after.status,
            server_time: now,
            next_heartbeat_seconds: HEARTBEAT_INTERVAL_SECONDS,
            ignored_targets: ignored,
            hosts_recorded,
        })
    }

    /// Audit and alert for a status change an engine's heartbeat made.
    async fn engine_status_changed(&self, before: &api::Engine, after: &api::Engine) -> Result<()> {
        let actor = Actor::system();
        let change =
            Change::fields(serde_json::json!({"status": before.status}), serde_json::json!({"status": after.status}));
        self.audit(audit_entry(self, &actor, "engine", &after.id, "status", change)).await?;
        let now = self.clock.now();
        match (before.status, after.status) {
            (EngineStatus::Offline, _) => {
                self.raise_alert(
                    api::AlertSeverity::Info,
                    "engine_recovered",
                    "engine",
                    &after.id,
                    format!("Engine {} is back ({}) after being offline", after.name, after.status),
                    &format!("recovered:{}:{}", after.id, now.timestamp_millis()),
                )
                .await?;
            }
            (_, EngineStatus::Degraded) => {
                self.raise_alert(
                    api::AlertSeverity::Warning,
                    "engine_degraded",
                    "engine",
                    &after.id,
                    format!("Engine {} reports it is degraded", after.name),
                    &format!("degraded:{}:{}", after.id, now.timestamp_millis()),
                )
                .await?;
            }
            _ => {}
        }
        Ok(())
    }

    /// Rotates an engine's key (the call is signed with the current one).
    pub async fn bes_rotate_key(&self, call: Verified, body: &api::BesRotateKey) -> Result<()> {
        parse_public_key(&body.public_key)?;
        self.bes_claim(&call).await?;
        let id = call.engine.value.id.clone();
        let key = body.public_key.trim().to_string();
        let (before, after) = self
            .bk_modify::<api::Engine, _>(&id, "engine", |e| {
                e.public_key = key.clone();
                Ok(())
            })
            .await?;
        let actor = Actor { user_id: "bes".into(), username: format!("bes:{id}"), role: api::Role::Viewer };
        let change = Change::fields(
            serde_json::json!({"public_key": before.public_key}),
            serde_json::json!({"public_key": after.public_key}),
        );
        self.audit(audit_entry(self, &actor, "engine", &id, "rotate_key", change)).await
    }

    /// What the engine should do: its storage targets and policies (with
    /// hooks, replication rules and hosts).
    pub async fn bes_config(&self, call: Verified) -> Result<api::BesConfig> {
        self.bes_claim(&call).await?;
        let id = call.engine.value.id;
        let mut storage_targets: Vec<_> =
            self.bk_children::<api::StorageTarget>(&id).await?.into_iter().map(|t| t.value).collect();
        storage_targets.sort_by(|a, b| a.id.cmp(&b.id));
        let mut policies = Vec::new();
        for p in self.bk_children::<api::Policy>(&id).await? {
            policies.push(self.policy_detail_of(p.value).await?);
        }
        policies.sort_by(|a, b| a.policy.name.cmp(&b.policy.name).then(a.policy.id.cmp(&b.policy.id)));
        Ok(api::BesConfig { engine_id: id, storage_targets, policies })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ring::signature::{Ed25519KeyPair, KeyPair};

    /// The worked example of docs/bes-protocol.md.
    #[test]
    fn the_documented_example_verifies() {
        let seed = [7u8; 32];
        let pair = Ed25519KeyPair::from_seed_unchecked(&seed).unwrap();
        let public = B64.encode(pair.public_key().as_ref());
        let body = br#"{"version":"1.0.0","health":{"cpu_percent":12.5}}"#;
        let msg = canonical("POST", "/bes/v1/heartbeat", "1767225600", "n0nce-0000000001", body);
        let sig = B64.encode(pair.sign(msg.as_bytes()).as_ref());
        assert!(verify(&public, msg.as_bytes(), &sig));
        assert!(!verify(&public, b"other", &sig));
        // Ed25519 signatures are deterministic: these are the values the document shows.
        assert_eq!(public, "6kpsY+KcUgq+9VB7Ey7F+ZVHdq6+vnuSQh7qaRRG0iw=");
        assert_eq!(ids::sha256_hex(body), "8ef62072f61c4c9f50c1248df3d17e483a2a1ee8b92be1f4349c5eef5bef9631");
        assert_eq!(
            msg,
            "BES-ED25519-V1\nPOST\n/bes/v1/heartbeat\n1767225600\nn0nce-0000000001\n\
             8ef62072f61c4c9f50c1248df3d17e483a2a1ee8b92be1f4349c5eef5bef9631"
        );
        assert_eq!(sig, "N66v0i60BzeHAwyPsUMrh/NhVMgy5wGY8/b9ztkd7OxsXabhyz8zDcN76FvdllXo4X2BbgzubFDUnHlDo5MnDg==");
    }
}
