//! The objects of a report (VMs, hosts, shares, ...) with their status.

use bc_api_types::ReportObject;
use yew::prelude::*;

use crate::components::StatusBadge;

#[derive(Properties, PartialEq)]
pub struct ObjectsTableProps {
    pub objects: Vec<ReportObject>,
}

#[component]
pub fn ObjectsTable(props: &ObjectsTableProps) -> Html {
    if props.objects.is_empty() {
        return html! { <p class="muted">{ "The report lists no objects." }</p> };
    }
    // Worst first, so problems are on top.
    let mut objects = props.objects.clone();
    objects.sort_by_key(|o| std::cmp::Reverse(o.status.severity()));
    html! {
        <div class="table-wrap">
            <table class="table objects">
                <caption class="sr-only">{ "Objects" }</caption>
                <thead><tr>
                    <th scope="col">{ "Name" }</th><th scope="col">{ "Type" }</th>
                    <th scope="col">{ "Status" }</th><th scope="col">{ "Message" }</th>
                </tr></thead>
                <tbody>
                    { for objects.iter().map(|o| html! {
                        <tr>
                            <td>{ &o.name }</td>
                            <td>{ o.object_type.clone().unwrap_or_default() }</td>
                            <td><StatusBadge status={o.status} /></td>
                            <td class="message">{ o.message.clone().unwrap_or_default() }</td>
                        </tr>
                    }) }
                </tbody>
            </table>
        </div>
    }
}
