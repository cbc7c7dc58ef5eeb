//! [`UserRepo`]: users by id, by username (a `USERNAME#` item that both
//! reserves the name, case-insensitive, and leads to the user), and listed
//! by username (GSI1).

use async_trait::async_trait;
use bc_core::model::User;
use bc_core::ports::{PortError, PortResult};
use bc_core::users::repo::UserRepo;

use super::items::{get_s, to_item, to_item_with_version, username_item, username_key};
use super::schema::{Index, USERS, fold};
use super::{Cond, DynamoStore, Query, Tx, decode_all, version_conflict};

#[async_trait]
impl UserRepo for DynamoStore {
    async fn insert_user(&self, user: &User) -> PortResult<()> {
        let op = "TransactWriteItems (insert_user)";
        let actions = vec![
            self.tx_put(to_item(user)?, Some(Cond::Absent), op)?,
            self.tx_put(username_item(&user.username, &user.id), Some(Cond::Absent), op)?,
        ];
        match self.transact(actions, op).await? {
            Tx::Written => Ok(()),
            Tx::Cancelled(codes) if Tx::failed(&codes, 0) => {
                Err(PortError::Conflict(format!("user {} already exists", user.id)))
            }
            Tx::Cancelled(codes) if Tx::failed(&codes, 1) => {
                Err(PortError::Conflict(format!("the username {:?} is taken", user.username)))
            }
            Tx::Cancelled(codes) => Err(Tx::other(op, &codes)),
        }
    }

    async fn get_user(&self, id: &str) -> PortResult<Option<User>> {
        self.get_record(id, "GetItem (get_user)").await
    }

    async fn get_user_by_username(&self, username: &str) -> PortResult<Option<User>> {
        let Some(reservation) = self.get(username_key(username), "GetItem (get_user_by_username)").await? else {
            return Ok(None);
        };
        let user_id = get_s(&reservation, "user_id")?;
        let user: Option<User> = self.get_record(user_id, "GetItem (get_user_by_username)").await?;
        Ok(user.filter(|u| fold(&u.username) == fold(username)))
    }

    async fn update_user(&self, user: &User) -> PortResult<()> {
        let what = format!("user {}", user.id);
        let stored: User = self
            .get_record(&user.id, "GetItem (update_user)")
            .await?
            .ok_or_else(|| version_conflict(&what, user.version))?;
        if stored.version != user.version {
            return Err(version_conflict(&what, user.version));
        }
        let rename = (fold(&stored.username) != fold(&user.username))
            .then(|| (username_key(&stored.username), username_item(&user.username, &user.id)));
        let item = to_item_with_version(user, user.version + 1)?;
        self.put_versioned_renamed(item, user.version, rename, &what, &user.username, "update_user").await
    }

    async fn list_users(&self) -> PortResult<Vec<User>> {
        let q = Query::new(Index::Gsi1, USERS);
        decode_all(self.query_all(&q, "Query (list_users)").await?)
    }
}
