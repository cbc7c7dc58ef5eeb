//! Pick the customer a job belongs to: type to filter the customers, or
//! create a new one in place when none fits.

use bc_api_types::{Customer, Permission};
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::api;
use crate::components::ErrorView;
use crate::hooks::use_fetch;
use crate::session::use_session;
use crate::toast::use_notify;

#[derive(Properties, PartialEq)]
pub struct CustomerPickerProps {
    /// A customer was chosen (or created); None when the text no longer names one.
    pub onselect: Callback<Option<Customer>>,
    /// The id the input is labelled by.
    #[prop_or(AttrValue::Static("customer-picker"))]
    pub id: AttrValue,
}

/// One line of the suggestion list.
#[derive(Clone, PartialEq)]
enum Choice {
    Existing(Customer),
    Create(String),
}

const MAX_SHOWN: usize = 8;

#[component]
pub fn CustomerPicker(props: &CustomerPickerProps) -> Html {
    let session = use_session();
    let notify = use_notify();
    let customers = use_fetch((), |_| async { api::customers::list().await });
    let text = use_state(String::new);
    let open = use_state(|| false);
    let active = use_state(|| 0usize);
    let creating = use_state(|| false);

    let query = text.trim().to_lowercase();
    let all: Vec<Customer> = customers.data.as_ref().map(|l| l.items.clone()).unwrap_or_default();
    let mut choices: Vec<Choice> = all
        .iter()
        .filter(|c| c.active && (query.is_empty() || c.name.to_lowercase().contains(&query)))
        .take(MAX_SHOWN)
        .cloned()
        .map(Choice::Existing)
        .collect();
    let exact = all.iter().any(|c| c.name.to_lowercase() == query);
    if !query.is_empty() && !exact && session.can(Permission::ManageCustomers) {
        choices.push(Choice::Create(text.trim().to_string()));
    }

    let choose = {
        let text = text.clone();
        let open = open.clone();
        let creating = creating.clone();
        let onselect = props.onselect.clone();
        let reload = customers.reload.clone();
        Callback::from(move |choice: Choice| {
            open.set(false);
            match choice {
                Choice::Existing(c) => {
                    text.set(c.name.clone());
                    onselect.emit(Some(c));
                }
                Choice::Create(name) => {
                    creating.set(true);
                    let (onselect, notify, creating, text, reload) =
                        (onselect.clone(), notify.clone(), creating.clone(), text.clone(), reload.clone());
                    spawn_local(async move {
                        match api::customers::create(&name).await {
                            Ok(c) => {
                                notify.ok(format!("Created customer {}", c.name));
                                text.set(c.name.clone());
                                onselect.emit(Some(c));
                                reload.emit(());
                            }
                            Err(e) => notify.error(e),
                        }
                        creating.set(false);
                    });
                }
            }
        })
    };

    let oninput = {
        let text = text.clone();
        let open = open.clone();
        let active = active.clone();
        let onselect = props.onselect.clone();
        let all = all.clone();
        Callback::from(move |e: InputEvent| {
            let v = e.target_unchecked_into::<web_sys::HtmlInputElement>().value();
            let named = all.iter().find(|c| c.active && c.name.eq_ignore_ascii_case(v.trim())).cloned();
            onselect.emit(named);
            text.set(v);
            open.set(true);
            active.set(0);
        })
    };
    let onkeydown = {
        let open = open.clone();
        let active = active.clone();
        let choices = choices.clone();
        let choose = choose.clone();
        Callback::from(move |e: KeyboardEvent| match e.key().as_str() {
            "ArrowDown" => {
                e.prevent_default();
                open.set(true);
                active.set((*active + 1).min(choices.len().saturating_sub(1)));
            }
            "ArrowUp" => {
                e.prevent_default();
                active.set(active.saturating_sub(1));
            }
            "Enter" if *open => {
                e.prevent_default();
                if let Some(c) = choices.get(*active) {
                    choose.emit(c.clone());
                }
            }
            "Escape" => open.set(false),
            _ => {}
        })
    };
    let onfocus = {
        let open = open.clone();
        Callback::from(move |_| open.set(true))
    };
    let onblur = {
        let open = open.clone();
        Callback::from(move |_| open.set(false))
    };
    let list_id = format!("{}-list", props.id);
    let option_id = |i: usize| format!("{}-opt-{i}", props.id);
    let show = *open && !choices.is_empty();

    html! {
        <div class="picker">
            <input id={props.id.clone()} type="text" role="combobox" autocomplete="off"
                   aria-autocomplete="list" aria-controls={list_id.clone()} aria-expanded={show.to_string()}
                   aria-activedescendant={show.then(|| option_id(*active))}
                   placeholder="Type to search or create" value={(*text).clone()}
                   disabled={*creating} {oninput} {onkeydown} {onfocus} {onblur} />
            if let Some(e) = &customers.error {
                <ErrorView error={e.clone()} onretry={Some(customers.reload.clone())} />
            }
            if show {
                <ul class="listbox" role="listbox" id={list_id}>
                    { for choices.iter().enumerate().map(|(i, c)| {
                        let pick = { let choose = choose.clone(); let c = c.clone(); Callback::from(move |e: MouseEvent| { e.prevent_default(); choose.emit(c.clone()) }) };
                        let label = match c {
                            Choice::Existing(c) => html! { <>{ &c.name }<span class="muted">{ format!(" · {} jobs", c.job_count) }</span></> },
                            Choice::Create(n) => html! { <strong>{ format!("+ Create customer “{n}”") }</strong> },
                        };
                        html! {
                            <li id={option_id(i)} role="option" aria-selected={(i == *active).to_string()}
                                class={classes!("option", (i == *active).then_some("active"))} onmousedown={pick}>{ label }</li>
                        }
                    }) }
                </ul>
            }
        </div>
    }
}
