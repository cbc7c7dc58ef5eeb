//! Keyword rules: per-sender rules for mails no product parser reads,
//! stored per deployment and cached per instance.

use std::sync::Arc;

use bc_api_types::{self as api, Permission};
use bc_parsers::ParseOptions;

use crate::app::App;
use crate::audit::{Change, audit_entry};
use crate::auth::permissions::Actor;
use crate::error::{Error, Result};

pub(crate) const KEYWORD_RULES: &str = "keyword_rules";
pub const MAX_KEYWORD_RULES: usize = 500;
const MAX_KEYWORDS: usize = 50;
const MAX_KEYWORD_LEN: usize = 200;

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
impl App {
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
        let before = self.stored_parse_options().await?.keyword_rules;
        let options = ParseOptions { keyword_rules: cleaned.clone() };
        let json = serde_json::to_string(&options).map_err(|e| Error::Backend(format!("encode rules: {e}")))?;
        self.store.put_setting(KEYWORD_RULES, &json).await?;
        self.parse_options.set(Arc::new(options)).await;
        if before != cleaned {
            let change = Change::fields(serde_json::json!({"rules": before}), serde_json::json!({"rules": cleaned}));
            self.audit(audit_entry(self, actor, "settings", "keyword_rules", "update", change)).await?;
        }
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
        if let Some(opts) = self.parse_options.fresh().await {
            return Ok(opts);
        }
        let opts = Arc::new(self.stored_parse_options().await?);
        self.parse_options.set(opts.clone()).await;
        Ok(opts)
    }
}
