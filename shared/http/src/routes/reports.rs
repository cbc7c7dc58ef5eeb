//! Reports: per-job counts of a period (JSON, CSV, PDF) and a job's history
//! (status strip and charts).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::HeaderValue;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use bc_api_types::{ErrorBody, JobHistory, JobReport, ReportPeriod};
use bc_core::reports::{ExportFormat, ReportRequest};
use chrono::NaiveDate;

use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Auth, QueryParams};

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ReportQuery {
    /// One customer's jobs; absent or empty for all customers.
    pub customer_id: Option<String>,
    /// `week`, `month` (the default) or `custom`.
    pub period: Option<String>,
    /// A day (YYYY-MM-DD, UTC) in the week or month; default today.
    pub date: Option<String>,
    /// First day of a custom period (YYYY-MM-DD).
    pub from: Option<String>,
    /// Last day of a custom period, included (YYYY-MM-DD); at most 366 days after `from`.
    pub to: Option<String>,
}

fn day(name: &str, v: Option<&str>) -> ApiResult<Option<NaiveDate>> {
    match v.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => v
            .parse::<NaiveDate>()
            .map(Some)
            .map_err(|_| ApiError::invalid(format!("{name} must be a date as YYYY-MM-DD, not {v:?}"))),
    }
}

impl ReportQuery {
    fn request(&self) -> ApiResult<ReportRequest> {
        let period = match self.period.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            None => ReportPeriod::Month,
            Some(p) => p.parse::<ReportPeriod>().map_err(ApiError::invalid)?,
        };
        Ok(ReportRequest {
            customer_id: self.customer_id.clone().filter(|c| !c.trim().is_empty()),
            period,
            date: day("date", self.date.as_deref())?,
            from: day("from", self.from.as_deref())?,
            to: day("to", self.to.as_deref())?,
        })
    }
}

#[utoipa::path(get, path = "/api/v1/reports", tag = "reports", params(ReportQuery),
    responses((status = 200, body = JobReport), (status = 400, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn report(
    State(s): State<AppState>,
    Auth(a): Auth,
    QueryParams(q): QueryParams<ReportQuery>,
) -> ApiResult<Json<JobReport>> {
    Ok(Json(s.app.job_report(&a, &q.request()?).await?))
}

async fn export(s: AppState, a: bc_core::Actor, q: ReportQuery, format: ExportFormat) -> ApiResult<Response> {
    let (report, bytes) = s.app.export_job_report(&a, &q.request()?, format).await?;
    let (ext, content_type) = match format {
        ExportFormat::Csv => ("csv", "text/csv; charset=utf-8"),
        ExportFormat::Pdf => ("pdf", "application/pdf"),
    };
    // Ids are [a-z0-9]; the name needs no quoting beyond the quotes.
    let who = report.customer_id.as_deref().unwrap_or("all");
    let name = format!("attachment; filename=\"report-{who}-{}-{}.{ext}\"", report.from, report.to);
    let mut resp = bytes.into_response();
    resp.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    resp.headers_mut().insert(
        CONTENT_DISPOSITION,
        HeaderValue::from_str(&name).unwrap_or_else(|_| HeaderValue::from_static("attachment")),
    );
    Ok(resp)
}

#[utoipa::path(get, path = "/api/v1/reports/export.csv", tag = "reports", params(ReportQuery),
    responses((status = 200, content_type = "text/csv",
               description = "customer,job,software,success,warning,failed,success_rate,from,to; recorded in the audit trail"),
              (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn export_csv(
    State(s): State<AppState>,
    Auth(a): Auth,
    QueryParams(q): QueryParams<ReportQuery>,
) -> ApiResult<Response> {
    export(s, a, q, ExportFormat::Csv).await
}

#[utoipa::path(get, path = "/api/v1/reports/export.pdf", tag = "reports", params(ReportQuery),
    responses((status = 200, content_type = "application/pdf",
               description = "The report as a PDF to send a customer; recorded in the audit trail"),
              (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn export_pdf(
    State(s): State<AppState>,
    Auth(a): Auth,
    QueryParams(q): QueryParams<ReportQuery>,
) -> ApiResult<Response> {
    export(s, a, q, ExportFormat::Pdf).await
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct HistoryQuery {
    /// Days back from today, today included: 1 to 366, default 90.
    pub days: Option<u32>,
}

#[utoipa::path(get, path = "/api/v1/jobs/{id}/history", tag = "reports", params(("id" = String, Path), HistoryQuery),
    responses((status = 200, body = JobHistory, description = "One cell a day (empty days included) and every run with anomaly flags"),
              (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn job_history(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<String>,
    QueryParams(q): QueryParams<HistoryQuery>,
) -> ApiResult<Json<JobHistory>> {
    Ok(Json(s.app.job_history(&a, &id, q.days.unwrap_or(90)).await?))
}
