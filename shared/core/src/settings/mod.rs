//! MSP-wide settings: the time zone the UI shows times in, keyword rules,
//! and a test mail to check outgoing mail.

pub mod keyword_rules;
pub mod options_cache;
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
        Ok(api::Settings {
            time_zone: tz,
            require_two_factor: Some(self.two_factor_required().await?),
            day_cutover: Some(self.day_cutover().await?),
        })
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
        Ok(api::Settings {
            time_zone: tz.name().to_string(),
            require_two_factor: Some(self.two_factor_required().await?),
            day_cutover: Some(self.day_cutover().await?),
        })
    }

    /// Queues a test mail; the worker sends it through the Mailer.
    pub async fn send_test_mail(&self, actor: &Actor, to: &str) -> Result<()> {
        actor.require(Permission::ManageSettings)?;
        let to = to.trim();
        let valid = to.len() <= 254
            && to.split_once('@').is_some_and(|(l, d)| !l.is_empty() && d.contains('.') && !d.starts_with('.'))
            && !to.chars().any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | ',' | ';'));
        if !valid {
            return Err(Error::Invalid(format!("{to:?} is not a mail address")));
        }
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
