//! What the UI asks engines to do with restore points and storage targets:
//! browse and search (asynchronous: the UI polls the job), file, image and
//! bare-metal restores (`backup.restore`), health checks and integrity
//! verification (`backup.manage`).

use bc_api_types::{self as api, BmrMethod, DispatchReason, Permission};
use chrono::Duration;
use serde_json::json;

use super::{AgentJobRecord, BMR_TOKEN_HOURS, MAX_RESTORE_PATHS, for_ui, new_job};
use crate::app::App;
use crate::audit::{Change, audit_entry};
use crate::auth::permissions::Actor;
use crate::error::{Error, Result};
use crate::ids::{self, check_id};

fn check_path(p: &str, what: &str) -> Result<String> {
    let p = p.trim();
    if p.is_empty() || p.len() > 4096 || p.chars().any(char::is_control) {
        return Err(Error::Invalid(format!("{what}: 1 to 4096 characters, no control characters")));
    }
    Ok(p.to_string())
}

impl App {
    /// A complete restore point whose engine is there to work on it.
    async fn usable_point(&self, id: &str) -> Result<(api::RestorePoint, api::Engine)> {
        check_id(id, "restore point")?;
        let rp = self.bk_get::<api::RestorePoint>(id).await?.ok_or(Error::NotFound("restore point"))?.value;
        if rp.status != api::RestorePointStatus::Complete {
            return Err(Error::Invalid(format!("the restore point is {}; only a complete one can be used", rp.status)));
        }
        let engine = self.bk_get::<api::Engine>(&rp.engine_id).await?.ok_or(Error::NotFound("engine"))?.value;
        Ok((rp, engine))
    }

    fn require_online(engine: &api::Engine) -> Result<()> {
        if matches!(engine.status, api::EngineStatus::Online | api::EngineStatus::Degraded) {
            Ok(())
        } else {
            Err(Error::Invalid(format!("engine {} is {}; it must be online", engine.name, engine.status)))
        }
    }

    async fn queue_point_job(
        &self,
        actor: &Actor,
        rp: &api::RestorePoint,
        payload: api::JobPayload,
        target_host: Option<&api::ManagedHost>,
    ) -> Result<api::AgentJob> {
        let now = self.clock.now();
        let mut r = new_job(ids::random_id("aj"), &rp.engine_id, payload, DispatchReason::User, &actor.username, now);
        r.job.customer_id = rp.customer_id.clone();
        r.job.policy_id = Some(rp.policy_id.clone());
        r.job.host_id = Some(target_host.map(|h| h.id.clone()).unwrap_or_else(|| rp.host_id.clone()));
        r.job.hostname = Some(target_host.map(|h| h.hostname.clone()).unwrap_or_else(|| rp.hostname.clone()));
        r.job.target_id = Some(rp.target_id.clone());
        r.job.restore_point_id = Some(rp.id.clone());
        self.bk_insert(&r).await?;
        let change = Change::created(json!({"kind": r.job.kind, "restore_point_id": rp.id, "engine_id": rp.engine_id}));
        self.audit(audit_entry(self, actor, "agent_job", &r.job.id, "create", change)).await?;
        Ok(for_ui(r.job))
    }

    /// A host to restore to: the point's own, or another of the same customer.
    async fn restore_host(&self, rp: &api::RestorePoint, host_id: Option<&str>) -> Result<Option<api::ManagedHost>> {
        let Some(id) = host_id.filter(|h| !h.is_empty()) else { return Ok(None) };
        check_id(id, "host")?;
        let h = self.bk_get::<api::ManagedHost>(id).await?.ok_or(Error::NotFound("host"))?.value;
        if rp.customer_id.as_ref().is_some_and(|c| c != &h.customer_id) {
            return Err(Error::Invalid(format!(
                "host {} belongs to another customer than the restore point",
                h.hostname
            )));
        }
        Ok(Some(h))
    }

    /// `POST /api/v1/backup/restore-points/{id}/browse`.
    pub async fn browse_restore_point(&self, actor: &Actor, id: &str, body: &api::BrowseBody) -> Result<api::AgentJob> {
        actor.require(Permission::RestoreBackup)?;
        let (rp, engine) = self.usable_point(id).await?;
        Self::require_online(&engine)?;
        let path = check_path(body.path.as_deref().unwrap_or("/"), "path")?;
        let payload = api::JobPayload::Browse(api::BrowsePayload {
            restore_point_id: rp.id.clone(),
            snapshot_id: rp.snapshot_id.clone(),
            path,
        });
        self.queue_point_job(actor, &rp, payload, None).await
    }

    /// `POST /api/v1/backup/restore-points/{id}/search`.
    pub async fn search_restore_point(&self, actor: &Actor, id: &str, body: &api::SearchBody) -> Result<api::AgentJob> {
        actor.require(Permission::RestoreBackup)?;
        let (rp, engine) = self.usable_point(id).await?;
        Self::require_online(&engine)?;
        let query = body.query.trim();
        if query.is_empty() || query.len() > 256 || query.chars().any(char::is_control) {
            return Err(Error::Invalid("query: 1 to 256 characters".into()));
        }
        let payload = api::JobPayload::Search(api::SearchPayload {
            restore_point_id: rp.id.clone(),
            snapshot_id: rp.snapshot_id.clone(),
            query: query.to_string(),
            limit: body.limit.unwrap_or(1000).clamp(1, super::MAX_ENTRIES as u32),
        });
        self.queue_point_job(actor, &rp, payload, None).await
    }

    /// `POST /api/v1/backup/restore-points/{id}/restore-files`: high priority.
    pub async fn restore_files(&self, actor: &Actor, id: &str, body: &api::FileRestoreBody) -> Result<api::AgentJob> {
        actor.require(Permission::RestoreBackup)?;
        if body.paths.is_empty() {
            return Err(Error::Invalid("paths: name at least one file or directory".into()));
        }
        if body.paths.len() > MAX_RESTORE_PATHS {
            return Err(Error::Invalid(format!(
                "paths: at most {MAX_RESTORE_PATHS} per restore ({} given)",
                body.paths.len()
            )));
        }
        let paths = body.paths.iter().map(|p| check_path(p, "paths")).collect::<Result<Vec<_>>>()?;
        let target_path = check_path(&body.target_path, "target_path")?;
        let (rp, engine) = self.usable_point(id).await?;
        Self::require_online(&engine)?;
        let host = self.restore_host(&rp, body.target_host_id.as_deref()).await?;
        let payload = api::JobPayload::FileRestore(api::FileRestorePayload {
            restore_point_id: rp.id.clone(),
            snapshot_id: rp.snapshot_id.clone(),
            paths,
            target_path,
            overwrite: body.overwrite,
            target_hostname: host.as_ref().map(|h| h.hostname.clone()).unwrap_or_else(|| rp.hostname.clone()),
        });
        self.queue_point_job(actor, &rp, payload, host.as_ref()).await
    }

    /// `POST /api/v1/backup/restore-points/{id}/restore-image`: critical priority.
    pub async fn restore_image(&self, actor: &Actor, id: &str, body: &api::ImageRestoreBody) -> Result<api::AgentJob> {
        actor.require(Permission::RestoreBackup)?;
        if body.target_host_id.trim().is_empty() {
            return Err(Error::Invalid("target_host_id is required for an image restore".into()));
        }
        let target_path = check_path(&body.target_path, "target_path")?;
        let (rp, engine) = self.usable_point(id).await?;
        Self::require_online(&engine)?;
        let host = self.restore_host(&rp, Some(&body.target_host_id)).await?.ok_or(Error::NotFound("host"))?;
        let payload = api::JobPayload::ImageRestore(api::ImageRestorePayload {
            restore_point_id: rp.id.clone(),
            snapshot_id: rp.snapshot_id.clone(),
            target_hostname: host.hostname.clone(),
            target_path,
            overwrite: body.overwrite,
        });
        self.queue_point_job(actor, &rp, payload, Some(&host)).await
    }

    /// `POST /api/v1/backup/restore-points/{id}/bmr`: complete point, online
    /// engine, PXE only where the engine has it; a one-time token (UUID, 4 hours).
    pub async fn restore_bare_metal(&self, actor: &Actor, id: &str, body: &api::BmrBody) -> Result<api::AgentJob> {
        actor.require(Permission::RestoreBackup)?;
        let (rp, engine) = self.usable_point(id).await?;
        Self::require_online(&engine)?;
        if body.method == BmrMethod::Pxe && !engine.pxe_enabled {
            return Err(Error::Invalid(format!("engine {} does not have PXE enabled; use iso", engine.name)));
        }
        let now = self.clock.now();
        let payload = api::JobPayload::BareMetalRestore(api::BmrPayload {
            restore_point_id: rp.id.clone(),
            snapshot_id: rp.snapshot_id.clone(),
            method: body.method,
            token: ids::uuid_v4(),
            token_expires_at: now + Duration::hours(BMR_TOKEN_HOURS),
        });
        self.queue_point_job(actor, &rp, payload, None).await
    }

    /// `POST /api/v1/backup/storage/{id}/health-check` and `.../verify`.
    pub async fn check_storage_target(&self, actor: &Actor, id: &str, verify: bool) -> Result<api::AgentJob> {
        actor.require(Permission::ManageBackup)?;
        check_id(id, "storage target")?;
        let t = self.bk_get::<api::StorageTarget>(id).await?.ok_or(Error::NotFound("storage target"))?.value;
        let engine = self.bk_get::<api::Engine>(&t.engine_id).await?.ok_or(Error::NotFound("engine"))?.value;
        Self::require_online(&engine)?;
        let payload = if verify {
            api::JobPayload::Verify(api::VerifyPayload { snapshot_ids: Vec::new(), sample_count: 20 })
        } else {
            api::JobPayload::HealthCheck
        };
        let now = self.clock.now();
        let mut r = new_job(ids::random_id("aj"), &t.engine_id, payload, DispatchReason::User, &actor.username, now);
        r.job.customer_id = engine.customer_id.clone();
        r.job.target_id = Some(t.id.clone());
        self.bk_insert(&r).await?;
        let change = Change::created(json!({"kind": r.job.kind, "target_id": t.id}));
        self.audit(audit_entry(self, actor, "agent_job", &r.job.id, "create", change)).await?;
        Ok(for_ui(r.job))
    }

    /// `GET /api/v1/backup/agent-jobs/{id}`: the UI polls a browse, search
    /// or restore here. Restores and browsing need `backup.restore`.
    pub async fn agent_job(&self, actor: &Actor, id: &str) -> Result<api::AgentJob> {
        actor.require(Permission::ViewBackup)?;
        check_id(id, "job")?;
        let r = self.bk_get::<AgentJobRecord>(id).await?.ok_or(Error::NotFound("job"))?.value;
        if r.job.restore_point_id.is_some()
            && !matches!(r.job.kind, api::AgentJobKind::Backup | api::AgentJobKind::Replicate)
        {
            actor.require(Permission::RestoreBackup)?;
        }
        Ok(for_ui(r.job))
    }
}
