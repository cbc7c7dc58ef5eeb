//! One job on the Run Checks page: customer, software, job type, job name,
//! 💬 and 🎫 when the job has an active remark or an open ticket, a badge per
//! unreviewed run (each opens that run), select and mark.

use bc_api_types::RunChecksJob;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::components::StatusBadge;
use crate::format;
use crate::route::Route;
use crate::session::use_session;

/// Run badges shown per job before "+N more".
const MAX_BADGES: usize = 8;

/// The DOM id of a row, for moving focus with the keyboard.
pub fn row_id(index: usize) -> String {
    format!("rc-job-{index}")
}

#[derive(Properties, PartialEq)]
pub struct JobRowProps {
    pub index: usize,
    pub job: RunChecksJob,
    pub current: bool,
    pub selected: bool,
    pub can_review: bool,
    pub busy: bool,
    /// The row was clicked: make it current.
    pub onpick: Callback<usize>,
    pub ontoggle: Callback<String>,
    pub onmark: Callback<Vec<String>>,
}

#[component]
pub fn JobRow(props: &JobRowProps) -> Html {
    let session = use_session();
    let job = &props.job;
    let (i, current) = (props.index, props.current);
    let onclick = {
        let pick = props.onpick.clone();
        Callback::from(move |_| pick.emit(i))
    };
    let on_check = {
        let (toggle, id) = (props.ontoggle.clone(), job.id.clone());
        Callback::from(move |_| toggle.emit(id.clone()))
    };
    let on_mark = {
        let (mark, id) = (props.onmark.clone(), job.id.clone());
        Callback::from(move |_| mark.emit(vec![id.clone()]))
    };
    let newest = job.runs.first().map(|r| r.id.clone());
    // `runs` holds at most 100 of the job's unreviewed runs; `run_count` all.
    let more = (job.run_count as usize).saturating_sub(job.runs.len().min(MAX_BADGES));
    html! {
        <tr id={row_id(i)} class={classes!("row", current.then_some("current"))}
            tabindex={if current { "0" } else { "-1" }} aria-current={current.then_some("true")}
            data-job-id={job.id.clone()} {onclick}>
            if props.can_review {
                <td><input type="checkbox" checked={props.selected} onchange={on_check}
                           aria-label={format!("Select {} / {}", job.customer_name, job.job_name)} /></td>
            }
            <td>{ &job.customer_name }</td>
            <td class="hide-narrow">{ &job.software }</td>
            <td class="hide-narrow">{ &job.job_type }</td>
            <td class="job-name">
                if let Some(run) = newest {
                    <Link<Route> to={Route::Run { id: run }}>{ &job.job_name }</Link<Route>>
                } else { { &job.job_name } }
                if job.active_remarks > 0 {
                    <span class="marker" data-testid="remark-marker" role="img"
                          title={format!("{} active remark{}", job.active_remarks, if job.active_remarks == 1 { "" } else { "s" })}
                          aria-label={format!("{} active remark{}", job.active_remarks, if job.active_remarks == 1 { "" } else { "s" })}>
                        { " 💬" }
                    </span>
                }
                if !job.open_tickets.is_empty() {
                    <span class="marker" data-testid="ticket-marker" role="img"
                          title={format!("Open ticket: {}", job.open_tickets.join(", "))}
                          aria-label={format!("Open ticket: {}", job.open_tickets.join(", "))}>
                        { " 🎫" }
                    </span>
                }
                <div class="muted show-narrow">{ format!("{} · {}", job.software, job.job_type) }</div>
            </td>
            <td><div class="badges">
                { for job.runs.iter().take(MAX_BADGES).map(|r| {
                    let when = format::datetime(&r.started_at.unwrap_or(r.received_at), &session.time_zone);
                    html! {
                        <Link<Route> to={Route::Run { id: r.id.clone() }} classes="badge-link">
                            <StatusBadge status={r.status} title={Some(AttrValue::from(format!("{} run of {when}", r.status)))} overridden={r.overridden.clone()} />
                        </Link<Route>>
                    }
                }) }
                if more > 0 { <span class="muted">{ format!(" +{more} more") }</span> }
            </div></td>
            if props.can_review {
                <td class="actions"><button class="btn btn-small" onclick={on_mark} disabled={props.busy}
                            aria-label={format!("Mark {} reviewed", job.job_name)}>{ "Mark reviewed" }</button></td>
            }
        </tr>
    }
}
