//! [`AutotaskPsa`]: the core's PSA port (`bc_core::psa::port::Psa`) on the
//! Autotask REST client. One client per credentials is kept (zone discovery
//! once, the per-endpoint semaphores and the hourly budget shared by every
//! call of this process).

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use bc_api_types::{AutotaskReference, PicklistEntry, Status};
use bc_core::psa::port::{
    Psa, PsaCompany, PsaCredentials, PsaError, PsaResolved, PsaResult, PsaTicket, PsaTicketRequest, PsaTicketStatus,
};
use chrono::{DateTime, Utc};

use crate::budget::{HourlyBudget, RequestBudget};
use crate::client::{AutotaskClient, Config};
use crate::content::{DescriptionOptions, ObjectResult, RunStatus, TicketRun, ticket_description, ticket_subject};
use crate::entities::{NewTicket, Picklist, Ticket, TicketPicklists};
use crate::error::AutotaskError;
use crate::resolve::{self, ResolveOptions, ResolveOutcome, TicketState};

/// Requests per hour this process allows itself: well under Autotask's
/// 10,000 for the whole tenant, which other integrations share.
pub const HOURLY_BUDGET: usize = 3_000;
/// Requests per hour for every process of an installation together (the
/// API and worker functions on AWS, counted in DynamoDB).
pub const SHARED_HOURLY_BUDGET: u64 = 6_000;

pub struct AutotaskPsa {
    zone_lookup: Option<String>,
    budget: Arc<dyn RequestBudget>,
    client: Mutex<Option<(PsaCredentials, AutotaskClient)>>,
}

impl AutotaskPsa {
    /// `zone_lookup`: where zone discovery asks (Autotask's own when `None`;
    /// tests and a local trial point it at the fake server).
    pub fn new(zone_lookup: Option<String>) -> Self {
        AutotaskPsa { zone_lookup, budget: Arc::new(HourlyBudget::new(HOURLY_BUDGET)), client: Mutex::new(None) }
    }

    /// With the request budget every process shares through the store's
    /// counters ([`SHARED_HOURLY_BUDGET`] an hour): what the runtimes use.
    pub fn shared(zone_lookup: Option<String>, counters: Arc<dyn bc_core::auth::repo::CounterRepo>) -> Self {
        AutotaskPsa {
            zone_lookup,
            budget: Arc::new(crate::budget::StoreBudget::new(counters, SHARED_HOURLY_BUDGET)),
            client: Mutex::new(None),
        }
    }

    async fn client(&self, creds: &PsaCredentials) -> PsaResult<AutotaskClient> {
        if let Some((c, client)) = self.client.lock().unwrap_or_else(|p| p.into_inner()).as_ref()
            && c == creds
        {
            return Ok(client.clone());
        }
        let mut cfg = Config::new(&creds.username, &creds.secret, &creds.integration_code);
        if let Some(z) = &self.zone_lookup {
            cfg = cfg.with_zone_lookup(z);
        }
        let client = AutotaskClient::connect(cfg, self.budget.clone()).await.map_err(err)?;
        *self.client.lock().unwrap_or_else(|p| p.into_inner()) = Some((creds.clone(), client.clone()));
        Ok(client)
    }

    async fn picklists(&self, client: &AutotaskClient) -> PsaResult<TicketPicklists> {
        client.ticket_picklists().await.map_err(err)
    }

    fn present(
        &self,
        client: &AutotaskClient,
        t: &Ticket,
        lists: Option<&TicketPicklists>,
        complete: i64,
    ) -> PsaTicket {
        PsaTicket {
            id: t.id,
            number: t.ticket_number.clone(),
            url: client.ticket_url(t.id),
            status: t.status,
            status_label: lists.and_then(|l| l.status.get(t.status)).map(|v| v.label.clone()),
            closed: t.status == complete || t.completed_date.is_some(),
        }
    }
}

fn err(e: AutotaskError) -> PsaError {
    PsaError { transient: e.is_transient(), message: e.to_string() }
}

fn entries(p: &Picklist) -> Vec<PicklistEntry> {
    p.0.iter()
        .filter_map(|v| v.id().map(|id| PicklistEntry { id, label: v.label.clone(), active: v.is_active }))
        .collect()
}

fn run_status(s: Status) -> RunStatus {
    match s {
        Status::Success => RunStatus::Success,
        Status::Warning => RunStatus::Warning,
        _ => RunStatus::Failed,
    }
}

#[async_trait]
impl Psa for AutotaskPsa {
    async fn test_connection(&self, creds: &PsaCredentials) -> PsaResult<Vec<String>> {
        let client = self.client(creds).await?;
        let t = client.threshold_information().await.map_err(err)?;
        Ok(vec![
            format!("Connected to Autotask at {}.", client.zone().url),
            format!(
                "Requests this hour: {} of {} allowed to the tenant.",
                t.current_timeframe_request_count, t.external_request_threshold
            ),
        ])
    }

    async fn reference_data(&self, creds: &PsaCredentials, now: DateTime<Utc>) -> PsaResult<AutotaskReference> {
        let client = self.client(creds).await?;
        let l = self.picklists(&client).await?;
        Ok(AutotaskReference {
            queues: entries(&l.queue),
            sources: entries(&l.source),
            statuses: entries(&l.status),
            priorities: entries(&l.priority),
            loaded_at: now,
        })
    }

    async fn search_companies(&self, creds: &PsaCredentials, text: &str) -> PsaResult<Vec<PsaCompany>> {
        let client = self.client(creds).await?;
        let found = client.search_companies(text).await.map_err(err)?;
        Ok(found.into_iter().map(|c| PsaCompany { id: c.id, name: c.company_name, active: c.is_active }).collect())
    }

    async fn company(&self, creds: &PsaCredentials, id: i64) -> PsaResult<Option<PsaCompany>> {
        let client = self.client(creds).await?;
        match client.company(id).await {
            Ok(c) => Ok(Some(PsaCompany { id: c.id, name: c.company_name, active: c.is_active })),
            Err(AutotaskError::NotFound { .. }) | Err(AutotaskError::Forbidden(_)) => Ok(None),
            Err(e) => Err(err(e)),
        }
    }

    async fn create_ticket(&self, creds: &PsaCredentials, req: &PsaTicketRequest) -> PsaResult<PsaTicket> {
        let client = self.client(creds).await?;
        let run = TicketRun {
            run_id: req.run_id.clone(),
            customer_name: req.customer_name.clone(),
            job_name: req.job_name.clone(),
            backup_software: Some(req.software.clone()),
            backup_type: Some(req.job_type.clone()),
            status: run_status(req.status),
            run_at: req.run_at,
            overall_remark: req.overall_remark.clone(),
            objects: req
                .objects
                .iter()
                .map(|o| ObjectResult {
                    name: o.name.clone(),
                    status: run_status(o.status),
                    message: o.message.clone(),
                })
                .collect(),
        };
        let description = ticket_description(&run, &DescriptionOptions::new(&req.base_url))
            .map_err(|e| PsaError::permanent(e.to_string()))?;
        let ticket = NewTicket {
            company_id: req.company_id,
            title: ticket_subject(&req.customer_name, &req.job_name, run_status(req.status)),
            description,
            status: req.status_id,
            priority: req.priority_id,
            queue_id: req.queue_id,
            source: req.source_id,
            due_date_time: None,
        };
        let made = resolve::create_ticket_for_run(&client, &req.run_id, &ticket).await.map_err(err)?;
        // The labels are a nicety: a failure to read them does not undo the ticket.
        let lists = self.picklists(&client).await.ok();
        Ok(self.present(&client, &made.ticket, lists.as_ref(), resolve::DEFAULT_COMPLETE_STATUS))
    }

    async fn ticket(&self, creds: &PsaCredentials, id: i64) -> PsaResult<PsaTicketStatus> {
        let client = self.client(creds).await?;
        let lists = self.picklists(&client).await.ok();
        let complete =
            lists.as_ref().and_then(TicketPicklists::complete_status).unwrap_or(resolve::DEFAULT_COMPLETE_STATUS);
        match resolve::ticket_state(&client, id, complete).await.map_err(err)? {
            TicketState::Open(t) | TicketState::Closed(t) => {
                Ok(PsaTicketStatus::Exists(self.present(&client, &t, lists.as_ref(), complete)))
            }
            TicketState::Deleted { .. } => Ok(PsaTicketStatus::Deleted),
        }
    }

    async fn ticket_by_number(&self, creds: &PsaCredentials, number: &str) -> PsaResult<Option<PsaTicket>> {
        let client = self.client(creds).await?;
        let found = client.ticket_by_number(number).await.map_err(err)?;
        let lists = if found.is_some() { self.picklists(&client).await.ok() } else { None };
        Ok(found.map(|t| self.present(&client, &t, lists.as_ref(), resolve::DEFAULT_COMPLETE_STATUS)))
    }

    async fn resolve_ticket(&self, creds: &PsaCredentials, id: i64) -> PsaResult<PsaResolved> {
        let client = self.client(creds).await?;
        let lists = self.picklists(&client).await?;
        let opts = ResolveOptions {
            complete_status: lists.complete_status().unwrap_or(resolve::DEFAULT_COMPLETE_STATUS),
            ..ResolveOptions::default()
        };
        Ok(match resolve::resolve_ticket(&client, id, &opts).await.map_err(err)? {
            ResolveOutcome::Resolved { .. } => PsaResolved::Resolved,
            ResolveOutcome::LeftOpen { time_entries, .. } => PsaResolved::LeftOpen { time_entries },
            ResolveOutcome::AlreadyClosed { .. } => PsaResolved::AlreadyClosed,
            ResolveOutcome::Deleted { .. } => PsaResolved::Deleted,
        })
    }
}
