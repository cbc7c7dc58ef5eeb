//! The Autotask PSA integration, phase 1 (seed 003): settings with
//! write-only credentials (kept by the Secrets port), the customer ↔
//! company mapping and its name sync, and the Autotask ticket of a run —
//! created, linked, checked and resolved by an operator, exactly one per run.
//!
//! Reads a person waits for (test connection, reference data, a company
//! search, a ticket looked up by number, a ticket's current state) run in
//! the request. Every call that changes something in Autotask (creating a
//! ticket, the resolve notes and status) runs in the worker through the task
//! queue, with its retries and dead-letter queue; the ticket shows
//! `pending` meanwhile and the outcome after. The run's ticket record is the
//! claim: it is written once, atomically (one open ticket per run), before
//! any call, and the adapter finds a ticket a timed-out create made before
//! it creates again.

pub mod port;

use bc_api_types::{
    self as api, AutotaskReference, CompanyLink, MappingStatus, Permission, PsaTicketLink, PsaTicketState, Status,
};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::app::App;
use crate::audit::{Change, audit_entry};
use crate::auth::permissions::Actor;
use crate::error::{Error, Result};
use crate::ids::{self, check_id};
use crate::ports::{PortError, SecretName};
use crate::review::notes_repo::Ticket;
use crate::review::tickets::clean_number;
use crate::tasks::task::{PsaAction, Task};
use port::{PsaCredentials, PsaError, PsaObject, PsaResolved, PsaTicket, PsaTicketRequest, PsaTicketStatus};

const SETTINGS_KEY: &str = "autotask";
/// Companies a search returns at most.
const MAX_COMPANIES: usize = 25;
/// Objects a ticket request carries (the adapter lists at most 5 of them).
const MAX_OBJECTS: usize = 200;

/// The stored settings (credentials are not here: they are a secret).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct StoredSettings {
    pub enabled: bool,
    pub environment: String,
    pub base_url: String,
    pub ticket_source_id: Option<i64>,
    pub queue_id: Option<i64>,
    pub status_id: Option<i64>,
    pub priority_warning_id: Option<i64>,
    pub priority_failed_id: Option<i64>,
    pub allow_resolve: bool,
    pub compatibility_mode: bool,
    pub log_level: String,
    #[serde(default)]
    pub reference: Option<AutotaskReference>,
}

impl Default for StoredSettings {
    fn default() -> Self {
        StoredSettings {
            enabled: false,
            environment: "production".into(),
            base_url: String::new(),
            ticket_source_id: None,
            queue_id: None,
            status_id: None,
            priority_warning_id: None,
            priority_failed_id: None,
            allow_resolve: true,
            compatibility_mode: false,
            log_level: "errors".into(),
            reference: None,
        }
    }
}

fn label(list: &[api::PicklistEntry], label: &str) -> Option<i64> {
    list.iter().find(|e| e.active && e.label.eq_ignore_ascii_case(label)).map(|e| e.id)
}

fn check_base_url(url: &str) -> Result<String> {
    let u = url.trim().trim_end_matches('/');
    if u.is_empty() {
        return Ok(String::new());
    }
    let cleaned = crate::review::tickets::clean_url(Some(u))
        .map_err(|_| Error::Invalid(format!("the Backupchecks base URL {u:?} is not an http(s) URL with a host")))?;
    let cleaned = cleaned.unwrap_or_default();
    if cleaned.contains(['?', '#']) {
        return Err(Error::Invalid("the Backupchecks base URL cannot hold a query or fragment".into()));
    }
    Ok(cleaned)
}

fn psa_error(e: PsaError) -> Error {
    if e.transient {
        Error::Backend(format!("Autotask: {}", e.message))
    } else {
        Error::Invalid(format!("Autotask: {}", e.message))
    }
}

impl App {
    fn psa(&self) -> Result<&dyn port::Psa> {
        self.psa.as_deref().ok_or_else(|| Error::Invalid("this runtime has no PSA adapter configured".into()))
    }

    pub(crate) async fn autotask_stored(&self) -> Result<StoredSettings> {
        match self.store.get_setting(SETTINGS_KEY).await? {
            Some(s) => serde_json::from_str(&s).map_err(|e| Error::Backend(format!("stored Autotask settings: {e}"))),
            None => Ok(StoredSettings::default()),
        }
    }

    async fn put_autotask_stored(&self, s: &StoredSettings) -> Result<()> {
        let json = serde_json::to_string(s).map_err(|e| Error::Backend(format!("Autotask settings: {e}")))?;
        Ok(self.store.put_setting(SETTINGS_KEY, &json).await?)
    }

    async fn autotask_credentials(&self) -> Result<Option<PsaCredentials>> {
        match self.secrets.get(SecretName::Autotask).await? {
            Some(s) => serde_json::from_str(&s)
                .map(Some)
                .map_err(|_| Error::Invalid("the stored Autotask credentials are unreadable; enter them again".into())),
            None => Ok(None),
        }
    }

    async fn require_credentials(&self) -> Result<PsaCredentials> {
        self.autotask_credentials()
            .await?
            .ok_or_else(|| Error::Invalid("enter the Autotask API user, password and tracking identifier first".into()))
    }

    /// The settings and credentials of an enabled integration.
    async fn autotask_on(&self) -> Result<(StoredSettings, PsaCredentials)> {
        let s = self.autotask_stored().await?;
        if !s.enabled {
            return Err(Error::Invalid("the Autotask integration is off (Settings → Integrations)".into()));
        }
        Ok((s, self.require_credentials().await?))
    }

    async fn present_autotask(&self, s: StoredSettings) -> Result<api::AutotaskSettings> {
        Ok(api::AutotaskSettings {
            enabled: s.enabled,
            environment: s.environment,
            base_url: s.base_url,
            ticket_source_id: s.ticket_source_id,
            queue_id: s.queue_id,
            status_id: s.status_id,
            priority_warning_id: s.priority_warning_id,
            priority_failed_id: s.priority_failed_id,
            allow_resolve: s.allow_resolve,
            compatibility_mode: s.compatibility_mode,
            log_level: s.log_level,
            credentials_set: self.autotask_credentials().await.ok().flatten().is_some(),
            reference: s.reference,
        })
    }

    /// What the run modal offers.
    pub(crate) async fn ticket_mode(&self) -> Result<api::TicketMode> {
        let s = self.autotask_stored().await?;
        Ok(api::TicketMode {
            autotask: s.enabled,
            manual: !s.enabled || s.compatibility_mode,
            autotask_resolve: s.enabled && s.allow_resolve,
        })
    }

    /// Whether manual ticket numbers are allowed (integration off, or on in
    /// compatibility mode).
    pub(crate) async fn manual_tickets_allowed(&self) -> Result<bool> {
        let s = self.autotask_stored().await?;
        Ok(!s.enabled || s.compatibility_mode)
    }

    pub async fn autotask_settings(&self, actor: &Actor) -> Result<api::AutotaskSettings> {
        actor.require(Permission::ManageSettings)?;
        let s = self.autotask_stored().await?;
        self.present_autotask(s).await
    }

    pub async fn update_autotask_settings(
        &self,
        actor: &Actor,
        u: &api::UpdateAutotaskSettings,
    ) -> Result<api::AutotaskSettings> {
        actor.require(Permission::ManageSettings)?;
        let before = self.autotask_stored().await?;
        if !matches!(u.environment.as_str(), "sandbox" | "production") {
            return Err(Error::Invalid("the environment is sandbox or production".into()));
        }
        let log_level = u.log_level.clone().unwrap_or_else(|| before.log_level.clone());
        if !matches!(log_level.as_str(), "off" | "errors" | "all") {
            return Err(Error::Invalid("the API logging level is off, errors or all".into()));
        }
        let base_url = check_base_url(&u.base_url)?;
        let given = [&u.username, &u.password, &u.tracking_identifier]
            .map(|v| v.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(str::to_string));
        let creds = match given {
            [Some(username), Some(secret), Some(integration_code)] => {
                if username.len() > 200 || secret.len() > 500 || integration_code.len() > 200 {
                    return Err(Error::Invalid("an Autotask credential is too long".into()));
                }
                Some(PsaCredentials { username, secret, integration_code })
            }
            [None, None, None] => None,
            _ => {
                return Err(Error::Invalid(
                    "give the API user, password and tracking identifier together (or none to keep them)".into(),
                ));
            }
        };
        let has_creds = creds.is_some() || self.autotask_credentials().await?.is_some();
        if u.enabled && (!has_creds || base_url.is_empty()) {
            return Err(Error::Invalid(
                "to enable the integration, enter the credentials and the Backupchecks base URL".into(),
            ));
        }
        for (id, what) in [
            (u.queue_id, "queue"),
            (u.status_id, "status"),
            (u.priority_warning_id, "priority"),
            (u.priority_failed_id, "priority"),
            (u.ticket_source_id, "source"),
        ] {
            if id.is_some_and(|i| i < 0) {
                return Err(Error::Invalid(format!("the {what} is not an Autotask id")));
            }
        }
        let after = StoredSettings {
            enabled: u.enabled,
            environment: u.environment.clone(),
            base_url,
            ticket_source_id: u.ticket_source_id,
            queue_id: u.queue_id,
            status_id: u.status_id,
            priority_warning_id: u.priority_warning_id,
            priority_failed_id: u.priority_failed_id,
            allow_resolve: u.allow_resolve,
            compatibility_mode: u.compatibility_mode,
            log_level,
            reference: before.reference.clone(),
        };
        if let Some(c) = &creds {
            let json = serde_json::to_string(c).map_err(|e| Error::Backend(format!("credentials: {e}")))?;
            self.secrets.put(SecretName::Autotask, &json).await?;
            let change = Change::fields(json!({"credentials": "kept"}), json!({"credentials": "changed"}));
            self.audit(audit_entry(self, actor, "settings", "autotask_credentials", "update", change)).await?;
        }
        self.put_autotask_stored(&after).await?;
        let mut b = serde_json::to_value(&before).unwrap_or_default();
        let mut a = serde_json::to_value(&after).unwrap_or_default();
        for v in [&mut b, &mut a] {
            if let Some(o) = v.as_object_mut() {
                o.remove("reference");
            }
        }
        let change = Change::diff(&b, &a);
        if !change.is_empty() {
            self.audit(audit_entry(self, actor, "settings", "autotask", "update", change)).await?;
        }
        self.present_autotask(after).await
    }

    /// "Test connection": zone discovery and an authenticated read.
    pub async fn test_autotask(&self, actor: &Actor) -> Result<api::AutotaskCheck> {
        actor.require(Permission::ManageSettings)?;
        let creds = self.require_credentials().await?;
        Ok(match self.psa()?.test_connection(&creds).await {
            Ok(messages) => api::AutotaskCheck { ok: true, messages },
            Err(e) => api::AutotaskCheck { ok: false, messages: vec![e.message] },
        })
    }

    /// Loads queues, sources, statuses and priorities from Autotask, keeps
    /// them, and fills the seed's defaults (§7.3) where nothing is chosen.
    pub async fn refresh_autotask_reference(&self, actor: &Actor) -> Result<api::AutotaskSettings> {
        actor.require(Permission::ManageSettings)?;
        let creds = self.require_credentials().await?;
        let r = self.psa()?.reference_data(&creds, self.clock.now()).await.map_err(psa_error)?;
        let mut s = self.autotask_stored().await?;
        s.queue_id = s.queue_id.or_else(|| label(&r.queues, "Helpdesk"));
        s.ticket_source_id = s.ticket_source_id.or_else(|| label(&r.sources, "Monitoring Alert"));
        s.status_id = s.status_id.or_else(|| label(&r.statuses, "New"));
        s.priority_warning_id = s.priority_warning_id.or_else(|| label(&r.priorities, "Medium"));
        s.priority_failed_id = s.priority_failed_id.or_else(|| label(&r.priorities, "High"));
        s.reference = Some(r);
        self.put_autotask_stored(&s).await?;
        let change = Change::fields(json!({}), json!({"reference": "loaded"}));
        self.audit(audit_entry(self, actor, "settings", "autotask", "refresh_reference", change)).await?;
        self.present_autotask(s).await
    }

    /// "Validate configuration": credentials, reference data, and that every
    /// chosen default is still an active value in Autotask.
    pub async fn validate_autotask(&self, actor: &Actor) -> Result<api::AutotaskCheck> {
        actor.require(Permission::ManageSettings)?;
        let s = self.autotask_stored().await?;
        let mut messages = Vec::new();
        let Some(creds) = self.autotask_credentials().await? else {
            return Ok(api::AutotaskCheck { ok: false, messages: vec!["No credentials are stored.".into()] });
        };
        if s.base_url.is_empty() {
            messages.push("The Backupchecks base URL is not set: tickets cannot link their run.".into());
        }
        match self.psa()?.reference_data(&creds, self.clock.now()).await {
            Err(e) => messages.push(e.message),
            Ok(r) => {
                for (id, list, what) in [
                    (s.queue_id, &r.queues, "queue"),
                    (s.status_id, &r.statuses, "status"),
                    (s.priority_warning_id, &r.priorities, "Warning priority"),
                    (s.priority_failed_id, &r.priorities, "Failed priority"),
                    (s.ticket_source_id, &r.sources, "ticket source"),
                ] {
                    match id {
                        None if what != "ticket source" => messages.push(format!("No default {what} is chosen.")),
                        None => {}
                        Some(id) => match list.iter().find(|e| e.id == id) {
                            None => messages.push(format!("The {what} {id} no longer exists in Autotask.")),
                            Some(e) if !e.active => {
                                messages.push(format!("The {what} {:?} is inactive in Autotask.", e.label))
                            }
                            Some(_) => {}
                        },
                    }
                }
            }
        }
        let ok = messages.is_empty();
        if ok {
            messages.push("The configuration is valid.".into());
        }
        Ok(api::AutotaskCheck { ok, messages })
    }

    pub async fn search_autotask_companies(&self, actor: &Actor, text: &str) -> Result<Vec<api::AutotaskCompany>> {
        actor.require(Permission::ManageCustomers)?;
        let text = text.trim();
        if text.is_empty() || text.chars().count() > 100 {
            return Err(Error::Invalid("search with 1 to 100 characters".into()));
        }
        let creds = self.require_credentials().await?;
        let found = self.psa()?.search_companies(&creds, text).await.map_err(psa_error)?;
        Ok(found
            .into_iter()
            .take(MAX_COMPANIES)
            .map(|c| api::AutotaskCompany { id: c.id, name: c.name, active: c.active })
            .collect())
    }

    /// Maps a customer to an Autotask company (validated there), or with
    /// `None` removes the mapping.
    pub async fn map_customer_company(
        &self,
        actor: &Actor,
        customer_id: &str,
        company_id: Option<i64>,
    ) -> Result<api::Customer> {
        actor.require(Permission::ManageCustomers)?;
        check_id(customer_id, "customer")?;
        self.store.get_customer(customer_id).await?.ok_or(Error::NotFound("customer"))?;
        let link = match company_id {
            Some(id) => {
                let creds = self.require_credentials().await?;
                let c = self.psa()?.company(&creds, id).await.map_err(psa_error)?.ok_or_else(|| {
                    Error::Invalid(format!("Autotask has no company {id} (or the API user cannot see it)"))
                })?;
                Some(CompanyLink {
                    company_id: c.id,
                    company_name: c.name,
                    status: MappingStatus::Ok,
                    last_sync: self.clock.now(),
                })
            }
            None => None,
        };
        let (before, after) = crate::retry::on_conflict("the customer", || async {
            let mut c = self.store.get_customer(customer_id).await?.ok_or(Error::NotFound("customer"))?;
            let before = c.psa.clone();
            c.psa = link.clone();
            let r = self.store.update_customer(&c).await;
            c.version += 1;
            crate::retry::written(r, (before, c))
        })
        .await?;
        let change = Change::fields(json!({"autotask": before}), json!({"autotask": after.psa}));
        let action = if company_id.is_some() { "map_company" } else { "unmap_company" };
        self.audit(audit_entry(self, actor, "customer", customer_id, action, change)).await?;
        Ok(crate::present::customer(&after))
    }

    /// The company sync now (the scheduler runs it once an hour).
    pub async fn sync_companies_now(&self) -> Result<u32> {
        self.sync_autotask_companies().await
    }

    /// The scheduler's name sync (§3.2, §3.3): a renamed company updates the
    /// cached name (never the customer's own), a gone one makes the mapping
    /// invalid. Returns how many mappings changed. Off when the integration is.
    pub(crate) async fn sync_autotask_companies(&self) -> Result<u32> {
        let Ok((_, creds)) = self.autotask_on().await else { return Ok(0) };
        let psa = self.psa()?;
        let mut changed = 0;
        for c in self.store.list_customers().await? {
            let Some(link) = c.psa.clone() else { continue };
            let (status, name) = match psa.company(&creds, link.company_id).await {
                Ok(Some(co)) if co.name == link.company_name && link.status != MappingStatus::Invalid => {
                    (link.status, co.name)
                }
                Ok(Some(co)) => (MappingStatus::Renamed, co.name),
                Ok(None) => (MappingStatus::Invalid, link.company_name.clone()),
                Err(e) => {
                    tracing::warn!(customer = %c.id, error = %e, "Autotask company sync skipped");
                    continue;
                }
            };
            let now = self.clock.now();
            let written = crate::retry::on_conflict("the customer", || async {
                let Some(mut cur) = self.store.get_customer(&c.id).await? else {
                    return Ok(crate::retry::Attempt::Done(false));
                };
                let Some(l) = cur.psa.as_mut().filter(|l| l.company_id == link.company_id) else {
                    return Ok(crate::retry::Attempt::Done(false));
                };
                let differs = l.status != status || l.company_name != name;
                l.status = status;
                l.company_name = name.clone();
                l.last_sync = now;
                crate::retry::written(self.store.update_customer(&cur).await, differs)
            })
            .await?;
            if written {
                changed += 1;
                let change = Change::fields(
                    json!({"company_name": link.company_name, "status": link.status}),
                    json!({"company_name": name, "status": status}),
                );
                self.audit(audit_entry(self, &Actor::system(), "customer", &c.id, "sync_company", change)).await?;
            }
        }
        Ok(changed)
    }

    /// "Create Autotask ticket" on a run: records the run's one ticket as
    /// pending (refused if the run has an open ticket) and queues the call.
    pub async fn create_autotask_ticket(&self, actor: &Actor, run_id: &str) -> Result<api::Ticket> {
        actor.require(Permission::ManageTickets)?;
        check_id(run_id, "run")?;
        let (s, _) = self.autotask_on().await?;
        if s.base_url.is_empty() {
            return Err(Error::Invalid("set the Backupchecks base URL in the Autotask settings first".into()));
        }
        let run = self.store.get_run(run_id).await?.ok_or(Error::NotFound("run"))?;
        self.mapped_company(&run.customer_id).await?;
        let link = PsaTicketLink {
            state: PsaTicketState::Pending,
            ticket_id: None,
            status: None,
            status_label: None,
            pending: Some("create".into()),
            error: None,
            note: None,
            checked_at: None,
        };
        let t = self.insert_psa_ticket(actor, &run, "(creating…)".into(), None, link).await?;
        self.enqueue(&Task::PsaTicket { ticket_id: t.id.clone(), action: PsaAction::Create }).await?;
        Ok(crate::review::tickets::present(&t))
    }

    /// The customer's company id, or why tickets are blocked.
    async fn mapped_company(&self, customer_id: &str) -> Result<(i64, String)> {
        let c = self.store.get_customer(customer_id).await?.ok_or(Error::NotFound("customer"))?;
        match c.psa {
            None => Err(Error::Invalid(format!(
                "customer {:?} is not mapped to an Autotask company (Customers page)",
                c.name
            ))),
            Some(l) if l.status == MappingStatus::Invalid => Err(Error::Invalid(format!(
                "the Autotask company of customer {:?} is missing or inaccessible; map it again",
                c.name
            ))),
            Some(l) => Ok((l.company_id, c.name)),
        }
    }

    async fn insert_psa_ticket(
        &self,
        actor: &Actor,
        run: &crate::model::Run,
        number: String,
        url: Option<String>,
        link: PsaTicketLink,
    ) -> Result<Ticket> {
        let t = Ticket {
            id: ids::random_id("tk"),
            job_id: run.job_id.clone(),
            run_id: run.id.clone(),
            number,
            url,
            created_by: actor.username.clone(),
            created_at: self.clock.now(),
            resolved_at: None,
            resolved_by: None,
            psa: Some(link),
            version: 0,
        };
        self.store.insert_ticket(&t).await.map_err(|e| match e {
            PortError::Conflict(_) => {
                Error::Conflict("this run has an open ticket already (one ticket per run)".into())
            }
            other => other.into(),
        })?;
        let after = json!({"run_id": t.run_id, "number": t.number, "autotask": t.psa});
        self.audit(audit_entry(self, actor, "ticket", &t.id, "create", Change::created(after))).await?;
        Ok(t)
    }

    /// "Link existing Autotask ticket" by its number (validated in Autotask).
    pub async fn link_autotask_ticket(&self, actor: &Actor, run_id: &str, number: &str) -> Result<api::Ticket> {
        actor.require(Permission::ManageTickets)?;
        check_id(run_id, "run")?;
        let number = clean_number(number)?;
        let (_, creds) = self.autotask_on().await?;
        let run = self.store.get_run(run_id).await?.ok_or(Error::NotFound("run"))?;
        let found = self
            .psa()?
            .ticket_by_number(&creds, &number)
            .await
            .map_err(psa_error)?
            .ok_or_else(|| Error::Invalid(format!("Autotask has no ticket numbered {number:?}")))?;
        let link = linked(&found, self.clock.now());
        let t = self.insert_psa_ticket(actor, &run, found.number.clone(), found.url.clone(), link).await?;
        Ok(crate::review::tickets::present(&t))
    }

    /// Checks a linked ticket against Autotask now (§9.3): a deleted one is
    /// marked "Deleted in Autotask", kept, and frees the run for a new one.
    pub async fn refresh_autotask_ticket(&self, actor: &Actor, id: &str) -> Result<api::Ticket> {
        actor.require(Permission::ManageTickets)?;
        check_id(id, "ticket")?;
        let t = self.store.get_ticket(id).await?.ok_or(Error::NotFound("ticket"))?;
        let Some(ticket_id) = t.psa.as_ref().and_then(|l| l.ticket_id) else {
            return Err(Error::Invalid("this ticket has no validated Autotask ticket id".into()));
        };
        let (_, creds) = self.autotask_on().await?;
        let state = self.psa()?.ticket(&creds, ticket_id).await.map_err(psa_error)?;
        let t = self.record_ticket_state(&t.id, state, None).await?;
        Ok(crate::review::tickets::present(&t))
    }

    /// "Resolve ticket": queues the resolve (§6). Needs a validated ticket id
    /// and the resolve setting on.
    pub async fn resolve_autotask_ticket(&self, actor: &Actor, id: &str) -> Result<api::Ticket> {
        actor.require(Permission::ManageTickets)?;
        check_id(id, "ticket")?;
        let (s, _) = self.autotask_on().await?;
        if !s.allow_resolve {
            return Err(Error::Invalid("resolving from Backupchecks is switched off in the Autotask settings".into()));
        }
        let t = crate::retry::on_conflict("the ticket", || async {
            let mut t = self.store.get_ticket(id).await?.ok_or(Error::NotFound("ticket"))?;
            let open = t.open();
            let Some(l) = t.psa.as_mut() else {
                return Err(Error::Invalid("this ticket is not linked to Autotask; resolve it by hand".into()));
            };
            if l.state != PsaTicketState::Linked || l.ticket_id.is_none() {
                return Err(Error::Invalid("only a ticket with a validated Autotask id can be resolved".into()));
            }
            if !open {
                return Err(Error::Conflict("the ticket is resolved already".into()));
            }
            l.pending = Some("resolve".into());
            l.error = None;
            let r = self.store.update_ticket(&t).await;
            t.version += 1;
            crate::retry::written(r, t)
        })
        .await?;
        self.enqueue(&Task::PsaTicket { ticket_id: t.id.clone(), action: PsaAction::Resolve }).await?;
        let change = Change::fields(json!({"pending": null}), json!({"pending": "resolve"}));
        self.audit(audit_entry(self, actor, "ticket", &t.id, "resolve_requested", change)).await?;
        Ok(crate::review::tickets::present(&t))
    }

    /// The worker's part of an Autotask ticket action. A transient failure
    /// is returned (the queue retries it, then dead-letters it); a permanent
    /// one is recorded on the ticket.
    pub(crate) async fn run_psa_ticket_task(&self, ticket_id: &str, action: PsaAction) -> Result<()> {
        let Some(t) = self.store.get_ticket(ticket_id).await? else { return Ok(()) };
        let Some(link) = t.psa.clone() else { return Ok(()) };
        let outcome = match action {
            PsaAction::Create => {
                if link.state != PsaTicketState::Pending {
                    return Ok(()); // done by an earlier delivery
                }
                self.psa_create(&t).await
            }
            PsaAction::Resolve => {
                if link.pending.as_deref() != Some("resolve") {
                    return Ok(());
                }
                self.psa_resolve(&t, link.ticket_id.unwrap_or_default()).await
            }
        };
        match outcome {
            Ok(()) => Ok(()),
            Err(e) if e.transient => {
                self.note_psa_error(&t.id, &e.message).await?;
                Err(Error::Backend(format!("Autotask: {}", e.message)))
            }
            Err(e) => {
                let now = self.clock.now();
                crate::retry::on_conflict("the ticket", || async {
                    let Some(mut cur) = self.store.get_ticket(&t.id).await? else {
                        return Ok(crate::retry::Attempt::Done(()));
                    };
                    if let Some(l) = cur.psa.as_mut() {
                        l.error = Some(e.message.clone());
                        l.pending = None;
                        if action == PsaAction::Create {
                            // Nothing exists in Autotask: free the run for another try.
                            l.state = PsaTicketState::Failed;
                            cur.resolved_at = Some(now);
                            cur.resolved_by = Some("system".into());
                        }
                    }
                    crate::retry::written(self.store.update_ticket(&cur).await, ())
                })
                .await?;
                let change = Change::fields(json!({}), json!({"error": e.message, "action": action}));
                self.audit(audit_entry(self, &Actor::system(), "ticket", &t.id, "autotask_failed", change)).await
            }
        }
    }

    async fn note_psa_error(&self, id: &str, message: &str) -> Result<()> {
        crate::retry::on_conflict("the ticket", || async {
            let Some(mut cur) = self.store.get_ticket(id).await? else {
                return Ok(crate::retry::Attempt::Done(()));
            };
            if let Some(l) = cur.psa.as_mut() {
                l.error = Some(format!("{message} (retrying)"));
            }
            crate::retry::written(self.store.update_ticket(&cur).await, ())
        })
        .await
    }

    async fn psa_create(&self, t: &Ticket) -> std::result::Result<(), PsaError> {
        let internal = |e: Error| PsaError { transient: matches!(e, Error::Backend(_)), message: e.to_string() };
        let (s, creds) = self.autotask_on().await.map_err(internal)?;
        let run = self.store.get_run(&t.run_id).await.map_err(|e| internal(e.into()))?;
        let run = run.ok_or_else(|| PsaError::permanent("the run is gone"))?;
        let job = self.store.get_job(&run.job_id).await.map_err(|e| internal(e.into()))?;
        let job = job.ok_or_else(|| PsaError::permanent("the job is gone"))?;
        let (company_id, customer_name) = self.mapped_company(&run.customer_id).await.map_err(internal)?;
        let report = self.load_report(run.report_key.as_deref()).await.map_err(internal)?;
        // §5A: the overall remark is the report's own run-level message, not
        // the run's one-line summary (which may quote an object). A run
        // without a report (Missed, a ping) has only its message.
        let overall_remark = match &report {
            Some(r) => Some(r.messages.join("\n")),
            None => run.message.clone(),
        }
        .filter(|m| !m.trim().is_empty());
        let objects = report
            .map(|r| {
                r.objects
                    .into_iter()
                    .take(MAX_OBJECTS)
                    .map(|o| PsaObject { name: o.name, status: o.status, message: o.message })
                    .collect()
            })
            .unwrap_or_default();
        let priority = match run.original_status() {
            Status::Failed | Status::Missed => s.priority_failed_id,
            _ => s.priority_warning_id,
        };
        let missing = |what: &str| PsaError::permanent(format!("no default {what} is set (Autotask settings)"));
        let req = PsaTicketRequest {
            run_id: run.id.clone(),
            company_id,
            customer_name,
            job_name: job.job_name.clone(),
            software: job.software.clone(),
            job_type: job.job_type.clone(),
            status: run.original_status(),
            run_at: run.sort_at(),
            overall_remark,
            objects,
            base_url: s.base_url.clone(),
            queue_id: s.queue_id.ok_or_else(|| missing("queue"))?,
            status_id: s.status_id.ok_or_else(|| missing("status"))?,
            priority_id: priority.ok_or_else(|| missing("priority"))?,
            source_id: s.ticket_source_id,
        };
        let made = self.psa().map_err(internal)?.create_ticket(&creds, &req).await?;
        let now = self.clock.now();
        crate::retry::on_conflict("the ticket", || async {
            let Some(mut cur) = self.store.get_ticket(&t.id).await? else {
                return Ok(crate::retry::Attempt::Done(()));
            };
            cur.number = made.number.clone();
            cur.url = made.url.clone();
            cur.psa = Some(linked(&made, now));
            crate::retry::written(self.store.update_ticket(&cur).await, ())
        })
        .await
        .map_err(internal)?;
        let change = Change::fields(json!({"state": "pending"}), json!({"state": "linked", "number": made.number}));
        self.audit(audit_entry(self, &Actor::system(), "ticket", &t.id, "autotask_created", change))
            .await
            .map_err(internal)
    }

    async fn psa_resolve(&self, t: &Ticket, ticket_id: i64) -> std::result::Result<(), PsaError> {
        let internal = |e: Error| PsaError { transient: matches!(e, Error::Backend(_)), message: e.to_string() };
        let (_, creds) = self.autotask_on().await.map_err(internal)?;
        let outcome = self.psa().map_err(internal)?.resolve_ticket(&creds, ticket_id).await?;
        let now = self.clock.now();
        crate::retry::on_conflict("the ticket", || async {
            let Some(mut cur) = self.store.get_ticket(&t.id).await? else {
                return Ok(crate::retry::Attempt::Done(()));
            };
            let open = cur.open();
            if let Some(l) = cur.psa.as_mut() {
                l.pending = None;
                l.error = None;
                l.checked_at = Some(now);
                match &outcome {
                    PsaResolved::Resolved | PsaResolved::AlreadyClosed => {
                        l.note = Some(port_note(&outcome));
                        if open {
                            cur.resolved_at = Some(now);
                            cur.resolved_by = Some(t.created_by.clone());
                        }
                    }
                    PsaResolved::LeftOpen { .. } => l.note = Some(port_note(&outcome)),
                    PsaResolved::Deleted => {
                        l.state = PsaTicketState::Deleted;
                        l.note = Some(port_note(&outcome));
                        if open {
                            cur.resolved_at = Some(now);
                            cur.resolved_by = Some("autotask".into());
                        }
                    }
                }
            }
            crate::retry::written(self.store.update_ticket(&cur).await, ())
        })
        .await
        .map_err(internal)?;
        let change = Change::fields(json!({"pending": "resolve"}), json!({"outcome": port_note(&outcome)}));
        self.audit(audit_entry(self, &Actor::system(), "ticket", &t.id, "autotask_resolve", change))
            .await
            .map_err(internal)
    }

    /// Records what Autotask says of a linked ticket now.
    async fn record_ticket_state(&self, id: &str, state: PsaTicketStatus, _by: Option<&str>) -> Result<Ticket> {
        let now = self.clock.now();
        let (t, deleted_now) = crate::retry::on_conflict("the ticket", || async {
            let mut cur = self.store.get_ticket(id).await?.ok_or(Error::NotFound("ticket"))?;
            let open = cur.open();
            let mut deleted_now = false;
            if let Some(l) = cur.psa.as_mut() {
                l.checked_at = Some(now);
                match &state {
                    PsaTicketStatus::Exists(p) => {
                        l.status = Some(p.status);
                        l.status_label = p.status_label.clone();
                    }
                    PsaTicketStatus::Deleted => {
                        deleted_now = l.state != PsaTicketState::Deleted;
                        l.state = PsaTicketState::Deleted;
                        l.pending = None;
                        if open {
                            cur.resolved_at = Some(now);
                            cur.resolved_by = Some("autotask".into());
                        }
                    }
                }
            }
            let r = self.store.update_ticket(&cur).await;
            cur.version += 1;
            crate::retry::written(r, (cur, deleted_now))
        })
        .await?;
        if deleted_now {
            let change = Change::fields(json!({"state": "linked"}), json!({"state": "deleted"}));
            self.audit(audit_entry(self, &Actor::system(), "ticket", &t.id, "autotask_deleted", change)).await?;
        }
        Ok(t)
    }
}

fn linked(p: &PsaTicket, now: chrono::DateTime<chrono::Utc>) -> PsaTicketLink {
    PsaTicketLink {
        state: PsaTicketState::Linked,
        ticket_id: Some(p.id),
        status: Some(p.status),
        status_label: p.status_label.clone(),
        pending: None,
        error: None,
        note: None,
        checked_at: Some(now),
    }
}

fn port_note(o: &PsaResolved) -> String {
    match o {
        PsaResolved::Resolved => "Resolved in Autotask (closing note added, status Complete).".into(),
        PsaResolved::LeftOpen { time_entries } => format!(
            "Not closed: the ticket has {time_entries} time entr{}; a note tells its owner.",
            if *time_entries == 1 { "y" } else { "ies" }
        ),
        PsaResolved::AlreadyClosed => "The ticket was already closed in Autotask.".into(),
        PsaResolved::Deleted => "Deleted in Autotask.".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_are_checked() {
        assert_eq!(check_base_url(" https://bc.example.com/ ").unwrap(), "https://bc.example.com");
        assert_eq!(check_base_url("").unwrap(), "");
        assert!(check_base_url("ftp://x").is_err());
        assert!(check_base_url("https://bc.example.com/?a=1").is_err());
    }

    #[test]
    fn defaults_are_found_by_label() {
        let e = |id, l: &str, active| api::PicklistEntry { id, label: l.into(), active };
        let list = vec![e(1, "High", false), e(2, "high", true), e(3, "Medium", true)];
        assert_eq!(label(&list, "HIGH"), Some(2));
        assert_eq!(label(&list, "Low"), None);
    }

    #[test]
    fn resolve_notes_read_well() {
        assert!(port_note(&PsaResolved::LeftOpen { time_entries: 1 }).contains("1 time entry;"));
        assert!(port_note(&PsaResolved::LeftOpen { time_entries: 3 }).contains("3 time entries"));
    }
}
