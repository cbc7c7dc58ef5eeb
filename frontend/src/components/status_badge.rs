//! A run or object status: colour, a symbol and the word, so it reads
//! without colour too.

use bc_api_types::{RunOverride, Status};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct StatusBadgeProps {
    pub status: Status,
    /// Extra words for screen readers and the tooltip, e.g. the run time.
    #[prop_or_default]
    pub title: Option<AttrValue>,
    /// An override changed the status shown: a blue marker says which and
    /// what the report said.
    #[prop_or_default]
    pub overridden: Option<RunOverride>,
}

pub fn symbol(status: Status) -> &'static str {
    match status {
        Status::Success => "✔",
        Status::Warning => "▲",
        Status::Failed => "✖",
        Status::Missed => "⊘",
    }
}

#[component]
pub fn StatusBadge(props: &StatusBadgeProps) -> Html {
    let class = match props.status {
        Status::Success => "badge badge-success",
        Status::Warning => "badge badge-warning",
        Status::Failed => "badge badge-failed",
        Status::Missed => "badge badge-missed",
    };
    html! {
        <>
            <span {class} title={props.title.clone()}>
                <span aria-hidden="true">{ symbol(props.status) }</span>
                { " " }{ props.status.as_str() }
            </span>
            if let Some(o) = &props.overridden {
                { " " }
                <span class="badge badge-override" title={o.describe()} data-testid="override-marker">
                    <span aria-hidden="true">{ "◆" }</span>
                    <span class="sr-only">{ o.describe() }</span>
                    { format!(" #{}", o.by.iter().map(|b| b.number.to_string()).collect::<Vec<_>>().join(", #")) }
                </span>
            }
        </>
    }
}
