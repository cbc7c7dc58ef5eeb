//! [`RemarkRepo`]: remarks by id; a job's remarks from GSI1
//! (`JOB#<job>#REMARKS`), the active ones from the sparse GSI3 work list
//! `REMARKS#ACTIVE` (sort key `<job>#<time>#<id>`), which an item leaves
//! when the remark is resolved.

use async_trait::async_trait;
use bc_core::ports::{PortError, PortResult};
use bc_core::review::notes_repo::{Remark, RemarkRepo};

use super::items::{Item, Record, key, time_id, to_item, to_item_with_version};
use super::schema::{Index, REMARKS_ACTIVE};
use super::{Cond, DynamoStore, Query, Range, decode_all};

/// GSI1 partition of one job's remarks.
pub fn job_remarks_pk(job_id: &str) -> String {
    format!("JOB#{job_id}#REMARKS")
}

impl Record for Remark {
    const ENTITY: &'static str = "remark";
    fn key_of(id: &str) -> Item {
        key(format!("REMARK#{id}"), "REMARK")
    }
    fn key(&self) -> Item {
        Self::key_of(&self.id)
    }
    fn indexes(&self) -> Vec<(Index, String, String)> {
        let at = time_id(self.created_at, &self.id);
        let mut out = vec![(Index::Gsi1, job_remarks_pk(&self.job_id), at.clone())];
        if self.active() {
            out.push((Index::Gsi3, REMARKS_ACTIVE.into(), format!("{}#{at}", self.job_id)));
        }
        out
    }
}

/// By job id, then newest first (the order both stores give).
pub(crate) fn by_job_newest_first(remarks: &mut [Remark]) {
    remarks.sort_by(|a, b| a.job_id.cmp(&b.job_id).then(b.created_at.cmp(&a.created_at)).then(b.id.cmp(&a.id)));
}

#[async_trait]
impl RemarkRepo for DynamoStore {
    async fn insert_remark(&self, r: &Remark) -> PortResult<()> {
        if self.put(to_item(r)?, Some(Cond::Absent), "PutItem (insert_remark)").await? {
            Ok(())
        } else {
            Err(PortError::Conflict(format!("remark {} already exists", r.id)))
        }
    }

    async fn get_remark(&self, id: &str) -> PortResult<Option<Remark>> {
        self.get_record(id, "GetItem (get_remark)").await
    }

    async fn update_remark(&self, r: &Remark) -> PortResult<()> {
        let item = to_item_with_version(r, r.version + 1)?;
        self.put_versioned(item, r.version, &format!("remark {}", r.id), "PutItem (update_remark)").await
    }

    async fn delete_remark(&self, id: &str) -> PortResult<bool> {
        self.delete_returning(Remark::key_of(id), "DeleteItem (delete_remark)").await
    }

    async fn list_job_remarks(&self, job_id: &str, limit: usize) -> PortResult<Vec<Remark>> {
        let q = Query::new(Index::Gsi1, job_remarks_pk(job_id)).newest_first();
        let (items, _) = self.query_page(&q, None, limit, "Query (list_job_remarks)").await?;
        decode_all(items)
    }

    async fn list_active_remarks(&self, job_id: Option<&str>) -> PortResult<Vec<Remark>> {
        let mut q = Query::new(Index::Gsi3, REMARKS_ACTIVE);
        if let Some(j) = job_id {
            q = q.range(Range::Prefix(format!("{j}#")));
        }
        let mut out: Vec<Remark> = decode_all(self.query_all(&q, "Query (list_active_remarks)").await?)?;
        by_job_newest_first(&mut out);
        Ok(out)
    }
}
