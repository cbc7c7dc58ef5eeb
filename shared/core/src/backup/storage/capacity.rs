//! Capacity and health of storage targets, from the engines' heartbeats:
//! usage %, growth per day smoothed by a time-weighted EWMA (a report `dt`
//! after the last moves the average by `1 - exp(-dt / 1 day)` toward the
//! growth since then), the estimated time-to-full, and one history point
//! per UTC day (the day's last report; 365 days kept). Crossing the alert
//! threshold raises a warning; the critical one an alert and every enabled
//! policy on the target is auto-paused (`paused_reason = storage_critical`);
//! back to healthy, exactly those resume.

use bc_api_types::{self as api, StorageHealth};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::app::App;
use crate::audit::{Change, audit_entry};
use crate::auth::permissions::Actor;
use crate::backup::Record;
use crate::backup::repo::BackupKind;
use crate::error::{Error, Result};

/// Why a policy is paused by the system.
pub const STORAGE_CRITICAL: &str = "storage_critical";
/// Days of capacity history kept.
pub const HISTORY_DAYS: i64 = 365;

/// A day of history, stored under its target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CapacityRecord {
    pub id: String,
    pub target_id: String,
    pub point: api::CapacityPoint,
}

impl Record for CapacityRecord {
    const KIND: BackupKind = BackupKind::CapacityPoint;
    fn id(&self) -> &str {
        &self.id
    }
    fn parent(&self) -> Option<String> {
        Some(self.target_id.clone())
    }
}

fn point_id(target_id: &str, day: NaiveDate) -> String {
    format!("{target_id}_{}", day.format("%Y%m%d"))
}

pub fn classify(usage_percent: f64, alert: u8, critical: u8) -> StorageHealth {
    if usage_percent >= f64::from(critical) {
        StorageHealth::Critical
    } else if usage_percent >= f64::from(alert) {
        StorageHealth::Warning
    } else {
        StorageHealth::Healthy
    }
}

/// The next capacity state from the previous one and a report at `now`.
pub fn next_capacity(
    prev: Option<&api::Capacity>,
    total: u64,
    used: u64,
    free: u64,
    now: DateTime<Utc>,
) -> api::Capacity {
    let usage_percent = if total == 0 { 0.0 } else { used as f64 * 100.0 / total as f64 };
    let growth = match prev {
        Some(p) if now > p.reported_at => {
            let days = (now - p.reported_at).num_milliseconds() as f64 / 86_400_000.0;
            let rate = (used as f64 - p.used_bytes as f64) / days;
            let alpha = 1.0 - (-days).exp();
            p.growth_bytes_per_day + alpha * (rate - p.growth_bytes_per_day)
        }
        Some(p) => p.growth_bytes_per_day,
        None => 0.0,
    };
    let estimated_full_at = (growth > 1.0)
        .then(|| free as f64 / growth * 86_400.0)
        .filter(|s| *s < 100.0 * 365.0 * 86_400.0)
        .map(|s| now + Duration::seconds(s as i64));
    api::Capacity {
        total_bytes: total,
        used_bytes: used,
        free_bytes: free,
        usage_percent: (usage_percent * 100.0).round() / 100.0,
        growth_bytes_per_day: growth,
        estimated_full_at,
        reported_at: now,
    }
}

impl App {
    /// Records one capacity report of `engine_id`; `false` (nothing written)
    /// if the target is not that engine's.
    pub(crate) async fn record_capacity(&self, engine_id: &str, r: &api::BesCapacity) -> Result<bool> {
        if !crate::ids::is_valid_id(&r.target_id) {
            return Ok(false);
        }
        match self.bk_get::<api::StorageTarget>(&r.target_id).await? {
            Some(t) if t.value.engine_id == engine_id => {}
            _ => return Ok(false),
        }
        if r.used_bytes > r.total_bytes || r.free_bytes > r.total_bytes {
            return Err(Error::Invalid(format!(
                "storage {}: used and free bytes are at most the total bytes",
                r.target_id
            )));
        }
        let now = self.clock.now();
        let (before, after) = self
            .bk_modify::<api::StorageTarget, _>(&r.target_id, "storage target", |t| {
                let cap = next_capacity(t.capacity.as_ref(), r.total_bytes, r.used_bytes, r.free_bytes, now);
                t.health = classify(cap.usage_percent, t.alert_threshold, t.critical_threshold);
                t.capacity = Some(cap);
                Ok(())
            })
            .await?;
        if let Some(cap) = &after.capacity {
            let day = now.date_naive();
            self.bk_put(&CapacityRecord {
                id: point_id(&after.id, day),
                target_id: after.id.clone(),
                point: api::CapacityPoint {
                    day,
                    at: now,
                    total_bytes: cap.total_bytes,
                    used_bytes: cap.used_bytes,
                    free_bytes: cap.free_bytes,
                    usage_percent: cap.usage_percent,
                },
            })
            .await?;
            // A new day: drop the points that fell out of the year.
            if before.capacity.as_ref().is_none_or(|c| c.reported_at.date_naive() != day) {
                let oldest = day - Duration::days(HISTORY_DAYS - 1);
                for p in self.bk_children::<CapacityRecord>(&after.id).await? {
                    if p.value.point.day < oldest {
                        self.bk_delete::<CapacityRecord>(&p.value.id).await?;
                    }
                }
            }
        }
        if before.health != after.health {
            self.storage_health_changed(&after, before.health).await?;
        }
        Ok(true)
    }

    /// The history of a target, oldest first.
    pub(crate) async fn capacity_history(&self, target_id: &str) -> Result<Vec<api::CapacityPoint>> {
        let mut v: Vec<_> =
            self.bk_children::<CapacityRecord>(target_id).await?.into_iter().map(|p| p.value.point).collect();
        v.sort_by_key(|p| p.day);
        Ok(v)
    }

    /// Alerts and auto-pause / resume for a target whose health moved from `was`.
    pub(crate) async fn storage_health_changed(&self, t: &api::StorageTarget, was: StorageHealth) -> Result<()> {
        if t.health == was {
            return Ok(());
        }
        let usage = t.capacity.as_ref().map(|c| c.usage_percent).unwrap_or_default();
        let at = t.capacity.as_ref().map(|c| c.reported_at.timestamp_millis()).unwrap_or_default();
        let cause = format!("{}:{}:{at}", t.health, t.id);
        match t.health {
            StorageHealth::Critical => {
                let paused = self.pause_policies_of(t).await?;
                let msg = format!(
                    "Storage target {} is {usage:.1} % full (critical at {} %); paused policies: {}",
                    t.name,
                    t.critical_threshold,
                    if paused.is_empty() { "none".to_string() } else { paused.join(", ") }
                );
                self.raise_alert(
                    api::AlertSeverity::Critical,
                    "storage_critical",
                    "storage_target",
                    &t.id,
                    msg,
                    &cause,
                )
                .await?;
            }
            StorageHealth::Warning if matches!(was, StorageHealth::Healthy | StorageHealth::Unknown) => {
                let msg = format!("Storage target {} is {usage:.1} % full (alert at {} %)", t.name, t.alert_threshold);
                self.raise_alert(api::AlertSeverity::Warning, "storage_warning", "storage_target", &t.id, msg, &cause)
                    .await?;
            }
            StorageHealth::Healthy if matches!(was, StorageHealth::Warning | StorageHealth::Critical) => {
                let resumed = self.resume_policies_of(t).await?;
                let msg = format!(
                    "Storage target {} is healthy again ({usage:.1} % full); resumed policies: {}",
                    t.name,
                    if resumed.is_empty() { "none".to_string() } else { resumed.join(", ") }
                );
                self.raise_alert(api::AlertSeverity::Info, "storage_healthy", "storage_target", &t.id, msg, &cause)
                    .await?;
            }
            _ => {}
        }
        Ok(())
    }

    async fn pause_policies_of(&self, t: &api::StorageTarget) -> Result<Vec<String>> {
        let mut names = Vec::new();
        for p in self.bk_children::<api::Policy>(&t.engine_id).await? {
            if p.value.storage_target_id != t.id || !p.value.enabled || p.value.paused_reason.is_some() {
                continue;
            }
            let (before, after) = self
                .bk_modify::<api::Policy, _>(&p.value.id, "policy", |p| {
                    if p.enabled && p.paused_reason.is_none() {
                        p.paused_reason = Some(STORAGE_CRITICAL.into());
                    }
                    Ok(())
                })
                .await?;
            if before != after {
                let change = Change::fields(
                    serde_json::json!({"paused_reason": before.paused_reason}),
                    serde_json::json!({"paused_reason": after.paused_reason}),
                );
                self.audit(audit_entry(self, &Actor::system(), "policy", &after.id, "auto_pause", change)).await?;
                names.push(after.name);
            }
        }
        Ok(names)
    }

    async fn resume_policies_of(&self, t: &api::StorageTarget) -> Result<Vec<String>> {
        let mut names = Vec::new();
        for p in self.bk_children::<api::Policy>(&t.engine_id).await? {
            if p.value.storage_target_id != t.id || p.value.paused_reason.as_deref() != Some(STORAGE_CRITICAL) {
                continue;
            }
            let (before, after) = self
                .bk_modify::<api::Policy, _>(&p.value.id, "policy", |p| {
                    if p.paused_reason.as_deref() == Some(STORAGE_CRITICAL) {
                        p.paused_reason = None;
                    }
                    Ok(())
                })
                .await?;
            if before != after {
                let change = Change::fields(
                    serde_json::json!({"paused_reason": before.paused_reason}),
                    serde_json::json!({"paused_reason": after.paused_reason}),
                );
                self.audit(audit_entry(self, &Actor::system(), "policy", &after.id, "auto_resume", change)).await?;
                names.push(after.name);
            }
        }
        Ok(names)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn health_follows_the_thresholds() {
        assert_eq!(classify(84.9, 85, 95), StorageHealth::Healthy);
        assert_eq!(classify(85.0, 85, 95), StorageHealth::Warning);
        assert_eq!(classify(95.0, 85, 95), StorageHealth::Critical);
    }

    #[test]
    fn growth_is_smoothed_and_projects_time_to_full() {
        let t0: DateTime<Utc> = "2026-01-01T00:00:00Z".parse().unwrap();
        let gb = 1_000_000_000u64;
        let c0 = next_capacity(None, 100 * gb, 50 * gb, 50 * gb, t0);
        assert_eq!(c0.growth_bytes_per_day, 0.0);
        assert!(c0.estimated_full_at.is_none());
        // A day later 1 GB more: the average moves 63 % of the way to 1 GB/day.
        let c1 = next_capacity(Some(&c0), 100 * gb, 51 * gb, 49 * gb, t0 + Duration::days(1));
        let g = c1.growth_bytes_per_day / gb as f64;
        assert!((g - 0.632).abs() < 0.01, "{g}");
        let full = c1.estimated_full_at.unwrap();
        assert!((full - (t0 + Duration::days(1))).num_days() >= 49);
        assert_eq!(c1.usage_percent, 51.0);
    }
}
