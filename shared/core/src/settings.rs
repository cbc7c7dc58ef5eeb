//! MSP-wide settings: the time zone the UI shows times in, and a test mail
//! to check outgoing mail.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bc_api_types as api;
use bc_parsers::ParseOptions;

use crate::app::App;
use crate::auth::{Actor, Permission};
use crate::error::{Error, Result};
use crate::ports::OutboundMail;
use crate::tasks::Task;

const TIME_ZONE: &str = "time_zone";
const KEYWORD_RULES: &str = "keyword_rules";
/// How long a function instance trusts its copy of the keyword rules.
const OPTIONS_TTL: Duration = Duration::from_secs(60);
pub const MAX_KEYWORD_RULES: usize = 500;
const MAX_KEYWORDS: usize = 50;
const MAX_KEYWORD_LEN: usize = 200;

/// The parse options of one process, re-read from the store after a minute
/// so every Lambda instance sees a change soon without a read per mail.
#[derive(Default)]
pub struct OptionsCache(tokio::sync::RwLock<Option<(Instant, Arc<ParseOptions>)>>);

fn validate_rule(i: usize, r: &api::KeywordRule) -> Result<()> {
    let at = |msg: String| Error::Invalid(format!("rule {}: {msg}", i + 1));
    let sender = r.sender.trim();
    let sender_ok = sender.len() <= 254
        && sender.contains('@')
        && !sender.ends_with('@')
        && !sender.chars().any(|c| c.is_whitespace() || c.is_control());
    if !sender_ok {
        return Err(at(format!("{:?} is not an address or @domain", r.sender)));
    }
    let lists = [("failure", &r.failure), ("warning", &r.warning), ("success", &r.success)];
    if lists.iter().all(|(_, l)| l.is_empty()) {
        return Err(at("give at least one failure, warning or success keyword".into()));
    }
    for (name, list) in lists {
        if list.len() > MAX_KEYWORDS {
            return Err(at(format!("at most {MAX_KEYWORDS} {name} keywords")));
        }
        if list.iter().any(|k| k.trim().is_empty() || k.len() > MAX_KEYWORD_LEN || k.chars().any(char::is_control)) {
            return Err(at(format!(
                "{name} keywords must be 1 to {MAX_KEYWORD_LEN} characters, without control characters"
            )));
        }
    }
    if r.job_name.as_ref().is_some_and(|n| n.trim().is_empty() || n.len() > 200) {
        return Err(at("a fixed job name has 1 to 200 characters".into()));
    }
    Ok(())
}
pub const DEFAULT_TIME_ZONE: &str = "UTC";

impl App {
    /// Every signed-in user may read settings (the UI needs the time zone).
    pub async fn settings(&self, _actor: &Actor) -> Result<api::Settings> {
        let tz = self.store.get_setting(TIME_ZONE).await?.unwrap_or_else(|| DEFAULT_TIME_ZONE.into());
        Ok(api::Settings { time_zone: tz })
    }

    pub async fn update_settings(&self, actor: &Actor, s: &api::Settings) -> Result<api::Settings> {
        actor.require(Permission::ManageSettings)?;
        let tz: chrono_tz::Tz = s.time_zone.parse().map_err(|_| {
            Error::Invalid(format!("unknown time zone {:?} (use an IANA name like Europe/Amsterdam)", s.time_zone))
        })?;
        self.store.put_setting(TIME_ZONE, tz.name()).await?;
        Ok(api::Settings { time_zone: tz.name().to_string() })
    }

    /// Keyword rules for senders no product parser reads.
    pub async fn keyword_rules(&self, actor: &Actor) -> Result<api::KeywordRules> {
        actor.require(Permission::ManageSettings)?;
        Ok(api::KeywordRules { rules: self.stored_parse_options().await?.keyword_rules })
    }

    /// Replaces the keyword rules. Re-parse the Inbox to apply them to mails
    /// that are waiting there.
    pub async fn put_keyword_rules(&self, actor: &Actor, rules: &api::KeywordRules) -> Result<api::KeywordRules> {
        actor.require(Permission::ManageSettings)?;
        if rules.rules.len() > MAX_KEYWORD_RULES {
            return Err(Error::Invalid(format!("at most {MAX_KEYWORD_RULES} keyword rules")));
        }
        rules.rules.iter().enumerate().try_for_each(|(i, r)| validate_rule(i, r))?;
        let cleaned: Vec<api::KeywordRule> = rules
            .rules
            .iter()
            .map(|r| api::KeywordRule {
                sender: r.sender.trim().to_lowercase(),
                job_name: r.job_name.as_ref().map(|n| n.trim().to_string()),
                ..r.clone()
            })
            .collect();
        let options = ParseOptions { keyword_rules: cleaned.clone() };
        let json = serde_json::to_string(&options).map_err(|e| Error::Backend(format!("encode rules: {e}")))?;
        self.store.put_setting(KEYWORD_RULES, &json).await?;
        *self.parse_options.0.write().await = Some((Instant::now(), Arc::new(options)));
        Ok(api::KeywordRules { rules: cleaned })
    }

    async fn stored_parse_options(&self) -> Result<ParseOptions> {
        match self.store.get_setting(KEYWORD_RULES).await? {
            None => Ok(ParseOptions::default()),
            Some(json) => serde_json::from_str(&json)
                .map_err(|e| Error::Backend(format!("stored keyword rules are unreadable: {e}"))),
        }
    }

    /// The parse options ingest uses, from the cache when fresh.
    pub(crate) async fn parse_options(&self) -> Result<Arc<ParseOptions>> {
        if let Some((at, opts)) = self.parse_options.0.read().await.as_ref() {
            if at.elapsed() < OPTIONS_TTL {
                return Ok(opts.clone());
            }
        }
        let opts = Arc::new(self.stored_parse_options().await?);
        *self.parse_options.0.write().await = Some((Instant::now(), opts.clone()));
        Ok(opts)
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
        self.enqueue(&Task::SendMail { idempotency_key: key, mail }).await
    }
}
