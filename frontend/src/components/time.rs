//! An instant in the MSP's time zone, with "2 h ago" where it helps.

use chrono::{DateTime, Utc};
use yew::prelude::*;

use crate::format;
use crate::session::use_session;

#[derive(Properties, PartialEq)]
pub struct TimeProps {
    pub at: DateTime<Utc>,
    /// Add the relative time ("2 h ago").
    #[prop_or(false)]
    pub relative: bool,
}

#[component]
pub fn Time(props: &TimeProps) -> Html {
    let session = use_session();
    let abs = format::datetime(&props.at, &session.time_zone);
    let title = format!("{abs} ({})", session.time_zone);
    let iso = props.at.to_rfc3339();
    if props.relative {
        let rel = format::relative(&props.at, &format::now());
        html! {
            <time datetime={iso} {title}>
                { abs }<span class="muted">{ format!(" · {rel}") }</span>
            </time>
        }
    } else {
        html! { <time datetime={iso} {title}>{ abs }</time> }
    }
}
