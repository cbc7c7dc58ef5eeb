//! Customers: list, create, rename, (de)activate, CSV import and export.

use bc_api_types::{CreateCustomer, CsvImportResult, Customer, CustomerList, UpdateCustomer};
use gloo_net::http::Method;

use super::{ApiError, BASE, Body, request, seg};

pub async fn list() -> Result<CustomerList, ApiError> {
    request(Method::GET, "/customers", Body::None).await
}

pub async fn create(name: &str) -> Result<Customer, ApiError> {
    request(Method::POST, "/customers", Body::json(&CreateCustomer { name: name.into() })?).await
}

pub async fn update(id: &str, change: &UpdateCustomer) -> Result<Customer, ApiError> {
    request(Method::PATCH, &format!("/customers/{}", seg(id)), Body::json(change)?).await
}

pub async fn import_csv(csv: String) -> Result<CsvImportResult, ApiError> {
    request(Method::POST, "/customers/import", Body::Csv(csv)).await
}

pub fn export_url() -> String {
    format!("{BASE}/customers/export.csv")
}
