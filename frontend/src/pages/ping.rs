//! Ping URLs: on a job that checks in over HTTP, its URL with curl
//! one-liners and "new URL"; on the Jobs page, a form that creates such a
//! job for a customer.

use bc_api_types::{Job, NewPingJob, Permission};
use web_sys::HtmlInputElement;
use yew::platform::spawn_local;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::api;
use crate::components::{ConfirmButton, CustomerPicker, Time};
use crate::route::Route;
use crate::session::use_session;
use crate::toast::use_notify;

#[derive(Properties, PartialEq)]
pub struct PingCardProps {
    pub job: Job,
    pub onchange: Callback<()>,
}

/// The ping URL of a job (who may manage jobs sees it; others see that it exists).
#[component]
pub fn PingCard(props: &PingCardProps) -> Html {
    let notify = use_notify();
    let Some(p) = &props.job.ping else { return html! {} };
    let renew = {
        let (id, notify, onchange) = (props.job.id.clone(), notify.clone(), props.onchange.clone());
        Callback::from(move |_| {
            let (id, notify, onchange) = (id.clone(), notify.clone(), onchange.clone());
            spawn_local(async move {
                match api::alerts::regenerate_ping_token(&id).await {
                    Ok(_) => {
                        notify.ok("New ping URL: update your scripts");
                        onchange.emit(());
                    }
                    Err(e) => notify.error(e),
                }
            });
        })
    };
    html! {
        <section class="card" aria-labelledby="ping-title" data-testid="ping-card">
            <h2 id="ping-title" class="card-title">{ "Ping URL" }</h2>
            if let Some(url) = &p.url {
                <p><code data-testid="ping-url">{ url.clone() }</code></p>
                <p class="hint">{ "Call it from the end of your script; the body (up to 10 KB) becomes the run's message:" }</p>
                <pre class="code" data-testid="ping-curl">{ format!(
                    "curl -fsS -m 10 --retry 5 -o /dev/null {url}/start\n\
                     my-backup-command && curl -fsS -m 10 --retry 5 --data-binary @log.txt {url} \\\n  \
                     || curl -fsS -m 10 --retry 5 --data-binary @log.txt {url}/fail"
                ) }</pre>
                <ConfirmButton label="New URL" confirm="Make a new ping URL? The current one stops working at once." onconfirm={renew} />
            } else {
                <p class="hint">{ "This job checks in over a ping URL; operators and admins see the URL." }</p>
            }
            <p class="hint">
                { "Last ping: " }
                { match p.last_ping_at { Some(t) => html! { <Time at={t} /> }, None => html! { { "never" } } } }
            </p>
        </section>
    }
}

/// "New ping-URL job" on the Jobs page.
#[component]
pub fn NewPingJobForm() -> Html {
    let session = use_session();
    let notify = use_notify();
    let navigator = use_navigator();
    let customer = use_state(String::new);
    let name_ref = use_node_ref();
    if !session.can(Permission::ManageJobs) {
        return html! {};
    }
    let on_customer = {
        let customer = customer.clone();
        Callback::from(move |c: Option<bc_api_types::Customer>| customer.set(c.map(|c| c.id).unwrap_or_default()))
    };
    let submit = {
        let (customer, name_ref, notify, navigator) =
            (customer.clone(), name_ref.clone(), notify.clone(), navigator.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let name = name_ref.cast::<HtmlInputElement>().map(|i| i.value()).unwrap_or_default();
            let body = NewPingJob { customer_id: (*customer).clone(), name };
            let (notify, navigator) = (notify.clone(), navigator.clone());
            spawn_local(async move {
                match api::alerts::create_ping_job(&body).await {
                    Ok(j) => {
                        notify.ok(format!("Job “{}” created: its ping URL is on its page", j.job_name));
                        if let Some(n) = navigator {
                            n.push(&Route::Job { id: j.id });
                        }
                    }
                    Err(e) => notify.error(e),
                }
            });
        })
    };
    html! {
        <details class="card" data-testid="new-ping-job">
            <summary>{ "New ping-URL job (scripts, database dumps, rclone…)" }</summary>
            <form class="inline-form" onsubmit={submit}>
                <div class="field">
                    <label for="ping-customer">{ "Customer" }</label>
                    <CustomerPicker id="ping-customer" onselect={on_customer} />
                </div>
                <div class="field">
                    <label for="ping-name">{ "Job name" }</label>
                    <input id="ping-name" type="text" ref={name_ref} maxlength="200" placeholder="e.g. nightly db dump" />
                </div>
                <button class="btn btn-primary" type="submit" data-testid="ping-create">{ "Create job" }</button>
            </form>
        </details>
    }
}

#[derive(Properties, PartialEq)]
pub struct MuteProps {
    pub job_id: String,
}

/// "Mute alerts" for a job (operators and admins): its runs alert nobody.
#[component]
pub fn MuteToggle(props: &MuteProps) -> Html {
    let session = use_session();
    let notify = use_notify();
    let config = crate::hooks::use_fetch((), |_| async { api::alerts::get().await });
    if !session.can(Permission::MuteAlerts) {
        return html! {};
    }
    let Some(c) = config.data.clone() else { return html! {} };
    let muted = c.mutes.job_ids.contains(&props.job_id);
    let toggle = {
        let (mutes, id, notify, reload) =
            (c.mutes.clone(), props.job_id.clone(), notify.clone(), config.reload.clone());
        Callback::from(move |_| {
            let mut m = mutes.clone();
            if muted {
                m.job_ids.retain(|j| *j != id);
            } else {
                m.job_ids.push(id.clone());
            }
            let (notify, reload) = (notify.clone(), reload.clone());
            spawn_local(async move {
                match api::alerts::put_mutes(&m).await {
                    Ok(_) => {
                        notify.ok(if muted {
                            "Alerts of this job are on again"
                        } else {
                            "This job's alerts are muted"
                        });
                        reload.emit(());
                    }
                    Err(e) => notify.error(e),
                }
            });
        })
    };
    html! {
        <p class="inline-form">
            <button class="btn" type="button" onclick={toggle} data-testid="mute-toggle">
                { if muted { "Unmute alerts" } else { "Mute alerts" } }
            </button>
            <span class="hint">{ if muted { "Muted: this job's runs alert nobody." } else { "Its Failed and Missed runs alert the channels of the alert rules." } }</span>
        </p>
    }
}
