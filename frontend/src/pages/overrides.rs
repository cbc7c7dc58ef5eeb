//! Overrides: known noise declared once. The list (number, scope, what it
//! matches, window, comment, who), a form to create one (prefilled from a
//! run when opened with "Create override from this run") or edit one, and
//! delete for admins.

use bc_api_types::{Override, OverrideScope, OverrideSpec, Permission, StatusMatch, TextMatch};
use chrono::Datelike;
use wasm_bindgen::JsCast;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::api;
use crate::components::{ConfirmButton, ErrorView, Loading, Time};
use crate::hooks::use_fetch;
use crate::route::OverridesQuery;
use crate::session::use_session;
use crate::toast::use_notify;

fn scope_text(s: &OverrideScope) -> String {
    match s {
        OverrideScope::Global => "Every job".into(),
        OverrideScope::Customer { customer_id } => format!("Customer {customer_id}"),
        OverrideScope::Software { software, job_type: Some(t) } => format!("{software} · {t}"),
        OverrideScope::Software { software, job_type: None } => software.clone(),
        OverrideScope::Job { job_id } => format!("Job {job_id}"),
    }
}

fn status_text(s: StatusMatch) -> &'static str {
    match s {
        StatusMatch::Warning => "Warning",
        StatusMatch::Failed => "Failed",
        StatusMatch::Any => "Warning or Failed",
    }
}

/// The form's fields as text, as the inputs hold them.
#[derive(Clone, PartialEq, Default)]
struct Draft {
    /// Set when editing: (id, version).
    editing: Option<(String, u64)>,
    scope: String,
    scope_value: String,
    job_type: String,
    object: String,
    status: String,
    match_kind: String,
    pattern: String,
    from: String,
    until: String,
    comment: String,
}

impl Draft {
    fn from_query(q: &OverridesQuery) -> Draft {
        Draft {
            scope: if q.job_id.is_empty() { "global".into() } else { "job".into() },
            scope_value: q.job_id.clone(),
            object: q.object.clone(),
            status: if q.status.is_empty() { "any".into() } else { q.status.to_lowercase() },
            match_kind: if q.message.is_empty() { "none".into() } else { "contains".into() },
            pattern: q.message.clone(),
            ..Draft::default()
        }
    }

    fn from_override(o: &Override) -> Draft {
        let s = &o.spec;
        let (scope, scope_value, job_type) = match &s.scope {
            OverrideScope::Global => ("global", String::new(), String::new()),
            OverrideScope::Customer { customer_id } => ("customer", customer_id.clone(), String::new()),
            OverrideScope::Software { software, job_type } => {
                ("software", software.clone(), job_type.clone().unwrap_or_default())
            }
            OverrideScope::Job { job_id } => ("job", job_id.clone(), String::new()),
        };
        let (match_kind, pattern) = match &s.message {
            None => ("none", String::new()),
            Some(TextMatch::Contains(p)) => ("contains", p.clone()),
            Some(TextMatch::Regex(p)) => ("regex", p.clone()),
        };
        let day = |t: Option<chrono::DateTime<chrono::Utc>>| {
            t.map(|t| format!("{:04}-{:02}-{:02}", t.year(), t.month(), t.day())).unwrap_or_default()
        };
        Draft {
            editing: Some((o.id.clone(), o.version)),
            scope: scope.into(),
            scope_value,
            job_type,
            object: s.object.clone().unwrap_or_default(),
            status: match s.status {
                StatusMatch::Warning => "warning",
                StatusMatch::Failed => "failed",
                StatusMatch::Any => "any",
            }
            .into(),
            match_kind: match_kind.into(),
            pattern,
            from: day(s.valid_from),
            until: day(s.valid_until),
            comment: s.comment.clone(),
        }
    }

    /// The spec to send; the server validates it and says what is wrong.
    fn spec(&self) -> Result<OverrideSpec, String> {
        let v = self.scope_value.trim().to_string();
        let scope = match self.scope.as_str() {
            "customer" => OverrideScope::Customer { customer_id: v },
            "software" => OverrideScope::Software {
                software: v,
                job_type: Some(self.job_type.trim().to_string()).filter(|t| !t.is_empty()),
            },
            "job" => OverrideScope::Job { job_id: v },
            _ => OverrideScope::Global,
        };
        let status = match self.status.as_str() {
            "warning" => StatusMatch::Warning,
            "failed" => StatusMatch::Failed,
            _ => StatusMatch::Any,
        };
        let message = match self.match_kind.as_str() {
            "contains" => Some(TextMatch::Contains(self.pattern.clone())),
            "regex" => Some(TextMatch::Regex(self.pattern.clone())),
            _ => None,
        };
        let day = |d: &str| -> Result<Option<chrono::DateTime<chrono::Utc>>, String> {
            if d.trim().is_empty() {
                return Ok(None);
            }
            // By hand: chrono's parser would add to the bundle.
            let mut parts = d.trim().splitn(3, '-').map(|p| p.parse::<u32>().ok());
            let bad = || format!("{d:?} is not a day (2026-12-31)");
            let (Some(Some(y)), Some(Some(m)), Some(Some(dd))) = (parts.next(), parts.next(), parts.next()) else {
                return Err(bad());
            };
            let date = chrono::NaiveDate::from_ymd_opt(y as i32, m, dd).ok_or_else(bad)?;
            Ok(date.and_hms_opt(0, 0, 0).map(|t| t.and_utc()))
        };
        Ok(OverrideSpec {
            scope,
            object: Some(self.object.trim().to_string()).filter(|o| !o.is_empty()),
            status,
            message,
            valid_from: day(&self.from)?,
            valid_until: day(&self.until)?,
            comment: self.comment.clone(),
        })
    }
}

/// The form's inputs, read from the page.
fn read_form(editing: Option<(String, u64)>) -> Draft {
    let doc = web_sys::window().and_then(|w| w.document());
    let value = |id: &str| -> String {
        let Some(el) = doc.as_ref().and_then(|d| d.get_element_by_id(id)) else { return String::new() };
        if let Some(i) = el.dyn_ref::<HtmlInputElement>() {
            i.value()
        } else if let Some(s) = el.dyn_ref::<HtmlSelectElement>() {
            s.value()
        } else {
            String::new()
        }
    };
    Draft {
        editing,
        scope: value("ov-scope"),
        scope_value: value("ov-scope-value"),
        job_type: value("ov-job-type"),
        object: value("ov-object"),
        status: value("ov-status"),
        match_kind: value("ov-match"),
        pattern: value("ov-pattern"),
        from: value("ov-from"),
        until: value("ov-until"),
        comment: value("ov-comment"),
    }
}

#[derive(Properties, PartialEq)]
pub struct OverridesProps {
    pub query: OverridesQuery,
}

#[component]
pub fn OverridesPage(props: &OverridesProps) -> Html {
    let session = use_session();
    let notify = use_notify();
    let list = use_fetch((), |_| async { api::overrides::list().await });
    let draft = use_state(|| Draft::from_query(&props.query));
    let busy = use_state(|| false);
    let can_manage = session.can(Permission::ManageOverrides);
    let can_delete = session.can(Permission::DeleteOverrides);

    let field = |name: &'static str| {
        let draft = draft.clone();
        Callback::from(move |e: Event| {
            let value = e
                .target_dyn_into::<HtmlInputElement>()
                .map(|i| i.value())
                .or_else(|| e.target_dyn_into::<HtmlSelectElement>().map(|s| s.value()))
                .unwrap_or_default();
            let mut d = (*draft).clone();
            match name {
                "scope" => d.scope = value,
                "scope_value" => d.scope_value = value,
                "job_type" => d.job_type = value,
                "object" => d.object = value,
                "status" => d.status = value,
                "match_kind" => d.match_kind = value,
                "pattern" => d.pattern = value,
                "from" => d.from = value,
                "until" => d.until = value,
                _ => d.comment = value,
            }
            draft.set(d);
        })
    };

    // Text fields follow each keystroke, so a redraw never puts back an
    // older value.
    let typed = |name: &'static str| {
        let f = field(name);
        Callback::from(move |e: InputEvent| f.emit(e.into()))
    };

    let save = {
        let (draft, busy, notify, reload) = (draft.clone(), busy.clone(), notify.clone(), list.reload.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if *busy {
                return;
            }
            // What the inputs hold now (a change event may not have
            // re-rendered yet when the form is submitted).
            let current = read_form(draft.editing.clone());
            let spec = match current.spec() {
                Ok(s) => s,
                Err(m) => return notify.error(m),
            };
            busy.set(true);
            let (draft, busy, notify, reload) = (draft.clone(), busy.clone(), notify.clone(), reload.clone());
            spawn_local(async move {
                let result = match &draft.editing {
                    Some((id, version)) => api::overrides::update(id, spec, *version).await,
                    None => api::overrides::create(&spec).await,
                };
                busy.set(false);
                match result {
                    Ok(o) => {
                        notify.ok(format!(
                            "Override #{} saved; unreviewed runs are re-evaluated. Now mark the run as reviewed.",
                            o.number
                        ));
                        draft.set(Draft {
                            status: "any".into(),
                            match_kind: "none".into(),
                            scope: "global".into(),
                            ..Draft::default()
                        });
                        reload.emit(());
                    }
                    Err(e) => notify.error(e),
                }
            });
        })
    };
    let cancel_edit = {
        let draft = draft.clone();
        Callback::from(move |_| {
            draft.set(Draft {
                status: "any".into(),
                match_kind: "none".into(),
                scope: "global".into(),
                ..Draft::default()
            })
        })
    };

    let d = (*draft).clone();
    let form = html! {
        <section class="card" aria-labelledby="ov-form-title">
            <h2 id="ov-form-title" class="card-title">
                { if d.editing.is_some() { "Edit override" } else { "New override" } }
            </h2>
            <form class="override-form" onsubmit={save} data-testid="override-form">
                <div class="field">
                    <label for="ov-scope">{ "Applies to" }</label>
                    <select id="ov-scope" onchange={field("scope")}>
                        { for [("global", "Every job"), ("customer", "A customer (id)"), ("software", "A software"), ("job", "One job (id)")]
                            .iter().map(|(v, l)| html! { <option value={*v} selected={d.scope == *v}>{ *l }</option> }) }
                    </select>
                </div>
                if d.scope != "global" {
                    <div class="field">
                        <label for="ov-scope-value">{ match d.scope.as_str() { "software" => "Software", "customer" => "Customer id", _ => "Job id" } }</label>
                        <input id="ov-scope-value" type="text" value={d.scope_value.clone()} oninput={typed("scope_value")} maxlength="200" />
                    </div>
                }
                if d.scope == "software" {
                    <div class="field">
                        <label for="ov-job-type">{ "Job type (optional)" }</label>
                        <input id="ov-job-type" type="text" value={d.job_type.clone()} oninput={typed("job_type")} maxlength="200" />
                    </div>
                }
                <div class="field">
                    <label for="ov-object">{ "Object (optional; * and ? allowed)" }</label>
                    <input id="ov-object" type="text" value={d.object.clone()} oninput={typed("object")} maxlength="256"
                           placeholder="whole run" />
                </div>
                <div class="field">
                    <label for="ov-status">{ "When the status is" }</label>
                    <select id="ov-status" onchange={field("status")}>
                        { for [("warning", "Warning"), ("failed", "Failed"), ("any", "Warning or Failed")]
                            .iter().map(|(v, l)| html! { <option value={*v} selected={d.status == *v}>{ *l }</option> }) }
                    </select>
                </div>
                <div class="field">
                    <label for="ov-match">{ "and the message" }</label>
                    <select id="ov-match" onchange={field("match_kind")}>
                        { for [("none", "is anything"), ("contains", "contains (any case)"), ("regex", "matches a regular expression")]
                            .iter().map(|(v, l)| html! { <option value={*v} selected={d.match_kind == *v}>{ *l }</option> }) }
                    </select>
                </div>
                if d.match_kind != "none" {
                    <div class="field">
                        <label for="ov-pattern">{ "Text" }</label>
                        <input id="ov-pattern" type="text" value={d.pattern.clone()} oninput={typed("pattern")} maxlength="500" />
                    </div>
                }
                <div class="field">
                    <label for="ov-from">{ "Valid from (day, optional)" }</label>
                    <input id="ov-from" type="date" value={d.from.clone()} oninput={typed("from")} />
                </div>
                <div class="field">
                    <label for="ov-until">{ "Valid until (day, optional)" }</label>
                    <input id="ov-until" type="date" value={d.until.clone()} oninput={typed("until")} />
                </div>
                <div class="field field-wide">
                    <label for="ov-comment">{ "Why (required)" }</label>
                    <input id="ov-comment" type="text" value={d.comment.clone()} oninput={typed("comment")} maxlength="1000"
                           placeholder="e.g. CBT disabled on SQL02 by design" />
                </div>
                <div class="form-actions">
                    <button class="btn btn-primary" type="submit" disabled={*busy} data-testid="override-save">
                        { if d.editing.is_some() { "Save changes" } else { "Create override" } }
                    </button>
                    if d.editing.is_some() {
                        <button class="btn" type="button" onclick={cancel_edit}>{ "Cancel" }</button>
                    }
                </div>
            </form>
            <p class="hint">{ "A matching run shows as Success with a blue override marker; what the report said stays visible. \
                               Unreviewed runs are re-evaluated at once; reviewed runs keep what they showed." }</p>
        </section>
    };

    let body = match (&list.data, &list.error) {
        (_, Some(e)) => html! { <ErrorView error={e.clone()} onretry={Some(list.reload.clone())} /> },
        (None, None) => html! { <Loading what="overrides" /> },
        (Some(l), None) if l.is_empty() => html! {
            <div class="state empty" role="status" data-testid="overrides-empty">
                <h2>{ "No overrides yet" }</h2>
                <p>{ "Create one for noise you expect every night, e.g. from a run's “Create override from this run”." }</p>
            </div>
        },
        (Some(l), None) => html! {
            <div class="table-wrap">
                <table class="table overrides" data-testid="overrides-table">
                    <thead><tr>
                        <th scope="col">{ "#" }</th>
                        <th scope="col">{ "Applies to" }</th>
                        <th scope="col">{ "Matches" }</th>
                        <th scope="col" class="hide-narrow">{ "Valid" }</th>
                        <th scope="col">{ "Why" }</th>
                        <th scope="col" class="hide-narrow">{ "Created" }</th>
                        <th scope="col"><span class="sr-only">{ "Actions" }</span></th>
                    </tr></thead>
                    <tbody>
                        { for l.iter().map(|o| {
                            let edit = {
                                let (draft, o) = (draft.clone(), o.clone());
                                Callback::from(move |_| draft.set(Draft::from_override(&o)))
                            };
                            let remove = {
                                let (notify, reload, id, n) = (notify.clone(), list.reload.clone(), o.id.clone(), o.number);
                                Callback::from(move |_| {
                                    let (notify, reload, id) = (notify.clone(), reload.clone(), id.clone());
                                    spawn_local(async move {
                                        match api::overrides::delete(&id).await {
                                            Ok(()) => { notify.ok(format!("Override #{n} deleted")); reload.emit(()); }
                                            Err(e) => notify.error(e),
                                        }
                                    });
                                })
                            };
                            let s = &o.spec;
                            let matches = format!(
                                "{}{}{}",
                                status_text(s.status),
                                s.object.as_ref().map(|p| format!(" · object {p}")).unwrap_or_default(),
                                match &s.message {
                                    Some(TextMatch::Contains(p)) => format!(" · contains “{p}”"),
                                    Some(TextMatch::Regex(p)) => format!(" · /{p}/"),
                                    None => String::new(),
                                }
                            );
                            html! {
                                <tr key={o.id.clone()} class={classes!((!o.active).then_some("inactive"))} data-override-number={o.number.to_string()}>
                                    <td><span class="badge badge-override">{ format!("#{}", o.number) }</span></td>
                                    <td>{ if o.scope_label.is_empty() { scope_text(&s.scope) } else { o.scope_label.clone() } }</td>
                                    <td>{ matches }</td>
                                    <td class="hide-narrow">
                                        { match (s.valid_from, s.valid_until) {
                                            (None, None) => html! { "always" },
                                            (f, u) => html! { <>
                                                if let Some(f) = f { { "from " }<Time at={f} />{ " " } }
                                                if let Some(u) = u { { "until " }<Time at={u} /> }
                                            </> },
                                        } }
                                        if !o.active { <span class="muted">{ " (not in effect)" }</span> }
                                    </td>
                                    <td>{ &s.comment }</td>
                                    <td class="hide-narrow">{ format!("{} · ", o.created_by) }<Time at={o.created_at} relative=true /></td>
                                    <td class="actions">
                                        if can_manage { <button class="btn btn-small" onclick={edit}>{ "Edit" }</button> }
                                        if can_delete {
                                            <ConfirmButton label="Delete" class="btn btn-small btn-danger" onconfirm={remove}
                                                confirm={AttrValue::from(format!("Delete override #{}? Unreviewed runs show their own status again.", o.number))} />
                                        }
                                    </td>
                                </tr>
                            }
                        }) }
                    </tbody>
                </table>
            </div>
        },
    };

    html! {
        <section class="page">
            <h1>{ "Overrides" }</h1>
            if can_manage { { form } }
            { body }
        </section>
    }
}
