//! Settings → Alerts (admins): channels (e-mail, signed JSON webhook, Slack,
//! Teams) with "send test", rules (which statuses of which customers alert
//! which channels, at once or batched), the morning digest, and the dead
//! letters of the task queue with "retry".

use bc_api_types::{AlertsConfig, ChannelKind, DigestSettings, NewChannel, RuleBody, Status};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::platform::spawn_local;
use yew::prelude::*;

use super::SettingsTabs;
use crate::api;
use crate::components::{ConfirmButton, ErrorView, Loading, Time};
use crate::hooks::use_fetch;
use crate::route::Route;
use crate::toast::use_notify;

fn input_value(r: &NodeRef) -> String {
    r.cast::<HtmlInputElement>()
        .map(|e| e.value())
        .or_else(|| r.cast::<HtmlSelectElement>().map(|e| e.value()))
        .unwrap_or_default()
}

fn checked(r: &NodeRef) -> bool {
    r.cast::<HtmlInputElement>().is_some_and(|c| c.checked())
}

fn kind_of(s: &str) -> ChannelKind {
    match s {
        "webhook" => ChannelKind::Webhook,
        "slack" => ChannelKind::Slack,
        "teams" => ChannelKind::Teams,
        _ => ChannelKind::Email,
    }
}

fn list_of(s: &str) -> Vec<String> {
    s.split([',', ';', ' ', '\n']).map(str::trim).filter(|x| !x.is_empty()).map(str::to_string).collect()
}

#[component]
pub fn AlertsPage() -> Html {
    let notify = use_notify();
    let config = use_fetch((), |_| async { api::alerts::get().await });
    let dead = use_fetch((), |_| async { api::alerts::dead_letters().await });
    let secret = use_state(|| None::<(String, String)>);
    let kind = use_state(|| "email".to_string());
    let refs: Vec<NodeRef> = (0..16).map(|_| NodeRef::default()).collect();
    let refs = use_memo((), move |_| refs);
    // 0 channel name, 1 kind, 2 recipients, 3 url, 4 rule name, 5 failed, 6 missed, 7 warning, 8 rule channel,
    // 9 batch minutes, 10 digest enabled, 11 digest hour, 12 digest recipients

    let on_kind = {
        let kind = kind.clone();
        Callback::from(move |e: Event| kind.set(e.target_unchecked_into::<HtmlSelectElement>().value()))
    };
    let add_channel = {
        let (refs, notify, reload, secret) = (refs.clone(), notify.clone(), config.reload.clone(), secret.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let k = kind_of(&input_value(&refs[1]));
            let body = NewChannel {
                name: input_value(&refs[0]),
                kind: k,
                recipients: if k == ChannelKind::Email { list_of(&input_value(&refs[2])) } else { Vec::new() },
                url: (k != ChannelKind::Email).then(|| input_value(&refs[3]).trim().to_string()),
            };
            let (notify, reload, secret, refs) = (notify.clone(), reload.clone(), secret.clone(), refs.clone());
            spawn_local(async move {
                match api::alerts::create_channel(&body).await {
                    Ok(c) => {
                        notify.ok(format!("Channel “{}” added", c.channel.name));
                        if let Some(s) = c.signing_secret {
                            secret.set(Some((c.channel.name.clone(), s)));
                        }
                        for i in [0, 2, 3] {
                            if let Some(el) = refs[i].cast::<HtmlInputElement>() {
                                el.set_value("");
                            }
                        }
                        reload.emit(());
                    }
                    Err(e) => notify.error(e),
                }
            });
        })
    };
    let add_rule = {
        let (refs, notify, reload) = (refs.clone(), notify.clone(), config.reload.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let mut statuses = Vec::new();
            for (i, s) in [(5, Status::Failed), (6, Status::Missed), (7, Status::Warning)] {
                if checked(&refs[i]) {
                    statuses.push(s);
                }
            }
            let channel = input_value(&refs[8]);
            let body = RuleBody {
                name: input_value(&refs[4]),
                statuses,
                customer_ids: Vec::new(),
                channel_ids: if channel.is_empty() { Vec::new() } else { vec![channel] },
                batch_minutes: input_value(&refs[9]).trim().parse().unwrap_or(0),
                enabled: true,
            };
            let (notify, reload) = (notify.clone(), reload.clone());
            spawn_local(async move {
                match api::alerts::create_rule(&body).await {
                    Ok(r) => {
                        notify.ok(format!("Rule “{}” added", r.name));
                        reload.emit(());
                    }
                    Err(e) => notify.error(e),
                }
            });
        })
    };
    let save_digest = {
        let (refs, notify, reload, config_data) =
            (refs.clone(), notify.clone(), config.reload.clone(), config.data.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let body = DigestSettings {
                enabled: checked(&refs[10]),
                hour: input_value(&refs[11]).trim().parse().unwrap_or(7),
                recipients: list_of(&input_value(&refs[12])),
                channel_ids: config_data.as_ref().map(|c| c.digest.channel_ids.clone()).unwrap_or_default(),
            };
            let (notify, reload) = (notify.clone(), reload.clone());
            spawn_local(async move {
                match api::alerts::put_digest(&body).await {
                    Ok(_) => {
                        notify.ok("Digest saved");
                        reload.emit(());
                    }
                    Err(e) => notify.error(e),
                }
            });
        })
    };

    let once = (*secret).clone().map(|(name, s)| {
        let done = {
            let secret = secret.clone();
            Callback::from(move |_| secret.set(None))
        };
        html! {
            <section class="card token-once" data-testid="channel-secret">
                <h2 class="card-title">{ format!("Signing secret of “{name}”") }</h2>
                <p class="alert alert-warn" role="alert">
                    <strong>{ "Copy it now: you will not see it again. " }</strong>
                    { "Check X-Backupchecks-Signature with it (docs/alerts.md)." }
                </p>
                <div class="inline-form">
                    <input class="secret" type="text" readonly=true value={s} aria-label="Signing secret" />
                    <button class="btn" type="button" onclick={done}>{ "I have copied it" }</button>
                </div>
            </section>
        }
    });

    let body = match (&config.data, &config.error) {
        (_, Some(e)) => html! { <ErrorView error={e.clone()} onretry={Some(config.reload.clone())} /> },
        (None, None) => html! { <Loading what="the alert settings" /> },
        (Some(c), None) => html! {
            <>
                <ChannelsCard config={(**c).clone()} reload={config.reload.clone()} />
                <RulesCard config={(**c).clone()} reload={config.reload.clone()} />
                <section class="card" aria-labelledby="r-new-title">
                    <h2 id="r-new-title" class="card-title">{ "New rule" }</h2>
                    <form class="inline-form" onsubmit={add_rule} data-testid="rule-form">
                        <div class="field">
                            <label for="r-name">{ "Name" }</label>
                            <input id="r-name" type="text" ref={refs[4].clone()} placeholder="e.g. Failures to the on-call channel" maxlength="100" />
                        </div>
                        <fieldset class="field">
                            <legend>{ "Statuses" }</legend>
                            <label><input type="checkbox" ref={refs[5].clone()} checked=true />{ " Failed" }</label>
                            <label><input type="checkbox" ref={refs[6].clone()} checked=true data-testid="rule-missed" />{ " Missed" }</label>
                            <label><input type="checkbox" ref={refs[7].clone()} />{ " Warning" }</label>
                        </fieldset>
                        <div class="field">
                            <label for="r-channel">{ "Channel" }</label>
                            <select id="r-channel" ref={refs[8].clone()}>
                                { for c.channels.iter().map(|ch| html! { <option value={ch.id.clone()}>{ ch.name.clone() }</option> }) }
                            </select>
                        </div>
                        <div class="field">
                            <label for="r-batch">{ "Batch (minutes, 0 = at once)" }</label>
                            <input id="r-batch" type="number" min="0" max="1440" value="0" ref={refs[9].clone()} />
                        </div>
                        <button class="btn btn-primary" type="submit" data-testid="rule-create">{ "Add rule" }</button>
                    </form>
                </section>
                <section class="card" aria-labelledby="d-title">
                    <h2 id="d-title" class="card-title">{ "Morning digest" }</h2>
                    <form class="inline-form" onsubmit={save_digest} data-testid="digest-form">
                        <label><input type="checkbox" ref={refs[10].clone()} checked={c.digest.enabled} />{ " Send a digest every morning" }</label>
                        <div class="field">
                            <label for="d-hour">{ "At (hour, MSP time zone)" }</label>
                            <input id="d-hour" type="number" min="0" max="23" value={c.digest.hour.to_string()} ref={refs[11].clone()} />
                        </div>
                        <div class="field">
                            <label for="d-to">{ "Recipients" }</label>
                            <input id="d-to" type="text" value={c.digest.recipients.join(", ")} ref={refs[12].clone()} placeholder="ops@msp.example" />
                        </div>
                        <button class="btn btn-primary" type="submit" data-testid="digest-save">{ "Save digest" }</button>
                    </form>
                    <p class="hint">{ "The digest counts yesterday's expected jobs by outcome, lists the failed and missed ones with links, and says how much Run Checks still holds." }</p>
                </section>
            </>
        },
    };

    let dead_body = match (&dead.data, &dead.error) {
        (_, Some(e)) => html! { <ErrorView error={e.clone()} onretry={Some(dead.reload.clone())} /> },
        (None, None) => html! { <Loading what="dead letters" /> },
        (Some(list), None) if list.is_empty() => {
            html! { <p class="hint" data-testid="dead-empty">{ "No dead letters: every background task got through." }</p> }
        }
        (Some(list), None) => html! {
            <table class="table" data-testid="dead-letters">
                <thead><tr><th scope="col">{ "Task" }</th><th scope="col">{ "Attempts" }</th><th scope="col"></th></tr></thead>
                <tbody>
                    { for list.iter().map(|d| {
                        let retry = {
                            let (id, notify, reload) = (d.id.clone(), notify.clone(), dead.reload.clone());
                            Callback::from(move |_| {
                                let (id, notify, reload) = (id.clone(), notify.clone(), reload.clone());
                                spawn_local(async move {
                                    match api::alerts::retry_dead_letter(&id).await {
                                        Ok(()) => { notify.ok("Back on the queue"); reload.emit(()); }
                                        Err(e) => notify.error(e),
                                    }
                                });
                            })
                        };
                        html! {
                            <tr key={d.id.clone()}>
                                <td>{ d.summary.clone() }</td>
                                <td>{ d.attempts }</td>
                                <td><button class="btn btn-small" type="button" onclick={retry}>{ "Retry" }</button></td>
                            </tr>
                        }
                    }) }
                </tbody>
            </table>
        },
    };

    html! {
        <section class="page">
            <h1>{ "Settings" }</h1>
            <SettingsTabs current={Route::Alerts} />
            { for once }
            <section class="card" aria-labelledby="c-new-title">
                <h2 id="c-new-title" class="card-title">{ "New channel" }</h2>
                <form class="inline-form" onsubmit={add_channel} data-testid="channel-form">
                    <div class="field">
                        <label for="c-name">{ "Name" }</label>
                        <input id="c-name" type="text" ref={refs[0].clone()} placeholder="e.g. Ops on-call" maxlength="100" />
                    </div>
                    <div class="field">
                        <label for="c-kind">{ "Kind" }</label>
                        <select id="c-kind" ref={refs[1].clone()} onchange={on_kind}>
                            { for ChannelKind::ALL.iter().map(|k| {
                                let v = match k { ChannelKind::Email => "email", ChannelKind::Webhook => "webhook", ChannelKind::Slack => "slack", ChannelKind::Teams => "teams" };
                                html! { <option value={v} selected={*kind == v}>{ k.label() }</option> }
                            }) }
                        </select>
                    </div>
                    if *kind == "email" {
                        <div class="field">
                            <label for="c-to">{ "Recipients" }</label>
                            <input id="c-to" type="text" ref={refs[2].clone()} placeholder="ops@msp.example, oncall@msp.example" />
                        </div>
                    } else {
                        <div class="field">
                            <label for="c-url">{ "Webhook URL (https)" }</label>
                            <input id="c-url" type="url" ref={refs[3].clone()} placeholder="https://hooks.slack.com/services/…" />
                        </div>
                    }
                    <button class="btn btn-primary" type="submit" data-testid="channel-create">{ "Add channel" }</button>
                </form>
                <p class="hint">{ "Webhook URLs must be https and may not point inside your network. The URL is never shown again in full." }</p>
            </section>
            { body }
            <section class="card" aria-labelledby="dl-title">
                <h2 id="dl-title" class="card-title">{ "Dead letters" }</h2>
                <p class="hint">{ "Background tasks (alerts, mails, Autotask calls) that kept failing after their retries. Fix the cause, then retry." }</p>
                { dead_body }
            </section>
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct CardProps {
    config: AlertsConfig,
    reload: Callback<()>,
}

#[component]
fn ChannelsCard(props: &CardProps) -> Html {
    let notify = use_notify();
    let c = &props.config;
    html! {
        <section class="card" aria-labelledby="c-title">
            <h2 id="c-title" class="card-title">{ "Channels" }</h2>
            if c.channels.is_empty() {
                <p class="hint" data-testid="channels-empty">{ "No channels yet: add one above." }</p>
            } else {
                <table class="table" data-testid="channels">
                    <thead><tr>
                        <th scope="col">{ "Name" }</th><th scope="col">{ "Kind" }</th><th scope="col">{ "Goes to" }</th>
                        <th scope="col" class="hide-narrow">{ "Added" }</th><th scope="col"></th>
                    </tr></thead>
                    <tbody>
                        { for c.channels.iter().map(|ch| {
                            let test = {
                                let (id, notify) = (ch.id.clone(), notify.clone());
                                Callback::from(move |_| {
                                    let (id, notify) = (id.clone(), notify.clone());
                                    spawn_local(async move {
                                        match api::alerts::test_channel(&id).await {
                                            Ok(()) => notify.ok("Test alert queued"),
                                            Err(e) => notify.error(e),
                                        }
                                    });
                                })
                            };
                            let delete = {
                                let (id, notify, reload) = (ch.id.clone(), notify.clone(), props.reload.clone());
                                Callback::from(move |_| {
                                    let (id, notify, reload) = (id.clone(), notify.clone(), reload.clone());
                                    spawn_local(async move {
                                        match api::alerts::delete_channel(&id).await {
                                            Ok(()) => { notify.ok("Channel deleted"); reload.emit(()); }
                                            Err(e) => notify.error(e),
                                        }
                                    });
                                })
                            };
                            let to = if ch.recipients.is_empty() { ch.url_hint.clone().unwrap_or_default() } else { ch.recipients.join(", ") };
                            html! {
                                <tr key={ch.id.clone()}>
                                    <td>{ ch.name.clone() }</td>
                                    <td>{ ch.kind.label() }</td>
                                    <td>{ to }</td>
                                    <td class="hide-narrow"><Time at={ch.created_at} /></td>
                                    <td class="actions">
                                        <button class="btn btn-small" type="button" onclick={test}>{ "Send test" }</button>
                                        <ConfirmButton label="Delete" confirm="Delete this channel? Its rules stop using it." onconfirm={delete} />
                                    </td>
                                </tr>
                            }
                        }) }
                    </tbody>
                </table>
            }
        </section>
    }
}

#[component]
fn RulesCard(props: &CardProps) -> Html {
    let notify = use_notify();
    let c = &props.config;
    let channel_name =
        |id: &String| c.channels.iter().find(|ch| ch.id == *id).map(|ch| ch.name.clone()).unwrap_or_else(|| id.clone());
    html! {
        <section class="card" aria-labelledby="r-title">
            <h2 id="r-title" class="card-title">{ "Rules" }</h2>
            if c.rules.is_empty() {
                <p class="hint" data-testid="rules-empty">{ "No rules: nothing alerts yet." }</p>
            } else {
                <table class="table" data-testid="rules">
                    <thead><tr>
                        <th scope="col">{ "Name" }</th><th scope="col">{ "Statuses" }</th><th scope="col">{ "Channels" }</th>
                        <th scope="col">{ "When" }</th><th scope="col"></th>
                    </tr></thead>
                    <tbody>
                        { for c.rules.iter().map(|r| {
                            let delete = {
                                let (id, notify, reload) = (r.id.clone(), notify.clone(), props.reload.clone());
                                Callback::from(move |_| {
                                    let (id, notify, reload) = (id.clone(), notify.clone(), reload.clone());
                                    spawn_local(async move {
                                        match api::alerts::delete_rule(&id).await {
                                            Ok(()) => { notify.ok("Rule deleted"); reload.emit(()); }
                                            Err(e) => notify.error(e),
                                        }
                                    });
                                })
                            };
                            let statuses: Vec<String> = r.statuses.iter().map(|s| s.to_string()).collect();
                            let when = if r.batch_minutes == 0 { "at once".to_string() } else { format!("every {} min", r.batch_minutes) };
                            html! {
                                <tr key={r.id.clone()}>
                                    <td>{ r.name.clone() }</td>
                                    <td>{ statuses.join(", ") }</td>
                                    <td>{ r.channel_ids.iter().map(channel_name).collect::<Vec<_>>().join(", ") }</td>
                                    <td>{ when }</td>
                                    <td class="actions"><ConfirmButton label="Delete" confirm="Delete this rule?" onconfirm={delete} /></td>
                                </tr>
                            }
                        }) }
                    </tbody>
                </table>
            }
        </section>
    }
}
