//! Short notices after an action ("Marked 3 runs reviewed"), announced to
//! screen readers; errors stay until dismissed so nothing fails silently.

use std::cell::Cell;
use std::rc::Rc;

use gloo_timers::callback::Timeout;
use yew::prelude::*;

#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    Success,
    Error,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Toast {
    pub id: u32,
    pub kind: Kind,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Toasts {
    items: Vec<Toast>,
}

pub enum ToastAction {
    Push(Toast),
    Dismiss(u32),
}

thread_local! {
    static NEXT_ID: Cell<u32> = const { Cell::new(0) };
}

fn next_id() -> u32 {
    NEXT_ID.with(|n| {
        let id = n.get();
        n.set(id.wrapping_add(1));
        id
    })
}

impl Reducible for Toasts {
    type Action = ToastAction;

    fn reduce(self: Rc<Self>, action: ToastAction) -> Rc<Self> {
        let mut t = (*self).clone();
        match action {
            ToastAction::Push(toast) => {
                t.items.push(toast);
                // Keep the stack short.
                if t.items.len() > 4 {
                    t.items.remove(0);
                }
            }
            ToastAction::Dismiss(id) => t.items.retain(|x| x.id != id),
        }
        Rc::new(t)
    }
}

/// What pages call: `notify.ok("…")` or `notify.error(err)`.
#[derive(Clone, PartialEq)]
pub struct Notify(Option<UseReducerHandle<Toasts>>);

impl Notify {
    pub fn ok(&self, text: impl Into<String>) {
        let Some(h) = self.0.clone() else { return };
        let id = next_id();
        h.dispatch(ToastAction::Push(Toast { id, kind: Kind::Success, text: text.into() }));
        Timeout::new(5_000, move || h.dispatch(ToastAction::Dismiss(id))).forget();
    }

    pub fn error(&self, text: impl ToString) {
        match &self.0 {
            Some(h) => {
                h.dispatch(ToastAction::Push(Toast { id: next_id(), kind: Kind::Error, text: text.to_string() }))
            }
            // Outside the provider (never in the app): still not silent.
            None => web_sys::console::error_1(&text.to_string().into()),
        }
    }
}

#[hook]
pub fn use_notify() -> Notify {
    use_context::<Notify>().unwrap_or(Notify(None))
}

#[derive(Properties, PartialEq)]
pub struct ToastProviderProps {
    pub children: Html,
}

#[component]
pub fn ToastProvider(props: &ToastProviderProps) -> Html {
    let toasts = use_reducer(Toasts::default);
    let notify = Notify(Some(toasts.clone()));
    html! {
        <ContextProvider<Notify> context={notify}>
            { props.children.clone() }
            <div class="toasts" role="status" aria-live="polite">
                { for toasts.items.iter().map(|t| {
                    let h = toasts.clone();
                    let id = t.id;
                    let dismiss = Callback::from(move |_| h.dispatch(ToastAction::Dismiss(id)));
                    let class = match t.kind { Kind::Success => "toast toast-ok", Kind::Error => "toast toast-error" };
                    html! {
                        <div {class}>
                            <span>{ &t.text }</span>
                            <button class="link" onclick={dismiss} aria-label="Dismiss notice">{ "×" }</button>
                        </div>
                    }
                }) }
            </div>
        </ContextProvider<Notify>>
    }
}
