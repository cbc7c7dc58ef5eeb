//! Users (admins): create, set roles, reset passwords, deactivate.

use bc_api_types::{CreateUser, Role, UpdateUser, User};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::api;
use crate::components::{ErrorView, Loading, Time};
use crate::hooks::use_fetch;
use crate::session::use_session;
use crate::toast::use_notify;

fn role_note(r: Role) -> &'static str {
    match r {
        Role::Admin => "everything, incl. unmarking reviews, users and settings",
        Role::Operator => "reviews runs, approves jobs, manages customers",
        Role::Reporter => "reads jobs and customers (reports)",
        Role::Viewer => "reads jobs and customers",
    }
}

#[component]
pub fn UsersPage() -> Html {
    let notify = use_notify();
    let list = use_fetch((), |_| async { api::users::list().await });
    let (username, password, role) = (use_node_ref(), use_node_ref(), use_node_ref());

    let create = {
        let (username, password, role, notify, reload) =
            (username.clone(), password.clone(), role.clone(), notify.clone(), list.reload.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let (Some(u), Some(p), Some(r)) = (
                username.cast::<HtmlInputElement>(),
                password.cast::<HtmlInputElement>(),
                role.cast::<HtmlSelectElement>(),
            ) else {
                return;
            };
            let Ok(role) = r.value().parse::<Role>() else {
                notify.error("Choose a role.");
                return;
            };
            let user = CreateUser { username: u.value().trim().to_string(), password: p.value(), role };
            let (notify, reload) = (notify.clone(), reload.clone());
            spawn_local(async move {
                match api::users::create(&user).await {
                    Ok(created) => {
                        notify.ok(format!("Created {} ({})", created.username, created.role));
                        u.set_value("");
                        p.set_value("");
                        reload.emit(());
                    }
                    Err(e) => notify.error(e),
                }
            });
        })
    };

    let body = match (&list.data, &list.error) {
        (_, Some(e)) => html! { <ErrorView error={e.clone()} onretry={Some(list.reload.clone())} /> },
        (None, None) => html! { <Loading what="users" /> },
        (Some(l), None) => html! {
            <div class="table-wrap">
                <table class="table users">
                    <thead><tr>
                        <th scope="col">{ "Username" }</th><th scope="col">{ "Role" }</th><th scope="col">{ "Status" }</th>
                        <th scope="col" class="hide-narrow">{ "Created" }</th><th scope="col"><span class="sr-only">{ "Actions" }</span></th>
                    </tr></thead>
                    <tbody>
                        { for l.items.iter().map(|u| html! { <UserRow key={u.id.clone()} user={u.clone()} reload={list.reload.clone()} /> }) }
                    </tbody>
                </table>
            </div>
        },
    };

    html! {
        <section class="page">
            <div class="page-head"><h1>{ "Users" }</h1></div>
            <form class="card inline-form wrap" onsubmit={create} aria-labelledby="new-user">
                <h2 id="new-user" class="full">{ "New user" }</h2>
                <div class="field">
                    <label for="u-name">{ "Username" }</label>
                    <input id="u-name" type="text" autocomplete="off" ref={username} required=true />
                </div>
                <div class="field">
                    <label for="u-pass">{ "Password" }</label>
                    <input id="u-pass" type="password" autocomplete="new-password" ref={password} required=true />
                </div>
                <div class="field">
                    <label for="u-role">{ "Role" }</label>
                    <select id="u-role" ref={role}>
                        { for Role::ALL.iter().map(|r| html! { <option value={r.as_str()} selected={*r == Role::Operator}>{ r.as_str() }</option> }) }
                    </select>
                </div>
                <button class="btn btn-primary" type="submit">{ "Create user" }</button>
            </form>
            <ul class="hint roles">
                { for Role::ALL.iter().map(|r| html! { <li><strong>{ r.as_str() }</strong>{ format!(": {}", role_note(*r)) }</li> }) }
            </ul>
            { body }
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct RowProps {
    user: User,
    reload: Callback<()>,
}

#[component]
fn UserRow(props: &RowProps) -> Html {
    let session = use_session();
    let notify = use_notify();
    let resetting = use_state(|| false);
    let pw_ref = use_node_ref();
    let u = &props.user;
    let is_me = u.id == session.me.id;
    let update = {
        let (notify, reload, id) = (notify.clone(), props.reload.clone(), u.id.clone());
        Callback::from(move |(change, what): (UpdateUser, String)| {
            let (notify, reload, id) = (notify.clone(), reload.clone(), id.clone());
            spawn_local(async move {
                match api::users::update(&id, &change).await {
                    Ok(_) => {
                        notify.ok(what);
                        reload.emit(());
                    }
                    Err(e) => {
                        notify.error(e);
                        reload.emit(());
                    }
                }
            });
        })
    };
    let on_role = {
        let (update, name) = (update.clone(), u.username.clone());
        Callback::from(move |e: Event| {
            if let Ok(role) = e.target_unchecked_into::<HtmlSelectElement>().value().parse::<Role>() {
                update.emit((
                    UpdateUser { role: Some(role), active: None, password: None },
                    format!("{name} is now {role}"),
                ));
            }
        })
    };
    let toggle_active = {
        let (update, active, name) = (update.clone(), u.active, u.username.clone());
        Callback::from(move |_| {
            let what = if active { format!("Deactivated {name}") } else { format!("Activated {name}") };
            update.emit((UpdateUser { role: None, active: Some(!active), password: None }, what));
        })
    };
    let save_pw = {
        let (update, resetting, pw_ref, name) = (update.clone(), resetting.clone(), pw_ref.clone(), u.username.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let pw = pw_ref.cast::<HtmlInputElement>().map(|i| i.value()).unwrap_or_default();
            resetting.set(false);
            update.emit((
                UpdateUser { role: None, active: None, password: Some(pw) },
                format!("Password of {name} reset"),
            ));
        })
    };
    let start_reset = {
        let resetting = resetting.clone();
        Callback::from(move |_| resetting.set(true))
    };
    let cancel = {
        let resetting = resetting.clone();
        Callback::from(move |_| resetting.set(false))
    };
    html! {
        <tr class={classes!((!u.active).then_some("inactive"))}>
            <td>{ &u.username }{ if is_me { " (you)" } else { "" } }</td>
            <td>
                <select onchange={on_role} aria-label={format!("Role of {}", u.username)} disabled={is_me}>
                    { for Role::ALL.iter().map(|r| html! { <option value={r.as_str()} selected={*r == u.role}>{ r.as_str() }</option> }) }
                </select>
            </td>
            <td>{ if u.active { "Active" } else { "Deactivated" } }</td>
            <td class="hide-narrow"><Time at={u.created_at} /></td>
            <td><div class="row-actions">
                if *resetting {
                    <form class="inline-form" onsubmit={save_pw}>
                        <input type="password" autocomplete="new-password" ref={pw_ref} required=true
                               aria-label={format!("New password for {}", u.username)} placeholder="New password" />
                        <button class="btn btn-small btn-primary" type="submit">{ "Set" }</button>
                        <button class="btn btn-small" type="button" onclick={cancel}>{ "Cancel" }</button>
                    </form>
                } else {
                    <button class="btn btn-small" onclick={start_reset}>{ "Reset password" }</button>
                }
                if !is_me {
                    <button class="btn btn-small" onclick={toggle_active}>{ if u.active { "Deactivate" } else { "Activate" } }</button>
                }
            </div></td>
        </tr>
    }
}
