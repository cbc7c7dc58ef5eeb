//! MSP-wide settings: the time zone the UI shows times in, keyword rules,
//! and a test mail to check outgoing mail.

pub mod intake_policy;
pub mod keyword_rules;
pub mod options_cache;
pub mod policy_cache;
pub mod repo;

use bc_api_types::{self as api, Permission};

use crate::app::App;
use crate::audit::{Change, audit_entry};
use crate::auth::permissions::Actor;
use crate::error::{Error, Result};
use crate::ports::OutboundMail;
use crate::tasks::task::Task;

use repo::TIME_ZONE;
pub const DEFAULT_TIME_ZONE: &str = "UTC";

impl App {
    /// Every signed-in user may read settings (the UI needs the time zone).
    pub async fn settings(&self, _actor: &Actor) -> Result<api::Settings> {
        let tz = self.store.get_setting(TIME_ZONE).await?.unwrap_or_else(|| DEFAULT_TIME_ZONE.into());
        let policy = self.stored_intake_policy().await?;
        Ok(api::Settings {
            time_zone: tz,
            require_two_factor: Some(self.two_factor_required().await?),
            trusted_authserv_ids: Some(policy.trusted),
            hold_failed_authentication: Some(policy.hold_failed_authentication),
            tickets: Some(self.ticket_mode().await?),
            day_cutover: Some(self.day_cutover().await?),
        })
    }

    /// The intake part of a settings update: trusted verdict sources and the
    /// hold switch, each audited when it changes.
    async fn update_intake_policy(&self, actor: &Actor, s: &api::Settings) -> Result<()> {
        let trusted = match &s.trusted_authserv_ids {
            Some(ids) => Some(intake_policy::check_authserv_ids(ids)?),
            None => None,
        };
        let before = self.stored_intake_policy().await?;
        if let Some(trusted) = trusted
            && trusted != before.trusted
        {
            self.store.put_setting(intake_policy::TRUSTED_AUTHSERV_IDS, &trusted.join(",")).await?;
            let change = Change::fields(
                serde_json::json!({"trusted_authserv_ids": before.trusted}),
                serde_json::json!({"trusted_authserv_ids": trusted}),
            );
            self.audit(audit_entry(self, actor, "settings", intake_policy::TRUSTED_AUTHSERV_IDS, "update", change))
                .await?;
        }
        if let Some(hold) = s.hold_failed_authentication
            && hold != before.hold_failed_authentication
        {
            self.store
                .put_setting(intake_policy::HOLD_FAILED_AUTHENTICATION, if hold { "true" } else { "false" })
                .await?;
            let change = Change::fields(
                serde_json::json!({"hold_failed_authentication": before.hold_failed_authentication}),
                serde_json::json!({"hold_failed_authentication": hold}),
            );
            self.audit(audit_entry(
                self,
                actor,
                "settings",
                intake_policy::HOLD_FAILED_AUTHENTICATION,
                "update",
                change,
            ))
            .await?;
        }
        self.forget_intake_policy().await;
        Ok(())
    }

    pub async fn update_settings(&self, actor: &Actor, s: &api::Settings) -> Result<api::Settings> {
        actor.require(Permission::ManageSettings)?;
        let tz: chrono_tz::Tz = s.time_zone.parse().map_err(|_| {
            Error::Invalid(format!("unknown time zone {:?} (use an IANA name like Europe/Amsterdam)", s.time_zone))
        })?;
        if let Some(c) = &s.day_cutover {
            crate::schedules::parse_cutover(c).map_err(Error::Invalid)?;
        }
        // First, as it may be refused (an admin without two-factor).
        if let Some(required) = s.require_two_factor {
            self.set_two_factor_required(actor, required).await?;
        }
        self.update_intake_policy(actor, s).await?;
        let before = self.store.get_setting(TIME_ZONE).await?.unwrap_or_else(|| DEFAULT_TIME_ZONE.into());
        self.store.put_setting(TIME_ZONE, tz.name()).await?;
        if before != tz.name() {
            let change =
                Change::fields(serde_json::json!({"time_zone": before}), serde_json::json!({"time_zone": tz.name()}));
            self.audit(audit_entry(self, actor, "settings", "time_zone", "update", change)).await?;
            self.schedule_context.clear().await;
        }
        if let Some(c) = &s.day_cutover {
            self.set_day_cutover(actor, c).await?;
        }
        let policy = self.stored_intake_policy().await?;
        Ok(api::Settings {
            time_zone: tz.name().to_string(),
            require_two_factor: Some(self.two_factor_required().await?),
            tickets: Some(self.ticket_mode().await?),
            day_cutover: Some(self.day_cutover().await?),
            trusted_authserv_ids: Some(policy.trusted),
            hold_failed_authentication: Some(policy.hold_failed_authentication),
        })
    }

    /// Queues a test mail; the worker sends it through the Mailer.
    pub async fn send_test_mail(&self, actor: &Actor, to: &str) -> Result<()> {
        actor.require(Permission::ManageSettings)?;
        let to = crate::ids::check_mail_address(to)?;
        let to = to.as_str();
        let mail = OutboundMail {
            to: vec![to.to_string()],
            subject: "Backupchecks test mail".into(),
            text: format!(
                "This is a test mail from Backupchecks at {}, sent on request of {}.\n",
                self.config.public_url, actor.username
            ),
            html: None,
        };
        let key = format!("test-mail:{}:{}", actor.user_id, self.clock.now().timestamp());
        self.enqueue(&Task::SendMail { idempotency_key: key, mail }).await?;
        let change = Change::created(serde_json::json!({"to": to}));
        self.audit(audit_entry(self, actor, "settings", "test_mail", "send", change)).await
    }
}
