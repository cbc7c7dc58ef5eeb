//! Keyboard shortcuts for a page: one `keydown` listener on the document
//! that ignores keys typed into form fields and keys with modifiers.

use std::cell::RefCell;
use std::rc::Rc;

use gloo_events::EventListener;
use wasm_bindgen::JsCast;
use web_sys::{Element, KeyboardEvent};
use yew::prelude::*;

fn target(e: &KeyboardEvent) -> Option<Element> {
    e.target().and_then(|t| t.dyn_into::<Element>().ok())
}

/// Whether a key event belongs to a text field rather than to the page
/// (checkboxes and buttons do not count: j/k still move from them).
fn typed_into_field(e: &KeyboardEvent) -> bool {
    let Some(el) = target(e) else { return false };
    let kind = el.get_attribute("type").unwrap_or_default().to_ascii_lowercase();
    match el.tag_name().to_ascii_lowercase().as_str() {
        "input" => !matches!(kind.as_str(), "checkbox" | "radio" | "button" | "submit" | "reset"),
        "textarea" | "select" => true,
        _ => el.closest("[contenteditable]").ok().flatten().is_some(),
    }
}

/// Whether Enter or Space already means something where the key was
/// pressed (a button, link or checkbox), so the page should leave it be.
pub fn on_control(e: &KeyboardEvent) -> bool {
    target(e)
        .is_some_and(|el| matches!(el.tag_name().to_ascii_lowercase().as_str(), "button" | "a" | "input" | "summary"))
}

/// Calls `handler` with page-level key presses while `enabled`.
#[hook]
pub fn use_keys(enabled: bool, handler: Callback<KeyboardEvent>) {
    let latest: Rc<RefCell<(bool, Callback<KeyboardEvent>)>> = use_mut_ref(|| (enabled, handler.clone()));
    *latest.borrow_mut() = (enabled, handler);
    use_effect_with((), move |_| {
        let listener = web_sys::window().and_then(|w| w.document()).map(|doc| {
            EventListener::new(&doc, "keydown", move |ev| {
                let Some(e) = ev.dyn_ref::<KeyboardEvent>() else { return };
                if e.ctrl_key() || e.meta_key() || e.alt_key() || e.default_prevented() || typed_into_field(e) {
                    return;
                }
                let (on, cb) = latest.borrow().clone();
                if on {
                    cb.emit(e.clone());
                }
            })
        });
        move || drop(listener)
    });
}
