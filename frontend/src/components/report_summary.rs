//! What a parser read from a report: software, job, status, times, sizes
//! and the run-level messages.

use bc_api_types::{Report, Sizes};
use yew::prelude::*;

use crate::components::{StatusBadge, Time};
use crate::format;

#[derive(Properties, PartialEq)]
pub struct ReportSummaryProps {
    pub report: Report,
}

pub fn sizes_rows(s: &Sizes) -> Html {
    let rows = [
        ("Total size", s.total_bytes),
        ("Backup size", s.backup_bytes),
        ("Read", s.read_bytes),
        ("Transferred", s.transferred_bytes),
    ];
    html! {
        { for rows.into_iter().filter_map(|(k, v)| v.map(|v| html! { <><dt>{ k }</dt><dd>{ format::bytes(v) }</dd></> })) }
    }
}

#[component]
pub fn ReportSummary(props: &ReportSummaryProps) -> Html {
    let r = &props.report;
    html! {
        <div class="report">
            <dl class="facts">
                <dt>{ "Status" }</dt><dd><StatusBadge status={r.status} /></dd>
                <dt>{ "Software" }</dt><dd>{ &r.software }</dd>
                <dt>{ "Job type" }</dt><dd>{ &r.job_type }</dd>
                <dt>{ "Job name" }</dt><dd>{ &r.job_name }</dd>
                if let Some(t) = r.started_at { <dt>{ "Started" }</dt><dd><Time at={t.to_utc()} /></dd> }
                if let Some(t) = r.ended_at { <dt>{ "Ended" }</dt><dd><Time at={t.to_utc()} /></dd> }
                if let Some(d) = r.duration_secs { <dt>{ "Duration" }</dt><dd>{ format::duration(d) }</dd> }
                { sizes_rows(&r.sizes) }
                <dt>{ "Parser" }</dt><dd class="muted">{ &r.parser }</dd>
            </dl>
            if !r.messages.is_empty() {
                <ul class="messages" aria-label="Messages">
                    { for r.messages.iter().map(|m| html! { <li>{ m }</li> }) }
                </ul>
            }
        </div>
    }
}
