//! The keyword rules editor: a table of rules, a form to add or edit one,
//! and one Save for the whole list (the server stores the list as a whole
//! and says which rule is wrong: "rule 2: …").

use std::rc::Rc;

use bc_api_types::{KeywordRule, KeywordRules, Scope};
use web_sys::{HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::platform::spawn_local;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::api;
use crate::components::{ErrorView, Loading};
use crate::hooks::{set_value, use_fetch};
use crate::route::Route;
use crate::toast::use_notify;

const SCOPES: [(Scope, &str, &str); 3] = [
    (Scope::Both, "both", "Subject and body"),
    (Scope::Subject, "subject", "Subject only"),
    (Scope::Body, "body", "Body only"),
];

fn scope_label(s: Scope) -> &'static str {
    SCOPES.iter().find(|(x, _, _)| *x == s).map(|(_, _, l)| *l).unwrap_or("Subject and body")
}

/// Keywords from the form: one a line, spaces at the ends and empty lines dropped.
fn keywords(text: &str) -> Vec<String> {
    text.lines().map(str::trim).filter(|l| !l.is_empty()).map(String::from).collect()
}

/// The rule a server message names ("rule 2: …"), 0-based.
fn rule_index(message: &str) -> Option<usize> {
    let (n, _) = message.strip_prefix("rule ")?.split_once(':')?;
    n.trim().parse::<usize>().ok()?.checked_sub(1)
}

#[component]
pub fn KeywordRulesCard() -> Html {
    let rules = use_fetch((), |_| async { api::settings::keyword_rules().await });
    let body = match (&rules.data, &rules.error) {
        (_, Some(e)) => html! { <ErrorView error={e.clone()} onretry={Some(rules.reload.clone())} /> },
        (None, None) => html! { <Loading what="keyword rules" /> },
        (Some(r), None) => html! { <RulesEditor stored={r.clone()} /> },
    };
    html! {
        <section class="card keyword-rules-card" aria-labelledby="kw-title">
            <h2 id="kw-title" class="card-title">{ "Keyword rules" }</h2>
            <p class="hint">
                { "Give a status to report mails of senders no product parser reads (scripts, NAS boxes, appliances): \
                   per sender, the first keyword found decides — failure, then warning, then success. \
                   A product parser always wins over a rule." }
            </p>
            <p class="hint">
                { "Rules apply to mails that arrive after saving. Mails already waiting in the " }
                <Link<Route> to={Route::Inbox}>{ "Inbox" }</Link<Route>>
                { " pick them up with Re-parse all there." }
            </p>
            { body }
        </section>
    }
}

/// Which rule the form is open for.
#[derive(Clone, Copy, PartialEq)]
enum Editing {
    New,
    At(usize),
}

#[derive(Properties, PartialEq)]
struct EditorProps {
    stored: Rc<KeywordRules>,
}

#[component]
fn RulesEditor(props: &EditorProps) -> Html {
    let notify = use_notify();
    // What the server holds, and the list being edited; they differ until saved.
    let saved = use_state(|| props.stored.rules.clone());
    let draft = use_state(|| props.stored.rules.clone());
    let editing = use_state(|| None::<Editing>);
    let error = use_state(|| None::<String>);
    let busy = use_state(|| false);
    let dirty = *draft != *saved;
    let bad_row = error.as_deref().and_then(rule_index);

    let save = {
        let (draft, saved, error, busy, notify) =
            (draft.clone(), saved.clone(), error.clone(), busy.clone(), notify.clone());
        Callback::from(move |_: MouseEvent| {
            if *busy {
                return;
            }
            busy.set(true);
            let rules = KeywordRules { rules: (*draft).clone() };
            let (draft, saved, error, busy, notify) =
                (draft.clone(), saved.clone(), error.clone(), busy.clone(), notify.clone());
            spawn_local(async move {
                match api::settings::put_keyword_rules(&rules).await {
                    Ok(stored) => {
                        let n = stored.rules.len();
                        saved.set(stored.rules.clone());
                        draft.set(stored.rules);
                        error.set(None);
                        notify.ok(format!("Saved {n} keyword rule(s)"));
                    }
                    Err(e) => error.set(Some(e.to_string())),
                }
                busy.set(false);
            });
        })
    };
    let discard = {
        let (draft, saved, error) = (draft.clone(), saved.clone(), error.clone());
        Callback::from(move |_: MouseEvent| {
            draft.set((*saved).clone());
            error.set(None);
        })
    };
    let add = {
        let editing = editing.clone();
        Callback::from(move |_: MouseEvent| editing.set(Some(Editing::New)))
    };
    let on_form_save = {
        let (draft, editing, error) = (draft.clone(), editing.clone(), error.clone());
        Callback::from(move |rule: KeywordRule| {
            let mut rules = (*draft).clone();
            match *editing {
                Some(Editing::At(i)) if i < rules.len() => {
                    rules[i] = rule;
                    // The message was about this rule, which has changed since.
                    if error.as_deref().and_then(rule_index) == Some(i) {
                        error.set(None);
                    }
                }
                _ => rules.push(rule),
            }
            draft.set(rules);
            editing.set(None);
        })
    };
    let on_form_cancel = {
        let editing = editing.clone();
        Callback::from(move |_| editing.set(None))
    };

    let rows = draft.iter().enumerate().map(|(i, r)| {
        let edit = {
            let editing = editing.clone();
            Callback::from(move |_: MouseEvent| editing.set(Some(Editing::At(i))))
        };
        let remove = {
            let (draft, editing, error) = (draft.clone(), editing.clone(), error.clone());
            Callback::from(move |_: MouseEvent| {
                let mut rules = (*draft).clone();
                if i < rules.len() {
                    rules.remove(i);
                }
                draft.set(rules);
                editing.set(None);
                // Rule numbers shift: the message may name another rule now.
                error.set(None);
            })
        };
        let n = i + 1;
        let here = *editing == Some(Editing::At(i));
        html! {
            <tr class={classes!((bad_row == Some(i)).then_some("invalid"), here.then_some("current"))}>
                <td class="muted">{ n }</td>
                <td class="sender">{ &r.sender }</td>
                <td>{ keyword_list(&r.failure) }</td>
                <td>{ keyword_list(&r.warning) }</td>
                <td>{ keyword_list(&r.success) }</td>
                <td>{ scope_label(r.scope) }</td>
                <td>
                    if let Some(j) = &r.job_name { { j } } else { <span class="muted">{ "from the subject" }</span> }
                </td>
                <td><div class="row-actions">
                    <button class="btn btn-small" onclick={edit} disabled={editing.is_some()}
                            aria-label={format!("Edit rule {n}")}>{ "Edit" }</button>
                    <button class="btn btn-small" onclick={remove} disabled={editing.is_some()}
                            aria-label={format!("Remove rule {n}")}>{ "Remove" }</button>
                </div></td>
            </tr>
        }
    });

    let form = (*editing).map(|e| {
        let (rule, title, submit, key) = match e {
            Editing::At(i) => (
                draft.get(i).cloned().unwrap_or_default(),
                format!("Edit rule {}", i + 1),
                "Update rule",
                format!("rule-{i}"),
            ),
            Editing::New => (KeywordRule::default(), "New rule".to_string(), "Add rule", "new".to_string()),
        };
        html! {
            <RuleForm {key} {rule} title={title} submit={submit} onsave={on_form_save.clone()} oncancel={on_form_cancel.clone()} />
        }
    });

    html! {
        <>
            if draft.is_empty() {
                <p class="muted" data-testid="kw-empty">
                    { "No keyword rules yet: mails of senders no parser reads wait in the Inbox as not understood." }
                </p>
            } else {
                <div class="table-wrap">
                    <table class="table keyword-rules" aria-labelledby="kw-title">
                        <thead><tr>
                            <th scope="col">{ "#" }</th>
                            <th scope="col">{ "Sender" }</th>
                            <th scope="col">{ "Failure keywords" }</th>
                            <th scope="col">{ "Warning keywords" }</th>
                            <th scope="col">{ "Success keywords" }</th>
                            <th scope="col">{ "Looks in" }</th>
                            <th scope="col">{ "Job name" }</th>
                            <th scope="col"><span class="sr-only">{ "Actions" }</span></th>
                        </tr></thead>
                        <tbody>{ for rows }</tbody>
                    </table>
                </div>
            }
            { for form }
            if let Some(msg) = &*error {
                <p class="alert alert-error" role="alert" data-testid="kw-error">
                    { format!("Not saved: {msg}") }
                </p>
            }
            if editing.is_none() {
                <div class="actions-row">
                    <button class="btn" onclick={add} data-testid="kw-add">{ "Add rule" }</button>
                    <span class="spacer"></span>
                    if dirty {
                        <span class="unsaved" role="status">{ "Unsaved changes" }</span>
                        <button class="btn btn-ghost" onclick={discard} disabled={*busy}>{ "Discard" }</button>
                    }
                    <button class="btn btn-primary" onclick={save} disabled={!dirty || *busy} data-testid="kw-save">
                        { "Save rules" }
                    </button>
                </div>
            }
        </>
    }
}

fn keyword_list(words: &[String]) -> Html {
    if words.is_empty() {
        return html! { <span class="muted">{ "—" }</span> };
    }
    html! { <span class="keywords">{ for words.iter().map(|w| html! { <code class="kw">{ w }</code> }) }</span> }
}

#[derive(Properties, PartialEq)]
struct RuleFormProps {
    rule: KeywordRule,
    title: String,
    submit: &'static str,
    onsave: Callback<KeywordRule>,
    oncancel: Callback<()>,
}

/// One rule's fields; keyed by the rule, so opening another starts fresh.
#[component]
fn RuleForm(props: &RuleFormProps) -> Html {
    let (sender, failure, warning, success, scope, job) =
        (use_node_ref(), use_node_ref(), use_node_ref(), use_node_ref(), use_node_ref(), use_node_ref());
    // The fields are filled once, when the form opens, and are the
    // browser's from then on: a redraw of the page (a notice coming or
    // going) must not put back what the rule held while the user types.
    {
        let refs = (sender.clone(), failure.clone(), warning.clone(), success.clone(), scope.clone(), job.clone());
        let rule = props.rule.clone();
        use_effect_with((), move |_| {
            let (sender, failure, warning, success, scope, job) = refs;
            set_value(&sender, &rule.sender);
            set_value(&failure, &rule.failure.join("\n"));
            set_value(&warning, &rule.warning.join("\n"));
            set_value(&success, &rule.success.join("\n"));
            let scope_value = SCOPES.iter().find(|(s, _, _)| *s == rule.scope).map(|(_, v, _)| *v).unwrap_or("both");
            set_value(&scope, scope_value);
            set_value(&job, rule.job_name.as_deref().unwrap_or(""));
            if let Some(i) = sender.cast::<HtmlInputElement>() {
                let _ = i.focus();
            }
        });
    }
    let onsubmit = {
        let (sender, failure, warning, success, scope, job) =
            (sender.clone(), failure.clone(), warning.clone(), success.clone(), scope.clone(), job.clone());
        let onsave = props.onsave.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let input = |r: &NodeRef| r.cast::<HtmlInputElement>().map(|i| i.value()).unwrap_or_default();
            let area = |r: &NodeRef| r.cast::<HtmlTextAreaElement>().map(|t| keywords(&t.value())).unwrap_or_default();
            let scope_value = scope.cast::<HtmlSelectElement>().map(|s| s.value()).unwrap_or_default();
            let job_name = input(&job).trim().to_string();
            onsave.emit(KeywordRule {
                sender: input(&sender).trim().to_string(),
                failure: area(&failure),
                warning: area(&warning),
                success: area(&success),
                scope: SCOPES.iter().find(|(_, v, _)| *v == scope_value).map(|(s, _, _)| *s).unwrap_or_default(),
                job_name: (!job_name.is_empty()).then_some(job_name),
            });
        })
    };
    let cancel = {
        let oncancel = props.oncancel.clone();
        Callback::from(move |_: MouseEvent| oncancel.emit(()))
    };
    html! {
        <form class="rule-form" {onsubmit} aria-labelledby="kw-form-title" data-testid="kw-form">
            <h3 id="kw-form-title">{ &props.title }</h3>
            <div class="field">
                <label for="kw-sender">{ "Sender" }</label>
                <input id="kw-sender" type="text" ref={sender} required=true autocomplete="off"
                       placeholder="backup@nas.example.com or @example.com" aria-describedby="kw-sender-help" />
                <p id="kw-sender-help" class="hint">{ "An exact address, or @domain for every sender of a domain." }</p>
            </div>
            <div class="kw-lists">
                { keyword_field("kw-failure", "Failure keywords", &failure) }
                { keyword_field("kw-warning", "Warning keywords", &warning) }
                { keyword_field("kw-success", "Success keywords", &success) }
            </div>
            <p id="kw-lists-help" class="hint">
                { "One keyword per line; at least one in all. Case-sensitive, found anywhere in the text \
                   (spaces at the ends of a line are ignored)." }
            </p>
            <div class="kw-row">
                <div class="field">
                    <label for="kw-scope">{ "Look in" }</label>
                    <select id="kw-scope" ref={scope}>
                        { for SCOPES.iter().map(|(_, v, l)| html! { <option value={*v}>{ *l }</option> }) }
                    </select>
                </div>
                <div class="field grow">
                    <label for="kw-job">{ "Fixed job name (optional)" }</label>
                    <input id="kw-job" type="text" ref={job} autocomplete="off"
                           placeholder="Empty: the subject without keywords, dates and times" />
                </div>
            </div>
            <div class="actions-row">
                <button class="btn btn-primary" type="submit" data-testid="kw-form-submit">{ props.submit }</button>
                <button class="btn" type="button" onclick={cancel}>{ "Cancel" }</button>
                <span class="hint">{ "Then save the rules." }</span>
            </div>
        </form>
    }
}

fn keyword_field(id: &'static str, label: &'static str, node: &NodeRef) -> Html {
    html! {
        <div class="field">
            <label for={id}>{ label }<span class="muted">{ " (one per line)" }</span></label>
            <textarea id={id} ref={node.clone()} rows="3" aria-describedby="kw-lists-help"
                      spellcheck="false" />
        </div>
    }
}
