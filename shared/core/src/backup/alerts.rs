//! Alerts of the control plane (engine offline or recovered, storage at its
//! alert or critical threshold). Recorded here and shown on the Backup
//! pages, and sent to the alert channels of the rules for every customer
//! that name its weight (critical as Failed, warning as Warning). An alert's id
//! derives from its cause, so a doubled tick records it once.

use bc_api_types::{self as api, Permission};

use crate::app::App;
use crate::auth::permissions::Actor;
use crate::error::Result;
use crate::ids;

/// Most alerts the list returns.
const MAX_ALERTS: usize = 200;
/// Alerts older than this are dropped when new ones come.
const KEEP_DAYS: i64 = 90;

impl App {
    pub(crate) async fn raise_alert(
        &self,
        severity: api::AlertSeverity,
        kind: &str,
        subject_type: &str,
        subject_id: &str,
        message: String,
        cause: &str,
    ) -> Result<()> {
        let alert = api::BackupAlert {
            id: ids::derived("al", cause),
            at: self.clock.now(),
            severity,
            kind: kind.to_string(),
            subject_type: subject_type.to_string(),
            subject_id: subject_id.to_string(),
            message,
        };
        match severity {
            api::AlertSeverity::Critical => tracing::error!(kind, subject_id, "{}", alert.message),
            _ => tracing::warn!(kind, subject_id, "{}", alert.message),
        }
        if self.bk_get::<api::BackupAlert>(&alert.id).await?.is_none() {
            self.bk_put(&alert).await?;
            // To the alert channels (once: only when first recorded).
            self.alert_for_backup(&alert).await;
        }
        Ok(())
    }

    /// Recent alerts, newest first; `subject_id` narrows to one engine or target.
    pub async fn backup_alerts(&self, actor: &Actor, subject_id: Option<&str>) -> Result<Vec<api::BackupAlert>> {
        actor.require(Permission::ViewBackup)?;
        let cutoff = self.clock.now() - chrono::Duration::days(KEEP_DAYS);
        let mut out = Vec::new();
        for a in self.bk_list::<api::BackupAlert>().await? {
            if a.value.at < cutoff {
                self.bk_delete::<api::BackupAlert>(&a.value.id).await?;
                continue;
            }
            if subject_id.is_none_or(|s| a.value.subject_id == s) {
                out.push(a.value);
            }
        }
        out.sort_by(|a, b| b.at.cmp(&a.at).then(b.id.cmp(&a.id)));
        out.truncate(MAX_ALERTS);
        Ok(out)
    }
}
