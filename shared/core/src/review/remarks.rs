//! Remarks: text linked to a job (and the run it was written on), active
//! until resolved. Operators and admins write and resolve them; only the
//! author or an admin edits one. Every change is audited.

use bc_api_types::{self as api, Permission};

use crate::app::App;
use crate::audit::{Change, audit_entry};
use crate::auth::permissions::Actor;
use crate::error::{Error, Result};
use crate::ids::{self, check_id};
use crate::review::notes_repo::Remark;

/// Characters a remark may hold (after trimming).
pub const MAX_REMARK_LEN: usize = 10_000;
/// Remarks a job's list shows at most, newest first.
pub const MAX_JOB_REMARKS: usize = 200;

/// Trims; rejects empty, overlong and control characters other than line
/// breaks and tabs (line endings become `\n`).
pub fn clean_text(text: &str) -> Result<String> {
    let t = text.trim().replace("\r\n", "\n").replace('\r', "\n");
    if t.is_empty() {
        return Err(Error::Invalid("a remark needs text".into()));
    }
    let len = t.chars().count();
    if len > MAX_REMARK_LEN {
        return Err(Error::Invalid(format!("a remark has at most {MAX_REMARK_LEN} characters, not {len}")));
    }
    if t.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err(Error::Invalid("a remark cannot hold control characters".into()));
    }
    Ok(t)
}

pub(crate) fn present(r: &Remark) -> api::Remark {
    api::Remark {
        id: r.id.clone(),
        job_id: r.job_id.clone(),
        run_id: r.run_id.clone(),
        text: r.text.clone(),
        author: r.author.clone(),
        created_at: r.created_at,
        edited_at: r.edited_at,
        edited_by: r.edited_by.clone(),
        active: r.active(),
        resolved_at: r.resolved_at,
        resolved_by: r.resolved_by.clone(),
    }
}

/// The fields the audit trail shows of a remark.
fn audited(r: &Remark) -> serde_json::Value {
    serde_json::json!({"job_id": r.job_id, "run_id": r.run_id, "text": r.text, "author": r.author})
}

impl App {
    /// A job's remarks, newest first, resolved ones included (bounded).
    pub async fn job_remarks(&self, actor: &Actor, job_id: &str) -> Result<api::RemarkList> {
        actor.require(Permission::ViewJobs)?;
        check_id(job_id, "job")?;
        self.store.get_job(job_id).await?.ok_or(Error::NotFound("job"))?;
        let mut items = self.store.list_job_remarks(job_id, MAX_JOB_REMARKS + 1).await?;
        let truncated = items.len() > MAX_JOB_REMARKS;
        items.truncate(MAX_JOB_REMARKS);
        Ok(api::RemarkList { items: items.iter().map(present).collect(), truncated })
    }

    pub async fn create_remark(
        &self,
        actor: &Actor,
        job_id: &str,
        text: &str,
        run_id: Option<&str>,
    ) -> Result<api::Remark> {
        actor.require(Permission::ManageRemarks)?;
        check_id(job_id, "job")?;
        let text = clean_text(text)?;
        self.store.get_job(job_id).await?.ok_or(Error::NotFound("job"))?;
        if let Some(run_id) = run_id {
            check_id(run_id, "run")?;
            let run = self.store.get_run(run_id).await?.ok_or(Error::NotFound("run"))?;
            if run.job_id != job_id {
                return Err(Error::Invalid("that run belongs to another job".into()));
            }
        }
        let r = Remark {
            id: ids::random_id("rm"),
            job_id: job_id.to_string(),
            run_id: run_id.map(str::to_string),
            text,
            author_id: actor.user_id.clone(),
            author: actor.username.clone(),
            created_at: self.clock.now(),
            edited_at: None,
            edited_by: None,
            resolved_at: None,
            resolved_by: None,
            version: 0,
        };
        self.store.insert_remark(&r).await?;
        self.audit(audit_entry(self, actor, "remark", &r.id, "create", Change::created(audited(&r)))).await?;
        Ok(present(&r))
    }

    /// Changes a remark's text: its author, or an admin.
    pub async fn edit_remark(&self, actor: &Actor, id: &str, text: &str) -> Result<api::Remark> {
        actor.require(Permission::ManageRemarks)?;
        check_id(id, "remark")?;
        let text = clean_text(text)?;
        let mut r = self.store.get_remark(id).await?.ok_or(Error::NotFound("remark"))?;
        if r.author_id != actor.user_id {
            actor.require(Permission::EditAnyRemark)?;
        }
        if r.text == text {
            return Ok(present(&r));
        }
        let before = serde_json::json!({"text": r.text});
        r.text = text;
        r.edited_at = Some(self.clock.now());
        r.edited_by = Some(actor.username.clone());
        self.store.update_remark(&r).await?;
        r.version += 1;
        let change = Change::fields(before, serde_json::json!({"text": r.text}));
        self.audit(audit_entry(self, actor, "remark", &r.id, "update", change)).await?;
        Ok(present(&r))
    }

    /// Resolves an active remark (`409` if it is resolved already).
    pub async fn resolve_remark(&self, actor: &Actor, id: &str) -> Result<api::Remark> {
        actor.require(Permission::ManageRemarks)?;
        check_id(id, "remark")?;
        let mut r = self.store.get_remark(id).await?.ok_or(Error::NotFound("remark"))?;
        if !r.active() {
            return Err(Error::Conflict("the remark is resolved already".into()));
        }
        r.resolved_at = Some(self.clock.now());
        r.resolved_by = Some(actor.username.clone());
        self.store.update_remark(&r).await?;
        r.version += 1;
        let change = Change::fields(
            serde_json::json!({"active": true}),
            serde_json::json!({"active": false, "resolved_at": r.resolved_at, "resolved_by": r.resolved_by}),
        );
        self.audit(audit_entry(self, actor, "remark", &r.id, "resolve", change)).await?;
        Ok(present(&r))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remark_text_is_checked() {
        assert_eq!(clean_text("  hello\r\nworld ").unwrap(), "hello\nworld");
        assert!(clean_text("   ").is_err());
        assert!(clean_text(&"x".repeat(MAX_REMARK_LEN)).is_ok());
        assert!(clean_text(&"x".repeat(MAX_REMARK_LEN + 1)).is_err());
        assert!(clean_text("a\u{7}b").is_err());
        assert!(clean_text("a\tb").is_ok());
    }
}
