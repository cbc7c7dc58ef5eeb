//! The application: the ports plugged together plus configuration. Use cases
//! are methods on [`App`], spread over the area folders named after them.
//! Each runtime builds its `App` in one place (`bc_embedded::Embedded::app`,
//! `bc_aws::AwsAdapters::app`), and its tests use the same builder.

use std::sync::Arc;

use crate::alerts::port::{NoWebhooks, WebhookSender};
use crate::ports::{Blobs, Clock, Mailer, NoSecrets, Queue, SecretName, Secrets};
use crate::psa::port::Psa;
use crate::schedules::context::ContextCache;
use crate::settings::options_cache::OptionsCache;
use crate::settings::policy_cache::PolicyCache;
use crate::store::Store;

/// Settings that are the same for both runtimes; each runtime fills them
/// from its own place (environment on AWS, flags locally).
#[derive(Debug, Clone)]
pub struct Config {
    /// Base URL of the UI, for links in outgoing mail and tickets.
    pub public_url: String,
    /// Blob prefix that SES (or a local upload) writes raw mail under.
    pub inbound_prefix: String,
    /// Mails re-parsed per queued batch.
    pub reparse_batch: usize,
    /// Runs a bulk review handles per queued batch.
    pub bulk_batch: usize,
    /// Reviews of more runs than this run in the worker, not in the request.
    pub bulk_threshold: usize,
    /// How long audit entries are kept.
    pub audit_retention_days: u32,
    /// Authserv-ids trusted for inbound verdicts until Settings say
    /// otherwise: `amazonses.com` on AWS, none locally.
    pub default_trusted_authserv_ids: Vec<String>,
    /// Webhook channels may point at loopback (plain http too): for tests
    /// and local trials only; never on AWS.
    pub allow_loopback_webhooks: bool,
    /// The first retry of a failed task waits this long; each next one
    /// twice as long (at most 15 minutes). Default 5 s.
    pub retry_base_secs: u32,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            public_url: "http://127.0.0.1:8080".into(),
            inbound_prefix: "inbound/".into(),
            reparse_batch: 50,
            bulk_batch: 250,
            bulk_threshold: 200,
            audit_retention_days: 730,
            default_trusted_authserv_ids: Vec::new(),
            allow_loopback_webhooks: false,
            retry_base_secs: 5,
        }
    }
}

#[derive(Clone)]
pub struct App {
    pub store: Arc<dyn Store>,
    pub blobs: Arc<dyn Blobs>,
    pub queue: Arc<dyn Queue>,
    pub mailer: Arc<dyn Mailer>,
    pub clock: Arc<dyn Clock>,
    pub secrets: Arc<dyn Secrets>,
    /// Outbound webhooks (alerts); none unless the runtime plugs them in.
    pub webhooks: Arc<dyn WebhookSender>,
    pub config: Config,
    /// Parse options (keyword rules) as last read from the store.
    pub(crate) parse_options: Arc<OptionsCache>,
    /// The PSA adapter (Autotask), when the runtime has one.
    pub psa: Option<Arc<dyn Psa>>,
    /// The backup platform adapters (Veeam B&R, Cove), when the runtime has them.
    pub platforms: Option<Arc<dyn crate::platforms::port::PlatformConnector>>,
    /// Intake policy (trusted verdict sources, hold switch) as last read.
    pub(crate) intake_policy: Arc<PolicyCache>,
    /// Time zone, cut-over and maintenance windows as last read.
    pub(crate) schedule_context: Arc<ContextCache>,
    /// Alert channels, rules and mutes as last read.
    pub(crate) alerts_cache: Arc<crate::alerts::doc::AlertsCache>,
}

impl App {
    pub fn new(
        store: Arc<dyn Store>,
        blobs: Arc<dyn Blobs>,
        queue: Arc<dyn Queue>,
        mailer: Arc<dyn Mailer>,
        clock: Arc<dyn Clock>,
        config: Config,
    ) -> Self {
        App {
            store,
            blobs,
            queue,
            mailer,
            clock,
            secrets: Arc::new(NoSecrets),
            webhooks: Arc::new(NoWebhooks),
            config,
            parse_options: Arc::default(),
            intake_policy: Arc::default(),
            schedule_context: Arc::default(),
            alerts_cache: Arc::default(),
            psa: None,
            platforms: None,
        }
    }

    /// The PSA adapter (Autotask) the runtime has.
    pub fn with_psa(mut self, psa: Arc<dyn Psa>) -> Self {
        self.psa = Some(psa);
        self
    }

    /// The backup platform adapters the runtime has (none by default).
    pub fn with_platforms(mut self, platforms: Arc<dyn crate::platforms::port::PlatformConnector>) -> Self {
        self.platforms = Some(platforms);
        self
    }

    /// The webhook sender the runtime has (none by default).
    pub fn with_webhooks(mut self, webhooks: Arc<dyn WebhookSender>) -> Self {
        self.webhooks = webhooks;
        self
    }

    /// The secret store the runtime has (none by default).
    pub fn with_secrets(mut self, secrets: Arc<dyn Secrets>) -> Self {
        self.secrets = secrets;
        self
    }

    /// Reads every secret once, as a function does when it starts, and
    /// reports which are set (never their values). An unreadable secret is a
    /// configuration error worth failing loudly for.
    pub async fn check_secrets(&self, names: &[SecretName]) -> crate::Result<Vec<(SecretName, bool)>> {
        let mut out = Vec::new();
        for n in names {
            out.push((*n, self.secrets.get(*n).await?.is_some()));
        }
        Ok(out)
    }
}
