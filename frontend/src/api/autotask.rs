//! The Autotask integration: settings, checks, reference data, companies,
//! customer mapping and a run's Autotask ticket.

use bc_api_types::{
    AutotaskCheck, AutotaskCompany, AutotaskSettings, Customer, LinkTicket, MapCompany, Ticket, UpdateAutotaskSettings,
};
use gloo_net::http::Method;

use super::{ApiError, Body, query, request, seg};

pub async fn settings() -> Result<AutotaskSettings, ApiError> {
    request(Method::GET, "/integrations/autotask", Body::None).await
}

pub async fn save(body: &UpdateAutotaskSettings) -> Result<AutotaskSettings, ApiError> {
    request(Method::PUT, "/integrations/autotask", Body::json(body)?).await
}

pub async fn test() -> Result<AutotaskCheck, ApiError> {
    request(Method::POST, "/integrations/autotask/test", Body::None).await
}

pub async fn validate() -> Result<AutotaskCheck, ApiError> {
    request(Method::POST, "/integrations/autotask/validate", Body::None).await
}

pub async fn reference() -> Result<AutotaskSettings, ApiError> {
    request(Method::POST, "/integrations/autotask/reference", Body::None).await
}

pub async fn companies(q: &str) -> Result<Vec<AutotaskCompany>, ApiError> {
    request(Method::GET, &format!("/integrations/autotask/companies{}", query(&[("q", Some(q))])), Body::None).await
}

pub async fn map(customer_id: &str, company_id: i64) -> Result<Customer, ApiError> {
    let body = Body::json(&MapCompany { company_id })?;
    request(Method::PUT, &format!("/customers/{}/autotask", seg(customer_id)), body).await
}

pub async fn create_ticket(run_id: &str) -> Result<Ticket, ApiError> {
    request(Method::POST, &format!("/runs/{}/autotask-ticket", seg(run_id)), Body::None).await
}

pub async fn link_ticket(run_id: &str, number: String) -> Result<Ticket, ApiError> {
    request(Method::POST, &format!("/runs/{}/autotask-link", seg(run_id)), Body::json(&LinkTicket { number })?).await
}

pub async fn check_ticket(id: &str) -> Result<Ticket, ApiError> {
    request(Method::POST, &format!("/tickets/{}/autotask-check", seg(id)), Body::None).await
}

pub async fn resolve_ticket(id: &str) -> Result<Ticket, ApiError> {
    request(Method::POST, &format!("/tickets/{}/autotask-resolve", seg(id)), Body::None).await
}
