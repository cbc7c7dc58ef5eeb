//! A run or object status: colour, a symbol and the word, so it reads
//! without colour too.

use bc_api_types::Status;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct StatusBadgeProps {
    pub status: Status,
    /// Extra words for screen readers and the tooltip, e.g. the run time.
    #[prop_or_default]
    pub title: Option<AttrValue>,
}

pub fn symbol(status: Status) -> &'static str {
    match status {
        Status::Success => "✔",
        Status::Warning => "▲",
        Status::Failed => "✖",
    }
}

#[component]
pub fn StatusBadge(props: &StatusBadgeProps) -> Html {
    let class = match props.status {
        Status::Success => "badge badge-success",
        Status::Warning => "badge badge-warning",
        Status::Failed => "badge badge-failed",
    };
    html! {
        <span {class} title={props.title.clone()}>
            <span aria-hidden="true">{ symbol(props.status) }</span>
            { " " }{ props.status.as_str() }
        </span>
    }
}
