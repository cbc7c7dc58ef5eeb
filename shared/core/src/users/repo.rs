//! The user repository: usernames unique without regard to case.

use async_trait::async_trait;

use crate::model::User;
use crate::ports::PortResult;

#[async_trait]
pub trait UserRepo: Send + Sync {
    /// `Conflict` if the username (case-insensitive) is taken.
    async fn insert_user(&self, user: &User) -> PortResult<()>;
    async fn get_user(&self, id: &str) -> PortResult<Option<User>>;
    async fn get_user_by_username(&self, username: &str) -> PortResult<Option<User>>;
    async fn update_user(&self, user: &User) -> PortResult<()>;
    async fn list_users(&self) -> PortResult<Vec<User>>;
}
