//! One's own account: change the password.

use web_sys::HtmlInputElement;
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::api;
use crate::session::use_session;
use crate::toast::use_notify;

#[component]
pub fn AccountPage() -> Html {
    let session = use_session();
    let notify = use_notify();
    let current = use_node_ref();
    let new = use_node_ref();
    let repeat = use_node_ref();
    let error = use_state(|| None::<String>);
    let onsubmit = {
        let (current, new, repeat, error) = (current.clone(), new.clone(), repeat.clone(), error.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let val = |r: &NodeRef| r.cast::<HtmlInputElement>().map(|i| i.value()).unwrap_or_default();
            let (c, n, r) = (val(&current), val(&new), val(&repeat));
            if n != r {
                error.set(Some("The new passwords differ.".into()));
                return;
            }
            error.set(None);
            let (notify, error, fields) =
                (notify.clone(), error.clone(), [current.clone(), new.clone(), repeat.clone()]);
            spawn_local(async move {
                match api::auth::change_password(&c, &n).await {
                    Ok(()) => {
                        notify.ok("Password changed");
                        for f in fields.iter().filter_map(|f| f.cast::<HtmlInputElement>()) {
                            f.set_value("");
                        }
                    }
                    Err(e) => error.set(Some(e.to_string())),
                }
            });
        })
    };
    html! {
        <section class="page narrow">
            <h1>{ "Your account" }</h1>
            <p>{ format!("Signed in as {} with role {}.", session.me.username, session.me.role) }</p>
            <form class="card form" {onsubmit}>
                <h2>{ "Change password" }</h2>
                if let Some(msg) = &*error { <p class="alert alert-error" role="alert">{ msg }</p> }
                <label for="pw-current">{ "Current password" }</label>
                <input id="pw-current" type="password" autocomplete="current-password" ref={current} required=true />
                <label for="pw-new">{ "New password" }</label>
                <input id="pw-new" type="password" autocomplete="new-password" ref={new} required=true />
                <label for="pw-repeat">{ "New password again" }</label>
                <input id="pw-repeat" type="password" autocomplete="new-password" ref={repeat} required=true />
                <button class="btn btn-primary" type="submit">{ "Change password" }</button>
            </form>
        </section>
    }
}
