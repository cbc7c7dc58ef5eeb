//! Remarks and tickets: a job's lists, create, edit, resolve, delete.

use bc_api_types::{CreateRemark, CreateTicket, Remark, RemarkList, Ticket, TicketList, UpdateRemark};
use gloo_net::http::Method;

use super::{ApiError, Body, request, seg};

pub async fn job_remarks(job_id: &str) -> Result<RemarkList, ApiError> {
    request(Method::GET, &format!("/jobs/{}/remarks", seg(job_id)), Body::None).await
}

pub async fn create_remark(job_id: &str, text: String, run_id: Option<String>) -> Result<Remark, ApiError> {
    let body = Body::json(&CreateRemark { text, run_id })?;
    request(Method::POST, &format!("/jobs/{}/remarks", seg(job_id)), body).await
}

pub async fn edit_remark(id: &str, text: String) -> Result<Remark, ApiError> {
    request(Method::PATCH, &format!("/remarks/{}", seg(id)), Body::json(&UpdateRemark { text })?).await
}

pub async fn resolve_remark(id: &str) -> Result<Remark, ApiError> {
    request(Method::POST, &format!("/remarks/{}/resolve", seg(id)), Body::None).await
}

pub async fn job_tickets(job_id: &str) -> Result<TicketList, ApiError> {
    request(Method::GET, &format!("/jobs/{}/tickets", seg(job_id)), Body::None).await
}

pub async fn create_ticket(
    job_id: &str,
    run_id: String,
    number: String,
    url: Option<String>,
) -> Result<Ticket, ApiError> {
    let body = Body::json(&CreateTicket { run_id, number, url })?;
    request(Method::POST, &format!("/jobs/{}/tickets", seg(job_id)), body).await
}

pub async fn resolve_ticket(id: &str) -> Result<Ticket, ApiError> {
    request(Method::POST, &format!("/tickets/{}/resolve", seg(id)), Body::None).await
}

/// Admins.
pub async fn delete_ticket(id: &str) -> Result<(), ApiError> {
    request(Method::DELETE, &format!("/tickets/{}", seg(id)), Body::None).await
}
