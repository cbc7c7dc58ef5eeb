//! A list of runs (a job's history, or its recent runs in the detail),
//! each linking to its own page.

use bc_api_types::Run;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::components::{StatusBadge, Time};
use crate::format;
use crate::route::Route;

#[derive(Properties, PartialEq)]
pub struct RunsTableProps {
    pub runs: Vec<Run>,
    /// The run on screen, marked in the list.
    #[prop_or_default]
    pub current: Option<String>,
    /// Show who reviewed and when (only roles that may see reviews get it).
    #[prop_or(false)]
    pub show_review: bool,
    /// Leave out duration and message (for the narrow column of the run detail).
    #[prop_or(false)]
    pub compact: bool,
}

#[component]
pub fn RunsTable(props: &RunsTableProps) -> Html {
    if props.runs.is_empty() {
        return html! { <p class="muted">{ "No runs yet." }</p> };
    }
    html! {
        <div class="table-wrap">
            <table class="table runs">
                <thead><tr>
                    <th scope="col">{ "Run" }</th>
                    <th scope="col">{ "Status" }</th>
                    if !props.compact {
                        <th scope="col">{ "Duration" }</th>
                        <th scope="col">{ "Objects" }</th>
                        <th scope="col">{ "Message" }</th>
                    }
                    <th scope="col">{ "Reviewed" }</th>
                </tr></thead>
                <tbody>
                    { for props.runs.iter().map(|r| {
                        let here = props.current.as_deref() == Some(r.id.as_str());
                        let when = r.started_at.unwrap_or(r.received_at);
                        let review = match (&r.review, r.reviewed) {
                            (Some(rv), _) if props.show_review => html! {
                                <>{ format!("✔ {} · ", rv.by) }<Time at={rv.at} /></>
                            },
                            (_, true) => html! { "✔ Reviewed" },
                            (_, false) => html! { <span class="muted">{ "Not reviewed" }</span> },
                        };
                        html! {
                            <tr class={classes!(here.then_some("current"))} aria-current={here.then_some("true")}>
                                <td class="nowrap"><Link<Route> to={Route::Run { id: r.id.clone() }}><Time at={when} relative=true /></Link<Route>></td>
                                <td><StatusBadge status={r.status} overridden={r.overridden.clone()} /></td>
                                if !props.compact {
                                    <td class="nowrap">{ r.duration_secs.map(format::duration).unwrap_or_default() }</td>
                                    <td>{ r.object_count }</td>
                                    <td class="message">{ r.message.clone().unwrap_or_default() }</td>
                                }
                                <td>{ review }</td>
                            </tr>
                        }
                    }) }
                </tbody>
            </table>
        </div>
    }
}
