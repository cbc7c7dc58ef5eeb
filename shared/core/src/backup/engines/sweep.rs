//! The offline sweep (each scheduler tick): engines whose last heartbeat is
//! more than 3 minutes old go offline with a critical alert. It reads only
//! engines whose deadline passed (an index on the deadline), never all.

use bc_api_types::{self as api, EngineStatus};
use chrono::Duration;

use super::OFFLINE_AFTER_SECONDS;
use crate::app::App;
use crate::audit::{Change, audit_entry};
use crate::auth::permissions::Actor;
use crate::error::{Error, Result};

/// Engines one tick handles at most (the rest wait for the next tick).
const SWEEP_LIMIT: usize = 500;

impl App {
    /// Marks overdue engines offline; returns how many.
    pub async fn sweep_offline_engines(&self) -> Result<u32> {
        let now = self.clock.now();
        // "More than 3 minutes": strictly past the deadline.
        let due = self.bk_due::<api::Engine>(now - Duration::milliseconds(1), SWEEP_LIMIT).await?;
        let mut n = 0;
        for s in due {
            let e = s.value.clone();
            let Some(last) = e.last_heartbeat_at else { continue };
            if !matches!(e.status, EngineStatus::Online | EngineStatus::Degraded)
                || now - last <= Duration::seconds(OFFLINE_AFTER_SECONDS.into())
            {
                continue;
            }
            let mut off = e.clone();
            off.status = EngineStatus::Offline;
            match self.bk_update(&off, s.version).await {
                Ok(()) => {}
                // It heartbeated (or was edited) meanwhile: the next tick looks again.
                Err(Error::Conflict(_)) => continue,
                Err(err) => return Err(err),
            }
            n += 1;
            let change =
                Change::fields(serde_json::json!({"status": e.status}), serde_json::json!({"status": off.status}));
            self.audit(audit_entry(self, &Actor::system(), "engine", &e.id, "offline", change)).await?;
            self.raise_alert(
                api::AlertSeverity::Critical,
                "engine_offline",
                "engine",
                &e.id,
                format!(
                    "Engine {} ({}) is offline: no heartbeat since {}",
                    e.name,
                    e.hostname,
                    last.format("%Y-%m-%d %H:%M:%S UTC")
                ),
                &format!("offline:{}:{}", e.id, last.timestamp_millis()),
            )
            .await?;
        }
        Ok(n)
    }
}
