//! Form fields the browser owns. Yew keeps a `value` attribute in step with
//! the page on every redraw, which puts back the old value while someone
//! types whenever anything else redraws the page (a notice coming or going).
//! Forms whose fields are read at submit therefore set their starting
//! values once, here, instead of through `value`.

use web_sys::{HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

/// Sets the value of the input, textarea or select behind `node`.
pub fn set_value(node: &NodeRef, value: &str) {
    if let Some(i) = node.cast::<HtmlInputElement>() {
        i.set_value(value);
    } else if let Some(t) = node.cast::<HtmlTextAreaElement>() {
        t.set_value(value);
    } else if let Some(s) = node.cast::<HtmlSelectElement>() {
        s.set_value(value);
    }
}

/// Fills `node` with `value` when it is first shown and whenever `value`
/// itself changes (a new URL, say), and never otherwise.
#[hook]
pub fn use_field_value(node: &NodeRef, value: String) {
    let node = node.clone();
    use_effect_with(value, move |v| set_value(&node, v));
}
