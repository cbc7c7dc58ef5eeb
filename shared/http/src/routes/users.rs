//! Users (admins): list, create, change role / active / password.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use bc_api_types::{CreateUser, ErrorBody, UpdateUser, User, UserList};

use crate::AppState;
use crate::error::ApiResult;
use crate::extract::{Auth, JsonBody};

#[utoipa::path(get, path = "/api/v1/users", tag = "users",
    responses((status = 200, body = UserList), (status = 403, body = ErrorBody)))]
pub(crate) async fn list(State(s): State<AppState>, Auth(a): Auth) -> ApiResult<Json<UserList>> {
    Ok(Json(s.app.users(&a).await?))
}

#[utoipa::path(post, path = "/api/v1/users", tag = "users", request_body = CreateUser,
    responses((status = 201, body = User), (status = 400, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub(crate) async fn create(
    State(s): State<AppState>,
    Auth(a): Auth,
    JsonBody(req): JsonBody<CreateUser>,
) -> ApiResult<(StatusCode, Json<User>)> {
    Ok((StatusCode::CREATED, Json(s.app.create_user(&a, &req.username, &req.password, req.role).await?)))
}

#[utoipa::path(patch, path = "/api/v1/users/{id}", tag = "users", params(("id" = String, Path)),
    request_body = UpdateUser,
    responses((status = 200, body = User), (status = 400, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub(crate) async fn update(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<UpdateUser>,
) -> ApiResult<Json<User>> {
    Ok(Json(s.app.update_user(&a, &id, &req).await?))
}
