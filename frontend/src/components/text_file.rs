//! Reading a chosen file as text (the CSV imports).

use std::future::Future;

use wasm_bindgen_futures::{JsFuture, spawn_local};
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::toast::Notify;

/// A file `<input>`'s change: reads the chosen file as text, empties the
/// input (so the same file can be chosen again after a fix) and hands the
/// text to `then`; a file that cannot be read as text is reported.
pub fn on_text_file<F, Fut>(file: &NodeRef, notify: &Notify, then: F) -> Callback<Event>
where
    F: Fn(String) -> Fut + 'static,
    Fut: Future<Output = ()> + 'static,
{
    let (file, notify, then) = (file.clone(), notify.clone(), std::rc::Rc::new(then));
    Callback::from(move |_: Event| {
        let Some(input) = file.cast::<HtmlInputElement>() else { return };
        let Some(f) = input.files().and_then(|l| l.get(0)) else { return };
        let (notify, then) = (notify.clone(), then.clone());
        spawn_local(async move {
            let text = JsFuture::from(f.text()).await.ok().and_then(|v| v.as_string());
            input.set_value("");
            match text {
                Some(text) => then(text).await,
                None => notify.error("The file could not be read as text."),
            }
        });
    })
}
