//! Users (admins): list, create, change role, password or active.

use bc_api_types::{CreateUser, UpdateUser, User, UserList};
use gloo_net::http::Method;

use super::{ApiError, Body, request, seg};

pub async fn list() -> Result<UserList, ApiError> {
    request(Method::GET, "/users", Body::None).await
}

pub async fn create(user: &CreateUser) -> Result<User, ApiError> {
    request(Method::POST, "/users", Body::json(user)?).await
}

pub async fn update(id: &str, change: &UpdateUser) -> Result<User, ApiError> {
    request(Method::PATCH, &format!("/users/{}", seg(id)), Body::json(change)?).await
}
