//! A dialog over the page: focus moves in on open and back on close, Tab
//! stays inside, Escape and the backdrop close it.

use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ModalProps {
    pub title: AttrValue,
    pub onclose: Callback<()>,
    pub children: Html,
}

const FOCUSABLE: &str = "a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), \
                         textarea:not([disabled]), iframe, [tabindex]:not([tabindex='-1'])";

fn active_element() -> Option<HtmlElement> {
    web_sys::window()?.document()?.active_element()?.dyn_into::<HtmlElement>().ok()
}

#[component]
pub fn Modal(props: &ModalProps) -> Html {
    let dialog = use_node_ref();
    {
        let dialog = dialog.clone();
        use_effect_with((), move |_| {
            let before = active_element();
            if let Some(el) = dialog.cast::<HtmlElement>() {
                let _ = el.focus();
            }
            move || {
                if let Some(el) = before {
                    let _ = el.focus();
                }
            }
        });
    }
    let onkeydown = {
        let dialog = dialog.clone();
        let onclose = props.onclose.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Escape" {
                e.prevent_default();
                onclose.emit(());
                return;
            }
            if e.key() != "Tab" {
                return;
            }
            let Some(root) = dialog.cast::<Element>() else { return };
            let Ok(list) = root.query_selector_all(FOCUSABLE) else { return };
            let items: Vec<HtmlElement> = (0..list.length())
                .filter_map(|i| list.item(i))
                .filter_map(|n| n.dyn_into::<HtmlElement>().ok())
                .collect();
            let (Some(first), Some(last)) = (items.first(), items.last()) else { return };
            let active: Option<Element> = web_sys::window().and_then(|w| w.document()).and_then(|d| d.active_element());
            let is = |el: &HtmlElement| active.as_ref().is_some_and(|a| a == el.unchecked_ref::<Element>());
            let at_first = is(first) || active.as_ref().is_some_and(|a| a == &root);
            let at_last = is(last);
            if e.shift_key() && at_first {
                e.prevent_default();
                let _ = last.focus();
            } else if !e.shift_key() && at_last {
                e.prevent_default();
                let _ = first.focus();
            }
        })
    };
    let backdrop_click = {
        let onclose = props.onclose.clone();
        Callback::from(move |_| onclose.emit(()))
    };
    let close = {
        let onclose = props.onclose.clone();
        Callback::from(move |_| onclose.emit(()))
    };
    let stop = Callback::from(|e: MouseEvent| e.stop_propagation());
    html! {
        <div class="backdrop" onclick={backdrop_click}>
            <div class="modal" role="dialog" aria-modal="true" aria-labelledby="modal-title" tabindex="-1"
                 ref={dialog} {onkeydown} onclick={stop}>
                <div class="modal-head">
                    <h2 id="modal-title">{ props.title.clone() }</h2>
                    <button class="btn btn-ghost" onclick={close} aria-label="Close (Escape)">{ "✕" }</button>
                </div>
                <div class="modal-body">{ props.children.clone() }</div>
            </div>
        </div>
    }
}
