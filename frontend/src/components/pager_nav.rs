//! Previous / next for cursor-paged and client-paged lists.

use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct PagerNavProps {
    /// 1-based page on screen.
    pub page: usize,
    pub has_prev: bool,
    pub has_next: bool,
    pub onprev: Callback<()>,
    pub onnext: Callback<()>,
    /// "of 12" when the total is known.
    #[prop_or_default]
    pub total_pages: Option<usize>,
}

#[component]
pub fn PagerNav(props: &PagerNavProps) -> Html {
    if !props.has_prev && !props.has_next {
        return html! {};
    }
    let prev = props.onprev.clone();
    let next = props.onnext.clone();
    let label = match props.total_pages {
        Some(t) => format!("Page {} of {t}", props.page),
        None => format!("Page {}", props.page),
    };
    html! {
        <nav class="pager" aria-label="Pages">
            <button class="btn" disabled={!props.has_prev} onclick={Callback::from(move |_| prev.emit(()))}>{ "← Previous" }</button>
            <span>{ label }</span>
            <button class="btn" disabled={!props.has_next} onclick={Callback::from(move |_| next.emit(()))}>{ "Next →" }</button>
        </nav>
    }
}
