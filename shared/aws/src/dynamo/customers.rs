//! [`CustomerRepo`]: customers by id, by name (GSI1), with each name
//! reserved (case-insensitive) by a `CUSTOMERNAME#` item written in the same
//! transaction as the customer.

use async_trait::async_trait;
use bc_core::customers::repo::CustomerRepo;
use bc_core::model::Customer;
use bc_core::ports::{PortError, PortResult};

use super::items::{customer_name_item, customer_name_key, to_item, to_item_with_version};
use super::schema::{CUSTOMERS, Index, fold};
use super::{Cond, DynamoStore, Query, Tx, decode_all, version_conflict};

#[async_trait]
impl CustomerRepo for DynamoStore {
    async fn insert_customer(&self, customer: &Customer) -> PortResult<()> {
        let op = "TransactWriteItems (insert_customer)";
        let actions = vec![
            self.tx_put(to_item(customer)?, Some(Cond::Absent), op)?,
            self.tx_put(customer_name_item(&customer.name, &customer.id), Some(Cond::Absent), op)?,
        ];
        match self.transact(actions, op).await? {
            Tx::Written => Ok(()),
            Tx::Cancelled(codes) if Tx::failed(&codes, 0) => {
                Err(PortError::Conflict(format!("customer {} already exists", customer.id)))
            }
            Tx::Cancelled(codes) if Tx::failed(&codes, 1) => {
                Err(PortError::Conflict(format!("a customer named {:?} already exists", customer.name)))
            }
            Tx::Cancelled(codes) => Err(Tx::other(op, &codes)),
        }
    }

    async fn get_customer(&self, id: &str) -> PortResult<Option<Customer>> {
        self.get_record(id, "GetItem (get_customer)").await
    }

    async fn update_customer(&self, customer: &Customer) -> PortResult<()> {
        let what = format!("customer {}", customer.id);
        let stored: Customer = self
            .get_record(&customer.id, "GetItem (update_customer)")
            .await?
            .ok_or_else(|| version_conflict(&what, customer.version))?;
        if stored.version != customer.version {
            return Err(version_conflict(&what, customer.version));
        }
        let rename = (fold(&stored.name) != fold(&customer.name))
            .then(|| (customer_name_key(&stored.name), customer_name_item(&customer.name, &customer.id)));
        let item = to_item_with_version(customer, customer.version + 1)?;
        self.put_versioned_renamed(item, customer.version, rename, &what, &customer.name, "update_customer").await
    }

    async fn list_customers(&self) -> PortResult<Vec<Customer>> {
        let q = Query::new(Index::Gsi1, CUSTOMERS);
        decode_all(self.query_all(&q, "Query (list_customers)").await?)
    }
}
