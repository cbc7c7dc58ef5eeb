//! The scheduler tick (every minute): housekeeping that must happen without
//! a request. Each duty is idempotent for its time slot, so a doubled tick is
//! harmless.

use chrono::Duration;

use crate::app::App;
use crate::error::Result;

/// A mail still `received` this long after arrival was interrupted mid-ingest.
const STUCK_AFTER_MINUTES: i64 = 5;

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct TickReport {
    pub sessions_purged: u64,
    pub mails_resumed: u64,
    pub audit_purged: u64,
    /// Override validity-window edges crossed since the last tick.
    pub override_edges: u32,
    /// Whether this tick queued the hourly Autotask company sync (the
    /// worker runs it, as every Autotask call; nothing when the integration is off).
    pub companies_sync_queued: bool,
    /// Missed runs created (expected runs whose window and grace passed).
    pub missed_runs: u32,
    /// Batched-alert deliveries queued (one per rule slot and channel).
    pub alert_batches: u32,
    /// Whether the morning digest was queued by this tick.
    pub digest_queued: bool,
    /// Backup engines marked offline (no heartbeat for more than 3 minutes).
    pub engines_offline: u32,
    /// Native backup jobs dispatched for policy slots that fell due.
    pub backups_dispatched: u32,
    /// Agent jobs failed at their deadline (no progress, or never fetched).
    pub agent_jobs_timed_out: u32,
    /// Protected objects newly past their RPO.
    pub rpo_breaches: u32,
    /// Restore points expired by the daily retention pass.
    pub restore_points_expired: u32,
    /// Platform syncs queued (platforms whose interval passed).
    pub platform_syncs: u32,
}

impl App {
    pub async fn tick(&self) -> Result<TickReport> {
        let now = self.clock.now();
        let mut report = TickReport {
            sessions_purged: self.store.purge_expired_sessions(now).await?,
            audit_purged: self.purge_audit().await?,
            override_edges: self.override_boundaries().await?,
            missed_runs: self.missed_runs().await?,
            engines_offline: self.sweep_offline_engines().await?,
            ..Default::default()
        };
        // The native control plane: each duty on its own, none stops the tick.
        report.agent_jobs_timed_out = self.sweep_agent_jobs().await.unwrap_or_else(|e| {
            tracing::warn!(error = %e, "the agent job sweep failed");
            0
        });
        report.backups_dispatched = self.dispatch_due().await.unwrap_or_else(|e| {
            tracing::warn!(error = %e, "dispatching backups failed");
            0
        });
        report.rpo_breaches = self.sweep_rpo_breaches().await.unwrap_or_else(|e| {
            tracing::warn!(error = %e, "the RPO sweep failed");
            0
        });
        report.restore_points_expired = self.retention_pass().await.unwrap_or_else(|e| {
            tracing::warn!(error = %e, "the retention pass failed");
            0
        });
        // Alerts must never stop the rest of the tick.
        report.alert_batches = self.alert_batches().await.unwrap_or_else(|e| {
            tracing::warn!(error = %e, "batched alerts failed");
            0
        });
        report.platform_syncs = self.queue_due_platform_syncs().await.unwrap_or_else(|e| {
            tracing::warn!(error = %e, "queueing platform syncs failed");
            0
        });
        report.digest_queued = self.digest_due().await.unwrap_or_else(|e| {
            tracing::warn!(error = %e, "the morning digest failed");
            false
        });
        // The Autotask company names, once an hour (claimed, so a doubled
        // tick or a second instance does not queue it twice); the worker
        // calls Autotask, the scheduler never does.
        let hour = now.format("%Y-%m-%dT%H").to_string();
        if self.store.claim(&format!("psa-company-sync:{hour}"), now, now + Duration::hours(2)).await? {
            match self.enqueue(&crate::tasks::task::Task::PsaCompanySync { hour: hour.clone() }).await {
                Ok(()) => report.companies_sync_queued = true,
                Err(e) => {
                    tracing::warn!(error = %e, "queueing the Autotask company sync failed");
                    self.store.release_claim(&format!("psa-company-sync:{hour}")).await?;
                }
            }
        }
        // Finish ingests that were cut off between "stored" and "processed",
        // or that failed: each resume is an attempt counted on the mail, and
        // a mail that keeps failing ends in quarantine.
        let stuck = self.store.received_mails_before(now - Duration::minutes(STUCK_AFTER_MINUTES), 100).await?;
        for mail in stuck {
            match self.resume_mail(mail).await {
                Ok(_) => report.mails_resumed += 1,
                Err(e) => tracing::warn!(error = %e, "resuming a stuck mail failed"),
            }
        }
        Ok(report)
    }
}
