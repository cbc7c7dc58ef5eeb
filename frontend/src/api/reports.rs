//! Reports (per-job counts of a period, as JSON, CSV and PDF) and a job's
//! history (status strip and charts).

use bc_api_types::{JobHistory, JobReport};
use gloo_net::http::Method;

use super::{ApiError, BASE, Body, query, request, seg};

/// What a report covers; empty fields are left to the server's defaults
/// (all customers; `date` today).
#[derive(Debug, Clone, PartialEq)]
pub struct ReportParams {
    pub customer_id: String,
    /// `week`, `month` or `custom`.
    pub period: String,
    /// A day in the week or month (YYYY-MM-DD).
    pub date: String,
    pub from: String,
    pub to: String,
}

impl ReportParams {
    fn query(&self) -> String {
        let custom = self.period == "custom";
        query(&[
            ("customer_id", Some(self.customer_id.as_str())),
            ("period", Some(self.period.as_str())),
            ("date", (!custom).then_some(self.date.as_str())),
            ("from", custom.then_some(self.from.as_str())),
            ("to", custom.then_some(self.to.as_str())),
        ])
    }
}

pub async fn get(p: &ReportParams) -> Result<JobReport, ApiError> {
    request(Method::GET, &format!("/reports{}", p.query()), Body::None).await
}

/// The CSV download (the session cookie goes along with a plain link).
pub fn csv_url(p: &ReportParams) -> String {
    format!("{BASE}/reports/export.csv{}", p.query())
}

/// The PDF download.
pub fn pdf_url(p: &ReportParams) -> String {
    format!("{BASE}/reports/export.pdf{}", p.query())
}

pub async fn job_history(job_id: &str, days: u32) -> Result<JobHistory, ApiError> {
    request(Method::GET, &format!("/jobs/{}/history?days={days}", seg(job_id)), Body::None).await
}
