//! A mail: headers, the HTML body in a sandboxed iframe (served under its
//! own CSP), the text body, and the raw .eml download.

use bc_api_types::MailDetail;
use yew::prelude::*;

use crate::api;
use crate::components::{ErrorView, Loading, Time};
use crate::format;
use crate::hooks::use_fetch;

#[derive(Properties, PartialEq)]
pub struct MailBodyProps {
    pub mail: MailDetail,
}

#[derive(Clone, Copy, PartialEq)]
enum Tab {
    Html,
    Text,
}

#[component]
pub fn MailBody(props: &MailBodyProps) -> Html {
    let m = &props.mail;
    let tab = use_state(|| if m.has_html { Tab::Html } else { Tab::Text });
    let tab_button = |t: Tab, label: &str, enabled: bool| {
        let tab_h = tab.clone();
        let selected = *tab == t;
        html! {
            <button role="tab" class={classes!("tab", selected.then_some("active"))} aria-selected={selected.to_string()}
                    disabled={!enabled} onclick={Callback::from(move |_| tab_h.set(t))}>{ label.to_string() }</button>
        }
    };
    let body = match *tab {
        Tab::Html if m.has_html => html! {
            <iframe class="mail-html" sandbox="" src={api::inbox::mail_html_url(&m.id)}
                    title={format!("Mail body: {}", m.subject)} referrerpolicy="no-referrer"></iframe>
        },
        _ if m.has_text => html! { <MailText id={m.id.clone()} /> },
        _ => html! { <p class="muted">{ "This mail has no readable body." }</p> },
    };
    let from = match &m.sender_name {
        Some(n) if !n.is_empty() => format!("{n} <{}>", m.sender),
        _ => m.sender.clone(),
    };
    html! {
        <section class="mail" aria-label="Mail">
            <dl class="facts">
                <dt>{ "Subject" }</dt><dd>{ &m.subject }</dd>
                <dt>{ "From" }</dt><dd>{ from }</dd>
                <dt>{ "To" }</dt><dd>{ m.recipients.join(", ") }</dd>
                <dt>{ "Received" }</dt><dd><Time at={m.received_at} relative=true /></dd>
                if let Some(d) = m.date {
                    <dt>{ "Sent" }</dt><dd><Time at={d.to_utc()} /></dd>
                }
                <dt>{ "Size" }</dt><dd>{ format::bytes(m.size) }</dd>
                if !m.attachments.is_empty() {
                    <dt>{ "Attachments" }</dt>
                    <dd>{ m.attachments.iter().map(|a| format!("{} ({})", a.filename, format::bytes(a.size))).collect::<Vec<_>>().join(", ") }</dd>
                }
            </dl>
            <div class="tabs" role="tablist" aria-label="Mail body">
                { tab_button(Tab::Html, "HTML", m.has_html) }
                { tab_button(Tab::Text, "Text", m.has_text) }
                <a class="btn btn-small" href={api::inbox::mail_raw_url(&m.id)} download={format!("{}.eml", m.id)}>
                    { "Download .eml" }
                </a>
            </div>
            <div class="mail-body" role="tabpanel">{ body }</div>
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct MailTextProps {
    id: String,
}

#[component]
fn MailText(props: &MailTextProps) -> Html {
    let text = use_fetch(props.id.clone(), |id| async move { api::inbox::mail_text(&id).await });
    if let Some(e) = &text.error {
        return html! { <ErrorView error={e.clone()} onretry={Some(text.reload.clone())} /> };
    }
    match &text.data {
        Some(t) => html! { <pre class="mail-text">{ t.as_str() }</pre> },
        None => html! { <Loading what="the mail text" /> },
    }
}
