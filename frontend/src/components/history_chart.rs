//! A job's backup size or duration over time, drawn as SVG (no charting
//! library): a line through the runs that state the value, a dot per run,
//! and a red ring with a tooltip on each anomaly (see docs/anomalies.md).

use bc_api_types::HistoryPoint;
use chrono::{DateTime, NaiveDate, Timelike, Utc};
use yew::prelude::*;

use crate::format;

const W: f64 = 720.0;
const H: f64 = 170.0;
const LEFT: f64 = 70.0;
const RIGHT: f64 = 10.0;
const TOP: f64 = 10.0;
const BOTTOM: f64 = 24.0;

/// Which value of a run a chart shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    Size,
    Duration,
}

impl Measure {
    fn value(self, p: &HistoryPoint) -> Option<u64> {
        match self {
            Measure::Size => p.total_bytes,
            Measure::Duration => p.duration_secs,
        }
    }

    fn anomaly(self, p: &HistoryPoint) -> bool {
        match self {
            Measure::Size => p.size_anomaly,
            Measure::Duration => p.duration_anomaly,
        }
    }

    fn show(self, v: u64) -> String {
        match self {
            Measure::Size => format::bytes(v),
            Measure::Duration => format::duration(v),
        }
    }

    fn title(self) -> &'static str {
        match self {
            Measure::Size => "Backup size",
            Measure::Duration => "Duration",
        }
    }
}

#[derive(Properties, PartialEq)]
pub struct HistoryChartProps {
    pub measure: Measure,
    /// Oldest first.
    pub points: Vec<HistoryPoint>,
    /// The first and last day of the window (the x axis).
    pub from: NaiveDate,
    pub to: NaiveDate,
}

fn start_of(d: NaiveDate) -> DateTime<Utc> {
    d.and_hms_opt(0, 0, 0).map(|t| t.and_utc()).unwrap_or(DateTime::<Utc>::MIN_UTC)
}

#[component]
pub fn HistoryChart(props: &HistoryChartProps) -> Html {
    let m = props.measure;
    let values: Vec<(&HistoryPoint, u64)> = props.points.iter().filter_map(|p| m.value(p).map(|v| (p, v))).collect();
    let title = m.title();
    if values.is_empty() {
        return html! {
            <figure class="chart"><figcaption>{ title }</figcaption>
                <p class="muted">{ "No run in this period states it." }</p>
            </figure>
        };
    }
    let t0 = start_of(props.from).timestamp() as f64;
    let t1 = (start_of(props.to).timestamp() + 86_400) as f64;
    let max = values.iter().map(|(_, v)| *v).max().unwrap_or(1).max(1) as f64 * 1.1;
    let x = |at: &DateTime<Utc>| LEFT + (at.timestamp() as f64 - t0) / (t1 - t0).max(1.0) * (W - LEFT - RIGHT);
    let y = |v: u64| TOP + (1.0 - v as f64 / max) * (H - TOP - BOTTOM);
    let line: Vec<String> = values.iter().map(|(p, v)| format!("{:.1},{:.1}", x(&p.at), y(*v))).collect();
    let anomalies = values.iter().filter(|(p, _)| m.anomaly(p)).count();
    let label = format!(
        "{title} of {} runs from {} to {}; {anomalies} far outside the usual range",
        values.len(),
        props.from,
        props.to
    );
    html! {
        <figure class="chart">
            <figcaption>{ title }
                if anomalies > 0 { <span class="chart-anomalies">{ format!(" · {anomalies} anomal{}", if anomalies == 1 { "y" } else { "ies" }) }</span> }
            </figcaption>
            <svg viewBox={format!("0 0 {W} {H}")} role="img" aria-label={label} class="chart-svg">
                <line x1={LEFT.to_string()} y1={(H - BOTTOM).to_string()} x2={(W - RIGHT).to_string()} y2={(H - BOTTOM).to_string()} class="chart-axis" />
                <line x1={LEFT.to_string()} y1={TOP.to_string()} x2={LEFT.to_string()} y2={(H - BOTTOM).to_string()} class="chart-axis" />
                <text x={(LEFT - 6.0).to_string()} y={(TOP + 10.0).to_string()} text-anchor="end" class="chart-label">{ m.show((max / 1.1) as u64) }</text>
                <text x={(LEFT - 6.0).to_string()} y={(H - BOTTOM).to_string()} text-anchor="end" class="chart-label">{ "0" }</text>
                <text x={LEFT.to_string()} y={(H - 6.0).to_string()} class="chart-label">{ props.from.to_string() }</text>
                <text x={(W - RIGHT).to_string()} y={(H - 6.0).to_string()} text-anchor="end" class="chart-label">{ props.to.to_string() }</text>
                <polyline points={line.join(" ")} class="chart-line" />
                { for values.iter().map(|(p, v)| {
                    let anomaly = m.anomaly(p);
                    let tip = format!("{} {:02}:{:02} UTC · {}{}", p.at.date_naive(), p.at.hour(), p.at.minute(), m.show(*v),
                        if anomaly { " · far outside the usual range" } else { "" });
                    let (cx, cy) = (format!("{:.1}", x(&p.at)), format!("{:.1}", y(*v)));
                    html! {
                        <g>
                            <circle cx={cx.clone()} cy={cy.clone()} r="3" class={if anomaly { "chart-dot chart-dot-anomaly" } else { "chart-dot" }}><title>{ tip.clone() }</title></circle>
                            if anomaly { <circle cx={cx} cy={cy} r="7" class="chart-anomaly"><title>{ tip }</title></circle> }
                        </g>
                    }
                }) }
            </svg>
        </figure>
    }
}
