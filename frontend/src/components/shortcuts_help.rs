//! The keyboard shortcuts of Run Checks, shown with `?`.

use yew::prelude::*;

use crate::components::Modal;

#[derive(Properties, PartialEq)]
pub struct ShortcutsHelpProps {
    pub onclose: Callback<()>,
}

const KEYS: [(&str, &str); 9] = [
    ("j  or  ↓", "Next job"),
    ("k  or  ↑", "Previous job"),
    ("Enter", "Open the newest unreviewed run of the job"),
    ("r  or  Space", "Mark the job's runs as reviewed"),
    ("x", "Select or unselect the job"),
    ("n / p", "Next / previous page"),
    ("Escape", "Close the run detail"),
    ("r (in the run detail)", "Mark the run as reviewed"),
    ("?", "Show this help"),
];

#[component]
pub fn ShortcutsHelp(props: &ShortcutsHelpProps) -> Html {
    html! {
        <Modal title="Keyboard shortcuts" onclose={props.onclose.clone()}>
            <table class="table keys">
                <tbody>
                    { for KEYS.iter().map(|(k, v)| html! { <tr><td><kbd>{ *k }</kbd></td><td>{ *v }</td></tr> }) }
                </tbody>
            </table>
        </Modal>
    }
}
