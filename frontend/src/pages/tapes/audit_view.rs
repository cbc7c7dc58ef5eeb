//! The audit trail of one Cartridge or tape job, as the detail pages show
//! it, with a link to the same entries as JSON.

use yew::prelude::*;

use crate::api;
use crate::components::{ErrorView, Loading, Time};
use crate::format;
use crate::hooks::use_fetch;

#[derive(Properties, PartialEq)]
pub struct TapeAuditProps {
    pub entity_type: AttrValue,
    pub id: AttrValue,
    /// Changes when the page changed something, to load the trail again.
    pub tick: u32,
}

#[component]
pub fn TapeAudit(props: &TapeAuditProps) -> Html {
    let trail = use_fetch((props.entity_type.to_string(), props.id.to_string(), props.tick), |(t, id, _)| async move {
        api::tapes::audit(&t, &id).await
    });
    let body = match (&trail.data, &trail.error) {
        (_, Some(e)) => html! { <ErrorView error={e.clone()} onretry={Some(trail.reload.clone())} /> },
        (None, None) => html! { <Loading what="the audit trail" /> },
        (Some(items), None) if items.is_empty() => html! { <p class="muted">{ "No entries." }</p> },
        (Some(items), None) => html! {
            <div class="table-wrap">
                <table class="table" data-testid="tape-audit">
                    <thead><tr>
                        <th scope="col">{ "When" }</th><th scope="col">{ "Who" }</th><th scope="col">{ "Action" }</th>
                        <th scope="col">{ "Before" }</th><th scope="col">{ "After" }</th>
                    </tr></thead>
                    <tbody>
                        { for items.iter().map(|e| html! {
                            <tr data-action={e.action.clone()}>
                                <td><Time at={e.at} /></td>
                                <td>{ &e.actor }</td>
                                <td><code>{ &e.action }</code></td>
                                <td class="small">{ e.before.as_ref().map(|v| format::json_short(v, 160)).unwrap_or_default() }</td>
                                <td class="small">{ e.after.as_ref().map(|v| format::json_short(v, 160)).unwrap_or_default() }</td>
                            </tr>
                        }) }
                    </tbody>
                </table>
            </div>
        },
    };
    html! {
        <section class="card" aria-labelledby="tape-audit-title">
            <h2 id="tape-audit-title" class="card-title">{ "Audit trail" }</h2>
            <p class="hint">
                { "Every change, newest first; kept after a delete. " }
                <a href={api::tapes::audit_url(&props.entity_type, &props.id)} target="_blank" rel="noopener"
                   data-testid="audit-json">{ "View as JSON" }</a>
            </p>
            { body }
        </section>
    }
}
