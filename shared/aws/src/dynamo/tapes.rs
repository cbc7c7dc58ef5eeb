//! [`TapeRepo`]: a Cartridge per item, listed by barcode from GSI1 `TAPES`,
//! its barcode reserved by a `TAPEBARCODE#` item written in the same
//! transaction. A tape job per item (GSI1 `TAPEJOBS`, newest job date
//! first) with a binding item per Cartridge (GSI1 `TAPE#<tape>#JOBS`), the
//! bindings written in the job's transaction. Locations and Custody events
//! are items of their own in GSI1 `TAPE#<tape>#LOCATIONS` / `#CUSTODY`.

use async_trait::async_trait;
use bc_core::api::{CustodyEvent, Tape, TapeJob, TapeLocation};
use bc_core::ports::{PortError, PortResult};
use bc_core::tapes::repo::TapeRepo;

use super::items::{Item, Record, get_s, key, s, time_id, to_item, to_item_with_version};
use super::schema::{ENTITY, Index, TAPE_JOBS, TAPES, key_part, key_time};
use super::{Cond, DynamoStore, Query, Tx, decode_all, primary_key, version_conflict};

fn tape_pk(tape_id: &str, what: &str) -> String {
    format!("TAPE#{tape_id}#{what}")
}

impl Record for Tape {
    const ENTITY: &'static str = "tape";
    fn key_of(id: &str) -> Item {
        key(format!("TAPE#{id}"), "TAPE")
    }
    fn key(&self) -> Item {
        Self::key_of(&self.id)
    }
    fn indexes(&self) -> Vec<(Index, String, String)> {
        vec![(Index::Gsi1, TAPES.into(), format!("{}#{}", key_part(&self.barcode), self.id))]
    }
}

fn barcode_key(barcode: &str) -> Item {
    key(format!("TAPEBARCODE#{}", key_part(barcode)), "TAPEBARCODE")
}

fn barcode_item(t: &Tape) -> Item {
    let mut item = barcode_key(&t.barcode);
    item.insert(ENTITY.into(), s("tape_barcode"));
    item.insert("tape_id".into(), s(&t.id));
    item
}

impl Record for TapeJob {
    const ENTITY: &'static str = "tape_job";
    fn key_of(id: &str) -> Item {
        key(format!("TAPEJOB#{id}"), "TAPEJOB")
    }
    fn key(&self) -> Item {
        Self::key_of(&self.id)
    }
    fn indexes(&self) -> Vec<(Index, String, String)> {
        vec![(Index::Gsi1, TAPE_JOBS.into(), time_id(self.job_date, &self.id))]
    }
}

fn binding_key(job_id: &str, tape_id: &str) -> Item {
    key(format!("TAPEBIND#{job_id}#{tape_id}"), "TAPEBIND")
}

fn binding_item(job_id: &str, tape_id: &str) -> Item {
    let mut item = binding_key(job_id, tape_id);
    item.insert(ENTITY.into(), s("tape_binding"));
    item.insert("job_id".into(), s(job_id));
    item.insert("tape_id".into(), s(tape_id));
    item.insert(Index::Gsi1.pk().into(), s(tape_pk(tape_id, "JOBS")));
    item.insert(Index::Gsi1.sk().into(), s(job_id));
    item
}

impl Record for TapeLocation {
    const ENTITY: &'static str = "tape_location";
    fn key_of(id: &str) -> Item {
        key(format!("TAPELOC#{id}"), "TAPELOC")
    }
    fn key(&self) -> Item {
        Self::key_of(&self.id)
    }
    fn indexes(&self) -> Vec<(Index, String, String)> {
        vec![(Index::Gsi1, tape_pk(&self.tape_id, "LOCATIONS"), time_id(self.at, &self.id))]
    }
}

impl Record for CustodyEvent {
    const ENTITY: &'static str = "tape_custody";
    fn key_of(id: &str) -> Item {
        key(format!("TAPECUST#{id}"), "TAPECUST")
    }
    fn key(&self) -> Item {
        Self::key_of(&self.id)
    }
    fn indexes(&self) -> Vec<(Index, String, String)> {
        vec![(Index::Gsi1, tape_pk(&self.tape_id, "CUSTODY"), format!("{}#{}", key_time(self.at), self.id))]
    }
}

impl DynamoStore {
    /// Deletes every item of one GSI1 partition; returns how many.
    async fn delete_partition(&self, partition: String, op: &str) -> PortResult<u64> {
        let q = Query::new(Index::Gsi1, partition).project(&["pk", "sk"]);
        let items = self.query_all(&q, op).await?;
        let n = items.len() as u64;
        let keys = items.iter().map(primary_key).collect::<PortResult<Vec<_>>>()?;
        if !keys.is_empty() {
            self.batch_delete(keys, op).await?;
        }
        Ok(n)
    }
}

#[async_trait]
impl TapeRepo for DynamoStore {
    async fn insert_tapes(&self, tapes: &[Tape]) -> PortResult<()> {
        let op = "TransactWriteItems (insert_tapes)";
        if tapes.is_empty() {
            return Ok(());
        }
        if tapes.len() > 50 {
            return Err(PortError::Invalid("at most 50 tapes per insert".into()));
        }
        let mut actions = Vec::new();
        for t in tapes {
            actions.push(self.tx_put(to_item(t)?, Some(Cond::Absent), op)?);
            actions.push(self.tx_put(barcode_item(t), Some(Cond::Absent), op)?);
        }
        match self.transact(actions, op).await? {
            Tx::Written => Ok(()),
            Tx::Cancelled(codes) => {
                for (i, t) in tapes.iter().enumerate() {
                    if Tx::failed(&codes, 2 * i + 1) {
                        return Err(PortError::Conflict(format!("barcode {} is registered already", t.barcode)));
                    }
                    if Tx::failed(&codes, 2 * i) {
                        return Err(PortError::Conflict(format!("tape {} exists", t.id)));
                    }
                }
                Err(Tx::other(op, &codes))
            }
        }
    }

    async fn get_tape(&self, id: &str) -> PortResult<Option<Tape>> {
        self.get_record(id, "GetItem (get_tape)").await
    }

    async fn update_tape(&self, tape: &Tape) -> PortResult<()> {
        let item = to_item_with_version(tape, tape.version + 1)?;
        self.put_versioned(item, tape.version, &format!("tape {}", tape.id), "PutItem (update_tape)").await
    }

    async fn list_tapes(&self) -> PortResult<Vec<Tape>> {
        let q = Query::new(Index::Gsi1, TAPES);
        decode_all(self.query_all(&q, "Query (list_tapes)").await?)
    }

    async fn delete_tape(&self, id: &str) -> PortResult<bool> {
        let op = "TransactWriteItems (delete_tape)";
        let Some(tape) = self.get_tape(id).await? else {
            return Ok(false);
        };
        let actions = vec![self.tx_delete(Tape::key_of(id), op)?, self.tx_delete(barcode_key(&tape.barcode), op)?];
        match self.transact(actions, op).await? {
            Tx::Written => Ok(true),
            Tx::Cancelled(codes) => Err(Tx::other(op, &codes)),
        }
    }

    async fn log_tape_location(&self, tape: &Tape, location: &TapeLocation) -> PortResult<()> {
        let op = "TransactWriteItems (log_tape_location)";
        let actions = vec![
            self.tx_put(to_item(location)?, Some(Cond::Absent), op)?,
            self.tx_put(to_item_with_version(tape, tape.version + 1)?, Some(Cond::Version(tape.version)), op)?,
        ];
        match self.transact(actions, op).await? {
            Tx::Written => Ok(()),
            Tx::Cancelled(codes) if Tx::failed(&codes, 1) => {
                Err(version_conflict(&format!("tape {}", tape.id), tape.version))
            }
            Tx::Cancelled(codes) if Tx::failed(&codes, 0) => {
                Err(PortError::Conflict(format!("location {} exists", location.id)))
            }
            Tx::Cancelled(codes) => Err(Tx::other(op, &codes)),
        }
    }

    async fn list_tape_locations(&self, tape_id: &str) -> PortResult<Vec<TapeLocation>> {
        let q = Query::new(Index::Gsi1, tape_pk(tape_id, "LOCATIONS")).newest_first();
        decode_all(self.query_all(&q, "Query (list_tape_locations)").await?)
    }

    async fn delete_tape_locations(&self, tape_id: &str) -> PortResult<u64> {
        self.delete_partition(tape_pk(tape_id, "LOCATIONS"), "delete_tape_locations").await
    }

    async fn insert_custody_event(&self, e: &CustodyEvent) -> PortResult<()> {
        if self.put(to_item(e)?, Some(Cond::Absent), "PutItem (insert_custody_event)").await? {
            Ok(())
        } else {
            Err(PortError::Conflict(format!("custody event {} exists", e.id)))
        }
    }

    async fn get_custody_event(&self, id: &str) -> PortResult<Option<CustodyEvent>> {
        self.get_record(id, "GetItem (get_custody_event)").await
    }

    async fn update_custody_event(&self, e: &CustodyEvent) -> PortResult<()> {
        let item = to_item_with_version(e, e.version + 1)?;
        self.put_versioned(item, e.version, &format!("custody event {}", e.id), "PutItem (update_custody_event)").await
    }

    async fn list_custody_events(&self, tape_id: &str) -> PortResult<Vec<CustodyEvent>> {
        let q = Query::new(Index::Gsi1, tape_pk(tape_id, "CUSTODY"));
        decode_all(self.query_all(&q, "Query (list_custody_events)").await?)
    }

    async fn delete_custody_events(&self, tape_id: &str) -> PortResult<u64> {
        self.delete_partition(tape_pk(tape_id, "CUSTODY"), "delete_custody_events").await
    }

    async fn insert_tape_job(&self, job: &TapeJob) -> PortResult<()> {
        let op = "TransactWriteItems (insert_tape_job)";
        let mut actions = vec![self.tx_put(to_item(job)?, Some(Cond::Absent), op)?];
        for t in &job.tape_ids {
            actions.push(self.tx_put(binding_item(&job.id, t), None, op)?);
        }
        match self.transact(actions, op).await? {
            Tx::Written => Ok(()),
            Tx::Cancelled(codes) if Tx::failed(&codes, 0) => {
                Err(PortError::Conflict(format!("tape job {} exists", job.id)))
            }
            Tx::Cancelled(codes) => Err(Tx::other(op, &codes)),
        }
    }

    async fn get_tape_job(&self, id: &str) -> PortResult<Option<TapeJob>> {
        self.get_record(id, "GetItem (get_tape_job)").await
    }

    async fn update_tape_job(&self, job: &TapeJob) -> PortResult<()> {
        let op = "TransactWriteItems (update_tape_job)";
        let what = format!("tape job {}", job.id);
        let stored = self.get_tape_job(&job.id).await?.ok_or_else(|| version_conflict(&what, job.version))?;
        let mut actions =
            vec![self.tx_put(to_item_with_version(job, job.version + 1)?, Some(Cond::Version(job.version)), op)?];
        for t in stored.tape_ids.iter().filter(|t| !job.tape_ids.contains(t)) {
            actions.push(self.tx_delete(binding_key(&job.id, t), op)?);
        }
        for t in job.tape_ids.iter().filter(|t| !stored.tape_ids.contains(t)) {
            actions.push(self.tx_put(binding_item(&job.id, t), None, op)?);
        }
        match self.transact(actions, op).await? {
            Tx::Written => Ok(()),
            Tx::Cancelled(codes) if Tx::failed(&codes, 0) => Err(version_conflict(&what, job.version)),
            Tx::Cancelled(codes) => Err(Tx::other(op, &codes)),
        }
    }

    async fn list_tape_jobs(&self) -> PortResult<Vec<TapeJob>> {
        let q = Query::new(Index::Gsi1, TAPE_JOBS).newest_first();
        decode_all(self.query_all(&q, "Query (list_tape_jobs)").await?)
    }

    async fn delete_tape_job(&self, id: &str) -> PortResult<bool> {
        let op = "TransactWriteItems (delete_tape_job)";
        let Some(job) = self.get_tape_job(id).await? else {
            return Ok(false);
        };
        let mut actions = vec![self.tx_delete(TapeJob::key_of(id), op)?];
        for t in &job.tape_ids {
            actions.push(self.tx_delete(binding_key(id, t), op)?);
        }
        match self.transact(actions, op).await? {
            Tx::Written => Ok(true),
            Tx::Cancelled(codes) => Err(Tx::other(op, &codes)),
        }
    }

    async fn tape_job_ids_of_tape(&self, tape_id: &str) -> PortResult<Vec<String>> {
        let q = Query::new(Index::Gsi1, tape_pk(tape_id, "JOBS")).project(&["job_id"]);
        let items = self.query_all(&q, "Query (tape_job_ids_of_tape)").await?;
        items.iter().map(|i| get_s(i, "job_id").map(String::from)).collect()
    }
}
