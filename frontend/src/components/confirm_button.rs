//! A button for destructive actions that asks once more in place (no
//! blocking browser dialog).

use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ConfirmButtonProps {
    pub label: AttrValue,
    /// The question on the second step: "Really delete this mail?".
    pub confirm: AttrValue,
    pub onconfirm: Callback<()>,
    #[prop_or(false)]
    pub disabled: bool,
    #[prop_or(AttrValue::Static("btn btn-danger"))]
    pub class: AttrValue,
}

#[component]
pub fn ConfirmButton(props: &ConfirmButtonProps) -> Html {
    let asking = use_state(|| false);
    if *asking {
        let yes = {
            let asking = asking.clone();
            let cb = props.onconfirm.clone();
            Callback::from(move |_| {
                asking.set(false);
                cb.emit(());
            })
        };
        let no = {
            let asking = asking.clone();
            Callback::from(move |_| asking.set(false))
        };
        html! {
            <span class="confirm" role="group" aria-label={props.confirm.clone()}>
                <span>{ props.confirm.clone() }</span>
                <button class="btn btn-danger" onclick={yes}>{ "Yes" }</button>
                <button class="btn" onclick={no}>{ "No" }</button>
            </span>
        }
    } else {
        let ask = {
            let asking = asking.clone();
            Callback::from(move |_| asking.set(true))
        };
        html! { <button class={props.class.clone()} disabled={props.disabled} onclick={ask}>{ props.label.clone() }</button> }
    }
}
