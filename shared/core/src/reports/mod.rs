//! Reports and history at a glance: per job the Success / Warning / Failed
//! counts of a period for one customer (or all), as JSON, CSV and PDF; and
//! a job's history (a status strip of its last days, its runs' sizes and
//! durations with anomaly markers). Runs are read with the job's own run
//! list, newest first, stopping once past the period; no extra index.

pub mod anomaly;
pub mod pdf;
pub mod period;

use std::collections::{BTreeMap, HashMap};

use bc_api_types::{self as api, Permission, ReportPeriod, Status};
use chrono::{DateTime, Days, NaiveDate, Utc};
use serde_json::json;

use crate::app::App;
use crate::audit::{Change, audit_entry};
use crate::auth::permissions::Actor;
use crate::customers::csv_cell;
use crate::error::{Error, Result};
use crate::ids::check_id;
use crate::jobs::repo::JobFilter;
use crate::model::{Job, Run};
pub use period::Span;

/// Runs read from the store per page.
const RUN_PAGE: usize = 200;
/// Jobs read from the store per page.
const JOB_PAGE: usize = 200;
/// Longest job history, in days.
pub const MAX_HISTORY_DAYS: u32 = 366;

/// What a report is asked for; `customer_id` absent means all customers.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportRequest {
    pub customer_id: Option<String>,
    pub period: ReportPeriod,
    pub date: Option<NaiveDate>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

/// The formats a report is exported in (and audited as).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Csv,
    Pdf,
}

impl ExportFormat {
    fn as_str(self) -> &'static str {
        match self {
            ExportFormat::Csv => "csv",
            ExportFormat::Pdf => "pdf",
        }
    }
}

fn success_rate(success: u32, warning: u32, failed: u32) -> Option<f64> {
    let all = success + warning + failed;
    (all > 0).then(|| (f64::from(success) * 1000.0 / f64::from(all)).round() / 10.0)
}

impl App {
    /// A job's runs from newest back to (and including the first run
    /// before) `since`, plus up to `older` runs before that (for baselines).
    /// Returned oldest first.
    async fn runs_since(&self, job_id: &str, since: DateTime<Utc>, older: usize) -> Result<Vec<Run>> {
        let mut out = Vec::new();
        let mut before = 0;
        let mut cursor: Option<String> = None;
        'pages: loop {
            let page = self.store.list_runs(job_id, cursor.as_deref(), RUN_PAGE).await?;
            for r in page.items {
                if r.sort_at() < since {
                    if before >= older {
                        break 'pages;
                    }
                    before += 1;
                }
                out.push(r);
            }
            match page.next_cursor {
                Some(c) => cursor = Some(c),
                None => break,
            }
        }
        out.reverse();
        Ok(out)
    }

    async fn report_jobs(&self, customer_id: Option<&str>) -> Result<Vec<Job>> {
        let filter = JobFilter { customer_id: customer_id.map(str::to_string), ..JobFilter::default() };
        let mut jobs = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let page = self.store.list_jobs(&filter, cursor.as_deref(), JOB_PAGE).await?;
            jobs.extend(page.items);
            match page.next_cursor {
                Some(c) => cursor = Some(c),
                None => break,
            }
        }
        Ok(jobs)
    }

    /// Per job of one customer (or all), the runs of a period by status.
    pub async fn job_report(&self, actor: &Actor, req: &ReportRequest) -> Result<api::JobReport> {
        actor.require(Permission::ViewReports)?;
        let span = Span::resolve(req.period, req.date, req.from, req.to, self.clock.now().date_naive())?;
        let customer = match &req.customer_id {
            Some(id) => {
                check_id(id, "customer")?;
                Some(self.store.get_customer(id).await?.ok_or(Error::NotFound("customer"))?)
            }
            None => None,
        };
        let names = self.customer_names().await?;
        let mut open_tickets: HashMap<String, u32> = HashMap::new();
        for t in self.store.list_open_tickets(None).await? {
            *open_tickets.entry(t.job_id).or_default() += 1;
        }
        let mut rows = Vec::new();
        for job in self.report_jobs(req.customer_id.as_deref()).await? {
            let (mut success, mut warning, mut failed, mut missed) = (0, 0, 0, 0);
            for r in self.runs_since(&job.id, span.start(), 0).await? {
                // A late report counts once: as its real run.
                if !span.contains(r.sort_at()) || r.late.is_some() {
                    continue;
                }
                match r.status {
                    Status::Success => success += 1,
                    Status::Warning => warning += 1,
                    Status::Failed => failed += 1,
                    Status::Missed => missed += 1,
                }
            }
            let open = open_tickets.get(&job.id).copied().unwrap_or(0);
            rows.push(api::ReportRow {
                customer_name: names.get(&job.customer_id).cloned().unwrap_or_default(),
                customer_id: job.customer_id,
                job_id: job.id,
                job_name: job.job_name,
                software: job.software,
                success,
                warning,
                failed,
                missed,
                success_rate: success_rate(success, warning, failed + missed),
                open_tickets: open,
            });
        }
        rows.sort_by(|a, b| {
            (a.customer_name.to_lowercase(), a.job_name.to_lowercase(), &a.job_id).cmp(&(
                b.customer_name.to_lowercase(),
                b.job_name.to_lowercase(),
                &b.job_id,
            ))
        });
        Ok(api::JobReport {
            customer_id: customer.as_ref().map(|c| c.id.clone()),
            customer_name: customer.map(|c| c.name),
            period: span.period,
            from: span.from,
            to: span.to,
            generated_at: self.clock.now(),
            rows,
        })
    }

    /// A report as a file, recorded in the audit trail (who exported what).
    /// CSV: a header and a row per job; cells a spreadsheet would run as a
    /// formula get a leading `'`.
    pub async fn export_job_report(
        &self,
        actor: &Actor,
        req: &ReportRequest,
        format: ExportFormat,
    ) -> Result<(api::JobReport, Vec<u8>)> {
        let report = self.job_report(actor, req).await?;
        let bytes = match format {
            ExportFormat::Csv => report_csv(&report)?,
            ExportFormat::Pdf => pdf::render(&report),
        };
        let change = Change::created(json!({
            "format": format.as_str(),
            "customer_id": report.customer_id,
            "period": report.period.as_str(),
            "from": report.from,
            "to": report.to,
            "jobs": report.rows.len(),
        }));
        let entity = report.customer_id.clone().unwrap_or_else(|| "all".into());
        self.audit(audit_entry(self, actor, "report", &entity, "export", change)).await?;
        Ok((report, bytes))
    }

    /// A job's last `days` days (today included): one cell a day, every
    /// run with its size, duration and anomaly flags (see [`anomaly`]).
    pub async fn job_history(&self, actor: &Actor, job_id: &str, days: u32) -> Result<api::JobHistory> {
        actor.require(Permission::ViewJobs)?;
        check_id(job_id, "job")?;
        if days == 0 || days > MAX_HISTORY_DAYS {
            return Err(Error::Invalid(format!("days must be 1 to {MAX_HISTORY_DAYS}")));
        }
        self.store.get_job(job_id).await?.ok_or(Error::NotFound("job"))?;
        let today = self.clock.now().date_naive();
        let first = today - Days::new(u64::from(days - 1));
        let span = Span { period: ReportPeriod::Custom, from: first, to: today };
        let runs = self.runs_since(job_id, span.start(), anomaly::WINDOW).await?;
        Ok(history(job_id, &span, &runs))
    }
}

/// The strip and the chart points of `runs` (oldest first; those before the
/// span only serve as the anomaly baseline). Pure.
pub fn history(job_id: &str, span: &Span, runs: &[Run]) -> api::JobHistory {
    let size_flags = anomaly::flags(&runs.iter().map(|r| r.sizes.total_bytes).collect::<Vec<_>>());
    let duration_flags = anomaly::flags(&runs.iter().map(|r| r.duration_secs).collect::<Vec<_>>());
    let mut days: BTreeMap<NaiveDate, api::HistoryDay> = BTreeMap::new();
    let mut d = span.from;
    while d <= span.to {
        days.insert(d, api::HistoryDay { date: d, worst: None, success: 0, warning: 0, failed: 0, missed: 0 });
        d = d + Days::new(1);
    }
    let mut points = Vec::new();
    for (i, r) in runs.iter().enumerate() {
        let at = r.sort_at();
        if !span.contains(at) || r.late.is_some() {
            continue;
        }
        if let Some(day) = days.get_mut(&at.date_naive()) {
            match r.status {
                Status::Success => day.success += 1,
                Status::Warning => day.warning += 1,
                Status::Failed => day.failed += 1,
                Status::Missed => day.missed += 1,
            }
            day.worst = Some(day.worst.map_or(r.status, |w| w.worst(r.status)));
        }
        points.push(api::HistoryPoint {
            run_id: r.id.clone(),
            at,
            status: r.status,
            total_bytes: r.sizes.total_bytes,
            duration_secs: r.duration_secs,
            size_anomaly: size_flags[i],
            duration_anomaly: duration_flags[i],
        });
    }
    api::JobHistory { job_id: job_id.to_string(), days: days.into_values().collect(), points }
}

/// The CSV of a report: `customer,job,software,success,warning,failed,success_rate,open_tickets,from,to`.
pub fn report_csv(report: &api::JobReport) -> Result<Vec<u8>> {
    let io = |e: csv::Error| Error::Backend(format!("csv: {e}"));
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "customer",
        "job",
        "software",
        "success",
        "warning",
        "failed",
        "success_rate",
        "open_tickets",
        "from",
        "to",
    ])
    .map_err(io)?;
    let (from, to) = (report.from.to_string(), report.to.to_string());
    for r in &report.rows {
        w.write_record(
            [
                r.customer_name.as_str(),
                r.job_name.as_str(),
                r.software.as_str(),
                &r.success.to_string(),
                &r.warning.to_string(),
                &r.failed.to_string(),
                &r.success_rate.map(|v| format!("{v:.1}")).unwrap_or_default(),
                &r.open_tickets.to_string(),
                &from,
                &to,
            ]
            .map(csv_cell),
        )
        .map_err(io)?;
    }
    w.into_inner().map_err(|e| Error::Backend(format!("csv: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use bc_api_types::Sizes;

    fn run(id: &str, at: &str, status: Status, bytes: Option<u64>, secs: Option<u64>) -> Run {
        let at: DateTime<Utc> = at.parse().unwrap();
        Run {
            mail_id: "m".into(),
            started_at: Some(at),
            duration_secs: secs,
            sizes: Sizes { total_bytes: bytes, ..Sizes::default() },
            ..Run::new(id, "j1", "c1", status, at)
        }
    }

    #[test]
    fn rates_round_to_a_tenth() {
        assert_eq!(success_rate(0, 0, 0), None);
        assert_eq!(success_rate(2, 1, 0), Some(66.7));
        assert_eq!(success_rate(4, 0, 0), Some(100.0));
    }

    #[test]
    fn history_has_every_day_and_the_worst_status() {
        let span = Span {
            period: ReportPeriod::Custom,
            from: "2026-11-01".parse().unwrap(),
            to: "2026-11-03".parse().unwrap(),
        };
        let mut runs: Vec<Run> = (0..6)
            .map(|i| run(&format!("old{i}"), &format!("2026-10-2{i}T01:00:00Z"), Status::Success, Some(100), Some(60)))
            .collect();
        runs.push(run("a", "2026-11-01T01:00:00Z", Status::Success, Some(101), Some(60)));
        runs.push(run("b", "2026-11-01T05:00:00Z", Status::Warning, Some(10_000), Some(61)));
        runs.push(run("c", "2026-11-03T05:00:00Z", Status::Failed, None, Some(6_000)));
        let h = history("j1", &span, &runs);
        assert_eq!(h.days.len(), 3);
        assert_eq!(h.days[0].worst, Some(Status::Warning));
        assert_eq!((h.days[0].success, h.days[0].warning), (1, 1));
        assert_eq!(h.days[1].worst, None, "an empty day is explicit");
        assert_eq!(h.days[2].worst, Some(Status::Failed));
        let ids: Vec<_> = h.points.iter().map(|p| p.run_id.as_str()).collect();
        assert_eq!(ids, ["a", "b", "c"], "runs before the span are only a baseline");
        assert!(!h.points[0].size_anomaly && h.points[1].size_anomaly && !h.points[2].size_anomaly);
        assert!(!h.points[1].duration_anomaly && h.points[2].duration_anomaly);
    }

    #[test]
    fn csv_escapes_formulas() {
        let report = api::JobReport {
            customer_id: None,
            customer_name: None,
            period: ReportPeriod::Week,
            from: "2026-11-23".parse().unwrap(),
            to: "2026-11-29".parse().unwrap(),
            generated_at: "2026-11-30T00:00:00Z".parse().unwrap(),
            rows: vec![api::ReportRow {
                job_id: "j1".into(),
                customer_id: "c1".into(),
                customer_name: "=cmd".into(),
                job_name: "Daily, full".into(),
                software: "Veeam".into(),
                success: 1,
                warning: 0,
                failed: 1,
                missed: 0,
                success_rate: Some(50.0),
                open_tickets: 2,
            }],
        };
        let text = String::from_utf8(report_csv(&report).unwrap()).unwrap();
        assert_eq!(
            text,
            "customer,job,software,success,warning,failed,success_rate,open_tickets,from,to\n\
             '=cmd,\"Daily, full\",Veeam,1,0,1,50.0,2,2026-11-23,2026-11-29\n"
        );
    }
}
