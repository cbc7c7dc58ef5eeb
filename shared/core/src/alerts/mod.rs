//! Alerts and digests: channels (e-mail, generic signed webhook, Slack,
//! Teams), rules (which statuses of which customers alert which channels,
//! at once or batched), mutes, and the morning digest. Configuration is
//! one document in the settings store (`alerts`), edited by admins; the
//! webhook URLs and signing secrets in it never leave the server.
//!
//! Delivery (`deliver`) goes through the task queue: one task per event
//! per channel, claimed once, retried with backoff, then dead-lettered.

pub mod deliver;
pub mod digest;
pub mod doc;
pub mod event;
pub mod message;
pub mod port;
pub mod url;

use std::collections::HashSet;

use bc_api_types::{self as api, ChannelKind, Permission, Status};

use crate::app::App;
use crate::audit::{Change, audit_entry};
use crate::auth::permissions::Actor;
use crate::error::{Error, Result};
use crate::ids::{self, check_id};
use crate::ports::PortError;

/// The settings key of the alert configuration.
pub const ALERTS_KEY: &str = "alerts";
pub const MAX_CHANNELS: usize = 50;
pub const MAX_RULES: usize = 100;
pub const MAX_RECIPIENTS: usize = 50;
pub const MAX_MUTES: usize = 5000;
/// A batched rule sends at most every this many minutes, at least every...
pub const BATCH_MINUTES: std::ops::RangeInclusive<u32> = 5..=1440;

pub use doc::{ALERTS_TTL, AlertsCache, AlertsDoc, StoredChannel};

fn check_name(name: &str, what: &str) -> Result<String> {
    let n = name.trim();
    if n.is_empty() || n.chars().count() > 100 || n.chars().any(char::is_control) {
        return Err(Error::Invalid(format!("the {what} name must be 1 to 100 characters, on one line")));
    }
    Ok(n.to_string())
}

fn check_recipients(list: &[String]) -> Result<Vec<String>> {
    if list.len() > MAX_RECIPIENTS {
        return Err(Error::Invalid(format!("at most {MAX_RECIPIENTS} recipients")));
    }
    let mut out: Vec<String> = Vec::new();
    for r in list {
        let r = ids::check_mail_address(r)?;
        if !out.iter().any(|o| o.eq_ignore_ascii_case(&r)) {
            out.push(r);
        }
    }
    Ok(out)
}

impl App {
    /// The alert configuration, from this process's copy when it is fresh.
    pub(crate) async fn alerts_cached(&self) -> Result<std::sync::Arc<AlertsDoc>> {
        if let Some((at, d)) = self.alerts_cache.0.read().await.as_ref()
            && at.elapsed() < ALERTS_TTL
        {
            return Ok(d.clone());
        }
        let d = std::sync::Arc::new(self.alerts_doc().await?);
        *self.alerts_cache.0.write().await = Some((std::time::Instant::now(), d.clone()));
        Ok(d)
    }

    /// The alert configuration as stored (empty when never set).
    pub(crate) async fn alerts_doc(&self) -> Result<AlertsDoc> {
        match self.store.get_setting(ALERTS_KEY).await? {
            Some(s) if !s.trim().is_empty() => serde_json::from_str(&s)
                .map_err(|e| Error::Backend(format!("the stored alert configuration is unreadable: {e}"))),
            _ => Ok(AlertsDoc::default()),
        }
    }

    async fn save_alerts_doc(&self, doc: &AlertsDoc) -> Result<()> {
        let s = serde_json::to_string(doc).map_err(|e| Error::Backend(format!("alert configuration: {e}")))?;
        self.store.put_setting(ALERTS_KEY, &s).await?;
        *self.alerts_cache.0.write().await = Some((std::time::Instant::now(), std::sync::Arc::new(doc.clone())));
        Ok(())
    }

    async fn audit_alerts(&self, actor: &Actor, entity: &str, id: &str, action: &str, change: Change) -> Result<()> {
        self.audit(audit_entry(self, actor, entity, id, action, change)).await
    }

    /// `GET /api/v1/alerts`.
    pub async fn alerts_config(&self, actor: &Actor) -> Result<api::AlertsConfig> {
        if !actor.can(Permission::ManageAlerts) {
            // Operators may mute: they see the mutes, nothing else.
            actor.require(Permission::MuteAlerts)?;
            let doc = self.alerts_doc().await?;
            return Ok(api::AlertsConfig { mutes: doc.mutes, ..Default::default() });
        }
        Ok(self.alerts_doc().await?.view())
    }

    /// Checks a webhook URL by its shape and by where its host resolves.
    async fn check_webhook_url(&self, url: &str) -> Result<String> {
        let allow = self.config.allow_loopback_webhooks;
        url::check_url(url.trim(), allow).map_err(|e| Error::Invalid(format!("webhook URL refused: {e}")))?;
        match self.webhooks.check_destination(url.trim(), allow).await {
            Ok(()) => Ok(url.trim().to_string()),
            Err(PortError::Invalid(e)) => Err(Error::Invalid(format!("webhook URL refused: {e}"))),
            Err(e) => Err(Error::Invalid(format!("webhook URL refused: its host could not be resolved ({e})"))),
        }
    }

    /// `POST /api/v1/alerts/channels`.
    pub async fn create_channel(&self, actor: &Actor, body: &api::NewChannel) -> Result<api::ChannelCreated> {
        actor.require(Permission::ManageAlerts)?;
        let name = check_name(&body.name, "channel")?;
        let mut doc = self.alerts_doc().await?;
        if doc.channels.len() >= MAX_CHANNELS {
            return Err(Error::Invalid(format!("at most {MAX_CHANNELS} channels")));
        }
        let (recipients, url, secret) = match body.kind {
            ChannelKind::Email => {
                let r = check_recipients(&body.recipients)?;
                if r.is_empty() {
                    return Err(Error::Invalid("an e-mail channel needs at least one recipient".into()));
                }
                (r, None, None)
            }
            kind => {
                let raw = body.url.as_deref().unwrap_or("");
                if raw.trim().is_empty() {
                    return Err(Error::Invalid(format!("a {} channel needs a URL", kind.label())));
                }
                let url = self.check_webhook_url(raw).await?;
                let secret = (kind == ChannelKind::Webhook).then(|| ids::random_token(32));
                (Vec::new(), Some(url), secret)
            }
        };
        let channel = StoredChannel {
            id: ids::random_id("ch"),
            name,
            kind: body.kind,
            recipients,
            url,
            signing_secret: secret.clone(),
            created_by: actor.username.clone(),
            created_at: self.clock.now(),
        };
        doc.channels.push(channel.clone());
        self.save_alerts_doc(&doc).await?;
        let view = channel.view();
        let change = Change::created(serde_json::to_value(&view).unwrap_or_default());
        self.audit_alerts(actor, "alert_channel", &channel.id, "create", change).await?;
        Ok(api::ChannelCreated { channel: view, signing_secret: secret })
    }

    /// `DELETE /api/v1/alerts/channels/{id}`: also out of every rule and the digest.
    pub async fn delete_channel(&self, actor: &Actor, id: &str) -> Result<()> {
        actor.require(Permission::ManageAlerts)?;
        check_id(id, "channel")?;
        let mut doc = self.alerts_doc().await?;
        let Some(pos) = doc.channels.iter().position(|c| c.id == id) else { return Err(Error::NotFound("channel")) };
        let gone = doc.channels.remove(pos);
        for r in &mut doc.rules {
            r.channel_ids.retain(|c| c != id);
        }
        doc.digest.channel_ids.retain(|c| c != id);
        self.save_alerts_doc(&doc).await?;
        let change = Change::deleted(serde_json::to_value(gone.view()).unwrap_or_default());
        self.audit_alerts(actor, "alert_channel", id, "delete", change).await
    }

    /// `POST /api/v1/alerts/channels/{id}/test`: a test message, queued like any alert.
    pub async fn test_channel(&self, actor: &Actor, id: &str) -> Result<()> {
        actor.require(Permission::ManageAlerts)?;
        check_id(id, "channel")?;
        let doc = self.alerts_doc().await?;
        if doc.channel(id).is_none() {
            return Err(Error::NotFound("channel"));
        }
        let nonce = ids::random_id("x");
        self.enqueue_alert(id, deliver::AlertEvent::Test { nonce, by: actor.username.clone() }).await?;
        self.audit_alerts(actor, "alert_channel", id, "test", Change::default()).await
    }

    fn check_rule(&self, doc: &AlertsDoc, body: &api::RuleBody, id: String) -> Result<api::AlertRule> {
        let name = check_name(&body.name, "rule")?;
        let mut statuses: Vec<Status> = Vec::new();
        for s in &body.statuses {
            if *s == Status::Success {
                return Err(Error::Invalid("a rule alerts on Failed, Missed or Warning, not Success".into()));
            }
            if !statuses.contains(s) {
                statuses.push(*s);
            }
        }
        if statuses.is_empty() {
            return Err(Error::Invalid("a rule needs at least one status".into()));
        }
        ids::check_ids(&body.customer_ids, "customer")?;
        ids::check_ids(&body.channel_ids, "channel")?;
        if body.channel_ids.is_empty() {
            return Err(Error::Invalid("a rule needs at least one channel".into()));
        }
        if let Some(c) = body.channel_ids.iter().find(|c| doc.channel(c).is_none()) {
            return Err(Error::Invalid(format!("no channel {c:?}")));
        }
        if body.batch_minutes != 0 && !BATCH_MINUTES.contains(&body.batch_minutes) {
            return Err(Error::Invalid(format!(
                "batch every {} to {} minutes, or 0 to alert at once",
                BATCH_MINUTES.start(),
                BATCH_MINUTES.end()
            )));
        }
        let dedup = |v: &[String]| {
            let mut seen = HashSet::new();
            v.iter().filter(|x| seen.insert((*x).clone())).cloned().collect::<Vec<_>>()
        };
        Ok(api::AlertRule {
            id,
            name,
            statuses,
            customer_ids: dedup(&body.customer_ids),
            channel_ids: dedup(&body.channel_ids),
            batch_minutes: body.batch_minutes,
            enabled: body.enabled,
        })
    }

    async fn check_customers_exist(&self, ids: &[String]) -> Result<()> {
        if ids.is_empty() {
            return Ok(());
        }
        let names = self.customer_names().await?;
        if let Some(c) = ids.iter().find(|c| !names.contains_key(*c)) {
            return Err(Error::Invalid(format!("no customer {c:?}")));
        }
        Ok(())
    }

    /// `POST /api/v1/alerts/rules`.
    pub async fn create_rule(&self, actor: &Actor, body: &api::RuleBody) -> Result<api::AlertRule> {
        actor.require(Permission::ManageAlerts)?;
        let mut doc = self.alerts_doc().await?;
        if doc.rules.len() >= MAX_RULES {
            return Err(Error::Invalid(format!("at most {MAX_RULES} rules")));
        }
        let rule = self.check_rule(&doc, body, ids::random_id("ar"))?;
        self.check_customers_exist(&rule.customer_ids).await?;
        doc.rules.push(rule.clone());
        self.save_alerts_doc(&doc).await?;
        let change = Change::created(serde_json::to_value(&rule).unwrap_or_default());
        self.audit_alerts(actor, "alert_rule", &rule.id, "create", change).await?;
        Ok(rule)
    }

    /// `PUT /api/v1/alerts/rules/{id}`.
    pub async fn update_rule(&self, actor: &Actor, id: &str, body: &api::RuleBody) -> Result<api::AlertRule> {
        actor.require(Permission::ManageAlerts)?;
        check_id(id, "rule")?;
        let mut doc = self.alerts_doc().await?;
        let Some(pos) = doc.rules.iter().position(|r| r.id == id) else { return Err(Error::NotFound("rule")) };
        let rule = self.check_rule(&doc, body, id.to_string())?;
        self.check_customers_exist(&rule.customer_ids).await?;
        let before = std::mem::replace(&mut doc.rules[pos], rule.clone());
        self.save_alerts_doc(&doc).await?;
        let change = Change::fields(
            serde_json::to_value(&before).unwrap_or_default(),
            serde_json::to_value(&rule).unwrap_or_default(),
        );
        self.audit_alerts(actor, "alert_rule", id, "update", change).await?;
        Ok(rule)
    }

    /// `DELETE /api/v1/alerts/rules/{id}`.
    pub async fn delete_rule(&self, actor: &Actor, id: &str) -> Result<()> {
        actor.require(Permission::ManageAlerts)?;
        check_id(id, "rule")?;
        let mut doc = self.alerts_doc().await?;
        let Some(pos) = doc.rules.iter().position(|r| r.id == id) else { return Err(Error::NotFound("rule")) };
        let gone = doc.rules.remove(pos);
        self.save_alerts_doc(&doc).await?;
        let change = Change::deleted(serde_json::to_value(&gone).unwrap_or_default());
        self.audit_alerts(actor, "alert_rule", id, "delete", change).await
    }

    /// `PUT /api/v1/alerts/mutes`: the muted jobs and customers (operators too).
    pub async fn set_mutes(&self, actor: &Actor, mutes: &api::AlertMutes) -> Result<api::AlertMutes> {
        actor.require(Permission::MuteAlerts)?;
        if mutes.job_ids.len() + mutes.customer_ids.len() > MAX_MUTES {
            return Err(Error::Invalid(format!("at most {MAX_MUTES} mutes")));
        }
        ids::check_ids(&mutes.job_ids, "job")?;
        ids::check_ids(&mutes.customer_ids, "customer")?;
        self.check_customers_exist(&mutes.customer_ids).await?;
        let mut clean = api::AlertMutes::default();
        for j in &mutes.job_ids {
            if !clean.job_ids.contains(j) {
                clean.job_ids.push(j.clone());
            }
        }
        for c in &mutes.customer_ids {
            if !clean.customer_ids.contains(c) {
                clean.customer_ids.push(c.clone());
            }
        }
        let mut doc = self.alerts_doc().await?;
        let before = std::mem::replace(&mut doc.mutes, clean.clone());
        self.save_alerts_doc(&doc).await?;
        let change = Change::fields(
            serde_json::to_value(&before).unwrap_or_default(),
            serde_json::to_value(&clean).unwrap_or_default(),
        );
        self.audit_alerts(actor, "alert_mutes", "alerts", "update", change).await?;
        Ok(clean)
    }

    /// `PUT /api/v1/alerts/digest`.
    pub async fn set_digest(&self, actor: &Actor, d: &api::DigestSettings) -> Result<api::DigestSettings> {
        actor.require(Permission::ManageAlerts)?;
        if d.hour > 23 {
            return Err(Error::Invalid("the digest hour is 0 to 23".into()));
        }
        let mut doc = self.alerts_doc().await?;
        ids::check_ids(&d.channel_ids, "channel")?;
        if let Some(c) = d.channel_ids.iter().find(|c| doc.channel(c).is_none()) {
            return Err(Error::Invalid(format!("no channel {c:?}")));
        }
        let clean = api::DigestSettings {
            enabled: d.enabled,
            hour: d.hour,
            recipients: check_recipients(&d.recipients)?,
            channel_ids: d.channel_ids.clone(),
        };
        if clean.enabled && clean.recipients.is_empty() && clean.channel_ids.is_empty() {
            return Err(Error::Invalid("the digest needs a recipient or a channel".into()));
        }
        let before = std::mem::replace(&mut doc.digest, clean.clone());
        self.save_alerts_doc(&doc).await?;
        let change = Change::fields(
            serde_json::to_value(&before).unwrap_or_default(),
            serde_json::to_value(&clean).unwrap_or_default(),
        );
        self.audit_alerts(actor, "alert_digest", "digest", "update", change).await?;
        Ok(clean)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    #[test]
    fn addresses_are_checked() {
        assert!(ids::check_mail_address("ops@msp.example").is_ok());
        for bad in ["", "ops", "ops@", "@msp.example", "a b@msp.example", "a@b@c.example", "x@y.example, z@w.example"] {
            assert!(ids::check_mail_address(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_view_hides_urls_and_secrets() {
        let c = StoredChannel {
            id: "ch1".into(),
            name: "Slack".into(),
            kind: ChannelKind::Slack,
            recipients: vec![],
            url: Some("https://hooks.slack.com/services/T/B/secret".into()),
            signing_secret: Some("s3cret".into()),
            created_by: "admin".into(),
            created_at: Utc::now(),
        };
        let json = serde_json::to_string(&c.view()).unwrap();
        assert!(!json.contains("secret"), "{json}");
    }
}
