//! API tokens (admins), a tab of Settings: the list, a new token (name and
//! role) whose secret is shown once with a copy button, and revoking one
//! after a confirmation.

use bc_api_types::{ApiToken, CreatedApiToken, Role};
use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::platform::spawn_local;
use yew::prelude::*;

use super::SettingsTabs;
use crate::api;
use crate::components::{ConfirmButton, ErrorView, Loading, Time};
use crate::hooks::use_fetch;
use crate::route::Route;
use crate::toast::use_notify;

/// Writes `text` to the clipboard (`navigator.clipboard.writeText`).
async fn copy_to_clipboard(text: &str) -> bool {
    let Some(window) = web_sys::window() else { return false };
    let Ok(navigator) = Reflect::get(&window, &"navigator".into()) else { return false };
    let clipboard = Reflect::get(&navigator, &"clipboard".into()).ok().filter(|c| !c.is_undefined());
    let Some(clipboard) = clipboard else { return false };
    let write = Reflect::get(&clipboard, &"writeText".into()).ok().and_then(|f| f.dyn_into::<Function>().ok());
    let Some(write) = write else { return false };
    match write.call1(&clipboard, &text.into()).ok().and_then(|p| p.dyn_into::<Promise>().ok()) {
        Some(p) => JsFuture::from(p).await.is_ok(),
        None => false,
    }
}

#[component]
pub fn ApiTokensPage() -> Html {
    let notify = use_notify();
    let list = use_fetch((), |_| async { api::api_tokens::list().await });
    let created = use_state(|| None::<CreatedApiToken>);
    let creating = use_state(|| false);
    let name_ref = use_node_ref();
    let role_ref = use_node_ref();

    let create = {
        let (notify, reload, created, creating) =
            (notify.clone(), list.reload.clone(), created.clone(), creating.clone());
        let (name_ref, role_ref) = (name_ref.clone(), role_ref.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let Some(name_input) = name_ref.cast::<HtmlInputElement>() else { return };
            let name = name_input.value().trim().to_string();
            let role = role_ref
                .cast::<HtmlSelectElement>()
                .and_then(|s| s.value().parse::<Role>().ok())
                .unwrap_or(Role::Viewer);
            if name.is_empty() {
                notify.error("Name the token after what will use it, e.g. the reporting script.");
                return;
            }
            if *creating {
                return;
            }
            creating.set(true);
            let (notify, reload, created, creating) =
                (notify.clone(), reload.clone(), created.clone(), creating.clone());
            spawn_local(async move {
                match api::api_tokens::create(&name, role).await {
                    Ok(c) => {
                        name_input.set_value("");
                        created.set(Some(c));
                        reload.emit(());
                    }
                    Err(e) => notify.error(e),
                }
                creating.set(false);
            });
        })
    };

    let once = (*created).clone().map(|c| {
        let copy = {
            let (notify, token) = (notify.clone(), c.token.clone());
            Callback::from(move |_| {
                let (notify, token) = (notify.clone(), token.clone());
                spawn_local(async move {
                    if copy_to_clipboard(&token).await {
                        notify.ok("Token copied");
                    } else {
                        // No clipboard (an insecure origin): select it for Ctrl+C.
                        let input = web_sys::window()
                            .and_then(|w| w.document())
                            .and_then(|d| d.get_element_by_id("t-secret"))
                            .and_then(|e| e.dyn_into::<HtmlInputElement>().ok());
                        if let Some(i) = input {
                            let _ = i.focus();
                            i.select();
                        }
                        notify.error("The browser did not allow copying: the token is selected, press Ctrl+C.");
                    }
                });
            })
        };
        let done = {
            let created = created.clone();
            Callback::from(move |_| created.set(None))
        };
        let select_all = Callback::from(|e: FocusEvent| e.target_unchecked_into::<HtmlInputElement>().select());
        html! {
            <section class="card token-once" aria-labelledby="t-once-title" data-testid="new-token">
                <h2 id="t-once-title" class="card-title">{ format!("New token “{}” ({})", c.api_token.name, c.api_token.role) }</h2>
                <p class="alert alert-warn" role="alert">
                    <strong>{ "Copy it now: you will not see it again." }</strong>
                    { " Only a hash of it is stored. If it is lost, revoke it and create another." }
                </p>
                <div class="inline-form">
                    <input id="t-secret" class="secret" type="text" readonly=true value={c.token.clone()}
                           aria-label="The new API token" onfocus={select_all} data-testid="new-token-value" />
                    <button class="btn btn-primary" type="button" onclick={copy} data-testid="token-copy">{ "Copy" }</button>
                    <button class="btn" type="button" onclick={done} data-testid="token-done">{ "I have copied it" }</button>
                </div>
                <p class="hint">{ "Send it as Authorization: Bearer <token> to /api/v1." }</p>
            </section>
        }
    });

    let body = match (&list.data, &list.error) {
        (_, Some(e)) => html! { <ErrorView error={e.clone()} onretry={Some(list.reload.clone())} /> },
        (None, None) => html! { <Loading what="API tokens" /> },
        (Some(l), None) if l.items.is_empty() => html! {
            <div class="state empty" role="status" data-testid="tokens-empty">
                <h2>{ "No API tokens yet" }</h2>
                <p>{ "A token lets a script or another system use the API with the role you give it." }</p>
            </div>
        },
        (Some(l), None) => html! {
            <div class="table-wrap">
                <table class="table api-tokens">
                    <thead><tr>
                        <th scope="col">{ "Name" }</th>
                        <th scope="col">{ "Role" }</th>
                        <th scope="col">{ "Token" }</th>
                        <th scope="col" class="hide-narrow">{ "Created" }</th>
                        <th scope="col">{ "Last used" }</th>
                        <th scope="col">{ "Status" }</th>
                    </tr></thead>
                    <tbody>
                        { for l.items.iter().map(|t| html! {
                            <TokenRow key={t.id.clone()} token={t.clone()} reload={list.reload.clone()} />
                        }) }
                    </tbody>
                </table>
            </div>
        },
    };

    html! {
        <section class="page">
            <h1>{ "Settings" }</h1>
            <SettingsTabs current={Route::ApiTokens} />
            { for once }
            <section class="card" aria-labelledby="t-new-title">
                <h2 id="t-new-title" class="card-title">{ "New API token" }</h2>
                <form class="inline-form" onsubmit={create} aria-labelledby="t-new-title">
                    <div class="field">
                        <label for="t-name">{ "Name" }</label>
                        <input id="t-name" type="text" ref={name_ref} placeholder="e.g. Monthly report script" maxlength="100" />
                    </div>
                    <div class="field">
                        <label for="t-role">{ "Role" }</label>
                        <select id="t-role" ref={role_ref}>
                            { for Role::ALL.iter().map(|r| html! {
                                <option value={r.as_str()} selected={*r == Role::Viewer}>{ r.as_str() }</option>
                            }) }
                        </select>
                    </div>
                    <button class="btn btn-primary" type="submit" disabled={*creating} data-testid="token-create">{ "Create token" }</button>
                </form>
                <p class="hint">{ "The token acts with the role's rights. Give it the least it needs: viewer or reporter to read." }</p>
            </section>
            { body }
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct TokenRowProps {
    token: ApiToken,
    reload: Callback<()>,
}

#[component]
fn TokenRow(props: &TokenRowProps) -> Html {
    let notify = use_notify();
    let t = &props.token;
    let revoke = {
        let (notify, reload, id, name) = (notify.clone(), props.reload.clone(), t.id.clone(), t.name.clone());
        Callback::from(move |_| {
            let (notify, reload, id, name) = (notify.clone(), reload.clone(), id.clone(), name.clone());
            spawn_local(async move {
                match api::api_tokens::revoke(&id).await {
                    Ok(_) => {
                        notify.ok(format!("Revoked {name}"));
                        reload.emit(());
                    }
                    Err(e) => notify.error(e),
                }
            });
        })
    };
    let revoked = t.revoked_at.is_some();
    html! {
        <tr class={classes!(revoked.then_some("inactive"))} data-token-id={t.id.clone()}>
            <td>{ &t.name }</td>
            <td>{ t.role.as_str() }</td>
            <td><code>{ format!("{}…", t.prefix) }</code></td>
            <td class="hide-narrow"><Time at={t.created_at} />{ format!(" by {}", t.created_by) }</td>
            <td>
                if let Some(at) = t.last_used_at { <Time at={at} relative=true /> } else { <span class="muted">{ "never" }</span> }
            </td>
            <td>
                if let Some(at) = t.revoked_at {
                    { "Revoked " }<Time at={at} />
                } else {
                    <ConfirmButton label="Revoke" class="btn btn-small btn-danger" onconfirm={revoke}
                                   confirm={AttrValue::from(format!("Revoke {}? Whatever uses it stops working at once.", t.name))} />
                }
            </td>
        </tr>
    }
}
