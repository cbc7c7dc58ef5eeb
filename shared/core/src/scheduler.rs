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
    /// Autotask company mappings whose name or status changed (synced once an hour).
    pub companies_synced: u32,
    /// Missed runs created (expected runs whose window and grace passed).
    pub missed_runs: u32,
    /// Backup engines marked offline (no heartbeat for more than 3 minutes).
    pub engines_offline: u32,
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
        // The Autotask company names, once an hour (claimed, so a doubled
        // tick or a second instance does not sync twice).
        let hour = now.format("%Y-%m-%dT%H").to_string();
        if self.psa.is_some() && self.store.claim(&format!("psa-company-sync:{hour}"), now, now + Duration::hours(2)).await? {
            report.companies_synced = self.sync_autotask_companies().await.unwrap_or_else(|e| {
                tracing::warn!(error = %e, "Autotask company sync failed");
                0
            });
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
