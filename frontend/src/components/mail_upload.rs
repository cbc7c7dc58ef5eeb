//! Upload of `.eml` files on the Inbox page: drop them on the area or pick
//! them; each is sent on its own and gets its own result line (new in the
//! Inbox, a run of an approved job, a duplicate, or the server's refusal).

use bc_api_types::MailState;
use wasm_bindgen_futures::JsFuture;
use web_sys::{DragEvent, File, FileList, HtmlInputElement};
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::api;

/// Larger files are refused here (the server refuses them too).
const MAX_BYTES: f64 = 50.0 * 1024.0 * 1024.0;

#[derive(Clone, PartialEq)]
struct Outcome {
    name: String,
    ok: bool,
    text: String,
}

#[derive(Properties, PartialEq)]
pub struct MailUploadProps {
    /// Told after each batch, to reload the list.
    pub ondone: Callback<()>,
}

async fn read(file: &File) -> Result<Vec<u8>, String> {
    let buf =
        JsFuture::from(file.array_buffer()).await.map_err(|_| "the browser could not read the file".to_string())?;
    Ok(js_sys::Uint8Array::new(&buf).to_vec())
}

async fn send(file: File) -> Outcome {
    let name = file.name();
    if file.size() > MAX_BYTES {
        return Outcome { name, ok: false, text: "larger than 50 MB".into() };
    }
    let raw = match read(&file).await {
        Ok(r) => r,
        Err(e) => return Outcome { name, ok: false, text: e },
    };
    match api::mails::upload(raw).await {
        Ok(r) if r.duplicate => Outcome { name, ok: true, text: "already received (duplicate)".into() },
        Ok(r) if r.run_id.is_some() => Outcome { name, ok: true, text: "a run of an approved job".into() },
        Ok(r) if r.state == MailState::Inbox && r.parsed => Outcome { name, ok: true, text: "in the Inbox".into() },
        Ok(r) if r.state == MailState::Inbox => {
            Outcome { name, ok: true, text: "in the Inbox, not understood by any parser".into() }
        }
        Ok(r) => Outcome { name, ok: true, text: format!("stored ({:?})", r.state).to_lowercase() },
        Err(e) => Outcome { name, ok: false, text: e.to_string() },
    }
}

fn files_of(list: Option<FileList>) -> Vec<File> {
    let Some(list) = list else { return Vec::new() };
    (0..list.length()).filter_map(|i| list.get(i)).collect()
}

#[component]
pub fn MailUpload(props: &MailUploadProps) -> Html {
    let results = use_state(Vec::<Outcome>::new);
    let over = use_state(|| false);
    let busy = use_state(|| false);

    let start = {
        let (results, busy, ondone) = (results.clone(), busy.clone(), props.ondone.clone());
        Callback::from(move |files: Vec<File>| {
            if files.is_empty() || *busy {
                return;
            }
            busy.set(true);
            let (results, busy, ondone) = (results.clone(), busy.clone(), ondone.clone());
            spawn_local(async move {
                let mut out = Vec::with_capacity(files.len());
                for f in files {
                    out.push(send(f).await);
                    results.set(out.clone());
                }
                busy.set(false);
                ondone.emit(());
            });
        })
    };
    let ondrop = {
        let (start, over) = (start.clone(), over.clone());
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            over.set(false);
            start.emit(files_of(e.data_transfer().and_then(|d| d.files())));
        })
    };
    let ondragover = {
        let over = over.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            if !*over {
                over.set(true);
            }
        })
    };
    let ondragleave = {
        let over = over.clone();
        Callback::from(move |_: DragEvent| over.set(false))
    };
    let onchange = {
        let start = start.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            start.emit(files_of(input.files()));
            input.set_value("");
        })
    };

    html! {
        <section class={classes!("card", "mail-upload", over.then_some("over"))} aria-labelledby="up-title"
                 {ondrop} {ondragover} {ondragleave} data-testid="mail-upload">
            <h2 id="up-title" class="card-title">{ "Upload report mails" }</h2>
            <p>
                { "Drop .eml files here, or " }
                <label class="link" for="up-files">{ "choose files" }</label>
                { ". Each is stored, parsed and routed like a mail that arrived." }
                <input id="up-files" class="sr-only" type="file" accept=".eml,message/rfc822" multiple=true {onchange}
                       data-testid="mail-upload-input" />
            </p>
            if *busy { <p class="muted" role="status">{ "Uploading…" }</p> }
            if !results.is_empty() {
                <ul class="upload-results" aria-live="polite" data-testid="upload-results">
                    { for results.iter().map(|o| html! {
                        <li class={if o.ok { "ok" } else { "error" }}>
                            <strong>{ &o.name }</strong>{ ": " }{ &o.text }
                        </li>
                    }) }
                </ul>
            }
        </section>
    }
}
