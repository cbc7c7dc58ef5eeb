//! A job's last days at a glance: one cell a day, coloured by the worst
//! status of its runs and marked with that status's symbol (so it reads
//! without colour), the counts in its tooltip; days without runs stay grey.

use bc_api_types::{HistoryDay, Status};
use yew::prelude::*;

use crate::components::status_badge::symbol;

#[derive(Properties, PartialEq)]
pub struct StatusStripProps {
    /// Oldest first.
    pub days: Vec<HistoryDay>,
}

fn describe(d: &HistoryDay) -> String {
    if d.worst.is_none() {
        return format!("{}: no runs", d.date);
    }
    let mut parts = Vec::new();
    for (n, s) in [
        (d.success, Status::Success),
        (d.warning, Status::Warning),
        (d.failed, Status::Failed),
        (d.missed, Status::Missed),
    ] {
        if n > 0 {
            parts.push(format!("{n} {}", s.as_str()));
        }
    }
    format!("{}: {}", d.date, parts.join(", "))
}

#[component]
pub fn StatusStrip(props: &StatusStripProps) -> Html {
    let (first, last) = match (props.days.first(), props.days.last()) {
        (Some(f), Some(l)) => (f.date, l.date),
        _ => return html! {},
    };
    let busy = props.days.iter().filter(|d| d.worst.is_some()).count();
    let failed = props.days.iter().filter(|d| d.worst == Some(Status::Failed)).count();
    html! {
        <figure class="status-strip">
            <ol class="strip" aria-label={format!("One cell a day from {first} to {last}")}>
                { for props.days.iter().map(|d| {
                    let (class, mark) = match d.worst {
                        Some(Status::Success) => ("strip-cell strip-success", symbol(Status::Success)),
                        Some(Status::Warning) => ("strip-cell strip-warning", symbol(Status::Warning)),
                        Some(Status::Failed) => ("strip-cell strip-failed", symbol(Status::Failed)),
                        Some(Status::Missed) => ("strip-cell strip-missed", symbol(Status::Missed)),
                        None => ("strip-cell strip-none", "·"),
                    };
                    let text = describe(d);
                    html! { <li class={class} title={text.clone()} aria-label={text}><span aria-hidden="true">{ mark }</span></li> }
                }) }
            </ol>
            <figcaption class="muted">
                { format!("{} days from {first} to {last} (UTC): {busy} with runs, {failed} with a failure", props.days.len()) }
            </figcaption>
        </figure>
    }
}
