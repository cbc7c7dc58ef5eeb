//! A bulk operation running in the background: polls
//! `/operations/{id}` about once a second and shows how far it is
//! ("Reviewing… 1,250 / 5,000") until it is done or failed.

use std::cell::Cell;
use std::rc::Rc;

use bc_api_types::{Operation, OperationState};
use gloo_timers::future::TimeoutFuture;
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::api;
use crate::format;

#[derive(Properties, PartialEq)]
pub struct OperationProgressProps {
    /// The operation as the action's answer returned it.
    pub operation: Operation,
    /// It ended (done or failed), with its last state.
    pub onfinish: Callback<Operation>,
}

/// "Reviewing", "Unmarking", or the kind itself.
fn doing(kind: &str) -> String {
    match kind {
        "review" => "Reviewing".into(),
        "unreview" => "Unmarking".into(),
        "job_runs" => "Updating the job's runs".into(),
        other => format!("Working ({other})"),
    }
}

fn finished(op: &Operation) -> bool {
    matches!(op.state, OperationState::Done | OperationState::Failed)
}

#[component]
pub fn OperationProgress(props: &OperationProgressProps) -> Html {
    let op = use_state(|| props.operation.clone());
    let error = use_state(|| None::<String>);
    {
        let (op, error, onfinish) = (op.clone(), error.clone(), props.onfinish.clone());
        use_effect_with(props.operation.id.clone(), move |id| {
            let alive = Rc::new(Cell::new(true));
            let still = alive.clone();
            let id = id.clone();
            let first = (*op).clone();
            spawn_local(async move {
                let mut last = first;
                let mut failures = 0u32;
                while !finished(&last) {
                    TimeoutFuture::new(1_000).await;
                    if !still.get() {
                        return;
                    }
                    match api::operations::get(&id).await {
                        Ok(o) => {
                            failures = 0;
                            error.set(None);
                            last = o;
                            op.set(last.clone());
                        }
                        // A blip: keep asking, and say so; give up after a minute.
                        Err(e) => {
                            failures += 1;
                            error.set(Some(e.to_string()));
                            if failures >= 60 {
                                last.state = OperationState::Failed;
                                last.error = Some(e.to_string());
                            }
                        }
                    }
                }
                if still.get() {
                    onfinish.emit(last);
                }
            });
            move || alive.set(false)
        });
    }
    let o = &*op;
    let label = match o.state {
        OperationState::Queued => format!("{}… queued", doing(&o.kind)),
        OperationState::Running => {
            format!("{}… {} / {}", doing(&o.kind), format::count(o.done), format::count(o.total.max(o.done)))
        }
        OperationState::Done => format!("Done: {}", format::count(o.done)),
        OperationState::Failed => format!("Failed: {}", o.error.clone().unwrap_or_default()),
    };
    html! {
        <div class="operation" role="status" aria-live="polite" data-testid="operation">
            <progress max={o.total.max(o.done).max(1).to_string()} value={o.done.to_string()}></progress>
            <span>{ label }</span>
            if let Some(e) = &*error { <span class="muted">{ format!(" (retrying: {e})") }</span> }
        </div>
    }
}
