//! [`TicketRepo`]: tickets by id; a job's tickets from GSI1
//! (`JOB#<job>#TICKETS`), the open ones from the sparse GSI3 work list
//! `TICKETS#OPEN`. One open ticket per run: an open ticket is written in one
//! transaction with a `TICKETRUN#<run>` guard item put only if absent;
//! resolving or deleting the ticket deletes the guard (only if it is still
//! this ticket's) in the same transaction.

use async_trait::async_trait;
use aws_sdk_dynamodb::types::{Delete, TransactWriteItem};
use bc_core::ports::{PortError, PortResult};
use bc_core::review::notes_repo::{Ticket, TicketRepo};

use super::items::{Item, Record, key, n, s, time_id, to_item, to_item_with_version};
use super::schema::{ENTITY, Index, TICKETS_OPEN, VERSION};
use super::{Cond, DynamoStore, Query, Range, SERVICE, Tx, decode_all, version_conflict};
use crate::error::build;

/// GSI1 partition of one job's tickets.
pub fn job_tickets_pk(job_id: &str) -> String {
    format!("JOB#{job_id}#TICKETS")
}

impl Record for Ticket {
    const ENTITY: &'static str = "ticket";
    fn key_of(id: &str) -> Item {
        key(format!("TICKET#{id}"), "TICKET")
    }
    fn key(&self) -> Item {
        Self::key_of(&self.id)
    }
    fn indexes(&self) -> Vec<(Index, String, String)> {
        let at = time_id(self.created_at, &self.id);
        let mut out = vec![(Index::Gsi1, job_tickets_pk(&self.job_id), at.clone())];
        if self.open() {
            out.push((Index::Gsi3, TICKETS_OPEN.into(), format!("{}#{at}", self.job_id)));
        }
        out
    }
}

/// The item that holds a run's one open ticket.
pub fn ticket_run_key(run_id: &str) -> Item {
    key(format!("TICKETRUN#{run_id}"), "TICKETRUN")
}

fn ticket_run_item(t: &Ticket) -> Item {
    let mut item = ticket_run_key(&t.run_id);
    item.insert(ENTITY.into(), s("ticket_run"));
    item.insert("ticket_id".into(), s(t.id.clone()));
    item
}

impl DynamoStore {
    /// A conditional Delete action: only if the item matches `condition`.
    fn tx_delete_if(
        &self,
        key: Item,
        condition: &str,
        names: &[(&str, &str)],
        values: Vec<(&str, aws_sdk_dynamodb::types::AttributeValue)>,
        op: &str,
    ) -> PortResult<TransactWriteItem> {
        let mut d = Delete::builder().table_name(&self.table).set_key(Some(key)).condition_expression(condition);
        for (k, v) in names {
            d = d.expression_attribute_names(*k, *v);
        }
        for (k, v) in values {
            d = d.expression_attribute_values(k, v);
        }
        let delete = d.build().map_err(|e| build(SERVICE, op, e))?;
        Ok(TransactWriteItem::builder().delete(delete).build())
    }

    /// Deletes the run's guard only while it names this ticket.
    fn release_guard(&self, t: &Ticket, op: &str) -> PortResult<TransactWriteItem> {
        self.tx_delete_if(
            ticket_run_key(&t.run_id),
            "#t = :t",
            &[("#t", "ticket_id")],
            vec![(":t", s(t.id.clone()))],
            op,
        )
    }
}

#[async_trait]
impl TicketRepo for DynamoStore {
    async fn insert_ticket(&self, t: &Ticket) -> PortResult<()> {
        let op = "TransactWriteItems (insert_ticket)";
        if !t.open() {
            return if self.put(to_item(t)?, Some(Cond::Absent), op).await? {
                Ok(())
            } else {
                Err(PortError::Conflict(format!("ticket {} already exists", t.id)))
            };
        }
        let actions = vec![
            self.tx_put(to_item(t)?, Some(Cond::Absent), op)?,
            self.tx_put(ticket_run_item(t), Some(Cond::Absent), op)?,
        ];
        match self.transact(actions, op).await? {
            Tx::Written => Ok(()),
            Tx::Cancelled(codes) if Tx::failed(&codes, 0) => {
                Err(PortError::Conflict(format!("ticket {} already exists", t.id)))
            }
            Tx::Cancelled(codes) if Tx::failed(&codes, 1) => {
                Err(PortError::Conflict(format!("run {} has an open ticket", t.run_id)))
            }
            // Two creates racing for the same run: the loser is told so.
            Tx::Cancelled(codes) => Err(Tx::other(op, &codes)),
        }
    }

    async fn get_ticket(&self, id: &str) -> PortResult<Option<Ticket>> {
        self.get_record(id, "GetItem (get_ticket)").await
    }

    async fn update_ticket(&self, t: &Ticket) -> PortResult<()> {
        let what = format!("ticket {}", t.id);
        let item = to_item_with_version(t, t.version + 1)?;
        if t.open() {
            return self.put_versioned(item, t.version, &what, "PutItem (update_ticket)").await;
        }
        // Resolving: the stored ticket (version checked) is open, so the
        // guard is its own; delete both in one transaction.
        let op = "TransactWriteItems (resolve_ticket)";
        let stored: Option<Ticket> = self.get_record(&t.id, "GetItem (update_ticket)").await?;
        let was_open = stored.as_ref().is_some_and(|s| s.version == t.version && s.open());
        if !was_open {
            return self.put_versioned(item, t.version, &what, "PutItem (update_ticket)").await;
        }
        let actions = vec![self.tx_put(item, Some(Cond::Version(t.version)), op)?, self.release_guard(t, op)?];
        match self.transact(actions, op).await? {
            Tx::Written => Ok(()),
            Tx::Cancelled(codes) if Tx::failed(&codes, 0) => Err(version_conflict(&what, t.version)),
            Tx::Cancelled(codes) => Err(Tx::other(op, &codes)),
        }
    }

    async fn delete_ticket(&self, t: &Ticket) -> PortResult<()> {
        let what = format!("ticket {}", t.id);
        let op = "TransactWriteItems (delete_ticket)";
        let delete = self.tx_delete_if(t.key(), "#v = :v", &[("#v", VERSION)], vec![(":v", n(t.version))], op)?;
        let mut actions = vec![delete];
        if t.open() {
            actions.push(self.release_guard(t, op)?);
        }
        match self.transact(actions, op).await? {
            Tx::Written => Ok(()),
            Tx::Cancelled(codes) if Tx::failed(&codes, 0) => Err(version_conflict(&what, t.version)),
            Tx::Cancelled(codes) => Err(Tx::other(op, &codes)),
        }
    }

    async fn list_job_tickets(&self, job_id: &str, limit: usize) -> PortResult<Vec<Ticket>> {
        let q = Query::new(Index::Gsi1, job_tickets_pk(job_id)).newest_first();
        let (items, _) = self.query_page(&q, None, limit, "Query (list_job_tickets)").await?;
        decode_all(items)
    }

    async fn list_open_tickets(&self, job_id: Option<&str>) -> PortResult<Vec<Ticket>> {
        let mut q = Query::new(Index::Gsi3, TICKETS_OPEN);
        if let Some(j) = job_id {
            q = q.range(Range::Prefix(format!("{j}#")));
        }
        let mut out: Vec<Ticket> = decode_all(self.query_all(&q, "Query (list_open_tickets)").await?)?;
        out.sort_by(|a, b| a.job_id.cmp(&b.job_id).then(b.created_at.cmp(&a.created_at)).then(b.id.cmp(&a.id)));
        Ok(out)
    }
}
